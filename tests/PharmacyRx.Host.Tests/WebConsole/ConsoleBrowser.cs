using System.Text.Json;
using Microsoft.Playwright;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.WebConsole;

/// <summary>
/// Headless Chromium from Debian (<c>/usr/bin/chromium</c>, or <c>PHARMACYRX_TEST_CHROMIUM</c>) driven by Playwright, and
/// axe-core from npm (fetched by scripts/test.sh into <c>.cache/axe-core/</c>, or <c>PHARMACYRX_TEST_AXE</c>) served to
/// the page by the test itself. In CI (<c>CI=true</c>) a browser that will not start or a missing axe-core fails the
/// run; elsewhere the browser tests report themselves ignored, with the reason.
/// </summary>
internal sealed class ConsoleBrowser : IAsyncDisposable
{
    /// <summary>The address the pages load axe-core from; the test answers it, nothing leaves the machine.</summary>
    private const string AxePath = "/__test/axe.min.js";

    private readonly IPlaywright _playwright;
    private readonly string _axe;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser, string axe)
    {
        _playwright = playwright;
        Browser = browser;
        _axe = axe;
    }

    public IBrowser Browser { get; }

    /// <summary>Where screenshots go: the test run's artifacts (and attached to the test result).</summary>
    public static string ScreenshotFolder { get; } = System.IO.Path.Combine(TestContext.CurrentContext.WorkDirectory, "console-screenshots");

    public static async Task<ConsoleBrowser> StartAsync()
    {
        var ci = Environment.GetEnvironmentVariable("CI") == "true";
        void Unavailable(string why)
        {
            if (ci)
            {
                Assert.Fail($"the browser tests cannot run in CI: {why}");
            }
            Assert.Ignore($"browser tests skipped: {why} (scripts/test.sh installs what they need)");
        }
        var executable = Environment.GetEnvironmentVariable("PHARMACYRX_TEST_CHROMIUM") ?? "/usr/bin/chromium";
        var axe = Environment.GetEnvironmentVariable("PHARMACYRX_TEST_AXE")
            ?? System.IO.Path.Combine(RepositoryRoot.Path, ".cache", "axe-core", "package", "axe.min.js");
        if (!File.Exists(executable))
        {
            Unavailable($"no Chromium at {executable}");
        }
        if (!File.Exists(axe))
        {
            Unavailable($"no axe-core at {axe}");
        }
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                // Tests run as root in CI, where Chromium's sandbox cannot start.
                Args = ["--no-sandbox", "--disable-dev-shm-usage"],
            });
            return new ConsoleBrowser(playwright, browser, await File.ReadAllTextAsync(axe));
        }
        catch (PlaywrightException ex)
        {
            playwright.Dispose();
            Unavailable($"Chromium at {executable} did not start: {ex.Message}");
            throw;
        }
    }

    /// <summary>A fresh browser profile (its own cookies) with a page on the service; in a time zone when one is named.</summary>
    public async Task<IPage> NewPageAsync(Uri baseAddress, string? timezoneId = null, int width = 1280)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(), ViewportSize = new() { Width = width, Height = 900 }, TimezoneId = timezoneId,
        });
        var page = await context.NewPageAsync();
        await page.RouteAsync("**" + AxePath, route => route.FulfillAsync(new RouteFulfillOptions { Body = _axe, ContentType = "text/javascript" }));
        return page;
    }

    /// <summary>The most a page may transfer with its style sheet and script.</summary>
    public const int TransferBudgetBytes = 150 * 1024;

    /// <summary>
    /// Asserts the page's quality bar: axe-core finds no serious or critical violation, and the page with its style sheet
    /// and script transferred at most <see cref="TransferBudgetBytes"/>. axe is loaded as a same-origin script the test
    /// answers, so the console's Content-Security-Policy (script-src 'self') stays as it is.
    /// </summary>
    public static async Task AssertPageQualityAsync(IPage page)
    {
        var transferred = await page.EvaluateAsync<long>("""
            () => {
              const navigation = performance.getEntriesByType('navigation')[0];
              const assets = performance.getEntriesByType('resource').filter(r => r.initiatorType !== 'fetch' && !r.name.includes('/__test/'));
              return (navigation ? navigation.transferSize : 0) + assets.reduce((sum, r) => sum + r.transferSize, 0);
            }
            """);
        Assert.That(transferred, Is.LessThanOrEqualTo(TransferBudgetBytes), $"bytes transferred for {page.Url}");
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
        {
            await page.AddScriptTagAsync(new PageAddScriptTagOptions { Url = AxePath });
        }
        var results = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const r = await window.axe.run(document, { resultTypes: ['violations'] });
              return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '));
            }
            """);
        var violations = results.EnumerateArray().Select(v => v.GetString()).ToArray();
        Assert.That(violations, Is.Empty, $"axe-core on {page.Url}");
    }

    /// <summary>Saves a screenshot (the full page, or what the window shows) as a test artifact and attaches it to the test result.</summary>
    public static async Task ScreenshotAsync(IPage page, string name, bool fullPage = true)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var path = System.IO.Path.Combine(ScreenshotFolder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        TestContext.AddTestAttachment(path, name);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }
}
