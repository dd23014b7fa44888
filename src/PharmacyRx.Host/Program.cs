using PharmacyRx.Host.Cli;

return await PharmacyRxCommandLine.RunAsync(args, CliEnvironment.FromProcess());

/// <summary>The entry point; every verb lives in <see cref="PharmacyRxCommandLine"/>.</summary>
public partial class Program;
