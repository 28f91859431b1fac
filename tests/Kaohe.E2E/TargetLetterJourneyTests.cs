using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>
/// 目标责任书 in a real browser: one office account asks to change 拉萨's signed letter, a second one approves it
/// (a new version), and the bureau acknowledges the new version on a phone (签收).
/// </summary>
public sealed class TargetLetterJourneyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_change_approved_by_a_second_office_account_is_acknowledged_by_the_unit_on_a_phone()
    {
        var office = await app.SignedIn("office", BrowserFixture.Desktop);
        await office.GotoAsync(app.BaseUrl + "/Targets?year=2023&category=housing");
        Assert.Contains("已签收", await office.InnerTextAsync("main"));
        await office.ClickAsync("a:has-text('拉萨市住房和城乡建设局')");
        await office.ClickAsync("a:has-text('申请变更')");
        // The demo letter's plan row: Q3 up, Q4 down by as much, so the year still adds up.
        await office.FillAsync("input[name='Targets[0].Quarters[2]']", "90000");
        await office.FillAsync("input[name='Targets[0].Quarters[3]']", "71200");
        await office.FillAsync("#reason", "浏览器测试：三季度重点项目提前开工");
        await office.ClickAsync("button:has-text('提交变更申请')");
        var pending = await office.InnerTextAsync("main");
        Assert.Contains("变更待审批", pending);
        Assert.Contains("等待另一名考核办人员审批", pending);
        var letterUrl = office.Url;
        await office.Context.CloseAsync();

        var second = await app.SignedIn("office2", BrowserFixture.Desktop);
        await second.GotoAsync(letterUrl);
        await second.ClickAsync("button:has-text('批准并下达新版本')");
        var approved = await second.InnerTextAsync("main");
        Assert.Contains("已下达", approved);
        Assert.Contains("2023-Q3：季度目标已写入当季基础数据", approved.Replace(" ", "", StringComparison.Ordinal));
        await second.Context.CloseAsync();

        var unit = await app.SignedIn("unit-zj-lasa", BrowserFixture.Phone);
        await unit.GotoAsync(app.BaseUrl + "/Targets");
        await unit.ClickAsync("a:has-text('拉萨市住房和城乡建设局')");
        var before = await unit.InnerTextAsync("main");
        Assert.Contains("第2版", before);
        Assert.Contains("90,000", before);
        await unit.ClickAsync("[data-acknowledge]");
        var status = unit.Locator("[data-letter-status]");
        Assert.Equal("Acknowledged", await status.GetAttributeAsync("data-letter-status"));
        Assert.Contains("北京时间", await unit.InnerTextAsync("main"));
        await BrowserFixture.Shot(unit, "target-letter-acknowledged-phone");
        await unit.Context.CloseAsync();
    }
}
