namespace PharmacyRx.Testing;

/// <summary>The checkout the tests run from: the folder holding PharmacyRx.sln above the test binaries.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(System.IO.Path.Combine(folder.FullName, "PharmacyRx.sln")))
        {
            folder = folder.Parent;
        }
        return folder?.FullName ?? throw new InvalidOperationException("PharmacyRx.sln not found above the test folder");
    }
}
