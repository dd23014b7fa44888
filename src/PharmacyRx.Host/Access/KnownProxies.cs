using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace PharmacyRx.Host.Access;

/// <summary>
/// The proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed (<c>Network:KnownProxies</c>:
/// addresses or CIDR), so each client keeps its own address for throttling and a TLS request counts as HTTPS. The
/// headers from any other address, or with none configured, are ignored: a client cannot choose its address.
/// </summary>
internal static class KnownProxies
{
    public const string Section = "Network:KnownProxies";

    public static IServiceCollection AddKnownProxies(this IServiceCollection services, IConfiguration configuration)
    {
        // Read when the pipeline is built, so settings added after registration (hosting, tests) still apply.
        services.AddOptions<ForwardedHeadersOptions>().Configure(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // ASP.NET Core believes loopback by default; only what the pharmacy names is believed here.
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            Networks(configuration).ForEach(options.KnownIPNetworks.Add);
        });
        // Before every other middleware (the inbound door's rate limiter included), so all of them see the client.
        services.AddSingleton<IStartupFilter>(new ForwardedFirst(configuration));
        return services;
    }

    /// <summary>The configured proxies; a value that is neither an address nor a network stops start-up naming the key.</summary>
    private static List<System.Net.IPNetwork> Networks(IConfiguration configuration) =>
        [.. (configuration.GetSection(Section).Get<string[]>() ?? []).Select(text => Parse(text) ?? throw new InvalidOperationException(
            $"{Section}: '{text}' is neither an IP address nor a network (203.0.113.7, 10.0.0.0/8)"))];

    private static System.Net.IPNetwork? Parse(string text) =>
        System.Net.IPNetwork.TryParse(text, out var network) ? network
        : IPAddress.TryParse(text, out var address) ? new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
        : null;

    private sealed class ForwardedFirst(IConfiguration configuration) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            if (Networks(configuration).Count > 0)
            {
                app.UseForwardedHeaders();
            }
            next(app);
        };
    }
}
