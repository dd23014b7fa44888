using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;
using PharmacyRx.Host.Tests.WebConsole;
using PharmacyRx.Testing;
using static Microsoft.Playwright.Assertions;

namespace PharmacyRx.Host.Tests.Access;

/// <summary>
/// Sign-in through the pharmacy's identity provider, for real: oidc-provider on loopback (<see cref="OpenIdProvider"/>),
/// the service with <c>IdentityProvider</c> on, and Chromium going through the provider's own pages. The provider's
/// people: a pharmacist (group rx-pharmacists), a technician whose subject is "admin" (group rx-technicians), and an
/// outsider whose display name is "rx-pharmacists" and whose groups only resemble it. Also: what an attacker would try
/// at the callback (a forged id_token, one for another client, one from another issuer signed with the same key, a
/// replayed callback) opens no session (1311.205(b)(1), 1311.215(a)(1)).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class IdentityProviderSignInTests
{
    private const string Pharmacist = "pharmacist-7f3a";
    private const string Technician = "admin";
    private const string Outsider = "outsider-19c2";
    private const string ProviderButton = "Sign in with Synthetic IdP";

    private readonly ConsoleFixture _console = new("IDP");
    private OpenIdProvider _provider = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var (port, otherPort, secret) = OpenIdProvider.Reserve();
        await _console.InstallAsync();
        // A local account named as the pharmacist's subject is: it audits, it does not dispense.
        await _console.AddUserAsync(Pharmacist, "Auditor", "LA", fullName: "Synthetic Local Auditor");
        foreach (var (group, role) in new[] { ("rx-pharmacists", "Pharmacist"), ("rx-technicians", "Technician") })
        {
            var mapped = await _console.Pharmacy.RunAsync("identity-provider", "map", group, role);
            Assert.That(mapped.ExitCode, Is.Zero, mapped.Error);
        }
        await _console.StartAsync(new ManualTimeProvider(DateTimeOffset.UtcNow), settings: null,
            "--IdentityProvider:Enabled=true", $"--IdentityProvider:Authority=http://127.0.0.1:{port}", $"--IdentityProvider:ClientId={OpenIdProvider.ClientId}",
            $"--IdentityProvider:ClientSecret={secret}", "--IdentityProvider:Scopes=openid profile groups", "--IdentityProvider:DisplayName=Synthetic IdP");
        _provider = await OpenIdProvider.StartAsync(port, otherPort, secret, [Callback.ToString(), Capture.ToString()]);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
        await _console.DisposeAsync();
    }

    private Uri Callback => new(_console.Service.BaseAddress, "/signin-oidc");

    // Where the test itself, as another relying party, receives a provider's code.
    private Uri Capture => new(_console.Service.BaseAddress, "/__test/capture");

    private string FederatedName(string subject) => $"{subject}@127.0.0.1:{_provider.Issuer.Port}";

    [Test]
    public async Task A_pharmacist_signs_in_through_the_provider_reaches_the_queue_and_dispenses()
    {
        var receiptId = await _console.PostAsync(_console.NewRx("Federated"));
        var page = await SignInThroughProviderAsync(Pharmacist);
        await Expect(page).ToHaveURLAsync(new Regex("/queue$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Queue", Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator(".who")).ToContainTextAsync(FederatedName(Pharmacist));
        await ConsoleBrowser.AssertPageQualityAsync(page);
        await ConsoleBrowser.ScreenshotAsync(page, "identity-provider-queue");

        await page.GotoAsync($"/prescriptions/{receiptId}");
        await page.Locator("#quantity").FillAsync("20");
        await page.Locator("#dateDispensed").FillAsync(_console.Clock.GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("#dispenser").FillAsync("SP");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record dispensing" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Dispensing recorded");

        // Not the local account of the same name: its Auditor role is not theirs.
        var reports = await page.GotoAsync("/admin/reports");
        Assert.That(reports!.Status, Is.EqualTo(403));

        await using var connection = ReadOnly();
        Assert.That(await connection.ExecuteScalarAsync<string>("SELECT recorded_by FROM dispensings WHERE receipt_id = @Id", new { Id = receiptId }),
            Is.EqualTo(FederatedName(Pharmacist)));
        var signedIn = await connection.ExecuteScalarAsync<string>(
            "SELECT details FROM audit_events WHERE event_type = 'LoginSucceeded' AND actor = @Actor ORDER BY sequence DESC LIMIT 1", new { Actor = FederatedName(Pharmacist) });
        Assert.That(signedIn, Does.Contain($"issuer={_provider.Issuer.GetLeftPart(UriPartial.Authority)}").And.Contain($"subject={Pharmacist}")
            .And.Contain("name=Synthetic Pharmacist").And.Contain("roles=Pharmacist"));
        Assert.That(await connection.ExecuteScalarAsync<string>("SELECT kind FROM users WHERE user_name = @Name", new { Name = FederatedName(Pharmacist) }),
            Is.EqualTo("Federated"));
    }

    [Test]
    public async Task A_technician_whose_subject_is_a_local_administrators_name_may_not_dispense_nor_administer()
    {
        var receiptId = await _console.PostAsync(_console.NewRx("Technician"));
        var page = await SignInThroughProviderAsync(Technician);
        await Expect(page).ToHaveURLAsync(new Regex("/queue$"));
        await Expect(page.Locator(".who")).ToContainTextAsync(FederatedName(Technician));
        await page.GotoAsync($"/prescriptions/{receiptId}");
        await Expect(page.Locator("section.state")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Record dispensing" })).ToHaveCountAsync(0);
        var token = await page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");
        var forged = await page.APIRequest.PostAsync($"/prescriptions/{receiptId}?handler=Dispense", new()
        {
            Form = page.APIRequest.CreateFormData().Set("__RequestVerificationToken", token!).Set("quantity", "20")
                .Set("dateDispensed", _console.Clock.GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).Set("dispenser", "TT"),
            MaxRedirects = 0,
        });
        Assert.That(forged.Status, Is.EqualTo(403));
        var users = await page.GotoAsync("/admin/users");
        Assert.That(users!.Status, Is.EqualTo(403));
    }

    [Test]
    public async Task A_person_with_no_mapped_group_is_refused_whatever_their_display_name_says()
    {
        var page = await SignInThroughProviderAsync(Outsider);
        await Expect(page).ToHaveURLAsync(new Regex("/\\?signin=refused$"));
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("opened no session");
        await ConsoleBrowser.AssertPageQualityAsync(page);
        await page.GotoAsync("/queue");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();

        await using var connection = ReadOnly();
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM users WHERE user_name = @Name", new { Name = FederatedName(Outsider) }), Is.Zero);
        Assert.That(await connection.ExecuteScalarAsync<string>(
            "SELECT details FROM audit_events WHERE event_type = 'LoginFailed' AND actor = @Actor", new { Actor = FederatedName(Outsider) }),
            Does.Contain("none of the 3 groups values"));
    }

    [Test]
    public async Task A_mapping_planted_in_the_database_file_gives_nothing()
    {
        await _console.Pharmacy.TamperAsync("INSERT INTO claim_role_mappings (claim_value, role_name, created_at, created_by) VALUES ('cafeteria', 'Pharmacist', '2026-01-01T00:00:00.0000000Z', 'admin')");
        try
        {
            var page = await SignInThroughProviderAsync(Outsider);
            await Expect(page).ToHaveURLAsync(new Regex("/\\?signin=refused$"));
        }
        finally
        {
            await _console.Pharmacy.TamperAsync("DELETE FROM claim_role_mappings WHERE claim_value = 'cafeteria'");
        }
    }

    [Test]
    public async Task A_sign_in_completed_at_another_issuer_is_refused()
    {
        // The pharmacy's own request (client, state, nonce, PKCE challenge), taken to the other issuer, where the person signs in.
        var (page, request) = await StartedSignInAsync();
        await page.GotoAsync($"{Origin(_provider.OtherIssuer)}/auth?{string.Join('&', request.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"))}");
        await AtProviderAsync(page, Pharmacist);
        await Expect(page).ToHaveURLAsync(new Regex("/\\?signin=refused$"));
        Assert.That((await page.Context.CookiesAsync()).Any(c => c.Name == "prx_session"), Is.False);
        await AssertRefusalAuditedAsync("from another issuer");
    }

    [Test]
    public async Task An_id_token_from_another_issuer_signed_with_the_same_key_opens_no_session()
    {
        var (page, request) = await StartedSignInAsync();
        var (state, nonce) = (request["state"], request["nonce"]);
        var foreign = await IdTokenAsync(_provider.OtherIssuer, OpenIdProvider.ClientId, Pharmacist, nonce);
        await AssertCallbackRefusedAsync(page, state, foreign, "from another issuer");
    }

    [Test]
    public async Task An_id_token_for_another_client_opens_no_session()
    {
        var (page, request) = await StartedSignInAsync();
        var (state, nonce) = (request["state"], request["nonce"]);
        var otherClients = await IdTokenAsync(_provider.Issuer, OpenIdProvider.OtherClientId, Pharmacist, nonce);
        await AssertCallbackRefusedAsync(page, state, otherClients, "id_token for another client");
    }

    [Test]
    public async Task A_forged_id_token_opens_no_session()
    {
        var (page, request) = await StartedSignInAsync();
        var (state, nonce) = (request["state"], request["nonce"]);
        using var rsa = RSA.Create(2048);
        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Origin(_provider.Issuer),
            Audience = OpenIdProvider.ClientId,
            Claims = new Dictionary<string, object> { ["sub"] = Pharmacist, ["nonce"] = nonce, ["groups"] = new[] { "rx-pharmacists" }, ["name"] = "Forged" },
            IssuedAt = DateTime.UtcNow,
            Expires = DateTime.UtcNow.AddMinutes(5),
            // The provider's key id, with a key of the forger's own.
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = "shared-test-key" }, SecurityAlgorithms.RsaSha256),
        });
        await AssertCallbackRefusedAsync(page, state, forged, "id_token signature fails");
    }

    [Test]
    public async Task A_valid_id_token_sent_through_the_browser_instead_of_the_code_opens_no_session()
    {
        var (page, request) = await StartedSignInAsync();
        var valid = await IdTokenAsync(_provider.Issuer, OpenIdProvider.ClientId, Pharmacist, request["nonce"]);
        await AssertCallbackRefusedAsync(page, request["state"], valid, "id_token not from the token endpoint");
    }

    [Test]
    public async Task A_replayed_callback_opens_no_session()
    {
        var page = await NewPageAsync();
        string? callback = null;
        page.Request += (_, request) =>
        {
            if (request.Method == "POST" && request.Url.StartsWith(Callback.ToString(), StringComparison.Ordinal))
            {
                callback = request.PostData;
            }
        };
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = ProviderButton }).ClickAsync();
        await AtProviderAsync(page, Pharmacist);
        await Expect(page).ToHaveURLAsync(new Regex("/queue$"));
        // The provider answered by posting the code and the state to the callback (response_mode=form_post): that is what is replayed.
        Assert.That(callback, Does.Contain("code=").And.Contain("state="));

        // The same code and state again, from a browser that never started a sign-in, and from the one that finished it.
        foreach (var replaying in new[] { await NewPageAsync(), page })
        {
            var form = replaying.APIRequest.CreateFormData();
            foreach (var (name, value) in ParseForm(callback!))
            {
                form.Set(name, value);
            }
            var replay = await replaying.APIRequest.PostAsync(Callback.ToString(), new() { Form = form, MaxRedirects = 0 });
            Assert.That(replay.Headers.GetValueOrDefault("location"), Is.EqualTo("/?signin=refused"));
            Assert.That(replay.Headers.GetValueOrDefault("set-cookie") ?? "", Does.Not.Contain("prx_session"));
        }
        await AssertRefusalAuditedAsync("state not this browser's or used");
    }

    [Test]
    public async Task Signing_out_ends_the_session_and_its_cookie_opens_nothing_afterwards()
    {
        var page = await SignInThroughProviderAsync(Pharmacist);
        await Expect(page).ToHaveURLAsync(new Regex("/queue$"));
        var session = (await page.Context.CookiesAsync()).Single(c => c.Name == "prx_session");
        Assert.That(session.SameSite, Is.EqualTo(SameSiteAttribute.Strict));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.Context.AddCookiesAsync([new Cookie { Name = session.Name, Value = session.Value, Domain = session.Domain, Path = "/" }]);
        await page.GotoAsync("/queue");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        // The provider's front-channel sign-out path is not served: nothing to sign out of, nothing to fail on.
        Assert.That((await page.APIRequest.GetAsync("/signout-oidc", new() { MaxRedirects = 0 })).Status, Is.EqualTo(404));
    }

    [Test]
    public async Task An_idle_session_opened_through_the_provider_returns_to_sign_in()
    {
        var page = await SignInThroughProviderAsync(Pharmacist);
        await Expect(page).ToHaveURLAsync(new Regex("/queue$"));
        _console.Clock.Advance(TimeSpan.FromMinutes(16));
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }

    [Test]
    public async Task Pharmacy_it_maps_a_group_to_a_role_and_removes_it_on_the_identity_provider_page()
    {
        var page = await NewPageAsync();
        await _console.SignInOnAsync(page, "admin");

        await page.GetByRole(AriaRole.Link, new() { Name = "Identity provider" }).ClickAsync();
        await Expect(page.Locator("table tbody")).ToContainTextAsync("rx-pharmacists");
        await page.GetByLabel("groups value").FillAsync("rx-auditors");
        await page.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync("Auditor");
        await page.GetByRole(AriaRole.Button, new() { Name = "Map" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("rx-auditors now gives role Auditor");
        await ConsoleBrowser.AssertPageQualityAsync(page);
        await ConsoleBrowser.ScreenshotAsync(page, "identity-provider-mappings");
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove rx-auditors from Auditor" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("rx-auditors no longer gives role Auditor");
        await Expect(page.Locator("table tbody")).Not.ToContainTextAsync("rx-auditors");
    }

    private async Task<IPage> NewPageAsync()
    {
        var page = await _console.NewPageAsync();
        // The provider's development pages ask for a web font; nothing leaves the machine.
        await page.RouteAsync("https://fonts.googleapis.com/**", route => route.AbortAsync());
        return page;
    }

    private async Task<IPage> SignInThroughProviderAsync(string login)
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = ProviderButton }).ClickAsync();
        await AtProviderAsync(page, login);
        await page.WaitForURLAsync(url => url.StartsWith(_console.Service.BaseAddress.ToString(), StringComparison.Ordinal) && !url.Contains("/signed-in", StringComparison.Ordinal));
        return page;
    }

    /// <summary>The provider's own sign-in and consent pages (its development interactions: any password).</summary>
    private static async Task AtProviderAsync(IPage page, string login)
    {
        await page.Locator("input[name=login]").FillAsync(login);
        await page.Locator("input[name=password]").FillAsync("any-synthetic-password");
        await page.Locator("button[type=submit]").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
    }

    /// <summary>
    /// A sign-in started in a browser and not taken further: the authorization request the service pushed to the provider
    /// (its state, nonce, PKCE challenge), the correlation and nonce cookies in the browser. (Fetched with the browser's
    /// own cookie jar: a page route never sees a redirect.)
    /// </summary>
    private async Task<(IPage Page, Dictionary<string, string> Request)> StartedSignInAsync()
    {
        var page = await NewPageAsync();
        _provider.ForgetPushed();
        var start = await page.APIRequest.GetAsync("/?handler=Provider", new() { MaxRedirects = 0 });
        Assert.That(start.Status, Is.EqualTo(302));
        Assert.That(Origin(new Uri(start.Headers["location"])), Is.EqualTo(Origin(_provider.Issuer)));
        return (page, _provider.NextPushed());
    }

    /// <summary>Posts the provider's answer to the callback with a given id_token, as an attacker in the middle could; nothing must open.</summary>
    private async Task AssertCallbackRefusedAsync(IPage page, string state, string idToken, string why)
    {
        var answer = await page.APIRequest.PostAsync(Callback.ToString(), new()
        {
            // The pharmacy's issuer named as the sender (RFC 9207), as an attacker would: only the token itself is wrong.
            Form = page.APIRequest.CreateFormData().Set("state", state).Set("iss", Origin(_provider.Issuer)).Set("id_token", idToken),
            MaxRedirects = 0,
        });
        Assert.That(answer.Headers.GetValueOrDefault("location"), Is.EqualTo("/?signin=refused"), await answer.TextAsync());
        Assert.That((await page.Context.CookiesAsync()).Any(c => c.Name == "prx_session"), Is.False);
        await page.GotoAsync("/queue");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await AssertRefusalAuditedAsync(why);
    }

    /// <summary>A refusal at the callback is an attempted unauthorized access (1311.215(a)(1)), audited with why, summarised per window.</summary>
    private async Task AssertRefusalAuditedAsync(string why)
    {
        await _console.Service.Services.GetRequiredService<Host.Access.AnonymousRefusals>().FlushAsync(all: true);
        await using var connection = ReadOnly();
        Assert.That(await connection.QueryAsync<string>("SELECT details FROM audit_events WHERE event_type = 'UnauthorizedAccessAttempt'"),
            Has.Some.Contains($"sign-in via provider: {why}"));
    }

    /// <summary>A real id_token from <paramref name="issuer"/> for <paramref name="clientId"/>, got by the test acting as that client.</summary>
    private async Task<string> IdTokenAsync(Uri issuer, string clientId, string login, string nonce)
    {
        var page = await NewPageAsync();
        var code = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync($"{Capture}**", async route =>
        {
            code.TrySetResult(ParseForm(route.Request.PostData ?? "").First(p => p.Name == "code").Value);
            await route.FulfillAsync(new() { Body = "captured", ContentType = "text/plain" });
        });
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        // form_post: the answer is a page that posts, which a route sees (it never sees a redirect).
        await page.GotoAsync($"{Origin(issuer)}/auth?client_id={clientId}&response_type=code&response_mode=form_post&scope=openid%20profile%20groups"
            + $"&redirect_uri={Uri.EscapeDataString(Capture.ToString())}&state=test&nonce={Uri.EscapeDataString(nonce)}&code_challenge={challenge}&code_challenge_method=S256");
        await AtProviderAsync(page, login);
        using var http = new HttpClient();
        using var token = await http.PostAsync($"{Origin(issuer)}/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = await code.Task.WaitAsync(TimeSpan.FromSeconds(10)), ["redirect_uri"] = Capture.ToString(),
            ["client_id"] = clientId, ["client_secret"] = _provider.Secret, ["code_verifier"] = verifier,
        }));
        var body = await token.Content.ReadAsStringAsync();
        Assert.That(token.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id_token").GetString()!;
    }

    private static string Origin(Uri uri) => uri.GetLeftPart(UriPartial.Authority);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static IEnumerable<(string Name, string Value)> ParseForm(string form) =>
        form.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair => pair.Split('=', 2))
            .Select(p => (Uri.UnescapeDataString(p[0].Replace('+', ' ')), Uri.UnescapeDataString(p.Length > 1 ? p[1].Replace('+', ' ') : "")));

    private SqliteConnection ReadOnly() => new($"Data Source={_console.Pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False");
}
