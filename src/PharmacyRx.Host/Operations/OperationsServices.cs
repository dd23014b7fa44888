using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using PharmacyRx.Core.Access;
using PharmacyRx.Storage.Operations;

namespace PharmacyRx.Host.Operations;

/// <summary>
/// Metrics and traces (docs/operations-metrics.md): the <see cref="PharmacyMeter"/>, ASP.NET Core's, Kestrel's, the
/// runtime's and MassTransit's meters through the OpenTelemetry SDK; <c>/metrics</c> for Prometheus, to a caller holding
/// ReadAudit (the monitoring service account's key), never anonymous; OTLP when <c>Operations:Otlp:Endpoint</c> is set.
/// </summary>
public static class OperationsServices
{
    public const string MetricsRoute = "/metrics";

    /// <summary>The meters exposed besides the service's own: ASP.NET Core, Kestrel, the runtime and MassTransit.</summary>
    public static readonly IReadOnlyList<string> Meters =
    [
        PharmacyMeter.Name, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting", "System.Runtime", "System.Net.Http", "MassTransit",
    ];

    /// <summary>The spans of a message's path: the HTTP door's request, MassTransit's consume, the pipeline and its commit.</summary>
    private static readonly string[] Sources = ["Microsoft.AspNetCore", "MassTransit", ReceiptTracing.SourceName];

    public static IServiceCollection AddOperationsMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OperationsOptions>().Bind(configuration.GetSection("Operations")).ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<OperationsQueries>();
        // The queue's one statement, which the console registers too; the figures read it in the command-line verbs' composition as well.
        services.TryAddSingleton<Storage.Prescriptions.WorkQueueReader>();
        services.AddSingleton<OperationsFigures>();
        services.AddHostedService(provider => provider.GetRequiredService<OperationsFigures>());
        services.AddSingleton<OperationsMetrics>();
        services.AddSingleton<PrometheusExposition>();
        // Built by the host (serve); a command-line verb builds no provider and its instruments are not listened to.
        services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddMeter([.. Meters]).AddReader(provider => provider.GetRequiredService<PrometheusExposition>().Reader))
            .WithTracing(_ => { });
        // Decided when the provider is built, so settings added after registration (hosting, tests) still apply.
        services.ConfigureOpenTelemetryMeterProvider((provider, metrics) =>
        {
            if (Otlp(provider) is { } otlp)
            {
                metrics.AddReader(new PeriodicExportingMetricReader(new OtlpMetricExporter(Exporter(otlp, "v1/metrics")),
                    (int)otlp.MetricsInterval.TotalMilliseconds));
            }
        });
        services.ConfigureOpenTelemetryTracerProvider((provider, tracing) =>
        {
            // No exporter, no listener: without OTLP no span is even created.
            if (Otlp(provider) is { } otlp)
            {
                tracing.AddSource(Sources).AddProcessor(new BatchActivityExportProcessor(new OtlpTraceExporter(Exporter(otlp, "v1/traces"))));
            }
        });
        return services;
    }

    /// <summary>
    /// <c>/metrics</c>, for a service account (or person) holding ReadAudit, 1311.205(b)(1): the figures tell when the
    /// pharmacy works and how much. Anyone else gets 401 or 403 and nothing; an anonymous try is counted and audited.
    /// </summary>
    public static IEndpointRouteBuilder MapOperationsMetrics(this IEndpointRouteBuilder app)
    {
        // Created now, so the gauges exist before the first scrape.
        app.ServiceProvider.GetRequiredService<OperationsMetrics>();
        app.MapGet(MetricsRoute, (PrometheusExposition exposition) =>
                exposition.Collect(TimeSpan.FromSeconds(10)) is { } text
                    ? Results.Text(text, PrometheusExposition.ContentType)
                    : Results.Problem("the metrics could not be collected", statusCode: StatusCodes.Status503ServiceUnavailable))
            .RequireAuthorization(nameof(Permission.ReadAudit))
            .ExcludeFromDescription();
        return app;
    }

    private static OperationsOptions.OtlpOptions? Otlp(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<OperationsOptions>>().Value.Otlp is { Endpoint: not null } otlp ? otlp : null;

    private static OtlpExporterOptions Exporter(OperationsOptions.OtlpOptions otlp, string signalPath) => new()
    {
        Protocol = otlp.Protocol == OperationsOptions.OtlpProtocol.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf,
        // OTLP/HTTP posts each signal to its own path under the collector's address; gRPC takes the address as it is.
        Endpoint = otlp.Protocol == OperationsOptions.OtlpProtocol.Grpc ? otlp.Endpoint! : new Uri(otlp.Endpoint!, signalPath),
    };
}
