using PharmacyRx.Core.Audit;

namespace PharmacyRx.Core.Tests.Audit;

public class IncidentReportTests
{
    [Test]
    public void The_report_encodes_every_value_and_a_name_cannot_forge_a_line_of_its_text()
    {
        var report = new IncidentReport(Guid.NewGuid(), DateTimeOffset.UtcNow, "pharm<script>", "line\nforged", "<b>locked</b>", new DateOnly(2026, 11, 23),
            [new(7, DateTimeOffset.UtcNow, AuditEventTypes.LoginFailed, IncidentCategory.UnauthorizedAccess, "x\u202Ey", "Failure", "<img src=x>", "d")]);

        Assert.That(report.ToHtml(), Does.Not.Contain("<script>").And.Not.Contain("<img").And.Not.Contain("<b>").And.Contain("&lt;img src=x&gt;"));
        Assert.That(report.ToText(), Does.Contain("line<U+000A>forged").And.Contain("x<U+202E>y"));
    }
}
