using System.Text;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Verification;
using PharmacyRx.Storage.Verification;

namespace PharmacyRx.Host.Verification;

/// <summary>
/// The pharmacy's verification as configured: trust from <see cref="TrustStore"/>, CRLs from the database, CRL folder
/// and distribution points, applied by <see cref="PrescriptionVerifier"/>. Loaded on first use, reloaded by
/// <see cref="ReloadAsync"/>, so another process's <c>trust add</c> or <c>crl import</c> arrives at the next refresh.
/// </summary>
public sealed partial class SignatureVerification(
    PrescriptionVerifier verifier,
    CrlCache crls,
    TrustStore trust,
    CrlStore crlStore,
    ICrlFetcher fetcher,
    VerificationOptions options,
    DataFolder data,
    TimeProvider time,
    ILogger<SignatureVerification> logger) : IDisposable
{
    public const string FolderActor = "system:crl-folder";

    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile bool _loaded;

    public string CrlFolder => string.IsNullOrWhiteSpace(options.CrlFolder) ? Path.Combine(data.Root, "crls") : options.CrlFolder;

    /// <summary>Verifies a received message's signature block (1311.210(c)).</summary>
    public async ValueTask<VerificationVerdict> VerifyAsync(
        ScriptMessage message, string canonicalElements, DateTimeOffset receivedAt, bool recheck, CancellationToken cancellationToken)
    {
        if (!_loaded)
        {
            await EnsureLoadedAsync(cancellationToken);
        }
        return await verifier.VerifyAsync(
            message.Header.Signature, Encoding.UTF8.GetBytes(canonicalElements), message.Header.SentTime, receivedAt, time.GetUtcNow(),
            recheck, cancellationToken);
    }

    /// <summary>Reloads trust and CRLs (database and folder); CRL files not stored before are stored, audited.</summary>
    public Task ReloadAsync(CancellationToken cancellationToken) => LoadAsync(onlyIfNotLoaded: false, cancellationToken);

    private async Task LoadAsync(bool onlyIfNotLoaded, CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (onlyIfNotLoaded && _loaded)
            {
                return;
            }
            verifier.UseTrust(await trust.ListAsync(cancellationToken));
            foreach (var (der, source) in await crlStore.ReadRecentAsync(cancellationToken))
            {
                if (RevocationList.TryParse(der, source, out var list, out _))
                {
                    crls.Add(list!);
                }
            }
            if (Directory.Exists(CrlFolder))
            {
                foreach (var file in Directory.EnumerateFiles(CrlFolder, "*.crl").Order(StringComparer.Ordinal))
                {
                    if (RevocationList.TryParse(await File.ReadAllBytesAsync(file, cancellationToken), $"folder:{Path.GetFileName(file)}", out var list, out var reason))
                    {
                        crls.Add(list!);
                        await crlStore.AddAsync(list!, FolderActor, cancellationToken);
                    }
                    else
                    {
                        LogUnreadableCrl(logger, Path.GetFileName(file), reason);
                    }
                }
            }
            _loaded = true;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>Fetches again the CRLs from distribution points whose nextUpdate is near, so they never lapse while in use.</summary>
    public async Task RefreshExpiringAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var due = crls.All
            .GroupBy(list => list.Issuer)
            .Select(lists => lists.OrderByDescending(l => l.ThisUpdate).First())
            .Where(newest => newest.NextUpdate is { } next && next - now < options.RefreshAhead
                && Uri.TryCreate(newest.Source, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            .Select(newest => new Uri(newest.Source))
            .ToArray();
        foreach (var uri in due)
        {
            var fetched = await fetcher.FetchAsync([uri], cancellationToken);
            if (fetched.List is { } list)
            {
                crls.Add(list);
            }
        }
    }

    private Task EnsureLoadedAsync(CancellationToken cancellationToken) => LoadAsync(onlyIfNotLoaded: true, cancellationToken);

    public void Dispose() => _loading.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "CRL file {File} in the CRL folder is not usable: {Reason}")]
    private static partial void LogUnreadableCrl(ILogger logger, string file, string reason);
}
