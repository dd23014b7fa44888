namespace PharmacyRx.Storage.Audit;

/// <summary>
/// Thrown when something would be appended to the keyed audit trail without the chain key: it comes with the pharmacy key,
/// so the key password must be given (1311.205(b)(16): nobody without it writes an event that holds).
/// </summary>
public sealed class ChainKeyUnavailableException() : InvalidOperationException(
    "writing to the audit trail needs the chain key, which comes with the pharmacy key: set PHARMACYRX_KEY_PASSWORD or PHARMACYRX_KEY_PASSWORD_FILE");
