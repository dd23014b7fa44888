using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace PharmacyRx.Host.Receiving;

/// <summary>
/// Opens an inbox file only if it is a regular file the service user owns, never through a link nor blocking on a FIFO
/// or device. On Linux the opened descriptor is checked (<c>open(2)</c> <c>O_NOFOLLOW|O_NONBLOCK</c>, <c>statx(2)</c>
/// <c>AT_EMPTY_PATH</c>): what is checked is what is read. Elsewhere only links are refused.
/// </summary>
internal static class InboxFile
{
    private const int OpenNonBlock = 0x800;
    private const int OpenCloseOnExec = 0x80000;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxTypeModeUidSize = 0x1 | 0x2 | 0x8 | 0x200;
    private const int FileTypeMask = 0xF000;
    private const int RegularFile = 0x8000;
    private const int ErrorTooManyLinks = 40;   // ELOOP: the last component is a symbolic link
    private const int ErrorNotFound = 2;        // ENOENT

    // O_NOFOLLOW differs by architecture: 0x8000 on ARM, 0x20000 on x86.
    private static int OpenNoFollow => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

    /// <summary>An opened inbox file, or why it is refused; null handle and null refusal when it vanished.</summary>
    public sealed record Opened(SafeFileHandle? Handle, long Length, string? Refusal) : IDisposable
    {
        public void Dispose() => Handle?.Dispose();
    }

    public static Opened Open(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            var info = new FileInfo(path);
            return info.LinkTarget is not null
                ? new Opened(null, 0, "a symbolic link")
                : new Opened(File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read), info.Length, null);
        }

        var fd = open(Encoding.UTF8.GetBytes(path + "\0"), OpenNoFollow | OpenNonBlock | OpenCloseOnExec);
        if (fd < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            return error switch
            {
                ErrorTooManyLinks => new Opened(null, 0, "a symbolic link"),
                ErrorNotFound => new Opened(null, 0, null),
                _ => new Opened(null, 0, $"cannot be opened (errno {error})"),
            };
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        var status = new byte[256];
        if (statx(fd, [0], AtEmptyPath, StatxTypeModeUidSize, status) != 0)
        {
            handle.Dispose();
            return new Opened(null, 0, $"cannot be examined (errno {Marshal.GetLastPInvokeError()})");
        }
        var uid = BitConverter.ToUInt32(status, 20);
        var mode = BitConverter.ToUInt16(status, 28);
        var size = BitConverter.ToInt64(status, 40);
        string? refusal = (mode & FileTypeMask) != RegularFile ? $"not a regular file (type {(mode & FileTypeMask) >> 12:x})"
            : uid != geteuid() ? $"owned by user {uid}, not the service user"
            : null;
        if (refusal is not null)
        {
            handle.Dispose();
            return new Opened(null, 0, refusal);
        }
        return new Opened(handle, size, null);
    }

    // DllImport rather than LibraryImport: the arrays are blittable, so this needs no unsafe code in the project.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int open(byte[] path, int flags);

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int statx(int dirfd, byte[] path, int flags, uint mask, [Out] byte[] buffer);

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint geteuid();
}
