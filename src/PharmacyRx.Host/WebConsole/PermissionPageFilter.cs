using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace PharmacyRx.Host.WebConsole;

/// <summary>
/// Checks a page handler's <see cref="RequiresPermissionAttribute"/> with the API route's policy before it runs,
/// refusing through the same <see cref="IAuthorizationMiddlewareResultHandler"/>: audited (1311.215(a)(1)) and answered
/// 403. A form the page did not offer, posted anyway with the user's own antiforgery token, ends here.
/// </summary>
internal sealed class PermissionPageFilter(IAuthorizationPolicyProvider policies, IPolicyEvaluator evaluator, IAuthorizationMiddlewareResultHandler refusals)
    : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (context.HandlerMethod?.MethodInfo.GetCustomAttribute<RequiresPermissionAttribute>() is { } required)
        {
            var http = context.HttpContext;
            var policy = await policies.GetPolicyAsync(required.Permission.ToString())
                ?? throw new InvalidOperationException($"no policy for {required.Permission}");
            var authentication = await evaluator.AuthenticateAsync(policy, http);
            var result = await evaluator.AuthorizeAsync(policy, authentication, http, null);
            if (!result.Succeeded)
            {
                await refusals.HandleAsync(_ => Task.CompletedTask, http, policy, result);
                context.Result = new EmptyResult();
                return;
            }
        }
        await next();
    }
}
