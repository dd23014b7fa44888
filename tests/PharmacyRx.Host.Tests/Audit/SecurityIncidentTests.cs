using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PharmacyRx.Core.Audit;
using PharmacyRx.Host.Api;
using PharmacyRx.Host.Audit;
using PharmacyRx.Host.Compliance;
using PharmacyRx.Host.Tests.Api;
using PharmacyRx.Host.Tests.Compliance;
using PharmacyRx.Host.Tests.Integrity;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Tests.Audit;

/// <summary>
/// 1311.215(c): each flagged auditable event is decided by a person (API, command line), an incident gets a report with a
/// one-business-day deadline until it is marked sent, and compliance and health say when that is not done.
/// </summary>
public class SecurityIncidentTests
{
    private static async Task<IncidentViews.IncidentsView> ListAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<IncidentViews.IncidentsView>("/api/audit/incidents"))!;

    private static async Task FailSignInAsync(PharmacyApi api, string userName, int times)
    {
        using var anonymous = api.CreateClient();
        for (var i = 0; i < times; i++)
        {
            using var login = await anonymous.PostAsJsonAsync("/api/sessions", new SessionApi.LoginRequest(userName, "wrong-password-1"));
            Assert.That(login.StatusCode, Is.Not.EqualTo(HttpStatusCode.OK));
            // Each attempt after the address's wait (LoginThrottle), so each is a password check.
            api.Clock.Advance(TimeSpan.FromSeconds(1 << i));
        }
    }

    private static async Task<HttpResponseMessage> DecideAsync(HttpClient client, IEnumerable<long> sequences, bool incident, string reason, string? action = null) =>
        await client.PostAsJsonAsync("/api/audit/incidents/decisions", new AuditApi.DecisionRequest([.. sequences], incident, reason, action));

    [Test]
    [Property("Rule", "1311.215(c)")]
    public async Task Failed_sign_ins_are_decided_together_as_not_an_incident_over_the_API_and_audited()
    {
        await using var api = await PharmacyApi.CreateAsync();
        var admin = await api.SignedInAsync("admin", api.AdminPassword);
        await FailSignInAsync(api, "mallory", 3);

        var failed = (await ListAsync(admin)).Events.Where(e => e.Type == AuditEventTypes.LoginFailed && e.State == "Undecided").Select(e => e.Sequence).ToArray();
        using var decided = await DecideAsync(admin, failed, incident: false, "a mistyped user name from the front counter");
        var after = await ListAsync(admin);

        Assert.That(failed, Has.Length.EqualTo(3));
        Assert.That(decided.StatusCode, Is.EqualTo(HttpStatusCode.OK), await decided.Content.ReadAsStringAsync());
        Assert.That(after.Events.Where(e => failed.Contains(e.Sequence)).Select(e => e.State), Is.All.EqualTo(nameof(IncidentVerdict.NotIncident)));
        Assert.That(after.Events.Where(e => failed.Contains(e.Sequence)).Select(e => e.DecisionId).Distinct().Count(), Is.EqualTo(1), "one decision covers them");
        Assert.That(after.Incidents, Is.Empty);
        var audited = new List<AuditEvent>();
        await foreach (var stored in api.Services.GetRequiredService<AuditLog>().ReadAllAsync(CancellationToken.None))
        {
            if (stored.Event.Type == AuditEventTypes.IncidentDecided)
            {
                audited.Add(stored.Event);
            }
        }
        Assert.That(audited.Single().Actor, Is.EqualTo("admin"));
        Assert.That(audited.Single().Details, Does.Contain("verdict=NotIncident").And.Contain($"sequences={failed[0]}-{failed[^1]}"));

        using var again = await DecideAsync(admin, failed, incident: true, "changed my mind", "nothing");
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "a decided event is not decided again");
        using var noReason = await DecideAsync(admin, [after.Events.First(e => e.State == "Undecided").Sequence], incident: false, " ");
        Assert.That(noReason.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "a decision has a reason");
    }

    [Test]
    [Property("Rule", "1311.215(c)")]
    public async Task An_incident_decided_over_the_API_has_a_report_in_text_and_HTML_and_a_deadline_until_it_is_marked_sent()
    {
        await using var api = await PharmacyApi.CreateAsync();
        var admin = await api.SignedInAsync("admin", api.AdminPassword);
        await FailSignInAsync(api, "admin2", 2);
        var failed = (await ListAsync(admin)).Events.Where(e => e.Type == AuditEventTypes.LoginFailed).ToArray();

        using var decided = await DecideAsync(admin, failed.Select(e => e.Sequence), incident: true,
            "password guessing against an administrator's name <from outside>", "blocked the address at the firewall; admin password changed");
        var id = (await decided.Content.ReadFromJsonAsync<AuditApi.DecisionResponse>())!.DecisionId;
        var text = await admin.GetStringAsync($"/api/audit/incidents/{id:D}/report?format=txt");
        using var html = await admin.GetAsync($"/api/audit/incidents/{id:D}/report?format=html");
        var page = await html.Content.ReadAsStringAsync();
        var open = (await ListAsync(admin)).Incidents.Single();

        Assert.That(decided.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var due = ReportingDeadline.DueDay(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(api.Clock.GetUtcNow(), TimeZoneInfo.Local).Date));
        Assert.That(text, Does.Contain($"Incident: {id:D}")
            .And.Contain("What happened: Attempted unauthorized access (1311.215(a)(1))")
            .And.Contain("by admin")
            .And.Contain("What was done: blocked the address at the firewall; admin password changed")
            .And.Contain("Records affected: admin2")
            .And.Contain($"by the end of {due:yyyy-MM-dd}")
            .And.Contain($"#{failed[0].Sequence} "));
        Assert.That(page, Does.Contain("&lt;from outside&gt;").And.Not.Contain("<from outside>").And.Contain("@media print"));
        Assert.That(html.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"));
        Assert.That(html.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain(IncidentReport.StyleHash).And.Contain("sandbox").And.Not.Contain("script-src"));
        Assert.That((open.DecisionId, open.DueDay, open.Overdue, open.ReportedAt), Is.EqualTo((id, due, false, (DateTimeOffset?)null)));

        using var sent = await admin.PostAsJsonAsync($"/api/audit/incidents/{id:D}/reported", new AuditApi.ReportedRequest("DEA Diversion field office, by fax", null));
        using var twice = await admin.PostAsJsonAsync($"/api/audit/incidents/{id:D}/reported", new AuditApi.ReportedRequest("again", null));
        var reported = (await ListAsync(admin)).Incidents.Single();

        Assert.That(sent.StatusCode, Is.EqualTo(HttpStatusCode.OK), await sent.Content.ReadAsStringAsync());
        Assert.That(twice.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((reported.ReportedTo, reported.ReportedAt), Is.EqualTo(("DEA Diversion field office, by fax", (DateTimeOffset?)api.Clock.GetUtcNow())));
        Assert.That((await ListAsync(admin)).Events.Where(e => e.Type == AuditEventTypes.LoginFailed).Select(e => e.State), Is.All.EqualTo(nameof(IncidentVerdict.Reported)));
    }

    [Test]
    [Property("Rule", "1311.215(c)")]
    public async Task The_command_line_lists_decides_prints_the_report_and_marks_it_sent()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var added = await pharmacy.RunAsync("users", "add", "tech1", "--full-name", "Synthetic tech1", "--initials", "TE", "--role", "Technician");
        Assert.That(added.ExitCode, Is.Zero, added.Error);

        var listed = await pharmacy.RunAsync("audit", "incidents", "list");
        var undecided = JsonDocument.Parse(listed.Output).RootElement.GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("state").GetString() == "Undecided").Select(e => e.GetProperty("sequence").GetInt64()).ToArray();
        var notIncident = await pharmacy.RunAsync("audit", "incidents", "decide", "--events", string.Join(',', undecided.Skip(1)), "--reason", "set up at installation");
        var incident = await pharmacy.RunAsync("audit", "incidents", "decide", "--events", undecided[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--incident", "--reason", "made by someone who should not have", "--action", "account disabled");
        var id = incident.JsonLines.Single().GetProperty("decisionId").GetString()!;
        var report = await pharmacy.RunAsync("audit", "incidents", "report", id);
        var html = await pharmacy.RunAsync("audit", "incidents", "report", id, "--format", "html");
        var sent = await pharmacy.RunAsync("audit", "incidents", "reported", id, "--to", "DEA and the application provider");
        var after = JsonDocument.Parse((await pharmacy.RunAsync("audit", "incidents", "list")).Output).RootElement;

        Assert.That(listed.ExitCode, Is.Zero, listed.Error);
        Assert.That(undecided, Has.Length.GreaterThanOrEqualTo(2), "the administrator and tech1 created: access-control changes to decide");
        Assert.That((notIncident.ExitCode, incident.ExitCode, report.ExitCode, html.ExitCode, sent.ExitCode), Is.EqualTo((0, 0, 0, 0, 0)), notIncident.Error + incident.Error + sent.Error);
        Assert.That(report.Output, Does.Contain("What was done: account disabled").And.Contain($"by cli:{Environment.UserName}"));
        Assert.That(html.Output, Does.StartWith("<!DOCTYPE html>"));
        Assert.That(after.GetProperty("undecided").GetInt32(), Is.Zero);
        Assert.That(after.GetProperty("incidents")[0].GetProperty("reportedTo").GetString(), Is.EqualTo("DEA and the application provider"));
    }

    [Test]
    [Property("Rule", "1311.215(c)")]
    public async Task Compliance_fails_with_an_event_undecided_for_more_than_a_day_and_passes_once_it_is_decided()
    {
        await using var pharmacy = await CompliancePharmacy.CreateAsync();
        var store = pharmacy.Get<IncidentStore>();

        var fresh = Paragraph(await pharmacy.ReportAsync());
        pharmacy.Clock.Advance(TimeSpan.FromHours(25));
        var late = Paragraph(await pharmacy.ReportAsync());
        var undecided = (await store.ReadAsync(CancellationToken.None)).Undecided.Select(e => e.Sequence).ToArray();
        var decided = await store.DecideAsync(undecided, incident: false, "the installation's own access-control set-up", null, "auditor", CancellationToken.None);
        var after = Paragraph(await pharmacy.ReportAsync());

        Assert.That(fresh.Status, Is.EqualTo(ComplianceStatus.Pass), fresh.Evidence[0].Detail);
        Assert.That(late.Status, Is.EqualTo(ComplianceStatus.Fail));
        Assert.That(late.Evidence[0].Detail, Does.Contain($"{undecided.Length} flagged event(s) undecided for more than a day"));
        Assert.That(decided.Problem, Is.Null);
        Assert.That(after.Status, Is.EqualTo(ComplianceStatus.Pass), after.Evidence[0].Detail);
    }

    [Test]
    [Property("Rule", "1311.215(c)")]
    public async Task An_incident_decided_on_a_Friday_is_due_on_Monday_and_fails_compliance_from_Tuesday()
    {
        await using var pharmacy = await CompliancePharmacy.CreateAsync();
        var store = pharmacy.Get<IncidentStore>();
        var local = TimeZoneInfo.Local;
        var friday = DateOnly.FromDateTime(DateTime.Today.AddDays(7));
        while (friday.DayOfWeek != DayOfWeek.Friday)
        {
            friday = friday.AddDays(1);
        }
        DateTimeOffset At(DateOnly day, int hour, int minute = 0)
        {
            var time = day.ToDateTime(new TimeOnly(hour, minute));
            return new DateTimeOffset(time, local.GetUtcOffset(time));
        }
        pharmacy.Clock.Advance(At(friday, 16) - pharmacy.Clock.GetUtcNow());
        var undecided = (await store.ReadAsync(CancellationToken.None)).Undecided.Select(e => e.Sequence).ToArray();
        var decided = await store.DecideAsync(undecided, incident: true, "an account created by someone unknown", "account disabled", "auditor", CancellationToken.None);

        pharmacy.Clock.Advance(At(friday.AddDays(3), 23, 30) - pharmacy.Clock.GetUtcNow());
        var monday = Paragraph(await pharmacy.ReportAsync());
        pharmacy.Clock.Advance(At(friday.AddDays(4), 0, 30) - pharmacy.Clock.GetUtcNow());
        var tuesday = Paragraph(await pharmacy.ReportAsync());
        var sent = await store.MarkReportedAsync(decided.DecisionId!.Value, "DEA", null, "auditor", CancellationToken.None);
        var afterSending = Paragraph(await pharmacy.ReportAsync());

        Assert.That(monday.Status, Is.EqualTo(ComplianceStatus.Pass), monday.Evidence[0].Detail);
        Assert.That(monday.Evidence[0].Detail, Does.Contain($"due by the end of {friday.AddDays(3):yyyy-MM-dd}"));
        Assert.That(tuesday.Status, Is.EqualTo(ComplianceStatus.Fail));
        Assert.That(tuesday.Evidence[0].Detail, Does.Contain($"was due to the DEA by the end of {friday.AddDays(3):yyyy-MM-dd} and is not marked sent"));
        Assert.That((sent.Problem, afterSending.Status), Is.EqualTo(((string?)null, ComplianceStatus.Pass)));
    }

    [Test]
    [Property("Rule", "1311.215(c)")]
    public async Task An_undecided_chain_intrusion_degrades_readiness_until_it_is_decided()
    {
        await using var api = await PharmacyApi.CreateAsync(new() { ["Health:IncidentsInterval"] = "00:00:00" });
        var admin = await api.SignedInAsync("admin", api.AdminPassword);
        long foreign;
        await using (var intruder = new Intruder(api.Pharmacy.Data.DatabasePath))
        {
            foreign = await intruder.AppendAsync(new AuditEvent(DateTimeOffset.UtcNow, AuditEventTypes.PrescriptionCancelled, "system:http", AuditOutcome.Success,
                Guid.NewGuid().ToString("D"), "forged"));
        }
        var database = api.Services.GetRequiredService<Database>();
        var recorded = await ChainIntrusions.RecordAsync(database, api.Services.GetRequiredService<AuditLog>(), database.ChainKeys!, api.Clock.GetUtcNow(), CancellationToken.None);

        var degraded = await SecurityIncidentsHealthAsync(admin);
        var intrusion = (await ListAsync(admin)).Events.Single(e => e.Type == AuditEventTypes.ChainIntrusion);
        using var decided = await DecideAsync(admin, [intrusion.Sequence], incident: true, "an event written into the database file", "data folder access revoked; restored from backup");
        var healthy = await SecurityIncidentsHealthAsync(admin);

        Assert.That(recorded, Is.EqualTo(new[] { foreign }));
        Assert.That(degraded.GetProperty("status").GetString(), Is.EqualTo("Degraded"));
        Assert.That(degraded.GetProperty("description").GetString(), Does.Contain($"1 audit-trail intrusion(s) undecided (#{intrusion.Sequence})"));
        Assert.That((await ListAsync(admin)).Events.Select(e => e.Sequence), Does.Not.Contain(foreign), "the forged event itself is not the service's");
        Assert.That(decided.StatusCode, Is.EqualTo(HttpStatusCode.OK), await decided.Content.ReadAsStringAsync());
        Assert.That(healthy.GetProperty("status").GetString(), Is.EqualTo("Healthy"), healthy.GetProperty("description").GetString());
    }

    [Test]
    [Property("Rule", "1311.215(c)")]
    public async Task A_decision_row_planted_in_the_database_file_decides_nothing()
    {
        await using var api = await PharmacyApi.CreateAsync();
        var admin = await api.SignedInAsync("admin", api.AdminPassword);
        var target = (await ListAsync(admin)).Events.First(e => e.State == "Undecided").Sequence;

        await using (var intruder = new Intruder(api.Pharmacy.Data.DatabasePath))
        {
            await intruder.ExecuteAsync("""
                INSERT INTO incident_decisions (decision_id, audit_sequence, verdict, reason, action_taken, reported_to, reported_at, decided_at, decided_by)
                VALUES (@Id, @Sequence, 'NotIncident', 'nothing to see', NULL, NULL, NULL, '2026-01-01T00:00:00.0000000Z', 'admin')
                """, new { Id = Guid.NewGuid().ToString("D"), Sequence = target });
            var planted = await intruder.ScalarAsync<long>("SELECT MAX(id) FROM incident_decisions");
            // Recorded as covered the way the service records rows, with the public chain hash: no MAC.
            await intruder.CoverAsync("incident_decisions", planted.ToString(System.Globalization.CultureInfo.InvariantCulture), $"id = {planted}");
        }
        var after = await ListAsync(admin);

        Assert.That(after.Events.Single(e => e.Sequence == target).State, Is.EqualTo("Undecided"));
    }

    private static ParagraphReport Paragraph(ComplianceReport report) => report.Paragraphs.Single(p => p.Paragraph == "1311.215(c)");

    private static async Task<JsonElement> SecurityIncidentsHealthAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/health/ready")).GetProperty("checks").GetProperty("securityIncidents");
}
