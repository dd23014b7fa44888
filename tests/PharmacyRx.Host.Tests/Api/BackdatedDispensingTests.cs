using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using PharmacyRx.Host.Tests.Integrity;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>
/// Backdated dispensings, over HTTP: a fill dated before the prescription was received or written is
/// refused, and one dated more than <c>Dispensing:MaxBackdateDays</c> ago needs a reason for the late entry.
/// </summary>
public class BackdatedDispensingTests
{
    private static readonly DateOnly Received = DateOnly.FromDateTime(DateTime.UtcNow);

    private static async Task<(InstalledPharmacy Pharmacy, Guid Receipt)> PharmacyWithAsync(SyntheticNewRx message)
    {
        var pharmacy = await InstalledPharmacy.CreateAsync();
        var run = await pharmacy.IngestAsync(message);
        Assert.That(run.ExitCode, Is.Zero, run.Error);
        return (pharmacy, run.JsonLines[0].GetProperty("receiptId").GetGuid());
    }

    private static async Task<HttpResponseMessage> DispenseAsync(
        SyntheticNewRx message, TimeSpan clockAhead, DateOnly dateDispensed, string? reason = null)
    {
        var (pharmacy, receipt) = await PharmacyWithAsync(message);
        using var _ = pharmacy;
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow + clockAhead);
        await using var service = await RunningService.StartAsync(pharmacy, builder => builder.Services.AddSingleton<TimeProvider>(clock));
        using var pharmacist = await CoverageAttackTests.PharmacistAsync(pharmacy, service);
        return await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipt}/dispensings", new
        {
            quantity = 5,
            dateDispensed = dateDispensed.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            dispenser = "SP",
            reason,
        });
    }

    private static IEnumerable<TestCaseData> Backdated()
    {
        yield return new TestCaseData(new SyntheticNewRx(), TimeSpan.Zero, Received.AddDays(-1), "DateBeforeReceipt").SetName("Refuses_a_fill_dated_the_day_before_receipt");
        yield return new TestCaseData(new SyntheticNewRx(), TimeSpan.FromDays(3), Received.AddDays(-6), "DateBeforeReceipt").SetName("Refuses_a_fill_dated_a_week_before_receipt");
        yield return new TestCaseData(new SyntheticNewRx { WrittenDate = Received.AddDays(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
            TimeSpan.FromDays(3), Received.AddDays(1), "DateBeforeWritten").SetName("Refuses_a_fill_dated_before_the_prescription_was_written");
        yield return new TestCaseData(new SyntheticNewRx { ScheduleCode = "C48677" }, TimeSpan.FromDays(10), Received.AddDays(1), "LateEntryWithoutReason")
            .SetName("Refuses_a_fill_dated_more_than_seven_days_ago_without_a_reason");
        yield return new TestCaseData(new SyntheticNewRx(), TimeSpan.Zero, DateOnly.MinValue, "DateBeforeReceipt").SetName("Refuses_a_fill_dated_0001_01_01");
    }

    [TestCaseSource(nameof(Backdated))]
    public async Task Refuses_a_backdated_fill_naming_the_rule(SyntheticNewRx message, TimeSpan clockAhead, DateOnly dateDispensed, string rule)
    {
        using var response = await DispenseAsync(message, clockAhead, dateDispensed);

        Assert.That(await CoverageAttackTests.CodeAsync(response), Is.EqualTo(rule));
    }

    [Test]
    public async Task Accepts_a_late_entry_with_a_reason_and_keeps_the_reason()
    {
        var (pharmacy, receipt) = await PharmacyWithAsync(new SyntheticNewRx { ScheduleCode = "C48677" });
        using var _ = pharmacy;
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow + TimeSpan.FromDays(10));
        await using var service = await RunningService.StartAsync(pharmacy, builder => builder.Services.AddSingleton<TimeProvider>(clock));
        using var pharmacist = await CoverageAttackTests.PharmacistAsync(pharmacy, service);

        using var late = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipt}/dispensings", new
        {
            quantity = 5,
            dateDispensed = Received.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            dispenser = "SP",
            reason = "recorded from the paper log after a network outage",
        });
        var history = await pharmacist.GetStringAsync($"/api/prescriptions/{receipt}/dispensings");

        Assert.That(late.StatusCode, Is.EqualTo(HttpStatusCode.Created), await late.Content.ReadAsStringAsync());
        Assert.That(history, Does.Contain("recorded from the paper log after a network outage"));
    }
}
