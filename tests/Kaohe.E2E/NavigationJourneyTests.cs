using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>
/// The main navigation (issue 18 item 8) for every demo role, on the office's 1366×900 screen and a 390×844
/// phone: the bar is no wider than its box, every task group's menu opens inside the screen with all its
/// links visible, and the API link is the office's only.
/// </summary>
public sealed class NavigationJourneyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    public static TheoryData<string, string> RolesAndScreens()
    {
        var data = new TheoryData<string, string>();
        foreach (var account in new[] { "office", "office2", "division-scc", "leader-principal", "assessor1", "unit-zj-lasa", "viewer" })
            foreach (var screen in new[] { "1366", "390" })
                data.Add(account, screen);
        return data;
    }

    [Theory]
    [MemberData(nameof(RolesAndScreens))]
    public async Task The_navigation_fits_the_screen_and_every_group_opens_inside_it(string account, string screen)
    {
        var phone = screen == "390";
        var page = await app.SignedIn(account, phone ? BrowserFixture.Phone : BrowserFixture.Desktop);
        var nav = page.Locator("nav.mainnav");
        var (scroll, client) = (await nav.EvaluateAsync<int>("n => n.scrollWidth"), await nav.EvaluateAsync<int>("n => n.clientWidth"));
        Assert.True(scroll <= client, $"{account} at {screen} px: the navigation is {scroll} px wide in a {client} px box");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
            $"{account} at {screen} px: the page scrolls sideways");

        var groups = page.Locator("nav.mainnav details.navgroup > summary");
        var count = await groups.CountAsync();
        Assert.InRange(count, 2, 5);
        for (var i = 0; i < count; i++)
        {
            await groups.Nth(i).ClickAsync();
            var menu = page.Locator("nav.mainnav details.navgroup[open] .navmenu");
            Assert.Equal(1, await menu.CountAsync());   // one open at a time
            var box = (await menu.BoundingBoxAsync())!;
            Assert.True(box.X >= 0 && box.X + box.Width <= (phone ? 390 : 1366) + 0.5,
                $"{account} at {screen} px: the menu of {await groups.Nth(i).InnerTextAsync()} spans {box.X}–{box.X + box.Width} px");
            foreach (var link in await menu.Locator("a").AllAsync())
                Assert.True(await link.IsVisibleAsync(), $"{account} at {screen} px: {await link.InnerTextAsync()} is hidden");
        }
        await page.Keyboard.PressAsync("Escape");
        await BrowserFixture.Shot(page, $"nav-{account}-{screen}");

        var api = await page.Locator("nav.mainnav a[href='/scalar']").CountAsync();
        Assert.Equal(account.StartsWith("office", StringComparison.Ordinal) ? 1 : 0, api);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_assessor_reaches_the_field_page_from_the_navigation_on_a_phone()
    {
        var page = await app.SignIn("assessor1", Journeys.Phone);
        await Journeys.Nav(page, Journeys.Phone, "实地考核");
        Assert.EndsWith("/Inspections/Field", new Uri(page.Url).AbsolutePath);
        await page.Context.CloseAsync();
    }
}
