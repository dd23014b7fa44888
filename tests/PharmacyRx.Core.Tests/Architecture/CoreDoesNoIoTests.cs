using System.Reflection;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Testing;

namespace PharmacyRx.Core.Tests.Architecture;

/// <summary>
/// Core holds the rules and nothing that touches the world: no file, socket, HTTP or database API is called from it.
/// Read from the compiled IL of every method, so a call cannot hide behind a helper or a using alias.
/// </summary>
public class CoreDoesNoIoTests
{
    // Types whose members do I/O, by full name, and whole namespaces that are I/O. Streams are not among them: Core
    // reads and writes the streams it is handed.
    private static readonly HashSet<string> IoTypes =
    [
        "System.IO.File", "System.IO.Directory", "System.IO.FileInfo", "System.IO.DirectoryInfo", "System.IO.FileStream",
        "System.IO.FileSystemInfo", "System.IO.RandomAccess", "System.Console", "System.Diagnostics.Process",
    ];

    private static readonly string[] IoNamespaces = ["System.Net.Sockets", "System.Net.Http", "System.Data", "Microsoft.Data", "Dapper"];

    [Test]
    public void No_method_in_Core_calls_a_file_socket_HTTP_process_or_database_API()
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var module = typeof(ScriptMessageReader).Assembly.ManifestModule;
        foreach (var type in module.GetTypes())
        {
            foreach (var method in IlReferences.MethodsOf(type))
            {
                foreach (var called in IlReferences.Of(module, method))
                {
                    if (called.DeclaringType is { } declaring && IsIo(declaring))
                    {
                        found.Add($"{type.FullName}.{method.Name} uses {declaring.FullName}.{called.Name}");
                    }
                }
            }
        }

        Assert.That(found, Is.Empty);
    }

    [Test]
    public void The_walker_finds_a_file_call_where_there_is_one()
    {
        var method = typeof(CoreDoesNoIoTests).GetMethod(nameof(ReadsAFile), BindingFlags.NonPublic | BindingFlags.Static)!;

        var called = IlReferences.Of(method.Module, method).Select(member => $"{member.DeclaringType?.FullName}.{member.Name}");

        Assert.That(called, Does.Contain("System.IO.File.ReadAllText"));
    }

    private static string ReadsAFile(string path) => File.ReadAllText(path);

    private static bool IsIo(Type type) =>
        IoTypes.Contains(type.FullName ?? "") || IoNamespaces.Any(ns => (type.Namespace ?? "").StartsWith(ns, StringComparison.Ordinal));
}
