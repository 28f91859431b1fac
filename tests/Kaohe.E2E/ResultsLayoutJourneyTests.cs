using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>
/// 考核结果 is readable on the office's 1366 px screen and on a phone (issue 18, item 2): every unit
/// name stays on one line, and the table either fits its box or scrolls inside it with the name column
/// kept in view — the page itself never scrolls sideways.
/// </summary>
public sealed class ResultsLayoutJourneyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    /// <summary>Widths measured in the page: the table against its box, each name against one line, the page against the window.</summary>
    private const string Measure = """
        () => {
          const wrap = document.querySelector('.results-table').closest('.table-wrap');
          const table = wrap.querySelector('table');
          const names = [...table.querySelectorAll('tbody tr > td:nth-child(2)')];
          const multiLine = names.filter(td => { const r = document.createRange(); r.selectNodeContents(td); return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1; })
            .map(td => td.innerText + ' (' + Math.round(td.getBoundingClientRect().width) + ' px)');
          const last = table.querySelector('thead th:last-child').getBoundingClientRect();
          return { table: Math.round(table.scrollWidth), box: wrap.clientWidth, boxRight: Math.round(wrap.getBoundingClientRect().right), lastRight: Math.round(last.right),
            overflow: getComputedStyle(wrap).overflowX, sticky: names.length ? getComputedStyle(names[0]).position : '', rows: names.length, multiLine,
            page: document.documentElement.scrollWidth, window: window.innerWidth,
            wide: [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth && !e.closest('.table-wrap') && !e.closest('details:not([open])'))
              .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ') };
        }
        """;

    private sealed class Widths
    {
        public int Table { get; set; }
        public int Box { get; set; }
        public int BoxRight { get; set; }
        public int LastRight { get; set; }
        public string Overflow { get; set; } = "";
        public string Sticky { get; set; } = "";
        public int Rows { get; set; }
        public string[] MultiLine { get; set; } = [];
        public int Page { get; set; }
        public int Window { get; set; }
        public string Wide { get; set; } = "";
    }

    [Fact]
    public async Task At_1366_px_every_category_fits_its_box_with_names_on_one_line()
    {
        var page = await app.SignedIn("office", BrowserFixture.Desktop);
        foreach (var category in await Categories(page))
        {
            var w = await Open(page, category);
            Assert.True(w.Rows > 0, $"{category}: no ranking rows");
            Assert.Empty(w.MultiLine);
            Assert.True(w.Table <= w.Box, $"{category}: the table is {w.Table} px wide in a {w.Box} px box");
            Assert.True(w.LastRight <= w.BoxRight, $"{category}: the last column ends at {w.LastRight} px, past the box's {w.BoxRight} px");
            Assert.True(w.Page <= w.Window, $"{category}: the page is {w.Page} px wide in a {w.Window} px window ({w.Wide})");
            await BrowserFixture.Shot(page, $"results-1366-{category}");
        }
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task On_a_390_px_phone_the_table_scrolls_in_its_own_box_with_the_names_in_view()
    {
        var page = await app.SignedIn("office", BrowserFixture.Phone);
        foreach (var category in await Categories(page))
        {
            var w = await Open(page, category);
            Assert.True(w.Rows > 0, $"{category}: no ranking rows");
            Assert.Empty(w.MultiLine);
            Assert.True(w.Page <= w.Window, $"{category}: the page is {w.Page} px wide on a {w.Window} px phone ({w.Wide})");
            Assert.Equal("auto", w.Overflow);
            Assert.Equal("sticky", w.Sticky);
            await BrowserFixture.Shot(page, $"results-390-{category}");
        }
        await page.Context.CloseAsync();
    }

    private async Task<IReadOnlyList<string>> Categories(IPage page)
    {
        await page.GotoAsync($"{app.BaseUrl}/Results", new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        var options = await page.Locator("#category option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)");
        Assert.NotEmpty(options);
        return options;
    }

    private async Task<Widths> Open(IPage page, string category)
    {
        await page.GotoAsync($"{app.BaseUrl}/Results?period=2023-Q3&category={category}", new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        // The first visit of a category may compute its results in the background; the page shows the ranking once done.
        await page.Locator(".results-table").WaitForAsync();
        return await page.EvaluateAsync<Widths>(Measure);
    }
}
