using System.Net;
using System.Net.Sockets;
using PharmacyRx.Host.Clock;

namespace PharmacyRx.Host.Tests.Clock;

/// <summary>An NTP server on 127.0.0.1 in the test, whose clock runs <see cref="Offset"/> ahead of this machine's.</summary>
internal sealed class SntpServer : IDisposable
{
    private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public SntpServer(TimeSpan offset)
    {
        Offset = offset;
        _loop = Task.Run(ServeAsync);
    }

    public TimeSpan Offset { get; set; }

    public int Port => ((IPEndPoint)_socket.Client.LocalEndPoint!).Port;

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult request;
            try
            {
                request = await _socket.ReceiveAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var answer = new byte[48];
            answer[0] = 0x24; // LI 0, version 4, mode 4 (server)
            answer[1] = 1;    // stratum 1
            request.Buffer.AsSpan(40, 8).CopyTo(answer.AsSpan(24)); // originate = the client's transmit time
            var now = DateTimeOffset.UtcNow + Offset;
            SntpClient.WriteTimestamp(answer.AsSpan(32), now);
            SntpClient.WriteTimestamp(answer.AsSpan(40), now);
            await _socket.SendAsync(answer, request.RemoteEndPoint);
        }
    }

    private bool _disposed;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _stop.Cancel();
        _socket.Dispose();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}
