using System.Net;
using PharmacyRx.Host.Tests.Api;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Integrity;

/// <summary><c>verify</c> names a receipt seal dated outside its certificate's validity: before it began or after it expired.</summary>
public class SealValidityTests
{
    [Test]
    [Property("Rule", "1311.210(a)")]
    public async Task A_seal_made_before_its_certificate_began_or_after_it_expired_is_a_finding()
    {
        await using var api = await PharmacyApi.CreateAsync();
        var key = await api.Pharmacy.AddSenderAsync("gateway");
        using var sender = api.CreateClient();
        sender.DefaultRequestHeaders.Add("X-Api-Key", key);

        async Task PostAsync(string messageId)
        {
            using var response = await sender.PostAsync("/api/inbound", SenderAuthenticationTests.Xml(new SyntheticNewRx { MessageId = messageId }.ToBytes()));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        }

        await PostAsync("IN-TIME");
        api.Clock.Advance(TimeSpan.FromDays(-1));
        await PostAsync("TOO-EARLY");
        api.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromDays(366 * 11));
        await PostAsync("TOO-LATE");

        var verify = await api.Pharmacy.RunAsync("verify");

        Assert.That(verify.ExitCode, Is.Not.Zero);
        var findings = verify.Output.Split('\n').Where(line => line.Contains("outside its certificate's validity", StringComparison.Ordinal)).ToArray();
        Assert.That(findings, Has.Length.EqualTo(2), verify.Output);
    }
}
