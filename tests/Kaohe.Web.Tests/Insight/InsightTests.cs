using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Insight;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Insight;

/// <summary>
/// Issue 6, items 2, 3, 7, 8 on a real database: margins and robustness, what-if sandboxes,
/// practices, cause analyses opening rectification items, leader comments, and the dashboards.
/// In the demo's 2023-Q1 housing ranking 林芝 and 拉萨 are commended, 阿里 and 那曲 criticised.
/// </summary>
public abstract class InsightTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private const string Q1 = "2023-Q1";

    /// <summary>A reporter account of 那曲市住建局 (criticised in Q1); the demo has none.</summary>
    private async Task<HttpClient> Nagqu()
    {
        using (var scope = app.Factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            if (await users.FindByNameAsync("unit-zj-nagqu") is null)
            {
                var created = await users.CreateAsync(new AppUser { UserName = "unit-zj-nagqu", DisplayName = "那曲市住建局 填报员", Role = Roles.Unit, UnitId = "zj-nagqu" }, AppFixture.DemoPassword);
                Assert.True(created.Succeeded);
            }
        }
        return await app.As("unit-zj-nagqu");
    }

    private Task<(int Schemes, int Audit, int Sandboxes, int Facts, int Items)> Counts() => app.WithDb(async db =>
        (await db.Schemes.CountAsync(), await db.AuditEntries.CountAsync(), await db.Set<WhatIfSandbox>().CountAsync(), await db.Facts.CountAsync(),
         await db.RectificationItems.CountAsync()));

    private static async Task<JsonElement[]> Arr(HttpClient client, string url) =>
        await client.GetFromJsonAsync<JsonElement[]>(url) ?? throw new InvalidOperationException("no body");

    private static async Task<JsonElement> Json(HttpResponseMessage r) => await r.Content.ReadFromJsonAsync<JsonElement>();

    private static async Task<HashSet<string>> ErrorFields(HttpResponseMessage r) =>
        (await Json(r)).GetProperty("errors").EnumerateObject().Select(p => p.Name).ToHashSet();

    // ------------------------------------------------------------------ item 2: margins and robustness

    [Fact]
    public async Task The_ranking_shows_margins_to_the_next_rank_and_the_stability_of_the_commend_and_criticise_lists()
    {
        using var client = await app.As("leader-principal");
        var view = await client.GetFromJsonAsync<JsonElement>($"/api/v1/insight/rankings?period={Q1}&category=housing");
        Assert.True(view.GetProperty("hasStability").GetBoolean());
        var units = view.GetProperty("units").EnumerateArray().ToList();
        Assert.Equal(7, units.Count);
        Assert.Equal(["zj-nyingchi", "zj-lasa"], units.Where(u => u.GetProperty("commended").GetBoolean()).Select(u => u.GetProperty("id").GetString()));
        Assert.Equal(["zj-ngari", "zj-nagqu"], units.Where(u => u.GetProperty("criticized").GetBoolean()).Select(u => u.GetProperty("id").GetString()));
        Assert.Equal(JsonValueKind.Null, units[0].GetProperty("marginUp").ValueKind);
        Assert.Equal(JsonValueKind.Null, units[^1].GetProperty("marginDown").ValueKind);
        for (var i = 1; i < units.Count; i++)
        {
            // The margin up of a unit is the gap between its rounded total and the one above it.
            var gap = units[i - 1].GetProperty("roundedTotal").GetDouble() - units[i].GetProperty("roundedTotal").GetDouble();
            Assert.Equal(gap, units[i].GetProperty("marginUp").GetDouble(), 6);
            Assert.Equal(gap, units[i - 1].GetProperty("marginDown").GetDouble(), 6);
        }
        foreach (var u in units)
        {
            Assert.InRange(u.GetProperty("commendStability").GetDouble(), 0, 1);
            Assert.InRange(u.GetProperty("criticizeStability").GetDouble(), 0, 1);
            Assert.True(u.GetProperty("rankMin").GetInt32() <= u.GetProperty("rank").GetInt32());
            Assert.True(u.GetProperty("rankMax").GetInt32() >= u.GetProperty("rank").GetInt32());
        }
        // 林芝 leads by several points: no ±10% perturbation takes its commendation away.
        Assert.Equal(1.0, units[0].GetProperty("commendStability").GetDouble());

        using var page = await app.SignedIn("viewer");
        var html = await page.GetStringAsync($"/Insight/Ranking?period={Q1}&category=housing");
        Assert.Contains("林芝市住房和城乡建设局", html);
        Assert.Contains("稳定性", html);
        // The page shows the leader's margin to the second, as the API computed it.
        Assert.Contains(units[0].GetProperty("marginDown").GetDouble().ToString("F2", System.Globalization.CultureInfo.InvariantCulture), html);
    }

    [Fact]
    public async Task The_office_sets_the_bounds_and_close_calls_at_the_cut_are_flagged_others_may_not()
    {
        using var leader = await app.As("leader-principal");
        var refused = await leader.PutAsJsonAsync($"/api/v1/insight/robustness/{Q1}", new { closeCallPoints = 2.0 });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        using var office = await app.As("office");
        var bad = await office.PutAsJsonAsync($"/api/v1/insight/robustness/{Q1}", new { weightShare = 0.9, samples = 100000 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Superset(new HashSet<string> { "weightShare", "samples" }, await ErrorFields(bad));

        // 昌都 (76.84) and 阿里 (74.87) are 1.97 points apart across the criticise cut.
        var ok = await office.PutAsJsonAsync($"/api/v1/insight/robustness/{Q1}", new { weightShare = 0.05, raterShare = 0.05, samples = 60, seed = 7, closeCallPoints = 2.0 });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.True(await app.WithDb(db => db.AuditEntries.AnyAsync(e => e.Action == "robustness.bounds" && e.EntityId == Q1)));
        var view = await office.GetFromJsonAsync<JsonElement>($"/api/v1/insight/rankings?period={Q1}&category=housing");
        Assert.Equal(60, view.GetProperty("bounds").GetProperty("samples").GetInt32());
        var close = view.GetProperty("units").EnumerateArray().Where(u => u.GetProperty("closeCall").GetBoolean()).Select(u => u.GetProperty("id").GetString()).Order();
        Assert.Equal(["zj-ngari", "zj-qamdo"], close);
        using var page = await app.SignedIn("office");
        Assert.Contains("close-call", await page.GetStringAsync($"/Insight/Ranking?period={Q1}&category=housing"));

        using var unit = await app.As("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.Forbidden, (await unit.GetAsync($"/api/v1/insight/rankings?period={Q1}&category=housing")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await office.GetAsync($"/api/v1/insight/rankings?period={Q1}&category=nope")).StatusCode);
    }

    // ------------------------------------------------------------------ item 3: what-if

    private static readonly string[] Aspects = ["A", "B", "C", "D", "E"];

    /// <summary>Only one aspect of the housing scheme counts: the others get no weight.</summary>
    private static object Only(string aspect) =>
        new { points = Aspects.Where(a => a != aspect).ToDictionary(a => a, _ => 0.0) };

    /// <summary>Previews "only this aspect counts" for each aspect; returns the first that moves a rank, with its rows.</summary>
    private static async Task<(string Aspect, List<JsonElement> Rows)> AspectThatMovesRanks(HttpClient office)
    {
        foreach (var aspect in Aspects)
        {
            var response = await office.PostAsJsonAsync("/api/v1/insight/whatif/preview", new { period = Q1, category = "housing", changes = Only(aspect) });
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var rows = (await Json(response)).GetProperty("rows").EnumerateArray().ToList();
            if (rows.Any(r => r.GetProperty("movement").GetInt32() != 0)) return (aspect, rows);
        }
        throw new Xunit.Sdk.XunitException("no single-aspect weighting moves any rank");
    }

    [Fact]
    public async Task A_weight_change_in_a_preview_changes_the_sandbox_ranking_and_writes_nothing()
    {
        using var office = await app.As("office");
        var before = await Counts();
        var activeDocument = await app.WithDb(db => db.Schemes.Where(s => s.Category == "housing" && s.PeriodId == Q1 && s.Status == SchemeStatus.Active).Select(s => s.Document).SingleAsync());
        var (_, rows) = await AspectThatMovesRanks(office);
        Assert.Equal(7, rows.Count);
        Assert.All(rows, r => Assert.NotEqual(r.GetProperty("beforeTotal").GetDouble(), r.GetProperty("afterTotal").GetDouble()));
        Assert.Contains(rows, r => r.GetProperty("movement").GetInt32() != 0);
        // The after ranks follow the after totals.
        var byAfter = rows.OrderByDescending(r => r.GetProperty("afterTotal").GetDouble()).Select(r => r.GetProperty("afterRank").GetInt32()).ToList();
        Assert.Equal(byAfter.Order(), byAfter);

        Assert.Equal(before, await Counts());
        Assert.Equal(activeDocument, await app.WithDb(db => db.Schemes.Where(s => s.Category == "housing" && s.PeriodId == Q1 && s.Status == SchemeStatus.Active).Select(s => s.Document).SingleAsync()));

        var bad = await office.PostAsJsonAsync("/api/v1/insight/whatif/preview", new { period = Q1, category = "housing", changes = new { points = new Dictionary<string, double> { ["ZZ"] = 3, ["A1"] = -1 } } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Superset(new HashSet<string> { "$.points.ZZ", "$.points.A1" }, await ErrorFields(bad));
        using var leader = await app.As("leader-principal");
        Assert.Equal(HttpStatusCode.Forbidden, (await leader.PostAsJsonAsync("/api/v1/insight/whatif/preview", new { period = Q1, category = "housing" })).StatusCode);
        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task A_sandbox_is_stored_apart_and_saving_it_creates_a_new_draft_scheme_version_audited()
    {
        using var office = await app.As("office");
        var (aspect, _) = await AspectThatMovesRanks(office);
        var created = await office.PostAsJsonAsync("/api/v1/insight/whatif", new { period = Q1, category = "housing", name = "只看一个方面" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await Json(created)).GetProperty("id").GetInt64();
        var before = await Counts();

        var edited = await office.PutAsJsonAsync($"/api/v1/insight/whatif/{id}", new { changes = Only(aspect) });
        Assert.True(edited.StatusCode == HttpStatusCode.OK, await edited.Content.ReadAsStringAsync());
        var detail = await Json(edited);
        Assert.Contains(detail.GetProperty("comparison").GetProperty("rows").EnumerateArray(), r => r.GetProperty("movement").GetInt32() != 0);
        var points = detail.GetProperty("document").GetProperty("indicators").EnumerateArray().ToDictionary(n => n.GetProperty("id").GetString()!, n => n.GetProperty("points").GetDouble());
        Assert.Equal(100, points[aspect], 9);
        Assert.All(Aspects.Where(a => a != aspect), a => Assert.Equal(0, points[a]));
        var after = await Counts();
        Assert.Equal(before.Schemes, after.Schemes);
        Assert.Equal(before.Audit + 1, after.Audit); // the sandbox's own edit, nothing else
        Assert.True(await app.WithDb(db => db.AuditEntries.AnyAsync(e => e.Action == "whatif.edit" && e.EntityId == id.ToString())));

        var saved = await office.PostAsync($"/api/v1/insight/whatif/{id}/save-as-version", null);
        Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
        var scheme = await Json(saved);
        Assert.Equal("Draft", scheme.GetProperty("status").GetString());
        var schemeId = scheme.GetProperty("id").GetInt32();
        var (document, active, sandboxDoc, savedAs) = await app.WithDb(async db => (
            await db.Schemes.Where(s => s.Id == schemeId).Select(s => s.Document).SingleAsync(),
            await db.Schemes.CountAsync(s => s.Category == "housing" && s.PeriodId == Q1 && s.Status == SchemeStatus.Active),
            await db.Set<WhatIfSandbox>().Where(s => s.Id == id).Select(s => s.Document).SingleAsync(),
            await db.Set<WhatIfSandbox>().Where(s => s.Id == id).Select(s => s.SavedAsSchemeId).SingleAsync()));
        Assert.Equal(sandboxDoc, document);
        Assert.Equal(1, active);
        Assert.Equal(schemeId, savedAs);
        var actions = await app.WithDb(db => db.AuditEntries.Where(e => e.Sequence > after.Audit).OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync());
        Assert.Equal(["scheme.version", "scheme.edit", "whatif.save-as-version"], actions);
        Assert.Equal(before.Schemes + 1, (await Counts()).Schemes);
        // The live ranking is untouched until the office activates the new version.
        var live = await office.GetFromJsonAsync<JsonElement>($"/api/v1/insight/rankings?period={Q1}&category=housing&stability=false");
        Assert.NotEqual(schemeId, live.GetProperty("schemeId").GetInt32());

        using var leader = await app.As("leader-principal");
        Assert.Equal(HttpStatusCode.Forbidden, (await leader.PostAsync($"/api/v1/insight/whatif/{id}/save-as-version", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await office.PutAsJsonAsync("/api/v1/insight/whatif/999999", new { changes = Only("A") })).StatusCode);

        using var page = await app.SignedIn("office");
        var html = await page.GetStringAsync($"/Insight/WhatIf/Edit/{id}");
        Assert.Contains("只看一个方面", html);
        Assert.Contains("调整后", html);
    }

    // ------------------------------------------------------------------ item 7: practices, cause analyses, comments

    [Fact]
    public async Task Only_a_commended_unit_submits_practices_the_office_curates_them_and_every_unit_finds_them()
    {
        using var nyingchi = await app.As("unit-zj-nyingchi");
        var submitted = await nyingchi.PostAsJsonAsync("/api/v1/insight/practices", new { period = Q1, title = "测试：委托第三方开展消防审查验收", body = "委托第三方服务机构开展消防审查验收，缩短办理时限。" });
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        var id = (await Json(submitted)).GetProperty("id").GetInt64();

        using var nagqu = await Nagqu();
        var refused = await nagqu.PostAsJsonAsync("/api/v1/insight/practices", new { period = Q1, title = "测试", body = "不应保存" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using var office = await app.As("office");
        Assert.Equal(HttpStatusCode.Forbidden, (await office.PostAsJsonAsync("/api/v1/insight/practices", new { period = Q1, title = "测试", body = "x" })).StatusCode);
        var missing = await nyingchi.PostAsJsonAsync("/api/v1/insight/practices", new { period = Q1, title = "", body = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("title", await ErrorFields(missing));

        // Not in the library until curated: another unit does not see it, the author does.
        using var lasa = await app.As("unit-zj-lasa");
        Assert.DoesNotContain(await Arr(lasa, "/api/v1/insight/practices?q=消防审查验收"), p => p.GetProperty("id").GetInt64() == id);
        Assert.Contains(await Arr(nyingchi, "/api/v1/insight/practices?q=消防审查验收"), p => p.GetProperty("id").GetInt64() == id);

        using var leader = await app.As("leader-incharge");
        Assert.Equal(HttpStatusCode.Forbidden, (await leader.PostAsJsonAsync($"/api/v1/insight/practices/{id}/curate", new { accept = true })).StatusCode);
        var noReason = await office.PostAsJsonAsync($"/api/v1/insight/practices/{id}/curate", new { accept = false });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Contains("note", await ErrorFields(noReason));
        var curated = await office.PostAsJsonAsync($"/api/v1/insight/practices/{id}/curate", new { accept = true, tags = "消防,审批提速" });
        Assert.Equal(HttpStatusCode.OK, curated.StatusCode);
        Assert.Equal("Curated", (await Json(curated)).GetProperty("status").GetString());

        using var cgLasa = await app.As("unit-cg-lasa");
        var found = await Arr(cgLasa, "/api/v1/insight/practices?q=审批提速");
        Assert.Contains(found, p => p.GetProperty("id").GetInt64() == id && p.GetProperty("unitId").GetString() == "zj-nyingchi");
        Assert.DoesNotContain(await Arr(cgLasa, "/api/v1/insight/practices?q=不存在的词语"), p => p.GetProperty("id").GetInt64() == id);

        using (var scope = app.Factory.Services.CreateScope())
        {
            var bulletin = await scope.ServiceProvider.GetRequiredService<PracticeLibrary>().ForBulletin(Q1);
            Assert.Contains(bulletin, p => p.Id == id);
            Assert.All(bulletin, p => Assert.Equal("Curated", p.Status));
        }
        Assert.True(await app.WithDb(db => db.AuditEntries.AnyAsync(e => e.Action == "practice.curate" && e.EntityId == id.ToString())));

        using var page = await app.SignedIn("unit-cg-lasa");
        var html = await page.GetStringAsync("/Insight/Practices?q=审批提速");
        Assert.Contains("测试：委托第三方开展消防审查验收", html);
    }

    [Fact]
    public async Task A_criticised_unit_analyses_its_causes_and_each_commitment_opens_a_rectification_item()
    {
        using var lasa = await app.As("unit-zj-lasa");
        var body = new
        {
            period = Q1,
            causes = "重点项目前期手续办理滞后，开复工调度不到位。",
            commitments = new object[]
            {
                new { problem = "重点项目未及时开复工", responsiblePerson = "次旺 副局长", deadline = "2023-06-30", indicatorId = "A5" },
                new { problem = "信访举报按期办结率偏低", responsiblePerson = "张三 科长", deadline = "2023-07-31" },
            },
        };
        Assert.Equal(HttpStatusCode.Forbidden, (await lasa.PostAsJsonAsync("/api/v1/insight/cause-analyses", body)).StatusCode);

        using var nagqu = await Nagqu();
        var before = await Counts();
        var invalid = await nagqu.PostAsJsonAsync("/api/v1/insight/cause-analyses", new
        {
            period = Q1, causes = "原因", commitments = new object[] { new { problem = "问题", responsiblePerson = "某人", deadline = "2023-03-01" }, new { problem = "问题二" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(new HashSet<string> { "commitments[0].deadline", "commitments[1].responsiblePerson", "commitments[1].deadline" }, await ErrorFields(invalid));
        Assert.Equal(before, await Counts());

        var ok = await nagqu.PostAsJsonAsync("/api/v1/insight/cause-analyses", body);
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        var analysis = await Json(ok);
        Assert.Equal(2, analysis.GetProperty("items").GetArrayLength());
        var items = await app.WithDb(db => db.RectificationItems.AsNoTracking().Where(i => i.SourceKind == "criticism" && i.UnitId == "zj-nagqu").OrderBy(i => i.Id).ToListAsync());
        Assert.Equal(2, items.Count);
        Assert.Equal("重点项目未及时开复工", items[0].Problem);
        Assert.Equal("次旺 副局长", items[0].ResponsiblePerson);
        Assert.Equal(new DateOnly(2023, 6, 30), items[0].Deadline);
        Assert.Equal("A5", items[0].IndicatorId);
        Assert.All(items, i => Assert.Equal(Kaohe.Data.ItemStatus.Open, i.Status));
        Assert.All(items, i => Assert.StartsWith($"cause-analysis:{Q1}:zj-nagqu#", i.SourceRef));
        Assert.Equal(2, await app.WithDb(db => db.AuditEntries.CountAsync(e => e.Action == "rectification.open" && e.Sequence > before.Audit)));

        Assert.Equal(HttpStatusCode.Conflict, (await nagqu.PostAsJsonAsync("/api/v1/insight/cause-analyses", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await lasa.GetAsync("/api/v1/insight/cause-analyses?unit=zj-nagqu")).StatusCode);
        Assert.DoesNotContain(await Arr(lasa, $"/api/v1/insight/cause-analyses?period={Q1}"), a => a.GetProperty("unitId").GetString() == "zj-nagqu");
        using var office = await app.As("office");
        Assert.Contains(await Arr(office, $"/api/v1/insight/cause-analyses?period={Q1}"), a => a.GetProperty("unitId").GetString() == "zj-nagqu");
    }

    [Fact]
    public async Task Only_the_leaders_comment_and_a_unit_sees_the_comments_on_itself_only()
    {
        const string text = "测试点评：投资完成好，安全生产仍需加强。";
        using var leader = await app.As("leader-incharge");
        var ok = await leader.PostAsJsonAsync("/api/v1/insight/comments", new { period = Q1, unit = "zj-lasa", text });
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        Assert.Equal("in-charge", (await Json(ok)).GetProperty("rater").GetString());
        foreach (var who in new[] { "office", "division-scc", "viewer", "unit-zj-lasa" })
        {
            using var other = await app.As(who);
            Assert.Equal(HttpStatusCode.Forbidden, (await other.PostAsJsonAsync("/api/v1/insight/comments", new { period = Q1, unit = "zj-lasa", text = "不应保存" })).StatusCode);
        }
        var bad = await leader.PostAsJsonAsync("/api/v1/insight/comments", new { period = Q1, unit = "nowhere", text = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("unit", await ErrorFields(bad));
        Assert.Equal(0, await app.WithDb(db => db.Set<LeaderComment>().CountAsync(c => c.Text == "不应保存")));

        using var lasa = await app.As("unit-zj-lasa");
        Assert.Contains(await Arr(lasa, "/api/v1/insight/comments"), c => c.GetProperty("text").GetString() == text);
        Assert.Equal(HttpStatusCode.Forbidden, (await lasa.GetAsync("/api/v1/insight/comments?unit=zj-nyingchi")).StatusCode);
        using var nyingchi = await app.As("unit-zj-nyingchi");
        Assert.DoesNotContain(await Arr(nyingchi, "/api/v1/insight/comments"), c => c.GetProperty("text").GetString() == text);
        Assert.True(await app.WithDb(db => db.AuditEntries.AnyAsync(e => e.Action == "comment.add")));

        using var page = await app.SignedIn("unit-zj-lasa");
        Assert.Contains(text, await page.GetStringAsync("/Insight/Accountability"));
    }

    // ------------------------------------------------------------------ item 8: dashboards

    [Fact]
    public async Task The_dashboard_data_is_computed_from_the_facts_and_only_leaders_and_the_office_see_it()
    {
        using var leader = await app.As("leader-principal");
        var d = await leader.GetFromJsonAsync<JsonElement>($"/api/v1/insight/dashboard?period={Q1}&category=urban");
        Assert.Equal(["县城", "地市综合", "政府所在区"], d.GetProperty("rankings").EnumerateArray().Select(g => g.GetProperty("group").GetString()).Order());
        var heat = d.GetProperty("heatmap");
        Assert.Equal(21, heat.GetProperty("units").GetArrayLength());
        Assert.Equal(40, heat.GetProperty("indicators").GetArrayLength());
        Assert.Equal(21 * 40, heat.GetProperty("cells").GetArrayLength());
        Assert.Contains(d.GetProperty("trend").GetProperty("periods").EnumerateArray(), p => p.GetString() == Q1);
        var deductions = d.GetProperty("deductions").EnumerateArray().ToList();
        Assert.NotEmpty(deductions);
        Assert.All(deductions, a => Assert.True(a.GetProperty("pointsLost").GetDouble() >= 0));
        var investment = d.GetProperty("investment");
        Assert.Equal("measures", investment.GetProperty("source").GetString());
        Assert.Equal(23.27m, investment.GetProperty("completedYi").GetDecimal());  // the seed: 23.27亿元
        Assert.Equal(1.28, investment.GetProperty("planShare").GetDouble(), 2);   // the seed: 128% of plan
        Assert.Equal(1.89, investment.GetProperty("growth").GetDouble(), 2);      // the seed: +189%
        Assert.Equal(7, investment.GetProperty("units").GetArrayLength());
        Assert.Contains(d.GetProperty("outcomes").EnumerateArray(), o => o.GetProperty("unit").GetString() == "zj-nyingchi" && o.GetProperty("commended").GetBoolean());
        Assert.NotEmpty(d.GetProperty("cuts").EnumerateArray());

        foreach (var who in new[] { "unit-zj-lasa", "viewer", "assessor1" })
        {
            using var other = await app.As(who);
            Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync($"/api/v1/insight/dashboard?period={Q1}")).StatusCode);
        }
        using var page = await app.SignedIn("leader-principal");
        var html = await page.GetStringAsync($"/Insight/Overview?period={Q1}");
        Assert.Contains("data-chart=\"ranking\"", html);
        Assert.Contains("data-chart=\"heatmap\"", html);
        Assert.Contains("/lib/echarts/echarts.min.js", html);
        Assert.Contains("<table", html);
        using var unitPage = await app.SignedIn("unit-zj-lasa");
        var denied = await unitPage.GetAsync("/Insight/Overview");
        Assert.NotEqual(HttpStatusCode.OK, denied.StatusCode);
    }

    [Fact]
    public async Task The_demo_has_a_saved_sandbox_practices_of_Nyingchi_a_cause_analysis_and_leader_comments()
    {
        var (sandboxes, practices, analyses, comments) = await app.WithDb(async db => (
            await db.Set<WhatIfSandbox>().Where(s => s.CreatedBy == "demo").ToListAsync(),
            await db.Set<Practice>().Where(p => p.UnitId == "zj-nyingchi" && p.Status == PracticeStatus.Curated).ToListAsync(),
            await db.Set<CauseAnalysis>().Where(a => a.UnitId == "zj-ngari").ToListAsync(),
            await db.Set<LeaderComment>().CountAsync()));
        Assert.NotEmpty(sandboxes);
        Assert.All(sandboxes, s => Assert.Null(s.SavedAsSchemeId));
        Assert.Contains(practices, p => p.Title.Contains("柔性引进人才"));
        Assert.Contains(practices, p => p.Title.Contains("住房公积金"));
        Assert.Single(analyses);
        Assert.True(await app.WithDb(db => db.RectificationItems.AnyAsync(i => i.SourceKind == "criticism" && i.UnitId == "zj-ngari")));
        Assert.True(comments >= 2);
    }

    [Fact]
    public async Task The_investment_headline_follows_one_bureaus_completed_investment_in_a_collecting_quarter()
    {
        const string period = "2023-Q4";
        using var office = await app.As("office");
        async Task<(decimal Yi, double Plan, double Growth)> Headline()
        {
            var d = await office.GetFromJsonAsync<JsonElement>($"/api/v1/insight/dashboard?period={period}&category=housing");
            var i = d.GetProperty("investment");
            Assert.Equal("measures", i.GetProperty("source").GetString());
            return (i.GetProperty("completedYi").GetDecimal(), i.GetProperty("planShare").GetDouble(), i.GetProperty("growth").GetDouble());
        }
        // The region's figures as stored: the latest counted figure of each bureau and measure.
        Task<Dictionary<string, double>> Totals() => app.WithDb(async db =>
            (await db.Facts.AsNoTracking().Where(f => f.PeriodId == period && f.Kind == FactKind.Measure
                    && (f.Status == FactStatus.Submitted || f.Status == FactStatus.Verified)).OrderBy(f => f.Id).ToListAsync())
                .GroupBy(f => (f.UnitId, f.IndicatorId)).Select(g => (g.Key.IndicatorId!, Kaohe.Data.FactPayload.Parse(g.Last().Payload).Value!.Value))
                .GroupBy(x => x.Item1).ToDictionary(g => g.Key, g => g.Sum(x => x.Item2)));
        var before = await Headline();
        var t = await Totals();
        Assert.Equal((decimal)t["inv"] / 10_000m, before.Yi);

        // 林芝 reports 50,000 万元 more: the amount rises by 5亿元, and share of plan and growth follow the new total.
        await app.WithDb(async db =>
        {
            var counted = await db.Facts.Where(f => f.PeriodId == period && f.UnitId == "zj-nyingchi" && f.IndicatorId == "inv" && f.Kind == FactKind.Measure)
                .OrderByDescending(f => f.Id).FirstAsync();
            var old = Kaohe.Data.FactPayload.Parse(counted.Payload).Value!.Value;
            counted.SetStatus(FactStatus.Returned, "测试：更正完成投资");
            db.Facts.Add(new Fact(period, "zj-nyingchi", "inv", FactKind.Measure, new Kaohe.Data.FactPayload(Value: old + 50_000).ToJson(),
                FactSources.Report, "unit-zj-nyingchi", DateTimeOffset.UtcNow, FactStatus.Submitted));
            return await db.SaveChangesAsync();
        });
        var after = await Headline();
        Assert.Equal(before.Yi + 5m, after.Yi);
        Assert.Equal((t["inv"] + 50_000) / t["plan"], after.Plan, 12);
        Assert.Equal((t["inv"] + 50_000) / t["inv_ly"] - 1, after.Growth, 12);
        Assert.True(after.Plan > before.Plan && after.Growth > before.Growth);
    }

    [Fact]
    public async Task The_home_page_shows_the_headline_of_the_latest_published_quarter_computed_from_its_measures()
    {
        using var page = await app.SignedIn("viewer");
        var html = WebUtility.HtmlDecode(await page.GetStringAsync("/"));
        Assert.Contains("23.27亿元", html);
        Assert.Contains("128%", html);
        Assert.Contains("+189%", html);
        Assert.Contains("2023年第一季度", html);
    }
}

public sealed class InsightTestsOnSqlite(SqliteApp app) : InsightTests<SqliteApp>(app);

public sealed class InsightTestsOnPostgres(PostgresApp app) : InsightTests<PostgresApp>(app);
