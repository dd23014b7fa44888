using System.CommandLine;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Access;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>users</c> and <c>roles</c>: the administration the API offers, for pharmacy IT at the console (1311.205(b)(2)).
/// Each change is audited with before and after; the actor is the operating-system user.
/// </summary>
internal static class UsersCommand
{
    public static Command Users(CliEnvironment environment, Option<string> data)
    {
        var name = new Argument<string>("name") { Description = "User name" };
        var fullName = new Option<string>("--full-name") { Description = "Full name", Required = true };
        var initials = new Option<string>("--initials") { Description = "Initials, as dispensing records show them", Required = true };
        var role = new Option<string[]>("--role") { Description = "A role to hold; repeat for each", AllowMultipleArgumentsPerToken = false };
        var service = new Option<bool>("--service") { Description = "A service account (sender, export script): API keys only, never dispensing, annotating, altering or access management" };
        var breakGlass = BreakGlassOption();
        var requester = RequesterOption();
        var add = new Command("add", "Create a user; prints {\"userName\",\"password\"} with a one-time password (the first sign-in must change it)")
        {
            name, fullName, initials, role, service, breakGlass, requester,
        };
        add.SetAction((parse, ct) => CommandContext.RunInitializedAsync(environment, parse.GetValue(data)!, ct, async context =>
        {
            if (await RequesterAsync(environment, context, parse.GetValue(requester), ct) is not { } actor)
            {
                return 1;
            }
            var created = await context.Get<AccessApprovals>().CreateAsync(parse.GetValue(name)!, parse.GetValue(fullName)!, parse.GetValue(initials)!,
                parse.GetValue(role) ?? [], parse.GetValue(service) ? UserKind.Service : UserKind.Person, actor, parse.GetValue(breakGlass), ct);
            if (created.RequestId is { } pending)
            {
                CliJson.WriteLine(environment.Out, new { pending, detail = created.Result.Message });
                return 0;
            }
            if (created.Result.Outcome != AccessOutcome.Changed)
            {
                await environment.Error.WriteLineAsync($"error: {created.Result.Message}");
                return 1;
            }
            if (created.Password is null)
            {
                CliJson.WriteLine(environment.Out, new { userName = created.UserName, kind = nameof(UserKind.Service) });
                return 0;
            }
            CliJson.WriteLine(environment.Out, new { userName = created.UserName, password = created.Password });
            return 0;
        }));

        var list = new Command("list", "List users with their roles and permissions");
        list.SetAction((parse, ct) => CommandContext.RunInitializedAsync(environment, parse.GetValue(data)!, ct, async context =>
        {
            foreach (var user in await context.Get<AccessStore>().ListUsersAsync(ct))
            {
                CliJson.WriteLine(environment.Out, user);
            }
            return 0;
        }));

        var disable = new Command("disable", "Disable a user: sessions end, API keys stop working") { name };
        disable.SetAction((parse, ct) => ChangeAsync(environment, parse.GetValue(data)!, ct,
            context => context.Get<AccessStore>().DisableAsync(UserNames.Normalize(parse.GetValue(name)!), ReceiptSource.CommandLine.Actor, ct)));

        var enable = new Command("enable", "Enable a disabled user again (held for a second person when they hold a guarded permission)")
        {
            name, breakGlass, requester,
        };
        enable.SetAction((parse, ct) => RequestedAsync(environment, parse.GetValue(data)!, parse.GetValue(requester), ct,
            (context, actor) => context.Get<AccessApprovals>().EnableAsync(parse.GetValue(name)!, actor, parse.GetValue(breakGlass), ct)));

        var reset = new Command("reset-password", "Give a user a new one-time password (their sessions end; the first sign-in must change it)")
        {
            name, breakGlass, requester,
        };
        reset.SetAction((parse, ct) => CommandContext.RunInitializedAsync(environment, parse.GetValue(data)!, ct, async context =>
        {
            if (await RequesterAsync(environment, context, parse.GetValue(requester), ct) is not { } actor)
            {
                return 1;
            }
            var result = await context.Get<AccessApprovals>().ResetPasswordAsync(parse.GetValue(name)!, actor, parse.GetValue(breakGlass), ct);
            if (result.RequestId is { } pending)
            {
                CliJson.WriteLine(environment.Out, new { pending, detail = result.Result.Message });
                return 0;
            }
            if (result.Password is null)
            {
                await environment.Error.WriteLineAsync($"error: {result.Result.Message}");
                return 1;
            }
            CliJson.WriteLine(environment.Out, new { userName = UserNames.Normalize(parse.GetValue(name)!), password = result.Password });
            return 0;
        }));

        var permission = new Argument<string>("permission") { Description = ExactName.List<Permission>() };
        var grant = new Command("grant", "Grant a permission to a user by name") { name, permission, breakGlass, requester };
        grant.SetAction((parse, ct) => RequestedAsync(environment, parse.GetValue(data)!, parse.GetValue(requester), ct, (context, actor) => WithPermission(
            parse.GetValue(permission)!, p => context.Get<AccessApprovals>().GrantAsync(parse.GetValue(name)!, p, actor, parse.GetValue(breakGlass), ct))));
        var revoke = new Command("revoke", "Revoke a permission granted to a user by name") { name, permission, breakGlass, requester };
        revoke.SetAction((parse, ct) => RequestedAsync(environment, parse.GetValue(data)!, parse.GetValue(requester), ct, (context, actor) => WithPermission(
            parse.GetValue(permission)!, p => context.Get<AccessApprovals>().RevokeAsync(parse.GetValue(name)!, p, actor, parse.GetValue(breakGlass), ct))));

        var roleName = new Argument<string>("role") { Description = "Role name" };
        var assign = new Command("assign", "Give a user a role") { name, roleName, breakGlass, requester };
        assign.SetAction((parse, ct) => RequestedAsync(environment, parse.GetValue(data)!, parse.GetValue(requester), ct,
            (context, actor) => context.Get<AccessApprovals>().AssignRoleAsync(parse.GetValue(name)!, parse.GetValue(roleName)!, actor, parse.GetValue(breakGlass), ct)));
        var unassign = new Command("unassign", "Take a role from a user") { name, roleName, breakGlass, requester };
        unassign.SetAction((parse, ct) => RequestedAsync(environment, parse.GetValue(data)!, parse.GetValue(requester), ct,
            (context, actor) => context.Get<AccessApprovals>().RemoveRoleAsync(parse.GetValue(name)!, parse.GetValue(roleName)!, actor, parse.GetValue(breakGlass), ct)));

        var label = new Option<string>("--label") { Description = "What the key is for", DefaultValueFactory = _ => "api key" };
        var apiKey = new Command("api-key", "Create an API key for a service account; prints it once") { name, label };
        apiKey.SetAction((parse, ct) => CommandContext.RunInitializedAsync(environment, parse.GetValue(data)!, ct, async context =>
        {
            var userName = UserNames.Normalize(parse.GetValue(name)!);
            var created = await context.Get<SessionStore>().CreateApiKeyAsync(userName, parse.GetValue(label)!, ReceiptSource.CommandLine.Actor, ct);
            if (created.Key is not { } key)
            {
                await environment.Error.WriteLineAsync($"error: {created.Result.Message}");
                return 1;
            }
            CliJson.WriteLine(environment.Out, new { userName, apiKey = key });
            return 0;
        }));

        var requestId = new Argument<string>("request") { Description = "The request's id, as `users requests` lists it" };
        var approver = new Option<string>("--approver")
        {
            Description = $"The approving administrator (ManageAccess, not the requester); their password from {ApproverPasswordVariable}",
            Required = true,
        };
        var requests = new Command("requests", "List the access changes waiting for a second person's approval (two-person rule)");
        requests.SetAction((parse, ct) => CommandContext.RunInitializedAsync(environment, parse.GetValue(data)!, ct, async context =>
        {
            foreach (var request in await context.Get<AccessApprovals>().PendingAsync(ct))
            {
                CliJson.WriteLine(environment.Out, request);
            }
            return 0;
        }));
        var approve = new Command("approve", "Approve a waiting access change as a second administrator; prints a one-time password it makes") { requestId, approver };
        approve.SetAction((parse, ct) => CommandContext.RunInitializedAsync(environment, parse.GetValue(data)!, ct, async context =>
        {
            if (await ApproverAsync(environment, context, parse.GetValue(approver)!, ct) is not { } who)
            {
                return 1;
            }
            var approved = await context.Get<AccessApprovals>().ApproveAsync(parse.GetValue(requestId)!, who, ct);
            if (approved.Result.Outcome is not (AccessOutcome.Changed or AccessOutcome.Unchanged))
            {
                await environment.Error.WriteLineAsync($"error: {approved.Result.Message}");
                return 1;
            }
            CliJson.WriteLine(environment.Out, approved.Password is { } password
                ? new { approved = parse.GetValue(requestId), userName = approved.UserName, password }
                : (object)new { approved = parse.GetValue(requestId) });
            return 0;
        }));
        var refuse = new Command("refuse", "Refuse a waiting access change: nothing changes") { requestId, approver };
        refuse.SetAction((parse, ct) => CommandContext.RunInitializedAsync(environment, parse.GetValue(data)!, ct, async context =>
        {
            if (await ApproverAsync(environment, context, parse.GetValue(approver)!, ct) is not { } who)
            {
                return 1;
            }
            var refused = await context.Get<AccessApprovals>().RefuseAsync(parse.GetValue(requestId)!, who, ct);
            if (refused.Outcome != AccessOutcome.Changed)
            {
                await environment.Error.WriteLineAsync($"error: {refused.Message}");
                return 1;
            }
            CliJson.WriteLine(environment.Out, new { refused = parse.GetValue(requestId) });
            return 0;
        }));

        var inCharge = new Argument<string>("name") { Description = "The pharmacist-in-charge's user name; 'none' names nobody" };
        var pharmacistInCharge = new Command("pharmacist-in-charge", "Name the pharmacist-in-charge, whose approval a grant of Dispense then needs (waits for a second person)")
        {
            inCharge, breakGlass, requester,
        };
        pharmacistInCharge.SetAction((parse, ct) => RequestedAsync(environment, parse.GetValue(data)!, parse.GetValue(requester), ct,
            (context, actor) => context.Get<AccessApprovals>().NamePharmacistInChargeAsync(
                string.Equals(parse.GetValue(inCharge), "none", StringComparison.OrdinalIgnoreCase) ? null : parse.GetValue(inCharge), actor, parse.GetValue(breakGlass), ct)));
        var onOff = new Argument<string>("on|off") { Description = "on: at once; off: waits for a second person, and compliance warns while it is off" };
        onOff.AcceptOnlyFromAmong("on", "off");
        var rule = new Command("two-person-rule", "Turn the two-person rule on or off") { onOff, breakGlass, requester };
        rule.SetAction((parse, ct) => RequestedAsync(environment, parse.GetValue(data)!, parse.GetValue(requester), ct,
            (context, actor) => context.Get<AccessApprovals>().SetRuleAsync(parse.GetValue(onOff) == "on", actor, parse.GetValue(breakGlass), ct)));
        var policy = new Command("policy", "Print the two-person rule's state and the pharmacist-in-charge");
        policy.SetAction((parse, ct) => CommandContext.RunInitializedAsync(environment, parse.GetValue(data)!, ct, async context =>
        {
            var state = await context.Get<AccessApprovals>().PolicyAsync(ct);
            CliJson.WriteLine(environment.Out, new
            {
                twoPersonRule = state.RuleOff ? "off" : "on", applies = await context.Get<AccessApprovals>().AppliesAsync(ct), pharmacistInCharge = state.PharmacistInCharge,
            });
            return 0;
        }));

        return new Command("users", "Manage users and what they may do")
        {
            add, list, disable, enable, reset, grant, revoke, assign, unassign, apiKey, requests, approve, refuse, pharmacistInCharge, rule, policy,
        };
    }

    public static Command Roles(CliEnvironment environment, Option<string> data)
    {
        var list = new Command("list", "List roles and their permissions");
        list.SetAction((parse, ct) => CommandContext.RunInitializedAsync(environment, parse.GetValue(data)!, ct, async context =>
        {
            foreach (var role in await context.Get<AccessStore>().ListRolesAsync(ct))
            {
                CliJson.WriteLine(environment.Out, role);
            }
            return 0;
        }));
        var roleName = new Argument<string>("role") { Description = "Role name" };
        var permission = new Argument<string>("permission") { Description = ExactName.List<Permission>() };
        var breakGlass = BreakGlassOption();
        var requester = RequesterOption();
        var grant = new Command("grant", "Grant a permission to a role") { roleName, permission, breakGlass, requester };
        grant.SetAction((parse, ct) => RequestedAsync(environment, parse.GetValue(data)!, parse.GetValue(requester), ct, (context, actor) => WithPermission(
            parse.GetValue(permission)!, p => context.Get<AccessApprovals>().ChangeRoleAsync(parse.GetValue(roleName)!, p, grant: true, actor, parse.GetValue(breakGlass), ct))));
        var revoke = new Command("revoke", "Revoke a permission from a role") { roleName, permission, breakGlass, requester };
        revoke.SetAction((parse, ct) => RequestedAsync(environment, parse.GetValue(data)!, parse.GetValue(requester), ct, (context, actor) => WithPermission(
            parse.GetValue(permission)!, p => context.Get<AccessApprovals>().ChangeRoleAsync(parse.GetValue(roleName)!, p, grant: false, actor, parse.GetValue(breakGlass), ct))));
        return new Command("roles", "Manage roles and what they grant") { list, grant, revoke };
    }

    /// <summary>The environment variable the approving administrator's password is read from (never an argument: it would show in ps).</summary>
    public const string ApproverPasswordVariable = "PHARMACYRX_APPROVER_PASSWORD";

    /// <summary>
    /// Break-glass, for when every administrator is locked out: the change is made at once, past the two-person rule, on
    /// the host with the key password, and audited as such (AccessBreakGlass) for the daily report.
    /// </summary>
    internal static Option<bool> BreakGlassOption() => new("--break-glass")
    {
        Description = "Make the change at once past the two-person rule (every administrator locked out); audited as break-glass",
    };

    /// <summary>The approver, once their password holds (checked, throttled and audited as a sign-in is); null, with the reason, otherwise.</summary>
    private static Task<string?> ApproverAsync(CliEnvironment environment, CommandContext context, string approver, CancellationToken cancellationToken) =>
        PersonAsync(environment, context, approver, ApproverPasswordVariable, "approver", cancellationToken);

    // A named person whose password, read from the variable, holds; null, with the reason written, otherwise.
    private static async Task<string?> PersonAsync(
        CliEnvironment environment, CommandContext context, string name, string variable, string who, CancellationToken cancellationToken)
    {
        if (environment.GetVariable(variable) is not { Length: > 0 } password)
        {
            await environment.Error.WriteLineAsync($"error: set {variable} to the {who}'s password");
            return null;
        }
        var check = await context.Get<SessionStore>().CheckPersonAsync(name, password, who == "approver" ? "approval" : "request", cancellationToken);
        if (check.Outcome != LoginOutcome.Succeeded)
        {
            await environment.Error.WriteLineAsync(check.PasswordChangeRequired
                ? $"error: the {who}'s password is a one-time password, which holds only to be changed: they sign in and set their own first"
                : $"error: the {who}'s password does not hold ({check.Outcome})");
            return null;
        }
        return check.UserName;
    }

    /// <summary>An access change's outcome: the request waiting for approval, whether anything changed, or the error (exit 1).</summary>
    internal static async Task<int> PrintAsync(CliEnvironment environment, AccessApprovals.Outcome outcome)
    {
        if (outcome.RequestId is { } pending)
        {
            CliJson.WriteLine(environment.Out, new { pending, detail = outcome.Result.Message });
            return 0;
        }
        if (outcome.Result.Outcome is not (AccessOutcome.Changed or AccessOutcome.Unchanged))
        {
            await environment.Error.WriteLineAsync($"error: {outcome.Result.Message}");
            return 1;
        }
        CliJson.WriteLine(environment.Out, new { changed = outcome.Result.Outcome == AccessOutcome.Changed });
        return 0;
    }

    private static Task<AccessApprovals.Outcome> WithPermission(string text, Func<Permission, Task<AccessApprovals.Outcome>> change) =>
        ExactName.TryParse<Permission>(text, out var permission)
            ? change(permission)
            : Task.FromResult(new AccessApprovals.Outcome(AccessResult.NotFound($"no permission {text}; one permission per call, one of {ExactName.List<Permission>()}")));

    /// <summary>
    /// Who asks for a change on the command line: a named person, once their password holds (checked, throttled and
    /// audited as a sign-in is), so that they cannot approve it themselves; without <c>--requester</c> the operating-system
    /// user, which a change held for a second person refuses. Null, with the reason written, when the password does not hold.
    /// </summary>
    private static async Task<string?> RequesterAsync(CliEnvironment environment, CommandContext context, string? requester, CancellationToken cancellationToken) =>
        requester is null
            ? ReceiptSource.CommandLine.Actor
            : await PersonAsync(environment, context, requester, AccessApprovals.RequesterPasswordVariable, "requester", cancellationToken);

    internal static Option<string?> RequesterOption() => new("--requester")
    {
        Description = $"The person asking (their password in {AccessApprovals.RequesterPasswordVariable}): a change the two-person rule holds must name one",
    };

#pragma warning disable CA1068 // the command's body reads best as the last argument
    internal static Task<int> RequestedAsync(CliEnvironment environment, string data, string? requester, CancellationToken cancellationToken,
        Func<CommandContext, string, Task<AccessApprovals.Outcome>> change) =>
        CommandContext.RunInitializedAsync(environment, data, cancellationToken, async context =>
            await RequesterAsync(environment, context, requester, cancellationToken) is { } actor ? await PrintAsync(environment, await change(context, actor)) : 1);
#pragma warning restore CA1068

#pragma warning disable CA1068 // the command's body reads best as the last argument
    private static Task<int> ChangeAsync(CliEnvironment environment, string data, CancellationToken cancellationToken, Func<CommandContext, Task<AccessResult>> change) =>
        CommandContext.RunInitializedAsync(environment, data, cancellationToken, async context => await PrintAsync(environment, new(await change(context))));
#pragma warning restore CA1068
}
