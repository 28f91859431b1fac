using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kaohe.Data;
using Kaohe.Scoring;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Insight;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Infrastructure;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Insight;

/// <summary>
/// Issue 18 item 6: 排名分差 and 一页通 answer at once and compute their analysis in the background. Before the
/// analysis of the current results exists the page shows the progress box (the results page's, driven by the same
/// script); however many requests come, one computation runs; once done, the page shows the analysis, equal to the
/// synchronous computation; a change of facts makes it stale and it is computed again. Every computation is held by
/// the store's test gate, so that "still computing" does not depend on how fast the machine is.
/// </summary>
public abstract partial class AnalysesTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private const string Period = "2023-Q3";

    private Analyses Store => app.Factory.Services.GetRequiredService<Analyses>();

    /// <summary>Runs the body with every analysis held until the gate opens and pages that do not wait for it.</summary>
    private async Task Held(Func<TaskCompletionSource, Task> body)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var wait = Store.PageWait;
        Store.BeforeComputation = _ => gate.Task;
        Store.PageWait = TimeSpan.Zero;
        try
        {
            await body(gate);
        }
        finally
        {
            gate.TrySetResult();
            Store.BeforeComputation = null;
            Store.PageWait = wait;
        }
    }

    /// <summary>Polls the page's progress handler as progress-results.js does, until ready (bounded by a count of polls, not by time).</summary>
    private static async Task WaitReadyAsync(HttpClient page, string url)
    {
        for (var i = 0; i < 1200; i++)
        {
            var r = await page.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            if (JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("ready").GetBoolean()) return;
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"{url} never became ready");
    }

    private static void ShowsProgress(string html, string title, string progressUrl)
    {
        Assert.Contains("id=\"results-computing\"", html);
        Assert.Contains(title, WebUtility.HtmlDecode(html));
        Assert.Contains($"data-progress-url=\"{WebUtility.HtmlEncode(progressUrl)}\"", html);
        Assert.Contains("/js/progress-results.js", html);
        Assert.Contains("http-equiv=\"refresh\"", html); // without script the page refreshes itself
    }

    /// <summary>What the synchronous computation gives: the store's results and a fresh Monte-Carlo of them within the period's bounds.</summary>
    private async Task<RankingView> ExpectedRankingAsync(string category)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var results = await scope.ServiceProvider.GetRequiredService<ResultsStore>().CurrentAsync(db, Period, category);
        Assert.True(results is { Scored: true });
        var bounds = await scope.ServiceProvider.GetRequiredService<RankingService>().BoundsAsync(Period);
        return RankingService.View(results, results.Scheme, bounds, Robustness.Analyze(results.Assessment!, bounds.ToEngine()));
    }

    [GeneratedRegex("<tr[^>]*>(.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex Row();

    [Fact]
    public async Task The_ranking_analysis_shows_progress_then_the_synchronous_numbers_once_per_version_and_again_after_a_change()
    {
        const string url = $"/Insight/Ranking?period={Period}&category=housing";
        const string progress = $"/Insight/Ranking?handler=Progress&period={Period}&category=housing";
        using var page = await app.SignedIn("office");
        await Held(async gate =>
        {
            var computations = Store.Computations;
            var html = await page.GetStringAsync(url);
            ShowsProgress(html, "正在计算排名分差与稳定性", progress);
            Assert.DoesNotContain("insight-rank", html);

            // Many officials at once: pages and polls answered with the progress, one computation in the background.
            var pages = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => page.GetStringAsync(url)));
            var polls = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => page.GetStringAsync(progress)));
            Assert.All(pages, h => Assert.Contains("id=\"results-computing\"", h));
            Assert.All(polls, p => Assert.False(JsonDocument.Parse(p).RootElement.GetProperty("ready").GetBoolean()));
            Assert.Equal(computations + 1, Store.Computations);
            gate.SetResult();
        });
        await WaitReadyAsync(page, progress);
        var done = Store.Computations;
        await AssertRankingPage(await page.GetStringAsync(url));
        Assert.Equal(done, Store.Computations); // read again, not computed again

        // zj-lasa's reported number of started projects is corrected to 0: its results change, the analysis is stale.
        var before = (await ExpectedRankingAsync("housing")).Units.Single(u => u.Id == "zj-lasa").Total;
        await app.WithDb(async db =>
        {
            var reported = await db.Facts.SingleAsync(f => f.PeriodId == Period && f.UnitId == "zj-lasa" && f.IndicatorId == "started" && f.Kind == FactKind.Measure
                && (f.Status == FactStatus.Submitted || f.Status == FactStatus.Verified));
            reported.SetStatus(FactStatus.Returned, "测试：更正");
            var payload = FactPayload.Parse(reported.Payload) with { Value = 0 };
            db.Facts.Add(new Fact(Period, "zj-lasa", "started", FactKind.Measure, payload.ToJson(), reported.Source, "office", DateTimeOffset.UtcNow, FactStatus.Submitted));
            return await db.SaveChangesAsync();
        });
        await Held(async gate =>
        {
            ShowsProgress(await page.GetStringAsync(url), "正在计算排名分差与稳定性", progress);
            Assert.Equal(done + 1, Store.Computations);
            gate.SetResult();
        });
        await WaitReadyAsync(page, progress);
        var expected = await AssertRankingPage(await page.GetStringAsync(url));
        Assert.True(expected.Units.Single(u => u.Id == "zj-lasa").Total < before);
        Assert.Equal(done + 1, Store.Computations);
    }

    /// <summary>Every unit's row shows the synchronous computation's rank, total, margins, stabilities and rank range.</summary>
    private async Task<RankingView> AssertRankingPage(string html)
    {
        Assert.DoesNotContain("id=\"results-computing\"", html);
        var expected = await ExpectedRankingAsync("housing");
        Assert.True(expected.Units.Count > 0 && expected.HasStability);
        var rows = Row().Matches(WebUtility.HtmlDecode(html)).Select(m => m.Groups[1].Value).ToList();
        foreach (var u in expected.Units)
        {
            var row = Assert.Single(rows, r => r.Contains($"unit={u.Id}\"", StringComparison.Ordinal));
            var cells = Regex.Matches(row, "<td[^>]*>(.*?)</td>", RegexOptions.Singleline).Select(m => Regex.Replace(m.Groups[1].Value, "<[^>]+>", "").Trim()).ToList();
            Assert.Equal(u.Rank.ToString(), cells[0]);
            Assert.Equal(Ui.Fmt(u.Total, expected.RankDecimals), cells[2]);
            Assert.Equal(u.MarginUp is { } up ? "+" + Ui.Fmt(up, expected.RankDecimals) : "—", cells[3]);
            Assert.Equal(u.MarginDown is { } down ? "−" + Ui.Fmt(down, expected.RankDecimals) : "—", cells[4]);
            Assert.Equal(RankingModel.Percent(u.CommendStability), cells[6]);
            Assert.Equal(RankingModel.Percent(u.CriticizeStability), cells[7]);
            Assert.Equal(u.RankMin == u.RankMax ? $"{u.RankMin}" : $"{u.RankMin}–{u.RankMax}", cells[8]);
        }
        return expected;
    }

    [Fact]
    public async Task The_overview_shows_progress_then_the_synchronous_data_once_per_version()
    {
        const string url = $"/Insight/Overview?period={Period}&category=housing";
        const string progress = $"/Insight/Overview?handler=Progress&period={Period}&category=housing";
        using var page = await app.SignedIn("office");
        await Held(async gate =>
        {
            var computations = Store.Computations;
            var html = await page.GetStringAsync(url);
            ShowsProgress(html, "正在汇总一页通的图表和名单", progress);
            Assert.DoesNotContain("id=\"insight-data\"", html);
            Assert.DoesNotContain("echarts", html);
            var pages = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => page.GetStringAsync(url)));
            Assert.All(pages, h => Assert.Contains("id=\"results-computing\"", h));
            Assert.Equal(computations + 1, Store.Computations);
            gate.SetResult();
        });
        await WaitReadyAsync(page, progress);
        var done = Store.Computations;
        var shown = await page.GetStringAsync(url);
        Assert.Equal(done, Store.Computations);
        Assert.DoesNotContain("id=\"results-computing\"", shown);
        var island = Regex.Match(shown, "<script type=\"application/json\" id=\"insight-data\">(.*?)</script>", RegexOptions.Singleline);
        Assert.True(island.Success);
        var data = JsonDocument.Parse(island.Groups[1].Value).RootElement;

        // The synchronous computation, as the office.
        DashboardData expected;
        using (var scope = app.Factory.Services.CreateScope())
            expected = await scope.ServiceProvider.GetRequiredService<DashboardService>().BuildAsync(Analyses.AsRole(Roles.Office), Period, "housing");
        Assert.NotEmpty(expected.Rankings);
        var rankings = data.GetProperty("rankings").EnumerateArray().ToList();
        Assert.Equal(expected.Rankings.Count, rankings.Count);
        for (var g = 0; g < rankings.Count; g++)
        {
            var units = rankings[g].GetProperty("units").EnumerateArray().ToList();
            Assert.Equal(expected.Rankings[g].Units.Select(u => (u.Unit, u.Total, u.Rank)),
                units.Select(u => (u.GetProperty("unit").GetString()!, u.GetProperty("total").GetDouble(), u.GetProperty("rank").GetInt32())));
        }
        Assert.Equal(expected.Trend.Periods, data.GetProperty("trend").GetProperty("periods").EnumerateArray().Select(p => p.GetString()!));
        Assert.Equal(expected.Trend.Series.SelectMany(s => s.Totals),
            data.GetProperty("trend").GetProperty("series").EnumerateArray().SelectMany(s => s.GetProperty("totals").EnumerateArray().Select(t => t.ValueKind == JsonValueKind.Null ? (double?)null : t.GetDouble())));
        Assert.Equal(expected.Deductions.Select(d => d.PointsLost), data.GetProperty("deductions").EnumerateArray().Select(d => d.GetProperty("pointsLost").GetDouble()));
        Assert.NotEmpty(expected.Outcomes);
        var decoded = WebUtility.HtmlDecode(shown);
        foreach (var o in expected.Outcomes) Assert.Contains($"<td>{o.Name}</td><td class=\"num\">{o.Rank}</td><td class=\"num\">{Ui.Fmt(o.Total)}</td>", decoded);
    }
}

public sealed class AnalysesTestsOnSqlite(SqliteApp app) : AnalysesTests<SqliteApp>(app);

public sealed class AnalysesTestsOnPostgres(PostgresApp app) : AnalysesTests<PostgresApp>(app);
