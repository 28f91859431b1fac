using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>加扣分 and 一票否决 in a real browser, on a phone: the capped unit, a veto requested by one office account and approved by another.</summary>
public sealed class AdjustmentsJourneyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_office_sees_the_capped_bonuses_and_a_second_office_account_approves_a_veto_on_a_phone()
    {
        var page = await app.SignedIn("office", BrowserFixture.Phone);
        await page.GotoAsync(app.BaseUrl + "/Adjustments?period=2023-Q1&category=housing");
        var main = await page.InnerTextAsync("main");
        Assert.Contains("受国家部委通报表扬", main);
        Assert.Contains("已封顶", main);
        await BrowserFixture.Shot(page, "adjustments-phone");

        await page.GotoAsync(app.BaseUrl + "/Adjustments/Vetoes?period=2023-Q1");
        await page.ClickAsync("text=申请一票否决");
        await page.SelectOptionAsync("#unit", "cg-qamdo");
        await page.FillAsync("#reason", "浏览器测试：辖区发生重大安全生产事故");
        var pdf = System.Text.Encoding.UTF8.GetBytes("%PDF-1.4\n% e2e\n%%EOF\n");
        await page.SetInputFilesAsync("#evidence", new FilePayload { Name = "事故报告.pdf", MimeType = "application/pdf", Buffer = pdf });
        await page.ClickAsync("text=提交申请");
        var card = page.Locator(".veto-card", new() { HasText = "浏览器测试" });
        Assert.Contains("等待另一名考核办人员审批", await card.InnerTextAsync());
        await page.Context.CloseAsync();

        var second = await app.SignedIn("office2", BrowserFixture.Phone);
        await second.GotoAsync(app.BaseUrl + "/Adjustments/Vetoes?period=2023-Q1");
        var theirs = second.Locator(".veto-card", new() { HasText = "浏览器测试" });
        await theirs.Locator("textarea").FillAsync("经核实，同意");
        await theirs.Locator("button:has-text('批准')").First.ClickAsync();
        Assert.Equal(0, await second.Locator(".veto-card", new() { HasText = "浏览器测试" }).CountAsync());
        var row = await second.Locator("tr", new() { HasText = "浏览器测试" }).InnerTextAsync();
        Assert.Contains("已批准", row);
        Assert.Contains("2023年度考核", row);
        await BrowserFixture.Shot(second, "veto-approved-phone");
        await second.Context.CloseAsync();
    }
}
