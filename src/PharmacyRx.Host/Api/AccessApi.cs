using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Access;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.Api;

/// <summary>
/// Setting access controls (1311.205(b)(2)): users, roles, grants and API keys, all behind <see cref="Permission.ManageAccess"/>,
/// each change audited with before and after; nobody changes their own access, and nobody acts as someone else (API
/// keys only for oneself or a service account, passwords set by an administrator are one-time).
/// </summary>
public static class AccessApi
{
    /// <summary>A new user; <see cref="Service"/> makes a service account (API keys only, no pharmacist or access rights).</summary>
    public sealed record NewUserRequest(string UserName, string FullName, string Initials, string[]? Roles, bool Service = false);

    /// <summary>The new user and their one-time password (null for a service account, which signs in by API key only).</summary>
    public sealed record NewUserResponse(string UserName, string? Password);

    public sealed record ApiKeyRequest(string Label);

    public sealed record ApiKeyResponse(string UserName, string Label, string ApiKey);

    public static IEndpointRouteBuilder MapAccessApi(this IEndpointRouteBuilder app)
    {
        var access = app.MapGroup("/api").WithTags("Access control").RequirePermission(Permission.ManageAccess);
        access.MapGet("/users", async (AccessStore store, CancellationToken ct) => TypedResults.Ok(await store.ListUsersAsync(ct))).WithName("ListUsers");
        access.MapPost("/users", CreateUserAsync).WithName("CreateUser");
        access.MapPost("/users/{userName}/disable", (string userName, HttpContext context, AccessStore store, CancellationToken ct) =>
            Answer(store.DisableAsync(UserNames.Normalize(userName), context.UserName(), ct))).WithName("DisableUser");
        access.MapPost("/users/{userName}/enable", (string userName, HttpContext context, AccessStore store, CancellationToken ct) =>
            Answer(store.EnableAsync(UserNames.Normalize(userName), context.UserName(), ct))).WithName("EnableUser");
        access.MapPost("/users/{userName}/password", ResetPasswordAsync).WithName("ResetPassword");
        access.MapPut("/users/{userName}/permissions/{permission}", (string userName, string permission, HttpContext context, AccessStore store, CancellationToken ct) =>
            WithPermission(permission, p => store.GrantAsync(UserNames.Normalize(userName), p, context.UserName(), ct))).WithName("GrantPermission");
        access.MapDelete("/users/{userName}/permissions/{permission}", (string userName, string permission, HttpContext context, AccessStore store, CancellationToken ct) =>
            WithPermission(permission, p => store.RevokeAsync(UserNames.Normalize(userName), p, context.UserName(), ct))).WithName("RevokePermission");
        access.MapPut("/users/{userName}/roles/{role}", (string userName, string role, HttpContext context, AccessStore store, CancellationToken ct) =>
            Answer(store.AssignRoleAsync(UserNames.Normalize(userName), role, context.UserName(), ct))).WithName("AssignRole");
        access.MapDelete("/users/{userName}/roles/{role}", (string userName, string role, HttpContext context, AccessStore store, CancellationToken ct) =>
            Answer(store.RemoveRoleAsync(UserNames.Normalize(userName), role, context.UserName(), ct))).WithName("RemoveRole");
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
        var created = await users.CreateAsync(request.UserName ?? "", request.FullName ?? "", request.Initials ?? "", request.Roles ?? [],
            request.Service ? UserKind.Service : UserKind.Person, context.UserName(), cancellationToken);
        return created.Succeeded
            ? TypedResults.Created($"/api/users/{created.UserName}", new NewUserResponse(created.UserName, created.Password))
            : TypedResults.Problem(statusCode: created.Conflict ? 409 : 400, title: "User not created", detail: created.Problem);
    }

    private static async Task<Results<Ok<NewUserResponse>, NotFound<ProblemDetails>, ProblemHttpResult>> ResetPasswordAsync(
        string userName, HttpContext context, UserAdministration users, CancellationToken cancellationToken)
    {
        var reset = await users.ResetPasswordAsync(userName, context.UserName(), cancellationToken);
        return reset.Password is { } password ? TypedResults.Ok(new NewUserResponse(UserNames.Normalize(userName), password))
            : reset.Result.Outcome == AccessOutcome.NotFound ? NotFound(reset.Result)
            : Problem(reset.Result);
    }

    private static async Task<Results<Created<ApiKeyResponse>, NotFound<ProblemDetails>, ProblemHttpResult>> CreateApiKeyAsync(
        string userName, ApiKeyRequest request, HttpContext context, SessionStore sessions, CancellationToken cancellationToken)
    {
        var name = UserNames.Normalize(userName);
        var created = await sessions.CreateApiKeyAsync(name, request.Label ?? "", context.UserName(), cancellationToken);
        return created.Key is { } key ? TypedResults.Created($"/api/users/{name}", new ApiKeyResponse(name, request.Label ?? "", key))
            : created.Result.Outcome == AccessOutcome.NotFound ? NotFound(created.Result)
            : Problem(created.Result);
    }

    private static async Task<Results<NoContent, NotFound<ProblemDetails>, ProblemHttpResult>> WithPermission(
        string permission, Func<Permission, Task<AccessResult>> change) =>
        ExactName.TryParse<Permission>(permission, out var parsed)
            ? await Answer(change(parsed))
            : TypedResults.Problem(statusCode: 400, title: "Unknown permission", detail: $"one permission per call, one of {ExactName.List<Permission>()}");

    private static async Task<Results<NoContent, NotFound<ProblemDetails>, ProblemHttpResult>> Answer(Task<AccessResult> change)
    {
        var result = await change;
        return result.Outcome switch
        {
            AccessOutcome.Changed or AccessOutcome.Unchanged => TypedResults.NoContent(),
            AccessOutcome.NotFound => NotFound(result),
            _ => Problem(result),
        };
    }

    private static NotFound<ProblemDetails> NotFound(AccessResult result) =>
        TypedResults.NotFound(new ProblemDetails { Status = 404, Title = "Not found", Detail = result.Message });

    /// <summary>A refusal (403, audited by the store) or a malformed request (400).</summary>
    private static ProblemHttpResult Problem(AccessResult result) => result.Outcome == AccessOutcome.Invalid
        ? TypedResults.Problem(statusCode: 400, title: "Bad request", detail: result.Message)
        : TypedResults.Problem(statusCode: 403, title: "Refused", detail: result.Message);
}
