using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Logging.Abstractions;

namespace PharmacyRx.Host;

/// <summary>
/// A whole HTML document from a Razor component (<see cref="HtmlRenderer"/>): the reports a pharmacist prints or keeps,
/// written outside any request. Razor encodes every value it writes, so no report builds markup by hand.
/// </summary>
public static class HtmlDocument
{
    public static async Task<string> RenderAsync<TComponent>(IDictionary<string, object?> parameters)
        where TComponent : IComponent
    {
        await using var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection().BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, NullLoggerFactory.Instance);
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }
}
