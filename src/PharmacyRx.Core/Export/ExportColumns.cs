using System.Globalization;

namespace PharmacyRx.Core.Export;

/// <summary>What a column holds, so each format can write it as its own kind of value.</summary>
public enum ExportColumnKind
{
    Text,

    /// <summary>A number when the recorded text is one; the text as recorded otherwise.</summary>
    Number,

    /// <summary>A yyyy-MM-dd date when the recorded text is one; the text as recorded otherwise.</summary>
    Date,
}

/// <summary>One column: its header, its kind, its name in the SQLite export, and how it is read from a row.</summary>
public sealed record ExportColumn(string Header, ExportColumnKind Kind, string SqlName, Func<ExportRow, string?> Value);

/// <summary>The columns of every export, in order: the record 1304.04(h)(5) and 1306.22(c) ask for.</summary>
public static class ExportColumns
{
    public static IReadOnlyList<ExportColumn> All { get; } =
    [
        new("Prescription number", ExportColumnKind.Number, "prescription_number", r => r.PrescriptionNumber.ToString(CultureInfo.InvariantCulture)),
        new("Written date", ExportColumnKind.Date, "written_date", r => r.WrittenDate),
        new("Schedule", ExportColumnKind.Text, "schedule", r => r.Schedule),
        new("Patient name", ExportColumnKind.Text, "patient_name", r => r.PatientName),
        new("Patient address", ExportColumnKind.Text, "patient_address", r => r.PatientAddress),
        new("Prescriber name", ExportColumnKind.Text, "prescriber_name", r => r.PrescriberName),
        new("Prescriber address", ExportColumnKind.Text, "prescriber_address", r => r.PrescriberAddress),
        new("Prescriber DEA number", ExportColumnKind.Text, "prescriber_dea_number", r => r.PrescriberDeaNumber),
        new("Drug name", ExportColumnKind.Text, "drug_name", r => r.DrugName),
        new("Strength", ExportColumnKind.Text, "strength", r => r.Strength),
        new("Dosage form", ExportColumnKind.Text, "dosage_form", r => r.DosageForm),
        new("Quantity prescribed", ExportColumnKind.Number, "quantity_prescribed", r => r.QuantityPrescribed),
        new("Quantity unit", ExportColumnKind.Text, "quantity_unit", r => r.QuantityUnit),
        new("Refills authorized", ExportColumnKind.Number, "refills_authorized", r => r.RefillsAuthorized),
        new("Date filled", ExportColumnKind.Date, "date_filled", r => r.DateFilled),
        new("Quantity dispensed", ExportColumnKind.Number, "quantity_dispensed", r => r.QuantityDispensed),
        new("Dispenser", ExportColumnKind.Text, "dispenser", r => r.Dispenser),
        new("Refill number", ExportColumnKind.Number, "refill_number", r => r.RefillNumber?.ToString(CultureInfo.InvariantCulture)),
        new("Status", ExportColumnKind.Text, "status", r => r.Status),
        new("Verification", ExportColumnKind.Text, "verification", r => r.Verification),
    ];

    /// <summary>A plain decimal as written ("30", "2.5", "-1"): what a spreadsheet may take as a number without changing it.</summary>
    public static bool IsPlainNumber(ReadOnlySpan<char> text)
    {
        if (text.Length is 0 or > 15)
        {
            return false;
        }
        var start = text[0] == '-' ? 1 : 0;
        var dot = false;
        var digits = 0;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '.' && !dot && digits > 0)
            {
                dot = true;
                digits = 0;
                continue;
            }
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            digits++;
        }
        // No leading zeros, which a number would drop ("007" stays text).
        return digits > 0 && (text.Length - start == 1 || text[start] != '0' || (text.Length - start > 1 && text[start + 1] == '.'));
    }

    /// <summary>The date of a recorded yyyy-MM-dd text; null for anything else, which is then kept as text.</summary>
    public static DateOnly? AsDate(string? text) =>
        text is { Length: 10 } && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day : null;
}
