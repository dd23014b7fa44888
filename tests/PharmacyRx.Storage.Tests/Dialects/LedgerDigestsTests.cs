using System.Text.Json;

namespace PharmacyRx.Storage.Tests.Dialects;

/// <summary>
/// The digests kept in the signed chain heads, as one JSON array for <c>sys.sp_verify_database_ledger</c>: a
/// list of the objects <c>sys.sp_generate_database_ledger_digest</c> returned, each block once.
/// </summary>
public class LedgerDigestsTests
{
    private static string Digest(long block, string hash, string at) =>
        $$"""{"database_name":"pharmacyrx","block_id":{{block}},"hash":"0x{{hash}}","last_transaction_commit_time":"{{at}}","digest_time":"{{at}}"}""";

    [Test]
    public void The_stored_digests_become_one_array_of_digest_objects_each_block_once()
    {
        var first = Digest(0, new string('A', 64), "2026-12-01T10:00:00.0000000");
        var repeated = Digest(0, new string('A', 64), "2026-12-01T10:05:00.0000000");
        var second = Digest(3, new string('B', 64), "2026-12-01T10:10:00.0000000");

        var json = SqlServerDialect.LedgerDigests([first, repeated, second], out var unreadable);

        using var array = JsonDocument.Parse(json!);
        Assert.That(unreadable, Is.Empty);
        Assert.That(array.RootElement.ValueKind, Is.EqualTo(JsonValueKind.Array));
        Assert.That(array.RootElement.EnumerateArray().Select(d => d.GetProperty("block_id").GetInt64()), Is.EqualTo(new long[] { 0, 3 }));
        Assert.That(array.RootElement[0].GetRawText(), Is.EqualTo(first), "each digest is passed as the server wrote it");
        Assert.That(array.RootElement[1].EnumerateObject().Select(p => p.Name),
            Is.EqualTo(new[] { "database_name", "block_id", "hash", "last_transaction_commit_time", "digest_time" }));
    }

    [Test]
    public void A_stored_digest_that_is_no_digest_is_named_and_left_out()
    {
        var good = Digest(7, new string('C', 64), "2026-12-01T11:00:00.0000000");

        var json = SqlServerDialect.LedgerDigests(["not json", """{"block_id":"seven"}""", good], out var unreadable);

        Assert.That(unreadable, Has.Count.EqualTo(2).And.All.StartWith("a ledger digest kept in a signed chain head is not a digest"));
        Assert.That(json, Is.EqualTo($"[{good}]"));
    }

    [Test]
    public void No_stored_digest_makes_no_array()
    {
        Assert.That(SqlServerDialect.LedgerDigests([], out var unreadable), Is.Null);
        Assert.That(unreadable, Is.Empty);
    }
}
