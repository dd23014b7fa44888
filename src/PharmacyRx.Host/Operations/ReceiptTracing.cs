using System.Diagnostics;

namespace PharmacyRx.Host.Operations;

/// <summary>
/// The spans of a message's path: the door's own (ASP.NET Core's request, MassTransit's consume) is the parent of
/// <c>receipt</c> (the pipeline), which is the parent of <c>archive</c> (the commit). The receipt id is a span attribute,
/// never a metric label. Nothing is recorded unless OTLP is configured (no listener, no span).
/// </summary>
public static class ReceiptTracing
{
    public const string SourceName = "PharmacyRx.Receiving";

    public static readonly ActivitySource Source = new(SourceName);
}
