using System.ComponentModel.DataAnnotations;
using PharmacyRx.Host.Access;

namespace PharmacyRx.Host.Tests.Access;

/// <summary>A bad identity provider setting stops start-up naming the key; plain http is for a provider on this machine alone.</summary>
[TestFixture]
public sealed class IdentityProviderOptionsTests
{
    [TestCase("http://idp.example.test/realms/pharmacy", "IdentityProvider:Authority")]
    [TestCase("not a url", "IdentityProvider:Authority")]
    [TestCase("https://idp.example.test/realms/pharmacy", null)]
    [TestCase("http://127.0.0.1:8080", null)]
    public void An_authority_is_https_or_http_on_loopback(string authority, string? problem)
    {
        var options = new IdentityProviderOptions { Enabled = true, Authority = authority, ClientId = "pharmacyrx" };
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        Assert.That(results.Select(r => r.ErrorMessage), problem is null ? Is.Empty : Has.Some.Contains(problem));
    }

    [Test]
    public async Task Start_up_stops_naming_the_missing_client_id()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        // serve exits 78 naming the setting (RunningService reports it as InvalidOperationException).
        var failure = Assert.ThrowsAsync<InvalidOperationException>(() => RunningService.StartAsync(pharmacy, null,
            "--IdentityProvider:Enabled=true", "--IdentityProvider:Authority=https://idp.example.test/realms/pharmacy"));
        Assert.That(failure!.Message, Does.Contain($"exited with {Host.Cli.PharmacyRxCommandLine.ConfigurationExit}").And.Contain("IdentityProvider:ClientId is required"));
    }
}
