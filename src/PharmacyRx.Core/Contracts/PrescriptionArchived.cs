namespace PharmacyRx.Contracts;

/// <summary>Event: a message was archived with a status a pharmacy can work with (NCPDP Status).</summary>
public sealed record PrescriptionArchived(Guid ReceiptId, string MessageId, string Status, string ReasonCode, string Reason, bool Duplicate);
