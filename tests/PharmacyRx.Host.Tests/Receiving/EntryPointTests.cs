using MassTransit;
using PharmacyRx.Contracts;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Receiving;

/// <summary>The bus and the inbox folder feed the same pipeline as HTTP and the command line.</summary>
public class EntryPointTests
{
    [Test]
    public async Task A_message_on_the_bus_is_archived_and_its_outcome_published()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await using var service = await RunningService.StartAsync(pharmacy);
        var bus = service.Services.GetRequiredService<IBus>();
        var archived = new TaskCompletionSource<PrescriptionArchived>(TaskCreationOptions.RunContinuationsAsynchronously);
        var rejected = new TaskCompletionSource<PrescriptionRejected>(TaskCreationOptions.RunContinuationsAsynchronously);
        var observer = bus.ConnectReceiveEndpoint("test-outcomes", endpoint =>
        {
            endpoint.Handler<PrescriptionArchived>(context => Task.FromResult(archived.TrySetResult(context.Message)));
            endpoint.Handler<PrescriptionRejected>(context => Task.FromResult(rejected.TrySetResult(context.Message)));
        });
        await observer.Ready;

        await bus.Publish(new ReceivePrescription(new SyntheticNewRx { MessageId = "BUS-1" }.ToBytes()));
        await bus.Publish(new ReceivePrescription("not xml"u8.ToArray()));

        var outcome = await archived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var failure = await rejected.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(outcome.MessageId, Is.EqualTo("BUS-1"));
        Assert.That(outcome.Status, Is.EqualTo("ReceiptSigned"));
        Assert.That(failure.Status, Is.EqualTo("Rejected"));
        var record = await service.Services.GetRequiredService<ArchiveQueries>().FindAsync("BUS-1", CancellationToken.None);
        Assert.That(record!.Source, Is.EqualTo("bus"));
        Assert.That(record.ReceiptId, Is.EqualTo(outcome.ReceiptId.ToString("D")));
    }

    [Test]
    public async Task A_file_in_the_inbox_is_archived_then_moved_aside_under_its_receipt_id()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await using var service = await RunningService.StartAsync(pharmacy, builder =>
        {
            builder.Configuration["Inbox:PollInterval"] = "00:00:00.100";
            builder.Configuration["Inbox:SettleTime"] = "00:00:00";
        });
        var file = Path.Combine(pharmacy.Data.Inbox, "incoming.xml");
        var temporary = file + ".part";
        await File.WriteAllBytesAsync(temporary, new SyntheticNewRx { MessageId = "INBOX-1" }.ToBytes());
        File.Move(temporary, file);

        var queries = service.Services.GetRequiredService<ArchiveQueries>();
        ArchivedRecord? record = null;
        for (var attempt = 0; attempt < 100 && (record is null || File.Exists(file)); attempt++)
        {
            await Task.Delay(100);
            record = await queries.FindAsync("INBOX-1", CancellationToken.None);
        }

        Assert.That(record?.Source, Is.EqualTo("inbox"), "the dropped file is archived within 10 s, as from the inbox");
        Assert.That(File.Exists(file), Is.False);
        Assert.That(File.Exists(Path.Combine(pharmacy.Data.Inbox, "archived", $"{record!.ReceiptId}_incoming.xml")), Is.True);
    }

    [Test]
    public async Task Bytes_whose_processing_failed_are_archived_as_rejected_and_still_verify()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var bytes = new SyntheticNewRx { MessageId = "FAILED-1" }.ToBytes();
        PharmacyRx.Storage.Archive.ArchiveResult result;
        await using (var service = await RunningService.StartAsync(pharmacy))
        {
            result = await service.Services.GetRequiredService<PharmacyRx.Host.Receiving.ReceiptPipeline>()
                .ReceiveUnprocessableAsync(bytes, PharmacyRx.Host.Receiving.ReceiptSource.Bus("rabbitmq"), "processing failed: TestFault", CancellationToken.None);
        }

        var shown = (await pharmacy.RunAsync("show", result.ReceiptId.ToString("D"), "--format", "json")).JsonLines[0];
        var verify = await pharmacy.RunAsync("verify");

        Assert.That(result.Status, Is.EqualTo(PrescriptionStatus.Rejected));
        Assert.That(shown.GetProperty("reasonCode").GetString(), Is.EqualTo("ProcessingFailed"));
        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
    }

    [Test]
    public async Task Bytes_whose_processing_failed_over_a_small_accepted_size_but_under_the_kept_bytes_are_archived_whole()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var bytes = new SyntheticNewRx { MessageId = "FAILED-SMALL-LIMIT" }.ToBytes();
        await using var service = await RunningService.StartAsync(pharmacy, builder => builder.Configuration["Receiving:MaxAcceptedBytes"] = "1024");
        Assert.That(bytes.Length, Is.InRange(1025, PharmacyRx.Host.Receiving.ReceiptPipeline.TooLargeKeptBytes - 1), "over the accepted size, under the bytes kept");

        var result = await service.Services.GetRequiredService<PharmacyRx.Host.Receiving.ReceiptPipeline>()
            .ReceiveUnprocessableAsync(bytes, PharmacyRx.Host.Receiving.ReceiptSource.Bus("rabbitmq"), "processing failed: TestFault", CancellationToken.None);

        Assert.That(result.Status, Is.EqualTo(PrescriptionStatus.Rejected));
    }

    [Test]
    public async Task The_receipt_time_comes_from_the_injected_clock()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 3, 4, 5, 6, 7, 890, TimeSpan.Zero));
        await using var service = await RunningService.StartAsync(pharmacy, builder => builder.Services.AddSingleton<TimeProvider>(clock));
        var pipeline = service.Services.GetRequiredService<PharmacyRx.Host.Receiving.ReceiptPipeline>();

        var result = await pipeline.ReceiveAsync(new SyntheticNewRx { MessageId = "CLOCK-1" }.ToBytes(), PharmacyRx.Host.Receiving.ReceiptSource.Http, CancellationToken.None);

        var record = await service.Services.GetRequiredService<ArchiveQueries>().FindAsync("CLOCK-1", CancellationToken.None);
        Assert.That(record!.ReceivedAt, Is.EqualTo("2026-03-04T05:06:07.8900000Z"));
        Assert.That(result.ReceiptId.Version, Is.EqualTo(7), "time-ordered receipt ids");
        Assert.That(result.Status, Is.EqualTo(PrescriptionStatus.ReceiptSigned));
    }
}
