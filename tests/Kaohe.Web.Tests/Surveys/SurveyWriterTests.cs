using System.Net;
using System.Net.Http.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Surveys;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Surveys;

/// <summary>
/// The group-committing writer of web responses (docs/surveys-throughput.md): acknowledged means
/// stored, a conflicting claim in a batch does not fail the others, a bad row fails only itself, the
/// audit chain covers every response, and a new questionnaire is answered by the next submission.
/// </summary>
public abstract class SurveyWriterTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private static readonly string[] Options = ["满意", "基本满意", "不满意", "不了解"];

    private static Dictionary<string, string> Answers(int seed) =>
        Questionnaire.UrbanManagementTemplate().Questions.Select((q, i) => (q.Id, Options[(seed * 5 + i) % 4])).ToDictionary(x => x.Id, x => x.Item2);

    private async Task<List<string>> Issue(string siteCode, int count)
    {
        using var scope = app.Factory.Services.CreateScope();
        var s = scope.ServiceProvider.GetRequiredService<SurveyService>();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var site = await db.Set<SurveySite>().SingleAsync(x => x.Code == siteCode);
        var batch = await s.IssueAsync(site.Id, count, 8, "office");
        return [.. (await s.CodesAsync(batch!)).Select(c => c.Token)];
    }

    private Task<List<SurveyResponse>> StoredFor(IEnumerable<string> codes)
    {
        var hashes = codes.Select(SurveyTokens.Hash).ToList();
        return app.WithDb(db => db.Set<SurveyResponse>().Where(r => db.Set<SurveyToken>().Any(t => hashes.Contains(t.TokenHash) && t.Id == r.TokenId)).ToListAsync());
    }

    /// <summary>The pending write of a code as the intake makes it, for driving the writer directly.</summary>
    private static SurveyWriter.Pending PendingFor(string code, int seed, string? language = "zh") =>
        new(SurveyTokens.Hash(code), new SurveyAnswers(Answers(seed)), SurveyDocuments.AnswersJson(new SurveyAnswers(Answers(seed))), language ?? "zh", null);

    private Task<long> TokenId(string code)
    {
        var hash = SurveyTokens.Hash(code);
        return app.WithDb(db => db.Set<SurveyToken>().Where(t => t.TokenHash == hash).Select(t => t.Id).SingleAsync());
    }

    [Fact]
    public async Task A_burst_of_500_concurrent_submissions_stores_exactly_the_acknowledged_ones_each_with_its_audit_entry()
    {
        var codes = await Issue("LS-1", 500);
        var client = app.Anonymous();
        var statuses = await Task.WhenAll(codes.Select(async (c, i) =>
            (await client.PostAsJsonAsync($"/api/v1/survey/{c}", new { answers = Answers(i), language = "zh" })).StatusCode));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Created, s));
        var stored = await StoredFor(codes);
        Assert.Equal(statuses.Count(s => s == HttpStatusCode.Created), stored.Count);
        // What each code answered is what was stored for it.
        var expected = codes.Select((c, i) => SurveyDocuments.AnswersJson(new SurveyAnswers(Answers(i)))).Order(StringComparer.Ordinal);
        Assert.Equal(expected, stored.Select(r => r.AnswersJson).Order(StringComparer.Ordinal));

        // One audit entry per response, and the chain (appended in batches, beside AuditLog's own writers) verifies.
        var ids = stored.Select(r => r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var entries = await app.WithDb(db => db.AuditEntries.Where(e => e.Action == SurveyWriter.Action && ids.Contains(e.EntityId)).ToListAsync());
        Assert.Equal(500, entries.Count);
        Assert.All(entries, e => Assert.Contains("\"channel\":\"web\"", e.NewValue));
        var check = await app.WithDb(db => AuditChain.VerifyAsync(db));
        Assert.True(check.Ok, check.Reason);
        Assert.Equal(0, app.VerifyAuditWithCli(out var err));
        Assert.True(err.Length == 0, err);
    }

    [Fact]
    public async Task Submissions_interleaved_with_other_audited_changes_keep_one_unbroken_chain()
    {
        var codes = await Issue("LS-2", 120);
        var client = app.Anonymous();
        // Paper entries go through AuditLog (the other appender of the chain) while web answers are batched.
        var site = await app.WithDb(db => db.Set<SurveySite>().SingleAsync(s => s.Code == "LS-2"));
        using var office = await app.As("office");
        var web = codes.Select((c, i) => client.PostAsJsonAsync($"/api/v1/survey/{c}", new { answers = Answers(i) }));
        var paper = Enumerable.Range(0, 20).Select(i => office.PostAsJsonAsync("/api/v1/surveys/paper", new { site = site.Id, sheet = $"W-{i}", answers = Answers(i) }));
        var all = await Task.WhenAll(web.Concat(paper));
        Assert.All(all, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var check = await app.WithDb(db => AuditChain.VerifyAsync(db));
        Assert.True(check.Ok, check.Reason);
    }

    [Fact]
    public async Task A_batch_with_a_conflicting_claim_stores_the_others()
    {
        var codes = await Issue("SN-1", 6);
        // codes[5] is used before the batch; codes[0] appears twice in it, with other answers the second time.
        using (var client = app.Anonymous())
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/api/v1/survey/{codes[5]}", new { answers = Answers(5) })).StatusCode);
        var batch = new List<SurveyWriter.Pending>();
        for (var i = 0; i < 6; i++) batch.Add(PendingFor(codes[i], i));
        batch.Add(PendingFor(codes[0], 9));
        var writer = app.Factory.Services.GetRequiredService<SurveyWriter>();

        var outcomes = (await writer.WriteBatchForTestsAsync(batch)).Select(r => r.Outcome);

        Assert.Equal([SurveyWriter.Outcome.Stored, SurveyWriter.Outcome.Stored, SurveyWriter.Outcome.Stored, SurveyWriter.Outcome.Stored, SurveyWriter.Outcome.Stored,
            SurveyWriter.Outcome.Claimed, SurveyWriter.Outcome.Claimed], outcomes);
        var stored = await StoredFor(codes);
        Assert.Equal(6, stored.Count);
        var first = await TokenId(codes[0]);
        Assert.Equal(SurveyDocuments.AnswersJson(new SurveyAnswers(Answers(0))), stored.Single(r => r.TokenId == first).AnswersJson);
        var check = await app.WithDb(db => AuditChain.VerifyAsync(db));
        Assert.True(check.Ok, check.Reason);
    }

    [Fact]
    public async Task One_batch_answers_unknown_used_double_tapped_invalid_and_good_codes_each_as_alone()
    {
        var codes = await Issue("CD-2", 5);
        using (var client = app.Anonymous())
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/api/v1/survey/{codes[4]}", new { answers = Answers(4) })).StatusCode);
        var partial = new SurveyAnswers(Answers(3).Take(2).ToDictionary());
        var batch = new List<SurveyWriter.Pending>
        {
            PendingFor(codes[0], 0),
            PendingFor("no-such-code-" + Guid.NewGuid().ToString("N")[..8], 1), // unknown
            PendingFor(codes[4], 4),                                              // used before the batch
            PendingFor(codes[1], 1),
            PendingFor(codes[1], 1),                                              // a double tap, same answers
            PendingFor(codes[2], 7, language: "fr"),                              // a language the questionnaire has not: stored as zh
            new(SurveyTokens.Hash(codes[3]), partial, SurveyDocuments.AnswersJson(partial), "zh", null), // incomplete
            PendingFor(codes[0], 9),                                              // the same code again, other answers
        };
        var writer = app.Factory.Services.GetRequiredService<SurveyWriter>();
        var before = writer.Batches;

        var results = await writer.WriteBatchForTestsAsync(batch);

        Assert.Equal(before + 1, writer.Batches); // one lookup and one transaction for the whole batch
        Assert.Equal([SurveyWriter.Outcome.Stored, SurveyWriter.Outcome.Unknown, SurveyWriter.Outcome.Claimed, SurveyWriter.Outcome.Stored, SurveyWriter.Outcome.Claimed,
            SurveyWriter.Outcome.Stored, SurveyWriter.Outcome.Invalid, SurveyWriter.Outcome.Claimed], results.Select(r => r.Outcome));
        Assert.Equal(await TokenId(codes[4]), results[2].TokenId);
        Assert.Equal(await TokenId(codes[1]), results[4].TokenId);
        Assert.Equal(await TokenId(codes[0]), results[7].TokenId);
        Assert.Contains(results[6].Errors!, e => e.StartsWith("answers.", StringComparison.Ordinal));
        var stored = await StoredFor(codes);
        Assert.Equal(4, stored.Count); // codes 0, 1, 2 now and 4 before; 3 stays unused
        Assert.Equal("zh", stored.Single(r => r.TokenId == results[5].TokenId).Language);
        Assert.Null((await app.WithDb(db => db.Set<SurveyToken>().SingleAsync(t => t.TokenHash == SurveyTokens.Hash(codes[3])))).UsedAt);
        Assert.Equal(SurveyDocuments.AnswersJson(new SurveyAnswers(Answers(0))), stored.Single(r => r.TokenId == results[7].TokenId).AnswersJson);

        // Through the intake, the same outcomes become what the public sees.
        var intake = app.Factory.Services.GetRequiredService<SurveyIntake>();
        Assert.Equal(SubmitOutcome.Repeated, (await intake.SubmitAsync(codes[1], new SurveyAnswers(Answers(1)), "zh", null)).Outcome);
        Assert.Equal(SubmitOutcome.AlreadyUsed, (await intake.SubmitAsync(codes[0], new SurveyAnswers(Answers(9)), "zh", null)).Outcome);
        Assert.Equal(SubmitOutcome.UnknownToken, (await intake.SubmitAsync("nope", new SurveyAnswers(Answers(1)), "zh", null)).Outcome);
        Assert.Equal(SubmitOutcome.Invalid, (await intake.SubmitAsync(codes[3], partial, "zh", null)).Outcome);
        Assert.Equal(SubmitOutcome.Stored, (await intake.SubmitAsync(codes[3], new SurveyAnswers(Answers(3)), "zh", null)).Outcome);
        var check = await app.WithDb(db => AuditChain.VerifyAsync(db));
        Assert.True(check.Ok, check.Reason);
    }

    [Fact]
    public async Task A_row_the_database_refuses_fails_alone_and_the_rest_of_its_batch_is_stored()
    {
        var codes = await Issue("SN-2", 4);
        var batch = new List<SurveyWriter.Pending>();
        for (var i = 0; i < 4; i++) batch.Add(PendingFor(codes[i], i));
        var b = batch[2];
        // No such questionnaire: the foreign key refuses the row.
        batch[2] = new SurveyWriter.Pending(b.TokenHash, b.Answers, b.AnswersJson, b.Language, b.ClientAddress) { QuestionnaireIdForTests = -42 };
        var writer = app.Factory.Services.GetRequiredService<SurveyWriter>();

        var outcomes = (await writer.WriteBatchForTestsAsync(batch)).Select(r => r.Outcome);

        Assert.Equal([SurveyWriter.Outcome.Stored, SurveyWriter.Outcome.Stored, SurveyWriter.Outcome.Failed, SurveyWriter.Outcome.Stored], outcomes);
        var stored = await StoredFor(codes);
        Assert.Equal(3, stored.Count);
        var failed = await TokenId(codes[2]);
        Assert.DoesNotContain(stored, r => r.TokenId == failed);
        // Nothing of the failed row was written: its code is still unused and can be answered.
        Assert.Null((await app.WithDb(db => db.Set<SurveyToken>().SingleAsync(t => t.Id == failed))).UsedAt);
        using var client = app.Anonymous();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/api/v1/survey/{codes[2]}", new { answers = Answers(2) })).StatusCode);
        var check = await app.WithDb(db => AuditChain.VerifyAsync(db));
        Assert.True(check.Ok, check.Reason);
    }

    [Fact]
    public async Task A_new_questionnaire_version_is_answered_by_the_next_submission()
    {
        var codes = await Issue("NQ-2", 2);
        using var client = app.Anonymous();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/api/v1/survey/{codes[0]}", new { answers = Answers(0) })).StatusCode);
        var first = Assert.Single(await StoredFor([codes[0]]));

        // The office saves a new version of the questionnaire through its page (the cached one is now stale).
        using var office = await app.SignedIn("office");
        const string page = "/Surveys/Questionnaire?period=2023-Q1";
        var html = await office.GetStringAsync(page);
        var q = Questionnaire.UrbanManagementTemplate();
        var f = new Dictionary<string, string>
        {
            ["languages"] = "zh,bo,en", ["category"] = "urban", ["indicator"] = "U2.5", ["id"] = q.Id,
            ["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(html),
        };
        foreach (var l in new[] { "zh", "bo", "en" })
        {
            f[$"title_{l}"] = q.Title.In(l);
            f[$"intro_{l}"] = q.Intro.In(l);
        }
        var options = q.Questions[0].Options;
        for (var k = 0; k < options.Count; k++)
        {
            f[$"o{k}_id"] = options[k].Id;
            foreach (var l in new[] { "zh", "bo", "en" }) f[$"o{k}_{l}"] = options[k].Text.ByLanguage.GetValueOrDefault(l) ?? "";
            f[$"o{k}_value"] = options[k].Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "";
        }
        for (var i = 0; i < q.Questions.Count; i++)
        {
            f[$"q{i}_id"] = q.Questions[i].Id;
            f[$"q{i}_scored"] = "1";
            foreach (var l in new[] { "zh", "bo", "en" }) f[$"q{i}_{l}"] = (i == 0 && l == "zh" ? "您对道路是否满意？" : q.Questions[i].Text.ByLanguage.GetValueOrDefault(l)) ?? "";
        }
        var saved = await office.PostAsync(page, new FormUrlEncodedContent(f));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var active = await app.WithDb(db => db.Set<SurveyQuestionnaire>().SingleAsync(x => x.PeriodId == "2023-Q1" && x.Status == QuestionnaireStatus.Active));
        Assert.NotEqual(first.QuestionnaireId, active.Id);

        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/api/v1/survey/{codes[1]}", new { answers = Answers(1) })).StatusCode);
        Assert.Equal(active.Id, Assert.Single(await StoredFor([codes[1]])).QuestionnaireId);
    }

    [Fact]
    public async Task Malformed_bodies_are_problems_naming_their_path_and_use_no_code()
    {
        var codes = await Issue("AL-2", 1);
        using var client = app.Anonymous();
        var broken = await client.PostAsync($"/api/v1/survey/{codes[0]}", new StringContent("{\"answers\": {\"roads\": 3}}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal("application/problem+json", broken.Content.Headers.ContentType?.MediaType);
        Assert.Contains("$.answers.roads", await broken.Content.ReadAsStringAsync());
        var text = await client.PostAsync($"/api/v1/survey/{codes[0]}?lang=en", new StringContent("roads=3", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.Contains("application/json", await text.Content.ReadAsStringAsync());
        Assert.Null((await app.WithDb(db => db.Set<SurveyToken>().SingleAsync(t => t.TokenHash == SurveyTokens.Hash(codes[0])))).UsedAt);
    }

    /// <summary>
    /// The lane is the one door of a JSON answer: no mapped endpoint stands behind it, so the lane writes its
    /// own operation into the OpenAPI document — the body, the 201, and each problem it answers.
    /// </summary>
    [Fact]
    public async Task The_answer_operation_is_documented_by_the_lane_with_its_body_and_every_problem()
    {
        using var client = app.Anonymous();
        var doc = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/openapi/v1.json");
        var path = doc.GetProperty("paths").GetProperty("/api/v1/survey/{token}");
        Assert.True(path.TryGetProperty("get", out _), "the questionnaire's GET keeps its place");
        var post = path.GetProperty("post");
        Assert.Contains("answers", post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetRawText());
        var responses = post.GetProperty("responses");
        Assert.True(responses.GetProperty("201").GetProperty("content").TryGetProperty("application/json", out _));
        foreach (var status in new[] { "400", "404", "409", "413", "415", "429", "503" })
            Assert.True(responses.GetProperty(status).GetProperty("content").TryGetProperty("application/problem+json", out _), status);
    }
}

public sealed class SurveyWriterTestsOnSqlite(SurveySqliteApp app) : SurveyWriterTests<SurveySqliteApp>(app);

public sealed class SurveyWriterTestsOnPostgres(SurveyPostgresApp app) : SurveyWriterTests<SurveyPostgresApp>(app);
