using System.Diagnostics;

namespace PharmacyRx.Host.Tests.Storage;

/// <summary>
/// An installed pharmacy whose data folder is moved onto a 12 MB tmpfs made for the test (CI runs as root), and a ballast
/// file that fills it. Where the file system cannot be made the test says so: ignored, except in CI, where it fails.
/// </summary>
internal sealed class SmallFileSystem : IDisposable
{
    private readonly string _mount;
    private string? _ballast;

    private SmallFileSystem(string mount) => _mount = mount;

    public static async Task<SmallFileSystem> MountUnderAsync(InstalledPharmacy pharmacy, string size = "12m")
    {
        var mount = pharmacy.Data.Root;
        var held = mount + ".init";
        Directory.Move(mount, held);
        Directory.CreateDirectory(mount);
        var (exit, error) = await RunAsync("mount", "-t", "tmpfs", "-o", $"size={size},mode=0700", "tmpfs", mount);
        if (exit != 0)
        {
            Directory.Delete(mount);
            Directory.Move(held, mount);
            var reason = $"a small file system cannot be made here (mount -t tmpfs as root): {error.Trim()}";
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                Assert.Fail(reason);
            }
            Assert.Ignore(reason);
        }
        var (copied, copyError) = await RunAsync("cp", "-a", held + "/.", mount);
        Assert.That(copied, Is.Zero, copyError);
        Directory.Delete(held, recursive: true);
        return new SmallFileSystem(mount);
    }

    public long FreeBytes => new DriveInfo(_mount).AvailableFreeSpace;

    /// <summary>Writes a ballast file until the file system is full (or only <paramref name="leave"/> bytes are free).</summary>
    public void Fill(long leave = 0)
    {
        _ballast = Path.Combine(_mount, "ballast.bin");
        var chunk = new byte[16 * 1024];
        using var stream = new FileStream(_ballast, FileMode.Append, FileAccess.Write, FileShare.None, 0);
        try
        {
            while (FreeBytes > leave + chunk.Length)
            {
                stream.Write(chunk);
                stream.Flush();
            }
            if (leave == 0)
            {
                stream.Write(new byte[1024 * 1024]);
                stream.Flush();
            }
        }
        catch (IOException)
        {
            // full
        }
    }

    /// <summary>Space comes back.</summary>
    public void Free()
    {
        if (_ballast is not null)
        {
            File.Delete(_ballast);
        }
    }

    public void Dispose()
    {
        var (exit, _) = RunAsync("umount", "-l", _mount).GetAwaiter().GetResult();
        Assert.That(exit, Is.Zero, $"umount {_mount}");
    }

    private static async Task<(int Exit, string Error)> RunAsync(string file, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, error);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }
}
