using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PharmacyRx.Core.Audit;

/// <summary>
/// The report of a security incident a pharmacy sends to the DEA and its application provider (1311.215(c)) and keeps
/// (1304.06(d)): what happened, when, when it was decided, the records affected, what was done, who decided. Text here;
/// the page that prints to PDF is the service's (IncidentReportDocument).
/// </summary>
public sealed record IncidentReport(
    Guid DecisionId, DateTimeOffset DecidedAt, string DecidedBy, string Reason, string ActionTaken, DateOnly DueDay,
    IReadOnlyList<IncidentReport.ReportedEvent> Events)
{
    /// <summary>One auditable event of the incident, as the audit trail holds it.</summary>
    public sealed record ReportedEvent(long Sequence, DateTimeOffset OccurredAt, string Type, IncidentCategory Category, string Actor, string Outcome, string Target, string Details);

    /// <summary>The report's one style sheet (screen and print); a page serving the report allows it by <see cref="StyleHash"/>.</summary>
    public const string Style =
        "body{font:11pt/1.4 system-ui,sans-serif;color:#000;max-width:48em;margin:1em auto}h1{font-size:16pt}h2{font-size:13pt;margin-top:1.2em}" +
        "table{border-collapse:collapse;width:100%}th,td{border:1px solid #888;padding:.2em .4em;text-align:left;vertical-align:top}" +
        "dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dt{font-weight:600}dd{margin:0}" +
        "@page{size:letter;margin:2cm}@media print{body{margin:0;max-width:none}tr{break-inside:avoid}}";

    /// <summary>The Content-Security-Policy source that allows <see cref="Style"/> and no other style.</summary>
    public static string StyleHash { get; } = $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))}'";

    /// <summary>The pharmacy's time zone: every time the report shows is read on its clock, with the offset.</summary>
    public TimeZoneInfo Zone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>The first and last time of the events.</summary>
    public (DateTimeOffset First, DateTimeOffset Last) Period =>
        Events.Count == 0 ? (DecidedAt, DecidedAt) : (Events.Min(e => e.OccurredAt), Events.Max(e => e.OccurredAt));

    /// <summary>The records and objects the events name, each once.</summary>
    public IReadOnlyList<string> Targets => Events.Select(e => e.Target).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>The categories of 1311.215(a) the events fall under, each once.</summary>
    public IReadOnlyList<string> WhatHappened => Events.Select(e => IncidentCategories.Title(e.Category)).Distinct().ToArray();

    public string ToText()
    {
        var (first, last) = Period;
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Security incident report (21 CFR 1311.215(c)); kept under 1304.06(d)\n")
            .Append(CultureInfo.InvariantCulture, $"Incident: {DecisionId:D}\n")
            .Append(CultureInfo.InvariantCulture, $"What happened: {string.Join("; ", WhatHappened)}\n")
            .Append(CultureInfo.InvariantCulture, $"When: {Time(first)} to {Time(last)}\n")
            .Append(CultureInfo.InvariantCulture, $"Found and decided: {Time(DecidedAt)} by {Visible(DecidedBy)}\n")
            .Append(CultureInfo.InvariantCulture, $"Why it is an incident: {Visible(Reason)}\n")
            .Append(CultureInfo.InvariantCulture, $"What was done: {Visible(ActionTaken)}\n")
            .Append(CultureInfo.InvariantCulture, $"Report due to the DEA and the application provider by the end of {DueDay:yyyy-MM-dd} (one business day)\n")
            .Append(CultureInfo.InvariantCulture, $"Records affected: {string.Join("; ", Targets.Select(Visible))}\n\n")
            .Append(CultureInfo.InvariantCulture, $"Audit events ({Events.Count}):\n");
        foreach (var e in Events)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"  #{e.Sequence} {Time(e.OccurredAt)} {Visible(e.Type)} by {Visible(e.Actor)} on {Visible(e.Target)} ({Visible(e.Outcome)}): {Visible(e.Details)}\n");
        }
        return text.ToString();
    }

    /// <summary>A time as the report shows it: on the pharmacy's clock, with its offset.</summary>
    public string Time(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

    // Control, line-separator and bidirectional characters shown as <U+XXXX>: a name cannot forge a line of the text.
    private static string Visible(string value)
    {
        var visible = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200E' or '\u200F')
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
}
