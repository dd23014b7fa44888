using System.Text;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Core.Tests.Receiving;

/// <summary>The sealed content is a contract (schemas/receipt-signature.md): anyone rebuilds it to check a seal with openssl.</summary>
public class ReceiptSealTests
{
    private static readonly Guid Id = Guid.Parse("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
    private static readonly DateTimeOffset At = new(2026, 11, 22, 7, 10, 0, TimeSpan.Zero);

    [Test]
    [Property("Rule", "1311.205(b)(3)")]
    public void The_receipt_seal_covers_the_bytes_the_elements_and_the_status_decided_on_receipt()
    {
        var content = Encoding.UTF8.GetString(ReceiptSeal.Content(Id, At, "ab12", "VerifiedOnReceipt", "", "ELEMENTS"));

        Assert.That(content, Is.EqualTo(
            "PharmacyRxReceipt:2\nReceiptId:0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\nReceivedAt:2026-11-22T07:10:00.0000000Z\n"
            + "AsReceivedSHA256:ab12\nStatus:VerifiedOnReceipt\nReasonCode:\nELEMENTS"));
    }

    [Test]
    public void A_status_change_seal_covers_the_new_status_and_its_reason()
    {
        var content = Encoding.UTF8.GetString(ReceiptSeal.StatusChangeContent(Id, At, "Invalid", "CertificateRevoked", "revoked"));

        Assert.That(content, Is.EqualTo(
            "PharmacyRxStatusChange:1\nReceiptId:0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\nOccurredAt:2026-11-22T07:10:00.0000000Z\n"
            + "Status:Invalid\nReasonCode:CertificateRevoked\nReason:revoked\n"));
    }
}
