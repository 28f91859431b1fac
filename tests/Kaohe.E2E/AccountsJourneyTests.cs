using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>账号 → 新建账号 in a real browser: the unit field suggests units as the office types (no select of every unit).</summary>
public sealed class AccountsJourneyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_office_finds_a_unit_by_typing_part_of_its_name_and_creates_its_reporter()
    {
        var page = await app.SignedIn("office", BrowserFixture.Desktop);
        await page.GotoAsync(app.BaseUrl + "/Accounts");
        Assert.Equal(0, await page.Locator("select#unit").CountAsync());

        // Typing part of the name fills the suggestions from the server (as a person types: key by key).
        await page.Locator("#unit").PressSequentiallyAsync("拉萨");
        await page.WaitForSelectorAsync("#unit-options option[value='zj-lasa']", new() { State = WaitForSelectorState.Attached });
        var labels = await page.Locator("#unit-options option").EvaluateAllAsync<string[]>("os => os.map(o => o.label)");
        Assert.NotEmpty(labels);
        Assert.All(labels, l => Assert.Contains("拉萨", l));

        // Choosing the suggestion puts the unit's code in the field; the account is created for that unit.
        await page.FillAsync("#unit", "zj-lasa");
        await page.FillAsync("#un", "e2e-lasa-reporter");
        await page.FillAsync("#dn", "拉萨填报员");
        await page.SelectOptionAsync("#role", "unit");
        await BrowserFixture.NewDocumentAsync(page, () => page.ClickAsync("text=创建并生成初始密码"));
        var main = await page.InnerTextAsync("main");
        Assert.DoesNotContain("没有名称或编号", main);
        await page.GotoAsync(app.BaseUrl + "/Accounts?q=e2e-lasa-reporter");
        var row = await page.Locator("tr", new() { HasText = "e2e-lasa-reporter" }).InnerTextAsync();
        Assert.Contains("拉萨", row);
        await BrowserFixture.Shot(page, "accounts-unit-picker");
        await page.Context.CloseAsync();
    }
}
