using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>Collection on a phone: a unit reporter corrects a draft under 填报; the office sees the 2023-Q3 states on the 进度 board.</summary>
public sealed class CollectionJourneyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_unit_reporter_saves_its_draft_on_a_phone_and_the_office_sees_the_board()
    {
        var page = await app.SignedIn("unit-cg-lasa", BrowserFixture.Phone);
        await Journeys.Nav(page, Journeys.Desktop, "填报");
        // The demo's collection story is in 2023-Q3, the quarter being collected (2023-Q1 is published and takes no drafts).
        await ShowAsync(page, "2023-Q3");
        var body = await page.InnerTextAsync("main");
        Assert.Contains("道路照明亮灯率", body);
        Assert.Contains("草稿", body);
        await page.FillAsync("#v-U1\\.5", "0.96");
        await page.ClickAsync("button:has-text('保存草稿')");
        await page.WaitForSelectorAsync(".alert.success");
        Assert.Contains("已保存 1 项草稿", await page.InnerTextAsync("main"));
        await BrowserFixture.Shot(page, "collection-report-phone");
        await page.Context.CloseAsync();

        var office = await app.SignedIn("office", BrowserFixture.Desktop);
        await Journeys.Nav(office, Journeys.Desktop, "进度");
        await ShowAsync(office, "2023-Q3");
        var board = await office.InnerTextAsync("main");
        Assert.Contains("昌都市住房和城乡建设局", board);
        Assert.Contains("厅领导评价", board);
        await BrowserFixture.Shot(office, "collection-progress");
        await office.Context.CloseAsync();
    }

    private static async Task ShowAsync(IPage page, string period)
    {
        await page.SelectOptionAsync("#period", period);
        await page.ClickAsync("form.filters button:has-text('切换')");
        // The server marks the period shown as selected once the new page has loaded.
        await page.WaitForSelectorAsync($"#period option[value='{period}'][selected]", new() { State = WaitForSelectorState.Attached });
    }
}
