using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Kaohe.Web.Infrastructure;

/// <summary>
/// Behind nginx (docs/deploy.md): <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed only
/// from the proxies named in <c>Kaohe:KnownProxies</c> (addresses or CIDR networks, comma-separated;
/// none by default, so that nobody can claim another address by sending the header). Then the client
/// address every limit and lock is keyed on (sign-in, survey) is the real client's, not the proxy's,
/// and a request that reached nginx over TLS is https: the cookies are Secure and HSTS is sent
/// (issue 17: behind TLS the cookie was never Secure, and every client behind the proxy shared one limit).
/// Runs before everything else, the survey fast lane included, as a startup filter.
/// </summary>
public sealed class ReverseProxy(IConfiguration config) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
        // The framework trusts loopback by default; here only what the operator names.
        options.KnownIPNetworks.Clear();
        options.KnownProxies.Clear();
        foreach (var entry in (config["Kaohe:KnownProxies"] ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            if (entry.Contains('/') && System.Net.IPNetwork.TryParse(entry, out var network)) options.KnownIPNetworks.Add(network);
            else if (IPAddress.TryParse(entry, out var address)) options.KnownProxies.Add(address);
            else throw new InvalidOperationException($"Kaohe:KnownProxies: \"{entry}\" is neither an address nor a network (CIDR)");
        }
        if (options.KnownProxies.Count > 0 || options.KnownIPNetworks.Count > 0) app.UseForwardedHeaders(options);
        next(app);
    };
}
