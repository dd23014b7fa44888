using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Audit;

/// <summary>An incident's report as the page kept beside its text (<see cref="IncidentReportDocument"/>).</summary>
public sealed class IncidentReportPage : IIncidentReportPage
{
    public Task<string> RenderAsync(IncidentReport report) =>
        HtmlDocument.RenderAsync<IncidentReportDocument>(new Dictionary<string, object?> { [nameof(IncidentReportDocument.Report)] = report });
}
