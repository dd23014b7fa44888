using System.CommandLine;
using PharmacyRx.Host.Access;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>identity-provider</c>: which of the identity provider's group or app-role values give which role, as the console's
/// identity provider page does (1311.205(b)(2)). Each change is audited; a mapping to a role with a guarded permission
/// waits for a second person's approval (<c>users approve</c>) unless made break-glass.
/// </summary>
internal static class IdentityProviderCommand
{
    public static Command Create(CliEnvironment environment, Option<string> data)
    {
        var list = new Command("list", "List the mappings: {\"claimValue\",\"roleName\",\"createdAt\",\"createdBy\"} a line");
        list.SetAction((parse, ct) => CommandContext.RunInitializedAsync(environment, parse.GetValue(data)!, ct, async context =>
        {
            foreach (var mapping in await context.Get<ClaimRoleMappings>().ListAsync(ct))
            {
                CliJson.WriteLine(environment.Out, mapping);
            }
            return 0;
        }));

        var value = new Argument<string>("value") { Description = "The group or app-role value, exactly as the provider sends it (a group's id, not its name)" };
        var role = new Argument<string>("role") { Description = "The PharmacyRx role it gives" };
        var breakGlass = UsersCommand.BreakGlassOption();
        var requester = UsersCommand.RequesterOption();
        var map = new Command("map", "Map a value to a role (held for a second person when the role grants Dispense, Annotate, Alter, Delete or ManageAccess)")
        {
            value, role, breakGlass, requester,
        };
        map.SetAction((parse, ct) => UsersCommand.RequestedAsync(environment, parse.GetValue(data)!, parse.GetValue(requester), ct,
            (context, actor) => context.Get<AccessApprovals>().MapClaimAsync(parse.GetValue(value)!, parse.GetValue(role)!, actor, parse.GetValue(breakGlass), ct)));
        var unmap = new Command("unmap", "Remove a mapping: who held the role through it loses it at their next request") { value, role };
        unmap.SetAction((parse, ct) => CommandContext.RunInitializedAsync(environment, parse.GetValue(data)!, ct, async context =>
            await UsersCommand.PrintAsync(environment, new(await context.Get<ClaimRoleMappings>().RemoveAsync(parse.GetValue(value)!, parse.GetValue(role)!,
                ReceiptSource.CommandLine.Actor, ct)))));

        return new Command("identity-provider", "Map the identity provider's group or app-role values to roles") { list, map, unmap };
    }
}
