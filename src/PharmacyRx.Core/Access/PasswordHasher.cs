using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PharmacyRx.Core.Access;

/// <summary>
/// Password hashes as <c>pbkdf2-sha256$iterations$salt$hash</c> (base64), PBKDF2-HMAC-SHA256 with 600,000
/// iterations and a 128-bit random salt; verification is constant-time.
/// </summary>
public static class PasswordHasher
{
    public const int Iterations = 600_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static string Hash(ReadOnlySpan<char> password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(password, salt, Iterations);
        return $"pbkdf2-sha256${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool Verify(ReadOnlySpan<char> password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != "pbkdf2-sha256"
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations))
        {
            return false;
        }
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Derive(password, Convert.FromBase64String(parts[2]), iterations);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>A random password of 20 characters from an unambiguous alphabet (about 110 bits).</summary>
    public static string GeneratePassword()
    {
        const string alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 20);
    }

    private static byte[] Derive(ReadOnlySpan<char> password, byte[] salt, int iterations)
    {
        var bytes = Encoding.UTF8.GetBytes(password.ToArray());
        try
        {
            return Rfc2898DeriveBytes.Pbkdf2(bytes, salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
