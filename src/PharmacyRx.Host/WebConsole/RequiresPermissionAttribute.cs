using PharmacyRx.Core.Access;

namespace PharmacyRx.Host.WebConsole;

/// <summary>
/// The permission a page handler (one form's POST) needs, checked by <see cref="PermissionPageFilter"/> with the API's
/// own policy for it (1311.205(b)(1)). A page's GET is guarded by <c>[Authorize(Policy = …)]</c> on its model.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresPermissionAttribute(Permission permission) : Attribute
{
    public Permission Permission { get; } = permission;
}
