using System.Reflection;
using System.Reflection.Emit;
using PharmacyRx.Core.Receiving;

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

    // One-byte and two-byte opcodes by value, to walk the IL.
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    [Test]
    public void No_method_in_Core_calls_a_file_socket_HTTP_process_or_database_API()
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var module = typeof(ScriptMessageReader).Assembly.ManifestModule;
        foreach (var type in module.GetTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Cast<MethodBase>()
                .Concat(type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)))
            {
                foreach (var called in Referenced(module, method))
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

        var called = Referenced(method.Module, method).Select(member => $"{member.DeclaringType?.FullName}.{member.Name}");

        Assert.That(called, Does.Contain("System.IO.File.ReadAllText"));
    }

    private static string ReadsAFile(string path) => File.ReadAllText(path);

    private static bool IsIo(Type type) =>
        IoTypes.Contains(type.FullName ?? "") || IoNamespaces.Any(ns => (type.Namespace ?? "").StartsWith(ns, StringComparison.Ordinal));

    // The members a method's IL names (calls, field loads, constructors, tokens), resolved in its generic context.
    private static IEnumerable<MemberInfo> Referenced(Module module, MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }
        var typeArguments = method.DeclaringType is { IsGenericType: true } generic ? generic.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var position = 0;
        while (position < il.Length)
        {
            var value = (short)il[position++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[position++]);
            }
            var code = OpCodesByValue[value];
            switch (code.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok or OperandType.InlineType:
                    var token = BitConverter.ToInt32(il, position);
                    MemberInfo? member = null;
                    try
                    {
                        member = module.ResolveMember(token, typeArguments, methodArguments);
                    }
                    catch (ArgumentException)
                    {
                        // A token of a generic context this walk does not reconstruct: not a call into I/O.
                    }
                    if (member is not null)
                    {
                        yield return member;
                    }
                    position += 4;
                    break;
                case OperandType.InlineSwitch:
                    position += 4 + 4 * BitConverter.ToInt32(il, position);
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    position += 8;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    position += 1;
                    break;
                case OperandType.InlineVar:
                    position += 2;
                    break;
                default:
                    position += 4;
                    break;
            }
        }
    }
}
