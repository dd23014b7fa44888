using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Cli;
using PharmacyRx.Host.Keys;

namespace PharmacyRx.Host.WebConsole.Pages.Admin;

/// <summary>Backups (1311.205(b)(17)): the list, run one now, verify one against the live key history (as <c>backup verify</c>).</summary>
[Authorize(Policy = nameof(Permission.RunBackup))]
public sealed class BackupsModel(BackupService backups, PharmacyKeyHistory keys, IConfiguration configuration) : PageModel
{
    public IReadOnlyList<(string Path, DateTimeOffset TakenAt)> Backups { get; private set; } = [];

    public (string Name, IReadOnlyList<string> Problems)? Verified { get; private set; }

    [TempData]
    public string? Done { get; set; }

    public void OnGet() => Backups = backups.List();

    public async Task<IActionResult> OnPostRunAsync(CancellationToken cancellationToken)
    {
        var folder = await backups.RunAsync(User.Identity!.Name!, cancellationToken);
        Done = $"Backup {Path.GetFileName(folder)} completed.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostVerifyAsync(string? name, CancellationToken cancellationToken)
    {
        Backups = backups.List();
        // Only a backup the list holds is opened: a name from the form never becomes a path by itself.
        if (Backups.FirstOrDefault(b => Path.GetFileName(b.Path) == name) is not { Path: { Length: > 0 } path })
        {
            return NotFound();
        }
        Verified = (name!, await BackupService.CheckFolderAsync(path, configuration, keys, cancellationToken));
        return Page();
    }
}
