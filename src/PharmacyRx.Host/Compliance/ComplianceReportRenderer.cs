using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using PharmacyRx.Host.Audit;

namespace PharmacyRx.Host.Compliance;

/// <summary>
/// The compliance report as text (the terminal), HTML (a page to print or host in the console) and JSON (machines; the
/// shape of <c>schemas/compliance-report.schema.json</c>). Every value is encoded for its format.
/// </summary>
public static class ComplianceReportRenderer
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The formats <see cref="Render"/> accepts.</summary>
    public static IReadOnlyList<string> Formats { get; } = ["txt", "html", "json"];

    public static string Render(ComplianceReport report, string format) => format switch
    {
        "txt" => ToText(report),
        "html" => ToHtml(report),
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

    public static string ToHtml(ComplianceReport report)
    {
        static string E(string value) => WebUtility.HtmlEncode(value);
        var html = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Compliance self-report</title></head><body>")
            .Append("<h1>Compliance self-report</h1><p>21 CFR 1311.205(b), 1311.210, 1311.215(a)-(c), 1311.305 and 1304.04(h)(5). Generated ")
            .Append(E(report.GeneratedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))).Append(" for ").Append(E(report.DataFolder))
            .Append("; test results: ").Append(E(report.TestResults ?? "not given")).Append(".</p><p><strong>").Append(E(report.Summary.ToString())).Append("</strong></p>");
        foreach (var p in report.Paragraphs)
        {
            html.Append("<section id=\"").Append(E(p.Paragraph)).Append("\"><h2>").Append(E(Word(p.Status))).Append(' ').Append(E(p.Paragraph)).Append(' ')
                .Append(E(p.Title)).Append("</h2><blockquote>").Append(E(p.Text)).Append("</blockquote><p>").Append(E(p.Service)).Append("</p>");
            if (p.Evidence.Count > 0)
            {
                html.Append("<table><tr><th>Status</th><th>Check</th><th>Seen</th><th>To do</th></tr>");
                foreach (var e in p.Evidence)
                {
                    html.Append("<tr><td>").Append(E(Word(e.Status))).Append("</td><td>").Append(E(e.Check)).Append("</td><td>").Append(E(e.Detail))
                        .Append("</td><td>").Append(E(e.Action ?? "")).Append("</td></tr>");
                }
                html.Append("</table>");
            }
            if (p.Tests.Count > 0)
            {
                html.Append("<ul>");
                foreach (var t in p.Tests)
                {
                    html.Append("<li>").Append(E(t.Outcome)).Append(": ").Append(E(t.Name)).Append("</li>");
                }
                html.Append("</ul>");
            }
            html.Append("</section>");
        }
        return html.Append("</body></html>").ToString();
    }

    /// <summary>A status in words, as every rendering says it (PASS, WARN, FAIL).</summary>
    public static string Word(ComplianceStatus status) => status switch
    {
        ComplianceStatus.Pass => "PASS",
        ComplianceStatus.Warn => "WARN",
        _ => "FAIL",
    };
}
