using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Verification;
using PharmacyRx.Host.Verification;
using PharmacyRx.Storage.Verification;

namespace PharmacyRx.Host.WebConsole.Pages.Admin;

/// <summary>
/// Trusted certification authorities and intermediaries (upload, list, remove) and CRLs (import, list, next update),
/// through <see cref="TrustAdministration"/> and the stores <c>trust</c> and <c>crl</c> use; each change audited there.
/// </summary>
[Authorize(Policy = nameof(Permission.ManageTrust))]
public sealed class TrustModel(TrustAdministration administration, TrustStore trust, CrlStore crls, TimeProvider time, Core.Clock.PharmacyClock clock) : AdminFormPage
{
    /// <summary>The largest file accepted: a certificate or CRL (a CRL of a large authority runs to megabytes).</summary>
    private const long MaxFileBytes = 1 << 20;

    public IReadOnlyList<TrustedCertificate> Trusted { get; private set; } = [];

    public IReadOnlyList<CrlStore.StoredCrl> Crls { get; private set; } = [];

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>
    /// A certification authority's CRL as the page states it (1311.210(c)): the newest one it issued and whether it is
    /// current, or none; null for an intermediary, whose certificate's CRL is its own authority's.
    /// </summary>
    public (string Text, bool Warn)? CrlState(TrustedCertificate certificate)
    {
        if (certificate.Purpose != Core.Verification.TrustPurpose.Anchor)
        {
            return null;
        }
        var issuer = Core.Verification.RevocationList.IssuerNameOf(certificate.Der);
        var newest = Crls.Where(c => c.Issuer == issuer).MaxBy(c => c.ThisUpdate, StringComparer.Ordinal);
        if (newest is null)
        {
            return ("No CRL: signatures under it cannot be checked for revocation until one is imported or fetched", true);
        }
        return newest.NextUpdate is { } next && Core.Receiving.ReceiptSeal.TryParseTimestamp(next, out var at) && at < Now
            ? ($"CRL past its next update ({clock.Format(next)}): not current", true)
            : ($"Current CRL, next update {(newest.NextUpdate is { } due ? clock.Format(due) : "not given")}", false);
    }

    [TempData]
    public string? Done { get; set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostTrustAsync(IFormFile? file, bool intermediary, CancellationToken cancellationToken)
    {
        if (await ReadAsync(file, cancellationToken) is not { } bytes)
        {
            return await RefuseAsync($"choose a certificate file (PEM or DER) of at most {MaxFileBytes} bytes", cancellationToken);
        }
        var result = await administration.TrustAsync(bytes, intermediary, User.Identity!.Name!, cancellationToken);
        if (result.Trusted is not { } trusted)
        {
            return await RefuseAsync(result.Refusal == TrustAdministration.NotAnAuthority
                ? $"{result.Refusal}: tick the intermediary box to trust an intermediary's signing certificate"
                : result.Refusal!, cancellationToken);
        }
        Done = result.Added ? $"Now trusted: {trusted.Subject}." : $"Already trusted: {trusted.Subject}.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRemoveAsync(string? thumbprint, CancellationToken cancellationToken)
    {
        Done = await trust.RemoveAsync(thumbprint ?? "", User.Identity!.Name!, cancellationToken) ? "Removed." : "Not trusted, nothing removed.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostCrlAsync(IFormFile? file, CancellationToken cancellationToken)
    {
        if (await ReadAsync(file, cancellationToken) is not { } bytes)
        {
            return await RefuseAsync($"choose a CRL file (DER or PEM) of at most {MaxFileBytes} bytes", cancellationToken);
        }
        var result = await administration.ImportCrlAsync(bytes, $"import:{Path.GetFileName(file!.FileName)}", User.Identity!.Name!, cancellationToken);
        if (result.List is not { } list)
        {
            return await RefuseAsync($"CRL refused: {result.Refusal}", cancellationToken);
        }
        Done = result.Stored ? $"CRL of {list.Issuer} imported." : $"CRL of {list.Issuer} was already stored.";
        return RedirectToPage();
    }

    private static async Task<byte[]?> ReadAsync(IFormFile? file, CancellationToken cancellationToken)
    {
        if (file is not { Length: > 0 and <= MaxFileBytes })
        {
            return null;
        }
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        Trusted = await trust.ListAsync(cancellationToken);
        Crls = await crls.ListAsync(cancellationToken);
    }
}
