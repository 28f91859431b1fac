using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Surveys;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Surveys;

/// <summary>The app with a survey rate limit high enough for bursts from one test client.</summary>
public sealed class SurveySqliteApp : SqliteApp
{
    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Kaohe:SurveyPerMinute", "100000");
}

public sealed class SurveyPostgresApp : PostgresApp
{
    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Kaohe:SurveyPerMinute", "100000");
}

/// <summary>Surveys on a real database: single-use codes under concurrency, paper sheets, tallies == responses, the demo's 770.</summary>
public abstract class SurveyFlowTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private static readonly string[] Options = ["满意", "基本满意", "不满意", "不了解"];

    private async Task<T> WithSurveys<T>(Func<SurveyService, KaoheDbContext, Task<T>> action)
    {
        using var scope = app.Factory.Services.CreateScope();
        return await action(scope.ServiceProvider.GetRequiredService<SurveyService>(), scope.ServiceProvider.GetRequiredService<KaoheDbContext>());
    }

    /// <summary>Issues a fresh batch of codes for a demo site and returns them (regenerated from the batch secret, as a reprint does).</summary>
    private Task<(int SiteId, string UnitId, List<string> Codes)> Issue(string siteCode, int count, string period = "2023-Q1") => WithSurveys(async (s, db) =>
    {
        var site = await db.Set<SurveySite>().SingleAsync(x => x.Code == siteCode && x.PeriodId == period);
        var batch = await s.IssueAsync(site.Id, count, 8, "office");
        return (site.Id, site.UnitId, (await s.CodesAsync(batch!)).Select(c => c.Token).ToList());
    });

    private static Dictionary<string, string> Answers(int seed) =>
        Questionnaire.UrbanManagementTemplate().Questions.Select((q, i) => (q.Id, Options[(seed * 7 + i * 3) % 4])).ToDictionary(x => x.Id, x => x.Item2);

    private Task<Dictionary<string, double>> StoredTally(string unit, string period = "2023-Q1") => app.WithDb(async db =>
    {
        var facts = await db.Facts.Where(f => f.PeriodId == period && f.UnitId == unit && f.IndicatorId == "U2.5" && f.Kind == FactKind.SurveyTally).ToListAsync();
        return FactPayload.Parse(Assert.Single(facts).Payload).Counts!;
    });

    [Fact]
    public async Task The_demo_has_the_seeds_770_questionnaires_at_21_sites_and_tallies_equal_to_its_responses()
    {
        // The demo's responses were received in 2023; other tests of this class add their own, today.
        var demoEnd = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var (sites, responses, paper) = await app.WithDb(async db => (
            await db.Set<SurveySite>().Where(s => s.PeriodId == "2023-Q1").ToListAsync(),
            await db.Set<SurveyResponse>().CountAsync(r => r.ReceivedAt < demoEnd),
            await db.Set<SurveyResponse>().CountAsync(r => r.ReceivedAt < demoEnd && r.Channel == SurveyChannels.Paper)));
        Assert.Equal(21, sites.Count);
        Assert.Equal(770, sites.Sum(s => s.Quota));
        Assert.Equal(7, sites.Count(s => s.UnitId.EndsWith("-seat", StringComparison.Ordinal)));
        Assert.Equal(770, responses);
        Assert.InRange(paper, 1, 200);

        // The demo ran 更新统计 before publishing 2023-Q1: every unit's stored tally equals a count of the demo's stored answers,
        // made here independently of the service. Published, the quarter takes no new tallies (docs/stages.md).
        using var office = await app.As("office");
        var refused = await office.PostAsync("/api/v1/surveys/tallies?period=2023-Q1", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("Published", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stage").GetString());
        var rows = await app.WithDb(db => db.Set<SurveyResponse>().Where(r => r.ReceivedAt < demoEnd)
            .Join(db.Set<SurveySite>().Where(s => s.PeriodId == "2023-Q1"), r => r.SiteId, s => s.Id, (r, s) => new { s.UnitId, r.AnswersJson }).ToListAsync());
        foreach (var unit in rows.Select(r => r.UnitId).Distinct())
        {
            var expected = Count(rows.Where(r => r.UnitId == unit).Select(r => r.AnswersJson));
            Assert.Equal(expected, await StoredTally(unit));
            // 地市综合 counts its seat and county sites together.
            var whole = unit[..unit.LastIndexOf('-')];
            Assert.Equal(Count(rows.Where(r => r.UnitId.StartsWith(whole + "-", StringComparison.Ordinal)).Select(r => r.AnswersJson)), await StoredTally(whole));
        }
        // The survey's period only: later quarters of the merged demo hold their own (copied and varied) tallies.
        var total = (await app.WithDb(db => db.Facts.Where(f => f.PeriodId == "2023-Q1" && f.IndicatorId == "U2.5" && f.Kind == FactKind.SurveyTally
                && (f.UnitId.EndsWith("-seat") || f.UnitId.EndsWith("-county"))).ToListAsync()))
            .Sum(f => FactPayload.Parse(f.Payload).Counts!.Values.Sum());
        Assert.Equal(Count(rows.Select(r => r.AnswersJson)).Values.Sum(), total);
    }

    [Fact]
    public async Task The_demo_results_of_urban_management_are_computed_from_the_survey_tallies()
    {
        var built = await WithSurveys(async (_, db) => await new ReferenceBuilder(db).BuildAsync("2023-Q1", "urban"));
        var value = Assert.Single(built!.Assessment.Values, v => v.Unit == "cg-lasa-seat" && v.Indicator == "U2.5");
        Assert.Equal(await StoredTally("cg-lasa-seat"), value.Counts);
        var result = Engine.Score(built.Assessment);
        Assert.True(result.Errors.Count == 0, string.Join("; ", result.Errors.Select(e => e.Path + " " + e.En)));
        Assert.True(result.Result!["cg-lasa-seat"].Scores["U2.5"] > 0);
    }

    [Fact]
    public async Task The_survey_page_counts_the_answers_once_and_then_only_the_new_ones()
    {
        // /Surveys shows the live counts of every response of the period (a million at national scale):
        // they are read once, kept under the number of responses and the highest id, and a later view
        // adds only the answers stored since.
        var cache = app.Factory.Services.GetRequiredService<SurveyCountsCache>();
        using var office = await app.SignedIn("office");
        static int Responses(string html) => int.Parse(System.Text.RegularExpressions.Regex.Match(html, @"(\d+) 份答卷").Groups[1].Value);
        var first = await office.GetStringAsync("/Surveys?period=2023-Q1");
        var readings = cache.Readings;
        var again = await office.GetStringAsync("/Surveys?period=2023-Q1");
        Assert.Equal(readings, cache.Readings);
        Assert.Equal(Responses(first), Responses(again));

        var (_, _, codes) = await Issue("NQ-1", 3);
        foreach (var (code, i) in codes.Select((c, i) => (c, i)))
            Assert.Equal(HttpStatusCode.Created, (await app.Anonymous().PostAsJsonAsync($"/api/v1/survey/{code}", new { answers = Answers(5 + i), language = "zh" })).StatusCode);
        var after = await office.GetStringAsync("/Surveys?period=2023-Q1");
        Assert.Equal(readings, cache.Readings);
        Assert.Equal(Responses(first) + 3, Responses(after));
        var expected = await app.WithDb(db => db.Set<SurveyResponse>().CountAsync(r => db.Set<SurveySite>().Any(x => x.Id == r.SiteId && x.PeriodId == "2023-Q1")));
        Assert.Equal(expected, Responses(after));

        // What the page added up equals a count of every answer from the start (the tally job's reading).
        var (added, whole) = await WithSurveys(async (s, _) =>
            ((await s.ComputeAsync("2023-Q1"))!.Value, (await s.ComputeAsync("2023-Q1", progress: new Progress<TallyProgress>()))!.Value));
        Assert.Equal(whole.Responses, added.Responses);
        Assert.Equal(whole.Counts.Keys.Order(), added.Counts.Keys.Order());
        foreach (var (unit, counts) in whole.Counts) Assert.Equal(counts, added.Counts[unit]);
        Assert.Equal(readings + 1, cache.Readings);
    }

    [Fact]
    public async Task Submitting_one_code_twenty_times_at_once_stores_one_response()
    {
        var (_, _, codes) = await Issue("NQ-1", 1);
        var client = app.Anonymous();
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            client.PostAsJsonAsync($"/api/v1/survey/{codes[0]}", new { answers = Answers(i), language = "zh" })));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var hash = SurveyTokens.Hash(codes[0]);
        Assert.Equal(1, await app.WithDb(db => db.Set<SurveyResponse>().CountAsync(r => db.Set<SurveyToken>().Any(t => t.TokenHash == hash && t.Id == r.TokenId))));
        var again = await client.PostAsJsonAsync($"/api/v1/survey/{codes[0]}", new { answers = Answers(3) });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("已使用", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task After_a_burst_of_200_concurrent_submissions_with_duplicates_the_tallies_equal_the_responses_exactly()
    {
        // In a quarter being collected (2023-Q1 is published and takes no tallies), with the demo's survey copied in.
        const string period = "2023-Q4";
        await DemoSurvey.CopyAsync(app, period);
        var (siteId, unit, codes) = await Issue("SN-2", 150, period);
        var before = await app.WithDb(db => db.Set<SurveyResponse>().Where(r => r.SiteId == siteId).Select(r => r.AnswersJson).ToListAsync());
        // 150 distinct codes, and 50 of them sent a second time with the same answers (double taps).
        var sends = codes.Select((c, i) => (Code: c, Seed: i)).Concat(codes.Take(50).Select((c, i) => (Code: c, Seed: i))).OrderBy(x => (x.Seed * 7919) % 200).ToList();
        Assert.Equal(200, sends.Count);
        var client = app.Anonymous();
        var results = await Task.WhenAll(sends.Select(async s =>
            (await client.PostAsJsonAsync($"/api/v1/survey/{s.Code}", new { answers = Answers(s.Seed), language = "bo" })).StatusCode));
        Assert.Equal(150, results.Count(r => r == HttpStatusCode.Created));
        Assert.Equal(50, results.Count(r => r == HttpStatusCode.Conflict));

        using var office = await app.As("office");
        var tally = await office.PostAsync($"/api/v1/surveys/tallies?period={period}", null);
        Assert.Equal(HttpStatusCode.OK, tally.StatusCode);

        var expected = Count([.. before, .. codes.Select((_, i) => SurveyDocuments.AnswersJson(new SurveyAnswers(Answers(i))))]);
        var stored = await app.WithDb(db => db.Set<SurveyResponse>().Where(r => r.SiteId == siteId).Select(r => r.AnswersJson).ToListAsync());
        Assert.Equal(before.Count + 150, stored.Count);
        Assert.Equal(expected, Count(stored));
        // The unit's tally covers all its sites; this site's share is exactly what was answered.
        var unitRows = await app.WithDb(db => db.Set<SurveyResponse>().Where(r => db.Set<SurveySite>().Any(s => s.Id == r.SiteId && s.UnitId == unit && s.PeriodId == period))
            .Select(r => r.AnswersJson).ToListAsync());
        Assert.Equal(Count(unitRows), await StoredTally(unit, period));
        Assert.Equal(150, await app.WithDb(db => db.Set<SurveyToken>().CountAsync(t => codes.Select(SurveyTokens.Hash).Contains(t.TokenHash) && t.UsedAt != null)));

        // 更新统计 is idempotent: a second run changes nothing.
        var second = await (await office.PostAsync($"/api/v1/surveys/tallies?period={period}", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, second.GetProperty("changed").GetInt32());
    }

    [Fact]
    public async Task The_public_form_needs_no_account_switches_language_and_thanks_once()
    {
        var (_, _, codes) = await Issue("LZ-1", 2);
        var client = app.Factory.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        var page = await client.GetAsync($"/s/{codes[0]}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("群众满意度调查表", html);
        Assert.Contains("您对园林绿化是否满意？", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", ""));
        var tibetan = await client.GetStringAsync($"/s/{codes[0]}?lang=bo");
        Assert.Contains("མང་ཚོགས་ཚིམ་ཚད་ཞིབ་བཤེར་རེའུ་མིག", tibetan);
        Assert.Contains("lang=\"bo\"", tibetan);

        var form = Questionnaire.UrbanManagementTemplate().Questions.ToDictionary(q => "a_" + q.Id, _ => "基本满意");
        form["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(html);
        var partial = new Dictionary<string, string>(form);
        partial.Remove("a_toilets");
        var refused = await client.PostAsync($"/s/{codes[0]}", new FormUrlEncodedContent(partial));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("请回答第 4 题", await refused.Content.ReadAsStringAsync());

        var sent = await client.PostAsync($"/s/{codes[0]}?lang=en", new FormUrlEncodedContent(form));
        Assert.True(sent.StatusCode == HttpStatusCode.OK, await sent.Content.ReadAsStringAsync());
        Assert.Contains("Thank you", await sent.Content.ReadAsStringAsync());
        // A double tap (same answers) is thanked again, and stored once.
        var tap = await client.PostAsync($"/s/{codes[0]}", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.OK, tap.StatusCode);
        Assert.Contains("感谢您的参与", await tap.Content.ReadAsStringAsync());
        var hash = SurveyTokens.Hash(codes[0]);
        var stored = await app.WithDb(db => db.Set<SurveyResponse>().Where(r => db.Set<SurveyToken>().Any(t => t.TokenHash == hash && t.Id == r.TokenId)).ToListAsync());
        var response = Assert.Single(stored);
        Assert.Equal("en", response.Language);
        Assert.Equal(SurveyChannels.Web, response.Channel);

        // Opening a used code again: a polite page, 409.
        var reused = await client.GetAsync($"/s/{codes[0]}");
        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
        Assert.Contains("此二维码已经使用过", await reused.Content.ReadAsStringAsync());
        var unknown = await client.GetAsync("/s/aaaaaaaaaaaaaaaaaaaaaaaaaa");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("二维码无效", await unknown.Content.ReadAsStringAsync());

        // Without the anti-forgery token the post is refused.
        var forged = new Dictionary<string, string>(form);
        forged.Remove("__RequestVerificationToken");
        Assert.Equal(HttpStatusCode.BadRequest, (await app.Anonymous().PostAsync($"/s/{codes[1]}", new FormUrlEncodedContent(forged))).StatusCode);
        Assert.Null((await app.WithDb(db => db.Set<SurveyToken>().SingleAsync(t => t.TokenHash == SurveyTokens.Hash(codes[1])))).UsedAt);
    }

    [Fact]
    public async Task A_wrong_answer_is_named_by_its_path_and_nothing_is_stored()
    {
        var (_, _, codes) = await Issue("AL-1", 1);
        using var client = app.Anonymous();
        var answers = Answers(1);
        answers["roads"] = "非常满意";
        var response = await client.PostAsJsonAsync($"/api/v1/survey/{codes[0]}", new { answers });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("answers.roads", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync("/api/v1/survey/nope", new { answers })).StatusCode);
        var questionnaire = await client.GetFromJsonAsync<JsonElement>($"/api/v1/survey/{codes[0]}?lang=en");
        Assert.Equal("Public satisfaction survey", questionnaire.GetProperty("title").GetString());
        Assert.Null((await app.WithDb(db => db.Set<SurveyToken>().SingleAsync(t => t.TokenHash == SurveyTokens.Hash(codes[0])))).UsedAt);
    }

    [Fact]
    public async Task A_paper_sheet_number_is_entered_once_per_site_by_the_office_or_an_assessor_only()
    {
        var siteId = await app.WithDb(db => db.Set<SurveySite>().Where(s => s.Code == "CD-1" && s.PeriodId == "2023-Q1").Select(s => s.Id).SingleAsync());
        using var assessor = await app.As("assessor1");
        var body = new { site = siteId, sheet = "CD-1-T001", answers = new Dictionary<string, string> { ["roads"] = "满意", ["toilets"] = "不满意" } };
        Assert.Equal(HttpStatusCode.Created, (await assessor.PostAsJsonAsync("/api/v1/surveys/paper", body)).StatusCode);
        var again = await assessor.PostAsJsonAsync("/api/v1/surveys/paper", body);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.True((await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("sheet", out _));
        using var unit = await app.As("unit-cg-lasa");
        Assert.Equal(HttpStatusCode.Forbidden, (await unit.PostAsJsonAsync("/api/v1/surveys/paper", body with { sheet = "CD-1-T002" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().PostAsJsonAsync("/api/v1/surveys/paper", body with { sheet = "CD-1-T003" })).StatusCode);
        Assert.Equal(1, await app.WithDb(db => db.Set<SurveyResponse>().CountAsync(r => r.SiteId == siteId && r.PaperSheet!.StartsWith("CD-1-T"))));
        var audited = await app.WithDb(db => db.AuditEntries.CountAsync(e => e.Action == "survey.paper" && e.Actor == "assessor1"));
        Assert.Equal(1, audited);
    }

    [Fact]
    public async Task Progress_is_shown_to_the_office_and_refused_to_units_and_tallies_only_the_office_updates()
    {
        using var office = await app.As("office");
        var progress = await office.GetFromJsonAsync<JsonElement>("/api/v1/surveys/progress?period=2023-Q1");
        Assert.Equal(770, progress.GetProperty("quota").GetInt32());
        Assert.Equal(21, progress.GetProperty("sites").GetArrayLength());
        Assert.True(progress.GetProperty("received").GetInt32() >= 770);
        using var unit = await app.As("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.Forbidden, (await unit.GetAsync("/api/v1/surveys/progress")).StatusCode);
        using var assessor = await app.As("assessor1");
        Assert.Equal(HttpStatusCode.OK, (await assessor.GetAsync("/api/v1/surveys/progress")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await assessor.PostAsync("/api/v1/surveys/tallies", null)).StatusCode);
    }

    [Fact]
    public async Task A_reprinted_batch_gives_the_same_codes_and_only_their_hashes_are_stored()
    {
        var (siteId, _, codes) = await Issue("RKZ-1", 3);
        var again = await WithSurveys(async (s, db) =>
        {
            var batch = await db.Set<SurveyBatch>().Where(b => b.SiteId == siteId).OrderByDescending(b => b.Id).FirstAsync();
            return (await s.CodesAsync(batch)).Select(c => c.Token).ToList();
        });
        Assert.Equal(codes, again);
        var tokens = await app.WithDb(db => db.Set<SurveyToken>().Where(t => t.SiteId == siteId).Select(t => t.TokenHash).ToListAsync());
        Assert.All(codes, c => Assert.Contains(SurveyTokens.Hash(c), tokens));
        Assert.All(codes, c => Assert.DoesNotContain(c, tokens));
    }

    /// <summary>Counts answers per option over stored answer JSON, the way the survey method reads them (every scored question).</summary>
    private static Dictionary<string, double> Count(IEnumerable<string> answerJson)
    {
        var counts = Options.ToDictionary(o => o, _ => 0.0);
        foreach (var json in answerJson)
            foreach (var option in JsonSerializer.Deserialize<Dictionary<string, string>>(json)!.Values)
                counts[option]++;
        return counts;
    }
}

public sealed class SurveyFlowTestsOnSqlite(SurveySqliteApp app) : SurveyFlowTests<SurveySqliteApp>(app);

public sealed class SurveyFlowTestsOnPostgres(SurveyPostgresApp app) : SurveyFlowTests<SurveyPostgresApp>(app);

/// <summary>The public endpoints are rate-limited per client (Kaohe:SurveyPerMinute).</summary>
public sealed class SurveyRateLimitTests(SurveyRateLimitTests.Strict app) : IClassFixture<SurveyRateLimitTests.Strict>
{
    public sealed class Strict : SqliteApp
    {
        protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Kaohe:SurveyPerMinute", "3");
    }

    [Fact]
    public async Task The_fourth_request_within_a_minute_from_one_client_is_refused_with_429()
    {
        using var c = app.Anonymous();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync("/api/v1/survey/unknowncode")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await c.PostAsJsonAsync("/api/v1/survey/unknowncode", new { answers = new { roads = "满意" } })).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await c.GetAsync("/s/unknowncode")).StatusCode);
    }
}
