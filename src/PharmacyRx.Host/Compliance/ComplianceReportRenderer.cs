using System.Globalization;
using System.Text;
using System.Text.Json;
using PharmacyRx.Host.Audit;

namespace PharmacyRx.Host.Compliance;

/// <summary>
/// The compliance report as text (the terminal), a page to print or host in the console (Razor) and JSON (machines; the
/// shape of <c>schemas/compliance-report.schema.json</c>). Every value is encoded for its format.
/// </summary>
public static class ComplianceReportRenderer
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The formats <see cref="RenderAsync"/> accepts.</summary>
    public static IReadOnlyList<string> Formats { get; } = ["txt", "html", "json"];

    public static async Task<string> RenderAsync(ComplianceReport report, string format) => format switch
    {
        "txt" => ToText(report),
        "html" => await ToHtmlAsync(report),
        "json" => ToJson(report),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "txt, html or json"),
    };

    public static string ToJson(ComplianceReport report) => JsonSerializer.Serialize(report, Json);

    public static string ToText(ComplianceReport report)
    {
        static string V(string value) => AuditReport.Visible(value);
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"PharmacyRx compliance self-report (21 CFR 1311.205-1311.215, 1311.305, 1304.04(h)(5))\n")
            .Append(CultureInfo.InvariantCulture, $"Generated {report.GeneratedAt:yyyy-MM-ddTHH:mm:ssZ} for {V(report.DataFolder)}; test results: {V(report.TestResults ?? "not given (--test-results)")}\n\n");
        foreach (var p in report.Paragraphs)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Word(p.Status)} {p.Paragraph} {p.Title}\n")
                .Append(CultureInfo.InvariantCulture, $"  Rule: {p.Text}\n")
                .Append(CultureInfo.InvariantCulture, $"  The service: {p.Service}\n");
            foreach (var e in p.Evidence)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {Word(e.Status)} {e.Check}: {V(e.Detail)}\n");
                if (e.Action is { } action)
                {
                    text.Append(CultureInfo.InvariantCulture, $"       To do: {V(action)}\n");
                }
            }
            foreach (var t in p.Tests)
            {
                text.Append(CultureInfo.InvariantCulture, $"  test {t.Outcome}: {V(t.Name)}\n");
            }
            text.Append('\n');
        }
        return text.Append(CultureInfo.InvariantCulture, $"{report.Summary}\n").ToString();
    }

    /// <summary>The report as a page (<see cref="ComplianceReportDocument"/>).</summary>
    public static Task<string> ToHtmlAsync(ComplianceReport report) =>
        HtmlDocument.RenderAsync<ComplianceReportDocument>(new Dictionary<string, object?> { [nameof(ComplianceReportDocument.Report)] = report });

    /// <summary>A status in words, as every rendering says it (PASS, WARN, FAIL).</summary>
    public static string Word(ComplianceStatus status) => status switch
    {
        ComplianceStatus.Pass => "PASS",
        ComplianceStatus.Warn => "WARN",
        _ => "FAIL",
    };
}
