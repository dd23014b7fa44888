using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>
/// An installed pharmacy served over real HTTP on a loopback port, with sign-in that completes the one-time password
/// change a new account needs (the new password is remembered per user).
/// </summary>
internal sealed class LoopbackPharmacy : IAsyncDisposable
{
    private LoopbackPharmacy(InstalledPharmacy pharmacy, RunningService service)
    {
        Pharmacy = pharmacy;
        Service = service;
        Passwords["admin"] = pharmacy.InitOutput.GetProperty("adminPassword").GetString()!;
    }

    public InstalledPharmacy Pharmacy { get; }

    public RunningService Service { get; }

    /// <summary>Each user's current password, as the tests last set it.</summary>
    public Dictionary<string, string> Passwords { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static async Task<LoopbackPharmacy> StartAsync(Action<WebApplicationBuilder>? configure = null)
    {
        var pharmacy = await InstalledPharmacy.CreateAsync();
        return new LoopbackPharmacy(pharmacy, await RunningService.StartAsync(pharmacy, configure));
    }

    public HttpClient Anonymous() => new() { BaseAddress = Service.BaseAddress };

    public Task<HttpResponseMessage> LoginAsync(string userName, string password) =>
        Anonymous().PostAsJsonAsync("/api/sessions", new { userName, password });

    /// <summary>Signs in with the user's current password; a session that may only change the password changes it first.</summary>
    public async Task<HttpClient> SignedInAsync(string userName)
    {
        using var login = await LoginAsync(userName, Passwords[userName]);
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.OK), await login.Content.ReadAsStringAsync());
        var body = JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement;
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("token").GetString());
        if (body.TryGetProperty("passwordChangeRequired", out var required) && required.GetBoolean())
        {
            var changed = $"{Passwords[userName]}-Changed-7q";
            using var change = await client.PutAsJsonAsync("/api/me/password", new { currentPassword = Passwords[userName], newPassword = changed });
            Assert.That(change.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await change.Content.ReadAsStringAsync());
            Passwords[userName] = changed;
        }
        return client;
    }

    /// <summary>Creates a user through <c>POST /api/users</c> as <paramref name="admin"/>; the one-time password is remembered.</summary>
    public async Task<HttpResponseMessage> CreateUserAsync(HttpClient admin, string userName, params string[] roles)
    {
        var response = await admin.PostAsJsonAsync("/api/users", new { userName, fullName = $"Synthetic {userName}", initials = "SY", roles });
        if (response.StatusCode == HttpStatusCode.Created)
        {
            var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Passwords[created.GetProperty("userName").GetString()!] = created.GetProperty("password").GetString()!;
        }
        return response;
    }

    /// <summary>The installation's administrator and a second one (made at once: the rule needs two), both signed in.</summary>
    public async Task<(HttpClient Admin, HttpClient Admin2)> TwoAdministratorsAsync()
    {
        var admin = await SignedInAsync("admin");
        using (var second = await CreateUserAsync(admin, "admin2", DefaultRoles.PharmacyAdmin))
        {
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }
        return (admin, await SignedInAsync("admin2"));
    }

    /// <summary>A user asked for by <paramref name="admin"/> and approved by <paramref name="approver"/>, who gets the one-time password (remembered).</summary>
    public async Task ApprovedUserAsync(HttpClient admin, HttpClient approver, string userName, params string[] roles)
    {
        using var asked = await CreateUserAsync(admin, userName, roles);
        Assert.That(asked.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await asked.Content.ReadAsStringAsync());
        var id = JsonDocument.Parse(await asked.Content.ReadAsStringAsync()).RootElement.GetProperty("requestId").GetString();
        using var approved = await approver.PostAsync($"/api/access-requests/{id}/approve", null);
        Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await approved.Content.ReadAsStringAsync());
        Passwords[userName] = JsonDocument.Parse(await approved.Content.ReadAsStringAsync()).RootElement.GetProperty("password").GetString()!;
    }

    /// <summary>The audit events of a type, oldest first.</summary>
    public async Task<List<AuditEvent>> AuditAsync(string type)
    {
        var events = new List<AuditEvent>();
        await foreach (var stored in Service.Services.GetRequiredService<AuditLog>().ReadAllAsync(CancellationToken.None))
        {
            if (stored.Event.Type == type)
            {
                events.Add(stored.Event);
            }
        }
        return events;
    }

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Pharmacy.Dispose();
    }
}
