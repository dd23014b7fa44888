using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Core.Verification;

/// <summary>
/// The sender's side of schemas/practitioner-signature.md: signs canonical signed elements the way a prescriber's
/// application does. Used by the sender simulator and by tests; the pharmacy never signs as a prescriber.
/// </summary>
public static class PrescriberSignature
{
    /// <summary>Signs with the certificate's private key (RSA PKCS#1 v1.5 or ECDSA, DER) and names the chain.</summary>
    public static SignatureBlock Sign(
        ReadOnlySpan<byte> canonicalElements, X509Certificate2 signer, HashAlgorithmName digest, IEnumerable<X509Certificate2> chain)
    {
        var hash = MessageSignatureVerifier.Hash(digest, canonicalElements);
        byte[] signature;
        if (signer.GetRSAPrivateKey() is { } rsa)
        {
            using (rsa)
            {
                signature = rsa.SignHash(hash, digest, RSASignaturePadding.Pkcs1);
            }
        }
        else if (signer.GetECDsaPrivateKey() is { } ecdsa)
        {
            using (ecdsa)
            {
                signature = ecdsa.SignHash(hash, DSASignatureFormat.Rfc3279DerSequence);
            }
        }
        else
        {
            throw new ArgumentException("the signer certificate needs an RSA or ECDSA private key", nameof(signer));
        }
        return new SignatureBlock
        {
            DigestMethod = digest.Name!,
            DigestValue = Convert.ToBase64String(hash),
            SignatureValue = Convert.ToBase64String(signature),
            Certificates = [Convert.ToBase64String(signer.RawData), .. chain.Select(c => Convert.ToBase64String(c.RawData))],
        };
    }

    /// <summary>
    /// Signs a SCRIPT message as a prescriber's application would: reads its canonical signed elements, signs them,
    /// and writes <c>Header/DigitalSignature</c> (replacing any there) into a copy of the message. Throws
    /// <see cref="ArgumentException"/> when the message cannot be read.
    /// </summary>
    public static byte[] SignMessage(
        byte[] message, X509Certificate2 signer, HashAlgorithmName digest, IEnumerable<X509Certificate2> chain, ScriptMessageReader reader)
    {
        var read = reader.Read(message);
        if (read.Message is not { } script)
        {
            throw new ArgumentException($"the message cannot be read: {read.Reason}", nameof(message));
        }
        var block = Sign(SignedElements.FormatUtf8(script.Elements), signer, digest, chain);

        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        using var xml = XmlReader.Create(new MemoryStream(message), settings);
        var document = XDocument.Load(xml, LoadOptions.PreserveWhitespace);
        var ns = document.Root!.Name.Namespace;
        var header = document.Root.Element(ns + "Header")
            ?? throw new ArgumentException("the message has no Header", nameof(message));
        var element = Element(block, ns);
        if (header.Element(ns + "DigitalSignature") is { } existing)
        {
            existing.ReplaceWith(element);
        }
        else if (header.Element(ns + "PrescriberOrderNumber") is { } orderNumber)
        {
            orderNumber.AddBeforeSelf(element);
        }
        else
        {
            header.Add(element);
        }
        using var output = new MemoryStream();
        using (var writer = XmlWriter.Create(output, new XmlWriterSettings { Encoding = new UTF8Encoding(false) }))
        {
            document.Save(writer);
        }
        return output.ToArray();
    }

    /// <summary>The <c>DigitalSignature</c> element for a signature block (schemas/practitioner-signature.md).</summary>
    public static XElement Element(SignatureBlock block, XNamespace ns) => new(ns + "DigitalSignature", new XAttribute("Version", "1.0"),
        new XElement(ns + "DigestMethod", block.DigestMethod),
        new XElement(ns + "DigestValue", block.DigestValue),
        new XElement(ns + "SignatureValue", block.SignatureValue),
        new XElement(ns + "X509Data", block.Certificates.Select(certificate => new XElement(ns + "X509Certificate", certificate))));
}
