using System.Net;
using System.Net.Sockets;

namespace Kaohe.Web.Tests.Infrastructure;

/// <summary>
/// HTTP clients that connect from a chosen loopback address (Linux routes all of 127.0.0.0/8 to the
/// loopback device), so that a real Kestrel sees distinct client addresses: what limits and locks per
/// address are keyed on. No header pretends anything.
/// </summary>
public static class ClientAddress
{
    public static HttpClient From(string address, Uri baseAddress) => new(new SocketsHttpHandler
    {
        UseCookies = false,
        AllowAutoRedirect = false,
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
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
