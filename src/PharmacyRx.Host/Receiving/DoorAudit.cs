using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Receiving;

/// <summary>
/// Audits a sender over its rate at the inbound door once per window (1311.215(a)(3)). Refusals of callers without a
/// credential are <see cref="Access.AnonymousRefusals"/>'s.
/// </summary>
internal sealed class DoorAudit(AuditLog audit, TimeProvider time, InboundOptions options)
{
    private readonly OncePerWindow _limited = new(time, options.AuditWindow);

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
