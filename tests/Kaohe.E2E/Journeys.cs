using Kaohe.Data;
using Kaohe.Web.Features.Periods;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>
/// The two devices every role journey runs on — a desktop (1280×800) and a phone (390×844, touch,
/// a mobile browser's user agent) — and what the journeys share: signing in, the phone-layout check
/// and screenshots named <c>journey-device-step</c>.
/// </summary>
public static class Journeys
{
    public const string Desktop = "desktop";
    public const string Phone = "phone";
    private const string MobileUserAgent = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36";

    public static BrowserNewContextOptions Options(string device) => device == Phone
        ? new() { ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true, UserAgent = MobileUserAgent, Locale = "zh-CN" }
        : new() { ViewportSize = new() { Width = 1280, Height = 800 }, Locale = "zh-CN" };

    /// <summary>A fresh browser context on the device; <paramref name="more"/> adds e.g. geolocation.</summary>
    public static async Task<IPage> Open(this BrowserFixture app, string device, Action<BrowserNewContextOptions>? more = null)
    {
        var options = Options(device);
        more?.Invoke(options);
        var context = await app.NewContextAsync(options);
        return await context.NewPageAsync();
    }

    /// <summary>Signs in through the login form on the device and lands on the home page.</summary>
    public static async Task<IPage> SignIn(this BrowserFixture app, string user, string device, Action<BrowserNewContextOptions>? more = null)
    {
        var page = await app.Open(device, more);
        await app.SignIn(page, user);
        return page;
    }

    /// <summary>Follows a main-navigation link as a user would (tapping it on a phone), opening its task group first.</summary>
    public static async Task Nav(IPage page, string device, string label)
    {
        var link = page.Locator("nav.mainnav a", new() { HasTextString = label }).First;
        if (!await link.IsVisibleAsync())
        {
            var group = link.Locator("xpath=ancestor::details[1]/summary");
            if (device == Phone) await group.TapAsync(); else await group.ClickAsync();
        }
        var href = await link.GetAttributeAsync("href") ?? "/";
        try
        {
            // Listening before the tap, as the sign-in does (BrowserFixture.ArriveAsync: a wait set up after it can miss the navigation).
            await BrowserFixture.ArriveAsync(page, () => device == Phone ? link.TapAsync() : link.ClickAsync(), url => new Uri(url).AbsolutePath == href);
        }
        catch (TimeoutException e)
        {
            // Say where the browser is and what it shows, as the sign-in does.
            var state = await page.EvaluateAsync<string>("() => document.readyState + ': ' + (document.body ? document.body.innerText.slice(0, 400) : '')");
            throw new TimeoutException($"“{label}” ({href}) was followed but the browser is at {page.Url} ({state})", e);
        }
    }

    /// <summary>
    /// Agrees to every confirmation the page asks for (irreversible actions carry data-confirm), keeping the
    /// questions so that a journey can check what it was told would happen.
    /// </summary>
    public static List<string> AcceptConfirmations(IPage page)
    {
        var asked = new List<string>();
        page.Dialog += (_, d) =>
        {
            lock (asked) asked.Add(d.Message);
            _ = d.AcceptAsync();
        };
        return asked;
    }

    /// <summary>Waits until an element matching the selector shows the text (after a post-back, the old page may still show an older message).</summary>
    public static Task Sees(IPage page, string selector, string text) =>
        page.Locator(selector, new() { HasTextString = text }).First.WaitForAsync();

    public static Task Press(IPage page, string device, string selector) =>
        device == Phone ? page.TapAsync(selector) : page.ClickAsync(selector);

    /// <summary>On a phone, the page must not scroll sideways: wide tables scroll inside their own box.</summary>
    public static async Task AssertFits(IPage page, string device, string step)
    {
        if (device != Phone) return;
        var (scroll, inner) = (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("() => window.innerWidth"));
        Assert.True(scroll <= inner, $"{step}: the page is {scroll} px wide on a {inner} px phone ({page.Url})");
    }

    /// <summary>A screenshot when KAOHE_SCREENSHOTS=1, named journey-device-step.png, after the phone-layout check.</summary>
    public static async Task Step(IPage page, string journey, string device, string step)
    {
        await AssertFits(page, device, $"{journey}/{step}");
        await BrowserFixture.Shot(page, $"{journey}-{device}-{step}");
    }

    /// <summary>
    /// A quarter with active schemes and no data yet, for a unit to report into: the quarter after the
    /// demo's last (2024-Q1), set up from 2023-Q4 and published through the same service the office's
    /// page uses, unless the office journey already did.
    /// </summary>
    public static async Task<string> FreshQuarter(this BrowserFixture app)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var setup = scope.ServiceProvider.GetRequiredService<PeriodSetup>();
        const string id = "2024-Q1";
        if (!await db.Periods.AnyAsync(p => p.Id == id))
        {
            var created = await setup.CreateNextAsync("2023-Q4", null);
            Assert.Null(created.Failure);
        }
        if (await db.Periods.AnyAsync(p => p.Id == id && p.Status == PeriodStatus.Planned))
            Assert.Null(await setup.PublishAsync(id));
        return id;
    }
}
