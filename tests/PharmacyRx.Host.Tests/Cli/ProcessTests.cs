using System.Diagnostics;
using System.Text.Json;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Cli;

/// <summary>The real <c>pharmacyrx</c> program as a child process, on the shipped sample messages.</summary>
public class ProcessTests
{
    [Test]
    public async Task Init_then_ingest_of_the_shipped_samples_gives_one_of_each_status_and_verify_holds()
    {
        using var folder = new TempFolder();
        var data = folder.File("data");
        var samplesFolder = Path.Combine(RepositoryRoot.Path, "deploy", "samples");
        var samples = Directory.GetFiles(samplesFolder, "*.xml").Order(StringComparer.Ordinal).ToArray();

        var init = await RunAsync("init", "--data", data);
        var trust = await RunAsync("trust", "add", Path.Combine(samplesFolder, "pki", "demo-root-ca.crt"), "--data", data);
        var ingest = await RunAsync(["ingest", "--data", data, .. samples]);
        // The demo CRL's distribution point refuses connections: sample 0004 waits for the CRL, imported by hand.
        var import = await RunAsync("crl", "import", Path.Combine(samplesFolder, "pki", "demo-root-ca.crl"), "--data", data);
        var recheck = await RunAsync("recheck", "--data", data);
        var show = await RunAsync("show", "SAMPLE-0004", "--format", "json", "--data", data);
        var verify = await RunAsync("verify", "--data", data);

        Assert.That(init.ExitCode, Is.Zero, init.Error);
        Assert.That(JsonDocument.Parse(init.Output).RootElement.GetProperty("adminPassword").GetString(), Has.Length.EqualTo(20));
        Assert.That(trust.ExitCode, Is.Zero, trust.Error);
        Assert.That(ingest.ExitCode, Is.Zero, ingest.Error);
        var statuses = ingest.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("status").GetString()).ToArray();
        Assert.That(statuses, Is.EqualTo(new[]
        {
            "ReceiptSigned", "NeedsPharmacistReview", "NeedsPharmacistReview", "PendingRevocationCheck",
            "ReceiptSigned", "ReceiptSigned", "Rejected", "Rejected", "Invalid",
        }));
        Assert.That(import.ExitCode, Is.Zero, import.Error);
        Assert.That(JsonDocument.Parse(recheck.Output).RootElement.GetProperty("moved").GetInt32(), Is.EqualTo(1), recheck.Error);
        var shown = JsonDocument.Parse(show.Output).RootElement;
        Assert.That((shown.GetProperty("status").GetString(), shown.GetProperty("statusOnReceipt").GetString()),
            Is.EqualTo(("VerifiedOnReceipt", "PendingRevocationCheck")));
        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
    }

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => ChildProgram.RunAsync(args);
}
