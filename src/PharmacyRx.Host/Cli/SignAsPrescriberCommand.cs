using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Verification;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>sign-as-prescriber --key KEY.pem --cert CERT.pem [--chain CA.pem ...] IN.xml OUT.xml</c>: a sender simulator for
/// pharmacy IT and demos. Writes <c>Header/DigitalSignature</c> exactly as a prescriber's application would, over the
/// canonical signed elements (schemas/practitioner-signature.md). The pharmacy never signs as a prescriber in service.
/// </summary>
internal static class SignAsPrescriberCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var key = new Option<string>("--key") { Description = "The prescriber's private key (PEM: PKCS#8, RSA or EC)", Required = true };
        var cert = new Option<string>("--cert") { Description = "The prescriber's certificate (PEM)", Required = true };
        var chain = new Option<string[]>("--chain") { Description = "An issuer certificate to send along (PEM or DER); repeat for each", AllowMultipleArgumentsPerToken = false };
        var digest = new Option<string>("--digest") { Description = "SHA256, SHA384 or SHA512", DefaultValueFactory = _ => "SHA256" };
        digest.AcceptOnlyFromAmong("SHA256", "SHA384", "SHA512");
        var input = new Argument<string>("in") { Description = "SCRIPT XML to sign" };
        var output = new Argument<string>("out") { Description = "Where to write the signed message" };
        var command = new Command("sign-as-prescriber", "Sign a SCRIPT message as a prescriber's application would (sender simulator)")
        {
            key, cert, chain, digest, input, output,
        };
        command.SetAction(parse => Run(
            environment, parse.GetValue(key)!, parse.GetValue(cert)!, parse.GetValue(chain) ?? [], parse.GetValue(digest)!,
            parse.GetValue(input)!, parse.GetValue(output)!));
        return command;
    }

    private static int Run(CliEnvironment environment, string keyFile, string certificateFile, string[] chainFiles, string digest, string input, string output)
    {
        var chain = new List<X509Certificate2>();
        try
        {
            using var signer = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            foreach (var file in chainFiles)
            {
                chain.Add(X509CertificateLoader.LoadCertificate(CertificateFiles.ReadDer(file) ?? throw new ArgumentException($"{file} holds no certificate")));
            }
            var signed = PrescriberSignature.SignMessage(
                File.ReadAllBytes(input), signer, new HashAlgorithmName(digest), chain, new ScriptMessageReader());
            File.WriteAllBytes(output, signed);
            CliJson.WriteLine(environment.Out, new { output, signer = signer.Subject, digest, certificates = 1 + chain.Count });
            return 0;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException or IOException)
        {
            environment.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }
        finally
        {
            chain.ForEach(certificate => certificate.Dispose());
        }
    }
}
