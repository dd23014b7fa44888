using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Core.Keys;

/// <summary>
/// Every certificate the pharmacy has signed with, in order, each rotation signed by the previous key. The first one's
/// SHA-256 thumbprint is the pin (printed by <c>init</c>, kept outside the data folder): a certificate merely copied
/// into <c>keys/</c>, or appended without the previous key, is not the pharmacy's (1311.205(b)(5), 1311.210(a)(2)).
/// </summary>
public sealed class KeyHistory
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private KeyHistory(IReadOnlyList<KeyHistoryEntry> entries) => Entries = entries;

    /// <summary>The entries, oldest first.</summary>
    public IReadOnlyList<KeyHistoryEntry> Entries { get; }

    /// <summary>The first certificate's SHA-256 thumbprint (upper-case hex): the installation's trust root.</summary>
    public string Pin => Entries.Count == 0 ? "" : Entries[0].Thumbprint;

    /// <summary>A history of one certificate: the installation's first key.</summary>
    public static KeyHistory Start(X509Certificate2 first, DateTimeOffset validFrom) =>
        new([new KeyHistoryEntry(Convert.ToBase64String(first.RawData), Thumbprint(first), validFrom)]);

    /// <summary>This history with <paramref name="next"/> appended, the link signed by <paramref name="previous"/> (the newest key).</summary>
    public KeyHistory Rotate(PharmacySigningKey previous, X509Certificate2 next, DateTimeOffset validFrom)
    {
        if (Entries.Count == 0 || !string.Equals(previous.Thumbprint, Entries[^1].Thumbprint, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("a rotation is signed by the newest key of the history");
        }
        var entry = new KeyHistoryEntry(Convert.ToBase64String(next.RawData), Thumbprint(next), validFrom);
        var signature = previous.Sign(LinkContent(Entries[^1].Thumbprint, entry));
        return new([.. Entries, entry with { SignatureByPreviousKey = Convert.ToBase64String(signature) }]);
    }

    /// <summary>The bytes the previous key signs for a rotation to <paramref name="entry"/>.</summary>
    public static byte[] LinkContent(string previousThumbprint, KeyHistoryEntry entry) => Encoding.UTF8.GetBytes(new StringBuilder()
        .Append("PharmacyRxKeyRotation:1\n")
        .Append("Previous:").Append(previousThumbprint.ToUpperInvariant()).Append('\n')
        .Append("Thumbprint:").Append(entry.Thumbprint.ToUpperInvariant()).Append('\n')
        .Append("ValidFrom:").Append(ReceiptSeal.FormatTimestamp(entry.ValidFrom)).Append('\n')
        .Append("Certificate:").Append(entry.Certificate).Append('\n')
        .ToString());

    /// <summary>
    /// What does not hold: the first certificate is not <paramref name="pin"/> (when one is given), an entry's thumbprint
    /// is not its certificate's, or a rotation is not signed by the previous key. Empty when the history holds.
    /// <paramref name="trusted"/> is how many entries, from the first, hold: none when the pin does not match; those
    /// before the first broken link otherwise.
    /// </summary>
    public IReadOnlyList<string> Check(string? pin, out int trusted)
    {
        var problems = new List<string>();
        trusted = 0;
        if (Entries.Count == 0)
        {
            return ["it is empty"];
        }
        var pinHolds = string.IsNullOrEmpty(pin) || string.Equals(Pin, pin, StringComparison.OrdinalIgnoreCase);
        if (!pinHolds)
        {
            problems.Add($"its first certificate is {Pin}, not the pinned {pin!.ToUpperInvariant()}");
        }
        X509Certificate2? previous = null;
        try
        {
            for (var i = 0; i < Entries.Count; i++)
            {
                var entry = Entries[i];
                var certificate = TryLoad(entry);
                if (certificate is null || !string.Equals(Thumbprint(certificate), entry.Thumbprint, StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"entry {i + 1} ({entry.Thumbprint}) does not hold the certificate its thumbprint names");
                }
                else if (previous is not null && !LinkHolds(previous, Entries[i - 1].Thumbprint, entry))
                {
                    problems.Add($"entry {i + 1} ({entry.Thumbprint}) is not signed by the previous key: a rotation the pharmacy did not make");
                }
                if (i > 0 && entry.ValidFrom < Entries[i - 1].ValidFrom)
                {
                    problems.Add($"entry {i + 1} ({entry.Thumbprint}) is dated before the entry it follows");
                }
                previous?.Dispose();
                previous = certificate;
                if (problems.Count > 0)
                {
                    // Nothing after a broken link can be vouched for.
                    break;
                }
                trusted = i + 1;
            }
        }
        finally
        {
            previous?.Dispose();
        }
        trusted = pinHolds ? trusted : 0;
        return problems;
    }

    /// <summary>The certificates of the first <paramref name="count"/> entries, by thumbprint; the caller owns them.</summary>
    public IReadOnlyDictionary<string, X509Certificate2> Certificates(int count) => Entries
        .Take(count)
        .Select(TryLoad)
        .OfType<X509Certificate2>()
        .DistinctBy(Thumbprint, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(Thumbprint, StringComparer.OrdinalIgnoreCase);

    /// <summary>The history as stored (<c>keys/history.json</c>): <c>{"entries":[...]}</c>.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(new Stored(Entries), Json);

    /// <summary>Reads a stored history; null with <paramref name="problem"/> when it is not one.</summary>
    public static KeyHistory? FromJson(ReadOnlySpan<byte> json, out string problem)
    {
        problem = "";
        try
        {
            if (JsonSerializer.Deserialize<Stored>(json, Json) is { Entries: { } entries })
            {
                // A stored file is not trusted to have filled in what the type promises.
                if (entries.Any(entry => entry is null || string.IsNullOrEmpty(entry.Certificate) || string.IsNullOrEmpty(entry.Thumbprint)))
                {
                    problem = "an entry lacks its certificate or its thumbprint";
                    return null;
                }
                return new KeyHistory(entries);
            }
        }
        catch (JsonException ex)
        {
            problem = $"it is not a key history: {ex.Message}";
            return null;
        }
        problem = "it is not a key history";
        return null;
    }

    private static bool LinkHolds(X509Certificate2 previous, string previousThumbprint, KeyHistoryEntry entry)
    {
        try
        {
            return entry.SignatureByPreviousKey is { } signature
                && PharmacySigningKey.Verify(previous, LinkContent(previousThumbprint, entry), Convert.FromBase64String(signature));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static X509Certificate2? TryLoad(KeyHistoryEntry entry)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(Convert.FromBase64String(entry.Certificate));
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return null;
        }
    }

    private static string Thumbprint(X509Certificate2 certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256);

    private sealed record Stored(IReadOnlyList<KeyHistoryEntry> Entries);
}
