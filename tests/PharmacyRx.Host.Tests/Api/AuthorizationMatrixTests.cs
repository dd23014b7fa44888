using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>
/// Every protected endpoint × every default role × anonymous (1311.205(b)(1)-(2)): allowed exactly when the role
/// grants the endpoint's permission, and every refusal is an "attempted unauthorized access" audit event with the
/// actor and the function (1311.215(a)(1)). The endpoints are read from the running app, so a new one is covered too.
/// </summary>
public class AuthorizationMatrixTests
{
    [Test]
    [Property("Rule", "1311.205(b)(1)")]
    [Property("Rule", "1311.205(b)(2)")]
    [Property("Rule", "1311.215(a)")]
    public async Task Each_default_role_reaches_exactly_the_endpoints_its_permissions_allow_and_each_refusal_is_audited()
    {
        await using var api = await PharmacyApi.CreateAsync();
        var run = await api.Pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "M-1" });
        var receiptId = run.JsonLines[0].GetProperty("receiptId").GetString()!;
        var endpoints = Endpoints(api);
        // Not following redirects: the console answers a browser without a session with a redirect to its sign-in page.
        var clients = new Dictionary<string, HttpClient>
        {
            ["anonymous"] = api.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false }),
        };
        foreach (var role in DefaultRoles.Grants.Keys)
        {
            clients[role] = await api.UserAsync($"matrix-{role.ToLowerInvariant()}", role);
        }

        var unexpected = new List<string>();
        var refusals = new List<(string Actor, string Function)>();
        foreach (var (who, client) in clients)
        {
            foreach (var endpoint in endpoints)
            {
                var allowed = endpoint.Permission is null
                    ? who != "anonymous"
                    : who != "anonymous" && DefaultRoles.Grants[who].Contains(endpoint.Permission.Value);
                using var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), endpoint.Path(receiptId));
                if (endpoint.Method is "POST" or "PUT")
                {
                    request.Content = JsonContent.Create(new { });
                }
                using var response = await client.SendAsync(request);
                var console = endpoint.IsConsole;
                var signInRedirect = console && response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString == "/";
                var denied = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || (who == "anonymous" && signInRedirect);
                var expectedStatus = who == "anonymous" ? (console ? HttpStatusCode.Redirect : HttpStatusCode.Unauthorized) : HttpStatusCode.Forbidden;
                if (allowed == denied || (denied && response.StatusCode != expectedStatus))
                {
                    unexpected.Add($"{who} {endpoint.Method} {endpoint.Route}: {(int)response.StatusCode}, expected {(allowed ? "allowed" : ((int)expectedStatus).ToString(System.Globalization.CultureInfo.InvariantCulture))}");
                }
                if (denied)
                {
                    refusals.Add((who == "anonymous" ? "anonymous" : $"matrix-{who.ToLowerInvariant()}", $"{endpoint.Method} /{endpoint.Route.TrimStart('/')}"));
                }
            }
        }

        Assert.That(endpoints, Has.Count.GreaterThanOrEqualTo(20), "the matrix found the API's endpoints");
        Assert.That(unexpected, Is.Empty);
        // Refusals without credentials are summed per window and address group (AnonymousFloodTests): written now.
        await api.Services.GetRequiredService<Host.Access.AnonymousRefusals>().FlushAsync(all: true);
        var audited = new List<(string, string)>();
        long anonymousRefused = 0;
        await foreach (var stored in api.Services.GetRequiredService<AuditLog>().ReadAllAsync(CancellationToken.None))
        {
            if (stored.Event is { Type: AuditEventTypes.UnauthorizedAccessAttempt, Outcome: AuditOutcome.Failure, Actor: "anonymous" } summary)
            {
                anonymousRefused += long.Parse(summary.Details.Split("; ").Single(p => p.StartsWith("refused=", StringComparison.Ordinal))[8..],
                    System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (stored.Event is { Type: AuditEventTypes.UnauthorizedAccessAttempt, Outcome: AuditOutcome.Failure } e)
            {
                audited.Add((e.Actor, e.Target));
            }
        }
        Assert.That(audited, Is.EquivalentTo(refusals.Where(r => r.Actor != "anonymous")), "one audit event per refusal of a user, naming actor and function");
        Assert.That(refusals.Count(r => r.Actor == "anonymous"), Is.EqualTo(endpoints.Count));
        Assert.That(anonymousRefused, Is.EqualTo(endpoints.Count), "every anonymous refusal counted in the window's summary");
    }

    private sealed record Endpoint(string Method, string Route, Permission? Permission)
    {
        /// <summary>A page of the browser console: the same policies, a sign-in redirect instead of a 401.</summary>
        public bool IsConsole => Route.TrimStart('/').Split('/')[0] is not ("api" or "openapi" or "health" or "metrics");

        public string Path(string receiptId) => "/" + Route.TrimStart('/')
            .Replace("{receiptId:guid}", receiptId, StringComparison.Ordinal)
            .Replace("{id:guid}", receiptId, StringComparison.Ordinal)
            .Replace("{day?}", "", StringComparison.Ordinal)
            .Replace("{number:long}", "1", StringComparison.Ordinal)
            .Replace("{userName}", "nobody", StringComparison.Ordinal)
            .Replace("{role}", "Technician", StringComparison.Ordinal)
            .Replace("{permission}", "Export", StringComparison.Ordinal);
    }

    /// <summary>Every endpoint that requires authorization, with the permission its policy names (null: any signed-in user).</summary>
    private static List<Endpoint> Endpoints(PharmacyApi api) => api.Services.GetRequiredService<EndpointDataSource>().Endpoints
        .OfType<RouteEndpoint>()
        .Where(e => e.Metadata.GetOrderedMetadata<IAuthorizeData>().Count > 0 && e.Metadata.GetMetadata<IAllowAnonymous>() is null)
        .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method => new Endpoint(
            method,
            e.RoutePattern.RawText!,
            e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>()
                .Select(p => Enum.TryParse<Permission>(p, out var permission) ? permission : (Permission?)null).FirstOrDefault(p => p is not null))))
        // Logout ends the session the other requests use: last.
        .OrderBy(e => e.Route.EndsWith("sessions/current", StringComparison.Ordinal))
        .ToList();
}
