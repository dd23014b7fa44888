using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Access;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.Api;

/// <summary>
/// Setting access controls (1311.205(b)(2)): users, roles, grants and API keys, all behind <see cref="Permission.ManageAccess"/>,
/// each change audited with before and after; nobody changes their own access.
/// </summary>
public static class AccessApi
{
    public sealed record NewUserRequest(string UserName, string FullName, string Initials, string[]? Roles);

    public sealed record NewUserResponse(string UserName, string Password);

    public sealed record ApiKeyRequest(string Label);

    public sealed record ApiKeyResponse(string UserName, string Label, string ApiKey);

    public static IEndpointRouteBuilder MapAccessApi(this IEndpointRouteBuilder app)
    {
        var access = app.MapGroup("/api").WithTags("Access control").RequirePermission(Permission.ManageAccess);
        access.MapGet("/users", async (AccessStore store, CancellationToken ct) => TypedResults.Ok(await store.ListUsersAsync(ct))).WithName("ListUsers");
        access.MapPost("/users", CreateUserAsync).WithName("CreateUser");
        access.MapPost("/users/{userName}/disable", (string userName, HttpContext context, AccessStore store, CancellationToken ct) =>
            Answer(store.DisableAsync(userName, context.UserName(), ct))).WithName("DisableUser");
        access.MapPut("/users/{userName}/permissions/{permission}", (string userName, string permission, HttpContext context, AccessStore store, CancellationToken ct) =>
            WithPermission(permission, p => store.GrantAsync(userName, p, context.UserName(), ct))).WithName("GrantPermission");
        access.MapDelete("/users/{userName}/permissions/{permission}", (string userName, string permission, HttpContext context, AccessStore store, CancellationToken ct) =>
            WithPermission(permission, p => store.RevokeAsync(userName, p, context.UserName(), ct))).WithName("RevokePermission");
        access.MapPut("/users/{userName}/roles/{role}", (string userName, string role, HttpContext context, AccessStore store, CancellationToken ct) =>
            Answer(store.AssignRoleAsync(userName, role, context.UserName(), ct))).WithName("AssignRole");
        access.MapDelete("/users/{userName}/roles/{role}", (string userName, string role, HttpContext context, AccessStore store, CancellationToken ct) =>
            Answer(store.RemoveRoleAsync(userName, role, context.UserName(), ct))).WithName("RemoveRole");
        access.MapPost("/users/{userName}/api-keys", CreateApiKeyAsync).WithName("CreateApiKey");
        access.MapGet("/roles", async (AccessStore store, CancellationToken ct) => TypedResults.Ok(await store.ListRolesAsync(ct))).WithName("ListRoles");
        access.MapPut("/roles/{role}/permissions/{permission}", (string role, string permission, HttpContext context, AccessStore store, CancellationToken ct) =>
            WithPermission(permission, p => store.ChangeRoleAsync(role, p, grant: true, context.UserName(), ct))).WithName("GrantRolePermission");
        access.MapDelete("/roles/{role}/permissions/{permission}", (string role, string permission, HttpContext context, AccessStore store, CancellationToken ct) =>
            WithPermission(permission, p => store.ChangeRoleAsync(role, p, grant: false, context.UserName(), ct))).WithName("RevokeRolePermission");
        return app;
    }

    private static async Task<Results<Created<NewUserResponse>, ProblemHttpResult>> CreateUserAsync(
        NewUserRequest request, HttpContext context, UserAdministration users, CancellationToken cancellationToken)
    {
        var created = await users.CreateAsync(request.UserName, request.FullName, request.Initials, request.Roles ?? [], context.UserName(), cancellationToken);
        return created.Password is { } password
            ? TypedResults.Created($"/api/users/{created.UserName}", new NewUserResponse(created.UserName, password))
            : TypedResults.Problem(statusCode: created.Conflict ? 409 : 400, title: "User not created", detail: created.Problem);
    }

    private static async Task<Results<Created<ApiKeyResponse>, NotFound<ProblemDetails>>> CreateApiKeyAsync(
        string userName, ApiKeyRequest request, HttpContext context, SessionStore sessions, CancellationToken cancellationToken) =>
        await sessions.CreateApiKeyAsync(userName, request.Label ?? "", context.UserName(), cancellationToken) is { } key
            ? TypedResults.Created($"/api/users/{userName}", new ApiKeyResponse(userName, request.Label ?? "", key))
            : TypedResults.NotFound(new ProblemDetails { Status = 404, Title = "Not found", Detail = $"no active user {userName}" });

    private static async Task<Results<NoContent, NotFound<ProblemDetails>, ProblemHttpResult>> WithPermission(
        string permission, Func<Permission, Task<AccessResult>> change) =>
        Enum.TryParse<Permission>(permission, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
            ? await Answer(change(parsed))
            : TypedResults.Problem(statusCode: 400, title: "Unknown permission", detail: $"permission is one of {string.Join(", ", Enum.GetNames<Permission>())}");

    private static async Task<Results<NoContent, NotFound<ProblemDetails>, ProblemHttpResult>> Answer(Task<AccessResult> change)
    {
        var result = await change;
        return result.Outcome switch
        {
            AccessOutcome.Changed or AccessOutcome.Unchanged => TypedResults.NoContent(),
            AccessOutcome.NotFound => TypedResults.NotFound(new ProblemDetails { Status = 404, Title = "Not found", Detail = result.Message }),
            _ => TypedResults.Problem(statusCode: 403, title: "Refused", detail: result.Message),
        };
    }
}
