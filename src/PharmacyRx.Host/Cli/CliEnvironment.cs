namespace PharmacyRx.Host.Cli;

/// <summary>
/// What the command line touches outside itself, so tests can run every verb in-process with their own output,
/// environment and clock.
/// </summary>
public sealed record CliEnvironment(TextWriter Out, TextWriter Error, Func<string, string?> GetVariable)
{
    public static CliEnvironment FromProcess() =>
        new(Console.Out, Console.Error, Environment.GetEnvironmentVariable) { ErrorIsTerminal = !Console.IsErrorRedirected };

    /// <summary>True when <see cref="Error"/> is a terminal: long jobs then redraw one progress line instead of printing lines.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>Applied to the service's builder by <c>serve</c>; tests use it to swap the clock or listen on port 0.</summary>
    public Action<WebApplicationBuilder>? ConfigureServe { get; init; }

    /// <summary>Called once <c>serve</c> has started, with the running application.</summary>
    public Action<WebApplication>? OnServing { get; init; }
}
