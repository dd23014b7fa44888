using System.Diagnostics;
using PharmacyRx.Host.Keys;

namespace PharmacyRx.Host.Tests;

/// <summary>The real <c>pharmacyrx</c> program as a child process, with the test key password.</summary>
internal static class ChildProgram
{
    /// <summary>
    /// Runs it to completion (at most two minutes, then it is killed and the wait throws); with <paramref name="umask"/>, under a shell that set that umask first;
    /// with <paramref name="environment"/>, those variables set too.
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        string[] args, string? umask = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var program = Path.Combine(AppContext.BaseDirectory, "pharmacyrx.dll");
        var start = new ProcessStartInfo(umask is null ? "dotnet" : "/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (umask is not null)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"umask {umask} && exec dotnet \"$@\"");
            start.ArgumentList.Add("sh");
        }
        start.ArgumentList.Add(program);
        args.ToList().ForEach(start.ArgumentList.Add);
        start.Environment[KeyPasswordSource.VariableName] = InstalledPharmacy.KeyPassword;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        }
        catch (TimeoutException)
        {
            // A child that did not end (a serve that started when it should have refused) is not left running.
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output, await error);
    }
}
