using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Export;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Host.Keys;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Verification;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>export-records --out DIR</c> (1311.305(e)-(h)): every as-received record with its signatures and certificates, a
/// plain-text index, and instructions to check any record with openssl alone — for migration and for DEA requests.
/// Streamed record by record; audited with the count.
/// </summary>
internal static class ExportRecordsCommand
{
    public static Command Create(CliEnvironment environment, Option<string> data)
    {
        var output = new Option<string>("--out") { Description = "An empty or new folder to write into", Required = true };
        var command = new Command("export-records", "Write every signed record, its certificates and openssl instructions to a folder") { output };
        command.SetAction((parse, cancellationToken) => RunAsync(environment, new DataFolder(parse.GetValue(data)!), parse.GetValue(output)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment environment, DataFolder data, string output, CancellationToken cancellationToken)
    {
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
        {
            await environment.Error.WriteLineAsync($"error: {output} is not empty");
            return 1;
        }
        if (await CommandContext.OpenInitializedAsync(data, environment, cancellationToken) is not { } context)
        {
            return 2;
        }
        await using (context)
        {
            var certificates = Path.Combine(output, "pharmacy-certificates");
            Directory.CreateDirectory(certificates);
            // The key history's certificates, not whatever keys/*.crt holds: a certificate merely copied there counts for
            // nothing (only the history from the pin vouches for a seal).
            foreach (var certificate in context.Get<PharmacyKeyHistory>().Certificates)
            {
                // Named by the thumbprint as the index (and each record) records it.
                await File.WriteAllTextAsync(Path.Combine(certificates, certificate.GetCertHashString(HashAlgorithmName.SHA256) + ".crt"),
                    certificate.ExportCertificatePem() + "\n", cancellationToken);
            }

            var changes = new Dictionary<string, List<VerificationEventStore.StatusChange>>(StringComparer.Ordinal);
            await foreach (var change in context.Get<VerificationEventStore>().ReadAllAsync(cancellationToken))
            {
                (changes.TryGetValue(change.ReceiptId, out var list) ? list : changes[change.ReceiptId] = []).Add(change);
            }

            var reader = context.Get<ScriptMessageReader>();
            long count = 0;
            await using (var index = new StreamWriter(Path.Combine(output, "index.tsv"), false, new UTF8Encoding(false)))
            {
                await index.WriteLineAsync("receipt_id\treceived_at\tmessage_id\ttransaction\tstatus_on_receipt\tcurrent_status\tas_received_sha256\tpractitioner_signature\tsigner_thumbprint\tfolder");
                await foreach (var record in context.Get<ArchiveQueries>().ReadAllAsync(cancellationToken))
                {
                    var folder = Path.Combine("records", record.ReceiptId);
                    var signed = await SignedRecordFiles.WriteAsync(record, reader.Reread(record), Path.Combine(output, folder), cancellationToken);
                    var n = 0;
                    foreach (var change in changes.GetValueOrDefault(record.ReceiptId) ?? [])
                    {
                        n++;
                        await File.WriteAllBytesAsync(Path.Combine(output, folder, $"status-change-{n}.txt"), ReceiptSeal.StatusChangeContent(
                            Guid.Parse(change.ReceiptId), ReceiptSeal.ParseTimestamp(change.OccurredAt), change.Status, change.ReasonCode, change.Reason), cancellationToken);
                        await File.WriteAllBytesAsync(Path.Combine(output, folder, $"status-change-{n}.der"), change.Seal, cancellationToken);
                    }
                    await index.WriteLineAsync(string.Join('\t', record.ReceiptId, record.ReceivedAt, Clean(record.MessageId), Clean(record.TransactionKind),
                        record.Status, record.CurrentStatus, record.AsReceivedSha256, signed ? "present" : "none", record.SignerThumbprint, folder));
                    count++;
                }
            }
            await File.WriteAllTextAsync(Path.Combine(output, "README.txt"), Instructions, cancellationToken);

            await context.Get<AuditLog>().AppendAsync(
                [new AuditEvent(TimeProvider.System.GetUtcNow(), AuditEventTypes.RecordsExported, ReceiptSource.CommandLine.Actor, AuditOutcome.Success,
                    Path.GetFullPath(output), string.Create(CultureInfo.InvariantCulture, $"records={count}; statusChanges={changes.Values.Sum(l => l.Count)}"))],
                cancellationToken);
            CliJson.WriteLine(environment.Out, new { output = Path.GetFullPath(output), records = count });
            return 0;
        }
    }

    // A MessageID is the sender's text: no tab or line break to break the index, no formula for a spreadsheet.
    private static string Clean(string? text) => CsvField.FormatTabSeparated(text);

    private const string Instructions = """
        PharmacyRx signed-record export (21 CFR 1311.305)

        index.tsv lists every archived record: receipt id, receipt time (UTC), MessageID, transaction, the status decided
        on receipt and the status as things stand, the SHA-256 of the bytes as received, whether a practitioner's
        signature came with it, the thumbprint of the pharmacy certificate that sealed it, and its folder.

        Each records/<receipt id>/ folder holds:
          as-received.xml         the message exactly as received
          signed-content.txt      what the pharmacy signed on receipt (schemas/receipt-signature.md)
          receipt-signature.der   the pharmacy's signature over it (ECDSA P-256, SHA-256, DER)
          status-change-N.txt/.der  a later status (a pending revocation check resolved) and its seal, if any
          practitioner/           for a record the practitioner signed: signed-elements.txt (the canonical signed
                                  elements), digest-method.txt, signature.der, signer.crt and chain-N.crt

        Check a record with openssl alone (R is its folder, T its signer_thumbprint from index.tsv):

          openssl x509 -in pharmacy-certificates/T.crt -pubkey -noout > pharmacy.pub
          openssl dgst -sha256 -verify pharmacy.pub -signature R/receipt-signature.der R/signed-content.txt
          sha256sum R/as-received.xml      # must equal the AsReceivedSHA256 line of R/signed-content.txt

        A status change is checked the same way with status-change-N.der over status-change-N.txt.

        The practitioner's signature (when present), with the digest named in digest-method.txt (SHA256 shown):

          openssl x509 -in R/practitioner/signer.crt -pubkey -noout > signer.pub
          openssl dgst -sha256 -verify signer.pub -signature R/practitioner/signature.der R/practitioner/signed-elements.txt
          openssl verify -CAfile ROOT.pem -untrusted R/practitioner/chain-1.crt R/practitioner/signer.crt

        (ECDSA signatures sent as fixed-size r||s rather than DER do not verify with openssl dgst as they stand.)

        """;
}
