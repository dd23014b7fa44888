using System.Net;
using System.Text.RegularExpressions;
using PharmacyRx.Host.Tests.Api;

namespace PharmacyRx.Host.Tests.WebConsole;

/// <summary>
/// A chain runs several instances on one database behind a load balancer: a console form served by one
/// instance is posted to whichever instance the balancer picks next, and one restarted keeps the forms it served.
/// </summary>
[TestFixture]
public sealed partial class ConsoleInstancesTests
{
    [Test]
    public async Task A_sign_in_form_served_by_one_instance_is_accepted_by_another_on_the_same_database()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        await using var second = await RunningService.StartAsync(pharmacy.Pharmacy);
        var cookies = new CookieContainer();
        using var first = Browser(pharmacy.Service.BaseAddress, cookies);
        using var other = Browser(second.BaseAddress, cookies);

        var form = await first.GetStringAsync("/");
        // The same browser: the cookies the first instance set go to the second (one site behind the balancer).
        cookies.Add(second.BaseAddress, cookies.GetCookies(pharmacy.Service.BaseAddress));
        using var signIn = await other.PostAsync("/", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Token().Match(form).Groups[1].Value,
            ["userName"] = "admin",
            ["password"] = pharmacy.Passwords["admin"],
        }));

        Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await signIn.Content.ReadAsStringAsync());
        Assert.That(signIn.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("prx_session=", StringComparison.Ordinal)), Is.True);
    }

    private static HttpClient Browser(Uri address, CookieContainer cookies) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies }) { BaseAddress = address };

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
