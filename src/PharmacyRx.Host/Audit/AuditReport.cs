using System.Globalization;
using System.Text;
using System.Text.Json;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Export;

namespace PharmacyRx.Host.Audit;

/// <summary>
/// One day's incident report (1311.215(b)): every auditable event of 1311.215(a)(1)-(5) that day, by category, and any
/// break in the audit trail's hash chain. Written as text and a page for the pharmacist and CSV and JSON for machines.
/// </summary>
public sealed record AuditReport(DateOnly Day, DateTimeOffset GeneratedAt, long EventsThatDay, long ChainHeadSequence, string ChainHeadHash,
    IReadOnlyList<AuditReport.Incident> Incidents)
{
    /// <summary>The command that shows every paragraph's evidence and tests (<c>pharmacyrx compliance</c>), as the report names it.</summary>
    public const string ComplianceCommand = "pharmacyrx compliance --format html";

    /// <summary>The compliance self-report's count when the report was written ("N paragraphs pass, N warn, N fail"), or null.</summary>
    public string? Compliance { get; init; }

    /// <summary>The pharmacy's time zone (IANA name) the day is a day of; incident times are shown in it. Null in a report written before it was kept.</summary>
    public string? TimeZone { get; init; }

    internal string DayInZone => TimeZone is null ? $"{Day:yyyy-MM-dd}" : $"{Day:yyyy-MM-dd} ({TimeZone})";

    // Stored instants are UTC; a person reads them on the pharmacy's clock, with its offset.
    internal string Shown(DateTimeOffset at) =>
        (TimeZone is not null && PharmacyClock.TryFindZone(TimeZone, out var zone) ? TimeZoneInfo.ConvertTime(at, zone) : at)
            .ToString("HH:mm:ss zzz", CultureInfo.InvariantCulture);

    /// <summary>The security incidents as they stood when the report was written (1311.215(c)), or null.</summary>
    public string? SecurityIncidents { get; init; }

    internal string IncidentsLine => $"Security incidents (1311.215(c)): {SecurityIncidents ?? "not read for this day"}; decide them in the console (Security incidents) or with pharmacyrx audit incidents";

    internal string ComplianceLine => $"Compliance self-report: {Compliance ?? "not counted for this day"}; every paragraph's evidence and tests: {ComplianceCommand}";

    /// <summary>One incident: its category, and the audit event (or chain break) behind it.</summary>
    public sealed record Incident(IncidentCategory Category, long Sequence, DateTimeOffset OccurredAt, string Type, string Actor, string Outcome, string Target, string Details);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string ToText()
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"PharmacyRx audit report for {DayInZone} (21 CFR 1311.215(b))\n")
            .Append(CultureInfo.InvariantCulture, $"Generated {GeneratedAt:yyyy-MM-ddTHH:mm:ssZ}; {EventsThatDay} audit events that day; chain head {ChainHeadSequence} {ChainHeadHash}\n")
            .Append(CultureInfo.InvariantCulture, $"{ComplianceLine}\n")
            .Append(CultureInfo.InvariantCulture, $"{IncidentsLine}\n\n");
        foreach (var category in Enum.GetValues<IncidentCategory>())
        {
            var incidents = Incidents.Where(i => i.Category == category).ToArray();
            text.Append(CultureInfo.InvariantCulture, $"{Title(category)}: {(incidents.Length == 0 ? "none" : incidents.Length.ToString(CultureInfo.InvariantCulture))}\n");
            foreach (var i in incidents)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"  #{i.Sequence} {Shown(i.OccurredAt)} {Visible(i.Type)} by {Visible(i.Actor)} on {Visible(i.Target)} ({Visible(i.Outcome)}): {Visible(i.Details)}\n");
            }
        }
        return text.ToString();
    }

    /// <summary>The report as a page (<see cref="AuditReportDocument"/>).</summary>
    public Task<string> ToHtmlAsync() =>
        HtmlDocument.RenderAsync<AuditReportDocument>(new Dictionary<string, object?> { [nameof(AuditReportDocument.Report)] = this });

    public string ToCsv()
    {
        static string Q(string value) => CsvField.Format(value);
        var csv = new StringBuilder("category,sequence,occurred_at,type,actor,outcome,target,details\r\n");
        foreach (var i in Incidents)
        {
            csv.Append(string.Join(',', Q(i.Category.ToString()), i.Sequence.ToString(CultureInfo.InvariantCulture),
                Q(i.OccurredAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)), Q(i.Type), Q(i.Actor), Q(i.Outcome), Q(i.Target), Q(i.Details))).Append("\r\n");
        }
        return csv.ToString();
    }

    /// <summary>
    /// Text as the report shows it: control characters, line and paragraph separators and bidirectional overrides shown
    /// as &lt;U+XXXX&gt;, so a login name or a sender's text cannot forge a report line or reorder what an auditor reads.
    /// </summary>
    public static string Visible(string value)
    {
        if (!value.Any(IsHidden))
        {
            return value;
        }
        var visible = new StringBuilder(value.Length + 16);
        foreach (var c in value)
        {
            if (IsHidden(c))
            {
                visible.Append(CultureInfo.InvariantCulture, $"<U+{(int)c:X4}>");
            }
            else
            {
                visible.Append(c);
            }
        }
        return visible.ToString();
    }

    private static bool IsHidden(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200E' or '\u200F';

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static string Title(IncidentCategory category) => IncidentCategories.Title(category);
}
