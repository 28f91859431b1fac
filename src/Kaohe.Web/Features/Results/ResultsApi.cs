using System.Security.Claims;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Scoring;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Jobs;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Results;

public sealed record RankingGroupDto(string Name, int Size);

public sealed record RankingRowDto(int Rank, string Id, string Name, double Total, double Adjustment, string? Grade,
    bool Commended, bool Criticized, bool Vetoed, double? MarginUp, double? MarginDown, IReadOnlyDictionary<string, double> Parts);

/// <summary>One ranking group of a period and category (the whole category is 3,000 units at national scale: one group at a time).</summary>
/// <remarks><c>Revision</c>: the draft's revision (what a publication names); null for published results.</remarks>
public sealed record RankingDto(string Period, string Category, string Source, string? SnapshotKey, IReadOnlyList<RankingGroupDto> Groups,
    string? Group, IReadOnlyList<RankingRowDto> Units, IReadOnlyList<ValidationError> Errors, string? Revision = null);

/// <summary>Whether the results of the current data are ready (<c>ready</c>), else the phase and an estimated percent of their computation, and whether older results are being shown meanwhile.</summary>
public sealed record ResultsProgressDto(string Period, string Category, bool Ready, string? Phase, int Percent, bool ShowingOlder);

public sealed record ExplainFactDto(long Id, string Kind, string? Rater, string Payload, string Source, string Author, DateTimeOffset RecordedAt, string Status);

public sealed record ExplainDto(string Period, string Category, string Unit, string UnitName, string Group, int Rank, int GroupSize,
    Explanation Explanation, IReadOnlyList<ExplainFactDto> Facts);

/// <summary>What the explanation page and API share: who may read, and the explanation with its facts from the results store.</summary>
public static class ExplanationQuery
{
    /// <summary>
    /// The explanation of a unit's total (node null) or of one indicator, from what readers see (the
    /// published results once published, else the draft), and the counted facts recorded on it that this
    /// person may read; null if there is none or it is not visible to them (docs/visibility.md).
    /// </summary>
    public static async Task<(ResultsView View, Explanation Explanation, IReadOnlyList<Fact> Facts)?> FindAsync(
        ResultsStore store, ResultsAccess access, ClaimsPrincipal user, KaoheDbContext db, string period, string category, string unit, string? node,
        CancellationToken ct = default)
    {
        var view = await store.CurrentAsync(db, period, category, ct);
        if (view is not { Scored: true } || !view.ByUnit.ContainsKey(unit)) return null;
        if (!await access.MayExplainAsync(user, period, category, unit, node, view, ct)) return null;
        var explanation = view.Explain(unit, node);
        if (explanation is null) return null;
        var q = db.Facts.AsNoTracking().Where(f => f.UnitId == unit && FactStatuses.Counted.Contains(f.Status));
        if (user.Role() == Roles.Division) q = q.VisibleTo(user, db);
        // A formula leaf's facts are the unit's own base figures that its formula names (the others' enter only through sum()).
        var measures = node is not null && explanation.Formula is { } formula && Kaohe.Scoring.Formulas.Formula.Parse(formula.Formula).Expression is { } expr
            ? Kaohe.Scoring.Formulas.Formula.Measures(expr).Distinct().ToList() : null;
        q = node is null ? q.Where(f => f.IndicatorId == null)
            : measures is not null ? q.Where(f => f.Kind == FactKind.Measure && measures.Contains(f.IndicatorId!))
            : q.Where(f => f.IndicatorId == node);
        if (view.IsAnnual)
        {
            // The year reads its own facts and the vetoes of its quarters.
            var year = view.Period!.Year;
            var periods = db.Periods.Where(p => p.Year == year).Select(p => p.Id);
            q = q.Where(f => periods.Contains(f.PeriodId) && (f.PeriodId == period || f.Kind == FactKind.Veto));
        }
        else q = q.Where(f => f.PeriodId == period);
        var facts = await q.OrderBy(f => f.Id).ToListAsync(ct);
        return (view, explanation, facts);
    }
}

/// <summary>The results API: a ranking group and a unit's explanation, both from <see cref="ResultsStore"/>.</summary>
public static class ResultsApi
{
    private const string Readers = $"{Roles.Office},{Roles.Leader},{Roles.Viewer},{Roles.Division}";

    public static IServiceCollection AddResults(this IServiceCollection services)
    {
        services.AddSingleton<ResultsEngine>();
        services.AddSingleton<ResultsStore>();
        services.AddSingleton<ResultsWatch>();
        services.AddScoped<ResultsAccess>();
        services.AddJob<RecomputeJob>(RecomputeJob.JobKind);
        return services;
    }

    public static void MapResultsApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/results");
        g.MapGet("/{period}/{category}", Ranking).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound).RequireAuthorization(new AuthorizeAttribute { Roles = Readers })
            .WithSummary("排名（一次一个排名组；已公布的考核期为公布结果）/ the ranking of one group (a published period: its published results)");
        g.MapGet("/{period}/{category}/progress", Progress).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound).RequireAuthorization(new AuthorizeAttribute { Roles = Readers })
            .WithSummary("排名是否已按最新数据算好；未算好时开始（或加入）计算并返回进度 / whether the results of the current data are ready; if not, starts (or joins) their computation and says how far it is");
        g.MapGet("/{period}/{category}/events", Events).Produces<string>(StatusCodes.Status200OK, "text/event-stream").ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound).RequireAuthorization(new AuthorizeAttribute { Roles = Readers })
            .WithSummary("结果变动的推送（text/event-stream）：数据有变动时发送新的版本，排名页据此自动刷新 / server-sent events: the results' new version whenever the data changes, so that the ranking page refreshes itself");
        g.MapGet("/{period}/{category}/units/{unit}/explain", Explain).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound).RequireAuthorization(new AuthorizeAttribute { Roles = Readers + "," + Roles.Unit })
            .WithSummary("计算说明：公式、输入和数据来源 / how a score was computed: formula, inputs and the facts behind it");
    }

    private static async Task<Results<Ok<RankingDto>, ProblemHttpResult>> Ranking(string period, string category, ClaimsPrincipal user, KaoheDbContext db, ResultsStore store, ResultsAccess access,
        CancellationToken ct, string? group = null, string? unit = null)
    {
        if (Categories.Find(category) is null)
            return Problems.BadRequest($"category：未知的考核对象 {category}", $"category: unknown category {category}");
        var view = await store.CurrentAsync(db, period, category, ct);
        if (view is null) return Problems.NotFound($"period：考核期 {period} 不存在", $"period: period {period} does not exist");
        var grant = await access.RowsAsync(user, period, category, view, ct);
        if (!grant.All) return Problems.Forbidden(grant.ReasonZh ?? "无权查看", grant.ReasonEn ?? "not visible to you");
        if (view.NoScheme) return Problems.NotFound("该考核期和考核对象没有已启用的方案", "no active scheme for this period and category");
        var groups = view.Groups.Select(x => new RankingGroupDto(x.Name, x.Units.Count)).ToList();
        var source = view.Published is null ? "draft" : "published";
        var revision = view.Revision?.ToString();
        if (!view.Scored) return TypedResults.Ok(new RankingDto(period, category, source, view.Published?.Key, groups, null, [], view.Errors, revision));
        RankingGroup? selected;
        if (unit is not null)
        {
            selected = view.GroupOf(unit);
            if (selected is null) return Problems.NotFound($"unit：单位 {unit} 不在该考核对象中", $"unit: {unit} is not assessed in this category");
        }
        else if (group is not null)
        {
            selected = view.Group(group);
            if (selected is null) return Problems.NotFound($"group：没有排名组“{group}”", $"group: there is no ranking group \"{group}\"");
        }
        else selected = view.Groups.FirstOrDefault();
        var decimals = view.RankDecimals;
        var roots = view.Assessment!.Indicators.Select(i => i.Id).ToList();
        var rows = (selected?.Units ?? []).Select(u =>
        {
            var m = view.Margins[u.Id];
            return new RankingRowDto(u.Rank, u.Id, u.Name, Rounding.HalfAwayFromZero(u.Total, decimals), u.Adjustment, u.Grade,
                u.Commended, u.Criticized, u.Vetoed, m.Up, m.Down, roots.ToDictionary(r => r, r => u.Scores[r]));
        }).ToList();
        return TypedResults.Ok(new RankingDto(period, category, source, view.Published?.Key, groups, selected?.Name, rows, [], revision));
    }

    /// <summary>
    /// What the ranking page polls while it shows older results: ready once the current revision is
    /// computed on this instance. It never waits; asking starts (or joins) the computation, so a page
    /// polling another instance behind the proxy does not wait forever.
    /// </summary>
    private static async Task<Results<Ok<ResultsProgressDto>, ProblemHttpResult>> Progress(string period, string category, KaoheDbContext db, ResultsStore store, CancellationToken ct)
    {
        if (Categories.Find(category) is null)
            return Problems.BadRequest($"category：未知的考核对象 {category}", $"category: unknown category {category}");
        var read = await store.CurrentOrStaleAsync(db, period, category, TimeSpan.Zero, ct);
        if (read is null) return Problems.NotFound($"period：考核期 {period} 不存在", $"period: period {period} does not exist");
        return TypedResults.Ok(read.Progress is { } p
            ? new ResultsProgressDto(period, category, false, p.Phase.ToString(), p.Percent, read.Stale is not null)
            : new ResultsProgressDto(period, category, true, null, 100, false));
    }

    /// <summary>
    /// Server-sent events: an event <c>results</c> with the results' version now and after every change of
    /// the period's inputs (seen by <see cref="ResultsWatch"/>, so a change written through another instance
    /// arrives too), computed before it is announced so that the page's reload is quick; a comment every
    /// 15 s keeps proxies from closing the stream.
    /// </summary>
    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> Events(string period, string category, HttpContext http, ClaimsPrincipal user, KaoheDbContext db, ResultsStore store,
        ResultsAccess access, ResultsWatch watch, CancellationToken ct)
    {
        if (Categories.Find(category) is null)
            return Problems.BadRequest($"category：未知的考核对象 {category}", $"category: unknown category {category}");
        if (!await db.Periods.AnyAsync(p => p.Id == period, ct)) return Problems.NotFound($"period：考核期 {period} 不存在", $"period: period {period} does not exist");
        var grant = await access.RowsAsync(user, period, category, null, ct);
        if (!grant.All) return Problems.Forbidden(grant.ReasonZh ?? "无权查看", grant.ReasonEn ?? "not visible to you");
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no"; // nginx passes each event on at once
        await using var changes = watch.WatchAsync(period, ct).GetAsyncEnumerator(ct);
        var next = changes.MoveNextAsync().AsTask();
        try
        {
            while (true)
            {
                if (await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(15), ct)) != next)
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                    continue;
                }
                if (!await next) break;
                var view = await store.CurrentAsync(db, period, category, ct);
                var data = JsonSerializer.Serialize(new { version = view?.Version, published = view?.Published is not null, scored = view?.Scored == true });
                await http.Response.WriteAsync($"event: results\ndata: {data}\n\n", ct);
                await http.Response.Body.FlushAsync(ct);
                next = changes.MoveNextAsync().AsTask();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The page was closed.
        }
        return TypedResults.Empty;
    }

    private static async Task<Results<Ok<ExplainDto>, ProblemHttpResult>> Explain(string period, string category, string unit, ClaimsPrincipal user, KaoheDbContext db, ResultsStore store,
        ResultsAccess access, CancellationToken ct, string? node = null)
    {
        if (Categories.Find(category) is null)
            return Problems.BadRequest($"category：未知的考核对象 {category}", $"category: unknown category {category}");
        // Not visible and not there answer alike, so that a refusal does not confirm what exists.
        var found = await ExplanationQuery.FindAsync(store, access, user, db, period, category, unit, node, ct);
        if (found is null)
            return Problems.NotFound($"unit：没有 {period} {category} 中单位 {unit}{(node is null ? "" : " 指标 " + node)} 的计算说明，或无权查看",
                $"unit: no explanation of unit {unit}{(node is null ? "" : ", node " + node)} in {period} {category}, or not visible to you");
        var (draft, explanation, facts) = found.Value;
        var u = draft.ByUnit[unit];
        return TypedResults.Ok(new ExplainDto(period, category, unit, u.Name, u.Group, u.Rank, u.GroupSize, explanation,
            [.. facts.Select(f => new ExplainFactDto(f.Id, f.Kind.ToString(), f.Rater, f.Payload, f.Source, f.Author, f.RecordedAt, f.Status.ToString()))]));
    }
}
