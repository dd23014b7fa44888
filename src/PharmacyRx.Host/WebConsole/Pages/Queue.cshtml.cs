using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PharmacyRx.Core.Access;
using PharmacyRx.Storage.Prescriptions;

namespace PharmacyRx.Host.WebConsole.Pages;

/// <summary>The pharmacist's landing page: what needs action, grouped with counts (<see cref="WorkQueueReader"/>).</summary>
[Authorize(Policy = nameof(Permission.ReadPrescriptions))]
public sealed class QueueModel(WorkQueueReader queue, TimeProvider time) : PageModel
{
    public const int RowsPerGroup = 50;

    public sealed record Group(string Id, string Title, long Count, IReadOnlyList<WorkQueueReader.Entry> Rows)
    {
        /// <summary>The count as shown: past the queue's cap, "more than" the cap (search counts exactly).</summary>
        public string Shown => Count > WorkQueueReader.OpenCountCap
            ? $"more than {WorkQueueReader.OpenCountCap.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}"
            : Count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
    }

    public IReadOnlyList<Group> Groups { get; private set; } = [];

    /// <summary>What the last action did (a resolution), shown once.</summary>
    [TempData]
    public string? Done { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var entries = await queue.ReadAsync(time.GetUtcNow() - WorkQueueReader.OpenWindow, RowsPerGroup, cancellationToken);
        Groups = WorkQueueReader.Groups.Select(id =>
        {
            var rows = entries.Where(e => e.Group == id).ToList();
            return new Group(id, Words.Group(id), rows.Count == 0 ? 0 : rows[0].GroupCount, rows);
        }).ToList();
    }
}
