using System.Reflection;
using System.Text.Json;
using PharmacyRx.Storage;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Integrity;

/// <summary>
/// The engine's ledger digest kept inside each signed chain head, where someone with only the database cannot
/// rewrite it, and every kept digest given back to the engine by verify. SQLite has no ledger; SQL Server's is stood in
/// for by a dialect that hands out digests and records what verify gives back.
/// </summary>
public class LedgerDigestHeadsTests
{
    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task A_head_signed_on_SQLite_keeps_no_ledger_digest_and_still_verifies()
    {
        using var folder = new TempFolder();
        await using var instance = await ChainInstance.StartAsync(folder, "pharmacy-a", secondFolder: null);

        await instance.AppendAsync("written");
        var signed = await instance.Heads.SignAsync(CancellationToken.None);
        var report = await instance.Get<PharmacyRx.Host.Integrity.ArchiveVerifier>().VerifyTrailAsync(CancellationToken.None);

        using var file = JsonDocument.Parse(await File.ReadAllBytesAsync(instance.Heads.PathOf(signed!.Sequence)));
        Assert.That(signed.LedgerDigest, Is.Null);
        Assert.That(file.RootElement.TryGetProperty("ledgerDigest", out _), Is.False, "no empty field in the signed bytes");
        Assert.That(report.Problems, Is.Empty);
    }

    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task Each_head_keeps_the_digest_taken_as_it_was_signed_and_verify_gives_all_of_them_back()
    {
        using var folder = new TempFolder();
        var ledger = new List<string>();
        await using var instance = await ChainInstance.StartAsync(folder, "pharmacy-a", secondFolder: null, sqlite => LedgerDialect.Over(sqlite, ledger));

        await instance.AppendAsync("first");
        var first = await instance.Heads.SignAsync(CancellationToken.None);
        await instance.AppendAsync("second");
        var second = await instance.Heads.SignAsync(CancellationToken.None);
        ledger.Clear();
        var report = await instance.Get<PharmacyRx.Host.Integrity.ArchiveVerifier>().VerifyTrailAsync(CancellationToken.None);

        Assert.That(first!.LedgerDigest, Does.Contain("\"block_id\":1"));
        Assert.That(second!.LedgerDigest, Does.Contain("\"block_id\":2"));
        Assert.That(await File.ReadAllTextAsync(instance.Heads.PathOf(second.Sequence)), Does.Contain("block_id"), "the digest is under the head's signature");
        Assert.That(report.Problems, Is.Empty);
        // The digest taken now, third in the list, is the fake's block 1 again (its count restarts): given once.
        Assert.That(ledger, Is.EqualTo(new[] { "digest", $"verify {first.LedgerDigest}|{second.LedgerDigest}" }));
    }

    /// <summary>A dialect with a ledger: the SQLite dialect, but handing out a new digest each time and recording what is verified.</summary>
    public class LedgerDialect : DispatchProxy
    {
        private ISqlDialect _inner = null!;
        private List<string> _calls = null!;

        public static ISqlDialect Over(ISqlDialect inner, List<string> calls)
        {
            var proxy = Create<ISqlDialect, LedgerDialect>();
            ((LedgerDialect)(object)proxy)._inner = inner;
            ((LedgerDialect)(object)proxy)._calls = calls;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            switch (targetMethod!.Name)
            {
                case nameof(ISqlDialect.LedgerDigestAsync):
                    _calls.Add("digest");
                    var block = _calls.Count(c => c == "digest");
                    return Task.FromResult<string?>(
                        $$"""{"database_name":"pharmacyrx","block_id":{{block}},"hash":"0x{{new string((char)('A' + block), 64)}}","last_transaction_commit_time":"2026-12-01T10:00:00.0000000","digest_time":"2026-12-01T10:00:00.0000000"}""");
                case nameof(ISqlDialect.VerifyLedgerAsync) when args!.Length == 2:
                    _calls.Add("verify " + string.Join('|', (IReadOnlyList<string>)args[0]!));
                    return Task.FromResult<IReadOnlyList<string>>([]);
                default:
                    return targetMethod.Invoke(_inner, args);
            }
        }
    }
}
