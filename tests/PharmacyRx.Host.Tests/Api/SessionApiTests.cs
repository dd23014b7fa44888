using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using PharmacyRx.Host.Api;

namespace PharmacyRx.Host.Tests.Api;

public class SessionApiTests
{
    [Test]
    public async Task The_administrator_from_init_signs_in_and_reads_the_users()
    {
        await using var api = await PharmacyApi.CreateAsync();
        using var admin = await api.SignedInAsync("admin", api.AdminPassword);

        using var users = await admin.GetAsync("/api/users");

        Assert.That(users.StatusCode, Is.EqualTo(HttpStatusCode.OK), await users.Content.ReadAsStringAsync());
        Assert.That(await users.Content.ReadAsStringAsync(), Does.Contain("\"userName\":\"admin\""));
    }
}
