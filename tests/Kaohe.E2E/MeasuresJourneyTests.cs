using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>
/// 填报 of base figures (基础数据): the sheet shows each measure with its unit and last year's same-period figure,
/// and a refused figure is named in Chinese while what the person typed stays in the box.
/// </summary>
public sealed class MeasuresJourneyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_sheet_shows_last_years_figure_and_keeps_a_refused_entry()
    {
        const string period = "2023-Q3";
        using (var scope = app.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
            // Last year's third quarter, with 拉萨's completed investment (the demo starts in 2023).
            var last = new Period(2022, 3, new DateOnly(2022, 10, 10));
            last.MoveTo(PeriodStatus.Collecting);
            db.Periods.Add(last);
            db.Facts.Add(new Fact(last.Id, "zj-lasa", "inv", FactKind.Measure, new FactPayload(Value: 24680).ToJson(), FactSources.Report, "unit-zj-lasa",
                new DateTimeOffset(2022, 10, 8, 2, 0, 0, TimeSpan.Zero), FactStatus.Verified));
            await db.SaveChangesAsync();
            // The office returned 拉萨's Q3 investment, so the unit reports it again.
            var inv = await db.Facts.Where(f => f.PeriodId == period && f.UnitId == "zj-lasa" && f.IndicatorId == "inv" && f.Kind == FactKind.Measure).OrderBy(f => f.Id).LastAsync();
            inv.SetStatus(FactStatus.Returned, "与统计报表不一致");
            await db.SaveChangesAsync();
        }

        var page = await app.SignedIn("unit-zj-lasa", BrowserFixture.Desktop);
        await page.GotoAsync($"{app.BaseUrl}/Collection/Report?period={period}");
        var row = page.Locator("#measure-inv");
        Assert.Contains("季度完成投资", await row.InnerTextAsync());
        Assert.Contains("万元", await row.InnerTextAsync());
        Assert.Equal("24680", (await row.Locator(".last-year").InnerTextAsync()).Trim());
        Assert.Contains("个", await page.Locator("#measure-started").InnerTextAsync());

        await page.FillAsync("#m-inv", "-350");
        await page.ClickAsync("button:has-text('保存草稿')");
        await page.WaitForSelectorAsync(".alert.error");
        Assert.Contains("季度完成投资不能为负数", await page.InnerTextAsync(".alert.error"));
        Assert.Equal("-350", await page.InputValueAsync("#m-inv"));
        await BrowserFixture.Shot(page, "collection-measures-refused");

        // Four times last year's figure is saved, and flagged for the reviewer.
        await page.FillAsync("#m-inv", "98720.5");
        // The refusal's message leaves with the old page; the next page brings its own.
        await page.EvalOnSelectorAllAsync(".alert", "els => els.forEach(e => e.remove())");
        await page.ClickAsync("button:has-text('保存草稿')");
        await page.WaitForSelectorAsync(".alert");
        Assert.Equal("已保存 1 项草稿", (await page.InnerTextAsync(".alert")).Trim());
        Assert.Equal("98720.5", await page.InputValueAsync("#m-inv"));
        Assert.Contains("与去年同期差异大", await page.Locator("#measure-inv").InnerTextAsync());
        await page.Context.CloseAsync();
    }
}
