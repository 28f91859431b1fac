using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>
/// The application on a real Kestrel port (SQLite, demo loaded) and Debian's Chromium driven by
/// Playwright, never a downloaded browser. Screenshots go to tests/Kaohe.E2E/screenshots/ when
/// KAOHE_SCREENSHOTS=1. A journey that needs more (a setting, the app's services) derives from it.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    public const string Password = "Demo-pass-2023";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kaohe-e2e-" + Guid.NewGuid().ToString("N"));
    private IPlaywright _playwright = null!;

    /// <summary>The running application, for a test that puts data in place through its services.</summary>
    public WebApplicationFactory<Program> Factory { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";

    public static string ChromiumPath => Environment.GetEnvironmentVariable("KAOHE_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        await PrepareAsync(_dataDir);
        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Database:Provider", "Sqlite");
            b.UseSetting("Kaohe:DataDir", _dataDir);
            b.UseSetting("Kaohe:DemoPassword", Password);
            b.UseSetting("Kaohe:AdminPassword", "Admin-pass-2023");
            b.UseSetting("Kaohe:LoginAttemptsPerMinute", "1000");
            b.UseSetting("Kaohe:SignIn:AttemptsPerAccountPerMinute", "1000");
            // A free port: without an address the app defaults to 5080, and two fixtures (or two test runs) would collide.
            b.UseSetting("urls", "http://127.0.0.1:0");
            // The demo's analyses take well under a second, but on a loaded machine not always under the pages' default
            // wait: the journeys check the finished charts, so their pages wait for the analysis (the progress state has
            // its own tests, Kaohe.Web.Tests/Insight/AnalysesTests; the page walk copes with it either way).
            b.UseSetting("Kaohe:Insight:PageWaitSeconds", "60");
            Configure(b);
        });
        Factory.UseKestrel(0);
        Factory.StartServer();
        BaseUrl = Factory.ClientOptions.BaseAddress.ToString().TrimEnd('/');
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await Factory.DisposeAsync();
        try { Directory.Delete(_dataDir, true); } catch (IOException) { }
    }

    /// <summary>What a derived fixture puts in the data directory before the application starts (the demo loads only into an empty one).</summary>
    protected virtual Task PrepareAsync(string dataDir) => Task.CompletedTask;

    /// <summary>Settings a derived fixture adds to the common ones.</summary>
    protected virtual void Configure(IWebHostBuilder builder) { }

    public static readonly ViewportSize Desktop = new() { Width = 1366, Height = 900 };
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    /// <summary>
    /// A browser context whose actions and navigations wait up to 90 s, as the sign-in does: on a machine
    /// running several test processes at once (load 30 on 2 cores was seen), a page's first request after
    /// the app started (JIT, the first results computed) took over Playwright's default 30 s, and the
    /// journey failed on a tap that had worked (RoleJourneyTests, PublicationJourneyTests).
    /// </summary>
    public async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions options)
    {
        var context = await Browser.NewContextAsync(options);
        context.SetDefaultTimeout(90_000);
        context.SetDefaultNavigationTimeout(90_000);
        return context;
    }

    public Task<IPage> SignedIn(string user, ViewportSize viewport) =>
        SignedIn(user, new BrowserNewContextOptions { ViewportSize = viewport, Locale = "zh-CN" });

    /// <summary>A fresh browser context with these options, signed in through the login form.</summary>
    public async Task<IPage> SignedIn(string user, BrowserNewContextOptions options)
    {
        var context = await NewContextAsync(options);
        var page = await context.NewPageAsync();
        await SignIn(page, user);
        return page;
    }

    /// <summary>Signs in through the login form on this page and waits for the home page.</summary>
    public async Task SignIn(IPage page, string user)
    {
        await page.GotoAsync(BaseUrl + "/Account/Login");
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", Password);
        // The first page of a freshly started app can take long on a loaded machine (the first sign-in of a class).
        try
        {
            await ArriveAsync(page, () => page.ClickAsync("button[type=submit]"), url => url == BaseUrl + "/", 90_000);
        }
        catch (TimeoutException e)
        {
            // Say where the browser is, how far its document got, and what the page says (a refused sign-in stays on the
            // form with its message; "complete" at the home page would be a navigation the wait did not hear of).
            var text = await page.EvaluateAsync<string>("() => document.readyState + ': ' + (document.body ? document.body.innerText.slice(0, 600) : '')");
            throw new TimeoutException($"{user} did not reach the home page in 90 s; the browser is at {page.Url} ({text})", e);
        }
    }

    /// <summary>
    /// Does what navigates (a click on a link or on a form's button) and waits until the page has arrived at an address
    /// <paramref name="arrived"/> accepts, its document parsed (the journey's next step waits for what it needs).
    /// </summary>
    /// <remarks>
    /// The wait starts before the action, never after it. Playwright's WaitForURLAsync first compares the address the
    /// client last heard of and, if it differs, subscribes to the frame's next "navigated" event (WaitForLoadStateAsync does
    /// the same with the load states). Those events are dispatched on the connection's thread while the test continues on a
    /// thread-pool thread, so a navigation that commits between the comparison and the subscription is missed, and the
    /// wait times out with the browser already on the page it waited for. The gap is a few microseconds, but under load
    /// (30 runnable processes on 2 cores) the test's thread is preempted inside it now and then, and a run waits a few hundred
    /// times: about one run in three failed a sign-in after 90 s with the home page's HTML in the browser (first taken for a
    /// load event that never fired; waiting for DOMContentLoaded instead only moved the race to that event). Called before the click, WaitForURLAsync compares
    /// the old address and subscribes before it returns (synchronously), so the navigation cannot slip in between; the
    /// load state is then checked from within the event's dispatch. (RunAndWaitForNavigationAsync does the same but is obsolete.)
    /// </remarks>
    public static Task ArriveAsync(IPage page, Func<Task> action, Func<string, bool> arrived, float? timeout = null) =>
        AfterAsync(action, page.WaitForURLAsync(arrived, Arrival(timeout)));

    /// <summary>As <see cref="ArriveAsync(IPage, Func{Task}, Func{string, bool}, float?)"/>, to an address matching a glob ("**/Jobs/*").</summary>
    public static Task ArriveAsync(IPage page, Func<Task> action, string glob, float? timeout = null) =>
        AfterAsync(action, page.WaitForURLAsync(glob, Arrival(timeout)));

    /// <summary>As <see cref="ArriveAsync(IPage, Func{Task}, Func{string, bool}, float?)"/>, to an address matching a regular expression.</summary>
    public static Task ArriveAsync(IPage page, Func<Task> action, System.Text.RegularExpressions.Regex url, float? timeout = null) =>
        AfterAsync(action, page.WaitForURLAsync(url, Arrival(timeout)));

    /// <summary>
    /// Does what loads a new document where <see cref="ArriveAsync(IPage, Func{Task}, Func{string, bool}, float?)"/> cannot tell
    /// it by its address (a form posted back to the page it is on, a refused sign-in answered in place) and waits until that
    /// document is loaded (<paramref name="complete"/>: its load event too, e.g. so that an image's onerror has fired).
    /// </summary>
    /// <remarks>
    /// The old document is marked before the action; the wait then polls in the page for a document without the mark.
    /// Playwright runs such a poll again in each new document, so a navigation that commits before the wait starts is
    /// still seen, unlike WaitForLoadStateAsync after a click (see ArriveAsync), which can miss it and time out.
    /// </remarks>
    public static async Task NewDocumentAsync(IPage page, Func<Task> action, bool complete = false, float? timeout = null)
    {
        await page.EvaluateAsync("() => { window.__kaoheOldDocument = true; }");
        await action();
        await page.WaitForFunctionAsync(
            complete ? "() => !window.__kaoheOldDocument && document.readyState === 'complete'" : "() => !window.__kaoheOldDocument && document.readyState !== 'loading'",
            null, new() { Timeout = timeout });
    }

    private static PageWaitForURLOptions Arrival(float? timeout) => new() { WaitUntil = WaitUntilState.DOMContentLoaded, Timeout = timeout };

    private static async Task AfterAsync(Func<Task> action, Task arrival)
    {
        try
        {
            await action();
        }
        catch
        {
            _ = arrival.ContinueWith(t => t.Exception, TaskScheduler.Default);   // the action's failure is the one to report
            throw;
        }
        await arrival;
    }

    public static async Task Shot(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("KAOHE_SCREENSHOTS") != "1") return;
        var dir = Path.Combine(RepoRoot(), "tests", "Kaohe.E2E", "screenshots");
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new() { Path = Path.Combine(dir, name + ".png"), FullPage = true });
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Kaohe.sln"))) dir = dir.Parent;
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }
}
