using PharmacyRx.Core.Audit;

namespace PharmacyRx.Storage.Audit;

/// <summary>The page an incident's report is kept as beside its text (1304.06(d)); the service renders it with Razor.</summary>
public interface IIncidentReportPage
{
    Task<string> RenderAsync(IncidentReport report);
}
