using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Infrastructure;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Jobs;

/// <summary>
/// The first ranking request after a change does not wait for the recomputation (issue 9 item 4): the
/// page shows the older results with a banner that refreshes itself (or a progress page when nothing
/// was computed yet), one computation per period and category runs in the background however many
/// requests come, and a later request shows the new results. The computation is held by the cache's
/// test gate, so that "still computing" does not depend on how fast the machine is.
/// </summary>
public abstract class StaleRankingTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private ResultsStore Cache => app.Factory.Services.GetRequiredService<ResultsStore>();

    private static async Task<JsonElement> Json(HttpResponseMessage r)
    {
        Assert.True(r.IsSuccessStatusCode, $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        return await r.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static double Total(JsonElement ranking, string unit) =>
        ranking.GetProperty("units").EnumerateArray().Single(u => u.GetProperty("id").GetString() == unit).GetProperty("total").GetDouble();

    /// <summary>Polls the progress API as progress-results.js does, until the results are ready (bounded by a count of polls, not by time).</summary>
    private static async Task WaitReadyAsync(HttpClient client, string url)
    {
        for (var i = 0; i < 1200; i++)
        {
            if ((await Json(await client.GetAsync(url))).GetProperty("ready").GetBoolean()) return;
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"{url} never became ready");
    }

    /// <summary>Runs the body with every draft computation held until the gate opens.</summary>
    private async Task Held(Func<TaskCompletionSource, Task> body)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var wait = Cache.PageWait;
        Cache.BeforeDraftComputation = () => gate.Task;
        Cache.PageWait = TimeSpan.FromMilliseconds(200);
        try
        {
            await body(gate);
        }
        finally
        {
            gate.TrySetResult();
            Cache.BeforeDraftComputation = null;
            Cache.PageWait = wait;
        }
    }

    [Fact]
    public async Task After_a_change_the_page_shows_the_older_ranking_with_a_banner_and_one_background_computation_then_the_new_one()
    {
        const string period = "2023-Q3", unit = "zj-lasa";
        const string api = $"/api/v1/results/{period}/housing?unit={unit}";
        const string progress = $"/api/v1/results/{period}/housing/progress";
        const string pageUrl = $"/Results?period={period}&category=housing&unit={unit}";
        using var office = await app.As("office");
        var before = Total(await Json(await office.GetAsync(api)), unit);
        Assert.True((await Json(await office.GetAsync(progress))).GetProperty("ready").GetBoolean());

        await Held(async gate =>
        {
            // zj-lasa's reported number of started projects is corrected to 0 (the reported figure returned, a new one submitted),
            // so its A5 = started / due falls to 0: a new revision.
            await app.WithDb(async db =>
            {
                var reported = await db.Facts.SingleAsync(f => f.PeriodId == period && f.UnitId == unit && f.IndicatorId == "started" && f.Kind == FactKind.Measure
                    && (f.Status == FactStatus.Submitted || f.Status == FactStatus.Verified));
                reported.SetStatus(FactStatus.Returned, "测试：更正");
                var payload = FactPayload.Parse(reported.Payload) with { Value = 0 };
                db.Facts.Add(new Fact(period, unit, "started", FactKind.Measure, payload.ToJson(), reported.Source, "office", DateTimeOffset.UtcNow, FactStatus.Submitted));
                return await db.SaveChangesAsync();
            });
            var computations = Cache.Computations;

            using var page = await app.SignedIn("office");
            var html = await page.GetStringAsync(pageUrl);
            Assert.Contains("数据已更新，正在重新计算", html);
            Assert.Contains("id=\"results-computing\"", html);
            Assert.Contains($"data-progress-url=\"{progress}\"", html);
            Assert.Contains("/js/progress-results.js", html);
            Assert.Contains("results-table", html); // the older ranking, shown at once
            Assert.Contains(Ui.Fmt(before), html);

            // Many officials at once: pages and polls, all answered with the older results, one computation in the background.
            var pages = Enumerable.Range(0, 8).Select(_ => page.GetStringAsync(pageUrl));
            var polls = Enumerable.Range(0, 8).Select(async _ => await Json(await office.GetAsync(progress)));
            var answered = await Task.WhenAll(pages);
            var polled = await Task.WhenAll(polls);
            Assert.All(answered, h => Assert.Contains("数据已更新，正在重新计算", h));
            Assert.All(polled, p =>
            {
                Assert.False(p.GetProperty("ready").GetBoolean());
                Assert.True(p.GetProperty("showingOlder").GetBoolean());
                Assert.InRange(p.GetProperty("percent").GetInt32(), 0, 99);
            });
            Assert.Equal(computations + 1, Cache.Computations);

            gate.SetResult();
            await WaitReadyAsync(office, progress);
            var after = await page.GetStringAsync(pageUrl);
            Assert.DoesNotContain("id=\"results-computing\"", after);
            Assert.DoesNotContain("/js/progress-results.js", after);
            var now = Total(await Json(await office.GetAsync(api)), unit);
            Assert.True(now < before, $"{before} → {now}");
            Assert.Contains(Ui.Fmt(now), after);
            Assert.Equal(computations + 1, Cache.Computations);
        });
    }

    [Fact]
    public async Task With_nothing_computed_yet_the_page_shows_a_progress_page_that_becomes_the_ranking()
    {
        const string pageUrl = "/Results?period=2023-Q2&category=urban";
        using var office = await app.As("office");
        await Held(async gate =>
        {
            using var page = await app.SignedIn("leader-principal");
            var html = await page.GetStringAsync(pageUrl);
            Assert.Contains("正在计算考核结果", html);
            Assert.Contains("/js/progress-results.js", html);
            Assert.DoesNotContain("results-table", html);
            Assert.DoesNotContain("没有已启用的方案", html);
            var poll = await Json(await office.GetAsync("/api/v1/results/2023-Q2/urban/progress"));
            Assert.False(poll.GetProperty("ready").GetBoolean());
            Assert.False(poll.GetProperty("showingOlder").GetBoolean());

            gate.SetResult();
            await WaitReadyAsync(office, "/api/v1/results/2023-Q2/urban/progress");
            var ready = await page.GetStringAsync(pageUrl);
            Assert.Contains("results-table", ready);
            Assert.DoesNotContain("正在计算考核结果", ready);
        });
    }

    [Fact]
    public async Task The_api_stays_synchronous_and_a_published_period_is_never_stale()
    {
        using var office = await app.As("office");
        await Held(async gate =>
        {
            await app.WithDb(async db => { await ResultsRevisions.BumpAllAsync(db, ["2023-Q3"]); return 0; });
            // The ranking API waits for the current figures: it answers once the computation is let go.
            var ranking = office.GetAsync("/api/v1/results/2023-Q3/affiliated");
            var poll = await Json(await office.GetAsync("/api/v1/results/2023-Q3/affiliated/progress"));
            Assert.False(poll.GetProperty("ready").GetBoolean());
            Assert.False(ranking.IsCompleted);
            gate.SetResult();
            Assert.Equal("draft", (await Json(await ranking)).GetProperty("source").GetString());
        });

        // A published period (the demo's 2023-Q1) reads its snapshot, which never changes: no banner, whatever the facts do.
        Assert.Equal(PeriodStatus.Published, await app.WithDb(db => db.Periods.Where(p => p.Id == "2023-Q1").Select(p => p.Status).SingleAsync()));
        await Held(async _ =>
        {
            await app.WithDb(async db => { await ResultsRevisions.BumpAllAsync(db, ["2023-Q1"]); return 0; });
            using var page = await app.SignedIn("office");
            var html = await page.GetStringAsync("/Results?period=2023-Q1&category=housing");
            Assert.Contains("已公布", html);
            Assert.Contains("results-table", html);
            Assert.DoesNotContain("id=\"results-computing\"", html);
            Assert.True((await Json(await office.GetAsync("/api/v1/results/2023-Q1/housing/progress"))).GetProperty("ready").GetBoolean());
        });
    }

    [Theory]
    [InlineData("unit-zj-lasa", HttpStatusCode.Forbidden)]
    [InlineData("assessor1", HttpStatusCode.Forbidden)]
    public async Task The_progress_is_for_those_who_read_the_ranking(string user, HttpStatusCode expected)
    {
        using var client = await app.As(user);
        Assert.Equal(expected, (await client.GetAsync("/api/v1/results/2023-Q1/housing/progress")).StatusCode);
        using var anonymous = app.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/results/2023-Q1/housing/progress")).StatusCode);
        using var office = await app.As("office");
        var bad = await office.GetAsync("/api/v1/results/2023-Q1/nosuch/progress");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("category", await bad.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await office.GetAsync("/api/v1/results/1999-Q1/housing/progress")).StatusCode);
    }
}

public sealed class StaleRankingTestsOnSqlite(SqliteApp app) : StaleRankingTests<SqliteApp>(app);

public sealed class StaleRankingTestsOnPostgres(PostgresApp app) : StaleRankingTests<PostgresApp>(app);
