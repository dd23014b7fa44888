using System.Security.Claims;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Access;

namespace PharmacyRx.Host.WebConsole;

/// <summary>
/// The console's pages as the menu lists them, each with the permission its page model requires. A new page (the
/// compliance report for PharmacyAdmin and Auditor is one) is one page file with <c>[Authorize(Policy = …)]</c> and one
/// line here. The first entry a user may open is where they land after signing in.
/// </summary>
public static class ConsoleNavigation
{
    public sealed record Entry(string Path, string Label, Permission Permission);

    public static readonly IReadOnlyList<Entry> Entries =
    [
        new("/queue", "Queue", Permission.ReadPrescriptions),
        new("/search", "Search", Permission.ReadPrescriptions),
        new("/export", "Export", Permission.Export),
        new("/admin/users", "Users", Permission.ManageAccess),
        new("/admin/roles", "Roles", Permission.ManageAccess),
        new("/admin/identity-provider", "Identity provider", Permission.ManageAccess),
        new("/admin/senders", "Senders", Permission.ManageAccess),
        new("/admin/trust", "Trust and CRLs", Permission.ManageTrust),
        new("/admin/backups", "Backups", Permission.RunBackup),
        new("/admin/reports", "Audit reports", Permission.ReadAudit),
        new("/admin/incidents", "Security incidents", Permission.ReadAudit),
        new("/admin/health", "Health", Permission.ReadAudit),
        new("/admin/compliance", "Compliance", Permission.ReadAudit),
    ];

    public static IEnumerable<Entry> For(ClaimsPrincipal user) => Entries.Where(entry => user.May(entry.Permission));

    /// <summary>
    /// Where a signed-in user lands: an inspector (who may export and not annotate) on the export page, their reason to be
    /// here (1304.04(h)(5)); anyone else on their first page, or the password page when they may open none.
    /// </summary>
    public static string Landing(ClaimsPrincipal user) =>
        user.May(Permission.Export) && !user.May(Permission.Annotate) ? "/export" : For(user).FirstOrDefault()?.Path ?? ConsoleSession.PasswordPath;
}
