using System.Globalization;
using System.Reflection;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Core.Dispensing;

/// <summary>
/// The fields each annotation type requires and how they are checked, which types are plain, and which prescription
/// fields a correction may name (1311.200(f)). Results are values.
/// </summary>
public static class AnnotationRules
{
    private static readonly Dictionary<AnnotationType, string[]> Required = new()
    {
        [AnnotationType.Note] = ["text"],
        [AnnotationType.PartialFill] = ["quantityDispensed", "quantityRemaining"],
        [AnnotationType.EmergencyOralAuthorization] = ["originalAuthorizationDate"],
        [AnnotationType.CentralFill] = ["pharmacyName", "pharmacyAddress", "pharmacyDeaNumber", "transmittingPharmacist", "date"],
        [AnnotationType.TransferOut] =
            ["receivingPharmacyName", "receivingPharmacyAddress", "receivingPharmacyDeaNumber", "receivingPharmacist", "transferringPharmacist", "date"],
        [AnnotationType.RefillAuthorization] = ["additionalRefills", "authorizedBy", "date"],
        [AnnotationType.Void] = ["reason"],
        [AnnotationType.Correction] = ["field", "value", "reason"],
        [AnnotationType.PharmacistReview] = ["note"],
        [AnnotationType.Resolution] = ["reason"],
    };

    /// <summary>The types appended as they come; corrections, transfers and voids have their own routes and permissions.</summary>
    public static IReadOnlySet<AnnotationType> Plain { get; } = new HashSet<AnnotationType>
    {
        AnnotationType.Note, AnnotationType.PartialFill, AnnotationType.EmergencyOralAuthorization, AnnotationType.CentralFill,
        AnnotationType.RefillAuthorization, AnnotationType.PharmacistReview,
    };

    /// <summary>The prescription fields a correction may name: the 1306.05(a) elements as read.</summary>
    public static IReadOnlyList<PropertyInfo> CorrectableFields { get; } = typeof(DeaElements).GetProperties()
        .Where(p => p.CanWrite && (p.PropertyType == typeof(string) || p.PropertyType == typeof(PostalAddress)))
        .ToArray();

    public static PropertyInfo? CorrectableField(string name) =>
        CorrectableFields.FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    private static readonly HashSet<string> DateFields = ["originalAuthorizationDate", "date"];
    private static readonly HashSet<string> QuantityFields = ["quantityDispensed", "quantityRemaining"];

    /// <summary>The fields a type requires, in the order a form shows them.</summary>
    public static IReadOnlyList<string> RequiredFields(AnnotationType type) => Required[type];

    /// <summary>Why the annotation is refused, or null when its fields are complete and well formed.</summary>
    public static string? Refusal(AnnotationType type, IReadOnlyDictionary<string, string> fields)
    {
        var missing = Required[type].Where(name => !fields.TryGetValue(name, out var value) || string.IsNullOrWhiteSpace(value)).ToArray();
        if (missing.Length > 0)
        {
            return $"a {type} annotation needs {string.Join(", ", missing)}";
        }
        var unknown = fields.Keys.Except(Required[type]).Except(["note"]).ToArray();
        if (unknown.Length > 0)
        {
            return $"a {type} annotation has no field {string.Join(", ", unknown)}";
        }
        foreach (var (name, value) in fields)
        {
            if (value.Length > 2000)
            {
                return $"{name} is longer than 2000 characters";
            }
            if (DateFields.Contains(name) && !DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                return $"{name} must be a date as yyyy-MM-dd";
            }
            if (QuantityFields.Contains(name) && !(decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var quantity) && quantity >= 0))
            {
                return $"{name} must be a quantity of zero or more";
            }
        }
        if (type == AnnotationType.RefillAuthorization
            && !(int.TryParse(fields["additionalRefills"], NumberStyles.None, CultureInfo.InvariantCulture, out var refills) && refills is >= 1 and <= 5))
        {
            return "additionalRefills must be a whole number from 1 to 5 (1306.22(a))";
        }
        return null;
    }
}
