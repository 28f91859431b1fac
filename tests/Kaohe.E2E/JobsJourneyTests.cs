using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>
/// 我的任务: the office uploads a bulk import from the Jobs page, lands on the job's page and watches
/// its progress bar (kept current by jobs.js polling the API) reach 100 %; then it generates the
/// bulletin in the background from the same page and downloads it; a phone shows the same.
/// </summary>
public sealed class JobsJourneyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    private static async Task WatchUntilDoneAsync(IPage page)
    {
        // The bar is moved by jobs.js; when the job ends the page reloads and the server renders 100 %. Wait for
        // that reloaded page (data-finished): a reload still pending 300 ms after the bar filled used to cancel the
        // next click's navigation now and then (seen on a loaded machine: "← 我的任务" left the browser on the job).
        await page.WaitForSelectorAsync("#job[data-finished='true']", new() { State = WaitForSelectorState.Attached, Timeout = 120_000 });
        await page.WaitForFunctionAsync(
            "() => { const b = document.getElementById('job-bar'); const s = document.getElementById('job-status');" +
            " return b && s && b.value === 100 && s.textContent.trim() === '已完成'; }",
            null, new() { Timeout = 120_000, PollingInterval = 100 });
    }

    [Theory]
    [InlineData("desktop")]
    [InlineData("phone")]
    public async Task The_office_imports_in_the_background_and_watches_the_progress_bar_reach_100_percent(string device)
    {
        var page = await app.SignedIn("office", device == "phone" ? BrowserFixture.Phone : BrowserFixture.Desktop);
        // Every answer of the jobs pages and of the API the progress bar polls must succeed.
        var failed = new List<string>();
        page.Response += (_, r) => { if (r.Status >= 400 && (r.Url.Contains("/Jobs", StringComparison.Ordinal) || r.Url.Contains("/api/v1/jobs", StringComparison.Ordinal))) failed.Add($"{r.Status} {r.Url}"); };
        await Journeys.Nav(page, Journeys.Desktop, "我的任务");
        // Imported into a quarter being collected (the published 2023-Q1 takes no data, docs/stages.md).
        await page.SelectOptionAsync("#period", "2023-Q4");
        await page.ClickAsync("button:has-text('选择')");

        // The template filled with the period's current values, downloaded with the page's own cookie.
        var template = await page.Context.APIRequest.GetAsync(app.BaseUrl + "/api/v1/jobs/fact-import/template?period=2023-Q4&filled=true");
        Assert.True(template.Ok, template.StatusText);
        var file = Path.Combine(Path.GetTempPath(), $"kaohe-e2e-import-{device}-{Guid.NewGuid():N}.xlsx");
        await File.WriteAllBytesAsync(file, await template.BodyAsync());
        try
        {
            await page.SetInputFilesAsync("#file", file);
            await BrowserFixture.ArriveAsync(page, () => page.ClickAsync("button:has-text('上传并在后台导入')"), "**/Jobs/*");
            Assert.Contains("批量导入数据", await page.InnerTextAsync("h1"));
            Assert.True(await page.IsVisibleAsync("#job-bar"));
            await WatchUntilDoneAsync(page);
            Assert.Contains("已导入", await page.InnerTextAsync("#job-message"));
            await BrowserFixture.Shot(page, $"jobs-import-done-{device}");
        }
        finally
        {
            File.Delete(file);
        }

        // Left and came back: the job is in the list, finished.
        await page.ClickAsync("text=← 我的任务");
        var list = await page.InnerTextAsync("main");
        Assert.Contains("批量导入数据", list);
        Assert.Contains("已完成", list);

        await page.SelectOptionAsync("#period", "2023-Q1");
        await page.ClickAsync("button:has-text('选择')");
        await BrowserFixture.ArriveAsync(page, () => page.ClickAsync("button:has-text('生成考核通报 .docx')"), "**/Jobs/*");
        await WatchUntilDoneAsync(page);
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#job-result"));
        Assert.EndsWith(".docx", download.SuggestedFilename);
        await BrowserFixture.Shot(page, $"jobs-bulletin-done-{device}");
        Assert.Empty(failed);
        await page.Context.CloseAsync();
    }
}
