using System.Reflection;
using System.Reflection.Emit;

namespace PharmacyRx.Testing;

/// <summary>The members a method's compiled IL names (calls, field loads, constructors, tokens), for the architecture tests.</summary>
public static class IlReferences
{
    // One-byte and two-byte opcodes by value, to walk the IL.
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    /// <summary>Every method and constructor a type declares.</summary>
    public static IEnumerable<MethodBase> MethodsOf(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        return type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all));
    }

    /// <summary>The members <paramref name="method"/>'s IL names, resolved in its generic context.</summary>
    public static IEnumerable<MemberInfo> Of(Module module, MethodBase method)
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
                        // A token of a generic context this walk does not reconstruct.
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
