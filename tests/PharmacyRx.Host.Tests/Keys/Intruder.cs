using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Data.Sqlite;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Host.Tests.Keys;

/// <summary>
/// Someone with the data folder but not the key password: makes a look-alike signing key of their own, drops the
/// archive's triggers with plain SQLite and re-seals the rows they edit.
/// </summary>
internal sealed class Intruder : IDisposable
{
    public Intruder()
    {
        var now = DateTimeOffset.UtcNow;
        var request = new CertificateRequest("O=PharmacyRx pharmacy, CN=PharmacyRx receipt signing", Key, HashAlgorithmName.SHA256);
        using var selfSigned = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
        Certificate = X509CertificateLoader.LoadCertificate(selfSigned.RawData);
    }

    public ECDsa Key { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public X509Certificate2 Certificate { get; }

    public string Thumbprint => Certificate.GetCertHashString(HashAlgorithmName.SHA256);

    public string CertificatePem => Certificate.ExportCertificatePem() + "\n";

    public byte[] Sign(byte[] content) => Key.SignData(content, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>Backdates the receipt of <paramref name="messageId"/> by three days and re-seals it; returns its receipt id.</summary>
    public async Task<string> ResealBackdatedAsync(string databasePath, string messageId)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        await connection.OpenAsync();
        string receiptId, receivedAt, sha256, status, reasonCode;
        byte[] asReceived;
        using (var select = connection.CreateCommand())
        {
            select.CommandText = "SELECT receipt_id, received_at, as_received, as_received_sha256, status, reason_code FROM prescription_archive WHERE message_id = $id";
            select.Parameters.AddWithValue("$id", messageId);
            using var row = await select.ExecuteReaderAsync();
            Assert.That(await row.ReadAsync(), Is.True, messageId);
            (receiptId, receivedAt, asReceived, sha256, status, reasonCode) =
                (row.GetString(0), row.GetString(1), (byte[])row[2], row.GetString(3), row.GetString(4), row.GetString(5));
        }
        var canonical = new ScriptMessageReader().Read(asReceived).Message is { } message ? SignedElements.Format(message.Elements) : "";
        var backdated = ReceiptSeal.ParseTimestamp(receivedAt).AddDays(-3);
        var seal = Sign(ReceiptSeal.Content(Guid.Parse(receiptId), backdated, sha256, status, reasonCode, canonical));
        using var update = connection.CreateCommand();
        update.CommandText = """
            DROP TRIGGER prescription_archive_no_update;
            UPDATE prescription_archive SET received_at = $at, receipt_signature = $seal, signer_thumbprint = $thumbprint WHERE receipt_id = $id;
            """;
        update.Parameters.AddWithValue("$at", ReceiptSeal.FormatTimestamp(backdated));
        update.Parameters.AddWithValue("$seal", seal);
        update.Parameters.AddWithValue("$thumbprint", Thumbprint);
        update.Parameters.AddWithValue("$id", receiptId);
        Assert.That(await update.ExecuteNonQueryAsync(), Is.EqualTo(1));
        return receiptId;
    }

    public void Dispose()
    {
        Certificate.Dispose();
        Key.Dispose();
    }
}
