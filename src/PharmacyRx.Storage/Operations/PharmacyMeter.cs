namespace PharmacyRx.Storage.Operations;

/// <summary>
/// The service's one meter. Every project creates it by this name through <see cref="System.Diagnostics.Metrics.IMeterFactory"/>,
/// which hands each host one shared instance; docs/operations-metrics.md lists its instruments.
/// </summary>
public static class PharmacyMeter
{
    public const string Name = "PharmacyRx";
}
