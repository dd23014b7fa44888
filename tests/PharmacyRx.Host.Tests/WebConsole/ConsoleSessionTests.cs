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
    public async Task The_as_received_download_of_a_hostile_body_is_an_attachment_that_cannot_run_script()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        var key = await pharmacy.Pharmacy.AddSenderAsync("gateway");
        using var admin = await pharmacy.SignedInAsync("admin");
        using var created = await pharmacy.CreateUserAsync(admin, "pharm1", Core.Access.DefaultRoles.Pharmacist);
        using var pharmacist = await pharmacy.SignedInAsync("pharm1");
        using var sender = pharmacy.Service.Client(key);
        // Archived as received (Rejected: not SCRIPT), and a browser opening it inline would run its script.
        var xhtml = "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><script src=\"/console.js\"></script><img src=\"x\"/></body></html>"u8.ToArray();
        using var posted = await sender.PostAsync("/api/inbound", new ByteArrayContent(xhtml));
        var receipt = JsonDocument.Parse(await posted.Content.ReadAsStringAsync()).RootElement.GetProperty("receiptId").GetGuid();

        using var download = await pharmacist.GetAsync($"/prescriptions/{receipt:D}?handler=AsReceived");

        Assert.That(download.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await download.Content.ReadAsByteArrayAsync(), Is.EqualTo(xhtml));
        Assert.That(download.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/xml"));
        Assert.That(download.Content.Headers.ContentDisposition?.DispositionType, Is.EqualTo("attachment"));
        Assert.That(download.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
        // Opened inline anyway (a browser that ignores the disposition, a viewer), it may load and run nothing.
        var policy = download.Headers.GetValues("Content-Security-Policy").Single();
        Assert.That(policy, Does.StartWith("default-src 'none'").And.Contain("sandbox").And.Not.Contain("script-src"));
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
