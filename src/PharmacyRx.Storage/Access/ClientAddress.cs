using System.Net;
using System.Net.Sockets;

namespace PharmacyRx.Storage.Access;

/// <summary>
/// Where a sign-in came from: the address (an IPv6 address by its /64, which one host holds whole) and its group (IPv4
/// /24, IPv6 /64), the unit a spread guessing attack is counted in (<see cref="Core.Access.LoginThrottle"/>).
/// </summary>
public sealed record ClientAddress(string Address, string Group)
{
    /// <summary>A caller with no network address (the command line, an in-process test server).</summary>
    public static ClientAddress Unknown { get; } = new("unknown", "unknown");

    public static ClientAddress Of(IPAddress? address)
    {
        if (address is null)
        {
            return Unknown;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var exact = address.ToString();
            bytes[3] = 0;
            return new ClientAddress(exact, $"{new IPAddress(bytes)}/24");
        }
        Array.Clear(bytes, 8, 8);
        var network = $"{new IPAddress(bytes)}/64";
        return new ClientAddress(network, network);
    }
}
