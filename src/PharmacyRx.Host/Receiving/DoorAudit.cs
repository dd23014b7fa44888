using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Receiving;

/// <summary>
/// Audits refusals at the inbound door once per window per sender or address (1311.215(a)(1), (a)(3)): a request
/// without a valid sender credential, and a sender or address over its rate. Never the key itself.
/// </summary>
internal sealed class DoorAudit(AuditLog audit, TimeProvider time, InboundOptions options)
{
    private readonly OncePerWindow _unauthorized = new(time, options.AuditWindow);
    private readonly OncePerWindow _limited = new(time, options.AuditWindow);

    public async Task UnauthorizedAsync(string partition, bool keyPresented, CancellationToken cancellationToken)
    {
        if (_unauthorized.IsDue(partition))
        {
            await audit.AppendAsync(
                [new AuditEvent(time.GetUtcNow(), AuditEventTypes.UnauthorizedAccessAttempt, "anonymous", AuditOutcome.Failure, $"POST {InboundDoor.Route}",
                    $"function=POST {InboundDoor.Route}; required=sender credential; presented={(keyPresented ? "unknown or disabled key" : "none")}; {partition}; answer=401; audited once per {options.AuditWindow}")],
                cancellationToken);
        }
    }

    public async Task RateLimitedAsync(string partition, string? sender, CancellationToken cancellationToken)
    {
        if (_limited.IsDue(partition))
        {
            await audit.AppendAsync(
                [new AuditEvent(time.GetUtcNow(), AuditEventTypes.InboundRateLimited, sender is null ? "anonymous" : $"sender:{sender}", AuditOutcome.Failure,
                    $"POST {InboundDoor.Route}", $"{partition}; answer=429; audited once per {options.AuditWindow}")],
                cancellationToken);
        }
    }
}
