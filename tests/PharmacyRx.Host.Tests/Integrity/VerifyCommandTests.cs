using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Integrity;

/// <summary>An intruder with access to the database file: drops the triggers and edits rows directly.</summary>
public class VerifyCommandTests
{
    private static async Task<InstalledPharmacy> PharmacyWithRecordsAsync()
    {
        var pharmacy = await InstalledPharmacy.CreateAsync();
        var run = await pharmacy.IngestAsync(
            new SyntheticNewRx { MessageId = "V-1" },
            new SyntheticNewRx { MessageId = "V-2", Quantity = "30" },
            new SyntheticNewRx { MessageId = "V-3", Transaction = "Unsupported" });
        Assert.That(run.ExitCode, Is.Zero, run.Error);
        return pharmacy;
    }

    [Test]
    public async Task Passes_when_nothing_was_touched()
    {
        using var pharmacy = await PharmacyWithRecordsAsync();

        var verify = await pharmacy.RunAsync("verify");

        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
        Assert.That(verify.Output, Does.Contain("OK: 3 records"));
    }

    [TestCase("UPDATE prescription_archive SET patient_name = 'Other, Person' WHERE message_id = 'V-2'", "column patient_name differs")]
    [TestCase("UPDATE prescription_archive SET status = 'ReceiptSigned', reason_code = '', reason = '' WHERE message_id = 'V-3'", "column status differs")]
    [TestCase("UPDATE prescription_archive SET receipt_signature = zeroblob(72) WHERE message_id = 'V-2'", "receipt signature does not verify")]
    [TestCase("UPDATE prescription_archive SET as_received = CAST(replace(CAST(as_received AS TEXT), '<Value>30<', '<Value>90<') AS BLOB) WHERE message_id = 'V-2'", "as-received bytes were altered")]
    [TestCase("UPDATE prescription_archive SET received_at = '2020-01-01T00:00:00.0000000Z' WHERE message_id = 'V-2'", "receipt signature does not verify")]
    public async Task Finds_an_archive_row_edited_behind_its_back(string tamper, string expected)
    {
        using var pharmacy = await PharmacyWithRecordsAsync();
        var receiptId = (await pharmacy.RunAsync("show", tamper.Contains("V-3", StringComparison.Ordinal) ? "V-3" : "V-2", "--format", "json"))
            .JsonLines[0].GetProperty("receiptId").GetString();

        await pharmacy.TamperAsync("DROP TRIGGER prescription_archive_no_update; " + tamper);
        var verify = await pharmacy.RunAsync("verify");

        Assert.That(verify.ExitCode, Is.EqualTo(1));
        Assert.That(verify.Output, Does.Contain($"FAIL receipt {receiptId}: ").And.Contain(expected));
        Assert.That(verify.Output.Split('\n').Count(line => line.StartsWith("FAIL ", StringComparison.Ordinal) && !line.Contains(receiptId!, StringComparison.Ordinal)), Is.Zero,
            "only the tampered record is reported");
    }

    [Test]
    [Property("Rule", "1311.205(b)(16)")]
    public async Task Finds_a_deleted_audit_event()
    {
        using var pharmacy = await PharmacyWithRecordsAsync();

        await pharmacy.TamperAsync("DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE sequence = 3");
        var verify = await pharmacy.RunAsync("verify");

        Assert.That(verify.ExitCode, Is.EqualTo(1));
        Assert.That(verify.Output, Does.Contain("audit event 3 is missing"));
    }

    [Test]
    [Property("Rule", "1311.205(b)(16)")]
    public async Task Finds_an_edited_audit_event()
    {
        using var pharmacy = await PharmacyWithRecordsAsync();

        await pharmacy.TamperAsync("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET outcome = 'Success' WHERE outcome = 'Failure'");
        var verify = await pharmacy.RunAsync("verify");

        Assert.That(verify.ExitCode, Is.EqualTo(1));
        Assert.That(verify.Output, Does.Contain("was altered: its hash does not match its fields"));
    }

    [Test]
    public async Task Records_each_verification_run_in_the_audit_trail()
    {
        using var pharmacy = await PharmacyWithRecordsAsync();
        var first = EventsChecked(await pharmacy.RunAsync("verify"));

        var second = EventsChecked(await pharmacy.RunAsync("verify"));

        // The first run's own ArchiveVerified event is the one more the second run checks.
        Assert.That(second, Is.EqualTo(first + 1));
    }

    [Test]
    public async Task Since_head_checks_only_what_came_after_the_head_a_full_run_proved()
    {
        using var pharmacy = await PharmacyWithRecordsAsync();
        Assert.That((await pharmacy.RunAsync("verify")).ExitCode, Is.Zero);
        Assert.That((await pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "V-4", PrescriberOrderNumber = "O-4" })).ExitCode, Is.Zero);

        var since = await pharmacy.RunAsync("verify", "--since-head");

        Assert.That(since.ExitCode, Is.Zero, since.Output);
        Assert.That(since.Output, Does.Contain("Checked: since head ").And.Contain("OK: 1 records"));
    }

    [Test]
    public async Task Since_head_without_a_full_run_that_proved_a_head_checks_everything()
    {
        using var pharmacy = await PharmacyWithRecordsAsync();

        var since = await pharmacy.RunAsync("verify", "--since-head");

        Assert.That(since.ExitCode, Is.Zero, since.Output);
        Assert.That(since.Output, Does.Contain("no full run has proved a signed head yet").And.Contain("OK: 3 records"));
    }

    [Test]
    public async Task Since_head_finds_a_new_record_altered_and_leaves_older_rows_to_the_full_run()
    {
        using var pharmacy = await PharmacyWithRecordsAsync();
        Assert.That((await pharmacy.RunAsync("verify")).ExitCode, Is.Zero);
        Assert.That((await pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "V-4", PrescriberOrderNumber = "O-4" })).ExitCode, Is.Zero);
        var newer = (await pharmacy.RunAsync("show", "V-4", "--format", "json")).JsonLines[0].GetProperty("receiptId").GetString()!;
        var older = (await pharmacy.RunAsync("show", "V-1", "--format", "json")).JsonLines[0].GetProperty("receiptId").GetString()!;

        await pharmacy.TamperAsync("DROP TRIGGER prescription_archive_no_update; " +
            "UPDATE prescription_archive SET patient_name = 'Other, Person' WHERE message_id IN ('V-1', 'V-4')");
        var since = await pharmacy.RunAsync("verify", "--since-head");
        var full = await pharmacy.RunAsync("verify");

        Assert.That(since.ExitCode, Is.EqualTo(1));
        Assert.That(since.Output, Does.Contain($"FAIL receipt {newer}: column patient_name differs")
            .And.Contain($"table prescription_archive row {newer} does not match the hash the audit chain recorded"));
        Assert.That(since.Output, Does.Not.Contain(older), "a row recorded before the proven head is the full run's to check");
        Assert.That(full.ExitCode, Is.EqualTo(1));
        Assert.That(full.Output, Does.Contain($"FAIL receipt {older}: column patient_name differs").And.Contain($"FAIL receipt {newer}: column patient_name differs"));
    }

    [Test]
    public async Task Json_output_is_one_object_and_progress_goes_to_standard_error()
    {
        using var pharmacy = await PharmacyWithRecordsAsync();

        var verify = await pharmacy.RunAsync("verify", "--json");

        Assert.That(verify.ExitCode, Is.Zero, verify.Error);
        var result = verify.JsonLines.Single();
        Assert.That(result.GetProperty("ok").GetBoolean());
        Assert.That(result.GetProperty("mode").GetString(), Is.EqualTo("full"));
        Assert.That(result.GetProperty("records").GetInt64(), Is.EqualTo(3));
        Assert.That(result.GetProperty("provenHead").GetInt64(), Is.Positive);
        Assert.That(verify.Error, Does.Contain("verify: 3 records and "));
    }

    private static int EventsChecked(InstalledPharmacy.Run run) =>
        int.Parse(System.Text.RegularExpressions.Regex.Match(run.Output, @"and (\d+) audit events verified").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
}
