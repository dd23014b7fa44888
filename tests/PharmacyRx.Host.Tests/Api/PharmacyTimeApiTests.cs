using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using PharmacyRx.Core.Clock;
using PharmacyRx.Host.Api;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>
/// The date dispensed is the pharmacy's date (1304.22(c), 1306.22): over HTTP, with the service's clock fixed at late
/// evening and just after midnight on the pharmacy's clock, west and east of UTC and on the days its clocks change.
/// </summary>
public class PharmacyTimeApiTests
{
    private const string Chicago = "America/Chicago";
    private const string Tokyo = "Asia/Tokyo";
    private const string Accepted = "Created";

    [Test]
    [Property("Rule", "1311.205(b)(10)")]
    public async Task A_fill_at_19_08_in_Chicago_is_dated_that_evening_not_tomorrow()
    {
        var day = PharmacyHours.Soon(Chicago);
        await using var pharmacy = await ZonedPharmacy.StartAsync(Chicago);
        var receipt = await pharmacy.ReceiveAsync(day, new TimeOnly(19, 0));

        var today = await pharmacy.DispenseAsync(receipt, day, new TimeOnly(19, 8), day);
        var tomorrow = await pharmacy.DispenseAsync(receipt, day, new TimeOnly(19, 9), day.AddDays(1));

        Assert.That((today, tomorrow), Is.EqualTo((Accepted, "DateInFuture")));
    }

    private static IEnumerable<TestCaseData> AroundMidnight()
    {
        // West of UTC: the UTC date is already tomorrow from 18:00 (CST) on.
        yield return Case(Chicago, "23:30", "23:30", 0, Accepted).SetName("Chicago_at_23_30_a_fill_dated_today_is_accepted");
        yield return Case(Chicago, "23:30", "23:30", 1, "DateInFuture").SetName("Chicago_at_23_30_a_fill_dated_tomorrow_is_refused");
        yield return Case(Chicago, "23:30", "+00:30", 0, Accepted).SetName("Chicago_at_00_30_a_fill_dated_yesterday_evening_after_receipt_is_accepted");
        yield return Case(Chicago, "23:30", "+00:30", 1, Accepted).SetName("Chicago_at_00_30_a_fill_dated_the_new_day_is_accepted");
        yield return Case(Chicago, "23:30", "+00:30", -1, "DateBeforeReceipt").SetName("Chicago_a_fill_dated_before_the_local_day_of_receipt_is_refused");
        // East of UTC: the UTC date is still yesterday until 09:00.
        yield return Case(Tokyo, "00:30", "00:30", 0, Accepted).SetName("Tokyo_at_00_30_a_fill_dated_today_is_accepted");
        yield return Case(Tokyo, "00:30", "00:30", 1, "DateInFuture").SetName("Tokyo_at_00_30_a_fill_dated_tomorrow_is_refused");
        yield return Case(Tokyo, "00:30", "00:30", -1, "DateBeforeReceipt").SetName("Tokyo_received_at_00_30_a_fill_dated_the_utc_day_of_receipt_is_refused");
        yield return Case(Tokyo, "23:30", "23:30", 0, Accepted).SetName("Tokyo_at_23_30_a_fill_dated_today_is_accepted");
        yield return Case(Tokyo, "23:30", "+00:30", 1, Accepted).SetName("Tokyo_at_00_30_a_fill_dated_the_new_day_is_accepted");
    }

    private static TestCaseData Case(string zone, string received, string filled, int dateOffset, string expected) =>
        new(zone, received, filled, dateOffset, expected);

    [TestCaseSource(nameof(AroundMidnight))]
    [Property("Rule", "1311.205(b)(10)")]
    public async Task The_date_dispensed_is_checked_on_the_pharmacys_clock(string zone, string received, string filled, int dateOffset, string expected)
    {
        var day = PharmacyHours.Soon(zone);
        await using var pharmacy = await ZonedPharmacy.StartAsync(zone);
        var receipt = await pharmacy.ReceiveAsync(day, TimeOnly.Parse(received, CultureInfo.InvariantCulture));
        var fillDay = filled.StartsWith('+') ? day.AddDays(1) : day;

        var outcome = await pharmacy.DispenseAsync(receipt, fillDay, TimeOnly.Parse(filled.TrimStart('+'), CultureInfo.InvariantCulture), day.AddDays(dateOffset));

        Assert.That(outcome, Is.EqualTo(expected));
    }

    [TestCase(true, TestName = "On_the_23_hour_day_a_fill_at_23_30_is_dated_that_day_and_not_the_next")]
    [TestCase(false, TestName = "On_the_25_hour_day_a_fill_at_23_30_is_dated_that_day_and_not_the_next")]
    [Property("Rule", "1311.205(b)(10)")]
    public async Task On_the_days_the_clocks_change(bool forward)
    {
        var day = PharmacyHours.NextClockChange(Chicago, forward);
        await using var pharmacy = await ZonedPharmacy.StartAsync(Chicago);
        var receipt = await pharmacy.ReceiveAsync(day, new TimeOnly(0, 30));

        var sameDay = await pharmacy.DispenseAsync(receipt, day, new TimeOnly(23, 30), day);
        var nextDay = await pharmacy.DispenseAsync(receipt, day, new TimeOnly(23, 31), day.AddDays(1));

        Assert.That((sameDay, nextDay), Is.EqualTo((Accepted, "DateInFuture")));
    }

    [Test]
    public async Task The_openapi_description_says_dates_without_a_zone_are_the_pharmacys()
    {
        await using var pharmacy = await ZonedPharmacy.StartAsync(Chicago);
        using var pharmacist = await pharmacy.PharmacistAsync();

        var description = await pharmacist.GetStringAsync("/openapi/v1.json");

        Assert.That(description, Does.Contain("Pharmacy:TimeZone"));
    }

    [Test]
    public async Task A_time_zone_that_does_not_exist_stops_start_up_naming_the_setting()
    {
        using var installed = await InstalledPharmacy.CreateAsync();

        var failure = Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await RunningService.StartAsync(installed, builder => builder.Configuration.AddInMemoryCollection(
                new Dictionary<string, string?> { ["Pharmacy:TimeZone"] = "America/Atlantis", ["Clock:Enabled"] = "false", ["Backup:Enabled"] = "false" })));

        Assert.That(failure!.Message, Does.Contain("Pharmacy:TimeZone"));
    }

    /// <summary>A running pharmacy in a zone, whose clock each step sets to a wall-clock time there.</summary>
    private sealed class ZonedPharmacy : IAsyncDisposable
    {
        private readonly InstalledPharmacy _installed;
        private readonly RunningService _service;
        private readonly ManualTimeProvider _clock;
        private readonly PharmacyClock _wall;
        private readonly string _senderKey;
        private int _messages;
        private string? _password;

        private ZonedPharmacy(InstalledPharmacy installed, RunningService service, ManualTimeProvider clock, PharmacyClock wall, string senderKey)
        {
            _installed = installed;
            _service = service;
            _clock = clock;
            _wall = wall;
            _senderKey = senderKey;
        }

        public static async Task<ZonedPharmacy> StartAsync(string zone)
        {
            var installed = await InstalledPharmacy.CreateAsync();
            var senderKey = await installed.AddSenderAsync("gateway");
            var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
            var service = await RunningService.StartAsync(installed, builder =>
            {
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Pharmacy:TimeZone"] = zone, ["Clock:Enabled"] = "false", ["Backup:Enabled"] = "false",
                });
                builder.Services.AddSingleton<TimeProvider>(clock);
            });
            return new ZonedPharmacy(installed, service, clock, new PharmacyClock(clock, TimeZoneInfo.FindSystemTimeZoneById(zone)), senderKey);
        }

        /// <summary>Receives a Schedule II NewRx at this wall-clock time; its receipt id.</summary>
        public async Task<Guid> ReceiveAsync(DateOnly day, TimeOnly at)
        {
            _clock.Set(_wall.At(day, at.ToTimeSpan()));
            var number = ++_messages;
            var message = new SyntheticNewRx
            {
                MessageId = $"TZ-{number}",
                PrescriberOrderNumber = $"ORD-TZ-{number}",
                WrittenDate = day.AddDays(-2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                SentTime = _clock.GetUtcNow().AddMinutes(-1).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.f'Z'", CultureInfo.InvariantCulture),
            };
            using var sender = _service.Client(_senderKey);
            using var content = new ByteArrayContent(message.ToBytes());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
            using var response = await sender.PostAsync("/api/inbound", content);
            var outcome = await response.Content.ReadFromJsonAsync<InboundApi.InboundResponse>();
            Assert.That(outcome!.Status, Is.EqualTo("ReceiptSigned"), outcome.ReasonCode);
            return outcome.ReceiptId;
        }

        /// <summary>Asks for a dispensing of one unit dated <paramref name="dated"/> at this wall-clock time: "Created" or the rule's code.</summary>
        public async Task<string> DispenseAsync(Guid receipt, DateOnly day, TimeOnly at, DateOnly dated)
        {
            _clock.Set(_wall.At(day, at.ToTimeSpan()));
            using var pharmacist = await PharmacistAsync();
            using var response = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipt}/dispensings",
                new { quantity = 1, dateDispensed = dated.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), dispenser = "SP" });
            return response.StatusCode == HttpStatusCode.Created ? Accepted : (await Integrity.CoverageAttackTests.CodeAsync(response))!;
        }

        /// <summary>A pharmacist signed in now (a session per step: the clock jumps further than a session's idle time).</summary>
        public async Task<HttpClient> PharmacistAsync()
        {
            var client = _service.Client();
            if (_password is null)
            {
                var added = await _installed.RunAsync("users", "add", "pharm1", "--full-name", "Synthetic Pharmacist", "--initials", "SP",
                    "--role", Core.Access.DefaultRoles.Pharmacist);
                Assert.That(added.ExitCode, Is.Zero, added.Error);
                var oneTime = added.JsonLines[0].GetProperty("password").GetString()!;
                await SignInAsync(client, oneTime);
                // A new user's password is one-time: the first session may only change it.
                _password = oneTime + "-Changed-7q";
                using var change = await client.PutAsJsonAsync("/api/me/password", new SessionApi.PasswordChange(oneTime, _password));
                Assert.That(change.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await change.Content.ReadAsStringAsync());
                return client;
            }
            await SignInAsync(client, _password);
            return client;
        }

        private static async Task SignInAsync(HttpClient client, string password)
        {
            using var login = await client.PostAsJsonAsync("/api/sessions", new SessionApi.LoginRequest("pharm1", password));
            login.EnsureSuccessStatusCode();
            var session = await login.Content.ReadFromJsonAsync<SessionApi.LoginResponse>();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", session!.Token);
        }

        public async ValueTask DisposeAsync()
        {
            await _service.DisposeAsync();
            _installed.Dispose();
        }
    }
}
