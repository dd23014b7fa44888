using System.Security.Cryptography.X509Certificates;
using System.Text;
using PharmacyRx.Core.Keys;

namespace PharmacyRx.Host.Keys;

/// <summary>The pharmacy key's files: the key encrypted under the key password and its certificate, as PEM, owner-only (0600).</summary>
public static class PharmacyKeyFiles
{
    /// <summary>Writes the encrypted key and the certificate; neither file may exist already.</summary>
    public static void Save(this PharmacySigningKey key, string keyPath, string certificatePath, ReadOnlySpan<char> password)
    {
        var (keyPem, certificatePem) = key.ToPem(password);
        OwnerOnlyFiles.WriteNew(keyPath, Encoding.ASCII.GetBytes(keyPem));
        OwnerOnlyFiles.WriteNew(certificatePath, Encoding.ASCII.GetBytes(certificatePem));
    }

    /// <summary>Loads the key, then clears <paramref name="password"/> whether or not loading succeeded (1311.205(b)(4)(iv)).</summary>
    public static PharmacySigningKey Load(string keyPath, string certificatePath, char[] password)
    {
        try
        {
            return PharmacySigningKey.FromPem(File.ReadAllText(keyPath), File.ReadAllText(certificatePath), password, keyPath, certificatePath);
        }
        finally
        {
            Array.Clear(password);
        }
    }

    /// <summary>Reads a PEM certificate file.</summary>
    public static X509Certificate2 LoadCertificate(string certificatePath) => PharmacySigningKey.CertificateFromPem(File.ReadAllText(certificatePath));
}
