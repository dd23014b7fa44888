using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PharmacyRx.Core.Keys;

namespace PharmacyRx.Host.Keys;

/// <summary>
/// The pharmacy's own certificates, and only those, to check what it signed: a data folder's <see cref="KeyHistory"/>,
/// checked link by link against a pin held outside it (<c>--pin</c> or <c>Backup:SecondFolder</c>), else taken as found
/// (<see cref="IsPinned"/> false: say so). A certificate merely lying in <c>keys/</c> counts for nothing.
/// </summary>
public sealed class PharmacyKeyHistory
{
    /// <summary>The copy of the history kept in <c>Backup:SecondFolder</c>.</summary>
    public const string SecondFolderFileName = "pharmacyrx-key-history.json";

    /// <summary>Printed by <c>verify</c> and <c>backup verify</c> when nothing outside the data folder anchored the history.</summary>
    public const string NotPinnedWarning =
        "the key history was not pinned: give --pin THUMBPRINT (printed by init) or set Backup:SecondFolder; an intruder with the data folder could have replaced it";

    private readonly IReadOnlyDictionary<string, X509Certificate2> _certificates;

    private PharmacyKeyHistory(IReadOnlyDictionary<string, X509Certificate2> certificates, bool isPinned, string pin, IReadOnlyList<string> problems)
    {
        _certificates = certificates;
        IsPinned = isPinned;
        Pin = pin;
        Problems = problems;
    }

    /// <summary>Whether the history was checked against a pin held outside the data folder.</summary>
    public bool IsPinned { get; }

    /// <summary>The thumbprint the history's first certificate was checked against (its own first one when not pinned).</summary>
    public string Pin { get; }

    /// <summary>What does not hold in the history (wrong first certificate, a rotation the previous key did not sign); empty when it holds.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Whether a certificate with this SHA-256 thumbprint is one of the pharmacy's, by a history that holds up to it.</summary>
    public bool Contains(string thumbprint) => _certificates.ContainsKey(thumbprint);

    /// <summary>The pharmacy certificate with this SHA-256 thumbprint, or null when it is not one of the pharmacy's.</summary>
    public X509Certificate2? CertificateFor(string thumbprint) => _certificates.GetValueOrDefault(thumbprint);

    /// <summary>Every certificate of the history: the only ones the pharmacy's seals count under.</summary>
    public IEnumerable<X509Certificate2> Certificates => _certificates.Values;

    /// <summary>Where the copy of the history lives in the second folder, or null when none is configured.</summary>
    public static string? SecondFolderCopy(string? secondFolder) =>
        string.IsNullOrWhiteSpace(secondFolder) ? null : Path.Combine(secondFolder, SecondFolderFileName);

    /// <summary>
    /// The history of <paramref name="data"/> (a data folder, or a backup: the same layout), pinned by <paramref name="pin"/>
    /// when given, else by the copy in <paramref name="secondFolder"/> when there is one, else not pinned.
    /// </summary>
    public static PharmacyKeyHistory Load(DataFolder data, string? secondFolder, string? pin)
    {
        KeyHistory? copy = null;
        if (string.IsNullOrWhiteSpace(pin) && SecondFolderCopy(secondFolder) is { } copyPath && File.Exists(copyPath))
        {
            copy = Read(copyPath, legacyCertificatePath: null, out var copyProblem);
            if (copy is null)
            {
                return Untrusted(copyProblem);
            }
            pin = copy.Pin;
        }
        var history = Read(data.KeyHistoryPath, data.CertificatePath, out var problem) ?? copy;
        if (history is null)
        {
            return Untrusted(problem);
        }
        var pinned = !string.IsNullOrWhiteSpace(pin);
        var problems = history.Check(pin, out var trusted);
        return new PharmacyKeyHistory(history.Certificates(trusted), pinned, pinned ? pin!.ToUpperInvariant() : history.Pin, problems);
    }

    /// <summary>A history that vouches for nothing, for the reason given.</summary>
    public static PharmacyKeyHistory Untrusted(string problem) =>
        new(new Dictionary<string, X509Certificate2>(), isPinned: false, "", [problem]);

    /// <summary>
    /// Writes the history into the data folder and, when a second folder is set, its copy there; false when the second
    /// folder already holds the history of another pin, which is left as it is.
    /// </summary>
    public static async Task<bool> SaveAsync(KeyHistory history, DataFolder data, string? secondFolder, CancellationToken cancellationToken)
    {
        await OwnerOnlyFiles.WriteAsync(data.KeyHistoryPath, history.ToJson(), cancellationToken);
        return await CopyToSecondFolderAsync(history, secondFolder, cancellationToken);
    }

    /// <summary>
    /// Writes the copy of the history in the second folder, when one is set. A copy of another pin is never replaced
    /// (false): the copy is the pin kept outside the data folder, and only a history rooted in it may extend it.
    /// </summary>
    public static async Task<bool> CopyToSecondFolderAsync(KeyHistory history, string? secondFolder, CancellationToken cancellationToken)
    {
        if (SecondFolderCopy(secondFolder) is not { } copy)
        {
            return true;
        }
        if (File.Exists(copy) && Read(copy, legacyCertificatePath: null, out _) is { } existing
            && !string.Equals(existing.Pin, history.Pin, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        OwnerOnlyFiles.CreateFolder(secondFolder!);
        await OwnerOnlyFiles.WriteAsync(copy, history.ToJson(), cancellationToken);
        return true;
    }

    /// <summary>
    /// Reads a stored history; a data folder from before key histories has none, and its one certificate is its history.
    /// </summary>
    public static KeyHistory? Read(string historyPath, string? legacyCertificatePath, out string problem)
    {
        problem = "";
        if (File.Exists(historyPath))
        {
            var history = KeyHistory.FromJson(File.ReadAllBytes(historyPath), out var unreadable);
            problem = $"{historyPath}: {unreadable}";
            return history;
        }
        if (legacyCertificatePath is not null && File.Exists(legacyCertificatePath))
        {
            try
            {
                using var certificate = PharmacyKeyFiles.LoadCertificate(legacyCertificatePath);
                return KeyHistory.Start(certificate, certificate.NotBefore);
            }
            catch (Exception ex) when (ex is CryptographicException or FormatException)
            {
                problem = $"{legacyCertificatePath} is not a certificate: {ex.Message}";
                return null;
            }
        }
        problem = $"{historyPath} does not exist";
        return null;
    }
}
