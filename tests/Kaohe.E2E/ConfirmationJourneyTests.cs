using Kaohe.Data;
using Kaohe.Web.Features.Periods;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>
/// Irreversible actions ask first (issue 18 item 10): 发布考核期 says what publishing does, and nothing
/// happens when the office declines; it happens once the office agrees.
/// </summary>
public sealed class ConfirmationJourneyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Publishing_a_period_asks_first_and_declining_changes_nothing()
    {
        const string period = "2024-Q1";
        using (var scope = app.Factory.Services.CreateScope())
        {
            var setup = scope.ServiceProvider.GetRequiredService<PeriodSetup>();
            Assert.Null((await setup.CreateNextAsync("2023-Q4", null)).Failure);
        }
        var page = await app.SignedIn("office", BrowserFixture.Desktop);
        await page.GotoAsync(app.BaseUrl + "/Periods");
        var publish = page.Locator($"tr[data-period='{period}'] button", new() { HasTextString = "发布考核期" });

        var asked = new List<string>();
        void Decline(object? _, IDialog d) { asked.Add(d.Message); d.DismissAsync(); }
        page.Dialog += Decline;
        await publish.ClickAsync();
        for (var i = 0; i < 100 && asked.Count == 0; i++) await Task.Delay(100);   // the dialog's event may follow the click
        page.Dialog -= Decline;
        Assert.Single(asked);
        Assert.Contains("2024年第一季度", asked[0]);
        Assert.Contains("开始数据收集", asked[0]);
        Assert.Contains("确定发布吗", asked[0]);
        Assert.Equal(PeriodStatus.Planned, await Status(period));

        void Accept(object? _, IDialog d) { asked.Add(d.Message); d.AcceptAsync(); }
        page.Dialog += Accept;
        // The form posts and comes back to /Periods: a new document at the same address (BrowserFixture.NewDocumentAsync).
        await BrowserFixture.NewDocumentAsync(page, () => page.RunAndWaitForResponseAsync(() => publish.ClickAsync(), r => r.Request.Method == "POST"));
        Assert.Equal(2, asked.Count);
        Assert.Equal(PeriodStatus.Collecting, await Status(period));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Every_irreversible_form_on_the_office_pages_says_what_will_happen()
    {
        var page = await app.SignedIn("office", BrowserFixture.Desktop);
        await page.GotoAsync(app.BaseUrl + "/Publication?period=2023-Q2");
        var publishForms = page.Locator("form[action*='handler=Publish']");
        Assert.True(await publishForms.CountAsync() > 0);
        foreach (var form in await publishForms.AllAsync())
            Assert.Contains("不能撤回", await form.GetAttributeAsync("data-confirm") ?? "");
        await page.Context.CloseAsync();
    }

    private async Task<PeriodStatus> Status(string period)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        return (await db.Periods.AsNoTracking().FirstAsync(p => p.Id == period)).Status;
    }
}
