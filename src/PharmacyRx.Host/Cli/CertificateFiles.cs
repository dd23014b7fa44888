namespace PharmacyRx.Host.Cli;

/// <summary>Reads certificate files as pharmacy IT has them: DER, or PEM with one certificate.</summary>
internal static class CertificateFiles
{
    /// <summary>The DER of the file's certificate, or null when the file holds none.</summary>
    public static byte[]? ReadDer(string path) => Verification.TrustAdministration.ReadDer(File.ReadAllBytes(path));
}
