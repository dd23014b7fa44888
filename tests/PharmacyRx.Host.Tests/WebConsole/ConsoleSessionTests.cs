using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PharmacyRx.Host.Tests.Api;

namespace PharmacyRx.Host.Tests.WebConsole;

/// <summary>The console's cookie and headers over real HTTP, without a browser.</summary>
[TestFixture]
public sealed class ConsoleSessionTests
{
    [Test]
    public async Task The_api_does_not_take_the_console_session_cookie()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        await pharmacy.SignedInAsync("admin");
        using var login = await pharmacy.LoginAsync("admin", pharmacy.Passwords["admin"]);
        var token = JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = pharmacy.Service.BaseAddress };

        using var console = new HttpRequestMessage(HttpMethod.Get, "/admin/users");
        console.Headers.Add("Cookie", $"prx_session={token}");
        Assert.That((await client.SendAsync(console)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // A page elsewhere that makes the browser call the API sends the cookie: the API must not take it.
        using var api = new HttpRequestMessage(HttpMethod.Get, "/api/users");
        api.Headers.Add("Cookie", $"prx_session={token}");
        Assert.That((await client.SendAsync(api)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Console_pages_forbid_inline_script_and_style_and_framing()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var page = await pharmacy.Anonymous().GetAsync("/");
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.That(policy, Does.Contain("script-src 'self'").And.Contain("style-src 'self'").And.Contain("frame-ancestors 'none'"));
        Assert.That(policy, Does.Not.Contain("unsafe-inline"));
        Assert.That(page.Headers.GetValues("X-Frame-Options").Single(), Is.EqualTo("DENY"));
        var html = await page.Content.ReadAsStringAsync();
        Assert.That(html, Does.Not.Contain("<script>").And.Not.Contain("<style").And.Not.Contain(" style="));
    }

    [Test]
    public async Task A_console_form_posted_without_its_antiforgery_token_is_refused()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = pharmacy.Service.BaseAddress };
        using var signIn = await client.PostAsync("/", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = "admin",
            ["password"] = pharmacy.Passwords["admin"],
        }));
        Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(signIn.Headers.Contains("Set-Cookie") && signIn.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("prx_session=", StringComparison.Ordinal)), Is.False);
        Assert.That(await pharmacy.AuditAsync("LoginSucceeded"), Is.Empty);
    }
}
