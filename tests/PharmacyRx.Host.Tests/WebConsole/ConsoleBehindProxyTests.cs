using System.Net;
using System.Text.RegularExpressions;
using PharmacyRx.Host.Tests.Api;

namespace PharmacyRx.Host.Tests.WebConsole;

/// <summary>
/// The console behind a TLS-terminating proxy (Network:KnownProxies): the session cookie is Secure when the known proxy
/// says the browser came over HTTPS, and a stranger saying so is not believed. Real HTTP on loopback, without a browser.
/// </summary>
public sealed partial class ConsoleBehindProxyTests
{
    [TestCase("127.0.0.10", true)]
    [TestCase("127.0.0.20", false)]
    public async Task The_session_cookie_is_Secure_only_when_a_known_proxy_says_the_browser_came_over_https(string from, bool secure)
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync(builder => builder.Configuration["Network:KnownProxies:0"] = "127.0.0.10");
        await pharmacy.SignedInAsync("admin");
        using var client = FromAddress.Client(pharmacy.Service.BaseAddress, from, cookies: false);

        using var get = new HttpRequestMessage(HttpMethod.Get, "/");
        get.Headers.Add("X-Forwarded-Proto", "https");
        using var form = await client.SendAsync(get);
        var antiforgery = string.Join("; ", form.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        using var post = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = Token().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value,
                ["userName"] = "admin",
                ["password"] = pharmacy.Passwords["admin"],
            }),
        };
        post.Headers.Add("X-Forwarded-Proto", "https");
        post.Headers.Add("Cookie", antiforgery);
        using var signIn = await client.SendAsync(post);

        Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await signIn.Content.ReadAsStringAsync());
        var session = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("prx_session=", StringComparison.Ordinal));
        Assert.That(session.Split(';').Select(a => a.Trim().ToLowerInvariant()).Contains("secure"), Is.EqualTo(secure), session);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
