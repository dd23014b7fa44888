using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using PharmacyRx.Host.Api;
using PharmacyRx.Testing;
using PharmacyRx.Host.Keys;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>
/// The service built from its own entry point (<c>pharmacyrx serve --data DIR</c>) by <see cref="WebApplicationFactory{TEntryPoint}"/>
/// over an installed pharmacy, with a clock the test moves.
/// </summary>
internal sealed class PharmacyApi : WebApplicationFactory<Program>
{
    static PharmacyApi()
    {
        // The entry point reads the key password from the process environment; every test pharmacy uses this one.
        Environment.SetEnvironmentVariable(KeyPasswordSource.VariableName, InstalledPharmacy.KeyPassword);
    }

    private readonly Dictionary<string, string?> _settings;

    private PharmacyApi(InstalledPharmacy pharmacy, Dictionary<string, string?> settings)
    {
        Pharmacy = pharmacy;
        _settings = settings;
    }

    public InstalledPharmacy Pharmacy { get; }

    public ManualTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public string AdminPassword => Pharmacy.InitOutput.GetProperty("adminPassword").GetString()!;

    /// <summary>An API over a fresh pharmacy; the clock check and the daily backup are off unless <paramref name="settings"/> turn them on.</summary>
    public static async Task<PharmacyApi> CreateAsync(Dictionary<string, string?>? settings = null) =>
        new(await InstalledPharmacy.CreateAsync(), new Dictionary<string, string?> { ["Clock:Enabled"] = "false", ["Backup:Enabled"] = "false" }
            .Concat(settings ?? []).GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.Last().Value));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("data", Pharmacy.Data.Root);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    // A one-time password → the password the fixture changed it to at the first sign-in.
    private readonly Dictionary<string, string> _changed = new(StringComparer.Ordinal);

    /// <summary>The password that now signs in for one first printed as <paramref name="password"/> (the fixture changes one-time passwords).</summary>
    public string CurrentPassword(string password) => _changed.GetValueOrDefault(password, password);

    /// <summary>
    /// A client signed in as the user (a real login through <c>POST /api/sessions</c>); a one-time password is changed
    /// first, as its session allows nothing else, and later calls with it sign in with the new one.
    /// </summary>
    public async Task<HttpClient> SignedInAsync(string userName, string password)
    {
        var client = CreateClient();
        var current = CurrentPassword(password);
        using var login = await client.PostAsJsonAsync("/api/sessions", new SessionApi.LoginRequest(userName, current));
        login.EnsureSuccessStatusCode();
        var session = await login.Content.ReadFromJsonAsync<SessionApi.LoginResponse>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", session!.Token);
        if (session.PasswordChangeRequired)
        {
            var changed = $"{current}-Changed-7q";
            using var change = await client.PutAsJsonAsync("/api/me/password", new SessionApi.PasswordChange(current, changed));
            change.EnsureSuccessStatusCode();
            _changed[password] = changed;
        }
        return client;
    }

    /// <summary>Creates a user through the CLI with the given roles and signs them in.</summary>
    public async Task<HttpClient> UserAsync(string userName, params string[] roles)
    {
        var added = await Pharmacy.RunAsync(["users", "add", userName, "--full-name", $"Synthetic {userName}", "--initials", userName[..2].ToUpperInvariant(),
            .. roles.SelectMany(role => new[] { "--role", role })]);
        Assert.That(added.ExitCode, Is.Zero, added.Error);
        return await SignedInAsync(userName, added.JsonLines[0].GetProperty("password").GetString()!);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Pharmacy.Dispose();
    }
}
