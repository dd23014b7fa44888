using System.Net;
using System.Net.Http.Json;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>
/// Failed sign-ins over real HTTP on loopback, from chosen source addresses: throttled per (account, address) first, so
/// guessing from one place cannot keep a pharmacist out from another; the account is locked only by a spread attack.
/// </summary>
public class LoginLockoutTests
{
    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task Thirty_concurrent_wrong_logins_from_one_address_check_one_password_and_do_not_lock_the_account_elsewhere()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        await pharmacy.SignedInAsync("admin");
        using var attacker = FromAddress.Client(pharmacy.Service.BaseAddress, "127.0.0.66");
        using var pharmacist = FromAddress.Client(pharmacy.Service.BaseAddress, "127.0.0.77");
        using var start = new ManualResetEventSlim();

        var attempts = Enumerable.Range(0, 30).Select(i => Task.Run(async () =>
        {
            start.Wait();
            using var response = await attacker.PostAsJsonAsync("/api/sessions", new { userName = "admin", password = $"wrong-password-{i:00}-abc" });
            return response.StatusCode;
        })).ToArray();
        start.Set();
        var statuses = await Task.WhenAll(attempts);
        var checkedPasswords = await pharmacy.AuditAsync(AuditEventTypes.LoginFailed);
        var throttled = await pharmacy.AuditAsync(AuditEventTypes.LoginThrottled);
        // Two more guesses, each after its wait: the address now waits 4 s, and the right password in it is refused too.
        for (var i = 0; i < 2; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1 << i) + TimeSpan.FromMilliseconds(100));
            using var guess = await attacker.PostAsJsonAsync("/api/sessions", new { userName = "admin", password = $"wrong-password-9{i}-abc" });
            Assert.That(guess.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "checked once its wait has passed");
        }
        using var rightFromAttacker = await attacker.PostAsJsonAsync("/api/sessions", new { userName = "admin", password = pharmacy.Passwords["admin"] });
        using var rightElsewhere = await pharmacist.PostAsJsonAsync("/api/sessions", new { userName = "admin", password = pharmacy.Passwords["admin"] });

        Assert.That(checkedPasswords, Has.Count.LessThanOrEqualTo(2), "one password check per wait, however many arrive at once");
        Assert.That(throttled, Has.Count.LessThanOrEqualTo(2), "a throttle is audited once per wait, not per attempt");
        Assert.That(statuses, Is.All.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests));
        Assert.That(statuses.Count(s => s == HttpStatusCode.TooManyRequests), Is.GreaterThanOrEqualTo(28));
        Assert.That(rightFromAttacker.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "the guessing address waits");
        Assert.That(rightFromAttacker.Headers.RetryAfter?.Delta, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)).And.LessThanOrEqualTo(TimeSpan.FromSeconds(4)));
        Assert.That(rightElsewhere.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the account's owner signs in from elsewhere");
        Assert.That(checkedPasswords[0].Details, Does.Contain("from 127.0.0.66"));
    }

    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task Failures_spread_over_many_address_groups_lock_the_account_everywhere()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        await pharmacy.SignedInAsync("admin");

        for (var group = 1; group <= LoginThrottle.SpreadGroups; group++)
        {
            using var guesser = FromAddress.Client(pharmacy.Service.BaseAddress, $"127.0.{group}.9");
            using var response = await guesser.PostAsJsonAsync("/api/sessions", new { userName = "admin", password = $"wrong-password-{group:00}-abc" });
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"group {group}: one check each");
        }
        using var owner = FromAddress.Client(pharmacy.Service.BaseAddress, "127.0.200.1");
        using var locked = await owner.PostAsJsonAsync("/api/sessions", new { userName = "admin", password = pharmacy.Passwords["admin"] });

        Assert.That(locked.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "locked by a guessing attack from ten address groups");
        var failed = await pharmacy.AuditAsync(AuditEventTypes.LoginFailed);
        Assert.That(failed[^1].Details, Does.Contain("account locked until").And.Contain("10 address groups"));
    }

    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task Behind_a_known_proxy_each_client_is_its_own_address_and_an_unknown_one_cannot_choose_its_address()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync(builder => builder.Configuration["Network:KnownProxies:0"] = "127.0.0.10");
        await pharmacy.SignedInAsync("admin");
        using var proxy = FromAddress.Client(pharmacy.Service.BaseAddress, "127.0.0.10");
        using var stranger = FromAddress.Client(pharmacy.Service.BaseAddress, "127.0.0.20");

        async Task<HttpStatusCode> SignInAsync(HttpClient client, string forwardedFor, string password)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/sessions") { Content = JsonContent.Create(new { userName = "admin", password }) };
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        // A first slip is free; the second failure from an address makes it wait (LoginThrottle).
        var guesses = new[] { await SignInAsync(proxy, "198.51.100.7", "wrong-password-00-abc"), await SignInAsync(proxy, "198.51.100.7", "wrong-password-01-abc"),
            await SignInAsync(proxy, "198.51.100.7", "wrong-password-02-abc") };
        var otherClient = await SignInAsync(proxy, "198.51.100.8", pharmacy.Passwords["admin"]);
        var spoofed = new[] { await SignInAsync(stranger, "198.51.100.99", "wrong-password-03-abc"), await SignInAsync(stranger, "198.51.100.98", "wrong-password-04-abc"),
            await SignInAsync(stranger, "198.51.100.97", "wrong-password-05-abc") };

        var waitsOnThird = new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests };
        Assert.That(guesses, Is.EqualTo(waitsOnThird), "the client behind the proxy waits");
        Assert.That(otherClient, Is.EqualTo(HttpStatusCode.OK), "another client behind the same proxy does not");
        Assert.That(spoofed, Is.EqualTo(waitsOnThird), "a header from an address that is not a known proxy is ignored: all three are 127.0.0.20");
        var failed = await pharmacy.AuditAsync(AuditEventTypes.LoginFailed);
        Assert.That(failed.Select(e => e.Details), Has.Some.Contains("from 198.51.100.7").And.Some.Contains("from 127.0.0.20"));
    }
}
