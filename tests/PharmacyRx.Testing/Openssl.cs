using System.Diagnostics;

namespace PharmacyRx.Testing;

/// <summary>Runs the openssl command line in a folder, as a person checking a record by hand would.</summary>
public static class Openssl
{
    /// <summary>Standard output and error when openssl exits 0; otherwise throws with them.</summary>
    public static async Task<string> RunAsync(string folder, params string[] args)
    {
        var start = new ProcessStartInfo("openssl") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        args.ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException(output);
    }
}
