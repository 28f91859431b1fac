using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>
/// The application on a real Kestrel port (SQLite, demo loaded) and Debian's Chromium driven by
/// Playwright, never a downloaded browser. Screenshots go to tests/Kaohe.E2E/screenshots/ when
/// KAOHE_SCREENSHOTS=1.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Password = "Demo-pass-2023";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kaohe-e2e-" + Guid.NewGuid().ToString("N"));
    private WebApplicationFactory<Program> _factory = null!;
    private IPlaywright _playwright = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";

    public static string ChromiumPath => Environment.GetEnvironmentVariable("KAOHE_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Database:Provider", "Sqlite");
            b.UseSetting("Kaohe:DataDir", _dataDir);
            b.UseSetting("Kaohe:DemoPassword", Password);
            b.UseSetting("Kaohe:AdminPassword", "Admin-pass-2023");
            b.UseSetting("Kaohe:LoginAttemptsPerMinute", "1000");
            // Without an explicit URL the app also listens on its default port 5080, so two browser
            // test classes running in parallel collide; port 0 lets each take a free one.
            b.UseSetting("urls", "http://127.0.0.1:0");
        });
        _factory.UseKestrel(0);
        _factory.StartServer();
        BaseUrl = _factory.ClientOptions.BaseAddress.ToString().TrimEnd('/');
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
        await _factory.DisposeAsync();
        try { Directory.Delete(_dataDir, true); } catch (IOException) { }
    }

    public static readonly ViewportSize Desktop = new() { Width = 1366, Height = 900 };
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    public async Task<IPage> SignedIn(string user, ViewportSize viewport)
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = viewport, Locale = "zh-CN" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(BaseUrl + "/Account/Login");
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(BaseUrl + "/");
        return page;
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
