using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace PharmacyRx.Host.Tests.Storage;

/// <summary>
/// A small tmpfs made for the test (CI runs as root) over a folder, and a ballast file that fills it. Where the file
/// system cannot be made the test says so: ignored, except in CI, where it fails.
/// </summary>
internal sealed class SmallFileSystem : IDisposable
{
    private readonly string _mount;
    private readonly string _ballast;

    private SmallFileSystem(string mount)
    {
        _mount = mount;
        _ballast = Path.Combine(mount, "ballast.bin");
    }

    /// <summary>Moves an installed pharmacy's data folder onto a new tmpfs of <paramref name="size"/>.</summary>
    public static async Task<SmallFileSystem> MountUnderAsync(InstalledPharmacy pharmacy, string size = "12m")
    {
        // Connections pooled by init hold the database open. Moved aside with the folder, they would go on writing to the
        // old file on the big disk, so the service never met the full disk and the archive read back from the tmpfs was empty.
        SqliteConnection.ClearAllPools();
        var mount = pharmacy.Data.Root;
        var held = mount + ".init";
        Directory.Move(mount, held);
        Directory.CreateDirectory(mount);
        var disk = await MountAsync(mount, size, onFailure: () =>
        {
            Directory.Delete(mount);
            Directory.Move(held, mount);
        });
        var (copied, copyError) = await RunAsync("cp", "-a", held + "/.", mount);
        Assert.That(copied, Is.Zero, copyError);
        Directory.Delete(held, recursive: true);
        Assert.That(Path.GetFullPath(pharmacy.Data.DatabasePath), Does.StartWith(Path.GetFullPath(mount) + Path.DirectorySeparatorChar),
            "the database is on the small file system");
        return disk;
    }

    /// <summary>Mounts a new tmpfs of <paramref name="size"/> over an empty folder.</summary>
    public static Task<SmallFileSystem> MountOverAsync(string folder, string size = "12m") => MountAsync(folder, size, onFailure: () => { });

    private static async Task<SmallFileSystem> MountAsync(string mount, string size, Action onFailure)
    {
        var (exit, error) = await RunAsync("mount", "-t", "tmpfs", "-o", $"size={size},mode=0700", "tmpfs", mount);
        if (exit != 0)
        {
            onFailure();
            var reason = $"a small file system cannot be made here (mount -t tmpfs as root): {error.Trim()}";
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                Assert.Fail(reason);
            }
            Assert.Ignore(reason);
        }
        var drive = new DriveInfo(mount);
        Assert.That((drive.DriveFormat, drive.TotalSize < 64L << 20), Is.EqualTo(("tmpfs", true)), "the folder is on the small tmpfs just made");
        return new SmallFileSystem(mount);
    }

    public long FreeBytes => new DriveInfo(_mount).AvailableFreeSpace;

    /// <summary>
    /// Grows the ballast file until a write fails for want of space: nothing is left, whatever was freed since. Called
    /// again after each message, so space the database gives back is taken again and the disk stays full.
    /// </summary>
    public void Fill()
    {
        using var stream = new FileStream(_ballast, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        foreach (var size in new[] { 1 << 20, 64 << 10, 4 << 10, 512, 1 })
        {
            var chunk = new byte[size];
            try
            {
                while (true)
                {
                    stream.Write(chunk);
                }
            }
            catch (IOException)
            {
                // ENOSPC at this chunk size: go on with smaller ones down to a byte.
            }
        }
        Assert.That(FreeBytes, Is.LessThan(4096), "the small file system is full");
    }

    /// <summary>Space comes back.</summary>
    public void Free() => File.Delete(_ballast);

    public void Dispose()
    {
        // Pooled connections hold files on it: closed first, so the plain umount succeeds and nothing is left mounted.
        SqliteConnection.ClearAllPools();
        var (exit, error) = RunAsync("umount", _mount).GetAwaiter().GetResult();
        if (exit != 0)
        {
            TestContext.Progress.WriteLine($"umount {_mount}: {error.Trim()}; detached lazily");
            RunAsync("umount", "-l", _mount).GetAwaiter().GetResult();
        }
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
