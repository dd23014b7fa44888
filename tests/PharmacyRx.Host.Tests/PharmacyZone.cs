namespace PharmacyRx.Host.Tests;

/// <summary>
/// Every test pharmacy (in-process, command line, child process) keeps UTC days unless its test names a zone, so that
/// a run gives the same dates on a machine set to any zone; the zone tests set <c>Pharmacy:TimeZone</c> themselves.
/// </summary>
[SetUpFixture]
public sealed class PharmacyZone
{
    public const string Default = "Etc/UTC";

    [OneTimeSetUp]
    public void UseUtcDays() => Environment.SetEnvironmentVariable("Pharmacy__TimeZone", Default);
}
