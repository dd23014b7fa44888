namespace PharmacyRx.Host.Tests.Operations;

public sealed class OperationsOptionsTests
{
    [Test]
    public async Task A_figures_interval_out_of_range_stops_start_up_naming_the_key()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();

        var failed = Assert.CatchAsync(async () =>
        {
            await using var service = await RunningService.StartAsync(pharmacy, builder => builder.Configuration["Operations:FiguresInterval"] = "00:00:00");
        });

        Assert.That(failed!.ToString(), Does.Contain("FiguresInterval"));
    }
}
