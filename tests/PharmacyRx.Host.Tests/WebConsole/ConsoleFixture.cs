using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Playwright;
using PharmacyRx.Testing;
using static Microsoft.Playwright.Assertions;

namespace PharmacyRx.Host.Tests.WebConsole;

/// <summary>
/// What a browser test of the console runs against: Chromium (<see cref="ConsoleBrowser"/>), a pharmacy with the users the
/// test adds and the sender "gateway", and the service running it; it signs users in and posts the test's prescriptions.
/// A test class installs one in its one-time set-up; a test may hold its own on the class's browser.
/// </summary>
internal sealed class ConsoleFixture : IAsyncDisposable
{
    private readonly ConsoleBrowser? _sharedBrowser;
    private readonly string _messagePrefix;
    private readonly int _width;
    private readonly bool _checkPasswordPage;
    private readonly Dictionary<string, string> _passwords = new(StringComparer.Ordinal);
    private readonly HashSet<string> _oneTimePasswords = new(StringComparer.Ordinal);
    private ConsoleBrowser? _ownBrowser;
    private InstalledPharmacy? _pharmacy;
    private ManualTimeProvider? _clock;
    private RunningService? _service;
    private int _messages;

    /// <summary>
    /// A fixture with a Chromium of its own. Messages are numbered <c>{messagePrefix}-0001</c>; pages open
    /// <paramref name="width"/> pixels wide; with <paramref name="checkPasswordPage"/> the one-time password's page passes axe too.
    /// </summary>
    public ConsoleFixture(string messagePrefix, int width = 1280, bool checkPasswordPage = false)
    {
        _messagePrefix = messagePrefix;
        _width = width;
        _checkPasswordPage = checkPasswordPage;
    }

    /// <summary>A fixture whose pages open in <paramref name="browser"/>, which the caller keeps and closes.</summary>
    public ConsoleFixture(ConsoleBrowser browser, string messagePrefix) : this(messagePrefix) => _sharedBrowser = browser;

    public InstalledPharmacy Pharmacy => _pharmacy ?? throw new InvalidOperationException("the pharmacy is not installed");

    public RunningService Service => _service ?? throw new InvalidOperationException("the service is not started");

    /// <summary>The service's clock, which the test moves; only when started on one.</summary>
    public ManualTimeProvider Clock => _clock ?? throw new InvalidOperationException("the service runs on the system clock");

    /// <summary>Each user's password as it is now: the one-time one until their first sign-in changes it.</summary>
    public IReadOnlyDictionary<string, string> Passwords => _passwords;

    /// <summary>The API key of the sender "gateway".</summary>
    public string SenderKey { get; private set; } = "";

    private ConsoleBrowser Browser => _sharedBrowser ?? _ownBrowser ?? throw new InvalidOperationException("the browser is not started");

    private TimeProvider Time => _clock ?? TimeProvider.System;

    /// <summary>Starts Chromium (unless given one) and installs a pharmacy; its administrator's one-time password is kept.</summary>
    public async Task InstallAsync()
    {
        if (_sharedBrowser is null)
        {
            _ownBrowser = await ConsoleBrowser.StartAsync();
        }
        _pharmacy = await InstalledPharmacy.CreateAsync();
        AddPassword("admin", _pharmacy.InitOutput.GetProperty("adminPassword").GetString()!);
    }

    /// <summary>Adds each user (name, role, initials) as <see cref="AddUserAsync"/> does.</summary>
    public async Task AddUsersAsync(params (string User, string Role, string Initials)[] users)
    {
        foreach (var (user, role, initials) in users)
        {
            await AddUserAsync(user, role, initials);
        }
    }

    /// <summary>Adds a user with <c>pharmacyrx users add</c> (named "Synthetic {role}" unless given a full name) and keeps their one-time password.</summary>
    public async Task AddUserAsync(string user, string role, string initials, string? fullName = null)
    {
        var added = await Pharmacy.RunAsync("users", "add", user, "--full-name", fullName ?? $"Synthetic {role}", "--initials", initials, "--role", role);
        Assert.That(added.ExitCode, Is.Zero, added.Error);
        AddPassword(user, added.JsonLines.Single().GetProperty("password").GetString()!);
    }

    /// <summary>
    /// Adds the sender "gateway" and starts the service: on <paramref name="clock"/> when given (else the system's), with
    /// <paramref name="settings"/>, and with <paramref name="hostArgs"/> on its command line.
    /// </summary>
    public async Task StartAsync(ManualTimeProvider? clock = null, IReadOnlyDictionary<string, string?>? settings = null, params string[] hostArgs)
    {
        SenderKey = await Pharmacy.AddSenderAsync("gateway");
        _clock = clock;
        // No start-up catch-up backup: the installation stays without one until pharmacy IT takes it from the console.
        var configuration = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Backup:Enabled"] = "false" };
        _service = await RunningService.StartAsync(Pharmacy, builder =>
        {
            if (clock is not null)
            {
                builder.Services.AddSingleton<TimeProvider>(clock);
            }
            builder.Configuration.AddInMemoryCollection(configuration);
        }, hostArgs);
    }

    /// <summary>A fresh browser profile with a page on the service; in a time zone when one is named.</summary>
    public Task<IPage> NewPageAsync(string? timezoneId = null) => Browser.NewPageAsync(Service.BaseAddress, timezoneId, _width);

    /// <summary>A new page with <paramref name="user"/> signed in.</summary>
    public async Task<IPage> SignInAsync(string user)
    {
        var page = await NewPageAsync();
        await SignInOnAsync(page, user);
        return page;
    }

    /// <summary>Signs <paramref name="user"/> in on the sign-in page, as a person types it.</summary>
    public async Task SignInOnAsync(IPage page, string user)
    {
        await page.GotoAsync("/");
        await page.GetByLabel("User name").FillAsync(user);
        await page.GetByLabel("Password").FillAsync(_passwords[user]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await ChangeOneTimePasswordAsync(page, user);
    }

    /// <summary>A user's first sign-in goes through the one-time password's change; a later one does not.</summary>
    public async Task ChangeOneTimePasswordAsync(IPage page, string user)
    {
        await page.WaitForLoadStateAsync();
        if (!_oneTimePasswords.Contains(user))
        {
            return;
        }
        await Expect(page).ToHaveURLAsync(new Regex("/password$"));
        if (_checkPasswordPage)
        {
            await ConsoleBrowser.AssertPageQualityAsync(page);
        }
        var changed = $"{_passwords[user]}-Own-Choice-9";
        await page.GetByLabel("Current password").FillAsync(_passwords[user]);
        await page.GetByLabel("New password").FillAsync(changed);
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(page).Not.ToHaveURLAsync(new Regex("/password$"));
        _passwords[user] = changed;
        _oneTimePasswords.Remove(user);
    }

    /// <summary>The service's date today (UTC), as a form or the API takes it.</summary>
    public string Today() => Time.GetUtcNow().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A Schedule II NewRx for <paramref name="patient"/>, written and sent now, with this fixture's next message and order number.</summary>
    public SyntheticNewRx NewRx(string patient)
    {
        var n = Interlocked.Increment(ref _messages);
        var now = Time.GetUtcNow();
        return new SyntheticNewRx
        {
            MessageId = $"{_messagePrefix}-{n:D4}",
            PrescriberOrderNumber = $"ORD-{_messagePrefix[0]}{n:D4}",
            PatientLastName = patient,
            WrittenDate = now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            SentTime = now.ToString("yyyy-MM-ddTHH:mm:ss.0Z", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Posts <paramref name="message"/> as the sender; it must be accepted and archived. Returns its receipt id.</summary>
    public async Task<string> PostAsync(SyntheticNewRx message)
    {
        var (status, answer) = await SendAsync(message.ToBytes());
        Assert.That(status, Is.LessThan(300), answer);
        await using var connection = new SqliteConnection($"Data Source={Pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False");
        return await connection.ExecuteScalarAsync<string>("SELECT receipt_id FROM prescription_archive WHERE message_id = @Id", new { Id = message.MessageId })
            ?? throw new AssertionException($"{message.MessageId} was not archived");
    }

    /// <summary>Posts any body as the sender; the answer, accepted or refused, is no server error and names a receipt id, which is returned.</summary>
    public async Task<string> PostRawAsync(byte[] body)
    {
        var (status, answer) = await SendAsync(body);
        Assert.That(status, Is.LessThan(500), answer);
        return JsonDocument.Parse(answer).RootElement.GetProperty("receiptId").GetString()!;
    }

    /// <summary>Stops what was started, in reverse: the service, the pharmacy's folder, the fixture's own Chromium.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
        _pharmacy?.Dispose();
        if (_ownBrowser is not null)
        {
            await _ownBrowser.DisposeAsync();
        }
    }

    private async Task<(int Status, string Answer)> SendAsync(byte[] body)
    {
        using var client = Service.Client(SenderKey);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
        using var response = await client.PostAsync("/api/inbound", content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private void AddPassword(string user, string password)
    {
        _passwords[user] = password;
        _oneTimePasswords.Add(user);
    }
}
