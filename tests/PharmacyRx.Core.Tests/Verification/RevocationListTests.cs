using System.Security.Cryptography;
using PharmacyRx.Core.Verification;
using PharmacyRx.Testing;

namespace PharmacyRx.Core.Tests.Verification;

public class RevocationListTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    [Test]
    public void Reads_DER_and_PEM_with_issuer_number_and_dates()
    {
        using var pki = new TestPki(Now);
        var der = pki.Crl(pki.Intermediate, [], number: 42);
        var pem = System.Text.Encoding.ASCII.GetBytes(PemEncoding.WriteString("X509 CRL", der));

        Assert.That(RevocationList.TryParse(der, "import:a.crl", out var fromDer, out var reason), Is.True, reason);
        Assert.That(RevocationList.TryParse(pem, "import:a.pem", out var fromPem, out _), Is.True);
        Assert.That((fromDer!.Issuer, fromDer.Number, fromDer.ThisUpdate, fromDer.NextUpdate), Is.EqualTo(
            ("CN=Synthetic Intermediate CA", "42", Now.AddHours(-1), (DateTimeOffset?)Now.AddDays(7))));
        Assert.That(fromPem!.Sha256, Is.EqualTo(fromDer.Sha256));
        Assert.That((fromDer.IsCurrentAt(Now), fromDer.IsCurrentAt(Now.AddDays(8))), Is.EqualTo((true, false)));
    }

    [Test]
    public void Says_who_issued_it_only_when_the_key_verifies()
    {
        using var pki = new TestPki(Now);
        using var impostor = new TestPki(Now);
        RevocationList.TryParse(pki.Crl(pki.Root, []), "t", out var list, out _);

        Assert.That((list!.IsIssuedBy(pki.Root.RawData), list.IsIssuedBy(impostor.Root.RawData), list.IsIssuedBy(pki.Intermediate.RawData)),
            Is.EqualTo(((bool?)true, (bool?)false, (bool?)null)));
    }

    [Test]
    public void Refuses_garbage_and_oversized_input_before_parsing()
    {
        Assert.That(RevocationList.TryParse("not a CRL"u8.ToArray(), "t", out _, out var garbage), Is.False);
        Assert.That(garbage, Is.EqualTo("not a DER or PEM X.509 CRL"));
        Assert.That(RevocationList.TryParse([0x30, 0x03, 0x02, 0x01, 0x00], "t", out _, out var truncated), Is.False);
        Assert.That(truncated, Does.StartWith("unreadable CRL"));
        Assert.That(RevocationList.TryParse(new byte[AlgorithmPolicy.MaximumCrlBytes + 1], "t", out _, out var huge), Is.False);
        Assert.That(huge, Does.EndWith($"the limit is {AlgorithmPolicy.MaximumCrlBytes}"));
    }
}
