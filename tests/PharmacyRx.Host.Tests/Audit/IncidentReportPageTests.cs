using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using PharmacyRx.Core.Audit;
using PharmacyRx.Host.Audit;

namespace PharmacyRx.Host.Tests.Audit;

public class IncidentReportPageTests
{
    [Test]
    public async Task The_page_encodes_every_value_and_its_style_is_the_one_its_policy_allows()
    {
        var chicago = TimeZoneInfo.FindSystemTimeZoneById("America/Chicago");
        var report = new IncidentReport(Guid.NewGuid(), new DateTimeOffset(2026, 12, 3, 20, 0, 0, TimeSpan.FromHours(-6)), "pharm<script>", "line\nforged",
            "<b>locked</b>", new DateOnly(2026, 12, 4),
            [new(7, new DateTimeOffset(2026, 12, 3, 19, 55, 0, TimeSpan.FromHours(-6)), AuditEventTypes.LoginFailed, IncidentCategory.UnauthorizedAccess, "x", "Failure",
                "<img src=x>", "d")]) { Zone = chicago };

        var html = await new IncidentReportPage().RenderAsync(report);

        var style = Regex.Match(html, "<style>(.*?)</style>").Groups[1].Value;
        Assert.Multiple(() =>
        {
            Assert.That(html, Does.StartWith("<!DOCTYPE html>").And.Not.Contain("<script>").And.Not.Contain("<img").And.Not.Contain("<b>")
                .And.Contain("&lt;img src=x&gt;"));
            Assert.That(html, Does.Contain("2026-12-03 20:00:00 -06:00").And.Contain("by the end of 2026-12-04"));
            Assert.That($"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(style)))}'", Is.EqualTo(IncidentReport.StyleHash),
                "the report is served with a policy that allows its style sheet by hash (IncidentViews.ReportPolicy)");
        });
    }
}
