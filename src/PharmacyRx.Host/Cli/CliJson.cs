using System.Text.Json;

namespace PharmacyRx.Host.Cli;

/// <summary>One-line JSON output for scripts: camelCase, no indentation.</summary>
internal static class CliJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static void WriteLine(TextWriter output, object value) => output.WriteLine(JsonSerializer.Serialize(value, Options));
}
