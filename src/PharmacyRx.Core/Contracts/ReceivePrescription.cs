namespace PharmacyRx.Contracts;

/// <summary>
/// Command: archive this raw SCRIPT message. MassTransit routes by full type name, so this namespace never moves.
/// </summary>
/// <param name="Body">The exact bytes as received.</param>
/// <param name="Source">The entry point, for the audit trail (bus unless a gateway says otherwise).</param>
public sealed record ReceivePrescription(byte[] Body, string Source = "bus");
