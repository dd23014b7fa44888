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
        var add = new Command("add", "Create a user; prints {\"userName\",\"password\"} with a one-time password") { name, fullName, initials, role };
        add.SetAction((parse, ct) => RunAsync(environment, parse.GetValue(data)!, ct, async context =>
        {
            var created = await context.Get<UserAdministration>().CreateAsync(
                parse.GetValue(name)!, parse.GetValue(fullName)!, parse.GetValue(initials)!, parse.GetValue(role) ?? [], ReceiptSource.CommandLine.Actor, ct);
            if (created.Password is null)
            {
                await environment.Error.WriteLineAsync($"error: {created.Problem}");
                return 1;
            }
            CliJson.WriteLine(environment.Out, new { userName = created.UserName, password = created.Password });
            return 0;
        }));

        var list = new Command("list", "List users with their roles and permissions");
        list.SetAction((parse, ct) => RunAsync(environment, parse.GetValue(data)!, ct, async context =>
        {
            foreach (var user in await context.Get<AccessStore>().ListUsersAsync(ct))
            {
                CliJson.WriteLine(environment.Out, user);
            }
            return 0;
        }));

        var disable = new Command("disable", "Disable a user: sessions end, API keys stop working") { name };
        disable.SetAction((parse, ct) => ChangeAsync(environment, parse.GetValue(data)!, ct,
            context => context.Get<AccessStore>().DisableAsync(parse.GetValue(name)!, ReceiptSource.CommandLine.Actor, ct)));

        var permission = new Argument<string>("permission") { Description = string.Join(", ", Enum.GetNames<Permission>()) };
        var grant = new Command("grant", "Grant a permission to a user by name") { name, permission };
        grant.SetAction((parse, ct) => ChangeAsync(environment, parse.GetValue(data)!, ct, context => WithPermission(parse.GetValue(permission)!,
            p => context.Get<AccessStore>().GrantAsync(parse.GetValue(name)!, p, ReceiptSource.CommandLine.Actor, ct))));
        var revoke = new Command("revoke", "Revoke a permission granted to a user by name") { name, permission };
        revoke.SetAction((parse, ct) => ChangeAsync(environment, parse.GetValue(data)!, ct, context => WithPermission(parse.GetValue(permission)!,
            p => context.Get<AccessStore>().RevokeAsync(parse.GetValue(name)!, p, ReceiptSource.CommandLine.Actor, ct))));

        var roleName = new Argument<string>("role") { Description = "Role name" };
        var assign = new Command("assign", "Give a user a role") { name, roleName };
        assign.SetAction((parse, ct) => ChangeAsync(environment, parse.GetValue(data)!, ct,
            context => context.Get<AccessStore>().AssignRoleAsync(parse.GetValue(name)!, parse.GetValue(roleName)!, ReceiptSource.CommandLine.Actor, ct)));
        var unassign = new Command("unassign", "Take a role from a user") { name, roleName };
        unassign.SetAction((parse, ct) => ChangeAsync(environment, parse.GetValue(data)!, ct,
            context => context.Get<AccessStore>().RemoveRoleAsync(parse.GetValue(name)!, parse.GetValue(roleName)!, ReceiptSource.CommandLine.Actor, ct)));

        var label = new Option<string>("--label") { Description = "What the key is for", DefaultValueFactory = _ => "api key" };
        var apiKey = new Command("api-key", "Create an API key for a (service) user; prints it once") { name, label };
        apiKey.SetAction((parse, ct) => RunAsync(environment, parse.GetValue(data)!, ct, async context =>
        {
            if (await context.Get<SessionStore>().CreateApiKeyAsync(parse.GetValue(name)!, parse.GetValue(label)!, ReceiptSource.CommandLine.Actor, ct) is not { } key)
            {
                await environment.Error.WriteLineAsync($"error: no active user {parse.GetValue(name)}");
                return 1;
            }
            CliJson.WriteLine(environment.Out, new { userName = parse.GetValue(name), apiKey = key });
            return 0;
        }));

        return new Command("users", "Manage users and what they may do") { add, list, disable, grant, revoke, assign, unassign, apiKey };
    }

    public static Command Roles(CliEnvironment environment, Option<string> data)
    {
        var list = new Command("list", "List roles and their permissions");
        list.SetAction((parse, ct) => RunAsync(environment, parse.GetValue(data)!, ct, async context =>
        {
            foreach (var role in await context.Get<AccessStore>().ListRolesAsync(ct))
            {
                CliJson.WriteLine(environment.Out, role);
            }
            return 0;
        }));
        var roleName = new Argument<string>("role") { Description = "Role name" };
        var permission = new Argument<string>("permission") { Description = string.Join(", ", Enum.GetNames<Permission>()) };
        var grant = new Command("grant", "Grant a permission to a role") { roleName, permission };
        grant.SetAction((parse, ct) => ChangeAsync(environment, parse.GetValue(data)!, ct, context => WithPermission(parse.GetValue(permission)!,
            p => context.Get<AccessStore>().ChangeRoleAsync(parse.GetValue(roleName)!, p, grant: true, ReceiptSource.CommandLine.Actor, ct))));
        var revoke = new Command("revoke", "Revoke a permission from a role") { roleName, permission };
        revoke.SetAction((parse, ct) => ChangeAsync(environment, parse.GetValue(data)!, ct, context => WithPermission(parse.GetValue(permission)!,
            p => context.Get<AccessStore>().ChangeRoleAsync(parse.GetValue(roleName)!, p, grant: false, ReceiptSource.CommandLine.Actor, ct))));
        return new Command("roles", "Manage roles and what they grant") { list, grant, revoke };
    }

    private static Task<AccessResult> WithPermission(string text, Func<Permission, Task<AccessResult>> change) =>
        Enum.TryParse<Permission>(text, ignoreCase: true, out var permission) && Enum.IsDefined(permission)
            ? change(permission)
            : Task.FromResult(AccessResult.NotFound($"no permission {text}; one of {string.Join(", ", Enum.GetNames<Permission>())}"));

#pragma warning disable CA1068 // the command's body reads best as the last argument
    private static Task<int> ChangeAsync(CliEnvironment environment, string data, CancellationToken cancellationToken, Func<CommandContext, Task<AccessResult>> change) =>
        RunAsync(environment, data, cancellationToken, async context =>
        {
            var result = await change(context);
            if (result.Outcome is AccessOutcome.NotFound or AccessOutcome.Refused)
            {
                await environment.Error.WriteLineAsync($"error: {result.Message}");
                return 1;
            }
            CliJson.WriteLine(environment.Out, new { changed = result.Outcome == AccessOutcome.Changed });
            return 0;
        });

    private static async Task<int> RunAsync(CliEnvironment environment, string data, CancellationToken cancellationToken, Func<CommandContext, Task<int>> run)
    {
        if (await CommandContext.OpenInitializedAsync(new DataFolder(data), environment, cancellationToken) is not { } context)
        {
            return 2;
        }
        await using (context)
        {
            return await run(context);
        }
    }
#pragma warning restore CA1068
}
