using PharmacyRx.Core.Audit;

namespace PharmacyRx.Core.Tests.Audit;

public class IncidentReportTests
{
    [Test]
    public void A_name_cannot_forge_a_line_of_the_reports_text()
    {
        var report = new IncidentReport(Guid.NewGuid(), DateTimeOffset.UtcNow, "pharm<script>", "line\nforged", "<b>locked</b>", new DateOnly(2026, 11, 23),
            [new(7, DateTimeOffset.UtcNow, AuditEventTypes.LoginFailed, IncidentCategory.UnauthorizedAccess, "x\u202Ey", "Failure", "<img src=x>", "d")]);

        Assert.That(report.ToText(), Does.Contain("line<U+000A>forged").And.Contain("x<U+202E>y"));
    }
}
