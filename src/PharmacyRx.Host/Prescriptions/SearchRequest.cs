using PharmacyRx.Core.Access;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Prescriptions;

namespace PharmacyRx.Host.Prescriptions;

/// <summary>A prescription search as the API and the console take it, checked in one place.</summary>
public static class SearchRequest
{
    /// <summary>The largest page the search returns (<see cref="PrescriptionQuery.MaxPageSize"/>).</summary>
    public const int MaxPageSize = PrescriptionQuery.MaxPageSize;

    /// <summary>
    /// A search as the API and the console take it: the sort and status by exact name (never a number), the page within
    /// bounds; or what is wrong with it.
    /// </summary>
    public static (PrescriptionQuery? Query, (string Title, string Detail)? Problem) Check(PrescriptionQuery filters, string? sort, string? status)
    {
        var order = PrescriptionSort.Received;
        if (sort is not null && !ExactName.TryParse(sort, out order))
        {
            return (null, ("Unknown sort", $"sort by one of {ExactName.List<PrescriptionSort>()}"));
        }
        var parsed = default(PrescriptionStatus);
        if (status is not null && !ExactName.TryParse(status, out parsed))
        {
            return (null, ("Unknown status", $"status is one of {ExactName.List<PrescriptionStatus>()}"));
        }
        foreach (var (day, name) in new[] { (filters.DispensedFrom, "dispensedFrom"), (filters.DispensedTo, "dispensedTo"),
                     (filters.ReceivedFrom, "receivedFrom"), (filters.ReceivedTo, "receivedTo"), (filters.BirthDate, "birthDate") })
        {
            if (DayRange.Check(day, name) is { } outside)
            {
                return (null, ("Bad date", outside));
            }
        }
        if (filters.PrescriptionNumber is < 1)
        {
            return (null, ("Bad number", $"number is a prescription number, 1 to {long.MaxValue}"));
        }
        // The offset (page - 1) × pageSize must not overflow: a page past the last row that can exist is refused.
        if (filters.Page < 1 || filters.PageSize is < 1 or > MaxPageSize || (long)(filters.Page - 1) * filters.PageSize > int.MaxValue - MaxPageSize)
        {
            return (null, ("Bad page", $"page is 1 or more and pageSize 1 to {MaxPageSize}, together within {int.MaxValue - MaxPageSize} rows"));
        }
        return (filters with { Sort = order, Status = status is null ? null : parsed.ToString() }, null);
    }
}
