using PharmacyRx.Core.Dispensing;

namespace PharmacyRx.Core.Tests.Dispensing;

public class AnnotationRulesTests
{
    private static readonly Dictionary<AnnotationType, Dictionary<string, string>> Complete = new()
    {
        [AnnotationType.Note] = new() { ["text"] = "called the prescriber" },
        [AnnotationType.PartialFill] = new() { ["quantityDispensed"] = "5", ["quantityRemaining"] = "15" },
        [AnnotationType.EmergencyOralAuthorization] = new() { ["originalAuthorizationDate"] = "2026-11-20" },
        [AnnotationType.CentralFill] = new()
        {
            ["pharmacyName"] = "Synthetic Central Fill", ["pharmacyAddress"] = "1 Example Way", ["pharmacyDeaNumber"] = "FC1234563",
            ["transmittingPharmacist"] = "A. Pharmacist", ["date"] = "2026-11-22",
        },
        [AnnotationType.TransferOut] = new()
        {
            ["receivingPharmacyName"] = "Synthetic Pharmacy Two", ["receivingPharmacyAddress"] = "2 Example Way", ["receivingPharmacyDeaNumber"] = "FB7654321",
            ["receivingPharmacist"] = "B. Pharmacist", ["transferringPharmacist"] = "A. Pharmacist", ["date"] = "2026-11-22",
        },
        [AnnotationType.RefillAuthorization] = new() { ["additionalRefills"] = "2", ["authorizedBy"] = "Dr Synthetic", ["date"] = "2026-11-22" },
        [AnnotationType.Void] = new() { ["reason"] = "duplicate" },
        [AnnotationType.Correction] = new() { ["field"] = "Directions", ["value"] = "1 tablet daily", ["reason"] = "confirmed with prescriber" },
        [AnnotationType.PharmacistReview] = new() { ["note"] = "signature confirmed by phone" },
        [AnnotationType.Resolution] = new() { ["reason"] = "asked the sender to resend; the garbled copy stays as received" },
    };

    [Test]
    public void Every_type_is_covered()
    {
        Assert.That(Complete.Keys, Is.EquivalentTo(Enum.GetValues<AnnotationType>()));
    }

    [TestCaseSource(nameof(Types))]
    public void A_complete_annotation_is_accepted_and_one_missing_a_field_says_which(AnnotationType type)
    {
        Assert.That(AnnotationRules.Refusal(type, Complete[type]), Is.Null);
        foreach (var field in AnnotationRules.RequiredFields(type))
        {
            var missing = Complete[type].Where(f => f.Key != field).ToDictionary();
            Assert.That(AnnotationRules.Refusal(type, missing), Is.EqualTo($"a {type} annotation needs {field}"));
        }
    }

    [Test]
    public void Dates_quantities_refills_and_unknown_fields_are_checked()
    {
        Assert.That(AnnotationRules.Refusal(AnnotationType.EmergencyOralAuthorization, new Dictionary<string, string> { ["originalAuthorizationDate"] = "22/11/2026" }),
            Is.EqualTo("originalAuthorizationDate must be a date as yyyy-MM-dd"));
        Assert.That(AnnotationRules.Refusal(AnnotationType.PartialFill, new Dictionary<string, string> { ["quantityDispensed"] = "-1", ["quantityRemaining"] = "1" }),
            Is.EqualTo("quantityDispensed must be a quantity of zero or more"));
        Assert.That(AnnotationRules.Refusal(AnnotationType.RefillAuthorization, new Dictionary<string, string> { ["additionalRefills"] = "6", ["authorizedBy"] = "Dr", ["date"] = "2026-11-22" }),
            Does.Contain("1306.22(a)"));
        Assert.That(AnnotationRules.Refusal(AnnotationType.Void, new Dictionary<string, string> { ["reason"] = "x", ["patient"] = "y" }), Is.EqualTo("a Void annotation has no field patient"));
    }

    private static AnnotationType[] Types() => Enum.GetValues<AnnotationType>();
}
