using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Keys;
using PharmacyRx.Core.Verification;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Host.Verification;
using PharmacyRx.Storage.Verification;
using PharmacyRx.Testing;

namespace PharmacyRx.Benchmarks;

/// <summary>
/// Practitioner-signature verification (1311.210(c)) on a warm cache next to bare platform RSA-2048 verification in
/// the same run, and end-to-end ingest of signed messages. The PKI is synthetic: root, intermediate, an RSA-2048
/// practitioner, CRLs in the pharmacy's CRL folder.
/// </summary>
internal static class VerificationBenchmark
{
    public sealed record Figures(double BareRsaVerify, double PipelineVerifier, double SignedIngest, int SignedMessages);

    public static async Task<Figures> RunAsync(string folder, int signedMessages, int inFlight)
    {
        var now = DateTimeOffset.UtcNow;
        using var pki = new TestPki(now, "Benchmark");
        var practitioner = pki.IssuePractitioner("Dr Benchmark Prescriber", rsa: true);
        using var key = PharmacySigningKey.Generate("Benchmark Pharmacy", now);
        await using var services = await BenchServices.OpenAsync(folder, key);
        var verification = services.GetRequiredService<SignatureVerification>();
        Directory.CreateDirectory(verification.CrlFolder);
        await File.WriteAllBytesAsync(Path.Combine(verification.CrlFolder, "root.crl"), pki.Crl(pki.Root, []));
        await File.WriteAllBytesAsync(Path.Combine(verification.CrlFolder, "intermediate.crl"), pki.Crl(pki.Intermediate, []));
        await services.GetRequiredService<TrustStore>().AddAsync(new TrustedCertificate(
            pki.Root.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant(), TrustPurpose.Anchor, pki.Root.Subject,
            pki.Root.NotAfter.ToUniversalTime(), pki.Root.RawData), "bench", CancellationToken.None);
        await verification.ReloadAsync(CancellationToken.None);

        Console.WriteLine($"signing {signedMessages:N0} messages with RSA-2048 (SHA-256) for the signed-ingest run ...");
        var sentTime = now.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var messages = new byte[signedMessages][];
        Parallel.For(0, signedMessages, i => messages[i] = new SyntheticNewRx
        {
            MessageId = $"SIGNED-{i:D8}",
            PrescriberOrderNumber = $"ORD-S-{i:D8}",
            SentTime = sentTime,
        }.SignedBy(practitioner, HashAlgorithmName.SHA256, pki.Intermediate).ToBytes());

        var reader = new ScriptMessageReader();
        var sample = messages.Take(2_000).Select(m => reader.Read(m).Message!).ToArray();
        var canonical = sample.Select(m => SignedElements.Format(m.Elements)).ToArray();
        const int Rounds = 10;

        // Bare: the same digest-and-verify the verifier does, with a key already in hand.
        using var rsa = practitioner.GetRSAPublicKey()!;
        var digests = canonical.Select(c => SHA256.HashData(Encoding.UTF8.GetBytes(c))).ToArray();
        var signatures = sample.Select(m => Convert.FromBase64String(m.Header.Signature.SignatureValue)).ToArray();
        double Bare()
        {
            var clock = Stopwatch.StartNew();
            for (var round = 0; round < Rounds; round++)
            {
                for (var i = 0; i < sample.Length; i++)
                {
                    if (!rsa.VerifyHash(digests[i], signatures[i], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
                    {
                        throw new InvalidOperationException("bare verify failed");
                    }
                }
            }
            return Rounds * sample.Length / clock.Elapsed.TotalSeconds;
        }

        // Through the pipeline's verifier: digest of the canonical elements, signature, cached path and CRL results.
        async Task<double> Verifier()
        {
            var clock = Stopwatch.StartNew();
            for (var round = 0; round < Rounds; round++)
            {
                for (var i = 0; i < sample.Length; i++)
                {
                    var verdict = await verification.VerifyAsync(sample[i], canonical[i], now, recheck: false, CancellationToken.None);
                    if (verdict.Status != PrescriptionStatus.VerifiedOnReceipt)
                    {
                        throw new InvalidOperationException($"verifier said {verdict.Status}: {verdict.Reason}");
                    }
                }
            }
            return Rounds * sample.Length / clock.Elapsed.TotalSeconds;
        }

        Bare();
        await Verifier();
        var bare = Bare();
        var verifier = await Verifier();

        var pipeline = services.GetRequiredService<ReceiptPipeline>();
        var next = -1;
        var ingestClock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < messages.Length; i = Interlocked.Increment(ref next))
            {
                var result = await pipeline.ReceiveAsync(messages[i], ReceiptSource.Bus("bench"), CancellationToken.None);
                if (result.Status is not PrescriptionStatus.VerifiedOnReceipt)
                {
                    throw new InvalidOperationException($"unexpected outcome {result.Status} for signed message {i}: {result.Reason}");
                }
            }
        })));
        var ingest = messages.Length / ingestClock.Elapsed.TotalSeconds;
        var verifierCounts = services.GetRequiredService<PrescriptionVerifier>();
        Console.WriteLine($"verifier: {verifierCounts.PathBuilds} path build(s), {verifierCounts.RevocationChecks} revocation check(s) with BouncyCastle in all");
        return new Figures(bare, verifier, ingest, messages.Length);
    }
}
