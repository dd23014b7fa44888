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

/// <summary>One column: its header and its name in the SQLite export, and what it holds.</summary>
public sealed record ExportColumn(string Header, ExportColumnKind Kind, string SqlName);

/// <summary>The columns of every export, in order: the record 1304.04(h)(5) and 1306.22(c) ask for.</summary>
public static class ExportColumns
{
    public static IReadOnlyList<ExportColumn> All { get; } =
    [
        new("Prescription number", ExportColumnKind.Number, "prescription_number"),
        new("Written date", ExportColumnKind.Date, "written_date"),
        new("Schedule", ExportColumnKind.Text, "schedule"),
        new("Patient name", ExportColumnKind.Text, "patient_name"),
        new("Patient address", ExportColumnKind.Text, "patient_address"),
        new("Prescriber name", ExportColumnKind.Text, "prescriber_name"),
        new("Prescriber address", ExportColumnKind.Text, "prescriber_address"),
        new("Prescriber DEA number", ExportColumnKind.Text, "prescriber_dea_number"),
        new("Drug name", ExportColumnKind.Text, "drug_name"),
        new("Strength", ExportColumnKind.Text, "strength"),
        new("Dosage form", ExportColumnKind.Text, "dosage_form"),
        new("Quantity prescribed", ExportColumnKind.Number, "quantity_prescribed"),
        new("Quantity unit", ExportColumnKind.Text, "quantity_unit"),
        new("Refills authorized", ExportColumnKind.Number, "refills_authorized"),
        new("Date filled", ExportColumnKind.Date, "date_filled"),
        new("Quantity dispensed", ExportColumnKind.Number, "quantity_dispensed"),
        new("Dispenser", ExportColumnKind.Text, "dispenser"),
        new("Refill number", ExportColumnKind.Number, "refill_number"),
        new("Status", ExportColumnKind.Text, "status"),
        new("Verification", ExportColumnKind.Text, "verification"),

        // The transaction the prescription came in (NewRx, or an approved RxRenewalResponse or RxChangeResponse), named
        // as the queue and search name it: under SCRIPT 2017071 an approved renewal or change is a prescription of its own.
        new("Transaction", ExportColumnKind.Text, "transaction_kind"),

        // The codes above kept as sent (an inspector may match them against the message), and beside them in words, as
        // the console shows them (NcpdpCodes): "5 C28253" is "5 mg".
        new("Strength in words", ExportColumnKind.Text, "strength_words"),
        new("Dosage form in words", ExportColumnKind.Text, "dosage_form_words"),
        new("Quantity unit in words", ExportColumnKind.Text, "quantity_unit_words"),

        // Where the prescription stands now (Storage.Prescriptions.Standing): what ended it, fully dispensed, a pharmacist's
        // review of one that needed it, else its current verification status. A CII reviewed and dispensed reads
        // "Reviewed by a pharmacist", not NeedsPharmacistReview.
        new("Standing", ExportColumnKind.Text, "standing"),
    ];

    /// <summary>The number of columns, 25.</summary>
    public static int Count => All.Count;

    /// <summary>A plain decimal as written ("30", "2.5", "-1"): what a spreadsheet may take as a number without changing it.</summary>
    public static bool IsPlainNumber(ReadOnlySpan<byte> text)
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
            if (!char.IsAsciiDigit((char)c))
            {
                return false;
            }
            digits++;
        }
        // No leading zeros, which a number would drop ("007" stays text).
        return digits > 0 && (text.Length - start == 1 || text[start] != '0' || (text.Length - start > 1 && text[start + 1] == '.'));
    }

    /// <summary>The date of a recorded yyyy-MM-dd text; null for anything else, which is then kept as text.</summary>
    public static DateOnly? AsDate(ReadOnlySpan<byte> text)
    {
        if (text.Length != 10 || text[4] != '-' || text[7] != '-')
        {
            return null;
        }
        Span<char> chars = stackalloc char[10];
        for (var i = 0; i < 10; i++)
        {
            chars[i] = (char)text[i];
        }
        return DateOnly.TryParseExact(chars, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;
    }
}
