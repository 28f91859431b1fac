using System.Net;
using System.Net.Http.Json;
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
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

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

    // ------------------------------------------------------------------ the API reads the same analyses (issue 18 item 6)

    /// <summary>The synchronous answer as the API serialises it, to compare with what it answers from the background.</summary>
    private JsonElement AsApiJson<T>(T value) =>
        JsonSerializer.SerializeToElement(value, app.Factory.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions);

    /// <summary>Asks the API until it answers 200 (bounded by a count of requests, not by time); every other answer must be the 202 with its progress.</summary>
    private static async Task<JsonElement> WaitOkAsync(HttpClient api, string url)
    {
        for (var i = 0; i < 1200; i++)
        {
            using var r = await api.GetAsync(url);
            if (r.StatusCode == HttpStatusCode.OK) return JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"{url} never answered 200");
    }

    /// <summary>A 202 of the API: the progress in Chinese, Retry-After, and Location, the same URL to ask again.</summary>
    private static async Task<JsonElement> AssertAcceptedAsync(HttpResponseMessage r, string url, string step)
    {
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        Assert.Equal(url, r.Headers.Location?.OriginalString);
        Assert.True(r.Headers.RetryAfter?.Delta is { TotalSeconds: > 0 }, "Retry-After in seconds");
        var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();
        Assert.False(body.GetProperty("ready").GetBoolean());
        Assert.InRange(body.GetProperty("percent").GetInt32(), 0, 99);
        Assert.Equal(step, body.GetProperty("step").GetString());
        return body;
    }

    [Fact]
    public async Task The_rankings_api_answers_202_with_the_progress_then_the_synchronous_ranking_from_one_computation_shared_with_the_page()
    {
        // A leader's analyses: the office's keys are other tests'.
        const string url = $"/api/v1/insight/rankings?period={Period}&category=housing";
        using var api = await app.As("leader-principal");
        using var page = await app.SignedIn("leader-principal");
        await Held(async gate =>
        {
            var computations = Store.Computations;
            await AssertAcceptedAsync(await api.GetAsync(url), url, "排队等待");
            // Clients of the API and readers of the page at once: all told it is computing, one computation.
            var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => api.GetAsync(url)));
            var pages = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => page.GetStringAsync($"/Insight/Ranking?period={Period}&category=housing")));
            foreach (var a in answers) await AssertAcceptedAsync(a, url, "排队等待");
            Assert.All(pages, h => Assert.Contains("id=\"results-computing\"", h));
            Assert.Equal(computations + 1, Store.Computations);
            gate.SetResult();
        });
        var computed = Store.Computations;
        var body = await WaitOkAsync(api, url);
        Assert.True(JsonElement.DeepEquals(AsApiJson(await ExpectedRankingAsync("housing")), body), body.ToString());
        Assert.DoesNotContain("id=\"results-computing\"", await page.GetStringAsync($"/Insight/Ranking?period={Period}&category=housing"));
        Assert.Equal(computed, Store.Computations);

        // The person's own access first: a unit is refused and starts nothing; a bad category is a 400, as before.
        using var unit = await app.As("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.Forbidden, (await unit.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync($"/api/v1/insight/rankings?period={Period}&category=nope")).StatusCode);
        Assert.Equal(computed, Store.Computations);
    }

    [Fact]
    public async Task The_dashboard_api_answers_202_with_the_progress_then_the_synchronous_overview_from_one_computation_shared_with_the_page()
    {
        const string url = $"/api/v1/insight/dashboard?period={Period}&category=urban";
        using var api = await app.As("leader-principal");
        using var page = await app.SignedIn("leader-principal");
        await Held(async gate =>
        {
            var computations = Store.Computations;
            var first = await AssertAcceptedAsync(await api.GetAsync(url), url, "排队等待");
            Assert.Equal(JsonValueKind.Null, first.GetProperty("done").ValueKind);
            var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => api.GetAsync(url)));
            var pages = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => page.GetStringAsync($"/Insight/Overview?period={Period}&category=urban")));
            foreach (var a in answers) await AssertAcceptedAsync(a, url, "排队等待");
            Assert.All(pages, h => Assert.Contains("id=\"results-computing\"", h));
            Assert.Equal(computations + 1, Store.Computations);
            gate.SetResult();
        });
        var computed = Store.Computations;
        var body = await WaitOkAsync(api, url);
        DashboardData expected;
        using (var scope = app.Factory.Services.CreateScope())
            expected = await scope.ServiceProvider.GetRequiredService<DashboardService>().BuildAsync(Analyses.AsRole(Roles.Leader), Period, "urban");
        Assert.NotEmpty(expected.Rankings);
        Assert.True(JsonElement.DeepEquals(AsApiJson(expected), body), body.ToString());
        Assert.Contains("id=\"insight-data\"", await page.GetStringAsync($"/Insight/Overview?period={Period}&category=urban"));
        Assert.Equal(computed, Store.Computations);
    }

    [Fact]
    public async Task The_progress_of_an_analysis_counts_its_steps_in_the_readers_language()
    {
        // The overview's steps count the results it reads (n of m); held at its first step, the API says so in Chinese and in English.
        // 2023-Q4's divisions: results no other test of this class reads, so their draft is computed (and held) here.
        const string url = "/api/v1/insight/dashboard?period=2023-Q4&category=divisions";
        using var zh = await app.As("office");
        var english = app.Anonymous();
        english.DefaultRequestHeaders.Authorization = zh.DefaultRequestHeaders.Authorization;
        english.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var wait = Store.PageWait;
        Store.PageWait = TimeSpan.Zero;
        try
        {
            // Held inside the computation, after its first step: the first results it reads are a draft, held by the results store's test gate.
            app.Factory.Services.GetRequiredService<ResultsStore>().BeforeDraftComputation = async () => { reached.TrySetResult(); await release.Task; };
            Assert.Equal(HttpStatusCode.Accepted, (await zh.GetAsync(url)).StatusCode);
            await reached.Task;
            var cn = JsonDocument.Parse(await (await zh.GetAsync(url)).Content.ReadAsStringAsync()).RootElement;
            Assert.StartsWith("读取2023-Q4", cn.GetProperty("step").GetString());
            Assert.Equal(0, cn.GetProperty("done").GetInt32());
            Assert.True(cn.GetProperty("total").GetInt32() > 1);
            // The language is part of the key (the overview holds names in it): the English reader's own computation
            // reaches the same held draft; asked until it is there (bounded by a count), its step is in English.
            JsonElement en = default;
            for (var i = 0; i < 600; i++)
            {
                using var r = await english.GetAsync(url);
                Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
                en = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();
                if (en.GetProperty("step").GetString() != "waiting") break;
                await Task.Delay(50);
            }
            Assert.StartsWith("reading the results of 2023-Q4", en.GetProperty("step").GetString());
            Assert.Equal(cn.GetProperty("total").GetInt32(), en.GetProperty("total").GetInt32());
            release.TrySetResult();
            // No computation of this test outlives it.
            await WaitOkAsync(zh, url);
            await WaitOkAsync(english, url);
        }
        finally
        {
            app.Factory.Services.GetRequiredService<ResultsStore>().BeforeDraftComputation = null;
            release.TrySetResult();
            Store.PageWait = wait;
        }
        english.Dispose();
    }

    [Fact]
    public async Task The_openapi_document_names_the_200_and_the_202_of_both_analyses()
    {
        using var client = app.Anonymous();
        var doc = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        foreach (var (path, body) in new[] { ("/api/v1/insight/rankings", "RankingView"), ("/api/v1/insight/dashboard", "DashboardData") })
        {
            var responses = doc.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("responses");
            Assert.EndsWith(body, responses.GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
            Assert.EndsWith("AnalysisPending", responses.GetProperty("202").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
            Assert.True(responses.TryGetProperty("400", out _), $"{path}: 400");
        }
        var pending = doc.GetProperty("components").GetProperty("schemas").GetProperty("AnalysisPending").GetProperty("properties");
        Assert.Equal(["done", "percent", "ready", "step", "total"], pending.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task A_key_keeps_its_gate_only_while_it_computes_or_is_waited_for()
    {
        // Many versions of one key and many keys, each computed: no gate is left behind.
        for (var i = 0; i < 40; i++)
        {
            var read = await Store.ReadAsync($"gates-test:{i % 4}", $"v{i}", (_, _) => Task.FromResult("done"), TimeSpan.FromMinutes(5));
            Assert.Equal("done", read.Value);
        }
        Assert.Equal(0, Store.Gates);

        // While one computation of a key runs and a newer version waits for it, the key has one gate; none once both are done.
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = Store.ReadAsync("gates-test:held", "v1", async (_, _) => { started.TrySetResult(); await hold.Task; return "one"; }, TimeSpan.FromMinutes(5));
        await started.Task;
        var second = Store.ReadAsync("gates-test:held", "v2", (_, _) => Task.FromResult("two"), TimeSpan.FromMinutes(5));
        Assert.Equal(1, Store.Gates);
        Assert.False(second.IsCompleted);
        hold.SetResult();
        Assert.Equal("one", (await first).Value);
        Assert.Equal("two", (await second).Value);
        Assert.Equal(0, Store.Gates);

        // The results store likewise: after drafts of every category of two quarters, no gate is kept.
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var results = scope.ServiceProvider.GetRequiredService<ResultsStore>();
        foreach (var period in new[] { "2023-Q1", Period })
            foreach (var c in Categories.All)
                await results.CurrentAsync(db, period, c.Code);
        Assert.Equal(0, results.Gates);
    }
}

public sealed class AnalysesTestsOnSqlite(SqliteApp app) : AnalysesTests<SqliteApp>(app);

public sealed class AnalysesTestsOnPostgres(PostgresApp app) : AnalysesTests<PostgresApp>(app);
