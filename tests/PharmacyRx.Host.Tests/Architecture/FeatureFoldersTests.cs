using System.Reflection;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Architecture;

/// <summary>
/// One home per feature: Core, Storage and Host name their folders (namespaces) from one list, so a rule, its store and
/// its endpoint sit under one name; the adapters (API, console, command line, bus) are Host's alone and no feature
/// reaches into them. The "Where a change goes" table in README.md follows this list.
/// </summary>
public class FeatureFoldersTests
{
    private static readonly string[] Features =
    [
        "Access", "Archive", "Audit", "Backup", "Clock", "Compliance", "Dispensing", "Export", "Health", "Integrity", "Keys",
        "Prescriptions", "Receiving", "Verification",
        // The bus's message contracts: their namespace is part of each message's name on the wire, so it keeps its name.
        "Contracts",
        "Operations",
    ];

    private static readonly string[] Adapters = ["Api", "Cli", "WebConsole", "Messaging"];

    private static readonly Assembly[] Projects =
    [
        typeof(Core.Receiving.ScriptMessageReader).Assembly, typeof(PharmacyRx.Storage.Database).Assembly, typeof(PharmacyRxServices).Assembly,
    ];

    [Test]
    public void Every_folder_of_Core_Storage_and_Host_is_a_feature_of_the_list_and_adapters_are_in_Host_only()
    {
        var strays = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var project in Projects)
        {
            var root = project.GetName().Name!;
            var allowed = project == typeof(PharmacyRxServices).Assembly ? Features.Concat(Adapters).ToArray() : Features;
            foreach (var folder in project.GetTypes().Select(type => FolderOf(root, type)).OfType<string>().Distinct())
            {
                if (!allowed.Contains(folder))
                {
                    strays.Add($"{root}.{folder}");
                }
            }
        }

        Assert.That(strays, Is.Empty, "a new folder takes a feature's name from the list (or the list grows, with the README's table)");
    }

    [Test]
    public void No_feature_or_other_adapter_calls_into_an_adapter()
    {
        // The console and the command line map to the features as the API does, never through the API's own code.
        var host = typeof(PharmacyRxServices).Assembly;
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in host.GetTypes().Where(type => FolderOf("pharmacyrx", type) is not null))
        {
            var own = FolderOf("pharmacyrx", type);
            foreach (var method in IlReferences.MethodsOf(type))
            {
                foreach (var member in IlReferences.Of(host.ManifestModule, method))
                {
                    if (member.DeclaringType is { } declaring && declaring.Assembly == host && FolderOf("pharmacyrx", declaring) is { } target
                        && Adapters.Contains(target) && target != own)
                    {
                        found.Add($"{type.FullName}.{method.Name} uses {declaring.FullName}.{member.Name}");
                    }
                }
            }
        }

        Assert.That(found, Is.Empty, "a rule an adapter needs lives in its feature's folder, and the adapter maps to it");
    }

    // The folder under the project's root namespace (PharmacyRx.Host.Receiving -> Receiving); null for the root itself.
    private static string? FolderOf(string assemblyName, Type type)
    {
        var root = assemblyName == "pharmacyrx" ? "PharmacyRx.Host" : assemblyName;
        var ns = type.Namespace ?? "";
        return ns.StartsWith(root + ".", StringComparison.Ordinal) ? ns[(root.Length + 1)..].Split('.')[0] : null;
    }
}
