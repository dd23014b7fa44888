using System.ComponentModel.DataAnnotations;

namespace PharmacyRx.Host.Operations;

/// <summary>The <c>Operations</c> section: how the service is watched (docs/operations-metrics.md).</summary>
public sealed class OperationsOptions
{
    /// <summary>
    /// <c>Operations:FiguresInterval</c>: how often the figures that need a read of the database or the data folder (the
    /// queue, the last backup, verify and signed head, undecided events) are read again; a scrape reads the last reading,
    /// never the database. Ages are reckoned at the scrape. Default 30 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan FiguresInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>Operations:ReviewAlertAfter</c>: how long the oldest prescription needing a pharmacist's review may wait before
    /// the <c>PrescriptionWaitingForReview</c> alert fires; published as a figure the rule compares with. Default 30 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan ReviewAlertAfter { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// <c>Operations:Otlp:Endpoint</c>: where metrics and traces are sent by OTLP (a collector, say
    /// <c>http://127.0.0.1:4318</c>); none when unset, the default.
    /// </summary>
    public OtlpOptions Otlp { get; set; } = new();

    /// <summary>OTLP export: off unless an endpoint is set.</summary>
    public sealed class OtlpOptions
    {
        /// <summary><c>Operations:Otlp:Endpoint</c>: the collector's address; unset (the default) sends nothing.</summary>
        public Uri? Endpoint { get; set; }

        /// <summary><c>Operations:Otlp:Protocol</c>: <c>HttpProtobuf</c> (port 4318, the default) or <c>Grpc</c> (port 4317).</summary>
        public OtlpProtocol Protocol { get; set; } = OtlpProtocol.HttpProtobuf;

        /// <summary><c>Operations:Otlp:MetricsInterval</c>: how often metrics are pushed. Default 60 seconds.</summary>
        [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
        public TimeSpan MetricsInterval { get; set; } = TimeSpan.FromSeconds(60);
    }

    /// <summary>The OTLP transports.</summary>
    public enum OtlpProtocol
    {
        HttpProtobuf,
        Grpc,
    }
}
