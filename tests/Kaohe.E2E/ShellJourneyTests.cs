using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>What a newcomer sees: sign in, the home page, the schemes and the ranking, on a desktop and on a phone.</summary>
public sealed class ShellJourneyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    [Theory]
    [InlineData("desktop")]
    [InlineData("phone")]
    public async Task The_office_signs_in_and_sees_the_prefectures_the_schemes_and_the_ranking(string device)
    {
        var page = await app.SignedIn("office", device == "phone" ? BrowserFixture.Phone : BrowserFixture.Desktop);
        var body = await page.InnerTextAsync("main");
        foreach (var prefecture in new[] { "拉萨市", "日喀则市", "昌都市", "林芝市", "山南市", "那曲市", "阿里地区" })
            Assert.Contains(prefecture, body);
        Assert.Contains("23.27亿元", body);
        await BrowserFixture.Shot(page, $"office-home-{device}");

        await Journeys.Nav(page, Journeys.Desktop, "考核方案");
        await page.ClickAsync("text=2023年第一季度地市城管局考核方案");
        Assert.Contains("生活垃圾分类", await page.InnerTextAsync("main"));
        await BrowserFixture.Shot(page, $"office-scheme-{device}");

        await page.GotoAsync(app.BaseUrl + "/Results?period=2023-Q1&category=housing");
        var ranking = await page.InnerTextAsync("main");
        Assert.Contains("通报表扬", ranking);
        Assert.Contains("通报批评", ranking);
        await BrowserFixture.Shot(page, $"office-results-{device}");

        // Drill from a total down to the formula of a leaf.
        await page.ClickAsync("table >> tbody >> tr >> nth=0 >> td >> nth=2 >> a");
        Assert.Contains("总分 =", await page.InnerTextAsync(".explain-formula"));
        await page.ClickAsync("text=重点项目开复工率和完成季度投资计划");
        await page.ClickAsync("text=投资任务完成率");
        // A derived indicator: its formula with the figures put in, then how its value was scored.
        Assert.Matches(@"inv / plan：[0-9.]+ = [0-9.]+ ÷ [0-9.]+", await page.InnerTextAsync("#derived"));
        Assert.Contains("功效系数法", await page.InnerTextAsync(".explain-formula:not(#derived)"));
        await BrowserFixture.Shot(page, $"office-explain-{device}");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_English_switch_changes_the_interface_language()
    {
        var page = await app.SignedIn("viewer", BrowserFixture.Desktop);
        await page.ClickAsync("text=English");
        Assert.Contains("The seven prefectures", await page.InnerTextAsync("main"));
        await BrowserFixture.Shot(page, "viewer-home-en");
        await page.ClickAsync("text=中文");
        Assert.Contains("七地（市）", await page.InnerTextAsync("main"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task No_script_runs_inline_because_the_content_security_policy_forbids_it()
    {
        var page = await app.SignedIn("office", BrowserFixture.Desktop);
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        await page.GotoAsync(app.BaseUrl + "/Schemes");
        var executed = await page.EvaluateAsync<bool>("() => { const s = document.createElement('script'); s.textContent = 'window.__inline = true'; document.body.appendChild(s); return window.__inline === true; }");
        Assert.False(executed);
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData("/Publication/Narrative?period=2023-Q1")]
    [InlineData("/Periods")]
    [InlineData("/Audit")]
    public async Task An_office_page_has_no_inline_style_the_content_security_policy_refuses(string path)
    {
        var page = await app.SignedIn("office", BrowserFixture.Desktop);
        var refused = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error" && m.Text.Contains("Content Security Policy", StringComparison.Ordinal)) refused.Add(m.Text); };
        await page.GotoAsync(app.BaseUrl + path);
        await page.WaitForLoadStateAsync(Microsoft.Playwright.LoadState.NetworkIdle);
        Assert.Empty(refused);
        Assert.Equal(0, await page.Locator("[style]").CountAsync());
        await page.Context.CloseAsync();
    }
}
