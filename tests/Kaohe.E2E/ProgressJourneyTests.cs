using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Results;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>
/// The ranking after a change (issue 9 item 4), on a phone: the official sees the older ranking at
/// once under the banner 数据已更新，正在重新计算…, and the page refreshes itself (progress-results.js,
/// no inline script) to the new ranking once the background computation is done. The computation is
/// held by the cache's test gate until the banner has been seen, so the journey does not depend on
/// how fast the machine is.
/// </summary>
public sealed class ProgressJourneyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_stale_ranking_shows_a_banner_and_refreshes_itself_to_the_new_ranking()
    {
        const string period = "2023-Q3", unit = "zj-lasa";
        var url = $"{app.BaseUrl}/Results?period={period}&category=housing&unit={unit}";
        var page = await app.SignedIn("office", BrowserFixture.Phone);
        var problems = new List<string>();
        // Script errors and CSP refusals ("Refused to execute ..."); failed loads are seen (with their URL) by the
        // Response event below, except the browser's own favicon request, which the page does not make.
        page.Console += (_, m) => { if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)) problems.Add(m.Text); };
        page.Response += (_, r) => { if (r.Status >= 400) problems.Add($"{r.Status} {r.Url}"); };

        await page.GotoAsync(url);
        // The first computation may itself show the progress page, which turns into the ranking by itself.
        await page.WaitForSelectorAsync("tr.highlight", new() { Timeout = 120_000 });
        var before = (await page.InnerTextAsync("tr.highlight td:nth-child(3)")).Trim();

        var cache = app.Factory.Services.GetRequiredService<ResultsStore>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var wait = cache.PageWait;
        cache.BeforeDraftComputation = () => gate.Task;
        cache.PageWait = TimeSpan.FromMilliseconds(200);
        try
        {
            // zj-lasa's reported number of started projects is corrected to 0 (so its A5 = started / due falls): a new revision of 2023-Q3.
            using (var scope = app.Factory.Services.CreateScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
                var reported = await db.Facts.SingleAsync(f => f.PeriodId == period && f.UnitId == unit && f.IndicatorId == "started" && f.Kind == FactKind.Measure
                    && (f.Status == FactStatus.Submitted || f.Status == FactStatus.Verified));
                reported.SetStatus(FactStatus.Returned, "E2E：更正");
                var payload = FactPayload.Parse(reported.Payload) with { Value = 0 };
                db.Facts.Add(new Fact(period, unit, "started", FactKind.Measure, payload.ToJson(), reported.Source, "office", DateTimeOffset.UtcNow, FactStatus.Submitted));
                await db.SaveChangesAsync();
            }

            await page.GotoAsync(url);
            var banner = await page.WaitForSelectorAsync("#results-computing");
            Assert.Contains("数据已更新，正在重新计算", await banner!.InnerTextAsync());
            Assert.True(await page.IsVisibleAsync("#results-progress"));
            // The older ranking, at once, under the banner.
            Assert.Equal(before, (await page.InnerTextAsync("tr.highlight td:nth-child(3)")).Trim());
            await BrowserFixture.Shot(page, "progress-stale-banner-phone");

            gate.SetResult();
            // progress-results.js polls, sees the new results ready and reloads: the banner goes by itself.
            await page.WaitForSelectorAsync("#results-computing", new() { State = WaitForSelectorState.Detached, Timeout = 120_000 });
            await page.WaitForSelectorAsync("tr.highlight");
            var after = (await page.InnerTextAsync("tr.highlight td:nth-child(3)")).Trim();
            Assert.NotEqual(before, after);
            await BrowserFixture.Shot(page, "progress-refreshed-phone");
        }
        finally
        {
            gate.TrySetResult();
            cache.BeforeDraftComputation = null;
            cache.PageWait = wait;
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_ranking_follows_the_data_as_it_arrives_without_a_reload()
    {
        // Issue 15: the office watches the ranking while data arrives; a change written anywhere (here straight
        // into the database, in a transaction as the application writes) reaches the page by the results events.
        const string period = "2023-Q4", unit = "zj-nagqu";
        var page = await app.SignedIn("office", BrowserFixture.Desktop);
        var problems = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)) problems.Add(m.Text); };
        page.Response += (_, r) => { if (r.Status >= 400) problems.Add($"{r.Status} {r.Url}"); };
        await page.GotoAsync($"{app.BaseUrl}/Results?period={period}&category=housing&unit={unit}");
        await page.WaitForSelectorAsync("tr.highlight", new() { Timeout = 120_000 });
        var before = (await page.InnerTextAsync("tr.highlight td:nth-child(3)")).Trim();
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        using (var scope = app.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
            await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                await using var tx = await db.Database.BeginTransactionAsync();
                db.Facts.Add(new Fact(period, unit, null, FactKind.Adjustment, new FactPayload(Points: 3, Reason: "E2E：受住房和城乡建设部表扬").ToJson(),
                    FactSources.Office, "office", DateTimeOffset.UtcNow, FactStatus.Verified));
                await db.SaveChangesAsync();
                await tx.CommitAsync();
            });
        }

        await page.WaitForFunctionAsync("before => document.querySelector('tr.highlight td:nth-child(3)')?.innerText.trim() !== before", before,
            new() { Timeout = 60_000 });
        Assert.NotEqual(before, (await page.InnerTextAsync("tr.highlight td:nth-child(3)")).Trim());
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page reloaded");
        Assert.Contains("排名已自动更新", await page.InnerTextAsync("#results-updated"));
        await BrowserFixture.Shot(page, "ranking-live-desktop");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        await page.Context.CloseAsync();
    }
}
