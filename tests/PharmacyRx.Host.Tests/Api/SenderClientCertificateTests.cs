using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>Mutual TLS on loopback; a client certificate pinned to a sender is that sender.</summary>
public class SenderClientCertificateTests
{
    [Test]
    public async Task A_client_certificate_pinned_to_a_sender_submits_as_that_sender_and_an_unpinned_one_does_not()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        using var serverCertificate = SelfSigned("CN=localhost");
        using var pinned = SelfSigned("CN=Synthetic Gateway");
        using var stranger = SelfSigned("CN=Synthetic Stranger");
        var pfx = Path.Combine(pharmacy.Folder, "tls.pfx");
        await File.WriteAllBytesAsync(pfx, serverCertificate.Export(X509ContentType.Pkcs12, "synthetic-tls"));
        var pem = Path.Combine(pharmacy.Folder, "gateway.crt");
        await File.WriteAllTextAsync(pem, pinned.ExportCertificatePem());
        await pharmacy.AddSenderAsync("gw-tls", "--client-cert", pem);
        await using var service = await RunningService.StartAsync(pharmacy, builder =>
        {
            builder.Configuration["Kestrel:Endpoints:Https:Url"] = "https://127.0.0.1:0";
            builder.Configuration["Kestrel:Endpoints:Https:ClientCertificateMode"] = "AllowCertificate";
            builder.Configuration["Kestrel:Endpoints:Https:Certificate:Path"] = pfx;
            builder.Configuration["Kestrel:Endpoints:Https:Certificate:Password"] = "synthetic-tls";
        });
        Assert.That(service.BaseAddress.Scheme, Is.EqualTo("https"));

        using var asPinned = Client(service, pinned);
        using var accepted = await asPinned.PostAsync("/api/inbound", SenderAuthenticationTests.Xml(new SyntheticNewRx { MessageId = "TLS-1" }.ToBytes()));
        using var asStranger = Client(service, stranger);
        using var refused = await asStranger.PostAsync("/api/inbound", SenderAuthenticationTests.Xml(new SyntheticNewRx { MessageId = "TLS-2" }.ToBytes()));

        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var record = await service.Services.GetRequiredService<ArchiveQueries>().FindAsync("TLS-1", CancellationToken.None);
        Assert.That(record!.Source, Is.EqualTo("http:gw-tls"));
    }

    private static HttpClient Client(RunningService service, X509Certificate2 clientCertificate)
    {
        var handler = new HttpClientHandler
        {
            ClientCertificateOptions = ClientCertificateOption.Manual,
            // The test's own self-signed server certificate.
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        };
        handler.ClientCertificates.Add(clientCertificate);
        return new HttpClient(handler, disposeHandler: true) { BaseAddress = service.BaseAddress };
    }

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        // Round-trip through PKCS#12 so the private key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12, "t"), "t");
    }
}
