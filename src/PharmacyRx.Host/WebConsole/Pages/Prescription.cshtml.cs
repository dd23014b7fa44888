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
using PharmacyRx.Storage.Access;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Dispensing;
using PharmacyRx.Storage.Prescriptions;

namespace PharmacyRx.Host.WebConsole.Pages;

/// <summary>
/// One prescription in a pharmacist's words (<see cref="PrescriptionViews"/>, as in the API): its standing as headline,
/// the action it calls for, rarer ones under "More actions". Each POST goes to the API's store
/// (<see cref="PharmacyWorkStore"/>) with its permission; a refusal re-renders with the rule on top, values kept.
/// </summary>
[Authorize(Policy = nameof(Permission.ReadPrescriptions))]
public sealed partial class PrescriptionModel(
    PrescriptionViews views, PharmacyWorkStore work, ArchiveQueries archive, PharmacyClock clock, AccessStore access, PrescriptionSearch search) : PageModel
{
    /// <summary>One as-received element with its label, value in words, and the correction made to it if any.</summary>
    public sealed record Element(string Label, string Value, PrescriptionView.Correction? Correction);

    /// <summary>The values a refused form keeps, and the rule that refused it.</summary>
    public sealed record Refusal(string Form, string Code, string Reason);

    public PrescriptionView View { get; private set; } = null!;

    public IReadOnlyList<Element> Elements { get; private set; } = [];

    public Refusal? Problem { get; private set; }

    /// <summary>The standing the rules give the prescription (what stops dispensing, what remains and by when); null when unread.</summary>
    public PharmacyWorkStore.Standing? Standing { get; private set; }

    /// <summary>The Rx numbers of the records this one's conversation names, by receipt id.</summary>
    public IReadOnlyDictionary<string, long> RxNumbers { get; private set; } = new Dictionary<string, long>();

    /// <summary>What a refused form posted, by field name, so the form shows it again.</summary>
    public IReadOnlyDictionary<string, string> Kept { get; private set; } = new Dictionary<string, string>();

    [TempData]
    public string? Done { get; set; }

    [BindProperty]
    public DispenseForm Dispensing { get; set; } = new();

    /// <summary>The plain annotation types, each with the fields its form asks for.</summary>
    public static IReadOnlyList<(AnnotationType Type, IReadOnlyList<string> Fields)> AnnotationForms { get; } = AnnotationRules.Plain
        // A partial fill is recorded by the dispense form, with its remainder and why (1306.13(a), 21 U.S.C. 829(f)).
        .Where(type => type is not (AnnotationType.PharmacistReview or AnnotationType.PartialFill))
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

        /// <summary>Why a Schedule II prescription is filled in part (a <see cref="PartialFillBasis"/> name), or empty for all that remains.</summary>
        public string? Partial { get; set; }

        /// <summary>Whether <paramref name="basis"/> is the one chosen (none chosen is <see cref="PartialFillBasis.None"/>).</summary>
        public bool Chose(PartialFillBasis basis) =>
            (ExactName.TryParse<PartialFillBasis>(Partial?.Trim(), out var chosen) ? chosen : PartialFillBasis.None) == basis;
    }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        // 1304.22(c): the date dispensed is the pharmacy's date, so the form offers the pharmacy's today.
        Dispensing = new DispenseForm { DateDispensed = clock.Today };
        return await ShowAsync(id, cancellationToken);
    }

    /// <summary>What the form offers before anything is typed: the remaining quantity and the user's own initials (1304.22(c)).</summary>
    private async Task PrefillAsync(CancellationToken cancellationToken)
    {
        if (Dispensing.Quantity is null && Standing?.Remainder is { Remaining: > 0 } remainder)
        {
            Dispensing.Quantity = remainder.RemainingOfThisFill;
        }
        Dispensing.Dispenser ??= await access.InitialsAsync(User.Identity!.Name!, cancellationToken);
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
        ExactName.TryParse<AnnotationType>(type ?? "", out var parsed) && AnnotationForms.Any(form => form.Type == parsed)
            ? AppendAsync(id, $"annotate-{parsed}", parsed, fields ?? [], cancellationToken)
            : RefuseAsync(id, "annotate", "UnknownType", $"an annotation type is one of {string.Join(", ", AnnotationRules.Plain)}", cancellationToken);

    [RequiresPermission(Permission.AlterPrescription)]
    public Task<IActionResult> OnPostCorrectAsync(Guid id, string? field, string? value, string? reason, CancellationToken cancellationToken) =>
        AnnotationRules.CorrectableField(field ?? "") is { } property
            ? AppendAsync(id, "correct", AnnotationType.Correction,
                new Dictionary<string, string> { ["field"] = property.Name, ["value"] = value ?? "", ["reason"] = reason ?? "" }, cancellationToken)
            : RefuseAsync(id, "correct", "UnknownField", $"field is one of {string.Join(", ", CorrectableFields)}", cancellationToken,
                new Dictionary<string, string> { ["value"] = value ?? "", ["reason"] = reason ?? "" });

    [RequiresPermission(Permission.AlterPrescription)]
    public Task<IActionResult> OnPostTransferAsync(Guid id, Dictionary<string, string>? fields, bool confirm, CancellationToken cancellationToken) =>
        confirm
            ? AppendAsync(id, "transfer", AnnotationType.TransferOut, fields ?? [], cancellationToken)
            : RefuseAsync(id, "transfer", "NotConfirmed", $"{TransferConsequence} (1306.25): tick the box that says so to record the transfer", cancellationToken,
                fields ?? []);

    [RequiresPermission(Permission.DeletePrescription)]
    public Task<IActionResult> OnPostVoidAsync(Guid id, string? reason, bool confirm, CancellationToken cancellationToken) =>
        confirm
            ? AppendAsync(id, "void", AnnotationType.Void, new Dictionary<string, string> { ["reason"] = reason ?? "" }, cancellationToken)
            : RefuseAsync(id, "void", "NotConfirmed", $"{VoidConsequence} (1311.200(g)-(h)): tick the box that says so to void it", cancellationToken,
                new Dictionary<string, string> { ["reason"] = reason ?? "" });

    /// <summary>What a transfer does, as its confirmation says it.</summary>
    public const string TransferConsequence = "A transfer voids this prescription here: it can never be dispensed at this pharmacy again";

    /// <summary>What a void does, as its confirmation says it.</summary>
    public const string VoidConsequence = "Voiding ends this prescription for good: it can never be dispensed again";

    [RequiresPermission(Permission.Dispense)]
    public async Task<IActionResult> OnPostDispenseAsync(Guid id, CancellationToken cancellationToken)
    {
        // The form is read as the API reads its body (DispensingInput, one policy for both).
        var input = DispensingInput.Read(Dispensing.Quantity, Dispensing.DateDispensed, Dispensing.Dispenser, Dispensing.Reason, Dispensing.Partial);
        if (input.Request is not { } request)
        {
            return await RefuseAsync(id, "dispense", input.Code, input.Reason, cancellationToken);
        }
        var result = await work.DispenseAsync(id, request, User.Identity!.Name!, cancellationToken);
        return result switch
        {
            { Appended: true } => Finished(id, request.Partial == PartialFillBasis.None
                ? $"Dispensing recorded (refill number {result.RefillNumber.ToString(CultureInfo.InvariantCulture)})."
                : $"Partial fill recorded (refill number {result.RefillNumber.ToString(CultureInfo.InvariantCulture)}); the remainder and its deadline are shown below."),
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
            _ => await RefuseAsync(id, form, result.Code, result.Reason, cancellationToken, fields),
        };
    }

    private RedirectResult Finished(Guid id, string done)
    {
        Done = done;
        return Redirect($"/prescriptions/{id:D}");
    }

    private async Task<IActionResult> RefuseAsync(Guid id, string form, string code, string reason, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? posted = null)
    {
        Problem = new Refusal(form, code, reason);
        Kept = posted ?? new Dictionary<string, string>();
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
        Standing = await work.StandingAsync(id, cancellationToken);
        var numbers = new Dictionary<string, long>();
        foreach (var other in view.Conversation)
        {
            if (Guid.TryParse(other.ReceiptId, out var otherId) && await search.NumberAsync(otherId, cancellationToken) is { } number)
            {
                numbers[other.ReceiptId] = number;
            }
        }
        RxNumbers = numbers;
        await PrefillAsync(cancellationToken);
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
