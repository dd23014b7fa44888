using PharmacyRx.Core.Clock;

namespace PharmacyRx.Host.Clock;

/// <summary>The pharmacy served (section <c>Pharmacy</c>).</summary>
public sealed class PharmacyOptions
{
    /// <summary>
    /// <c>Pharmacy:TimeZone</c>: the IANA name of the pharmacy's time zone (America/Chicago), in which every date a person
    /// enters or reads is a day; default the machine's own zone. A name that is not a zone stops start-up.
    /// </summary>
    public string? TimeZone { get; set; }

    /// <summary>The zone named, or the machine's own when none is.</summary>
    public TimeZoneInfo Zone() => string.IsNullOrWhiteSpace(TimeZone)
        ? TimeZoneInfo.Local
        : PharmacyClock.TryFindZone(TimeZone, out var zone) ? zone : throw new InvalidOperationException($"Pharmacy:TimeZone '{TimeZone}' is not a time zone");

    /// <summary>True when the setting is absent or names a zone.</summary>
    public bool IsValid() => string.IsNullOrWhiteSpace(TimeZone) || PharmacyClock.TryFindZone(TimeZone, out _);
}
