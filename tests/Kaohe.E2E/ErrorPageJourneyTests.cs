using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>The application with one planted fault: <c>/e2e-planted-fault</c> throws, as a bug in a page would.</summary>
public sealed class FaultFixture : BrowserFixture
{
    public const string FaultPath = "/e2e-planted-fault";

    protected override void Configure(IWebHostBuilder builder) =>
        builder.ConfigureServices(s => s.AddTransient<IStartupFilter, PlantedFault>());

    private sealed class PlantedFault : IStartupFilter
    {
        // Appended after the whole application, so the throw passes through its exception handler like any page's bug.
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Map(FaultPath, b => b.Run(_ => throw new InvalidOperationException("planted by the test")));
        };
    }
}

/// <summary>
/// Dead ends (issue 18 item 4): a person who meets a 404, 403 or 500 in the browser gets a Chinese page with
/// the next step and a way back, never raw English JSON; the API keeps its ProblemDetails.
/// </summary>
public sealed class ErrorPageJourneyTests(FaultFixture app) : IClassFixture<FaultFixture>
{
    [Fact]
    public async Task An_unknown_address_shows_a_Chinese_page_with_a_way_back_and_the_API_keeps_its_problem()
    {
        var page = await app.SignedIn("office", BrowserFixture.Desktop);
        var response = await page.GotoAsync(app.BaseUrl + "/Schemes/NoSuchPage");
        Assert.Equal(404, response!.Status);
        var text = await page.InnerTextAsync("body");
        Assert.Contains("页面不存在", text);
        Assert.Contains("下一步", text);
        Assert.DoesNotContain("{", text);
        Assert.DoesNotContain("Not Found", text);
        Assert.Equal(1, await page.Locator(".error-page a[href='/']").CountAsync());
        await BrowserFixture.Shot(page, "error-404-desktop");

        // A record that is not there (or not the person's) is the same page.
        Assert.Equal(404, (await page.GotoAsync(app.BaseUrl + "/Units/Detail/no-such-unit"))!.Status);
        Assert.Contains("页面不存在", await page.InnerTextAsync("h1"));

        // Coming from one of our pages, the page offers the way back to it.
        await page.GotoAsync(app.BaseUrl + "/Units");
        await page.EvaluateAsync("() => { const a = document.createElement('a'); a.href = '/Units/Detail/no-such-unit'; a.id = 'dead'; a.textContent = 'x'; document.body.appendChild(a); }");
        await page.ClickAsync("#dead");
        await page.Locator(".error-page").WaitForAsync();
        Assert.Equal("/Units", await page.Locator(".error-page a", new() { HasTextString = "返回上一页" }).GetAttributeAsync("href"));

        // The API, asked by the same browser, still answers with a ProblemDetails.
        var api = await page.APIRequest.GetAsync(app.BaseUrl + "/api/v1/no-such-endpoint", new() { Headers = new Dictionary<string, string> { ["Accept"] = "text/html,application/json" } });
        Assert.Equal(404, api.Status);
        using var problem = JsonDocument.Parse(await api.TextAsync());
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_fault_shows_a_Chinese_page_that_says_what_to_do_and_the_API_gets_a_problem()
    {
        var page = await app.SignedIn("office", BrowserFixture.Phone);
        var response = await page.GotoAsync(app.BaseUrl + FaultFixture.FaultPath);
        Assert.Equal(500, response!.Status);
        var text = await page.InnerTextAsync("body");
        Assert.Contains("系统出错", text);
        Assert.Contains("考核办", text);
        Assert.DoesNotContain("planted", text);
        Assert.DoesNotContain("InvalidOperationException", text);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the error page scrolls sideways on a phone");
        await BrowserFixture.Shot(page, "error-500-phone");

        var api = await page.APIRequest.GetAsync(app.BaseUrl + FaultFixture.FaultPath, new() { Headers = new Dictionary<string, string> { ["Accept"] = "application/json" } });
        Assert.Equal(500, api.Status);
        Assert.Contains("application/problem+json", api.Headers["content-type"]);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Every_link_on_a_units_home_page_opens()
    {
        var page = await app.SignedIn("unit-zj-lasa", BrowserFixture.Desktop);
        var hrefs = await page.EvalOnSelectorAllAsync<string[]>("main a[href^='/']", "links => links.map(a => a.getAttribute('href'))");
        Assert.NotEmpty(hrefs);
        var dead = new List<string>();
        foreach (var href in hrefs.Distinct())
        {
            var r = await page.APIRequest.GetAsync(app.BaseUrl + href, new() { MaxRedirects = 0 });
            if (r.Status >= 300) dead.Add($"{href} → {r.Status}");
        }
        Assert.True(dead.Count == 0, "links that do not open: " + string.Join(", ", dead));
        // Its own bureau is still a link; the others are names.
        Assert.Equal(1, await page.Locator("main a[href='/Units/Detail/zj-lasa']").CountAsync());
        Assert.Contains("日喀则市住建局", await page.InnerTextAsync("main"));
        await page.Context.CloseAsync();
    }
}

/// <summary>The sign-in limit at 3 attempts a minute per address, low enough to reach in a test.</summary>
public sealed class TightSignInFixture : BrowserFixture
{
    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Kaohe:LoginAttemptsPerMinute", "3");
}

public sealed class SignInLimitJourneyTests(TightSignInFixture app) : IClassFixture<TightSignInFixture>
{
    [Fact]
    public async Task Loading_the_sign_in_page_is_not_an_attempt_and_the_limit_page_says_to_wait_and_sign_in_again()
    {
        var context = await app.NewContextAsync(new() { ViewportSize = BrowserFixture.Desktop, Locale = "zh-CN" });
        var page = await context.NewPageAsync();
        for (var i = 0; i < 6; i++)
            Assert.Equal(200, (await page.GotoAsync(app.BaseUrl + "/Account/Login"))!.Status);

        IResponse? last = null;
        for (var i = 0; i < 4; i++)
        {
            await page.GotoAsync(app.BaseUrl + "/Account/Login");
            await page.FillAsync("#username", "office");
            await page.FillAsync("#password", "wrong-password-" + i);
            // A refused sign-in is answered in place (the form again, then the 429 page): a new document at the same address.
            await BrowserFixture.NewDocumentAsync(page, async () =>
                last = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button[type=submit]"), r => r.Request.Method == "POST" && r.Url.Contains("/Account/Login")));
        }
        Assert.Equal(429, last!.Status);
        var text = await page.InnerTextAsync("body");
        Assert.Contains("登录", text);
        Assert.Contains("稍候一分钟", text);
        Assert.DoesNotContain("扫码", text);
        await BrowserFixture.Shot(page, "error-429-login");
        await context.CloseAsync();
    }
}
