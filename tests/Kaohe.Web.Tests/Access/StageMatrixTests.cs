using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kaohe.Data;
using Kaohe.Web.Features.Collection;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Inspections;
using Kaohe.Web.Features.Surveys;
using Kaohe.Web.Infrastructure;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MiniExcelLibs;
using Xunit.Abstractions;

namespace Kaohe.Web.Tests.Access;

/// <summary>The stages the matrix puts a period in (docs/stages.md).</summary>
public enum Stage { Planned, Collecting, ScoringClosed, Review, Published }

/// <summary>
/// The generated stage matrix (issue 15, "published means final"), as MatrixTests does for roles: every
/// write endpoint of the route table (minimal APIs, and Razor page POST handlers) must declare whether and
/// how it writes period inputs; every declared one has a request here that would otherwise succeed, sent
/// in every stage. Allowed stages must not answer the stage refusal and must store; refused stages must
/// answer the stage refusal (the 409 problem, the page message, or a job failed naming the stage) and
/// store nothing (audit trail, facts, attachments, events, schemes, weights, jobs before and after).
/// The expectation is written here from the rule table in docs/stages.md, not read from the code.
/// </summary>
public abstract class StageMatrixTests<TApp>(TApp app, ITestOutputHelper output) : IClassFixture<TApp> where TApp : AppFixture
{
    private async Task<List<StageHarness.WriteEndpoint>> EndpointsAsync() => await StageHarness.WriteEndpointsAsync(app);

    [Fact]
    public async Task Every_write_endpoint_declares_whether_it_writes_period_inputs()
    {
        var endpoints = await EndpointsAsync();
        Assert.True(endpoints.Count >= 100, $"only {endpoints.Count} write endpoints");
        var undeclared = endpoints.Where(e => e.Writes.Count == 0 && e.Not is null).Select(e => e.Key).ToList();
        Assert.True(undeclared.Count == 0, "write endpoints that say neither WritesPeriodInputs nor NotPeriodInputs:\n" + string.Join("\n", undeclared));
        output.WriteLine($"{endpoints.Count} write endpoints, {endpoints.Count(e => e.Writes.Count > 0)} write period inputs");
    }

    [Fact]
    public async Task Every_endpoint_that_writes_period_inputs_has_a_request_in_the_matrix_and_no_other_does()
    {
        var endpoints = await EndpointsAsync();
        var declared = endpoints.SelectMany(e => e.Writes.Select(w => (Endpoint: e.Key, w.Input, w.Handling))).ToHashSet();
        var covered = StageRecipes.All.Select(r => (r.Endpoint, r.Input, r.Handling)).ToHashSet();
        var missing = declared.Except(covered).Select(d => $"{d.Endpoint} [{d.Input}, {d.Handling}]").ToList();
        var extra = covered.Except(declared).Select(d => $"{d.Endpoint} [{d.Input}, {d.Handling}]").ToList();
        Assert.True(missing.Count == 0, "declared but not in the matrix:\n" + string.Join("\n", missing));
        Assert.True(extra.Count == 0, "in the matrix but not declared so:\n" + string.Join("\n", extra));
        Assert.Equal(StageRecipes.All.Count, StageRecipes.All.Select(r => r.Name).Distinct().Count());
    }

    public static TheoryData<string> Names => [.. StageRecipes.All.Select(r => r.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Each_period_input_endpoint_is_allowed_or_refused_as_its_stage_says(string name)
    {
        var recipe = StageRecipes.All.Single(r => r.Name == name);
        var h = await StageHarness.ForAsync(app);
        var failures = new List<string>();
        var original = await h.StatusAsync(recipe.Period);
        var label = await h.LabelAsync(recipe.Period);
        try
        {
            foreach (var stage in Enum.GetValues<Stage>())
            {
                await h.SetStageAsync(recipe.Period, PeriodStatus.Collecting, Stage.Collecting);
                var act = await recipe.Arrange(h);
                await h.SetStageAsync(recipe.Period, original, stage);
                var before = await h.FingerprintAsync();
                var outcome = await act(h.Next());
                var after = await h.FingerprintAsync();
                var allowed = StageRecipes.Allowed(recipe.Input, recipe.Handling, stage, annual: !recipe.Period.Contains('-'));
                var at = $"{stage}: {outcome.Text}";
                if (allowed)
                {
                    if (outcome.StageRefused) failures.Add($"{at} — refused, but the stage allows it");
                    else if (!outcome.Ok) failures.Add($"{at} — the request failed, so it shows nothing about the stage");
                    else if (before == after) failures.Add($"{at} — allowed, but nothing was stored");
                }
                else
                {
                    if (!outcome.StageRefused) failures.Add($"{at} — not refused by the stage ({(outcome.Ok ? "it succeeded" : "it failed otherwise")})");
                    else
                    {
                        if (!outcome.Text.Contains(label, StringComparison.Ordinal)) failures.Add($"{at} — the refusal does not name the period {label}");
                        foreach (var word in StageRecipes.Words(stage))
                            if (!outcome.Text.Contains(word, StringComparison.Ordinal)) failures.Add($"{at} — the refusal does not say “{word}”");
                        if (outcome.Problem is { } p)
                        {
                            if (p.GetProperty("period").GetString() != recipe.Period) failures.Add($"{at} — problem.period is {p.GetProperty("period")}");
                            var expected = stage switch { Stage.ScoringClosed => "Collecting", _ => stage.ToString() };
                            if (p.GetProperty("stage").GetString() != expected) failures.Add($"{at} — problem.stage is {p.GetProperty("stage")}, not {expected}");
                            if (p.GetProperty("scoringClosed").GetBoolean() != (stage == Stage.ScoringClosed)) failures.Add($"{at} — problem.scoringClosed is wrong");
                        }
                    }
                    if (before != after) failures.Add($"{at} — refused, but something was stored");
                }
                if (recipe.Check is not null && await recipe.Check(h, StageRecipes.Allowed(recipe.Input, StageHandling.Refused, stage, annual: false)) is { } bad)
                    failures.Add($"{stage}: {bad}");
            }
        }
        finally
        {
            await h.SetStageAsync(recipe.Period, original, null);
        }
        Assert.True(failures.Count == 0, $"{name}:\n" + string.Join("\n", failures));
    }
}

public sealed class StageMatrixTestsOnSqlite(StageSqliteApp app, ITestOutputHelper output) : StageMatrixTests<StageSqliteApp>(app, output);

public sealed class StageMatrixTestsOnPostgres(StagePostgresApp app, ITestOutputHelper output) : StageMatrixTests<StagePostgresApp>(app, output);

/// <summary>The fixtures of the stage matrix: the reminder job off, so that nothing writes behind the requests it compares.</summary>
public sealed class StageSqliteApp : SqliteApp
{
    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Kaohe:Rectification:ReminderIntervalSeconds", "0");
}

public sealed class StagePostgresApp : PostgresApp
{
    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Kaohe:Rectification:ReminderIntervalSeconds", "0");
}

/// <summary>What a request came to: success, the stage's refusal (with its text), or another failure.</summary>
public sealed record StageOutcome(bool Ok, bool StageRefused, string Text, JsonElement? Problem = null);

/// <summary>One request of the matrix: arranged while the period collects, then sent in the stage under test.</summary>
public sealed record StageRecipe(string Endpoint, PeriodInput Input, StageHandling Handling, string Period,
    Func<StageHarness, Task<Func<int, Task<StageOutcome>>>> Arrange, Func<StageHarness, bool, Task<string?>>? Check = null, string Variant = "")
{
    public string Name => $"{Endpoint} [{Input}]{(Variant.Length > 0 ? " " + Variant : "")}";
}

/// <summary>The requests, one (or more) per declared endpoint and input. The demo's 2023-Q3 is the quarter being collected.</summary>
public static class StageRecipes
{
    public const string Q = "2023-Q3", Year = "2023", Unit = "zj-lasa";

    /// <summary>The rule table of docs/stages.md, written out for the test.</summary>
    public static bool Allowed(PeriodInput input, StageHandling handling, Stage stage, bool annual) => handling != StageHandling.Refused || (stage, input) switch
    {
        (Stage.Collecting, _) => true,
        (Stage.ScoringClosed, PeriodInput.Score) => false,
        (Stage.ScoringClosed, _) => true,
        (Stage.Planned, PeriodInput.Setup) => true,
        (Stage.Planned, _) => annual,   // a year collects its own inputs until its review window opens
        _ => false,
    };

    /// <summary>What a refusal in this stage must say (besides the period).</summary>
    public static string[] Words(Stage s) => s switch
    {
        Stage.Planned => ["尚未开始"],
        Stage.ScoringClosed => ["结束", "评分"],
        Stage.Review => ["申诉复核期"],
        Stage.Published => ["已公布"],
        _ => [],
    };

    private static StageRecipe R(string endpoint, PeriodInput input, Func<StageHarness, Task<Func<int, Task<StageOutcome>>>> arrange, string period = Q,
        StageHandling handling = StageHandling.Refused, Func<StageHarness, bool, Task<string?>>? check = null, string variant = "") =>
        new(endpoint, input, handling, period, arrange, check, variant);

    private static Task<Func<int, Task<StageOutcome>>> Act(Func<int, Task<StageOutcome>> act) => Task.FromResult(act);

    /// <summary>A value no earlier request of the run used (so that an allowed request always changes something), in [0.1, 1).</summary>
    private static double V(int n) => 0.1 + n % 997 * 0.0009;

    /// <summary>A leader's rating no earlier request used, in [60, 100).</summary>
    private static double Rating(int n) => 60 + n % 997 * 0.04;

    public static IReadOnlyList<StageRecipe> All { get; } =
    [
        // ---------------------------------------------------------------- 填报 (API)
        R("PUT /api/v1/collection/{period}/report/{indicator}", PeriodInput.Data, async h =>
        {
            await h.ReportAsync(Q, Unit, "B1", FactStatus.Draft);
            return async n => await h.ApiAsync(await h.Api("unit-zj-lasa").PutAsJsonAsync($"/api/v1/collection/{Q}/report/B1", new { value = V(n) }));
        }),
        R("PUT /api/v1/collection/{period}/report", PeriodInput.Data, async h =>
        {
            await h.ReportAsync(Q, Unit, "B1", FactStatus.Draft);
            return async n => await h.ApiAsync(await h.Api("unit-zj-lasa").PutAsJsonAsync($"/api/v1/collection/{Q}/report", new { items = new[] { new { indicator = "B1", value = V(n) } } }));
        }),
        // A base figure (基础数据) of the housing scheme saved on the same sheet: the same stage rules as a leaf's value.
        R("PUT /api/v1/collection/{period}/report", PeriodInput.Data, async h =>
        {
            await h.ReportAsync(Q, Unit, "inv", FactStatus.Draft, FactKind.Measure);
            return async n => await h.ApiAsync(await h.Api("unit-zj-lasa").PutAsJsonAsync($"/api/v1/collection/{Q}/report", new { items = new[] { new { measure = "inv", value = 1000 + n } } }));
        }, variant: "a base figure"),
        R("POST /api/v1/collection/{period}/report/{indicator}/evidence", PeriodInput.Data, async h =>
        {
            await h.ReportAsync(Q, Unit, "B1", FactStatus.Draft);
            return async n => await h.ApiAsync(await h.Api("unit-zj-lasa").PostAsync($"/api/v1/collection/{Q}/report/B1/evidence", StageHarness.File(StageHarness.Pdf(n), "e.pdf")));
        }),
        R("POST /api/v1/collection/{period}/report/submit", PeriodInput.Data, async h =>
        {
            await h.ReportAsync(Q, Unit, "B1", FactStatus.Draft);
            return async _ => await h.ApiAsync(await h.Api("unit-zj-lasa").PostAsync($"/api/v1/collection/{Q}/report/submit", null));
        }),
        R("POST /api/v1/collection/facts/{id:long}/verify", PeriodInput.Data, async h =>
        {
            var id = await h.ReportAsync(Q, Unit, "B1", FactStatus.Submitted);
            return async _ => await h.ApiAsync(await h.Api("office").PostAsync($"/api/v1/collection/facts/{id}/verify", null));
        }),
        R("POST /api/v1/collection/facts/verify", PeriodInput.Data, async h =>
        {
            var id = await h.ReportAsync(Q, Unit, "B1", FactStatus.Submitted);
            return async _ => await h.ApiAsync(await h.Api("office").PostAsJsonAsync("/api/v1/collection/facts/verify", new { ids = new[] { id } }));
        }),
        R("POST /api/v1/collection/facts/{id:long}/return", PeriodInput.Data, async h =>
        {
            var id = await h.ReportAsync(Q, Unit, "B1", FactStatus.Submitted);
            return async _ => await h.ApiAsync(await h.Api("office").PostAsJsonAsync($"/api/v1/collection/facts/{id}/return", new { reason = "请补充佐证材料" }));
        }),
        // ---------------------------------------------------------------- 多方评, 厅领导评价 (API)
        R("PUT /api/v1/collection/{period}/scoring", PeriodInput.Score, h => Act(async n =>
            await h.ApiAsync(await h.Api("division-zac").PutAsJsonAsync($"/api/v1/collection/{Q}/scoring", new { scores = new[] { new { unit = Unit, indicator = "C3", value = 4 + V(n) } } })))),
        R("PUT /api/v1/collection/{period}/leader", PeriodInput.Score, h => Act(async n =>
            await h.ApiAsync(await h.Api("leader-principal").PutAsJsonAsync($"/api/v1/collection/{Q}/leader", new { scores = new[] { new { unit = "jky", value = Rating(n) } } })))),
        // ---------------------------------------------------------------- the .xlsx sheets (API)
        R("POST /api/v1/collection/{period}/{sheet}/xlsx", PeriodInput.Data, async h =>
        {
            await h.ReportAsync(Q, Unit, "B1", FactStatus.Draft);
            var template = await h.Api("unit-zj-lasa").GetByteArrayAsync($"/api/v1/collection/{Q}/report/xlsx");
            return async n => await h.ApiAsync(await h.Api("unit-zj-lasa").PostAsync($"/api/v1/collection/{Q}/report/xlsx",
                StageHarness.File(StageHarness.Edit(template, "填报", r => (string?)r["指标编码"] == "B1", "数值", V(n)), "report.xlsx")));
        }, variant: "report"),
        R("POST /api/v1/collection/{period}/{sheet}/xlsx", PeriodInput.Score, async h =>
        {
            var template = await h.Api("division-zac").GetByteArrayAsync($"/api/v1/collection/{Q}/scoring/xlsx");
            return async n => await h.ApiAsync(await h.Api("division-zac").PostAsync($"/api/v1/collection/{Q}/scoring/xlsx",
                StageHarness.File(StageHarness.Edit(template, "评分", r => (string?)r["单位编码"] == Unit && (string?)r["指标编码"] == "C3", "得分", 4 + V(n)), "scoring.xlsx")));
        }, variant: "scoring"),
        R("POST /api/v1/collection/{period}/{sheet}/xlsx", PeriodInput.Score, async h =>
        {
            var template = await h.Api("leader-principal").GetByteArrayAsync($"/api/v1/collection/{Q}/leader/xlsx");
            return async n => await h.ApiAsync(await h.Api("leader-principal").PostAsync($"/api/v1/collection/{Q}/leader/xlsx",
                StageHarness.File(StageHarness.Edit(template, "领导评价", r => (string?)r["单位编码"] == "jky", "评价分", Rating(n)), "leader.xlsx")));
        }, variant: "leader"),
        // ---------------------------------------------------------------- jobs: 批量导入, 更新统计 (API)
        R("POST /api/v1/jobs/fact-import", PeriodInput.Data, h => Act(async n =>
            await h.ApiJobAsync(await h.Api("office").PostAsync($"/api/v1/jobs/fact-import?period={Q}", StageHarness.File(StageHarness.BulkSheet(Unit, "B1", V(n)), "import.xlsx"))))),
        R("POST /api/v1/jobs/fact-import", PeriodInput.Score, h => Act(async n =>
            await h.ApiJobAsync(await h.Api("office").PostAsync($"/api/v1/jobs/fact-import?period={Q}", StageHarness.File(StageHarness.BulkSheet(Unit, "C3", 4 + V(n)), "import.xlsx")))),
            variant: "a direct score"),
        R("POST /api/v1/jobs/survey-tallies", PeriodInput.Data, async h =>
        {
            await h.TweakTallyAsync(Q);
            return async _ => await h.ApiJobAsync(await h.Api("office").PostAsync($"/api/v1/jobs/survey-tallies?period={Q}", null));
        }),
        R("POST /api/v1/surveys/tallies", PeriodInput.Data, async h =>
        {
            await h.TweakTallyAsync(Q);
            return async _ => await h.ApiAsync(await h.Api("office").PostAsync($"/api/v1/surveys/tallies?period={Q}", null));
        }),
        // ---------------------------------------------------------------- platform, inspection
        R("POST /api/v1/facts", PeriodInput.Data, async h =>
        {
            await h.ClearValueAsync(Q, Unit, "D1");
            return async n => await h.ApiAsync(await h.Platform.PostAsJsonAsync("/api/v1/facts",
                new { period = Q, records = new[] { new { key = $"stage-{Guid.NewGuid():N}", unit = Unit, indicator = "D1", value = V(n) } } }));
        }),
        R("POST /api/v1/inspections/groups/{groupId:int}/findings", PeriodInput.Data, async h =>
        {
            var (group, site, item) = await h.InspectionAsync();
            return async _ => await h.ApiAsync(await h.Api("assessor1").PostAsJsonAsync($"/api/v1/inspections/groups/{group}/findings", StageHarness.Finding(site, item)));
        }),
        R("PUT /api/v1/inspections/groups/{groupId:int}/findings/{clientId}/photos/{photoClientId}", PeriodInput.Data, async h =>
        {
            var (group, site, item) = await h.InspectionAsync();
            var finding = StageHarness.Finding(site, item);
            (await h.Api("assessor1").PostAsJsonAsync($"/api/v1/inspections/groups/{group}/findings", finding)).EnsureSuccessStatusCode();
            return async n => await h.ApiAsync(await h.Api("assessor1").PutAsync(
                $"/api/v1/inspections/groups/{group}/findings/{finding.ClientId}/photos/photo-{Guid.NewGuid():N}", StageHarness.Jpeg(n)));
        }),
        // ---------------------------------------------------------------- 加扣分, 一票否决 (a veto is an input of the year)
        R("POST /api/v1/adjustments/", PeriodInput.Data, h => Act(async n =>
            await h.ApiAsync(await h.Api("office").PostAsync("/api/v1/adjustments", StageHarness.Adjustment(Q, Unit, "criticism-region", n))))),
        R("POST /api/v1/adjustments/{id:long}/approve", PeriodInput.Data, async h =>
        {
            var id = await h.VetoAsync();
            return async _ => await h.ApiAsync(await h.Api("office2").PostAsJsonAsync($"/api/v1/adjustments/{id}/approve", new { note = "同意" }));
        }, period: Year),
        R("POST /api/v1/adjustments/{id:long}/reject", PeriodInput.Data, async h =>
        {
            var id = await h.VetoAsync();
            return async _ => await h.ApiAsync(await h.Api("office2").PostAsJsonAsync($"/api/v1/adjustments/{id}/reject", new { note = "事故等级未达到重大" }));
        }, period: Year),
        // ---------------------------------------------------------------- set-up: the active scheme, the annual weights
        R("POST /api/v1/schemes/{id:int}/activate", PeriodInput.Setup, async h =>
        {
            var id = await h.NewSchemeVersionAsync(Q, "housing");
            return async _ => await h.ApiAsync(await h.Api("office").PostAsync($"/api/v1/schemes/{id}/activate", null));
        }),
        R("PUT /api/v1/annual/{year:int}/{category}/weights", PeriodInput.Setup, h => Act(async n =>
            await h.ApiAsync(await h.Api("office").PutAsJsonAsync($"/api/v1/annual/{Year}/housing/weights", StageHarness.Weights(n)))), period: Year),
        // ---------------------------------------------------------------- never refused: appeals, rectification deductions
        R("POST /api/v1/appeals/{id:long}/decision", PeriodInput.Data, async h =>
        {
            var id = await h.AppealAsync(Q, Unit, "B1");
            return async n => await h.ApiAsync(await h.Api("office").PostAsJsonAsync($"/api/v1/appeals/{id}/decision", new { accept = true, decision = "核实后采纳", value = V(n) }));
        }, handling: StageHandling.AppealCorrection),
        R("POST /api/v1/rectification/overdue-deductions", PeriodInput.Data, async h =>
        {
            await h.ClearDeductionsAsync();
            return async _ => await h.ApiAsync(await h.Api("office").PostAsync("/api/v1/rectification/overdue-deductions?period=2023-Q1", null));
        }, period: "2023-Q2", handling: StageHandling.NextOpenPeriod, check: (h, open) => h.DeductionLandedAsync(open)),

        // ---------------------------------------------------------------- the pages
        R("PAGE /Adjustments/Index", PeriodInput.Data, h => Act(async n =>
            await h.PageAsync("office", $"/Adjustments?period={Q}&category=housing", StageHarness.Fields(("Period", Q), ("Category", "housing"), ("Unit", Unit),
                ("Rule", "criticism-region"), ("Reason", $"被自治区通报批评 {n}")), ("Evidence", StageHarness.Pdf(n), "e.pdf")))),
        R("PAGE /Adjustments/Vetoes Request", PeriodInput.Data, h => Act(async n =>
            await h.PageAsync("office", "/Adjustments/Vetoes?handler=Request", StageHarness.Fields(("Period", Q), ("Unit", Unit), ("Rule", "veto-safety"),
                ("Reason", $"在建工程发生重大安全事故 {n}")), ("Evidence", StageHarness.Pdf(n), "e.pdf"))), period: Year),
        R("PAGE /Adjustments/Vetoes Approve", PeriodInput.Data, async h =>
        {
            var id = await h.VetoAsync();
            return async _ => await h.PageAsync("office2", "/Adjustments/Vetoes?handler=Approve", StageHarness.Fields(("Period", Q), ("Id", $"{id}"), ("Note", "同意")));
        }, period: Year),
        R("PAGE /Adjustments/Vetoes Reject", PeriodInput.Data, async h =>
        {
            var id = await h.VetoAsync();
            return async _ => await h.PageAsync("office2", "/Adjustments/Vetoes?handler=Reject", StageHarness.Fields(("Period", Q), ("Id", $"{id}"), ("Note", "事故等级未达到重大")));
        }, period: Year),
        R("PAGE /Collection/Leader", PeriodInput.Score, h => Act(async n =>
            await h.PageAsync("leader-principal", $"/Collection/Leader?period={Q}", StageHarness.Fields(("scores[jky]", $"{Rating(n)}"))))),
        R("PAGE /Collection/Leader Import", PeriodInput.Score, async h =>
        {
            var template = await h.Api("leader-principal").GetByteArrayAsync($"/api/v1/collection/{Q}/leader/xlsx");
            return async n => await h.PageAsync("leader-principal", $"/Collection/Leader?period={Q}&handler=Import", [],
                ("file", StageHarness.Edit(template, "领导评价", r => (string?)r["单位编码"] == "jky", "评价分", Rating(n)), "leader.xlsx"));
        }),
        R("PAGE /Collection/Report Save", PeriodInput.Data, async h =>
        {
            await h.ReportAsync(Q, Unit, "B1", FactStatus.Draft);
            return async n => await h.PageAsync("unit-zj-lasa", $"/Collection/Report?period={Q}&handler=Save", StageHarness.Fields(("values[B1]", $"{V(n)}")));
        }),
        R("PAGE /Collection/Report Submit", PeriodInput.Data, async h =>
        {
            await h.ReportAsync(Q, Unit, "B1", FactStatus.Draft);
            return async _ => await h.PageAsync("unit-zj-lasa", $"/Collection/Report?period={Q}&handler=Submit", []);
        }),
        R("PAGE /Collection/Report Evidence", PeriodInput.Data, async h =>
        {
            await h.ReportAsync(Q, Unit, "B1", FactStatus.Draft);
            return async n => await h.PageAsync("unit-zj-lasa", $"/Collection/Report?period={Q}&handler=Evidence", StageHarness.Fields(("indicator", "B1")), ("file", StageHarness.Pdf(n), "e.pdf"));
        }),
        R("PAGE /Collection/Report Import", PeriodInput.Data, async h =>
        {
            await h.ReportAsync(Q, Unit, "B1", FactStatus.Draft);
            var template = await h.Api("unit-zj-lasa").GetByteArrayAsync($"/api/v1/collection/{Q}/report/xlsx");
            return async n => await h.PageAsync("unit-zj-lasa", $"/Collection/Report?period={Q}&handler=Import", [],
                ("file", StageHarness.Edit(template, "填报", r => (string?)r["指标编码"] == "B1", "数值", V(n)), "report.xlsx"));
        }),
        R("PAGE /Collection/Score", PeriodInput.Score, h => Act(async n =>
            await h.PageAsync("division-zac", $"/Collection/Score?period={Q}", StageHarness.Fields(($"scores[{Unit}|C3]", $"{4 + V(n)}"))))),
        R("PAGE /Collection/Score Import", PeriodInput.Score, async h =>
        {
            var template = await h.Api("division-zac").GetByteArrayAsync($"/api/v1/collection/{Q}/scoring/xlsx");
            return async n => await h.PageAsync("division-zac", $"/Collection/Score?period={Q}&handler=Import", [],
                ("file", StageHarness.Edit(template, "评分", r => (string?)r["单位编码"] == Unit && (string?)r["指标编码"] == "C3", "得分", 4 + V(n)), "scoring.xlsx"));
        }),
        R("PAGE /Collection/Verify", PeriodInput.Data, async h =>
        {
            var id = await h.ReportAsync(Q, Unit, "B1", FactStatus.Submitted);
            return async _ => await h.PageAsync("office", $"/Collection/Verify?period={Q}", StageHarness.Fields(("id", $"{id}"), ("decision", "verify")));
        }),
        R("PAGE /Collection/Verify Batch", PeriodInput.Data, async h =>
        {
            var id = await h.ReportAsync(Q, Unit, "B1", FactStatus.Submitted);
            return async _ => await h.PageAsync("office", $"/Collection/Verify?period={Q}&handler=Batch", StageHarness.Fields(("ids", $"{id}")));
        }),
        R("PAGE /Jobs/Index Import", PeriodInput.Data, h => Act(async n =>
            await h.PageAsync("office", "/Jobs?handler=Import", StageHarness.Fields(("period", Q)), ("file", StageHarness.BulkSheet(Unit, "B1", V(n)), "import.xlsx")))),
        R("PAGE /Jobs/Index Import", PeriodInput.Score, h => Act(async n =>
            await h.PageAsync("office", "/Jobs?handler=Import", StageHarness.Fields(("period", Q)), ("file", StageHarness.BulkSheet(Unit, "C3", 4 + V(n)), "import.xlsx"))),
            variant: "a direct score"),
        R("PAGE /Jobs/Index Tallies", PeriodInput.Data, async h =>
        {
            await h.TweakTallyAsync(Q);
            return async _ => await h.PageAsync("office", "/Jobs?handler=Tallies", StageHarness.Fields(("period", Q)));
        }),
        R("PAGE /Publication/Annual Weights", PeriodInput.Setup, h => Act(async n =>
        {
            var w = StageHarness.Weights(n);
            return await h.PageAsync("office", "/Publication/Annual?handler=Weights", StageHarness.Fields(("year", Year), ("category", "housing"),
                ("q1", $"{w.Q1}"), ("q2", $"{w.Q2}"), ("q3", $"{w.Q3}"), ("q4", $"{w.Q4}"), ("leadership", $"{w.Leadership}")));
        }), period: Year),
        R("PAGE /Publication/Appeals Decide", PeriodInput.Data, async h =>
        {
            var id = await h.AppealAsync(Q, Unit, "B1");
            return async n => await h.PageAsync("office", $"/Publication/Appeals?period={Q}&handler=Decide",
                StageHarness.Fields(("id", $"{id}"), ("decisionKind", "correct"), ("decision", "核实后采纳"), ("value", $"{V(n)}")));
        }, handling: StageHandling.AppealCorrection),
        R("PAGE /Rectification/Supervision Deduct", PeriodInput.Data, async h =>
        {
            await h.ClearDeductionsAsync();
            return async _ => await h.PageAsync("office", "/Rectification/Supervision?period=2023-Q1&handler=Deduct", []);
        }, period: "2023-Q2", handling: StageHandling.NextOpenPeriod, check: (h, open) => h.DeductionLandedAsync(open)),
        R("PAGE /Schemes/Detail Activate", PeriodInput.Setup, async h =>
        {
            var id = await h.NewSchemeVersionAsync(Q, "housing");
            return async _ => await h.PageAsync("office", $"/Schemes/Detail/{id}?handler=Activate", StageHarness.Fields(("id", $"{id}")));
        }),
        R("PAGE /Surveys/Index Tallies", PeriodInput.Data, async h =>
        {
            await h.TweakTallyAsync(Q);
            return async _ => await h.PageAsync("office", $"/Surveys?period={Q}&handler=Tallies", []);
        }),
        // ---------------------------------------------------------------- 目标责任书: quarter targets land where the stage takes set-up; milestones are data
        R("POST /api/v1/target-letters/{id:int}/issue", PeriodInput.Setup, async h =>
        {
            var id = await h.DraftLetterAsync();
            return async _ => await h.ApiAsync(await h.Api("office").PostAsync($"/api/v1/target-letters/{id}/issue", null));
        }, handling: StageHandling.OpenPeriodsOnly, check: (h, open) => h.LetterLandedAsync(open)),
        R("POST /api/v1/target-letters/changes/{id:long}/approve", PeriodInput.Setup, async h =>
        {
            var change = await h.LetterChangeAsync();
            return async _ => await h.ApiAsync(await h.Api("office2").PostAsJsonAsync($"/api/v1/target-letters/changes/{change}/approve", new { note = "同意" }));
        }, handling: StageHandling.OpenPeriodsOnly, check: (h, open) => h.LetterLandedAsync(open)),
        R("POST /api/v1/target-letters/{id:int}/milestones", PeriodInput.Data, async h =>
        {
            var id = await h.IssuedLetterAsync();
            return async n => await h.ApiAsync(await h.Api("division-zac").PostAsync($"/api/v1/target-letters/{id}/milestones", StageHarness.Milestone(n)));
        }),
        R("PAGE /Targets/Letter Issue", PeriodInput.Setup, async h =>
        {
            var id = await h.DraftLetterAsync();
            return async _ => await h.PageAsync("office", $"/Targets/Letter/{id}?handler=Issue", StageHarness.Fields(("Id", $"{id}")));
        }, handling: StageHandling.OpenPeriodsOnly, check: (h, open) => h.LetterLandedAsync(open)),
        R("PAGE /Targets/Letter Approve", PeriodInput.Setup, async h =>
        {
            var change = await h.LetterChangeAsync();
            var id = await h.Db(db => db.TargetLetters.Where(l => l.UnitId == Unit).Select(l => l.Id).SingleAsync());
            return async _ => await h.PageAsync("office2", $"/Targets/Letter/{id}?handler=Approve", StageHarness.Fields(("Id", $"{id}"), ("ChangeId", $"{change}"), ("Note", "同意")));
        }, handling: StageHandling.OpenPeriodsOnly, check: (h, open) => h.LetterLandedAsync(open)),
        R("PAGE /Targets/Letter Assess", PeriodInput.Data, async h =>
        {
            var id = await h.IssuedLetterAsync();
            return async n => await h.PageAsync("division-zac", $"/Targets/Letter/{id}?handler=Assess",
                StageHarness.Fields(("Id", $"{id}"), ("Task", "T1"), ("Quarter", "3"), ("Outcome", n % 2 == 0 ? "done" : "partly")), ("Evidence", StageHarness.Pdf(n), "e.pdf"));
        }),
    ];
}

/// <summary>The matrix's hands: clients per account, arranging data, stages, outcomes and the before/after fingerprint.</summary>
public sealed class StageHarness
{
    private readonly AppFixture _app;
    private readonly Dictionary<string, HttpClient> _api = [], _pages = [];
    private readonly Dictionary<string, string> _tokens = [];
    private int _n;

    private StageHarness(AppFixture app) => _app = app;

    private static readonly Dictionary<AppFixture, Task<StageHarness>> Harnesses = [];

    /// <summary>The accounts the recipes act as.</summary>
    private static readonly string[] Accounts = ["office", "office2", "unit-zj-lasa", "division-zac", "leader-principal", "assessor1"];

    /// <summary>One harness per fixture, prepared once: the demo's collecting quarter gets a questionnaire, a platform key, a deduction policy.</summary>
    public static async Task<StageHarness> ForAsync(AppFixture app)
    {
        Task<StageHarness> task;
        lock (Harnesses)
            if (!Harnesses.TryGetValue(app, out task!)) Harnesses[app] = task = CreateAsync(app);
        return await task;
    }

    private static async Task<StageHarness> CreateAsync(AppFixture app)
    {
        var h = new StageHarness(app);
        foreach (var account in Accounts) h._api[account] = await app.As(account);
        // 2023-Q3 has the demo's data copied from Q1, its schemes, assignments, rule tables and inspection groups; give it Q1's survey too.
        await DemoSurvey.CopyAsync(app, StageRecipes.Q);
        var key = await h.Api("office").PostAsJsonAsync("/api/v1/apikeys", new { name = "stage-matrix", indicators = new[] { "D1" } });
        h.Platform = app.Anonymous();
        h.Platform.DefaultRequestHeaders.Add("X-Api-Key", (await key.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString());
        (await h.Api("office").PutAsJsonAsync("/api/v1/rectification/policies/housing", new { enabled = true, pointsPerItem = 0.5, cap = 2.0 })).EnsureSuccessStatusCode();
        return h;
    }

    public HttpClient Platform { get; private set; } = null!;

    public int Next() => Interlocked.Increment(ref _n);

    public HttpClient Api(string account) => _api[account];

    private async Task<(HttpClient Client, string Token)> PageClientAsync(string account)
    {
        if (_pages.TryGetValue(account, out var c)) return (c, _tokens[account]);
        c = await _app.SignedIn(account);
        // The layout's sign-out form carries an anti-forgery token, valid for every form of this session.
        _tokens[account] = AppFixture.AntiForgeryToken(await c.GetStringAsync("/"));
        _pages[account] = c;
        return (c, _tokens[account]);
    }

    public Task<T> Db<T>(Func<KaoheDbContext, Task<T>> action) => _app.WithDb(action);

    // ------------------------------------------------------------------ stages

    public const string DummySnapshot = "stage-matrix:";

    public Task<PeriodStatus> StatusAsync(string period) => Db(db => db.Periods.Where(p => p.Id == period).Select(p => p.Status).SingleAsync());

    public Task<string> LabelAsync(string period) => Db(async db => (await db.Periods.SingleAsync(p => p.Id == period)).Label(false));

    /// <summary>
    /// Puts the period in a stage: Planned, Collecting (scoring open or closed), Review, or Published (status
    /// Published and a snapshot for every category). With <paramref name="stage"/> null, back to <paramref name="status"/> as it was.
    /// </summary>
    public Task SetStageAsync(string period, PeriodStatus status, Stage? stage) => Db(async db =>
    {
        await db.Set<ScoringClosure>().Where(c => c.PeriodId == period).ExecuteDeleteAsync();
        // The matrix's quarter has no publication of its own: the stand-in snapshots go, and so does a new version an
        // accepted appeal's correction published on top of them (the appeal recipe in the Published stage does that).
        await db.Snapshots.Where(s => s.PeriodId == period).ExecuteDeleteAsync();
        var p = await db.Periods.SingleAsync(x => x.Id == period);
        p.MoveTo(stage switch
        {
            null => status,
            Stage.Planned => PeriodStatus.Planned,
            Stage.Review => PeriodStatus.Review,
            Stage.Published => PeriodStatus.Published,
            _ => PeriodStatus.Collecting,
        });
        if (stage == Stage.ScoringClosed) db.Add(new ScoringClosure(period, "office", DateTimeOffset.UtcNow));
        if (stage == Stage.Published)
            // The demo's Q1 snapshots stand in for this period's: what is read of them here is only that they exist.
            foreach (var s in await db.Snapshots.AsNoTracking().Where(s => s.PeriodId == "2023-Q1" && s.Version == 1).ToListAsync())
                db.Snapshots.Add(new PublishedSnapshot($"{DummySnapshot}{period}:{s.Category}", period, s.Category, 99, s.Document, s.InputSha256, s.ResultSha256,
                    "office", s.PublishedAt, null, "stage matrix"));
        return await db.SaveChangesAsync();
    });

    /// <summary>Everything a write endpoint of the matrix can store of a period's inputs and their trail, as one hash.</summary>
    public Task<string> FingerprintAsync() => Db(async db =>
    {
        var sb = new StringBuilder();
        // A job refused when it runs leaves its own row, its upload and their audit entries (job.*): they are no period input.
        sb.Append("audit ").Append(await db.AuditEntries.CountAsync(a => !a.Action.StartsWith("job."))).Append('\n');
        sb.Append("attachments ").Append(await db.Attachments.CountAsync(a => a.OwnerKind != "job")).Append('\n');
        foreach (var f in await db.Facts.AsNoTracking().OrderBy(f => f.Id).Select(f => new { f.Id, f.PeriodId, f.Status, f.Payload }).ToListAsync())
            sb.Append(f.Id).Append(f.PeriodId).Append(f.Status).Append(f.Payload).Append('\n');
        foreach (var e in await db.Set<AdjustmentEvent>().AsNoTracking().OrderBy(e => e.Id).Select(e => new { e.Id, e.Status }).ToListAsync())
            sb.Append("event ").Append(e.Id).Append(e.Status).Append('\n');
        foreach (var s in await db.Schemes.AsNoTracking().OrderBy(s => s.Id).Select(s => new { s.Id, s.Status }).ToListAsync())
            sb.Append("scheme ").Append(s.Id).Append(s.Status).Append('\n');
        foreach (var w in await db.Set<AnnualSetting>().AsNoTracking().OrderBy(s => s.Year).ThenBy(s => s.Category).ToListAsync())
            sb.Append("weights ").Append(w.Year).Append(w.Category).Append(w.Q1).Append(w.Q2).Append(w.Q3).Append(w.Q4).Append(w.Leadership).Append('\n');
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    });

    // ------------------------------------------------------------------ arranging

    /// <summary>A report fact of a unit's leaf (draft, or submitted awaiting verification), the newest of its slot.</summary>
    /// <remarks><paramref name="kind"/> <see cref="FactKind.Measure"/>: a base figure, <paramref name="indicator"/> naming the measure.</remarks>
    public Task<long> ReportAsync(string period, string unit, string indicator, FactStatus status, FactKind kind = FactKind.Value) => Db(async db =>
    {
        var f = new Fact(period, unit, indicator, kind, new FactPayload(Value: 0.9).ToJson(), FactSources.Report, $"unit-{unit}", DateTimeOffset.UtcNow, FactStatus.Draft);
        if (status == FactStatus.Submitted) f.Submit(DateTimeOffset.UtcNow, false);
        db.Facts.Add(f);
        await db.SaveChangesAsync();
        return f.Id;
    });

    /// <summary>No counted value for the slot, so that a platform may deliver one.</summary>
    public Task ClearValueAsync(string period, string unit, string indicator) => Db(db =>
        db.Facts.Where(f => f.PeriodId == period && f.UnitId == unit && f.IndicatorId == indicator && f.Kind == FactKind.Value
                && (f.Status == FactStatus.Submitted || f.Status == FactStatus.Verified))
            .ExecuteUpdateAsync(s => s.SetProperty(f => f.Status, FactStatus.Returned)));

    /// <summary>One unit's survey tally made different from what the responses give, so that 更新统计 writes it again.</summary>
    public Task TweakTallyAsync(string period) => Db(async db =>
    {
        var id = await db.Facts.Where(f => f.PeriodId == period && f.Kind == FactKind.SurveyTally).OrderBy(f => f.Id).Select(f => f.Id).FirstAsync();
        return await db.Facts.Where(f => f.Id == id).ExecuteUpdateAsync(s => s.SetProperty(f => f.Payload, "{\"counts\":{\"stage-matrix\":1}}"));
    });

    public async Task<(int Group, string Site, string Indicator)> InspectionAsync()
    {
        var mine = await Api("assessor1").GetFromJsonAsync<JsonElement>("/api/v1/inspections/mine");
        var group = mine.GetProperty("groups").EnumerateArray().First(g => g.GetProperty("periodId").GetString() == StageRecipes.Q);
        var item = mine.GetProperty("checklists").GetProperty(StageRecipes.Q).EnumerateArray().First();
        return (group.GetProperty("id").GetInt32(), group.GetProperty("sites").EnumerateArray().First().GetProperty("siteId").GetString()!,
            item.GetProperty("indicatorId").GetString()!);
    }

    public sealed record FindingBody(string ClientId, string SiteId, string IndicatorId, string Note);

    public static FindingBody Finding(string site, string indicator) => new($"stage-{Guid.NewGuid():N}", site, indicator, "路面破损");

    /// <summary>A pending veto (requested by office; office2 decides), of the year the collecting quarter belongs to.</summary>
    public async Task<long> VetoAsync()
    {
        var r = await Api("office").PostAsync("/api/v1/adjustments", Adjustment(StageRecipes.Q, StageRecipes.Unit, "veto-safety", Next()));
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    public async Task<int> NewSchemeVersionAsync(string period, string category)
    {
        var active = await Db(db => db.Schemes.Where(s => s.PeriodId == period && s.Category == category && s.Status == SchemeStatus.Active).Select(s => s.Id).SingleAsync());
        var r = await Api("office").PostAsync($"/api/v1/schemes/{active}/versions", null);
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    /// <summary>A unit's pending appeal of its counted value (as if submitted in the review window).</summary>
    public Task<long> AppealAsync(string period, string unit, string indicator) => Db(async db =>
    {
        var fact = await db.Facts.Where(f => f.PeriodId == period && f.UnitId == unit && f.IndicatorId == indicator && f.Kind == FactKind.Value
            && (f.Status == FactStatus.Submitted || f.Status == FactStatus.Verified)).OrderByDescending(f => f.Id).Select(f => f.Id).FirstAsync();
        var appeal = new Appeal(period, "housing", unit, indicator, fact, "填报数据有误，请予更正", $"unit-{unit}", DateTimeOffset.UtcNow);
        db.Add(appeal);
        await db.SaveChangesAsync();
        return appeal.Id;
    });

    public Task ClearDeductionsAsync() => Db(db => db.Facts.Where(f => f.IdempotencyKey != null && f.IdempotencyKey.StartsWith("rectification-overdue:")).ExecuteDeleteAsync());

    /// <summary>The 2023-Q1 overdue deduction of 拉萨市住建局 lands in 2023-Q2 when that quarter takes data, otherwise in 2023-Q3, saying why.</summary>
    public async Task<string?> DeductionLandedAsync(bool q2Open)
    {
        var facts = await Db(db => db.Facts.AsNoTracking().Where(f => f.IdempotencyKey != null && f.IdempotencyKey.StartsWith("rectification-overdue:2023-Q1:zj-lasa")).ToListAsync());
        if (facts.Count != 1) return $"{facts.Count} deductions of zj-lasa, not 1";
        var expected = q2Open ? "2023-Q2" : "2023-Q3";
        if (facts[0].PeriodId != expected) return $"the deduction landed in {facts[0].PeriodId}, not {expected}";
        var reason = FactPayload.Parse(facts[0].Payload).Reason ?? "";
        if (!q2Open && !(reason.Contains("2023年第二季度", StringComparison.Ordinal) && reason.Contains("计入2023年第三季度", StringComparison.Ordinal)))
            return $"the reason does not say why it landed in 2023-Q3: {reason}";
        return null;
    }

    // ------------------------------------------------------------------ request bodies

    // ------------------------------------------------------------------ 目标责任书

    /// <summary>The Q3 plan target of the last letter text the matrix prepared for 拉萨.</summary>
    private double _letterQ3;

    /// <summary>A fresh draft letter of 拉萨 (the demo's is removed first) whose Q3 plan target no earlier request used.</summary>
    public async Task<int> DraftLetterAsync()
    {
        await Db(async db =>
        {
            var ids = await db.TargetLetters.Where(l => l.UnitId == StageRecipes.Unit).Select(l => l.Id).ToListAsync();
            await db.MilestoneAssessments.Where(a => ids.Contains(a.LetterId)).ExecuteDeleteAsync();
            await db.TargetLetterChanges.Where(a => ids.Contains(a.LetterId)).ExecuteDeleteAsync();
            await db.TargetLetterVersions.Where(a => ids.Contains(a.LetterId)).ExecuteDeleteAsync();
            return await db.TargetLetters.Where(l => ids.Contains(l.Id)).ExecuteDeleteAsync();
        });
        var r = await Api("office").PostAsJsonAsync("/api/v1/target-letters", Letter(Next()));
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    private object Letter(int n, string? reason = null)
    {
        _letterQ3 = 50000 + n;
        return new
        {
            year = 2023, unit = StageRecipes.Unit, reason,
            // Both figures the demo's letter sets: a letter that dropped `due` would hand it back to 拉萨, whose 填报 could
            // then not be submitted until it reports it (docs/targets.md), and the submit recipes after this one would store nothing.
            targets = new object[]
            {
                new { measure = "plan", annual = 3 * 40000 + _letterQ3, split = "manual", quarters = new[] { 40000, 40000, _letterQ3, 40000 } },
                new { measure = "due", annual = 77, split = "manual", quarters = new[] { 18, 20, 20, 19 } },
            },
            tasks = new[] { new { id = "T1", title = "智慧工地覆盖", weight = 100, assessor = "zac", milestones = new[] { "", "", "覆盖率50%", "覆盖率80%" } } },
        };
    }

    /// <summary>拉萨's letter issued (while the quarter collects).</summary>
    public async Task<int> IssuedLetterAsync()
    {
        var id = await DraftLetterAsync();
        (await Api("office").PostAsync($"/api/v1/target-letters/{id}/issue", null)).EnsureSuccessStatusCode();
        return id;
    }

    /// <summary>拉萨's letter issued, acknowledged by the unit, and a change requested by office (for office2 to decide).</summary>
    public async Task<long> LetterChangeAsync()
    {
        var id = await IssuedLetterAsync();
        (await Api("unit-zj-lasa").PostAsync($"/api/v1/target-letters/{id}/acknowledge", null)).EnsureSuccessStatusCode();
        var r = await Api("office").PostAsJsonAsync($"/api/v1/target-letters/{id}/changes", Letter(Next(), "计划调整"));
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    /// <summary>The letter's Q3 target is 2023-Q3's plan figure of 拉萨 exactly when the stage takes set-up, and otherwise not.</summary>
    public async Task<string?> LetterLandedAsync(bool open)
    {
        var values = await Db(db => db.Facts.AsNoTracking().Where(f => f.PeriodId == StageRecipes.Q && f.UnitId == StageRecipes.Unit && f.IndicatorId == "plan"
            && f.Source == FactSources.TargetLetter && FactStatuses.Counted.Contains(f.Status)).Select(f => f.Payload).ToListAsync());
        var landed = values.Any(p => FactPayload.Parse(p).Value == _letterQ3);
        return landed == open ? null : open ? $"the Q3 target {_letterQ3} did not become the quarter's figure" : $"the Q3 target {_letterQ3} was written although the quarter is closed to set-up";
    }

    public static MultipartFormDataContent Milestone(int n) => new()
    {
        { new StringContent("T1"), "task" }, { new StringContent("3"), "quarter" }, { new StringContent(n % 2 == 0 ? "done" : "partly"), "outcome" },
        { new ByteArrayContent(Pdf(n)), "evidence", "e.pdf" },
    };

    public static byte[] Pdf(int n) => Encoding.ASCII.GetBytes($"%PDF-1.4\n% stage matrix {n}\n%%EOF\n");

    public static ByteArrayContent Jpeg(int n)
    {
        var content = new ByteArrayContent(TinyJpeg.Create(32, 24, $"stage {n}"));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        return content;
    }

    public static MultipartFormDataContent File(byte[] bytes, string name) =>
        new() { { new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue(name.EndsWith(".pdf", StringComparison.Ordinal) ? "application/pdf" : CollectionSheets.ContentType) } }, "file", name } };

    public static MultipartFormDataContent Adjustment(string period, string unit, string rule, int n) => new()
    {
        { new StringContent(period), "period" }, { new StringContent(unit), "unit" }, { new StringContent(rule), "rule" },
        { new StringContent($"事由 {n}"), "reason" },
        { new ByteArrayContent(Pdf(n)) { Headers = { ContentType = new MediaTypeHeaderValue("application/pdf") } }, "evidence", "e.pdf" },
    };

    public sealed record WeightsBody(double Q1, double Q2, double Q3, double Q4, double Leadership);

    public static WeightsBody Weights(int n)
    {
        var d = n % 10 * 0.25;
        return new(23.75 - d, 23.75, 23.75, 23.75, 5 + d);
    }

    /// <summary>A 批量导入 workbook of one row.</summary>
    public static byte[] BulkSheet(string unit, string indicator, double value)
    {
        using var ms = new MemoryStream();
        ms.SaveAs(new Dictionary<string, object>
        {
            [FactImport.SheetName] = new List<Dictionary<string, object?>> { new() { [FactImport.CUnit] = unit, [FactImport.CIndicator] = indicator, [FactImport.CValue] = value, [FactImport.CTarget] = null } },
        });
        return ms.ToArray();
    }

    /// <summary>A downloaded sheet with one cell changed.</summary>
    public static byte[] Edit(byte[] xlsx, string sheet, Func<Dictionary<string, object?>, bool> row, string column, object value)
    {
        using var input = new MemoryStream(xlsx);
        var rows = input.Query(useHeaderRow: true, sheetName: sheet).Cast<IDictionary<string, object?>>().Select(r => new Dictionary<string, object?>(r)).ToList();
        rows.Single(row)[column] = value;
        using var output = new MemoryStream();
        output.SaveAs(new Dictionary<string, object> { [sheet] = rows });
        return output.ToArray();
    }

    public static List<(string Name, string Value)> Fields(params (string Name, string Value)[] fields) => [.. fields];

    // ------------------------------------------------------------------ outcomes

    public async Task<StageOutcome> ApiAsync(HttpResponseMessage r)
    {
        var body = await r.Content.ReadAsStringAsync();
        if (r.StatusCode == HttpStatusCode.Conflict && body.StartsWith('{'))
        {
            var json = JsonSerializer.Deserialize<JsonElement>(body);
            if (json.TryGetProperty("code", out var code) && code.GetString() == Problems.StageCode)
                return new StageOutcome(false, true, json.GetProperty("detail").GetString() ?? "", json);
        }
        return new StageOutcome(r.IsSuccessStatusCode, false, $"{(int)r.StatusCode} {(body.Length > 400 ? body[..400] : body)}");
    }

    /// <summary>A job start: refused up front (the problem), or accepted and then done, or failed naming the stage.</summary>
    public async Task<StageOutcome> ApiJobAsync(HttpResponseMessage r) =>
        r.StatusCode == HttpStatusCode.Accepted ? await JobAsync((await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!) : await ApiAsync(r);

    private async Task<StageOutcome> JobAsync(string id)
    {
        for (var i = 0; i < 1200; i++)
        {
            var job = await Api("office").GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{id}");
            var status = job.GetProperty("status").GetString();
            if (status == "Succeeded") return new StageOutcome(true, false, $"job {id} succeeded");
            if (status == "Failed")
            {
                var message = job.GetProperty("message").GetString() ?? "";
                return job.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object && errors.TryGetProperty("period", out var p)
                    ? new StageOutcome(false, true, p[0].GetString()!)
                    : new StageOutcome(false, false, $"job {id} failed: {message}");
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"job {id} did not finish");
    }

    /// <summary>Posts a form as the browser does (anti-forgery token, multipart when a file goes with it) and follows it to what the user sees.</summary>
    public async Task<StageOutcome> PageAsync(string account, string url, List<(string Name, string Value)> fields, (string Name, byte[] Bytes, string FileName)? file = null)
    {
        var (client, token) = await PageClientAsync(account);
        HttpContent content;
        if (file is { } f)
        {
            var multi = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" } };
            foreach (var (name, value) in fields) multi.Add(new StringContent(value), name);
            multi.Add(new ByteArrayContent(f.Bytes) { Headers = { ContentType = new MediaTypeHeaderValue(f.FileName.EndsWith(".pdf", StringComparison.Ordinal) ? "application/pdf" : CollectionSheets.ContentType) } },
                f.Name, f.FileName);
            content = multi;
        }
        else content = new FormUrlEncodedContent([new("__RequestVerificationToken", token), .. fields.Select(x => new KeyValuePair<string, string>(x.Name, x.Value))]);
        var r = await client.PostAsync(url, content);
        if (r.StatusCode == HttpStatusCode.Redirect && r.Headers.Location?.OriginalString is { } location)
        {
            if (Regex.Match(location, "^/Jobs/([^/?]+)$") is { Success: true } job) return await JobAsync(job.Groups[1].Value);
            r = await client.GetAsync(location);
        }
        var html = await r.Content.ReadAsStringAsync();
        var banner = Regex.Match(html, "data-stage-refused>([^<]*)<");
        if (banner.Success) return new StageOutcome(false, true, WebUtility.HtmlDecode(banner.Groups[1].Value).Trim());
        return new StageOutcome(r.IsSuccessStatusCode, false, $"{(int)r.StatusCode} {url}");
    }

    // ------------------------------------------------------------------ the route table

    /// <summary>A write endpoint and its declarations (a WritesPeriodInputs wins over a group's NotPeriodInputs).</summary>
    public sealed record WriteEndpoint(string Key, IReadOnlyList<WritesPeriodInputsAttribute> Writes, NotPeriodInputsAttribute? Not);

    /// <summary>Every POST/PUT/PATCH/DELETE minimal API and every Razor page POST handler, with what it declares.</summary>
    public static async Task<List<WriteEndpoint>> WriteEndpointsAsync(AppFixture app)
    {
        var loader = app.Factory.Services.GetRequiredService<PageLoader>();
        var list = new List<WriteEndpoint>();
        foreach (var e in app.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (e.Metadata.GetMetadata<PageActionDescriptor>() is { } page)
            {
                var compiled = await loader.LoadAsync(page, e.Metadata);
                foreach (var handler in compiled.HandlerMethods.Where(m => m.HttpMethod.Equals("Post", StringComparison.OrdinalIgnoreCase)))
                {
                    var writes = handler.MethodInfo.GetCustomAttributes<WritesPeriodInputsAttribute>().ToList();
                    var not = handler.MethodInfo.GetCustomAttribute<NotPeriodInputsAttribute>();
                    if (writes.Count == 0 && not is null)
                    {
                        writes = [.. compiled.HandlerTypeInfo.GetCustomAttributes<WritesPeriodInputsAttribute>()];
                        not = compiled.HandlerTypeInfo.GetCustomAttribute<NotPeriodInputsAttribute>();
                    }
                    list.Add(new($"PAGE {page.ViewEnginePath}{(handler.Name is null ? "" : " " + handler.Name)}", writes, not));
                }
                continue;
            }
            var methods = e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [];
            foreach (var m in methods.Where(m => m is "POST" or "PUT" or "PATCH" or "DELETE"))
                list.Add(new($"{m} {e.RoutePattern.RawText}", e.Metadata.GetOrderedMetadata<WritesPeriodInputsAttribute>(), e.Metadata.GetMetadata<NotPeriodInputsAttribute>()));
        }
        return [.. list.DistinctBy(x => x.Key)];
    }
}
