using System.Text;

namespace PharmacyRx.Core.Receiving;

/// <summary>
/// The canonical signed-elements string: the contract with senders, documented in
/// <c>schemas/signed-elements.md</c>. A practitioner's signature and the pharmacy's receipt signature both cover it,
/// so a structural conversion between SCRIPT versions (1311.170(e)) does not break either.
/// </summary>
/// <remarks>
/// Form: UTF-8, one <c>Name:value</c> line per element in the fixed order of <see cref="Definitions"/>, each line
/// ended by LF (0x0A), no BOM. Values are trimmed, runs of whitespace collapsed to one space, and NFC-normalised;
/// an absent element is present with an empty value. Because values cannot contain LF after collapsing, and names
/// contain no colon, the string parses back unambiguously.
/// </remarks>
public static class SignedElements
{
    /// <summary>Version of the canonical form; the first line of every canonical string.</summary>
    public const string Version = "1";

    /// <summary>One element of the canonical string: its line name, how to read it, and whether 1306.05(a) requires it.</summary>
    public sealed record Definition(string Name, Func<DeaElements, string> Value, bool RequiredByRegulation);

    /// <summary>The fixed order of the canonical string. Changing it is a new <see cref="Version"/>.</summary>
    public static IReadOnlyList<Definition> Definitions { get; } =
    [
        new("PrescriberDEANumber", e => e.PrescriberDeaNumber, true),
        new("PrescriberLastName", e => e.PrescriberLastName, true),
        new("PrescriberFirstName", e => e.PrescriberFirstName, true),
        new("PrescriberMiddleName", e => e.PrescriberMiddleName, false),
        new("PrescriberAddressLine1", e => e.PrescriberAddress.Line1, true),
        new("PrescriberAddressLine2", e => e.PrescriberAddress.Line2, false),
        new("PrescriberCity", e => e.PrescriberAddress.City, true),
        new("PrescriberStateProvince", e => e.PrescriberAddress.StateProvince, true),
        new("PrescriberPostalCode", e => e.PrescriberAddress.PostalCode, true),
        new("PatientLastName", e => e.PatientLastName, true),
        new("PatientFirstName", e => e.PatientFirstName, true),
        new("PatientMiddleName", e => e.PatientMiddleName, false),
        new("PatientAddressLine1", e => e.PatientAddress.Line1, true),
        new("PatientAddressLine2", e => e.PatientAddress.Line2, false),
        new("PatientCity", e => e.PatientAddress.City, true),
        new("PatientStateProvince", e => e.PatientAddress.StateProvince, true),
        new("PatientPostalCode", e => e.PatientAddress.PostalCode, true),
        new("DrugDescription", e => e.DrugDescription, true),
        new("DrugStrengthValue", e => e.DrugStrengthValue, true),
        new("DrugStrengthUnit", e => e.DrugStrengthUnit, false),
        new("DosageForm", e => e.DosageForm, true),
        new("QuantityValue", e => e.QuantityValue, true),
        new("QuantityUnit", e => e.QuantityUnit, false),
        new("Directions", e => e.Directions, true),
        new("WrittenDate", e => e.WrittenDate, true),
        new("NumberOfRefills", e => e.NumberOfRefills, false),
        new("DEASchedule", e => e.DeaScheduleCode, false),
    ];

    /// <summary>Builds the canonical string for the elements.</summary>
    public static string Format(DeaElements elements)
    {
        var text = new StringBuilder(1024);
        text.Append("SignedElementsVersion:" + Version + "\n");
        foreach (var definition in Definitions)
        {
            text.Append(definition.Name).Append(':').Append(definition.Value(elements)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The canonical string as the exact bytes that are hashed and signed.</summary>
    public static byte[] FormatUtf8(DeaElements elements) => Encoding.UTF8.GetBytes(Format(elements));

    /// <summary>
    /// The 1306.05(a) elements absent from a controlled-substance prescription, by canonical name; empty when the
    /// prescription is complete or not controlled (1311.205(b)(9): verify presence or show the pharmacist).
    /// </summary>
    public static IReadOnlyList<string> MissingRequired(DeaElements elements) => elements.IsControlled
        ? Definitions.Where(d => d.RequiredByRegulation && d.Value(elements).Length == 0).Select(d => d.Name).ToArray()
        : [];

    /// <summary>Trims, collapses inner whitespace runs to one space and NFC-normalises, as the canonical form requires.</summary>
    public static string Normalize(ReadOnlySpan<char> raw)
    {
        var trimmed = raw.Trim();
        if (trimmed.IsEmpty)
        {
            return "";
        }
        // Most values are single-spaced ASCII, which is already collapsed and already NFC.
        var ascii = System.Text.Ascii.IsValid(trimmed);
        if (ascii && !NeedsCollapse(trimmed))
        {
            return trimmed.ToString();
        }
        var text = new StringBuilder(trimmed.Length);
        var inWhitespace = false;
        foreach (var c in trimmed)
        {
            if (char.IsWhiteSpace(c))
            {
                inWhitespace = true;
                continue;
            }
            if (inWhitespace)
            {
                text.Append(' ');
                inWhitespace = false;
            }
            text.Append(c);
        }
        var collapsed = text.ToString();
        return ascii || collapsed.IsNormalized(NormalizationForm.FormC) ? collapsed : collapsed.Normalize(NormalizationForm.FormC);
    }

    private static bool NeedsCollapse(ReadOnlySpan<char> trimmed)
    {
        for (var i = 0; i < trimmed.Length; i++)
        {
            if (char.IsWhiteSpace(trimmed[i]) && (trimmed[i] != ' ' || char.IsWhiteSpace(trimmed[i + 1])))
            {
                return true;
            }
        }
        return false;
    }
}
