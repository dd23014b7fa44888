using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PharmacyRx.Core.Audit;
using PharmacyRx.Host.Api;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>Only a sender with its own key may submit, and its key does nothing else. Real HTTP on loopback.</summary>
public class SenderAuthenticationTests
{
    [Test]
    public async Task Refuses_a_post_without_a_sender_key_and_audits_it_once_per_window()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await using var service = await RunningService.StartAsync(pharmacy);
        using var http = service.Client();

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await http.PostAsync("/api/inbound", Xml(new SyntheticNewRx { MessageId = $"ANON-{i}" }.ToBytes()));
            answers.Add(response.StatusCode);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        }

        Assert.That(answers, Is.All.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await service.Services.GetRequiredService<ArchiveQueries>().CountAsync(CancellationToken.None), Is.Zero);
        await service.Services.GetRequiredService<Host.Access.AnonymousRefusals>().FlushAsync(all: true);
        var refusals = (await AuditAsync(service)).Where(e => e.Type == AuditEventTypes.UnauthorizedAccessAttempt).ToList();
        Assert.That(refusals, Has.Count.EqualTo(1), "once per window and address group, with the count, not per request");
        Assert.That(refusals[0].Details, Does.Contain("POST /api/inbound").And.Contain("group=127.0.0.0/24; refused=3; answered401=3"));
    }

    [Test]
    public async Task Refuses_a_wrong_or_disabled_sender_key_and_never_records_the_key()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var key = await pharmacy.AddSenderAsync("gateway");
        var disabled = await pharmacy.RunAsync("senders", "disable", "gateway");
        await using var service = await RunningService.StartAsync(pharmacy);

        using var withDisabled = service.Client(key);
        using var disabledAnswer = await withDisabled.PostAsync("/api/inbound", Xml(new SyntheticNewRx { MessageId = "DIS-1" }.ToBytes()));
        using var withWrong = service.Client(key[..^4] + "AAAA");
        using var wrongAnswer = await withWrong.PostAsync("/api/inbound", Xml(new SyntheticNewRx { MessageId = "WRONG-1" }.ToBytes()));

        Assert.That(disabled.ExitCode, Is.Zero, disabled.Error);
        Assert.That(disabledAnswer.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(wrongAnswer.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var audit = await AuditAsync(service);
        Assert.That(audit.Select(e => e.Type), Does.Contain(AuditEventTypes.SenderAdded).And.Contain(AuditEventTypes.SenderDisabled));
        Assert.That(audit.Select(e => e.Details + e.Target + e.Actor), Has.None.Contains(key[SenderKeyPrefixLength..]));
    }

    [Test]
    public async Task A_sender_re_enabled_or_given_another_key_with_sqlite3_is_refused_by_the_running_service_and_named_by_verify()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var disabledKey = await pharmacy.AddSenderAsync("gateway");
        Assert.That((await pharmacy.RunAsync("senders", "disable", "gateway")).ExitCode, Is.Zero);
        await pharmacy.AddSenderAsync("hospital");
        const string plantedKey = "prx_sender_intruder-made-key-0000000000000000000000000";
        var plantedHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(plantedKey)));
        await pharmacy.TamperAsync($"""
            DROP TRIGGER senders_only_disable;
            UPDATE senders SET disabled_at = NULL WHERE sender_name = 'gateway';
            UPDATE senders SET key_sha256 = '{plantedHash}' WHERE sender_name = 'hospital';
            """);
        await using var service = await RunningService.StartAsync(pharmacy);

        using var reEnabled = service.Client(disabledKey);
        using var reEnabledAnswer = await reEnabled.PostAsync("/api/inbound", Xml(new SyntheticNewRx { MessageId = "REENABLED-1" }.ToBytes()));
        using var planted = service.Client(plantedKey);
        using var plantedAnswer = await planted.PostAsync("/api/inbound", Xml(new SyntheticNewRx { MessageId = "PLANTED-1" }.ToBytes()));
        var verify = await pharmacy.RunAsync("verify");

        Assert.That(reEnabledAnswer.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a sender row the chain does not hold authenticates nobody");
        Assert.That(plantedAnswer.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await service.Services.GetRequiredService<ArchiveQueries>().CountAsync(CancellationToken.None), Is.Zero);
        Assert.That(verify.ExitCode, Is.Not.Zero);
        Assert.That(verify.Output, Does.Contain("table senders row gateway").And.Contain("table senders row hospital"));
    }

    [Test]
    public async Task A_sender_key_works_on_no_other_route_and_a_user_key_not_on_the_inbound_door()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var senderKey = await pharmacy.AddSenderAsync("gateway");
        Assert.That((await pharmacy.RunAsync("users", "add", "export-script", "--service", "--full-name", "Synthetic Export", "--initials", "EX", "--role", "Inspector")).ExitCode, Is.Zero);
        var userKey = (await pharmacy.RunAsync("users", "api-key", "export-script")).JsonLines[0].GetProperty("apiKey").GetString()!;
        await using var service = await RunningService.StartAsync(pharmacy);

        using var asSender = service.Client(senderKey);
        using var read = await asSender.GetAsync("/api/prescriptions");
        using var asUser = service.Client(userKey);
        using var submit = await asUser.PostAsync("/api/inbound", Xml(new SyntheticNewRx { MessageId = "USERKEY-1" }.ToBytes()));
        using var userRead = await asUser.GetAsync("/api/prescriptions");

        Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(submit.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(userRead.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the user's key still works where it should");
    }

    [Test]
    public async Task The_archive_and_the_audit_trail_name_the_sender()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var key = await pharmacy.AddSenderAsync("gateway");
        await using var service = await RunningService.StartAsync(pharmacy);
        using var http = service.Client(key);

        using var response = await http.PostAsync("/api/inbound", Xml(new SyntheticNewRx { MessageId = "NAMED-1" }.ToBytes()));

        var created = await response.Content.ReadFromJsonAsync<InboundApi.InboundResponse>();
        var record = await service.Services.GetRequiredService<ArchiveQueries>().FindAsync("NAMED-1", CancellationToken.None);
        Assert.That(record!.Source, Is.EqualTo("http:gateway"));
        var received = (await AuditAsync(service)).Single(e => e.Type == AuditEventTypes.PrescriptionReceived);
        Assert.That(received.Actor, Is.EqualTo("sender:gateway"));
        Assert.That(received.Target, Is.EqualTo(created!.ReceiptId.ToString("D")));
    }

    [Test]
    public async Task A_message_whose_From_is_not_the_senders_bound_identifier_is_archived_for_review()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var key = await pharmacy.AddSenderAsync("gateway", "--from", "6666666");
        await using var service = await RunningService.StartAsync(pharmacy);
        using var http = service.Client(key);

        using var own = await http.PostAsync("/api/inbound", Xml(new SyntheticNewRx { MessageId = "FROM-1" }.ToBytes()));
        using var other = await http.PostAsync("/api/inbound", Xml(new SyntheticNewRx { MessageId = "FROM-2", From = "9999999" }.ToBytes()));

        var ownOutcome = await own.Content.ReadFromJsonAsync<InboundApi.InboundResponse>();
        var otherOutcome = await other.Content.ReadFromJsonAsync<InboundApi.InboundResponse>();
        Assert.That(ownOutcome!.Status, Is.EqualTo("ReceiptSigned"));
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.Created), "still archived");
        Assert.That(otherOutcome!.Status, Is.EqualTo("NeedsPharmacistReview"));
        Assert.That(otherOutcome.ReasonCode, Is.EqualTo("FromMismatch"));
        Assert.That(otherOutcome.Reason, Does.Contain("Header/From"));
        var verify = await pharmacy.RunAsync("verify");
        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
    }

    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task Senders_add_requires_a_From_binding_or_an_explicit_any_from()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();

        var unsaid = await pharmacy.RunAsync("senders", "add", "gateway");
        var both = await pharmacy.RunAsync("senders", "add", "gateway", "--from", "GW-1", "--any-from");
        var bound = await pharmacy.RunAsync("senders", "add", "gateway", "--from", "GW-1");
        var taken = await pharmacy.RunAsync("senders", "add", "copycat", "--from", "GW-1");
        var relay = await pharmacy.RunAsync("senders", "add", "relay", "--any-from");

        Assert.That((unsaid.ExitCode, unsaid.Error), Is.EqualTo((2, "error: name the Header/From identifier this sender's messages carry (--from ID), or allow any explicitly (--any-from)\n")));
        Assert.That(both.ExitCode, Is.EqualTo(2));
        Assert.That(bound.ExitCode, Is.Zero, bound.Error);
        Assert.That((taken.ExitCode, taken.Error), Is.EqualTo((1, "error: Header/From GW-1 is bound to sender gateway already\n")));
        Assert.That(relay.ExitCode, Is.Zero, relay.Error);
        var list = (await pharmacy.RunAsync("senders", "list")).JsonLines;
        Assert.That(list.Select(s => (s.GetProperty("senderName").GetString(), s.GetProperty("fromId").ValueKind == JsonValueKind.Null)),
            Is.EqualTo(new[] { ("gateway", false), ("relay", true) }));
    }

    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task A_message_claiming_another_senders_bound_From_goes_to_review_naming_both_at_every_door()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var gateway = await pharmacy.AddSenderAsync("gateway", "--from", "6666666");
        var relay = await pharmacy.AddSenderAsync("relay", "--any-from");
        var other = await pharmacy.AddSenderAsync("other", "--from", "7777777");
        var ingested = await pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "CLAIM-CLI" });
        await using var service = await RunningService.StartAsync(pharmacy);

        async Task<InboundApi.InboundResponse> PostAsync(string key, string messageId)
        {
            using var http = service.Client(key);
            using var response = await http.PostAsync("/api/inbound", Xml(new SyntheticNewRx { MessageId = messageId }.ToBytes()));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), "still archived");
            return (await response.Content.ReadFromJsonAsync<InboundApi.InboundResponse>())!;
        }

        var own = await PostAsync(gateway, "CLAIM-OWN");
        var byRelay = await PostAsync(relay, "CLAIM-RELAY");
        var byOther = await PostAsync(other, "CLAIM-OTHER");

        Assert.That(own.Status, Is.EqualTo("ReceiptSigned"));
        foreach (var (outcome, sender) in new[] { (byRelay, "relay"), (byOther, "other") })
        {
            Assert.That((outcome.Status, outcome.ReasonCode), Is.EqualTo(("NeedsPharmacistReview", "FromMismatch")), sender);
            Assert.That(outcome.Reason, Does.Contain("sender gateway is bound to").And.Contain($"came from http:{sender}"));
        }
        var cli = ingested.JsonLines.Single();
        Assert.That(cli.GetProperty("reasonCode").GetString(), Is.EqualTo("FromMismatch"));
        Assert.That(cli.GetProperty("reason").GetString(), Does.Contain("sender gateway is bound to").And.Contain("came from cli"));
    }

    [Test]
    public async Task Senders_add_prints_one_json_line_and_list_shows_the_binding_but_no_key()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();

        var added = await pharmacy.RunAsync("senders", "add", "surescripts-gw", "--from", "GW-1");
        var again = await pharmacy.RunAsync("senders", "add", "surescripts-gw");
        var list = await pharmacy.RunAsync("senders", "list");

        Assert.That(added.ExitCode, Is.Zero, added.Error);
        var line = added.JsonLines.Single();
        Assert.That(line.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "sender", "apiKey" }));
        Assert.That(line.GetProperty("sender").GetString(), Is.EqualTo("surescripts-gw"));
        Assert.That(again.ExitCode, Is.Not.Zero);
        Assert.That(list.JsonLines.Single().GetProperty("fromId").GetString(), Is.EqualTo("GW-1"));
        Assert.That(list.Output, Does.Not.Contain(line.GetProperty("apiKey").GetString()!));
    }

    private const int SenderKeyPrefixLength = 11;

    private static async Task<List<AuditEvent>> AuditAsync(RunningService service) =>
        (await service.Services.GetRequiredService<AuditLog>().ReadAllAsync(CancellationToken.None).ToListAsync()).Select(e => e.Event).ToList();

    internal static ByteArrayContent Xml(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/xml");
        return content;
    }
}
