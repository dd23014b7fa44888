using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Tests.Api;
using PharmacyRx.Host.Tests.Verification;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Receiving;

/// <summary>
/// The answers a pharmacy receives, through the pipeline over real HTTP on loopback (docs/transactions.md): an approved
/// renewal or change is a prescription on NewRx's rules, an approved change replaces the original in the same
/// transaction, a validated change and the acknowledgements are linked to the prescription they concern and shown as its
/// conversation, and a sender that asks for XML gets the SCRIPT Status or Error back.
/// </summary>
public class AnswerTransactionsTests
{
    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private sealed class Pharmacy : IAsyncDisposable
    {
        private Pharmacy(LoopbackPharmacy loopback, HttpClient sender, HttpClient pharmacist, HttpClient admin)
        {
            Loopback = loopback;
            Sender = sender;
            Pharmacist = pharmacist;
            Admin = admin;
        }

        public LoopbackPharmacy Loopback { get; }
        public HttpClient Sender { get; }
        public HttpClient Pharmacist { get; }
        public HttpClient Admin { get; }

        public static async Task<Pharmacy> StartAsync()
        {
            var loopback = await LoopbackPharmacy.StartAsync();
            var key = await loopback.Pharmacy.AddSenderAsync("gateway");
            var admin = await loopback.SignedInAsync("admin");
            using (await loopback.CreateUserAsync(admin, "pharm1", DefaultRoles.Pharmacist))
            {
            }
            return new Pharmacy(loopback, loopback.Service.Client(key), await loopback.SignedInAsync("pharm1"), admin);
        }

        public async Task<JsonElement> PostAsync(SyntheticNewRx message) => await PostAsync(message.ToBytes());

        public async Task<JsonElement> PostAsync(byte[] bytes)
        {
            using var posted = await Sender.PostAsync("/api/inbound", SenderAuthenticationTests.Xml(bytes));
            return await PrescriptionApiTests.JsonAsync(posted);
        }

        public async Task<JsonElement> ViewAsync(JsonElement outcome) =>
            await PrescriptionApiTests.JsonAsync(await Pharmacist.GetAsync($"/api/prescriptions/{outcome.GetProperty("receiptId").GetGuid()}"));

        public async Task<HttpStatusCode> DispenseAsync(JsonElement outcome, decimal quantity) => (await TryDispenseAsync(outcome, quantity)).Status;

        /// <summary>A dispensing as the API answers it: the status, and for a refusal its code and reason.</summary>
        public async Task<(HttpStatusCode Status, string? Code, string? Reason)> TryDispenseAsync(JsonElement outcome, decimal quantity)
        {
            using var dispensed = await Pharmacist.PostAsJsonAsync($"/api/prescriptions/{outcome.GetProperty("receiptId").GetGuid()}/dispensings",
                new { quantity, dateDispensed = Today, dispenser = "SP" });
            if (dispensed.IsSuccessStatusCode)
            {
                return (dispensed.StatusCode, null, null);
            }
            var problem = await dispensed.Content.ReadFromJsonAsync<JsonElement>();
            return (dispensed.StatusCode, problem.TryGetProperty("code", out var code) ? code.GetString() : null,
                problem.TryGetProperty("detail", out var detail) ? detail.GetString() : null);
        }

        public async ValueTask DisposeAsync()
        {
            Sender.Dispose();
            Pharmacist.Dispose();
            Admin.Dispose();
            await Loopback.DisposeAsync();
        }
    }

    private static string[] Conversation(JsonElement view) =>
        view.GetProperty("conversation").EnumerateArray().Select(c => $"{c.GetProperty("transaction").GetString()}: {c.GetProperty("relation").GetString()}").ToArray();

    [Test]
    [Property("Rule", "1311.205(b)(6)")]
    public async Task A_renewal_approved_for_a_CIV_is_dispensable_with_its_refills_and_linked_to_the_original()
    {
        await using var pharmacy = await Pharmacy.StartAsync();
        var civ = new SyntheticNewRx { ScheduleCode = "C48677", DrugDescription = "Alprazolam 0.5 MG Oral Tablet", Refills = "0", Quantity = "30" };
        var original = await pharmacy.PostAsync(civ with { MessageId = "CIV-1", PrescriberOrderNumber = "ORD-CIV" });

        var renewal = await pharmacy.PostAsync(civ with
        {
            Transaction = "RxRenewalResponse", Response = "Approved", MessageId = "CIV-RENEW-1", RelatesToMessageId = "PHARMACY-RENEWAL-REQUEST-1",
            PrescriberOrderNumber = "ORD-CIV", Refills = "2",
        });
        var renewed = await pharmacy.ViewAsync(renewal);
        var originalView = await pharmacy.ViewAsync(original);
        var fills = new[] { await pharmacy.DispenseAsync(renewal, 30), await pharmacy.DispenseAsync(renewal, 30), await pharmacy.DispenseAsync(renewal, 30) };

        Assert.That(renewal.GetProperty("status").GetString(), Is.EqualTo("ReceiptSigned"));
        Assert.That(renewed.GetProperty("transactionName").GetString(), Is.EqualTo("RxRenewalResponse (Approved)"));
        Assert.That(renewed.GetProperty("dispensable").GetBoolean(), Is.True);
        Assert.That(renewed.GetProperty("prescriptionNumber").GetInt64(), Is.Positive, "a prescription with its own number, found by search");
        Assert.That(originalView.GetProperty("dispensable").GetBoolean(), Is.True, "a renewal adds a prescription; it replaces nothing");
        Assert.That(Conversation(originalView), Is.EqualTo(new[] { "RxRenewalResponse (Approved): same prescriber order number or answers this message" }));
        Assert.That(Conversation(renewed).Single(), Does.StartWith("NewRx"));
        Assert.That(fills, Is.EqualTo(new[] { HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created }), "the fill and its two refills");
        var found = await PrescriptionApiTests.JsonAsync(await pharmacy.Pharmacist.GetAsync("/api/prescriptions?drug=ALPRAZ"));
        Assert.That(found.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("transactionKind").GetString()),
            Is.EquivalentTo(new[] { "NewRx", "RxRenewalResponse" }));
    }

    [Test]
    [Property("Rule", "1311.205(b)(10)")]
    public async Task A_change_approved_for_a_CII_replaces_the_original_which_is_then_refused_and_says_by_what()
    {
        await using var pharmacy = await Pharmacy.StartAsync();
        var original = await pharmacy.PostAsync(new SyntheticNewRx { MessageId = "CII-1", PrescriberOrderNumber = "ORD-CII", Quantity = "20" });

        // The change names two refills: by its own terms 20 × (1 + 2) = 60 may be dispensed, so a refill of 20 after the
        // full first fill is refused by 1306.12(a) alone, not by running out of quantity.
        var change = await pharmacy.PostAsync(new SyntheticNewRx
        {
            Transaction = "RxChangeResponse", Response = "ApprovedWithChanges", MessageId = "CII-CHANGE-1", RelatesToMessageId = "PHARMACY-CHANGE-REQUEST-1",
            PrescriberOrderNumber = "ORD-CII", Quantity = "20", Refills = "2",
        });
        var originalView = await pharmacy.ViewAsync(original);
        var changed = await pharmacy.ViewAsync(change);
        var originalFill = await pharmacy.DispenseAsync(original, 20);
        var changeFill = await pharmacy.DispenseAsync(change, 20);
        var refill = await pharmacy.TryDispenseAsync(change, 20);

        Assert.That(change.GetProperty("status").GetString(), Is.EqualTo("ReceiptSigned"));
        Assert.That(originalView.GetProperty("dispensable").GetBoolean(), Is.False);
        Assert.That(originalView.GetProperty("cancelledByReceiptId").GetString(), Is.EqualTo(change.GetProperty("receiptId").GetGuid().ToString("D")));
        Assert.That(originalView.GetProperty("cancelledByTransaction").GetString(), Is.EqualTo("RxChangeResponse (ApprovedWithChanges)"));
        Assert.That(Conversation(originalView), Is.EqualTo(new[] { "RxChangeResponse (ApprovedWithChanges): replaces this prescription" }));
        Assert.That(Conversation(changed), Is.EqualTo(new[] { "NewRx: the prescription this replaces" }));
        Assert.That(originalFill, Is.Not.EqualTo(HttpStatusCode.Created), "the original is not filled once the change is approved: no double fill");
        Assert.That(changeFill, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(refill.Status, Is.EqualTo(HttpStatusCode.UnprocessableEntity), "1306.12(a): a Schedule II prescription is not refilled, whatever it says");
        Assert.That(refill.Reason, Does.Contain("20 prescribed with 0 refill(s)").And.Contain("(1306.12(a): a Schedule II prescription is not refilled)"),
            "the two refills the change names count for nothing");
        using var page = await pharmacy.Pharmacist.GetAsync($"/prescriptions/{original.GetProperty("receiptId").GetGuid()}");
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("Replaced by the prescriber&#x27;s approved change").Or.Contain("Replaced by the prescriber's approved change"));
    }

    [Test]
    [Property("Rule", "1311.210(c)")]
    [Property("Rule", "1311.205(b)(5)")]
    public async Task A_practitioner_signed_CIV_renewal_and_CII_change_are_VerifiedOnReceipt_and_Invalid_when_altered_after_signing()
    {
        // As PractitionerSignatureTests does for a NewRx: a PKI made in the test, its CRLs served over HTTP on loopback.
        await using var crls = await CrlServer.StartAsync();
        using var pki = new TestPki(DateTimeOffset.UtcNow, crlBaseUrl: crls.Served);
        crls.Files["root.crl"] = pki.Crl(pki.Root, []);
        crls.Files["intermediate.crl"] = pki.Crl(pki.Intermediate, []);
        await using var pharmacy = await VerifyingPharmacy.CreateAsync();
        await pharmacy.TrustAsync(pki.Root);
        var practitioner = pki.IssuePractitioner();
        SyntheticNewRx Signed(SyntheticNewRx message) => message.SignedBy(practitioner, HashAlgorithmName.SHA256, pki.Intermediate);
        var signedAt = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:ss.fZ", CultureInfo.InvariantCulture);
        var renewal = new SyntheticNewRx
        {
            Transaction = "RxRenewalResponse", Response = "Approved", RelatesToMessageId = "PHARMACY-RENEWAL-REQUEST-S", PrescriberOrderNumber = "ORD-SIGNED-CIV",
            ScheduleCode = "C48677", DrugDescription = "Alprazolam 0.5 MG Oral Tablet", Quantity = "30", Refills = "2", SentTime = signedAt,
        };
        var change = new SyntheticNewRx
        {
            Transaction = "RxChangeResponse", Response = "Approved", RelatesToMessageId = "PHARMACY-CHANGE-REQUEST-S", PrescriberOrderNumber = "ORD-SIGNED-CII",
            Quantity = "10", SentTime = signedAt,
        };
        var original = await pharmacy.ReceiveAsync(Signed(new SyntheticNewRx { MessageId = "SIGNED-CII", PrescriberOrderNumber = "ORD-SIGNED-CII", SentTime = signedAt }));

        // Each altered answer is signed as the prescriber sent it, then one signed element is changed on the way.
        var alteredRenewal = await pharmacy.ReceiveAsync(Signed(renewal with { MessageId = "SIGNED-RENEW-ALTERED" }) with { Refills = "5" });
        var alteredChange = await pharmacy.ReceiveAsync(Signed(change with { MessageId = "SIGNED-CHANGE-ALTERED" }) with { Quantity = "100" });
        var originalAfterAlteredChange = await pharmacy.DispensableAsync(original.ReceiptId);
        var verifiedRenewal = await pharmacy.ReceiveAsync(Signed(renewal with { MessageId = "SIGNED-RENEW" }));
        var verifiedChange = await pharmacy.ReceiveAsync(Signed(change with { MessageId = "SIGNED-CHANGE" }));

        Assert.That(original.Status, Is.EqualTo(Core.Receiving.PrescriptionStatus.VerifiedOnReceipt), original.Reason);
        foreach (var (verified, kind) in new[] { (verifiedRenewal, "RxRenewalResponse"), (verifiedChange, "RxChangeResponse") })
        {
            Assert.That(verified.Status, Is.EqualTo(Core.Receiving.PrescriptionStatus.VerifiedOnReceipt), verified.Reason);
            Assert.That((await pharmacy.RecordAsync(verified.ReceiptId)).TransactionKind, Is.EqualTo(kind));
            Assert.That(await pharmacy.DispensableAsync(verified.ReceiptId), Is.True);
        }
        foreach (var altered in new[] { alteredRenewal, alteredChange })
        {
            Assert.That((altered.Status, altered.ReasonCode),
                Is.EqualTo((Core.Receiving.PrescriptionStatus.Invalid, Core.Verification.VerificationVerdict.ContentAltered)));
            Assert.That(altered.Reason, Does.Contain("altered after signing (1306.08(d))"));
            Assert.That(await pharmacy.DispensableAsync(altered.ReceiptId), Is.False);
        }
        Assert.That(originalAfterAlteredChange, Is.True, "a change that fails its signature replaces nothing");
        Assert.That(await pharmacy.DispensableAsync(original.ReceiptId), Is.False, "the verified change replaced it");
    }

    [Test]
    public async Task A_CII_renewal_approval_is_held_to_the_CII_rules_no_refills()
    {
        await using var pharmacy = await Pharmacy.StartAsync();

        var renewal = await pharmacy.PostAsync(new SyntheticNewRx
        {
            Transaction = "RxRenewalResponse", Response = "Replace", MessageId = "CII-RENEW-1", PrescriberOrderNumber = "ORD-CII-R", Refills = "3",
            Version = "2023011", LaterVersionShape = true,
        });
        var first = await pharmacy.DispenseAsync(renewal, 20);
        // By its own terms 20 × (1 + 3) = 80 may be dispensed: only 1306.12(a) refuses a second fill of 20.
        var second = await pharmacy.TryDispenseAsync(renewal, 20);

        Assert.That(renewal.GetProperty("status").GetString(), Is.EqualTo("ReceiptSigned"));
        Assert.That(first, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(second.Status, Is.EqualTo(HttpStatusCode.UnprocessableEntity), "1306.12(a): the three refills it names are not filled");
        Assert.That(second.Reason, Does.Contain("20 prescribed with 0 refill(s)").And.Contain("(1306.12(a): a Schedule II prescription is not refilled)"));
    }

    [Test]
    public async Task A_change_from_another_prescriber_replaces_nothing_and_goes_to_the_pharmacist()
    {
        await using var pharmacy = await Pharmacy.StartAsync();
        var original = await pharmacy.PostAsync(new SyntheticNewRx { MessageId = "CII-2", PrescriberOrderNumber = "ORD-CII-2" });

        var change = await pharmacy.PostAsync(new SyntheticNewRx
        {
            Transaction = "RxChangeResponse", Response = "Approved", MessageId = "CII-CHANGE-2", PrescriberOrderNumber = "ORD-CII-2",
            DeaNumber = "BX9999999", Npi = "1999999999",
        });

        Assert.That((change.GetProperty("status").GetString(), change.GetProperty("reasonCode").GetString()), Is.EqualTo(("NeedsPharmacistReview", "ChangeNotBinding")));
        Assert.That(change.GetProperty("reason").GetString(), Does.Contain("prescriber").And.Contain("the original was not replaced"));
        Assert.That((await pharmacy.ViewAsync(original)).GetProperty("dispensable").GetBoolean(), Is.True);
    }

    [Test]
    public async Task A_validated_change_and_the_acknowledgements_are_linked_and_shown_as_the_conversation_and_make_nothing_dispensable()
    {
        await using var pharmacy = await Pharmacy.StartAsync();
        var original = await pharmacy.PostAsync(new SyntheticNewRx { MessageId = "RX-TALK", PrescriberOrderNumber = "ORD-TALK" });

        var validated = await pharmacy.PostAsync(new SyntheticNewRx
        {
            Transaction = "RxChangeResponse", Response = "Validated", MessageId = "TALK-VALID", RelatesToMessageId = "PHARMACY-AUTH-REQUEST", PrescriberOrderNumber = "ORD-TALK",
        });
        var denied = await pharmacy.PostAsync(new SyntheticNewRx
        {
            Transaction = "RxRenewalResponse", Response = "Denied", MessageId = "TALK-DENIED", PrescriberOrderNumber = "ORD-TALK", Version = "2023011", LaterVersionShape = true,
        });
        var acknowledgements = new List<JsonElement>();
        foreach (var kind in SyntheticTransaction.Kinds)
        {
            acknowledgements.Add(await pharmacy.PostAsync(new SyntheticTransaction(kind) { MessageId = $"TALK-{kind}", RelatesToMessageId = "RX-TALK" }.ToBytes()));
        }
        var originalView = await pharmacy.ViewAsync(original);

        foreach (var answer in (JsonElement[])[validated, denied, .. acknowledgements])
        {
            Assert.That((answer.GetProperty("status").GetString(), answer.GetProperty("reasonCode").GetString()), Is.EqualTo(("ReceiptSigned", "NotAPrescription")));
            var view = await pharmacy.ViewAsync(answer);
            Assert.That(view.GetProperty("dispensable").GetBoolean(), Is.False);
            Assert.That(view.GetProperty("prescriptionNumber").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(view.GetProperty("verificationIndication").GetString(), Does.StartWith("Not a prescription"));
            Assert.That(await pharmacy.DispenseAsync(answer, 1), Is.Not.EqualTo(HttpStatusCode.Created));
        }
        Assert.That(originalView.GetProperty("dispensable").GetBoolean(), Is.True, "a validation confirms the original");
        Assert.That(Conversation(originalView), Is.EqualTo(new[]
        {
            "RxChangeResponse (Validated): validates this prescription",
            "RxRenewalResponse (Denied): same prescriber order number or answers this message",
            "CancelRxResponse (Approved): same prescriber order number or answers this message",
            "Status 010: same prescriber order number or answers this message",
            "Error 900/2000: same prescriber order number or answers this message",
            "Verify 010: same prescriber order number or answers this message",
        }));
    }

    [Test]
    [Property("Rule", "1311.210(a)")]
    public async Task A_sender_that_asks_for_XML_gets_the_SCRIPT_Status_or_Error_which_the_schema_accepts()
    {
        await using var pharmacy = await Pharmacy.StartAsync();

        var accepted = await PostForScriptAsync(pharmacy.Sender, new SyntheticNewRx { MessageId = "XML-1" }.ToBytes());
        var again = await PostForScriptAsync(pharmacy.Sender, new SyntheticNewRx { MessageId = "XML-1" }.ToBytes());
        var malformed = await PostForScriptAsync(pharmacy.Sender, "<Message xmlns=\"http://www.ncpdp.org/schema/SCRIPT\"><Header><MessageID>XML-2</MessageID>"u8.ToArray());
        var unsupported = await PostForScriptAsync(pharmacy.Sender, new SyntheticTransaction(SyntheticTransaction.Unsupported) { MessageId = "XML-3" }.ToBytes());
        var answer = await PostForScriptAsync(pharmacy.Sender, new SyntheticTransaction("Status") { MessageId = "XML-4" }.ToBytes());
        using var json = await pharmacy.Sender.PostAsync("/api/inbound", SenderAuthenticationTests.Xml(new SyntheticNewRx { MessageId = "XML-5" }.ToBytes()));

        Assert.That(accepted.Status, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(Reply(accepted.Xml), Is.EqualTo(("Status", "010", "", "XML-1")));
        Assert.That(accepted.Xml.Descendants(Script + "To").Single().Value, Is.EqualTo("6666666"), "back to the sender's Header/From");
        Assert.That((again.Status, Reply(again.Xml)), Is.EqualTo((HttpStatusCode.OK, ("Status", "010", "", "XML-1"))));
        Assert.That(Reply(malformed.Xml), Is.EqualTo(("Error", "900", "3000", "XML-2")), "the MessageID read before the XML broke off");
        Assert.That(malformed.Xml.Descendants(Script + "Description").Single().Value, Does.StartWith("MalformedXml: "));
        Assert.That(Reply(unsupported.Xml), Is.EqualTo(("Error", "900", "2000", "XML-3")));
        Assert.That(unsupported.Xml.Descendants(Script + "Description").Single().Value, Is.EqualTo("UnsupportedTransaction: unsupported transaction RxFill"));
        Assert.That(Reply(answer.Xml), Is.EqualTo(("Status", "010", "", "XML-4")));
        Assert.That(json.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), "JSON stays the default");
        foreach (var reply in new[] { accepted, again, malformed, unsupported, answer })
        {
            Assert.That(reply.Xml.Descendants(Script + "Description").All(d => d.Value.Length <= 70), Is.True);
            Assert.That(SchemaProblems(reply.Bytes), Is.Empty);
        }
    }

    [Test]
    public void A_storage_fault_and_a_processing_failure_are_the_receivers_own_602_and_601()
    {
        var fault = XDocument.Parse(System.Text.Encoding.UTF8.GetString(PharmacyRx.Host.Receiving.ScriptReply.ForStorageFault("DiskFull", DateTimeOffset.UtcNow)));
        var failed = PharmacyRx.Host.Receiving.ScriptReply.Codes(Core.Receiving.PrescriptionStatus.Rejected, "ProcessingFailed");

        Assert.That(Reply(fault), Is.EqualTo(("Error", "602", "007", "")));
        Assert.That(failed, Is.EqualTo(("601", "007")));
        Assert.That(SchemaProblems(System.Text.Encoding.UTF8.GetBytes(fault.ToString())), Is.Empty);
    }

    [Test]
    [Property("Rule", "1311.205(b)(16)")]
    public async Task Verify_proves_the_answers_unaltered_and_an_answer_archived_as_unsupported_before_still_verifies()
    {
        using var installed = await InstalledPharmacy.CreateAsync();
        await using (var service = await RunningService.StartAsync(installed))
        {
            var pipeline = service.Services.GetRequiredService<PharmacyRx.Host.Receiving.ReceiptPipeline>();
            var source = PharmacyRx.Host.Receiving.ReceiptSource.Bus("bus");
            foreach (var message in new[]
            {
                new SyntheticNewRx { MessageId = "V-RX", PrescriberOrderNumber = "ORD-V" },
                new SyntheticNewRx { Transaction = "RxChangeResponse", Response = "Approved", MessageId = "V-CHANGE", PrescriberOrderNumber = "ORD-V" },
                new SyntheticNewRx { Transaction = "RxChangeResponse", Response = "Validated", MessageId = "V-VALID", PrescriberOrderNumber = "ORD-V" },
                new SyntheticNewRx { Transaction = "RxChangeResponse", Response = "Approved", MessageId = "V-OTHER", PrescriberOrderNumber = "ORD-V", PatientBirthDate = "1980-02-02" },
            })
            {
                await pipeline.ReceiveAsync(message.ToBytes(), source, CancellationToken.None);
            }
            // What the pipeline archived for an RxRenewalResponse before this service read answers.
            var entry = UnsealedEntry.From(new SyntheticNewRx { MessageId = "OLD-RENEWAL" }.ToBytes()) with
            {
                AsReceived = new SyntheticNewRx { Transaction = "RxRenewalResponse", Response = "Approved", MessageId = "OLD-RENEWAL" }.ToBytes(),
            };
            var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(entry.AsReceived.Span));
            var earlier = new Core.Receiving.ReceiptDecision(Core.Receiving.PrescriptionStatus.Rejected, "UnsupportedTransaction", "unsupported transaction RxRenewalResponse", []);
            var key = service.Services.GetRequiredService<Core.Keys.PharmacySigningKey>();
            await service.Services.GetRequiredService<PharmacyRx.Storage.Archive.ArchiveWriter>().AppendAsync(entry with
            {
                Message = null, SearchKeys = null, CancelBinding = null, AsReceivedSha256 = sha256, Decision = earlier,
                DedupeKey = $"raw:bus\n{sha256}", ReuseScope = null,
                ReceiptSignature = key.Sign(Core.Receiving.ReceiptSeal.Content(entry.ReceiptId, entry.ReceivedAt, sha256, "Rejected", "UnsupportedTransaction", "")),
                SignerThumbprint = key.Thumbprint,
            }, CancellationToken.None);
        }

        var verify = await installed.RunAsync("verify");

        Assert.That(verify.ExitCode, Is.Zero, verify.Output + verify.Error);
    }

    private static readonly XNamespace Script = Core.Receiving.ScriptMessageReader.Namespace;

    private sealed record ScriptAnswer(HttpStatusCode Status, byte[] Bytes, XDocument Xml);

    private static async Task<ScriptAnswer> PostForScriptAsync(HttpClient sender, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/inbound") { Content = SenderAuthenticationTests.Xml(body) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/xml"));
        using var response = await sender.SendAsync(request);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/xml"));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return new ScriptAnswer(response.StatusCode, bytes, XDocument.Load(new MemoryStream(bytes)));
    }

    private static (string Kind, string Code, string DescriptionCode, string RelatesTo) Reply(XDocument xml)
    {
        var answer = xml.Root!.Element(Script + "Body")!.Elements().Single();
        return (answer.Name.LocalName, answer.Element(Script + "Code")!.Value, answer.Element(Script + "DescriptionCode")?.Value ?? "",
            xml.Root.Element(Script + "Header")!.Element(Script + "RelatesToMessageID")?.Value ?? "");
    }

    private static List<string> SchemaProblems(byte[] xml)
    {
        var schemas = new XmlSchemaSet { XmlResolver = null };
        schemas.Add(Core.Receiving.ScriptMessageReader.Namespace, Path.Combine(RepositoryRoot.Path, "schemas", "script-subset.xsd"));
        var problems = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = schemas, DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        settings.ValidationFlags |= XmlSchemaValidationFlags.ReportValidationWarnings;
        settings.ValidationEventHandler += (_, e) => problems.Add($"{e.Severity}: {e.Message}");
        using var reader = XmlReader.Create(new MemoryStream(xml), settings);
        while (reader.Read())
        {
        }
        return problems.Where(p => !p.Contains("for the attribute", StringComparison.Ordinal)).ToList();
    }
}
