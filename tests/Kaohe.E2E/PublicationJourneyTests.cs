using DocumentFormat.OpenXml.Packaging;
using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>
/// The office opens the published Q1 ranking, drills from a total down to an inspection finding
/// (and its photo when the finding has one), and downloads the bulletin; a unit sees Q2's open
/// review window with its appeals and appeals a score.
/// </summary>
public sealed class PublicationJourneyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_office_drills_from_a_Q1_total_to_a_finding_and_downloads_the_bulletin()
    {
        var page = await app.SignedIn("office", BrowserFixture.Desktop);
        await page.GotoAsync(app.BaseUrl + "/Results?period=2023-Q1&category=urban");
        Assert.Contains("通报批评", await page.InnerTextAsync("main"));

        // The last unit of the first group has the most findings; open its total.
        await page.ClickAsync("table >> nth=0 >> tbody >> tr >> nth=-1 >> td >> nth=2 >> a");
        Assert.Contains("总分 =", await page.InnerTextAsync(".explain-formula"));
        Assert.Contains("2023-Q1-urban-v1", await page.InnerTextAsync("main"));

        // Down the tree until a page lists a finding (扣分问题) among its sources.
        var total = page.Url;
        var aspects = await page.Locator("table >> tbody >> tr >> td:first-child >> a").EvaluateAllAsync<string[]>("els => els.map(e => e.href)");
        ILocator? finding = null;
        foreach (var aspect in aspects)
        {
            await page.GotoAsync(aspect);
            var leaves = await page.Locator("table >> tbody >> tr >> td:first-child >> a").EvaluateAllAsync<string[]>("els => els.map(e => e.href)");
            foreach (var leaf in leaves)
            {
                await page.GotoAsync(leaf);
                var cards = page.Locator(".fact-card", new() { HasText = "扣分问题" });
                if (await cards.CountAsync() > 0) { finding = cards.First; break; }
            }
            if (finding is not null) break;
        }
        Assert.NotNull(finding);
        Assert.NotEqual(total, page.Url);
        var card = await finding!.InnerTextAsync();
        Assert.Contains("实地考核", card);                  // the source label of an inspection finding
        Assert.Contains("扣", await page.InnerTextAsync(".explain-formula"));
        var photos = finding.Locator(".fact-files a.attachment");
        if (await photos.CountAsync() > 0)
        {
            var href = await photos.First.GetAttributeAsync("href");
            Assert.StartsWith("/api/v1/attachments/", href);
            var response = await page.APIRequest.GetAsync(app.BaseUrl + href);
            Assert.Equal(200, response.Status);
        }
        else
        {
            // The finding itself, with its author and time (no row number: the page walk refuses "#541" on a page).
            Assert.Matches(@"assessor\d · \d{4}-\d{2}-\d{2} \d{2}:\d{2}", card);
        }
        await BrowserFixture.Shot(page, "publication-finding");

        await page.GotoAsync(app.BaseUrl + "/Publication?period=2023-Q1");
        Assert.Contains("v1", await page.InnerTextAsync("main"));
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download-bulletin"));
        Assert.EndsWith(".docx", download.SuggestedFilename);
        var path = Path.Combine(Path.GetTempPath(), $"kaohe-bulletin-{Guid.NewGuid():N}.docx");
        await download.SaveAsAsync(path);
        try
        {
            using var doc = WordprocessingDocument.Open(path, false);
            var text = string.Concat(doc.MainDocumentPart!.Document.Body!.Descendants<DocumentFormat.OpenXml.Wordprocessing.Text>().Select(t => t.Text));
            Assert.Contains("关于2023年第一季度目标责任考核情况的通报", text);
            Assert.Contains("予以通报表扬", text);
            Assert.Contains("予以通报批评", text);
        }
        finally { File.Delete(path); }
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_unit_sees_the_open_review_window_and_appeals_a_score_on_a_phone()
    {
        var page = await app.SignedIn("unit-zj-lasa", BrowserFixture.Phone);
        await Journeys.Nav(page, Journeys.Desktop, "结果与申诉");
        await page.SelectOptionAsync("#period", "2023-Q2");
        await page.ClickAsync("form.filters button");
        var main = await page.InnerTextAsync("main");
        Assert.Contains("申诉复核期进行中", main);
        Assert.Contains("待处理", main);                    // the demo's pending appeal
        Assert.DoesNotContain("林芝", main);                // no other unit's appeals

        await page.SelectOptionAsync("#indicatorId", "A1");
        await page.FillAsync("#reason", "第二季度投资完成额漏报一个项目（浏览器测试）");
        await page.ClickAsync("form.appeal-form button[type=submit]");
        Assert.Contains("申诉已提交", await page.InnerTextAsync("main"));
        Assert.Contains("浏览器测试", await page.InnerTextAsync("main"));
        await BrowserFixture.Shot(page, "publication-unit-appeal-phone");

        // The unit opens its own explanation, not another unit's.
        await page.ClickAsync(".kpi a");
        Assert.Contains("总分 =", await page.InnerTextAsync(".explain-formula"));
        var other = await page.GotoAsync(app.BaseUrl + "/Results/Explain?period=2023-Q2&category=housing&unit=zj-nyingchi");
        Assert.Equal(404, other!.Status);
        await page.Context.CloseAsync();
    }
}
