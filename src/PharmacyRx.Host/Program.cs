using PharmacyRx.Host.Cli;
using PharmacyRx.Host.Keys;

// Health data and keys: every file the process writes is 0600 and every folder 0700, whoever creates it.
ProcessUmask.RestrictToOwner();
return await PharmacyRxCommandLine.RunAsync(args, CliEnvironment.FromProcess());

/// <summary>The entry point; every verb lives in <see cref="PharmacyRxCommandLine"/>.</summary>
public partial class Program;
