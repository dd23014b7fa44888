using System.Net;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Storage.Tests.Audit;

/// <summary>The report's text as its page: the storage suite checks what is kept, the service's tests the Razor page.</summary>
internal sealed class TextReportPage : IIncidentReportPage
{
    public Task<string> RenderAsync(IncidentReport report) => Task.FromResult($"<pre>{WebUtility.HtmlEncode(report.ToText())}</pre>");
}
