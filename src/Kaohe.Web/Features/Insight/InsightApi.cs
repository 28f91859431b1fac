using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Insight;

public sealed record BoundsRequest(double? WeightShare, double? RaterShare, int? Samples, int? Seed, double? CloseCallPoints);
public sealed record WhatIfPreviewRequest(string? Period, string? Category, WhatIfChanges? Changes);
public sealed record WhatIfCreateRequest(string? Period, string? Category, string? Name);
public sealed record WhatIfEditRequest(string? Name, WhatIfChanges? Changes);
public sealed record WhatIfDto(long Id, string PeriodId, string Category, int BaseSchemeId, string Name, string CreatedBy, DateTimeOffset UpdatedAt, int? SavedAsSchemeId);
public sealed record WhatIfDetail(WhatIfDto Sandbox, JsonElement Document, WhatIfComparison? Comparison, IReadOnlyList<Kaohe.Scoring.ValidationError> Errors);
public sealed record PracticeRequest(string? Period, string? Title, string? Body);
public sealed record CurateRequest(bool? Accept, string? Title, string? Body, string? Tags, string? Note);
public sealed record CauseAnalysisRequest(string? Period, string? Causes, List<Commitment>? Commitments);
public sealed record CommentRequest(string? Period, string? Unit, string? Text);
/// <summary>The draft scheme version a sandbox was saved as.</summary>
public sealed record SavedSchemeVersion(int Id, string Category, string Period, int Version, string Status);

/// <summary>/api/v1/insight: rankings with margins and robustness, what-if sandboxes, practices, cause analyses, leader comments, dashboards.</summary>
public static class InsightApi
{
    /// <summary>Who may read rankings (as the results pages): the office, leaders, viewers and scoring divisions.</summary>
    public const string Overviewers = $"{Roles.Office},{Roles.Leader}";

    public static IServiceCollection AddInsight(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddScoped<RankingService>();
        services.AddScoped<WhatIfService>();
        services.AddScoped<PracticeLibrary>();
        services.AddScoped<CauseAnalyses>();
        services.AddScoped<LeaderComments>();
        services.AddScoped<DashboardService>();
        services.AddScoped<InsightReads>();
        services.AddSingleton<Analyses>();
        return services;
    }

    public static void MapInsightApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/insight").NotPeriodInputs("analysis, sandboxes (draft schemes), practices, cause analyses and comments");
        var readers = new AuthorizeAttribute { Roles = ResultReaders.Roles };
        var office = new AuthorizeAttribute { Policy = Policies.Office };
        g.MapGet("/rankings", Rankings).RequireAuthorization(readers).WithSummary("排名、分差与稳定性 / ranking with margins and stability")
            .WithDescription(Computed).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict);
        g.MapGet("/robustness/{period}", GetBounds).ProducesFailures(FailureKind.Invalid).RequireAuthorization(readers);
        g.MapPut("/robustness/{period}", PutBounds).ProducesFailures(FailureKind.Invalid).RequireAuthorization(office).WithSummary("扰动范围 / the office's perturbation bounds");
        g.MapPost("/whatif/preview", Preview).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(office).WithSummary("测算（不保存）/ what-if preview, writes nothing");
        g.MapGet("/whatif", ListSandboxes).RequireAuthorization(office);
        g.MapPost("/whatif", CreateSandbox).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound).RequireAuthorization(office);
        g.MapGet("/whatif/{id:long}", GetSandbox).ProducesFailures(FailureKind.NotFound).RequireAuthorization(office);
        g.MapPut("/whatif/{id:long}", EditSandbox).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound).RequireAuthorization(office);
        g.MapPost("/whatif/{id:long}/save-as-version", SaveAsVersion).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound).RequireAuthorization(office).WithSummary("另存为方案新版本（草稿）/ save as a new draft scheme version");
        g.MapGet("/practices", Practices).RequireAuthorization(Policies.Staff).WithSummary("经验做法库 / the good-practice library");
        g.MapPost("/practices", SubmitPractice).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.Conflict).RequireAuthorization(Policies.Staff);
        g.MapPost("/practices/{id:long}/curate", Curate).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound).RequireAuthorization(office);
        g.MapGet("/cause-analyses", CauseAnalysesList).ProducesFailures(FailureKind.Forbidden).RequireAuthorization(Policies.Staff);
        g.MapPost("/cause-analyses", SubmitCauseAnalysis).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.Conflict).RequireAuthorization(Policies.Staff).WithSummary("原因剖析与整改承诺 / cause analysis and commitments");
        g.MapGet("/comments", Comments).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden).RequireAuthorization(Policies.Staff);
        g.MapPost("/comments", AddComment).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden).RequireAuthorization(Policies.Staff).WithSummary("领导点评 / a leader's comment");
        g.MapGet("/dashboard", Dashboard).RequireAuthorization(new AuthorizeAttribute { Roles = Overviewers }).WithSummary("图表数据 / dashboard data")
            .WithDescription(Computed).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden);
    }

    private const string Computed =
        "计算在后台进行（与页面共用一次计算）：已算好时 200；尚在计算时 202，正文为进度，Retry-After 秒后请再次请求 Location（同一地址）。 / "
        + "Computed in the background, shared with the page: 200 once ready; 202 with the progress while it computes: ask the Location (the same URL) again after Retry-After seconds.";

    /// <summary>Seconds an API client waits before asking again for an analysis under way (the page's script polls every 0.7–2 s).</summary>
    private const int RetryAfterSeconds = 2;

    /// <summary>202: the analysis is computing; the same URL answers 200 once it is ready.</summary>
    private static Accepted<AnalysisPending> Pending(HttpContext http, AnalysisProgress progress)
    {
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Accepted(http.Request.PathBase + http.Request.Path + http.Request.QueryString, AnalysisPending.Of(progress));
    }

    /// <summary>The period asked for, or the one being collected, or the latest.</summary>
    public static async Task<string?> PeriodOrCurrent(KaoheDbContext db, string? period, CancellationToken ct = default)
    {
        if (!string.IsNullOrWhiteSpace(period)) return await db.Periods.AnyAsync(p => p.Id == period, ct) ? period : null;
        return await Features.Periods.CurrentPeriod.CollectingAsync(db, ct)
            ?? await db.Periods.OrderByDescending(p => p.Year).ThenByDescending(p => p.Quarter).Select(p => p.Id).FirstOrDefaultAsync(ct);
    }

    private static ProblemHttpResult NoPeriod(string? period) =>
        new Failure(FailureKind.Invalid, $"考核期 \"{period}\" 不存在", $"period \"{period}\" does not exist", "period").ToProblem();

    private static ProblemHttpResult Failure(WhatIfFailure f) => f.Errors.Count > 0
        ? Problems.Problem(f.Status, Ui.T(f.Zh, f.En), f.Errors.GroupBy(e => e.Path).ToDictionary(x => x.Key, x => x.Select(e => Ui.T(e.Zh, e.En)).ToArray()))
        : Problems.Problem(f.Status, Ui.T(f.Zh, f.En));

    private static async Task<Results<Ok<RankingView>, Accepted<AnalysisPending>, ProblemHttpResult>> Rankings(ClaimsPrincipal user, HttpContext http, KaoheDbContext db,
        RankingService rankings, InsightReads reads, Analyses analyses, string? period, string? category, bool? stability, CancellationToken ct)
    {
        var p = await PeriodOrCurrent(db, period, ct);
        if (p is null) return NoPeriod(period);
        if (Categories.Find(category ?? "housing") is not { } cat) return new Failure(FailureKind.Invalid, $"类别 \"{category}\" 不存在", $"category \"{category}\" does not exist", "category").ToProblem();
        var (read, hidden) = await reads.RankingAsync(user, p, cat.Code, await rankings.BoundsAsync(p, ct), stability ?? true, analyses.PageWait, ct);
        if (hidden is not null) return Problems.Forbidden(hidden, hidden);
        if (read!.Progress is { } progress) return Pending(http, progress);
        var r = read.Value!.Outcome;
        if (r.Hidden is { } shut) return Problems.Forbidden(shut, shut);
        if (r.NoScheme) return Problems.NotFound("该考核期和考核对象没有已启用的方案", "no active scheme for this period and category");
        if (r.View is null) return Failure(new WhatIfFailure("数据尚不完整，暂不能计算", "the data is not complete yet; the results cannot be computed", r.Errors, 409));
        return TypedResults.Ok(r.View);
    }

    private static async Task<Results<Ok<RobustnessBounds>, ProblemHttpResult>> GetBounds(KaoheDbContext db, RankingService rankings, string period, CancellationToken ct) =>
        await db.Periods.AnyAsync(p => p.Id == period, ct) ? TypedResults.Ok(await rankings.BoundsAsync(period, ct)) : NoPeriod(period);

    private static async Task<Results<Ok<RobustnessBounds>, ProblemHttpResult>> PutBounds(KaoheDbContext db, AuditLog audit, TimeProvider clock, string period, BoundsRequest body, CancellationToken ct)
    {
        if (!await db.Periods.AnyAsync(p => p.Id == period, ct)) return NoPeriod(period);
        var d = RobustnessBounds.Default;
        var fields = new Dictionary<string, string[]>();
        double w = body.WeightShare ?? d.WeightShare, r = body.RaterShare ?? d.RaterShare, close = body.CloseCallPoints ?? d.CloseCallPoints;
        int samples = body.Samples ?? d.Samples, seed = body.Seed ?? d.Seed;
        if (!double.IsFinite(w) || w is < 0 or > 0.5) fields["weightShare"] = [Ui.T("权重扰动幅度须在 0 到 0.5（±50%）之间", "must be between 0 and 0.5 (±50%)")];
        if (!double.IsFinite(r) || r is < 0 or > 0.5) fields["raterShare"] = [Ui.T("评分扰动幅度须在 0 到 0.5（±50%）之间", "must be between 0 and 0.5 (±50%)")];
        if (samples is < 0 or > RobustnessSetting.MaxSamples) fields["samples"] = [Ui.T($"抽样次数须在 0 到 {RobustnessSetting.MaxSamples} 之间", $"must be between 0 and {RobustnessSetting.MaxSamples}")];
        if (!double.IsFinite(close) || close is < 0 or > 10) fields["closeCallPoints"] = [Ui.T("临界分差须在 0 到 10 分之间", "must be between 0 and 10 points")];
        if (fields.Count > 0) return Problems.BadRequest("扰动范围有误，未保存", "the bounds are invalid; nothing was stored", fields);
        var setting = await db.Set<RobustnessSetting>().FirstOrDefaultAsync(s => s.PeriodId == period, ct);
        var old = setting is null ? null : RobustnessBounds.Of(setting);
        if (setting is null) db.Set<RobustnessSetting>().Add(setting = new RobustnessSetting(period, w, r, samples, seed, close, audit.Actor, clock.GetUtcNow()));
        else setting.Change(w, r, samples, seed, close, audit.Actor, clock.GetUtcNow());
        audit.Record("robustness.bounds", "period", period, old, RobustnessBounds.Of(setting));
        await audit.SaveAsync(ct);
        return TypedResults.Ok(RobustnessBounds.Of(setting));
    }

    private static async Task<Results<Ok<WhatIfComparison>, ProblemHttpResult>> Preview(KaoheDbContext db, WhatIfService whatIf, WhatIfPreviewRequest body, CancellationToken ct)
    {
        var p = await PeriodOrCurrent(db, body.Period, ct);
        if (p is null) return NoPeriod(body.Period);
        var category = body.Category ?? "housing";
        if (Categories.Find(category) is null) return new Failure(FailureKind.Invalid, $"类别 \"{category}\" 不存在", $"category \"{category}\" does not exist", "category").ToProblem();
        var scheme = await db.Schemes.AsNoTracking().Where(s => s.PeriodId == p && s.Category == category && s.Status == SchemeStatus.Active)
            .OrderByDescending(s => s.Version).FirstOrDefaultAsync(ct);
        if (scheme is null) return Problems.NotFound("该考核期和考核对象没有已启用的方案", "no active scheme for this period and category");
        var document = WhatIfService.Apply(scheme.Document, p, body.Changes ?? new(), out var errors);
        if (errors.Count > 0) return Failure(new WhatIfFailure("调整有误", "the changes are invalid", errors));
        var (comparison, failure) = await whatIf.CompareAsync(p, category, document, ct);
        return failure is not null ? Failure(failure) : TypedResults.Ok(comparison!);
    }

    private static WhatIfDto Dto(WhatIfSandbox s) => new(s.Id, s.PeriodId, s.Category, s.BaseSchemeId, s.Name, s.CreatedBy, s.UpdatedAt, s.SavedAsSchemeId);

    private static async Task<Ok<List<WhatIfDto>>> ListSandboxes(KaoheDbContext db, string? period, CancellationToken ct)
    {
        var q = db.Set<WhatIfSandbox>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(period)) q = q.Where(s => s.PeriodId == period);
        var list = await q.OrderByDescending(s => s.Id).Take(200).ToListAsync(ct);
        return TypedResults.Ok(list.Select(Dto).ToList());
    }

    private static async Task<Results<Created<WhatIfDto>, ProblemHttpResult>> CreateSandbox(KaoheDbContext db, WhatIfService whatIf, WhatIfCreateRequest body, CancellationToken ct)
    {
        var p = await PeriodOrCurrent(db, body.Period, ct);
        if (p is null) return NoPeriod(body.Period);
        var (sandbox, failure) = await whatIf.CreateAsync(p, body.Category ?? "", body.Name, ct);
        return failure is not null ? Failure(failure) : TypedResults.Created($"/api/v1/insight/whatif/{sandbox!.Id}", Dto(sandbox));
    }

    private static async Task<Ok<WhatIfDetail>> Detail(WhatIfService whatIf, WhatIfSandbox s, CancellationToken ct)
    {
        var (comparison, failure) = await whatIf.CompareAsync(s.PeriodId, s.Category, s.Document, ct);
        using var doc = JsonDocument.Parse(s.Document);
        return TypedResults.Ok(new WhatIfDetail(Dto(s), doc.RootElement.Clone(), comparison, failure?.Errors ?? []));
    }

    private static async Task<Results<Ok<WhatIfDetail>, ProblemHttpResult>> GetSandbox(KaoheDbContext db, WhatIfService whatIf, long id, CancellationToken ct)
    {
        var s = await db.Set<WhatIfSandbox>().AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        return s is null ? Problems.NotFound("沙盘不存在", "no such sandbox") : await Detail(whatIf, s, ct);
    }

    private static async Task<Results<Ok<WhatIfDetail>, ProblemHttpResult>> EditSandbox(WhatIfService whatIf, long id, WhatIfEditRequest body, CancellationToken ct)
    {
        var (sandbox, failure) = await whatIf.EditAsync(id, body.Name, body.Changes ?? new(), ct);
        return failure is not null ? Failure(failure) : await Detail(whatIf, sandbox!, ct);
    }

    private static async Task<Results<Created<SavedSchemeVersion>, ProblemHttpResult>> SaveAsVersion(WhatIfService whatIf, long id, CancellationToken ct)
    {
        var (scheme, failure) = await whatIf.SaveAsSchemeVersionAsync(id, ct);
        return failure is not null ? Failure(failure)
            : TypedResults.Created($"/api/v1/schemes/{scheme!.Id}", new SavedSchemeVersion(scheme.Id, scheme.Category, scheme.PeriodId, scheme.Version, scheme.Status.ToString()));
    }

    private static async Task<Ok<IReadOnlyList<PracticeDto>>> Practices(ClaimsPrincipal user, PracticeLibrary library, string? q, string? period, string? status, CancellationToken ct) =>
        TypedResults.Ok(await library.SearchAsync(user, q, period, status, ct));

    private static async Task<Results<Created<PracticeDto>, ProblemHttpResult>> SubmitPractice(ClaimsPrincipal user, PracticeLibrary library, PracticeRequest body, CancellationToken ct)
    {
        var (practice, error) = await library.SubmitAsync(user, body.Period, body.Title, body.Body, ct);
        return error is not null ? error.ToProblem() : TypedResults.Created($"/api/v1/insight/practices/{practice!.Id}", practice);
    }

    private static async Task<Results<Ok<PracticeDto>, ProblemHttpResult>> Curate(PracticeLibrary library, long id, CurateRequest body, CancellationToken ct)
    {
        if (body.Accept is null) return new Failure(FailureKind.Invalid, "请选择采纳或不采纳", "accept (true or false) is required", "accept").ToProblem();
        var (practice, error) = await library.CurateAsync(id, body.Accept.Value, body.Title, body.Body, body.Tags, body.Note, ct);
        return error is not null ? error.ToProblem() : TypedResults.Ok(practice!);
    }

    private static async Task<Results<Ok<IReadOnlyList<CauseAnalysisDto>>, ProblemHttpResult>> CauseAnalysesList(ClaimsPrincipal user, CauseAnalyses analyses, string? period, string? unit, CancellationToken ct)
    {
        if (user.IsInRole(Roles.Unit) && unit is not null && unit != user.UnitId())
            return new Failure(FailureKind.Forbidden, "只能查看本单位的原因剖析", "you may only read your own unit's cause analysis").ToProblem();
        return TypedResults.Ok(await analyses.ListAsync(user, period, unit, ct));
    }

    private static async Task<Results<Created<CauseAnalysisDto>, ProblemHttpResult>> SubmitCauseAnalysis(ClaimsPrincipal user, CauseAnalyses analyses, CauseAnalysisRequest body, CancellationToken ct)
    {
        var (analysis, error) = await analyses.SubmitAsync(user, body.Period, body.Causes, body.Commitments, ct);
        return error is not null ? error.ToProblem() : TypedResults.Created($"/api/v1/insight/cause-analyses?period={analysis!.PeriodId}&unit={analysis.UnitId}", analysis);
    }

    private static async Task<Results<Ok<IReadOnlyList<CommentDto>>, ProblemHttpResult>> Comments(ClaimsPrincipal user, LeaderComments comments, string? period, string? unit, CancellationToken ct)
    {
        var (list, error) = await comments.ListAsync(user, period, unit, ct);
        return error is not null ? error.ToProblem() : TypedResults.Ok(list!);
    }

    private static async Task<Results<Created<CommentDto>, ProblemHttpResult>> AddComment(ClaimsPrincipal user, LeaderComments comments, CommentRequest body, CancellationToken ct)
    {
        var (comment, error) = await comments.AddAsync(user, body.Period, body.Unit, body.Text, ct);
        return error is not null ? error.ToProblem() : TypedResults.Created($"/api/v1/insight/comments?unit={comment!.UnitId}", comment);
    }

    private static async Task<Results<Ok<DashboardData>, Accepted<AnalysisPending>, ProblemHttpResult>> Dashboard(ClaimsPrincipal user, HttpContext http, KaoheDbContext db,
        InsightReads reads, Analyses analyses, string? period, string? category, CancellationToken ct)
    {
        var p = await PeriodOrCurrent(db, period, ct);
        if (p is null) return NoPeriod(period);
        if (Categories.Find(category ?? "housing") is not { } cat) return new Failure(FailureKind.Invalid, $"类别 \"{category}\" 不存在", $"category \"{category}\" does not exist", "category").ToProblem();
        var read = await reads.OverviewAsync(user, p, cat.Code, analyses.PageWait, ct);
        return read.Progress is { } progress ? Pending(http, progress) : TypedResults.Ok(read.Value!);
    }

    internal static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
