using System.Text.RegularExpressions;

namespace PharmacyRx.Host;

/// <summary>This instance among a chain's several on one database (section <c>Service</c>).</summary>
public sealed partial class ServiceOptions
{
    private string _instanceName = Environment.MachineName;

    /// <summary>
    /// <c>Service:InstanceName</c>: the name each chain head this instance signs carries, in its file and in the audit event
    /// recording the signing, so verify on another instance knows whose data folder holds it; default the machine's name.
    /// Letters, digits, '.', '_' and '-', at most 64.
    /// </summary>
    public string InstanceName
    {
        get => _instanceName;
        set => _instanceName = ValidName().IsMatch(value)
            ? value
            : throw new InvalidOperationException($"Service:InstanceName '{value}' is not letters, digits, '.', '_' or '-' (at most 64)");
    }

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex ValidName();
}
