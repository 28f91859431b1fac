using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kaohe.Demo;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;
using Kaohe.Web.Features.Demo;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Schemes;

public abstract class SchemeTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private const string Collecting = "2023-Q3";

    private async Task<int> SchemeId(string category, string period = "2023-Q1") =>
        await app.WithDb(db => db.Schemes.Where(s => s.Category == category && s.PeriodId == period).Select(s => s.Id).FirstAsync());

    [Fact]
    public async Task The_four_demo_schemes_are_active_for_Q1_and_browsable()
    {
        using var client = await app.As("viewer");
        var list = await client.GetFromJsonAsync<JsonElement[]>("/api/v1/schemes?period=2023-Q1");
        var active = list!.Where(s => s.GetProperty("status").GetString() == "Active").Select(s => s.GetProperty("category").GetString()).Order();
        Assert.Equal(["affiliated", "divisions", "housing", "urban"], active);
        using var page = await app.SignedIn("viewer");
        var html = await page.GetStringAsync($"/Schemes/Detail/{await SchemeId("urban")}");
        Assert.Contains("生活垃圾分类", html);
        Assert.Contains("40", html);
    }

    [Fact]
    public async Task A_scheme_round_trips_through_its_json_without_loss()
    {
        using var client = await app.As("office");
        var original = await client.GetStringAsync($"/api/v1/schemes/{await SchemeId("housing")}");
        var created = await client.PostAsJsonAsync("/api/v1/schemes", new { category = "housing", period = "2023-Q2", name = "往返测试", document = JsonDocument.Parse(original).RootElement });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var back = await client.GetStringAsync($"/api/v1/schemes/{id}");
        Assert.Equal(original.Replace("\"period\": \"2023-Q1\"", "\"period\": \"2023-Q2\""), back);
        // The housing scheme is version 2 (its measures): they survive the round trip too.
        var a = KaoheFile.ReadScheme(original);
        var b = KaoheFile.ReadScheme(back);
        Assert.Equal(2, b.Version);
        Assert.Equal(a.Measures, b.Measures);
        Assert.Equal(KaoheFile.WriteScheme("x", a.Indicators!, a.Rules!, a.Measures), KaoheFile.WriteScheme("x", b.Indicators!, b.Rules!, b.Measures));
    }

    [Fact]
    public async Task A_bad_scheme_is_rejected_with_every_error_named_and_nothing_stored()
    {
        using var client = await app.As("office");
        var schemes = await app.WithDb(db => db.Schemes.CountAsync());
        var audit = await app.WithDb(db => db.AuditEntries.CountAsync());
        var bad = """
            { "kaohe": 1, "indicators": [
                { "id": "A", "name": "甲", "points": 40, "children": [
                    { "id": "A1", "name": "甲1", "points": 30, "method": { "kind": "efficacy", "satisfactory": "best" } },
                    { "id": "A1", "name": "甲2", "points": "5", "method": { "kind": "magic" } } ] } ],
              "rules": { "commend": -1 } }
            """;
        var response = await client.PostAsJsonAsync("/api/v1/schemes", new { category = "housing", period = "2023-Q2", document = JsonDocument.Parse(bad).RootElement });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        var paths = errors.EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Contains("$.indicators[0].children[0].method.unallowable", paths);
        Assert.Contains("$.indicators[0].children[1].id", paths);
        Assert.Contains("$.indicators[0].children[1].points", paths);
        Assert.Contains("$.indicators[0].children[1].method.kind", paths);
        Assert.Contains("$.rules.commend", paths);
        Assert.Equal(schemes, await app.WithDb(db => db.Schemes.CountAsync()));
        Assert.Equal(audit, await app.WithDb(db => db.AuditEntries.CountAsync()));
    }

    [Fact]
    public async Task An_active_scheme_is_never_edited_in_place_a_change_makes_a_new_version()
    {
        using var client = await app.As("office");
        // In the quarter being collected: a published quarter's scheme is no longer activated (docs/stages.md).
        var activeId = await SchemeId("divisions", Collecting);
        var doc = JsonNode.Parse(await client.GetStringAsync($"/api/v1/schemes/{activeId}"))!;
        var edit = await client.PutAsJsonAsync($"/api/v1/schemes/{activeId}/document", new { document = doc, reason = "调整" });
        Assert.Equal(HttpStatusCode.BadRequest, edit.StatusCode);

        var version = await client.PostAsync($"/api/v1/schemes/{activeId}/versions", null);
        Assert.Equal(HttpStatusCode.Created, version.StatusCode);
        var draft = await version.Content.ReadFromJsonAsync<JsonElement>();
        var draftId = draft.GetProperty("id").GetInt32();
        Assert.Equal(2, draft.GetProperty("version").GetInt32());
        doc["rules"]!["commend"] = 3;
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/v1/schemes/{draftId}/document", new { document = doc, reason = "表扬名额增至3名" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/schemes/{draftId}/activate", null)).StatusCode);

        var statuses = await app.WithDb(db => db.Schemes.Where(s => s.Category == "divisions" && s.PeriodId == Collecting)
            .OrderBy(s => s.Version).Select(s => s.Status.ToString()).ToListAsync());
        Assert.Equal(["Archived", "Active"], statuses);
        var trail = await app.WithDb(db => db.AuditEntries.Where(e => e.EntityType == "scheme" && e.EntityId == draftId.ToString()).OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync());
        Assert.Equal(["scheme.version", "scheme.edit", "scheme.activate"], trail);
    }

    [Fact]
    public async Task A_scheme_cloned_from_the_previous_period_is_a_draft_of_the_new_period()
    {
        using var client = await app.As("office");
        var response = await client.PostAsync($"/api/v1/schemes/{await SchemeId("urban")}/clone?period=2023-Q3", null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("2023-Q3", body.GetProperty("periodId").GetString());
        Assert.Equal("Draft", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_assessment_built_from_stored_facts_scores_exactly_like_the_demo_data()
    {
        foreach (var demo in DemoSchemes.Build())
        {
            var built = await app.WithDb(async db =>
            {
                using var scope = app.Factory.Services.CreateScope();
                return await new ReferenceBuilder(scope.ServiceProvider.GetRequiredService<Kaohe.Data.KaoheDbContext>()).BuildAsync("2023-Q1", demo.Code);
            });
            Assert.NotNull(built);
            var fromDb = Engine.Score(built!.Assessment);
            Assert.True(fromDb.IsValid, string.Join("\n", fromDb.Errors.Take(5)));
            // The demo's recorded 加扣分 events (Features/Adjustments) add their adjustments to the seeded Q1 data, and the
            // survey leaf's data are the tallies of the demo's survey responses (Features/Surveys/SurveysDemo, checked
            // against the responses in the Surveys tests); everything else is the demo data as built.
            var q1 = demo.Q1 with
            {
                Values = [.. demo.Q1.Values.Where(v => v.Counts is null), .. built.Assessment.Values.Where(v => v.Counts is not null)],
                Adjustments = [.. demo.Q1.Adjustments, .. Kaohe.Web.Features.Adjustments.AdjustmentsDemo.Q1Adjustments(demo.Code)],
            };
            Assert.Equal(demo.Q1.Values.Count(v => v.Counts is not null), built.Assessment.Values.Count(v => v.Counts is not null));
            var direct = Engine.Score(q1).Result!;
            foreach (var u in direct.Units)
            {
                Assert.Equal(u.Total, fromDb.Result![u.Id].Total, 9);
                Assert.Equal(u.Rank, fromDb.Result[u.Id].Rank);
                Assert.Equal(u.Commended, fromDb.Result[u.Id].Commended);
            }
        }
    }

    [Fact]
    public async Task The_results_page_ranks_each_group_and_names_the_commended_and_criticised()
    {
        using var client = await app.SignedIn("office");
        var html = await client.GetStringAsync("/Results?period=2023-Q1&category=urban");
        Assert.Contains("地市综合", html);
        Assert.Contains("政府所在区", html);
        Assert.Contains("县城", html);
        Assert.Contains("通报表扬", html);
        Assert.Contains("通报批评", html);
        var explain = await client.GetStringAsync("/Results/Explain?period=2023-Q1&category=housing&unit=zj-nyingchi&node=A1");
        Assert.Contains("功效系数法", explain);
        Assert.Contains("取自", explain);
    }
}

public sealed class SchemeTestsOnSqlite(SqliteApp app) : SchemeTests<SqliteApp>(app);

public sealed class SchemeTestsOnPostgres(PostgresApp app) : SchemeTests<PostgresApp>(app);
