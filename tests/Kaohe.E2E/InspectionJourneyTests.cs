using System.Text.Json;
using Kaohe.Web.Features.Inspections;
using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>
/// 实地考核 on a phone with no network: the assessor works a site offline (findings with a photo and
/// GPS stay on the phone, marked 待同步), the network comes back, and the findings are synced once
/// each and scored by the engine.
/// </summary>
public sealed class InspectionJourneyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    private const float Timeout = 20_000;

    private Task<IPage> AssessorOnPhone(string user) =>
        app.SignedIn(user, new BrowserNewContextOptions
        {
            ViewportSize = BrowserFixture.Phone,
            Locale = "zh-CN",
            Permissions = ["geolocation"],
            Geolocation = new Geolocation { Latitude = 29.6525f, Longitude = 91.1321f, Accuracy = 18 },
            HasTouch = true,
            IsMobile = true,
        });

    [Fact]
    public async Task An_assessor_works_a_site_offline_and_the_findings_sync_once_and_are_scored_when_the_network_returns()
    {
        var page = await AssessorOnPhone("assessor2");
        var errors = new List<string>();
        // Script errors and CSP refusals fail the test; failed requests while offline are expected.
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) =>
        {
            if (m.Type == "error" && !m.Text.Contains("net::ERR_INTERNET_DISCONNECTED") && !m.Text.Contains("net::ERR_FAILED") && !m.Location.Contains("favicon"))
                errors.Add(m.Text + " @ " + m.Location);
        };
        await Journeys.Nav(page, Journeys.Desktop, "实地考核");
        // The service worker controls the page: it can now be used without a network.
        await page.WaitForSelectorAsync("#offline-ready:not([hidden])", new() { Timeout = Timeout });
        await page.WaitForSelectorAsync("#sites li", new() { Timeout = Timeout });
        Assert.Contains("第二考核组", await page.InnerTextAsync("#group-name"));
        var site = await page.GetAttributeAsync("#sites li >> nth=0 >> button", "data-site");
        await BrowserFixture.Shot(page, "inspection-sites-phone");

        // The network goes away; the page reloads from the service worker's copy.
        await page.Context.SetOfflineAsync(true);
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("#sites li", new() { Timeout = Timeout });
        Assert.Equal("离线", await page.InnerTextAsync("#net"));
        await page.ClickAsync($"#sites button[data-site='{site}']");

        // Two findings, the first with a photo.
        var options = await page.EvalOnSelectorAllAsync<string[]>("#indicator option", "os => os.map(o => o.value)");
        await page.SelectOptionAsync("#indicator", options[0]);
        await page.FillAsync("#note", "人行道砖破损约2平方米");
        await page.SetInputFilesAsync("#photos", new FilePayload { Name = "现场.jpg", MimeType = "image/jpeg", Buffer = TinyJpeg.Create(64, 48, "e2e photo") });
        await page.ClickAsync("#save");
        await page.WaitForSelectorAsync(".finding[data-state=pending]", new() { Timeout = Timeout });
        await page.SelectOptionAsync("#indicator", options[3]);
        await page.FillAsync("#note", "井盖缺失");
        await page.ClickAsync("#save");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('.finding[data-state=pending]').length === 2", null, new() { Timeout = Timeout });
        Assert.Equal("2", await page.GetAttributeAsync("#queue-count", "data-pending"));
        Assert.Contains("待同步", await page.InnerTextAsync("#findings"));
        Assert.Contains("29.65", await page.InnerTextAsync("#findings"));
        // Syncing by hand while offline keeps them on the phone.
        await page.ClickAsync("#sync");
        await page.WaitForFunctionAsync("() => document.getElementById('sync-message').textContent.includes('网络不可用')", null, new() { Timeout = Timeout });
        Assert.Equal(2, await page.Locator(".finding[data-state=pending]").CountAsync());
        await BrowserFixture.Shot(page, "inspection-offline-phone");

        // The network returns: the page syncs by itself, and the server's score is shown.
        await page.Context.SetOfflineAsync(false);
        await page.WaitForFunctionAsync("() => document.querySelectorAll('.finding[data-state=synced]').length === 2", null, new() { Timeout = Timeout });
        Assert.Contains("已同步", await page.InnerTextAsync("#findings"));
        Assert.Contains("照片 1/1", await page.InnerTextAsync("#findings"));
        await page.WaitForFunctionAsync("() => document.getElementById('site-score').dataset.synced === '2'", null, new() { Timeout = Timeout });
        Assert.Contains("当前得分", await page.InnerTextAsync("#site-score"));
        Assert.Equal("0", await page.GetAttributeAsync("#queue-count", "data-pending"));
        await BrowserFixture.Shot(page, "inspection-synced-phone");

        // A second sync sends nothing twice: the server holds exactly the two findings and the photo.
        await page.ClickAsync("#sync");
        await page.WaitForFunctionAsync("() => document.getElementById('sync-message').textContent.includes('同步完成')", null, new() { Timeout = Timeout });
        var json = await page.EvaluateAsync<JsonElement>(
            "async () => { const mine = await (await fetch('/api/v1/inspections/mine')).json(); const g = mine.groups[0].id; return await (await fetch(`/api/v1/inspections/groups/${g}/findings`)).json(); }");
        var mineAtSite = json.EnumerateArray().Where(f => f.GetProperty("siteId").GetString() == site).ToList();
        Assert.Equal(2, mineAtSite.Count);
        Assert.Equal(1, mineAtSite.Sum(f => f.GetProperty("photos").GetArrayLength()));
        Assert.All(mineAtSite, f => Assert.True(f.GetProperty("factId").GetInt64() > 0));
        Assert.All(mineAtSite, f => Assert.Equal(29.6525, f.GetProperty("latitude").GetDouble(), 3));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_office_sees_the_draw_the_three_groups_and_the_demo_findings_with_photos()
    {
        var page = await app.SignedIn("office", BrowserFixture.Desktop);
        await Journeys.Nav(page, Journeys.Desktop, "考核组与抽样");
        // The page opens on the newest quarter being collected (2023-Q4 in the demo, 2024-Q1 once opened); the office
        // picks 2023-Q3, whose draw and groups the demo recorded; the demo's findings are in 2023-Q1.
        await page.SelectOptionAsync("#period", InspectionsDemo.CollectingPeriod);
        await page.ClickAsync("form.filters button[type=submit]");
        await page.WaitForURLAsync($"**/Inspections?period={InspectionsDemo.CollectingPeriod}");
        Assert.Contains(InspectionsDemo.CollectingSeed, await page.InnerTextAsync("main"));
        await page.SelectOptionAsync("#period", InspectionsDemo.Period);
        await BrowserFixture.ArriveAsync(page, () => page.ClickAsync("form.filters button[type=submit]"), $"**/Inspections?period={InspectionsDemo.Period}");
        var main = await page.InnerTextAsync("main");
        Assert.Contains("已复核：重抽结果一致", main);
        Assert.Contains(InspectionsDemo.Seed, main);
        Assert.Equal(3, await page.Locator(".group-card").CountAsync());
        Assert.Contains("第一考核组", main);
        Assert.Contains("照片1", main);
        await BrowserFixture.Shot(page, "inspection-office-desktop");

        // A manual change against the avoidance rule is refused, naming the conflict.
        await page.ClickAsync("text=手工调整");
        var firstGroupSitePrefecture = await page.EvaluateAsync<string>("() => document.querySelector('#siteId option:nth-child(2)').value.split(':')[0]");
        var official = await page.EvaluateAsync<string>($"() => [...document.querySelectorAll('#inspectorId option')].map(o => o.value).find(v => v.startsWith('{firstGroupSitePrefecture}-'))");
        await page.SelectOptionAsync("#inspectorId", official);
        await page.SelectOptionAsync("#toGroup", new SelectOptionValue { Index = 0 });
        await page.ClickAsync("form[action*=Move] button[type=submit]");
        var alert = await page.InnerTextAsync(".alert.error");
        Assert.Contains("回避", alert);
        await page.Context.CloseAsync();
    }
}
