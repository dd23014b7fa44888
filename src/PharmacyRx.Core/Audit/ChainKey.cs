using System.Security.Cryptography;
using System.Text;
using PharmacyRx.Core.Keys;

namespace PharmacyRx.Core.Audit;

/// <summary>
/// The audit chain's key (1311.205(b)(16), 1311.215(a)(5)): 256 bits derived from the pharmacy key with HKDF-SHA256, so it
/// is sealed as that key is (under the key password), every instance holding the key has it, and every backup carries it.
/// Each event carries an HMAC-SHA256 of its hash under it; without the key password nobody can make one that holds.
/// </summary>
public sealed class ChainKey : IDisposable
{
    private const string DerivationLabel = "PharmacyRx audit chain key v1";
    private readonly byte[] _key;

    private ChainKey(byte[] key)
    {
        _key = key;
        Id = Convert.ToHexStringLower(HMACSHA256.HashData(key, "key id"u8))[..16];
    }

    /// <summary>Names the key in every MAC it makes (<c>ID:MAC</c>), so a rotated chain still tells which key to check with.</summary>
    public string Id { get; }

    /// <summary>The chain key of a pharmacy key.</summary>
    public static ChainKey Derive(PharmacySigningKey signingKey)
    {
        var secret = signingKey.PrivateScalar();
        try
        {
            return new ChainKey(HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, info: Encoding.UTF8.GetBytes(DerivationLabel)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>A key from its 32 bytes (one unsealed from the ring of earlier keys).</summary>
    public static ChainKey FromBytes(ReadOnlySpan<byte> key) =>
        key.Length == 32 ? new ChainKey(key.ToArray()) : throw new CryptographicException("a chain key is 32 bytes");

    /// <summary>The MAC of a stored event: <c>ID:HEX</c>, HMAC-SHA256 over its chain hash.</summary>
    public string Mac(string hash) => Tagged("audit-event\n" + hash);

    /// <summary>The MAC of a row the service changes in place (a session): over its purpose and fields, LF-separated.</summary>
    public string MacRow(string purpose, params ReadOnlySpan<string?> fields) => Tagged(RowText(purpose, fields));

    internal static string RowText(string purpose, ReadOnlySpan<string?> fields)
    {
        var text = new StringBuilder(purpose);
        foreach (var field in fields)
        {
            text.Append('\n').Append(field ?? "\u0000");
        }
        return text.ToString();
    }

    /// <summary>Whether <paramref name="mac"/> is this key's MAC over the same text (fixed-time).</summary>
    internal bool Holds(string text, string mac) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Tagged(text)), Encoding.ASCII.GetBytes(mac));

    /// <summary>Encrypts with AES-256-GCM under a sub-key for <paramref name="purpose"/>; <c>ID:BASE64(nonce|ciphertext|tag)</c>.</summary>
    public string Seal(ReadOnlySpan<byte> plain, string purpose, string associated)
    {
        using var aes = new AesGcm(SubKey(purpose), 16);
        var sealedBytes = new byte[12 + plain.Length + 16];
        RandomNumberGenerator.Fill(sealedBytes.AsSpan(0, 12));
        aes.Encrypt(sealedBytes.AsSpan(0, 12), plain, sealedBytes.AsSpan(12, plain.Length), sealedBytes.AsSpan(12 + plain.Length), Encoding.UTF8.GetBytes(associated));
        return Id + ":" + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>What <see cref="Seal"/> sealed, or null when it was not sealed by this key for this purpose and association.</summary>
    internal byte[]? Open(string body, string purpose, string associated)
    {
        byte[] sealedBytes;
        try
        {
            sealedBytes = Convert.FromBase64String(body);
        }
        catch (FormatException)
        {
            return null;
        }
        if (sealedBytes.Length < 28)
        {
            return null;
        }
        var plain = new byte[sealedBytes.Length - 28];
        using var aes = new AesGcm(SubKey(purpose), 16);
        try
        {
            aes.Decrypt(sealedBytes.AsSpan(0, 12), sealedBytes.AsSpan(12, plain.Length), sealedBytes.AsSpan(12 + plain.Length), plain, Encoding.UTF8.GetBytes(associated));
            return plain;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    /// <summary>The key's bytes, for sealing it under its successor only.</summary>
    internal byte[] Export() => (byte[])_key.Clone();

    public void Dispose() => CryptographicOperations.ZeroMemory(_key);

    private string Tagged(string text) => Id + ":" + Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(text)));

    private byte[] SubKey(string purpose) => HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, 32, info: Encoding.UTF8.GetBytes("seal " + purpose));
}
