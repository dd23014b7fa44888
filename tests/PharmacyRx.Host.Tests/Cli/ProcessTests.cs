using System.Diagnostics;
using System.Text.Json;
using PharmacyRx.Core.Signing;
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
        var samples = Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "deploy", "samples"), "*.xml").Order(StringComparer.Ordinal).ToArray();

        var init = await RunAsync("init", "--data", data);
        var ingest = await RunAsync(["ingest", "--data", data, .. samples]);
        var verify = await RunAsync("verify", "--data", data);

        Assert.That(init.ExitCode, Is.Zero, init.Error);
        Assert.That(JsonDocument.Parse(init.Output).RootElement.GetProperty("adminPassword").GetString(), Has.Length.EqualTo(20));
        Assert.That(ingest.ExitCode, Is.Zero, ingest.Error);
        var statuses = ingest.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("status").GetString()).ToArray();
        Assert.That(statuses, Is.EqualTo(new[]
        {
            "ReceiptSigned", "NeedsPharmacistReview", "NeedsPharmacistReview", "PendingRevocationCheck",
            "ReceiptSigned", "ReceiptSigned", "Rejected", "Rejected",
        }));
        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "pharmacyrx.dll"));
        args.ToList().ForEach(start.ArgumentList.Add);
        start.Environment[KeyPasswordSource.VariableName] = InstalledPharmacy.KeyPassword;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await output, await error);
    }
}
