using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using PharmacyRx.Core.Clock;

namespace PharmacyRx.Host.Clock;

/// <summary>
/// Asks an NTP server for the time (SNTP, RFC 4330) and works out how far the local clock is from it
/// (1311.205(b)(4)(v): within five minutes of NIST time). The offset is ((T2 − T1) + (T3 − T4)) / 2.
/// </summary>
public static class SntpClient
{
    private static readonly DateTime Era = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The server's time minus the local clock's, or why it could not be had. Never throws for network faults.</summary>
    public static async Task<ClockReading> ReadAsync(string host, int port, TimeProvider time, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, deadline.Token);
            var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.First();
            using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            var request = new byte[48];
            request[0] = 0x23; // LI 0, version 4, mode 3 (client)
            var sent = time.GetUtcNow();
            WriteTimestamp(request.AsSpan(40), sent);
            await socket.SendToAsync(request, new IPEndPoint(address, port), deadline.Token);
            var answer = new byte[48];
            var received = await socket.ReceiveAsync(answer, deadline.Token);
            var arrived = time.GetUtcNow();
            if (received < 48 || (answer[0] & 0x07) is not (4 or 5) || answer[1] == 0)
            {
                return ClockReading.Failed($"{host} sent no usable NTP answer");
            }
            var serverReceived = ReadTimestamp(answer.AsSpan(32));
            var serverSent = ReadTimestamp(answer.AsSpan(40));
            var offset = ((serverReceived - sent) + (serverSent - arrived)) / 2;
            return new ClockReading(offset, "");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ClockReading.Failed($"{host} did not answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (SocketException ex)
        {
            return ClockReading.Failed($"{host}: {ex.Message}");
        }
    }

    /// <summary>Writes an NTP timestamp (seconds since 1900 and a binary fraction).</summary>
    public static void WriteTimestamp(Span<byte> destination, DateTimeOffset instant)
    {
        var ticks = instant.UtcDateTime.Ticks - Era.Ticks;
        var seconds = (ulong)(ticks / TimeSpan.TicksPerSecond);
        var fraction = (ulong)(ticks % TimeSpan.TicksPerSecond) * 0x1_0000_0000UL / TimeSpan.TicksPerSecond;
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)seconds);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], (uint)fraction);
    }

    /// <summary>Reads an NTP timestamp.</summary>
    public static DateTimeOffset ReadTimestamp(ReadOnlySpan<byte> source)
    {
        var seconds = BinaryPrimitives.ReadUInt32BigEndian(source);
        var fraction = BinaryPrimitives.ReadUInt32BigEndian(source[4..]);
        var ticks = seconds * TimeSpan.TicksPerSecond + (long)((ulong)fraction * TimeSpan.TicksPerSecond >> 32);
        return new DateTimeOffset(Era.Ticks + ticks, TimeSpan.Zero);
    }
}
