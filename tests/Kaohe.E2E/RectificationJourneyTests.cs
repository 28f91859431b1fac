using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>The app on Kestrel with the demo, plus access to its services, so that a test can put an inspection finding in place.</summary>
public sealed class RectificationBrowserFixture : BrowserFixture;

/// <summary>问题整改 end to end: the office raises an item from an inspection finding, the unit works it on a phone, an assessor re-inspects, the office closes it.</summary>
public sealed class RectificationJourneyTests(RectificationBrowserFixture app) : IClassFixture<RectificationBrowserFixture>
{
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    [Fact]
    public async Task The_office_raises_an_item_from_a_finding_the_unit_works_it_and_the_office_closes_it()
    {
        // An assessor's finding with a photo in Q3, the quarter being collected (what the inspection feature records; Q2 is in review and takes none).
        long factId;
        using (var scope = app.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
            var store = scope.ServiceProvider.GetRequiredService<IAttachmentStore>();
            var indicator = await db.Facts.Where(f => f.UnitId == "cg-lasa" && f.Kind == FactKind.Finding).Select(f => f.IndicatorId!).FirstAsync();
            var fact = new Fact("2023-Q3", "cg-lasa", indicator, FactKind.Finding, new FactPayload(Points: 0.5, Note: "北京中路人行道板破损未修复").ToJson(),
                FactSources.Inspection, "assessor1", DateTimeOffset.UtcNow, FactStatus.Verified);
            db.Facts.Add(fact);
            await db.SaveChangesAsync();
            fact.Evidence.Add(await store.SaveAsync(new MemoryStream(Png), "人行道破损.png", "assessor1", "fact", fact.Id.ToString()));
            await db.SaveChangesAsync();
            factId = fact.Id;
        }

        // The office raises the period's items.
        var office = await app.SignedIn("office", BrowserFixture.Desktop);
        await Journeys.Nav(office, Journeys.Desktop, "问题整改");
        await office.SelectOptionAsync("form.inline select[name=period]", "2023-Q3");
        await office.ClickAsync("button:has-text('生成整改事项')");
        Assert.Contains("已生成整改事项", await office.InnerTextAsync(".alert"));
        await office.GotoAsync(app.BaseUrl + "/Rectification?period=2023-Q3&unit=cg-lasa&source=inspection");
        await office.ClickAsync("text=北京中路人行道板破损未修复");
        var itemUrl = office.Url;
        var detail = await office.InnerTextAsync("main");
        Assert.Contains("实地考核问题", detail);
        Assert.Contains("人行道破损.png", detail);
        Assert.Contains("重复发生", detail);

        // The unit works it on a phone: roadmap, start, progress with evidence, submit.
        var unit = await app.SignedIn("unit-cg-lasa", BrowserFixture.Phone);
        await Journeys.Nav(unit, Journeys.Desktop, "我的整改");
        await unit.GotoAsync(itemUrl);
        await unit.FillAsync("input[name=title]", "组织施工队修复破损路面");
        await unit.FillAsync("input[name=due]", "2026-12-31");
        await unit.ClickAsync("button:has-text('添加节点')");
        await unit.ClickAsync("button:has-text('开始整改')");
        Assert.Contains("整改中", await unit.InnerTextAsync(".rect-summary"));
        Assert.Contains("组织施工队修复破损路面", await unit.InnerTextAsync(".rect-roadmap"));
        await unit.SelectOptionAsync("select[name=milestoneId]", new SelectOptionValue { Label = "组织施工队修复破损路面" });
        await unit.FillAsync("form:has(input[value=progress]) textarea[name=note]", "已完成人行道板更换120平方米");
        await unit.SetInputFilesAsync("input[name=files]", new FilePayload { Name = "修复后.png", MimeType = "image/png", Buffer = Png });
        await unit.ClickAsync("button:has-text('报送进展')");
        Assert.Contains("修复后.png", await unit.InnerTextAsync(".rect-timeline"));
        await unit.ClickAsync("button:has-text('提交核验')");
        Assert.Contains("待核验", await unit.InnerTextAsync(".rect-summary"));

        // The office may not close it before the assessor's re-inspection photo.
        await office.GotoAsync(itemUrl);
        Journeys.AcceptConfirmations(office);
        await office.ClickAsync("button:has-text('核验销号')");
        Assert.Contains("复查照片", await office.InnerTextAsync(".alert"));

        var assessor = await app.SignedIn("assessor1", BrowserFixture.Phone);
        await assessor.GotoAsync(itemUrl);
        await assessor.SetInputFilesAsync("input[name=files]", new FilePayload { Name = "复查.png", MimeType = "image/png", Buffer = Png });
        await assessor.ClickAsync("button:has-text('上传复查照片')");
        Assert.Contains("复查照片已上传", await assessor.InnerTextAsync(".alert"));

        await office.GotoAsync(itemUrl);
        await office.ClickAsync("button:has-text('核验销号')");
        Assert.Contains("已销号", await office.InnerTextAsync(".rect-summary"));
        Assert.Contains("核验销号", await office.InnerTextAsync(".rect-timeline"));
        await BrowserFixture.Shot(office, "rectification-closed-desktop");
        await BrowserFixture.Shot(unit, "rectification-unit-phone");

        Assert.True(factId > 0);
        foreach (var p in new[] { office, unit, assessor }) await p.Context.CloseAsync();
    }
}
