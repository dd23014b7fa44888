using System.Net;
using System.Net.Sockets;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>HTTP clients whose connections come from a chosen loopback address (all of 127.0.0.0/8 is loopback).</summary>
internal static class FromAddress
{
    /// <summary>A client from <paramref name="source"/>; without <paramref name="cookies"/> it neither keeps cookies nor follows redirects.</summary>
    public static HttpClient Client(Uri baseAddress, string source, bool cookies = true) => new(new SocketsHttpHandler
    {
        UseCookies = cookies,
        AllowAutoRedirect = cookies,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = baseAddress };
}
