using System.Runtime.InteropServices;

namespace PharmacyRx.Host.Keys;

/// <summary>
/// Sets the process umask to 077 at start-up, so whatever the process creates — SQLite's database, WAL and SHM files
/// included, which it creates itself — is the service user's alone (1311.205(b)(5)). Linux and macOS; nothing elsewhere.
/// </summary>
internal static class ProcessUmask
{
    private const uint GroupAndOthers = 0b000_111_111; // 077

    public static void RestrictToOwner()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            _ = Umask(GroupAndOthers); // the previous mask; umask cannot fail
        }
    }

    // mode_t is 32 bits on Linux, 16 on macOS; either way the value travels in one register.
    [DllImport("libc", EntryPoint = "umask")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern uint Umask(uint mask);
}
