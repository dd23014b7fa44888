using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Archive;

namespace PharmacyRx.Host.Integrity;

/// <summary>
/// The files that let anyone check one archived record with openssl alone (schemas/receipt-signature.md): the bytes as
/// received, the content the pharmacy sealed and its seal, and, for a practitioner-signed record, the signed elements,
/// the signature and the certificates sent with it.
/// </summary>
internal static class SignedRecordFiles
{
    /// <summary>Writes the record's files into <paramref name="folder"/>; true when it carries a practitioner's signature.</summary>
    public static async Task<bool> WriteAsync(ArchivedRecord record, ReadResult read, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllBytesAsync(Path.Combine(folder, "as-received.xml"), record.AsReceived, cancellationToken);
        var canonical = read.Message is { } message ? SignedElements.Format(message.Elements) : "";
        await File.WriteAllBytesAsync(Path.Combine(folder, "signed-content.txt"), ReceiptSeal.Content(
            Guid.Parse(record.ReceiptId), ReceiptSeal.ParseTimestamp(record.ReceivedAt), record.AsReceivedSha256, record.Status, record.ReasonCode, canonical),
            cancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(folder, "receipt-signature.der"), record.ReceiptSignature, cancellationToken);

        if (read.Message?.Header.Signature is not { HasSignature: true } signature)
        {
            return false;
        }
        var practitioner = Path.Combine(folder, "practitioner");
        Directory.CreateDirectory(practitioner);
        await File.WriteAllTextAsync(Path.Combine(practitioner, "signed-elements.txt"), canonical, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(practitioner, "digest-method.txt"), signature.DigestMethod + "\n", cancellationToken);
        await WriteBase64Async(Path.Combine(practitioner, "signature.der"), signature.SignatureValue, cancellationToken);
        for (var i = 0; i < signature.Certificates.Count; i++)
        {
            await WritePemAsync(Path.Combine(practitioner, i == 0 ? "signer.crt" : $"chain-{i}.crt"), signature.Certificates[i], cancellationToken);
        }
        return true;
    }

    private static async Task WriteBase64Async(string path, string base64, CancellationToken cancellationToken)
    {
        try
        {
            await File.WriteAllBytesAsync(path, Convert.FromBase64String(base64), cancellationToken);
        }
        catch (FormatException)
        {
            // As received: a signature that is not base64 was recorded as such; the text is kept for the reader.
            await File.WriteAllTextAsync(path + ".txt", base64, cancellationToken);
        }
    }

    private static async Task WritePemAsync(string path, string base64, CancellationToken cancellationToken)
    {
        try
        {
            await File.WriteAllTextAsync(path, System.Security.Cryptography.PemEncoding.WriteString("CERTIFICATE", Convert.FromBase64String(base64)) + "\n",
                cancellationToken);
        }
        catch (FormatException)
        {
            await File.WriteAllTextAsync(path + ".txt", base64, cancellationToken);
        }
    }
}
