using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Dispensing;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Prescriptions;
using PharmacyRx.Host.Api;
using PharmacyRx.Host.Prescriptions;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Dispensing;

namespace PharmacyRx.Host.WebConsole.Pages;

/// <summary>
/// One prescription in a pharmacist's words (<see cref="PrescriptionViews"/>, as the API's view), and the forms for what
/// the user may do: each POST goes to the store the API calls (<see cref="PharmacyWorkStore"/>), under the API's
/// permission for it. A refusal re-renders the page with the rule beside the form and the values kept.
/// </summary>
[Authorize(Policy = nameof(Permission.ReadPrescriptions))]
public sealed class PrescriptionModel(PrescriptionViews views, PharmacyWorkStore work, ArchiveQueries archive, PharmacyClock clock) : PageModel
{
    /// <summary>One as-received element with its label, value in words, and the correction made to it if any.</summary>
    public sealed record Element(string Label, string Value, PrescriptionView.Correction? Correction);

    /// <summary>The values a refused form keeps, and the rule that refused it.</summary>
    public sealed record Refusal(string Form, string Code, string Reason);

    public PrescriptionView View { get; private set; } = null!;

    public IReadOnlyList<Element> Elements { get; private set; } = [];

    public Refusal? Problem { get; private set; }

    [TempData]
    public string? Done { get; set; }

    [BindProperty]
    public DispenseForm Dispensing { get; set; } = new();

    /// <summary>The plain annotation types, each with the fields its form asks for.</summary>
    public static IReadOnlyList<(AnnotationType Type, IReadOnlyList<string> Fields)> AnnotationForms { get; } = AnnotationRules.Plain
        .Where(type => type != AnnotationType.PharmacistReview)
        .Select(type => (type, AnnotationRules.RequiredFields(type))).ToArray();

    public static IReadOnlyList<string> TransferFields { get; } = AnnotationRules.RequiredFields(AnnotationType.TransferOut);

    public static IReadOnlyList<string> CorrectableFields { get; } = AnnotationRules.CorrectableFields.Select(p => p.Name).ToArray();

    /// <summary>The dispense form, named as the API names its fields.</summary>
    public sealed class DispenseForm
    {
        public decimal? Quantity { get; set; }
        public DateOnly? DateDispensed { get; set; }
        public string? Dispenser { get; set; }
        public string? Reason { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        // 1304.22(c): the date dispensed is the pharmacy's date, so the form offers the pharmacy's today.
        Dispensing = new DispenseForm { DateDispensed = clock.Today };
        return await ShowAsync(id, cancellationToken);
    }

    public async Task<IActionResult> OnGetAsReceivedAsync(Guid id, CancellationToken cancellationToken) =>
        await archive.FindAsync(id.ToString("D"), cancellationToken) is { } record && record.ReceiptId == id.ToString("D")
            ? File(record.AsReceived, "application/xml", $"{record.ReceiptId}.xml")
            : NotFound();

    [RequiresPermission(Permission.Annotate)]
    public Task<IActionResult> OnPostReviewAsync(Guid id, string? note, CancellationToken cancellationToken) =>
        AppendAsync(id, "review", AnnotationType.PharmacistReview, new Dictionary<string, string> { ["note"] = note ?? "" }, cancellationToken);

    [RequiresPermission(Permission.Annotate)]
    public Task<IActionResult> OnPostAnnotateAsync(Guid id, string? type, Dictionary<string, string>? fields, CancellationToken cancellationToken) =>
        ExactName.TryParse<AnnotationType>(type ?? "", out var parsed) && AnnotationRules.Plain.Contains(parsed)
            ? AppendAsync(id, $"annotate-{parsed}", parsed, fields ?? [], cancellationToken)
            : RefuseAsync(id, "annotate", "UnknownType", $"an annotation type is one of {string.Join(", ", AnnotationRules.Plain)}", cancellationToken);

    [RequiresPermission(Permission.AlterPrescription)]
    public Task<IActionResult> OnPostCorrectAsync(Guid id, string? field, string? value, string? reason, CancellationToken cancellationToken) =>
        AnnotationRules.CorrectableField(field ?? "") is { } property
            ? AppendAsync(id, "correct", AnnotationType.Correction,
                new Dictionary<string, string> { ["field"] = property.Name, ["value"] = value ?? "", ["reason"] = reason ?? "" }, cancellationToken)
            : RefuseAsync(id, "correct", "UnknownField", $"field is one of {string.Join(", ", CorrectableFields)}", cancellationToken);

    [RequiresPermission(Permission.AlterPrescription)]
    public Task<IActionResult> OnPostTransferAsync(Guid id, Dictionary<string, string>? fields, CancellationToken cancellationToken) =>
        AppendAsync(id, "transfer", AnnotationType.TransferOut, fields ?? [], cancellationToken);

    [RequiresPermission(Permission.DeletePrescription)]
    public Task<IActionResult> OnPostVoidAsync(Guid id, string? reason, CancellationToken cancellationToken) =>
        AppendAsync(id, "void", AnnotationType.Void, new Dictionary<string, string> { ["reason"] = reason ?? "" }, cancellationToken);

    [RequiresPermission(Permission.Dispense)]
    public async Task<IActionResult> OnPostDispenseAsync(Guid id, CancellationToken cancellationToken)
    {
        if ((Dispensing.Dispenser?.Length ?? 0) > TextLimits.Text || (Dispensing.Reason?.Length ?? 0) > TextLimits.Text)
        {
            return await RefuseAsync(id, "dispense", "TooLong", $"the dispenser and the reason are at most {TextLimits.Text} characters", cancellationToken);
        }
        if (Dispensing is not { Quantity: { } quantity, DateDispensed: { } date })
        {
            return await RefuseAsync(id, "dispense", "Incomplete", "a dispensing needs the quantity and the date dispensed (1304.22(c))", cancellationToken);
        }
        var result = await work.DispenseAsync(id, new DispensingRules.Request(quantity, date, Dispensing.Dispenser ?? "",
            string.IsNullOrWhiteSpace(Dispensing.Reason) ? null : Dispensing.Reason), User.Identity!.Name!, cancellationToken);
        return result switch
        {
            { Appended: true } => Finished(id, $"Dispensing recorded (refill number {result.RefillNumber.ToString(CultureInfo.InvariantCulture)})."),
            { Code: PharmacyWorkStore.NotFound } => NotFound(),
            _ => await RefuseAsync(id, "dispense", result.Code, result.Reason, cancellationToken),
        };
    }

    private async Task<IActionResult> AppendAsync(
        Guid id, string form, AnnotationType type, Dictionary<string, string> fields, CancellationToken cancellationToken)
    {
        if (TextLimits.FieldsRefusal(fields) is { } tooLong)
        {
            return await RefuseAsync(id, form, "TooLong", tooLong, cancellationToken);
        }
        var result = await work.AnnotateAsync(id, type, fields, User.Identity!.Name!, cancellationToken);
        return result switch
        {
            { Appended: true } => Finished(id, $"{Words.Label(type.ToString())} recorded."),
            { Code: PharmacyWorkStore.NotFound } => NotFound(),
            _ => await RefuseAsync(id, form, result.Code, result.Reason, cancellationToken),
        };
    }

    private RedirectResult Finished(Guid id, string done)
    {
        Done = done;
        return Redirect($"/prescriptions/{id:D}");
    }

    private async Task<IActionResult> RefuseAsync(Guid id, string form, string code, string reason, CancellationToken cancellationToken)
    {
        Problem = new Refusal(form, code, reason);
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return await ShowAsync(id, cancellationToken);
    }

    private async Task<IActionResult> ShowAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await views.ViewAsync(id, cancellationToken) is not { } view)
        {
            return NotFound();
        }
        View = view;
        Elements = view.Elements is { } e ? Describe(e, view.Corrections) : [];
        return Page();
    }

    private static Element[] Describe(DeaElements e, IReadOnlyList<PrescriptionView.Correction> corrections)
    {
        PrescriptionView.Correction? Corrected(params string[] fields) =>
            corrections.LastOrDefault(c => fields.Contains(c.Field, StringComparer.OrdinalIgnoreCase));
        return
        [
            new("Patient", e.PatientDisplayName, Corrected(nameof(e.PatientLastName), nameof(e.PatientFirstName), nameof(e.PatientMiddleName))),
            new("Patient date of birth", e.PatientBirthDate, null),
            new("Patient address", e.PatientAddress.OneLine, Corrected(nameof(e.PatientAddress))),
            new("Prescriber", e.PrescriberDisplayName, Corrected(nameof(e.PrescriberLastName), nameof(e.PrescriberFirstName), nameof(e.PrescriberMiddleName))),
            new("Prescriber DEA number", e.PrescriberDeaNumber, Corrected(nameof(e.PrescriberDeaNumber))),
            new("Prescriber NPI", e.PrescriberNpi, null),
            new("Prescriber address", e.PrescriberAddress.OneLine, Corrected(nameof(e.PrescriberAddress))),
            new("Drug", e.DrugDescription, Corrected(nameof(e.DrugDescription))),
            new("Schedule", NcpdpCodes.Schedule(e.DeaScheduleCode), null),
            new("Strength", Words.Amount(e.DrugStrengthValue, e.DrugStrengthUnit), Corrected(nameof(e.DrugStrengthValue), nameof(e.DrugStrengthUnit))),
            new("Dosage form", NcpdpCodes.Describe(e.DosageForm), Corrected(nameof(e.DosageForm))),
            new("Quantity", Words.Amount(e.QuantityValue, e.QuantityUnit), Corrected(nameof(e.QuantityValue), nameof(e.QuantityUnit))),
            new("Directions", e.Directions, Corrected(nameof(e.Directions))),
            new("Written", e.WrittenDate, Corrected(nameof(e.WrittenDate))),
            new("Earliest fill date", e.EarliestFillDate, Corrected(nameof(e.EarliestFillDate))),
            new("Refills authorized", e.NumberOfRefills, Corrected(nameof(e.NumberOfRefills))),
        ];
    }
}
