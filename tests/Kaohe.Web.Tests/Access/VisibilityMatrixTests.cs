using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Kaohe.Web.Tests.Access;

/// <summary>
/// Who sees which numbers when (docs/visibility.md, "Results"), walked as a matrix: every results route
/// × every role × a category with and without a leader-rated leaf × every stage of a period. The
/// expectation is written here from the rules, not read from the code:
/// <list type="bullet">
/// <item>published results are open to everyone signed in; explanations of them as of drafts;</item>
/// <item>the office and viewers see every draft;</item>
/// <item>a leader sees nothing of a category with a leaf leaders rate until the office closes scoring;</item>
/// <item>a division sees draft rankings, and explanations only of the pairs assigned to it (and of its own unit from review on);</item>
/// <item>a unit sees its own draft row and explanations from the review window on;</item>
/// <item>an assessor sees no results.</item>
/// </list>
/// In the demo 2023-Q1 is published, 2023-Q2 in review, 2023-Q4 collecting; this fixture closes scoring of 2023-Q3.
/// Housing has no leader-rated leaf; divisions has P3 (厅领导班子总体评价, principal and in-charge 50% each).
/// </summary>
public abstract class VisibilityMatrixTests<TApp>(TApp app, ITestOutputHelper output) : IClassFixture<TApp> where TApp : AppFixture
{
    private enum Stage { Published, Review, ScoringClosed, Collecting }

    private static readonly (Stage Stage, string Period)[] Stages =
        [(Stage.Published, "2023-Q1"), (Stage.Review, "2023-Q2"), (Stage.ScoringClosed, "2023-Q3"), (Stage.Collecting, "2023-Q4")];

    /// <summary>(account, role, own unit) — the unit's own unit is assessed in housing; the division's in divisions.</summary>
    private static readonly (string Account, string Role, string? Unit)[] People =
    [
        ("office", Roles.Office, null), ("viewer", Roles.Viewer, null), ("leader-principal", Roles.Leader, null),
        ("division-scc", Roles.Division, "scc"), ("unit-zj-lasa", Roles.Unit, "zj-lasa"), ("assessor1", Roles.Assessor, null),
    ];

    private static readonly (string Category, bool LeaderRated, string Unit, string OtherUnit, string Node)[] Categories =
    [
        ("housing", false, "zj-lasa", "zj-nyingchi", "A1"),
        ("divisions", true, "scc", "bgs", "P3"),
    ];

    private static bool SeesRanking(string role, Stage stage, bool leaderRated) => role switch
    {
        Roles.Office or Roles.Viewer or Roles.Division => true,
        Roles.Leader => !(leaderRated && stage == Stage.Collecting),
        _ => stage == Stage.Published,
    };

    /// <summary>Draft rows this person gets: null = refused (403); "all", "own" or "none".</summary>
    private static string? DraftRows(string role, Stage stage, bool leaderRated, bool ownCategory) => role switch
    {
        Roles.Office or Roles.Viewer or Roles.Division => "all",
        Roles.Leader => leaderRated && stage == Stage.Collecting ? null : "all",
        Roles.Unit => stage switch { Stage.Published => "all", Stage.Review => ownCategory ? "own" : "none", _ => null },
        _ => stage == Stage.Published ? "all" : null,
    };

    private static bool MayExplain(string role, string? own, Stage stage, bool leaderRated, string unit, string node, HashSet<(string, string)> assigned) => role switch
    {
        Roles.Office or Roles.Viewer => true,
        Roles.Leader => !(leaderRated && stage == Stage.Collecting),
        Roles.Division => assigned.Contains((unit, node)) || (own == unit && stage is Stage.Review or Stage.Published),
        Roles.Unit => own == unit && stage is Stage.Review or Stage.Published,
        _ => false,
    };

    private static async Task<JsonElement?> Body(HttpResponseMessage r) =>
        r.Content.Headers.ContentType?.MediaType?.Contains("json") == true ? await r.Content.ReadFromJsonAsync<JsonElement>() : null;

    [Fact]
    public async Task Every_results_route_shows_each_role_what_the_rules_allow_at_each_stage()
    {
        using (var office = await app.As("office"))
        {
            var close = await office.PostAsync("/api/v1/collection/2023-Q3/close-scoring", null);
            Assert.True(close.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.Conflict, $"{close.StatusCode}");
        }
        var checks = 0;
        var failures = new List<string>();
        void Check(bool ok, string what)
        {
            checks++;
            if (!ok) failures.Add(what);
        }
        foreach (var (account, role, own) in People)
        {
            using var client = await app.As(account);
            foreach (var (stage, period) in Stages)
            {
                var assigned = (await app.WithDb(db => db.Assignments.AsNoTracking()
                    .Where(a => a.PeriodId == period && a.Kind == AssignmentKind.Division && a.Assignee == own).Select(a => new { a.UnitId, a.IndicatorId }).ToListAsync()))
                    .Select(a => (a.UnitId, a.IndicatorId)).ToHashSet();
                foreach (var (category, leaderRated, unit, other, node) in Categories)
                {
                    var at = $"{account} {period} ({stage}) {category}";

                    // The ranking: its API (for the roles it admits), its page, the ranking analysis and the live events.
                    var ranking = await client.GetAsync($"/api/v1/results/{period}/{category}");
                    var admitted = role is Roles.Office or Roles.Viewer or Roles.Leader or Roles.Division;
                    var sees = SeesRanking(role, stage, leaderRated) && admitted;
                    Check(ranking.StatusCode == (sees ? HttpStatusCode.OK : HttpStatusCode.Forbidden), $"{at}: ranking API {(int)ranking.StatusCode}");
                    if (ranking.StatusCode == HttpStatusCode.OK)
                        Check((await Body(ranking))!.Value.GetProperty("units").GetArrayLength() > 0, $"{at}: ranking API has no rows");
                    var insight = await client.GetAsync($"/api/v1/insight/rankings?period={period}&category={category}&stability=false");
                    Check(insight.StatusCode == (sees ? HttpStatusCode.OK : HttpStatusCode.Forbidden), $"{at}: insight rankings {(int)insight.StatusCode}");
                    using (var events = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/results/{period}/{category}/events"))
                    {
                        using var stream = await client.SendAsync(events, HttpCompletionOption.ResponseHeadersRead);
                        Check(stream.StatusCode == (sees ? HttpStatusCode.OK : HttpStatusCode.Forbidden), $"{at}: events {(int)stream.StatusCode}");
                    }

                    // The draft API, open to everyone signed in, narrowed by the rules.
                    var rows = DraftRows(role, stage, leaderRated, ownCategory: own == unit);
                    var draft = await client.GetAsync($"/api/v1/periods/{period}/categories/{category}/draft");
                    if (rows is null) Check(draft.StatusCode == HttpStatusCode.Forbidden, $"{at}: draft {(int)draft.StatusCode}, expected 403");
                    else
                    {
                        Check(draft.StatusCode == HttpStatusCode.OK, $"{at}: draft {(int)draft.StatusCode}, expected 200");
                        if (draft.StatusCode == HttpStatusCode.OK)
                        {
                            var ids = (await Body(draft))!.Value.EnumerateArray().Select(u => u.GetProperty("unit").GetString()).ToList();
                            Check(rows switch { "all" => ids.Count > 1, "own" => ids.SequenceEqual([own]), _ => ids.Count == 0 }, $"{at}: draft rows [{string.Join(",", ids)}], expected {rows}");
                        }
                    }

                    // Explanations of a total and a node, of the person's own unit and of another: API and page (a refusal is a 404, like a miss).
                    foreach (var (target, n) in new[] { (unit, (string?)null), (unit, node), (other, node) })
                    {
                        var may = role != Roles.Assessor && MayExplain(role, own, stage, leaderRated, target, n ?? "", assigned);
                        var url = $"/api/v1/results/{period}/{category}/units/{target}/explain" + (n is null ? "" : $"?node={n}");
                        var explain = await client.GetAsync(url);
                        var expected = may ? HttpStatusCode.OK : role == Roles.Assessor ? HttpStatusCode.Forbidden : HttpStatusCode.NotFound;
                        Check(explain.StatusCode == expected, $"{at}: explain {target} {n ?? "total"} {(int)explain.StatusCode}, expected {(int)expected}");
                    }
                }
            }
        }
        output.WriteLine($"{checks} checks, {failures.Count} failed");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task A_leader_cannot_derive_another_leaders_rating_before_scoring_closes()
    {
        // The issue's reproduction: with 2023-Q4 scoring open, the principal leader read the in-charge
        // leader's rating in the explanation of P3 and could derive it from the dashboard's heat map.
        using var leader = await app.As("leader-principal");
        Assert.Equal(HttpStatusCode.NotFound, (await leader.GetAsync("/api/v1/results/2023-Q4/divisions/units/bgs/explain?node=P3")).StatusCode);
        using var page = await app.SignedIn("leader-principal");
        Assert.Equal(HttpStatusCode.NotFound, (await page.GetAsync("/Results/Explain?period=2023-Q4&category=divisions&unit=bgs&node=P3")).StatusCode);
        var dashboard = await leader.GetFromJsonAsync<JsonElement>("/api/v1/insight/dashboard?period=2023-Q4&category=divisions");
        Assert.Equal(JsonValueKind.Null, dashboard.GetProperty("heatmap").ValueKind);
        Assert.Empty(dashboard.GetProperty("rankings").EnumerateArray());
        Assert.Empty(dashboard.GetProperty("trend").GetProperty("series").EnumerateArray());
        Assert.DoesNotContain(dashboard.GetProperty("outcomes").EnumerateArray(), o => o.GetProperty("category").GetString() is "divisions" or "affiliated");
        Assert.False(string.IsNullOrEmpty(dashboard.GetProperty("hidden").GetString()));
        var html = await page.GetStringAsync("/Results?period=2023-Q4&category=divisions");
        Assert.Contains("评分截止前不显示含厅领导评价的考核结果", html);
        Assert.DoesNotContain("results-table", html);
        var workbook = await leader.GetAsync("/api/v1/periods/2023-Q4/scores.xlsx");
        Assert.Equal(HttpStatusCode.OK, workbook.StatusCode);
        using (var ms = new MemoryStream(await workbook.Content.ReadAsByteArrayAsync()))
            Assert.DoesNotContain("机关处室", MiniExcelLibs.MiniExcel.GetSheetNames(ms));
        // Housing has no leader-rated leaf: the leader sees it as it is computed.
        Assert.Equal(HttpStatusCode.OK, (await leader.GetAsync("/api/v1/results/2023-Q4/housing/units/zj-lasa/explain")).StatusCode);
    }

    [Fact]
    public async Task A_division_reads_explanations_only_of_what_is_assigned_to_it()
    {
        using var division = await app.As("division-scc");
        Assert.Equal(HttpStatusCode.NotFound, (await division.GetAsync("/api/v1/results/2023-Q4/urban/units/cg-lasa/explain?node=U1.1")).StatusCode);
        var pair = await app.WithDb(db => db.Assignments.AsNoTracking()
            .Where(a => a.PeriodId == "2023-Q4" && a.Kind == AssignmentKind.Division && a.Assignee == "scc").OrderBy(a => a.Id).FirstAsync());
        var category = await app.WithDb(async db => (await db.Units.SingleAsync(u => u.Id == pair.UnitId)).Kind) switch
        {
            UnitKind.HousingBureau => "housing",
            UnitKind.UrbanManagementBureau => "urban",
            UnitKind.AffiliatedUnit => "affiliated",
            _ => "divisions",
        };
        var explain = await division.GetFromJsonAsync<JsonElement>($"/api/v1/results/2023-Q4/{category}/units/{pair.UnitId}/explain?node={pair.IndicatorId}");
        // Its facts are the assigned pair's only.
        Assert.All(explain.GetProperty("facts").EnumerateArray(), f => Assert.NotEqual("Veto", f.GetProperty("kind").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await division.GetAsync($"/api/v1/results/2023-Q4/{category}/units/{pair.UnitId}/explain")).StatusCode);
    }

    [Fact]
    public async Task A_unit_sees_its_draft_only_from_the_review_window()
    {
        using var unit = await app.As("unit-zj-lasa");
        var collecting = await unit.GetAsync("/api/v1/periods/2023-Q4/categories/housing/draft");
        Assert.Equal(HttpStatusCode.Forbidden, collecting.StatusCode);
        Assert.Contains("申诉复核期", await collecting.Content.ReadAsStringAsync());
        var review = await unit.GetFromJsonAsync<JsonElement>("/api/v1/periods/2023-Q2/categories/housing/draft");
        Assert.Equal(["zj-lasa"], review.EnumerateArray().Select(u => u.GetProperty("unit").GetString()));
    }
}

public sealed class VisibilityMatrixTestsOnSqlite(SqliteApp app, ITestOutputHelper output) : VisibilityMatrixTests<SqliteApp>(app, output);

public sealed class VisibilityMatrixTestsOnPostgres(PostgresApp app, ITestOutputHelper output) : VisibilityMatrixTests<PostgresApp>(app, output);
