namespace PharmacyRx.Contracts;

/// <summary>Event: a message was archived as rejected or invalid (NCPDP Error); the record is kept all the same.</summary>
public sealed record PrescriptionRejected(Guid ReceiptId, string MessageId, string Status, string ReasonCode, string Reason, bool Duplicate);
