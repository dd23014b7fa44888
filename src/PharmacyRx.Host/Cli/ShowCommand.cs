using System.CommandLine;
using System.Text;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Host.Keys;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Dispensing;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>show ID</c>: one archived record by receipt id or MessageID, as text for a person (with the verification
/// indication) or JSON. <c>--export DIR</c> writes what openssl needs to check the receipt signature by hand.
/// </summary>
internal static class ShowCommand
{
    public static Command Create(CliEnvironment environment, Option<string> data)
    {
        var id = new Argument<string>("id") { Description = "Receipt id or MessageID" };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var export = new Option<string?>("--export")
        {
            Description = "Write as-received.xml, signed-content.txt, receipt-signature.der, pharmacy.crt (and practitioner/ for a signed record) to this folder",
        };
        var command = new Command("show", "Show one archived record") { id, format, export };
        command.SetAction((parse, cancellationToken) => RunAsync(
            environment, new DataFolder(parse.GetValue(data)!), parse.GetValue(id)!, parse.GetValue(format)!, parse.GetValue(export), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        CliEnvironment environment, DataFolder data, string id, string format, string? export, CancellationToken cancellationToken)
    {
        if (await CommandContext.OpenInitializedAsync(data, environment, cancellationToken) is not { } context)
        {
            return 2;
        }
        await using var opened = context;
        var record = await context.Get<ArchiveQueries>().FindAsync(id, cancellationToken);
        if (record is null)
        {
            await environment.Error.WriteLineAsync($"error: no archived record has receipt id or MessageID {id}");
            return 1;
        }
        var read = context.Get<ScriptMessageReader>().Reread(record);
        // The status as things stand: a pending revocation check may have been resolved since receipt.
        var status = Enum.Parse<PrescriptionStatus>(record.CurrentStatus);
        var dispensable = await context.Get<PharmacyWorkStore>().IsDispensableAsync(Guid.Parse(record.ReceiptId), cancellationToken);

        if (export is not null)
        {
            await SignedRecordFiles.WriteAsync(record, read, export, cancellationToken);
            // The certificate that sealed this record, from the key history (a record sealed before a rotation names the
            // old one); never whatever keys/ holds.
            if (context.Get<PharmacyKeyHistory>().CertificateFor(record.SignerThumbprint) is { } sealer)
            {
                await File.WriteAllTextAsync(Path.Combine(export, "pharmacy.crt"), sealer.ExportCertificatePem() + "\n", cancellationToken);
            }
            else
            {
                await environment.Error.WriteLineAsync($"warning: the record's seal certificate {record.SignerThumbprint} is not in the pharmacy's key history; none exported");
            }
        }

        if (format == "json")
        {
            CliJson.WriteLine(environment.Out, new
            {
                receiptId = record.ReceiptId,
                receivedAt = record.ReceivedAt,
                source = record.Source,
                messageId = record.MessageId,
                transaction = record.TransactionKind,
                status = record.CurrentStatus,
                reasonCode = record.CurrentReasonCode,
                reason = record.CurrentReason,
                statusOnReceipt = record.Status,
                statusChangedAt = record.StatusChangedAt,
                verificationIndication = status.VerificationIndication(read.Message),
                missingElements = record.MissingElements.Length == 0 ? [] : record.MissingElements.Split(','),
                cancelsReceiptId = record.CancelsReceiptId,
                cancelledByReceiptId = record.CancelledByReceiptId,
                dispensable,
                elements = read.Message?.Elements,
                asReceivedSha256 = record.AsReceivedSha256,
                receiptSignature = Convert.ToBase64String(record.ReceiptSignature),
                signerThumbprint = record.SignerThumbprint,
            });
        }
        else
        {
            await environment.Out.WriteAsync(Text(record, status, dispensable, read.Message, context.Get<PharmacyClock>()));
        }
        return 0;
    }

    private static string Text(ArchivedRecord record, PrescriptionStatus status, bool dispensable, ScriptMessage? message, PharmacyClock clock)
    {
        var text = new StringBuilder();
        void Line(string label, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                text.Append(label.PadRight(22)).Append(value).Append('\n');
            }
        }

        Line("Receipt", record.ReceiptId);
        Line("Received", $"{clock.Format(record.ReceivedAt)} via {record.Source}");
        Line("MessageID", record.MessageId);
        Line("Transaction", message?.Name() ?? record.TransactionKind ?? "(not read)");
        Line("Status", record.CurrentStatus);
        Line("Verification", status.VerificationIndication(message));
        Line("Reason", record.CurrentReason);
        if (record.ChangedStatus is not null)
        {
            Line("Status on receipt", $"{record.Status} (changed {clock.Format(record.StatusChangedAt ?? "")})");
        }
        Line("Missing elements", record.MissingElements.Replace(",", ", ", StringComparison.Ordinal));
        Line(message.ReplacesOriginal() ? "Replaces" : "Cancels", record.CancelsReceiptId);
        if (message.IsPrescription())
        {
            Line("Cancelled by", record.CancelledByReceiptId);
            Line("Dispensable", dispensable ? "yes" : "no");
        }
        if (message?.Elements is { } e)
        {
            text.Append('\n');
            Line("Patient", e.PatientDisplayName);
            Line("Patient address", e.PatientAddress.OneLine);
            Line("Prescriber", e.PrescriberDisplayName);
            Line("Prescriber address", e.PrescriberAddress.OneLine);
            Line("DEA number", e.PrescriberDeaNumber);
            Line("Drug", e.DrugDescription);
            Line("Strength", $"{e.DrugStrengthValue} {e.DrugStrengthUnit}".Trim());
            Line("Dosage form", e.DosageForm);
            Line("Quantity", $"{e.QuantityValue} {e.QuantityUnit}".Trim());
            Line("Directions", e.Directions);
            Line("Written", e.WrittenDate);
            Line("Refills", e.NumberOfRefills);
            Line("Schedule", e.Schedule is { } schedule ? $"{schedule.ShortName()} ({e.DeaScheduleCode})" : "not controlled");
        }
        text.Append('\n');
        Line("As-received SHA-256", record.AsReceivedSha256);
        Line("Receipt signature", $"ECDSA P-256 SHA-256 by certificate {record.SignerThumbprint}");
        return text.ToString();
    }
}
