using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Results;

/// <summary>
/// The ranking and explanations read a cache of results per revision of their inputs (issue 9): a
/// change of facts through any path is seen on the next request, an unchanged period is not
/// recomputed, the page shows one ranking group at a time, a published period its snapshot.
/// </summary>
public abstract class RankingTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private long Computations => app.Factory.Services.GetRequiredService<ResultsStore>().Computations;

    private static async Task<JsonElement> Json(HttpResponseMessage r)
    {
        Assert.True(r.IsSuccessStatusCode, $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        return await r.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static JsonElement Row(JsonElement ranking, string unit) =>
        ranking.GetProperty("units").EnumerateArray().Single(u => u.GetProperty("id").GetString() == unit);

    private async Task<Dictionary<string, string>> StampsAsync() =>
        await app.WithDb(db => db.Set<ResultsRevision>().AsNoTracking().ToDictionaryAsync(r => r.Scope, r => r.Stamp));

    [Theory]
    [InlineData("2023-Q1", "housing")]
    [InlineData("2023-Q2", "urban")]
    [InlineData("2023-Q3", "affiliated")]
    [InlineData("2023-Q4", "divisions")]
    public async Task The_stores_input_is_the_plain_reading_of_the_facts(string period, string category)
    {
        // The store reads the facts with the provider's reader, unit by unit; the reference reads whole entities.
        // Both must give the same v1 file, value for value and in the same order, on both databases.
        var (store, reference) = await app.WithDb(async db =>
        {
            var view = await app.Factory.Services.GetRequiredService<ResultsStore>().DraftAsync(db, period, category);
            return (view, await new ReferenceBuilder(db).BuildAsync(period, category));
        });
        Assert.NotNull(store?.Assessment);
        Assert.NotNull(reference);
        Assert.True(reference.Facts.Count > 20, $"{period} {category}: only {reference.Facts.Count} facts");
        Assert.Contains(reference.Facts, f => f.Kind == FactKind.Finding || f.Kind == FactKind.Adjustment || f.Kind == FactKind.RaterScore);
        Assert.Equal(KaoheFile.Write(reference.Assessment), KaoheFile.Write(store.Assessment));
        // And the store's group-by-group results are the engine's results of the whole reference input.
        var whole = Engine.Score(reference.Assessment).Result!;
        Assert.All(whole.Units, u => Assert.Equal((u.Total, u.Rank, u.Commended, u.Criticized), (store.ByUnit[u.Id].Total, store.ByUnit[u.Id].Rank, store.ByUnit[u.Id].Commended, store.ByUnit[u.Id].Criticized)));
    }

    [Fact]
    public async Task A_fact_pushed_through_the_platform_API_changes_the_ranking_on_the_next_request()
    {
        using var office = await app.As("office");
        const string url = "/api/v1/results/2023-Q3/housing?unit=zj-lasa";
        var before = await Json(await office.GetAsync(url));
        Assert.Equal("draft", before.GetProperty("source").GetString());
        var explainBefore = await Json(await office.GetAsync("/api/v1/results/2023-Q3/housing/units/zj-lasa/explain?node=A5"));

        // Unchanged inputs: the next requests are served from the cache.
        var computed = Computations;
        var again = await Json(await office.GetAsync(url));
        await Json(await office.GetAsync("/api/v1/results/2023-Q3/housing/units/zj-nyingchi/explain"));
        Assert.Equal(computed, Computations);
        Assert.Equal(Row(before, "zj-lasa").GetProperty("total").GetDouble(), Row(again, "zj-lasa").GetProperty("total").GetDouble());

        // The office returns zj-lasa's reported number of started projects (状态：退回), from which A5 = started / due is derived:
        // the draft misses a base figure and cannot be computed ...
        await app.WithDb(async db =>
        {
            var reported = await db.Facts.SingleAsync(f => f.PeriodId == "2023-Q3" && f.UnitId == "zj-lasa" && f.IndicatorId == "started" && f.Kind == FactKind.Measure
                && (f.Status == FactStatus.Submitted || f.Status == FactStatus.Verified));
            reported.SetStatus(FactStatus.Returned, "排名测试：改由平台报送");
            return await db.SaveChangesAsync();
        });
        var missing = await Json(await office.GetAsync(url));
        Assert.Empty(missing.GetProperty("units").EnumerateArray());
        Assert.Contains(missing.GetProperty("errors").EnumerateArray(), e => e.GetProperty("path").GetString()!.Length > 0);
        Assert.Equal(computed + 1, Computations);

        // ... until the smart-construction-site platform reports it, far below what the unit had reported.
        var created = await Json(await office.PostAsJsonAsync("/api/v1/apikeys", new { name = "智慧工地平台（排名测试）", indicators = new[] { "started" } }));
        using var platform = app.Anonymous();
        platform.DefaultRequestHeaders.Add("X-Api-Key", created.GetProperty("secret").GetString());
        var pushed = await platform.PostAsJsonAsync("/api/v1/facts", new
        {
            period = "2023-Q3",
            records = new[] { new { key = "ranking-test-lasa", unit = "zj-lasa", measure = "started", value = 0.0, observedAt = "2023-09-30T18:00:00+08:00" } },
        });
        Assert.Equal(1, (await Json(pushed)).GetProperty("stored").GetInt32());

        var after = await Json(await office.GetAsync(url));
        var explainAfter = await Json(await office.GetAsync("/api/v1/results/2023-Q3/housing/units/zj-lasa/explain?node=A5"));
        Assert.Equal(computed + 2, Computations);
        Assert.True(explainAfter.GetProperty("explanation").GetProperty("score").GetDouble() < explainBefore.GetProperty("explanation").GetProperty("score").GetDouble(),
            $"A5 {explainBefore.GetProperty("explanation").GetProperty("score")} → {explainAfter.GetProperty("explanation").GetProperty("score")}");
        Assert.True(Row(after, "zj-lasa").GetProperty("total").GetDouble() < Row(before, "zj-lasa").GetProperty("total").GetDouble());
        Assert.Contains(explainAfter.GetProperty("facts").EnumerateArray(), f => f.GetProperty("source").GetString() == FactSources.Platform && f.GetProperty("payload").GetString()!.Contains("\"value\":0"));

        // The page, a different consumer of the same cache, shows the new total at once.
        using var page = await app.SignedIn("office");
        var html = await page.GetStringAsync("/Results?period=2023-Q3&category=housing&unit=zj-lasa");
        Assert.Contains(Kaohe.Web.Infrastructure.Ui.Fmt(Row(after, "zj-lasa").GetProperty("total").GetDouble()), html);
    }

    [Fact]
    public async Task Saving_a_fact_writes_new_stamps_for_its_quarter_and_year_only_in_that_save()
    {
        var before = await StampsAsync();
        await app.WithDb(async db =>
        {
            db.Facts.Add(new Fact("2023-Q4", "zj-lasa", null, FactKind.Adjustment, new FactPayload(Points: 0.1, Reason: "排名测试").ToJson(),
                FactSources.Office, "office", new DateTimeOffset(2023, 12, 20, 0, 0, 0, TimeSpan.Zero), FactStatus.Draft));
            return await db.SaveChangesAsync();
        });
        var after = await StampsAsync();
        Assert.NotEqual(before.GetValueOrDefault("2023-Q4"), after["2023-Q4"]);
        Assert.NotEqual(before.GetValueOrDefault("2023"), after["2023"]);
        Assert.Equal(before.GetValueOrDefault("2023-Q2"), after.GetValueOrDefault("2023-Q2"));
        Assert.Equal(before.GetValueOrDefault(ResultsRevision.AllPeriods), after.GetValueOrDefault(ResultsRevision.AllPeriods));

        // A save that fails leaves the stamps as they were: the bump is part of the same transaction.
        await app.WithDb(async db =>
        {
            db.Facts.Add(new Fact("2023-Q4", "no-such-unit", null, FactKind.Adjustment, "{}", FactSources.Office, "office",
                new DateTimeOffset(2023, 12, 20, 0, 0, 0, TimeSpan.Zero), FactStatus.Verified));
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            return 0;
        });
        Assert.Equal(after["2023-Q4"], (await StampsAsync())["2023-Q4"]);
    }

    [Fact]
    public async Task The_page_shows_one_ranking_group_with_its_marks_and_finds_a_unit()
    {
        using var office = await app.As("office");
        var ranking = await Json(await office.GetAsync("/api/v1/results/2023-Q2/urban"));
        var groups = ranking.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("name").GetString()!).ToList();
        Assert.True(groups.Count >= 2, string.Join(",", groups));
        var second = await Json(await office.GetAsync($"/api/v1/results/2023-Q2/urban?group={Uri.EscapeDataString(groups[1])}"));
        var first = ranking.GetProperty("units").EnumerateArray().Select(u => u.GetProperty("id").GetString()!).ToList();
        var members = second.GetProperty("units").EnumerateArray().ToList();
        Assert.Equal(2, members.Count(u => u.GetProperty("commended").GetBoolean()));
        Assert.Equal(2, members.Count(u => u.GetProperty("criticized").GetBoolean()));

        using var page = await app.SignedIn("viewer");
        var html = await page.GetStringAsync($"/Results?period=2023-Q2&category=urban&group={Uri.EscapeDataString(groups[1])}");
        foreach (var u in members) Assert.Contains($"unit={u.GetProperty("id").GetString()}\"", html);
        foreach (var id in first) Assert.DoesNotContain($"unit={id}\"", html);
        Assert.Equal(2, CountOf(html, "<span class=\"tag ok\">通报表扬</span>"));
        Assert.Equal(2, CountOf(html, "<span class=\"tag bad\">通报批评</span>"));
        Assert.Contains($"第2 / {groups.Count}组", html);
        Assert.Contains("name=\"q\"", html);
        Assert.DoesNotContain("下载全部单位得分", html); // the workbook is the office's

        // Searching a unit of the first group jumps to that group and marks its row.
        var target = ranking.GetProperty("units")[0];
        var name = target.GetProperty("name").GetString()!;
        var found = await page.GetStringAsync($"/Results?period=2023-Q2&category=urban&group={Uri.EscapeDataString(groups[1])}&q={Uri.EscapeDataString(name)}");
        Assert.Contains($"<tr id=\"u-{target.GetProperty("id").GetString()}\" class=\"highlight\">", found);
        Assert.Contains($"<h2>{groups[0]} ", found);
        var none = await page.GetStringAsync("/Results?period=2023-Q2&category=urban&q=没有这个单位");
        Assert.Contains("没有找到", none);

        using var officePage = await app.SignedIn("office");
        Assert.Contains("/api/v1/periods/2023-Q2/scores.xlsx", await officePage.GetStringAsync("/Results?period=2023-Q2&category=urban"));
    }

    [Fact]
    public async Task A_published_period_shows_and_explains_its_snapshot_and_flags_data_changed_behind_it()
    {
        using var office = await app.As("office");
        var published = await Json(await office.GetAsync("/api/v1/results/2023-Q1/housing?unit=zj-lasa"));
        Assert.Equal("published", published.GetProperty("source").GetString());
        Assert.Equal("2023-Q1-housing-v1", published.GetProperty("snapshotKey").GetString());
        var total = Row(published, "zj-lasa").GetProperty("total").GetDouble();

        // Data changed behind publication (by hand in the database, or under an earlier version of Kaohe)
        // is not what readers see: the results and their explanations are the snapshot's.
        var explainBefore = await Json(await office.GetAsync("/api/v1/results/2023-Q1/housing/units/zj-lasa/explain"));
        await app.WithDb(async db =>
        {
            using var correction = PeriodStages.CorrectionByAppeal(db, 0, "2023-Q1", "zj-lasa");
            db.Facts.Add(new Fact("2023-Q1", "zj-lasa", null, FactKind.Adjustment, new FactPayload(Points: -2, Reason: "排名测试：公布后的扣分").ToJson(),
                FactSources.Office, "office", new DateTimeOffset(2023, 4, 30, 0, 0, 0, TimeSpan.Zero), FactStatus.Verified));
            return await db.SaveChangesAsync();
        });
        var still = await Json(await office.GetAsync("/api/v1/results/2023-Q1/housing?unit=zj-lasa"));
        Assert.Equal(total, Row(still, "zj-lasa").GetProperty("total").GetDouble());
        var explainAfter = await Json(await office.GetAsync("/api/v1/results/2023-Q1/housing/units/zj-lasa/explain"));
        Assert.Equal(explainBefore.GetProperty("explanation").GetProperty("score").GetDouble(), explainAfter.GetProperty("explanation").GetProperty("score").GetDouble());
        var draft = await Json(await office.GetAsync("/api/v1/periods/2023-Q1/categories/housing/draft"));
        Assert.True(draft.EnumerateArray().Single(u => u.GetProperty("unit").GetString() == "zj-lasa").GetProperty("total").GetDouble() < total);

        using var page = await app.SignedIn("office");
        var html = await page.GetStringAsync("/Results?period=2023-Q1&category=housing");
        Assert.Contains("已公布", html);
        Assert.Contains("2023-Q1-housing-v1", html);
        Assert.Contains(Kaohe.Web.Infrastructure.Ui.Fmt(total), html);
        var explain = await page.GetStringAsync("/Results/Explain?period=2023-Q1&category=housing&unit=zj-lasa");
        Assert.Contains("有数据在公布后已变动", explain);
    }

    [Fact]
    public async Task Wrong_requests_are_problems_and_each_role_reads_only_what_it_may()
    {
        using var office = await app.As("office");
        var badCategory = await office.GetAsync("/api/v1/results/2023-Q2/nosuch");
        Assert.Equal(HttpStatusCode.BadRequest, badCategory.StatusCode);
        Assert.Contains("category", await badCategory.Content.ReadAsStringAsync());
        var badGroup = await office.GetAsync("/api/v1/results/2023-Q2/urban?group=nosuch");
        Assert.Equal(HttpStatusCode.NotFound, badGroup.StatusCode);
        Assert.Contains("group", await badGroup.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await office.GetAsync("/api/v1/results/1999-Q1/housing")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await office.GetAsync("/api/v1/results/2023-Q2/housing/units/zj-lasa/explain?node=NOPE")).StatusCode);

        using var anonymous = app.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/results/2023-Q2/housing")).StatusCode);
        using var unit = await app.As("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.Forbidden, (await unit.GetAsync("/api/v1/results/2023-Q2/housing")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await unit.GetAsync("/api/v1/results/2023-Q2/housing/units/zj-lasa/explain")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await unit.GetAsync("/api/v1/results/2023-Q2/housing/units/zj-nyingchi/explain")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await unit.GetAsync("/api/v1/results/2023-Q3/housing/units/zj-lasa/explain")).StatusCode);
        using var assessor = await app.As("assessor1");
        Assert.Equal(HttpStatusCode.Forbidden, (await assessor.GetAsync("/api/v1/results/2023-Q2/housing/units/zj-lasa/explain")).StatusCode);
    }

    private static int CountOf(string text, string part)
    {
        var n = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}

public sealed class RankingTestsOnSqlite(SqliteApp app) : RankingTests<SqliteApp>(app);

public sealed class RankingTestsOnPostgres(PostgresApp app) : RankingTests<PostgresApp>(app);
