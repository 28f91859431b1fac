using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Periods;

/// <summary>设置下一考核期: the office opens 2024-Q1 from 2023-Q4 (the demo's last quarter) and publishes it.</summary>
public abstract class PeriodSetupTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private static async Task<JsonElement> Problem(HttpResponseMessage r) => await r.Content.ReadFromJsonAsync<JsonElement>();

    private static string[] FieldErrors(JsonElement problem, string field) =>
        [.. problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()!)];

    [Fact]
    public async Task The_office_sets_up_the_next_quarter_from_the_previous_one_through_the_page_and_publishes_it()
    {
        using var api = await app.As("office");
        var audit = await app.WithDb(db => db.AuditEntries.CountAsync());

        // A deadline far from the quarter is refused, naming the field; nothing is stored.
        var bad = await api.PostAsJsonAsync("/api/v1/periods/next", new { from = "2023-Q4", deadline = "2020-01-01" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("填报截止", FieldErrors(await Problem(bad), "deadline")[0]);
        Assert.False(await app.WithDb(db => db.Periods.AnyAsync(p => p.Id == "2024-Q1")));
        Assert.Equal(audit, await app.WithDb(db => db.AuditEntries.CountAsync()));

        // The demo surveys only in 2023-Q1: give 2023-Q4 a questionnaire and two sites to copy.
        await app.WithDb(async db =>
        {
            var q1 = await db.Set<SurveyQuestionnaire>().AsNoTracking().FirstAsync(q => q.PeriodId == "2023-Q1" && q.Status == QuestionnaireStatus.Active);
            var q = new SurveyQuestionnaire("2023-Q4", q1.Category, q1.IndicatorId, 1, q1.Title, q1.LanguagesJson, q1.Document, q1.ProtectedClientKey, "office", q1.CreatedAt);
            q.Activate();
            db.Add(q);
            db.Add(new SurveySite("2023-Q4", "cg-lasa-seat", "拉萨市城关区", "LS-0", 60, 1));
            db.Add(new SurveySite("2023-Q4", "cg-lasa-county", "拉萨市当雄县", "LS-1", 25, 2));
            return await db.SaveChangesAsync();
        });

        // The dry run says what will be copied: exactly what 2023-Q4 has.
        var source = await app.WithDb(async db => new
        {
            Schemes = await db.Schemes.CountAsync(s => s.PeriodId == "2023-Q4" && s.Status == SchemeStatus.Active),
            Assignments = await db.Assignments.CountAsync(a => a.PeriodId == "2023-Q4"),
            Sites = await db.Set<SurveySite>().Where(s => s.PeriodId == "2023-Q4").OrderBy(s => s.Order).Select(s => new { s.UnitId, s.Place, s.Code, s.Quota }).ToListAsync(),
            Rules = await db.Set<AdjustmentRule>().Where(r => r.PeriodId == "2023-Q4").OrderBy(r => r.Category).ThenBy(r => r.Code).Select(r => new { r.Category, r.Code, r.Kind, r.Points, r.MinPoints, r.MaxPoints, r.Bands }).ToListAsync(),
        });
        Assert.Equal(4, source.Schemes);
        Assert.True(source.Assignments > 0);
        var dry = await api.PostAsJsonAsync("/api/v1/periods/next?dryRun=true", new { from = "2023-Q4" });
        Assert.Equal(HttpStatusCode.OK, dry.StatusCode);
        var preview = await dry.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("2024-Q1", preview.GetProperty("to").GetString());
        Assert.Equal(4, preview.GetProperty("schemes").GetInt32());
        Assert.Equal(source.Assignments, preview.GetProperty("assignments").GetInt32());
        Assert.Equal(2, preview.GetProperty("surveySites").GetInt32());
        Assert.Equal(85, preview.GetProperty("surveyQuota").GetInt32());
        Assert.Equal(1, preview.GetProperty("questionnaires").GetInt32());
        Assert.Equal(source.Rules.Count, preview.GetProperty("adjustmentRules").GetInt32());
        Assert.False(await app.WithDb(db => db.Periods.AnyAsync(p => p.Id == "2024-Q1")));

        // Through the page, as the office signed in with a cookie.
        using var web = await app.SignedIn("office");
        var html = await web.GetStringAsync("/Periods/Next");
        Assert.Contains("2024年第一季度", html);
        var created = await web.PostAsync("/Periods/Next", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["from"] = "2023-Q4", ["deadline"] = "2024-04-12", ["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(html),
        }));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var list = await web.GetStringAsync("/Periods");
        Assert.Contains("2024年第一季度已设置", list);
        Assert.Contains("发布考核期", list);

        var copied = await app.WithDb(async db => new
        {
            Period = await db.Periods.SingleAsync(p => p.Id == "2024-Q1"),
            Schemes = await db.Schemes.Where(s => s.PeriodId == "2024-Q1").ToListAsync(),
            Assignments = await db.Assignments.CountAsync(a => a.PeriodId == "2024-Q1"),
            Sites = await db.Set<SurveySite>().Where(s => s.PeriodId == "2024-Q1").OrderBy(s => s.Order).Select(s => new { s.UnitId, s.Place, s.Code, s.Quota }).ToListAsync(),
            Rules = await db.Set<AdjustmentRule>().Where(r => r.PeriodId == "2024-Q1").OrderBy(r => r.Category).ThenBy(r => r.Code).Select(r => new { r.Category, r.Code, r.Kind, r.Points, r.MinPoints, r.MaxPoints, r.Bands }).ToListAsync(),
            Keys = await db.Set<SurveyQuestionnaire>().Where(q => q.Status == QuestionnaireStatus.Active && (q.PeriodId == "2024-Q1" || q.PeriodId == "2023-Q4")).Select(q => new { q.PeriodId, q.ProtectedClientKey, q.IndicatorId }).ToListAsync(),
            Actions = await db.AuditEntries.Where(e => e.EntityType == "period" && e.EntityId == "2024-Q1").Select(e => e.Action).ToListAsync(),
        });
        Assert.Equal(PeriodStatus.Planned, copied.Period.Status);
        Assert.Equal(new DateOnly(2024, 4, 12), copied.Period.ReportDeadline);
        Assert.Equal(4, copied.Schemes.Count);
        Assert.All(copied.Schemes, s => Assert.Equal(SchemeStatus.Draft, s.Status));
        Assert.All(copied.Schemes, s => Assert.Contains("\"period\": \"2024-Q1\"", s.Document));
        Assert.All(copied.Schemes, s => Assert.StartsWith("2024年第一季度", s.Name));
        Assert.All(copied.Schemes, s => Assert.NotNull(s.BasedOnId));
        Assert.Equal(source.Assignments, copied.Assignments);
        Assert.Equal(source.Sites, copied.Sites);
        Assert.Equal(source.Rules, copied.Rules);
        var q4 = copied.Keys.Where(k => k.PeriodId == "2023-Q4").ToList();
        var q1 = copied.Keys.Where(k => k.PeriodId == "2024-Q1").ToList();
        Assert.Single(q1);
        Assert.Equal(q4.Count, q1.Count);
        Assert.All(q1, k => Assert.DoesNotContain(k.ProtectedClientKey, q4.Select(x => x.ProtectedClientKey)));
        Assert.Contains("period.create", copied.Actions);
        Assert.Contains("period.copy", copied.Actions);
        Assert.Equal(0, app.VerifyAuditWithCli(out var err));
        Assert.Equal("", err);

        // Copying again is a conflict naming the period.
        var again = await api.PostAsJsonAsync("/api/v1/periods/next", new { from = "2023-Q4" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("已有考核方案", FieldErrors(await Problem(again), "period")[0]);

        // Publishing activates the drafts and starts collection, once.
        var published = await api.PostAsync("/api/v1/periods/2024-Q1/publish", null);
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        var after = await app.WithDb(async db => new
        {
            Status = (await db.Periods.SingleAsync(p => p.Id == "2024-Q1")).Status,
            Active = await db.Schemes.CountAsync(s => s.PeriodId == "2024-Q1" && s.Status == SchemeStatus.Active),
            Published = await db.AuditEntries.CountAsync(e => e.Action == "period.publish" && e.EntityId == "2024-Q1"),
        });
        Assert.Equal(PeriodStatus.Collecting, after.Status);
        Assert.Equal(4, after.Active);
        Assert.Equal(1, after.Published);
        var twice = await api.PostAsync("/api/v1/periods/2024-Q1/publish", null);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Contains("已发布", FieldErrors(await Problem(twice), "period")[0]);
    }

    [Theory]
    [InlineData("2023", HttpStatusCode.BadRequest, "年度")]
    [InlineData("2031-Q2", HttpStatusCode.NotFound, "不存在")]
    [InlineData("", HttpStatusCode.BadRequest, "上一考核期")]
    public async Task A_wrong_source_period_is_refused_naming_the_from_field(string from, HttpStatusCode status, string message)
    {
        using var api = await app.As("office");
        var r = await api.PostAsJsonAsync("/api/v1/periods/next", new { from });
        Assert.Equal(status, r.StatusCode);
        Assert.Contains(message, FieldErrors(await Problem(r), "from")[0]);
    }

    [Fact]
    public async Task Publishing_a_period_without_schemes_or_an_unknown_one_is_refused()
    {
        using var api = await app.As("office");
        var unknown = await api.PostAsync("/api/v1/periods/2031-Q1/publish", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var started = await api.PostAsync("/api/v1/periods/2023-Q1/publish", null);
        Assert.Equal(HttpStatusCode.Conflict, started.StatusCode);
        Assert.Contains("period", (await Problem(started)).GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("unit-zj-lasa")]
    [InlineData("division-scc")]
    [InlineData("leader-principal")]
    [InlineData("viewer")]
    public async Task Only_the_office_sets_up_or_publishes_a_period(string user)
    {
        using var api = await app.As(user);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.PostAsJsonAsync("/api/v1/periods/next", new { from = "2023-Q4" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.PostAsync("/api/v1/periods/2023-Q4/publish", null)).StatusCode);
        using var web = await app.SignedIn(user);
        var next = await web.GetAsync("/Periods/Next");
        Assert.True(next.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect, $"{next.StatusCode}");
        if (next.StatusCode == HttpStatusCode.Redirect) Assert.Contains("Denied", next.Headers.Location!.ToString());
        var list = await web.GetStringAsync("/Periods");
        Assert.DoesNotContain("设置下一考核期", list);
        var publish = await web.PostAsync("/Periods?handler=Publish", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["period"] = "2023-Q4", ["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(list),
        }));
        Assert.True(publish.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect, $"{publish.StatusCode}");
        if (publish.StatusCode == HttpStatusCode.Redirect) Assert.Contains("Denied", publish.Headers.Location!.ToString());
        Assert.False(await app.WithDb(db => db.Periods.AnyAsync(p => p.Id == "2024-Q1" && p.Status == PeriodStatus.Collecting && db.AuditEntries.Any(e => e.Actor == user && e.EntityType == "period"))));
    }

    [Fact]
    public async Task Anonymous_requests_are_refused()
    {
        using var anon = app.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anon.PostAsJsonAsync("/api/v1/periods/next", new { from = "2023-Q4" })).StatusCode);
    }
}

public sealed class PeriodSetupTestsOnSqlite(SqliteApp app) : PeriodSetupTests<SqliteApp>(app);

public sealed class PeriodSetupTestsOnPostgres(PostgresApp app) : PeriodSetupTests<PostgresApp>(app);
