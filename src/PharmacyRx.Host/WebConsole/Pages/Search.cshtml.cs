using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Prescriptions;
using PharmacyRx.Storage.Prescriptions;

namespace PharmacyRx.Host.WebConsole.Pages;

/// <summary>
/// Search by the patient's name (its words in any order) and date of birth, prescriber, drug, dispensed dates, number,
/// status and schedule: the API's query and store.
/// </summary>
[Authorize(Policy = nameof(Permission.ReadPrescriptions))]
[BindProperties(SupportsGet = true)]
public sealed class SearchModel(PrescriptionSearch search) : PageModel
{
    public const int PageSize = 50;

    public string? Patient { get; set; }
    public string? Prescriber { get; set; }
    public string? Drug { get; set; }
    public DateOnly? DispensedFrom { get; set; }
    public DateOnly? DispensedTo { get; set; }
    public long? Number { get; set; }
    public DateOnly? BirthDate { get; set; }
    public string? Status { get; set; }
    public string? Schedule { get; set; }
    public string Sort { get; set; } = nameof(PrescriptionSort.Received);
    public bool Descending { get; set; } = true;

    [BindProperty(Name = "page", SupportsGet = true)]
    public int PageNumber { get; set; } = 1;

    public string? Problem { get; private set; }

    /// <summary>Whether a filter behind "More filters" is set, so the row opens with it shown.</summary>
    public bool MoreFilters => !string.IsNullOrWhiteSpace(Prescriber) || !string.IsNullOrWhiteSpace(Drug) || DispensedFrom is not null
        || DispensedTo is not null || !string.IsNullOrWhiteSpace(Schedule);

    public PrescriptionSearch.Page? Results { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
        var (query, problem) = SearchRequest.Check(new PrescriptionQuery
        {
            Patient = Given(Patient),
            Prescriber = Given(Prescriber),
            Drug = Given(Drug),
            DispensedFrom = DispensedFrom,
            DispensedTo = DispensedTo,
            Schedule = Given(Schedule),
            PrescriptionNumber = Number,
            BirthDate = BirthDate,
            Descending = Descending,
            Page = PageNumber,
            PageSize = PageSize,
        }, Given(Sort), Given(Status));
        if (query is null)
        {
            Problem = problem!.Value.Detail;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        Results = await search.SearchAsync(query, cancellationToken);
    }

    /// <summary>This search's filters with another order or page, for the column and page links.</summary>
    public Dictionary<string, object?> RouteValues(string sort, bool descending, int page) => new()
    {
        ["patient"] = Patient,
        ["prescriber"] = Prescriber,
        ["drug"] = Drug,
        ["dispensedFrom"] = DispensedFrom?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        ["dispensedTo"] = DispensedTo?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        ["number"] = Number,
        ["birthDate"] = BirthDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        ["status"] = Status,
        ["schedule"] = Schedule,
        ["sort"] = sort,
        ["descending"] = descending,
        ["page"] = page,
    };
}
