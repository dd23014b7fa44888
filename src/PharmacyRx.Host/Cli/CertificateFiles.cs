using System.Security.Cryptography;
using System.Text;

namespace PharmacyRx.Host.Cli;

/// <summary>Reads certificate files as pharmacy IT has them: DER, or PEM with one certificate.</summary>
internal static class CertificateFiles
{
    /// <summary>The DER of the file's certificate, or null when the file holds none.</summary>
    public static byte[]? ReadDer(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length > 0 && bytes[0] == 0x30)
        {
            return bytes;
        }
        var text = Encoding.ASCII.GetString(bytes);
        return PemEncoding.TryFind(text, out var fields) && text[fields.Label] is "CERTIFICATE"
            ? Convert.FromBase64String(text[fields.Base64Data])
            : null;
    }
}
