namespace PharmacyRx.Host;

/// <summary>
/// Files and folders holding health data or keys are the service user's alone: files 0600, folders 0700
/// (1311.205(b)(5)); on Windows the folder's ACL governs. The umask (077, set at start-up) covers files others create
/// (SQLite's WAL); these helpers set the mode where the service creates a file, so it is never briefly looser.
/// </summary>
public static class OwnerOnlyFiles
{
    /// <summary>rw------- (0600).</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>rwx------ (0700).</summary>
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates a folder (and any missing parent) 0700; an existing one is left as it is.</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, FolderMode);
        }
    }

    /// <summary>
    /// Creates a folder 0700, or sets an existing one the process owns to 0700 (a data folder made beforehand, say by
    /// systemd's StateDirectory); false when the mode could not be set, which <see cref="FindLoose"/> will then report.
    /// </summary>
    public static bool CreateOrRestrictFolder(string path)
    {
        CreateFolder(path);
        if (OperatingSystem.IsWindows())
        {
            return true;
        }
        try
        {
            File.SetUnixFileMode(path, FolderMode);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Writes a file that must not exist yet, created 0600.</summary>
    public static void WriteNew(string path, ReadOnlySpan<byte> content)
    {
        using var stream = new FileStream(path, Options(System.IO.FileMode.CreateNew));
        stream.Write(content);
    }

    /// <summary>Writes (or replaces) a file, 0600 from its first byte: written beside it, then moved over it.</summary>
    public static async Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var partial = path + ".partial";
        File.Delete(partial);
        await using (var stream = new FileStream(partial, Options(System.IO.FileMode.CreateNew)))
        {
            await stream.WriteAsync(content, cancellationToken);
        }
        File.Move(partial, path, overwrite: true);
    }

    /// <summary>Copies a file to a new file created 0600, whatever the source's mode.</summary>
    public static async Task CopyAsync(string source, string destination, CancellationToken cancellationToken)
    {
        await using var from = File.OpenRead(source);
        await using var to = new FileStream(destination, Options(System.IO.FileMode.CreateNew));
        await from.CopyToAsync(to, cancellationToken);
    }

    /// <summary>Sets an existing file to 0600 (one another library created, such as a database copy).</summary>
    public static void Restrict(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, FileMode);
        }
    }

    /// <summary>
    /// Every file under <paramref name="root"/> that group or others may read or write, and every folder they may enter,
    /// described with its mode ("PATH can be read by group or others (mode 0644)"); empty on Windows.
    /// </summary>
    public static IReadOnlyList<string> FindLoose(string root)
    {
        if (OperatingSystem.IsWindows() || !Directory.Exists(root))
        {
            return [];
        }
        var loose = new List<string>();
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", options).Prepend(root))
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & GroupOrOthers) != 0)
            {
                var what = Directory.Exists(path) ? "folder " + path + " can be entered" : path + " can be read";
                loose.Add($"{what} by group or others (mode {Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0')})");
            }
        }
        return loose;
    }

    private static FileStreamOptions Options(System.IO.FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }
        return options;
    }
}
