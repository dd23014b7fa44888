using System.Globalization;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace PharmacyRx.Host.Operations;

/// <summary>
/// <c>/metrics</c>'s body: the OpenTelemetry SDK's cumulative figures, collected when Prometheus asks and written in its
/// text format 0.0.4. OpenTelemetry names become Prometheus names as the OpenTelemetry specification maps them: dots to
/// underscores, the unit as a suffix (<c>s</c> → <c>_seconds</c>), <c>_total</c> on a counter.
/// </summary>
public sealed class PrometheusExposition : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly Lock _gate = new();
    private readonly TextExporter _exporter = new();

    public PrometheusExposition() => Reader = new BaseExportingMetricReader(_exporter) { TemporalityPreference = MetricReaderTemporalityPreference.Cumulative };

    /// <summary>The reader the meter provider is given; collected only by <see cref="Collect"/>.</summary>
    public MetricReader Reader { get; }

    /// <summary>Collects every instrument now (observable gauges call back) and returns the text, or null when collection failed.</summary>
    public string? Collect(TimeSpan timeout)
    {
        lock (_gate)
        {
            _exporter.Text.Clear();
            _exporter.Names.Clear();
            return Reader.Collect((int)timeout.TotalMilliseconds) ? _exporter.Text.ToString() : null;
        }
    }

    public void Dispose() => _exporter.Dispose();

    /// <summary>The Prometheus name of an instrument: its OpenTelemetry name and unit, and <c>_total</c> for a counter.</summary>
    public static string Name(string instrument, string? unit, bool counter)
    {
        var name = new StringBuilder(instrument.Length + 16);
        foreach (var c in instrument)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_');
        }
        if (Suffix(unit) is { } suffix && !name.ToString().EndsWith(suffix, StringComparison.Ordinal))
        {
            name.Append(suffix);
        }
        if (counter)
        {
            name.Append("_total");
        }
        return name.ToString();
    }

    // Units in UCUM as OpenTelemetry's conventions write them; an annotation ({message}) names no unit.
    private static string? Suffix(string? unit) => unit switch
    {
        null or "" or "1" => null,
        "s" => "_seconds",
        "ms" => "_milliseconds",
        "By" => "_bytes",
        "%" => "_percent",
        _ when unit.StartsWith('{') => null,
        _ => "_" + new string([.. unit.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]),
    };

    private sealed class TextExporter : BaseExporter<Metric>
    {
        public StringBuilder Text { get; } = new();

        /// <summary>Names written in this collection: a second instrument of the same name (another meter's) is left out.</summary>
        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch)
            {
                Write(metric);
            }
            return ExportResult.Success;
        }

        private void Write(Metric metric)
        {
            var type = metric.MetricType;
            var counter = type is MetricType.LongSum or MetricType.DoubleSum;
            var histogram = type == MetricType.Histogram;
            if (type == MetricType.ExponentialHistogram)
            {
                return;   // none is configured; the text format has no such type
            }
            var name = Name(metric.Name, metric.Unit, counter);
            if (!Names.Add(name))
            {
                return;
            }
            var help = string.IsNullOrEmpty(metric.Description) ? metric.Name : metric.Description;
            Text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
            Text.Append("# TYPE ").Append(name).Append(' ').Append(counter ? "counter" : histogram ? "histogram" : "gauge").Append('\n');
            var baseName = counter ? name[..^"_total".Length] : name;
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var labels = Labels(point.Tags);
                if (histogram)
                {
                    long cumulative = 0;
                    foreach (var bucket in point.GetHistogramBuckets())
                    {
                        cumulative += bucket.BucketCount;
                        var le = double.IsPositiveInfinity(bucket.ExplicitBound) ? "+Inf" : Number(bucket.ExplicitBound);
                        Sample($"{baseName}_bucket", Join(labels, $"le=\"{le}\""), cumulative.ToString(CultureInfo.InvariantCulture));
                    }
                    Sample($"{baseName}_sum", labels, Number(point.GetHistogramSum()));
                    Sample($"{baseName}_count", labels, point.GetHistogramCount().ToString(CultureInfo.InvariantCulture));
                    continue;
                }
                var value = type switch
                {
                    MetricType.LongSum or MetricType.LongSumNonMonotonic => point.GetSumLong().ToString(CultureInfo.InvariantCulture),
                    MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic => Number(point.GetSumDouble()),
                    MetricType.LongGauge => point.GetGaugeLastValueLong().ToString(CultureInfo.InvariantCulture),
                    _ => Number(point.GetGaugeLastValueDouble()),
                };
                Sample(name, labels, value);
            }
        }

        private void Sample(string name, string labels, string value)
        {
            Text.Append(name);
            if (labels.Length > 0)
            {
                Text.Append('{').Append(labels).Append('}');
            }
            Text.Append(' ').Append(value).Append('\n');
        }

        private static string Join(string labels, string more) => labels.Length == 0 ? more : $"{labels},{more}";

        private static string Labels(ReadOnlyTagCollection tags)
        {
            var text = new StringBuilder();
            foreach (var tag in tags)
            {
                if (text.Length > 0)
                {
                    text.Append(',');
                }
                foreach (var c in tag.Key)
                {
                    text.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
                }
                text.Append("=\"");
                foreach (var c in Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "")
                {
                    text.Append(c switch { '\\' => "\\\\", '"' => "\\\"", '\n' => "\\n", _ => c.ToString() });
                }
                text.Append('"');
            }
            return text.ToString();
        }

        private static string Number(double value) => value switch
        {
            double.PositiveInfinity => "+Inf",
            double.NegativeInfinity => "-Inf",
            _ when double.IsNaN(value) => "NaN",
            _ => value.ToString("R", CultureInfo.InvariantCulture),
        };
    }
}
