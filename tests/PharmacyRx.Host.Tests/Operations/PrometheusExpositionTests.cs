using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using PharmacyRx.Host.Operations;

namespace PharmacyRx.Host.Tests.Operations;

public sealed class PrometheusExpositionTests
{
    [TestCase("pharmacyrx.receipts", "{message}", true, "pharmacyrx_receipts_total")]
    [TestCase("pharmacyrx.archive.duration", "s", false, "pharmacyrx_archive_duration_seconds")]
    [TestCase("dotnet.gc.heap.total_allocated", "By", true, "dotnet_gc_heap_total_allocated_bytes_total")]
    [TestCase("pharmacyrx.backup.last_run.success", "1", false, "pharmacyrx_backup_last_run_success")]
    [TestCase("kestrel.active-connections", "{connection}", false, "kestrel_active_connections")]
    public void Names_an_instrument_as_the_OpenTelemetry_specification_maps_it(string instrument, string unit, bool counter, string expected)
    {
        Assert.That(PrometheusExposition.Name(instrument, unit, counter), Is.EqualTo(expected));
    }

    [Test]
    public void Writes_counters_gauges_and_cumulative_histogram_buckets_in_the_text_format()
    {
        var name = $"Exposition.Test.{Guid.NewGuid():N}";
        using var meter = new Meter(name);
        using var exposition = new PrometheusExposition();
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(name).AddReader(exposition.Reader).Build();
        var counter = meter.CreateCounter<long>("test.receipts", "{message}", "Messages \\ received");
        var histogram = meter.CreateHistogram("test.duration", "s", "How long",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1] });
        meter.CreateObservableGauge("test.age", () => 42.5, "s", "An age");
        counter.Add(2, new KeyValuePair<string, object?>("door", "http"), new("reason_code", "say \"hi\"\n"));
        histogram.Record(0.05);
        histogram.Record(0.5);
        histogram.Record(5);

        var text = exposition.Collect(TimeSpan.FromSeconds(5));

        Assert.That(text, Does.Contain("# HELP test_receipts_total Messages \\\\ received\n# TYPE test_receipts_total counter\n"));
        Assert.That(text, Does.Contain("test_receipts_total{door=\"http\",reason_code=\"say \\\"hi\\\"\\n\"} 2\n"));
        Assert.That(text, Does.Contain("# TYPE test_duration_seconds histogram\n"));
        Assert.That(text, Does.Contain("test_duration_seconds_bucket{le=\"0.1\"} 1\n"));
        Assert.That(text, Does.Contain("test_duration_seconds_bucket{le=\"1\"} 2\n"));
        Assert.That(text, Does.Contain("test_duration_seconds_bucket{le=\"+Inf\"} 3\n"));
        Assert.That(text, Does.Contain("test_duration_seconds_sum 5.55\n"));
        Assert.That(text, Does.Contain("test_duration_seconds_count 3\n"));
        Assert.That(text, Does.Contain("# TYPE test_age_seconds gauge\ntest_age_seconds 42.5\n"));
    }
}
