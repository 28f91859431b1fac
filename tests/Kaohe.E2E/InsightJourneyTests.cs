using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>The leaders' overview in a real Chromium: the ECharts canvases draw something, the table views toggle, no CSP errors.</summary>
public sealed class InsightJourneyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    /// <summary>Counts the painted (non-transparent) pixels of the first canvas inside the chart.</summary>
    private const string PaintedPixels = """
        sel => {
            const c = document.querySelector(sel + ' canvas');
            if (!c || c.width === 0 || c.height === 0) return 0;
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
            return n;
        }
        """;

    /// <summary>
    /// The named axes' titles of a chart that are not wholly inside its box (ECharts draws them on the canvas, so they are
    /// found as text elements of its zrender display list, transformed to the chart's coordinates); a title not drawn at all is reported too.
    /// </summary>
    private const string AxisTitlesOutside = """
        sel => {
            const chart = echarts.getInstanceByDom(document.querySelector(sel));
            if (!chart) return ['no chart'];
            const opt = chart.getOption();
            const names = [...(opt.xAxis || []), ...(opt.yAxis || [])].map(a => a.name).filter(n => n);
            const w = chart.getWidth(), h = chart.getHeight();
            const texts = chart.getZr().storage.getDisplayList().filter(d => d.style && typeof d.style.text === 'string');
            const out = [];
            for (const name of names) {
                const drawn = texts.filter(d => d.style.text === name);
                if (drawn.length === 0) { out.push(name + ': not drawn'); continue; }
                for (const d of drawn) {
                    const r = d.getBoundingRect().clone();
                    const m = d.getComputedTransform();
                    if (m) r.applyTransform(m);
                    if (r.x < -0.5 || r.y < -0.5 || r.x + r.width > w + 0.5 || r.y + r.height > h + 0.5)
                        out.push(`${name}: [${r.x.toFixed(1)}, ${r.y.toFixed(1)}, ${r.width.toFixed(1)} × ${r.height.toFixed(1)}] outside ${w} × ${h}`);
                }
            }
            return out;
        }
        """;

    [Theory]
    [InlineData("desktop")]
    [InlineData("phone")]
    public async Task The_leader_overview_draws_its_charts_and_each_has_a_table_view(string device)
    {
        var page = await app.SignedIn("leader-principal", device == "phone" ? BrowserFixture.Phone : BrowserFixture.Desktop);
        var problems = new List<string>();
        // Script errors and CSP violations show as console errors; failed loads are checked by URL
        // below (the browser's own favicon request is not the page's).
        page.Console += (_, m) => { if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)) problems.Add(m.Text); };
        page.PageError += (_, e) => problems.Add(e);
        page.Response += (_, r) => { if (r.Status >= 400 && !r.Url.EndsWith("/favicon.ico", StringComparison.Ordinal)) problems.Add($"{r.Status} {r.Url}"); };

        await Journeys.Nav(page, Journeys.Desktop, "考核分析");
        await BrowserFixture.ArriveAsync(page, () => page.ClickAsync("text=考核情况一页通"), "**/Insight/Overview");
        // The default is the period being collected; the headline figures below are 2023-Q1's (the demo catalog's), so choose it.
        await page.SelectOptionAsync("#period", "2023-Q1");
        await BrowserFixture.ArriveAsync(page, () => page.ClickAsync("form.filters button[type=submit]"), "**/Insight/Overview?period=2023-Q1*");
        Assert.Contains("23.27亿元", await page.InnerTextAsync("main"));
        Assert.Contains("128%", await page.InnerTextAsync("main"));

        foreach (var chart in new[] { "ranking", "heatmap", "investment", "deductions" })
        {
            var selector = $"[data-chart={chart}]";
            await page.WaitForSelectorAsync(selector + " canvas");
            var painted = await page.EvaluateAsync<int>(PaintedPixels, selector);
            Assert.True(painted > 500, $"{chart}: only {painted} painted pixels");
            Assert.Empty(await page.EvaluateAsync<string[]>(AxisTitlesOutside, selector));
        }

        // The table view: hidden for sighted users (but read by screen readers) until toggled.
        var table = page.Locator("#fig-ranking .chart-table");
        Assert.Contains("sr-only", await table.GetAttributeAsync("class") ?? "");
        Assert.True((await table.BoundingBoxAsync())?.Height is null or < 2);
        var toggle = page.Locator("#fig-ranking [data-toggle-table]");
        await toggle.ClickAsync();
        Assert.Equal("true", await toggle.GetAttributeAsync("aria-pressed"));
        Assert.DoesNotContain("sr-only", await table.GetAttributeAsync("class") ?? "");
        Assert.True((await table.BoundingBoxAsync())!.Height > 100);
        Assert.Contains("林芝市住房和城乡建设局", await table.InnerTextAsync());
        await BrowserFixture.Shot(page, $"insight-overview-{device}");
        await toggle.ClickAsync();
        Assert.Equal("false", await toggle.GetAttributeAsync("aria-pressed"));
        Assert.Contains("sr-only", await table.GetAttributeAsync("class") ?? "");

        // PNG export through ECharts' getDataURL.
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#fig-ranking [data-export-png]"));
        Assert.EndsWith(".png", download.SuggestedFilename);
        var path = await download.PathAsync();
        var head = new byte[8];
        await using (var f = File.OpenRead(path!)) Assert.Equal(8, await f.ReadAsync(head));
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, head);

        // The trend draws when two or more quarters have data; with one it says so instead of drawing an empty chart.
        if (await page.Locator("[data-chart=trend]").CountAsync() > 0)
        {
            Assert.True(await page.EvaluateAsync<int>(PaintedPixels, "[data-chart=trend]") > 500);
            Assert.Empty(await page.EvaluateAsync<string[]>(AxisTitlesOutside, "[data-chart=trend]"));
        }
        else
            Assert.Contains("一个考核期有数据", await page.InnerTextAsync("#h-trend + *"));
        Assert.Empty(problems);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_urban_overview_has_a_heat_map_of_forty_indicators()
    {
        var page = await app.SignedIn("office", BrowserFixture.Desktop);
        await page.GotoAsync(app.BaseUrl + "/Insight/Overview?period=2023-Q1&category=urban");
        await page.WaitForSelectorAsync("[data-chart=heatmap] canvas");
        Assert.True(await page.EvaluateAsync<int>(PaintedPixels, "[data-chart=heatmap]") > 500);
        Assert.Equal(21, await page.Locator("#fig-heatmap .chart-table tbody tr").CountAsync());
        await BrowserFixture.Shot(page, "insight-overview-urban");
        await page.Context.CloseAsync();
    }
}
