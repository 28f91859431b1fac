using System.Security.Claims;
using System.Text.Json;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Publication;

public sealed record SnapshotDto(long Id, string Key, string PeriodId, string Category, int Version, string InputSha256, string ResultSha256,
    string PublishedBy, DateTimeOffset PublishedAt, long? Supersedes, string? ChangeNote, string Url, string FileUrl);

public sealed record AppealDto(long Id, string PeriodId, string Category, string UnitId, string? IndicatorId, long? FactId, string Reason, string SubmittedBy,
    DateTimeOffset SubmittedAt, string Status, string? Decision, string? DecidedBy, DateTimeOffset? DecidedAt);

public sealed record ReviewDto(string PeriodId, string PeriodStatus, string? State, DateOnly? OpensOn, DateOnly? ClosesOn, string? Reason);

public sealed record DraftRow(string Unit, string Name, string Group, double Total, int Rank, string? Grade, bool Vetoed, bool Commended, bool Criticized, double Adjustment,
    IReadOnlyDictionary<string, double> Scores);

public sealed record OpenWindowRequest(DateOnly? ClosesOn);
public sealed record SkipWindowRequest(string? Reason);
/// <summary>A publication: <paramref name="Revision"/> is the revision of the draft the office reviewed (the draft API and the publication page show it).</summary>
public sealed record PublishRequest(string? Revision, string? ChangeNote);
public sealed record AppealRequest(string? Period, string? Category, string? IndicatorId, long? FactId, string? Reason);
public sealed record DecisionRequest(bool Accept, string? Decision, double? Value, bool Withdraw = false);
public sealed record AnnualWeights(double? Q1, double? Q2, double? Q3, double? Q4, double? Leadership);

/// <summary>
/// Snapshots, the review window, publication, appeals and drafts under /api/v1. Published snapshots
/// are readable by every signed-in person, units included: the seed issues the bulletin to all
/// units, so published results are public within the system (docs/annual.md § Visibility).
/// </summary>
public static class PublicationApi
{

    public static void MapPublicationApi(this RouteGroupBuilder api)
    {
        api.MapGet("/snapshots", ListSnapshots).RequireAuthorization(Policies.Staff).WithSummary("已公布的结果快照 / published snapshots");
        api.MapGet("/snapshots/{id:long}", GetSnapshot).Produces<JsonElement>().ProducesFailures(FailureKind.NotFound).RequireAuthorization(Policies.Staff).WithSummary("快照及其结果 / a snapshot with its results");
        api.MapGet("/snapshots/{id:long}/file", GetFile).ProducesFile("application/json").ProducesFailures(FailureKind.NotFound).RequireAuthorization(Policies.Staff).WithSummary("快照的 v1 输入文件 / the snapshot's v1 input file");
        api.MapGet("/snapshots/{id:long}/changes", GetChanges).ProducesFailures(FailureKind.Forbidden, FailureKind.NotFound).RequireAuthorization(Policies.Staff).WithSummary("公布后变动的数据 / facts changed since publication");

        api.MapGet("/periods/{period}/review", GetReview).ProducesFailures(FailureKind.NotFound).RequireAuthorization(Policies.Staff);
        api.MapPost("/periods/{period}/review/open", Open).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).NotPeriodInputs(Stage).WithSummary("开启申诉复核期 / open the review window");
        api.MapPost("/periods/{period}/review/close", Close).ProducesFailures(FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).NotPeriodInputs(Stage);
        api.MapPost("/periods/{period}/review/skip", Skip).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).NotPeriodInputs(Stage);
        api.MapPost("/periods/{period}/categories/{category}/publish", Publish).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).NotPeriodInputs(Stage).WithSummary("公布（冻结快照）/ publish a snapshot");
        api.MapGet("/periods/{period}/categories/{category}/draft", GetDraft).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound).RequireAuthorization(Policies.Staff).WithSummary("结果草稿 / the draft results");

        api.MapGet("/annual/{year:int}/{category}/weights", GetWeights).ProducesFailures(FailureKind.NotFound).RequireAuthorization(Policies.Staff);
        api.MapPut("/annual/{year:int}/{category}/weights", SetWeights).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).WritesPeriodInputs(PeriodInput.Setup).WithSummary("年终考核权重 / the annual weights");

        api.MapGet("/appeals", ListAppeals).RequireAuthorization(Policies.Staff);
        api.MapPost("/appeals", Submit).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Staff).NotPeriodInputs("an appeal; its decision is the correction").WithSummary("提出申诉（被考核单位）/ appeal a score (units)");
        api.MapPost("/appeals/{id:long}/decision", Decide).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).WritesPeriodInputs(PeriodInput.Data, StageHandling.AppealCorrection).WithSummary("采纳或驳回申诉 / accept or reject an appeal");
    }

    /// <summary>Why the review and publication steps are not period inputs: they are the stage itself (Data/PeriodStages.cs).</summary>
    private const string Stage = "moves the stage (review window, publication)";

    public static SnapshotDto Dto(PublishedSnapshot s) => new(s.Id, s.Key, s.PeriodId, s.Category, s.Version, s.InputSha256, s.ResultSha256, s.PublishedBy, s.PublishedAt,
        s.Supersedes, s.ChangeNote, $"/api/v1/snapshots/{s.Id}", $"/api/v1/snapshots/{s.Id}/file");

    public static AppealDto Dto(Appeal a) => new(a.Id, a.PeriodId, a.Category, a.UnitId, a.IndicatorId, a.FactId, a.Reason, a.SubmittedBy, a.SubmittedAt,
        a.Status.ToString(), a.Decision, a.DecidedBy, a.DecidedAt);

    private static async Task<Ok<List<SnapshotDto>>> ListSnapshots(KaoheDbContext db, string? period = null, string? category = null)
    {
        var q = db.Snapshots.AsNoTracking();
        if (period is not null) q = q.Where(s => s.PeriodId == period);
        if (category is not null) q = q.Where(s => s.Category == category);
        var list = await q.OrderBy(s => s.PeriodId).ThenBy(s => s.Category).ThenBy(s => s.Version)
            .Select(s => new SnapshotDto(s.Id, s.Key, s.PeriodId, s.Category, s.Version, s.InputSha256, s.ResultSha256, s.PublishedBy, s.PublishedAt, s.Supersedes,
                s.ChangeNote, "/api/v1/snapshots/" + s.Id, "/api/v1/snapshots/" + s.Id + "/file")).ToListAsync();
        return TypedResults.Ok(list);
    }

    private static ProblemHttpResult Missing(long id) => Problems.NotFound($"快照 {id} 不存在", $"snapshot {id} does not exist");

    /// <summary>The snapshot document itself (meta, hashes, input and result), byte for byte as stored.</summary>
    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetSnapshot(long id, KaoheDbContext db)
    {
        var s = await db.Snapshots.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id);
        return s is null ? Missing(id) : TypedResults.Text(s.Document, "application/json", System.Text.Encoding.UTF8);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetFile(long id, KaoheDbContext db)
    {
        var s = await db.Snapshots.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id);
        if (s is null) return Missing(id);
        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(Snapshots.InputText(s)), "application/json", $"{s.Key}.input.json");
    }

    private static async Task<Results<Ok<IReadOnlyList<ChangedFact>>, ProblemHttpResult>> GetChanges(long id, ClaimsPrincipal user, KaoheDbContext db, ResultsStore store)
    {
        if (!ResultReaders.ReadsAll(user)) return Problems.Forbidden("无权查看草稿数据", "you may not see draft data");
        var s = await db.Snapshots.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id);
        if (s is null) return Missing(id);
        return TypedResults.Ok(await ChangesSince(s, db, store));
    }

    public sealed record ChangedFact(string Key, string Unit, string? Indicator, string? Rater, string What, string? Published, string? Current, IReadOnlyList<long> FactIds);

    /// <summary>Which data differ now from what the snapshot published, compared by value, with the facts behind each.</summary>
    public static async Task<IReadOnlyList<ChangedFact>> ChangesSince(PublishedSnapshot s, KaoheDbContext db, ResultsStore store, CancellationToken ct = default)
    {
        var draft = await store.DraftAsync(db, s.PeriodId, s.Category, ct);
        var published = (await store.SnapshotAsync(db, s.Id, ct))?.Assessment;
        if (draft?.Assessment is null || published is null) return [];
        var changes = SnapshotDiff.Inputs(published, draft.Assessment);
        var units = changes.Select(c => c.Unit).Distinct().ToList();
        var facts = await db.Facts.AsNoTracking().Where(f => (f.PeriodId == s.PeriodId) && units.Contains(f.UnitId)).ToListAsync(ct);
        return changes.Select(c => new ChangedFact(c.Key, c.Unit, c.Indicator, c.Rater, c.What, c.Before, c.After,
            facts.Where(f => f.UnitId == c.Unit && c.What switch
            {
                "value" => f.IndicatorId == c.Indicator && (c.Rater is null || f.Rater == c.Rater),
                "adjustment" => f.Kind == FactKind.Adjustment,
                "veto" => f.Kind == FactKind.Veto,
                _ => false,
            }).Select(f => f.Id).ToList())).ToList();
    }

    private static async Task<Results<Ok<ReviewDto>, ProblemHttpResult>> GetReview(string period, KaoheDbContext db)
    {
        var p = await db.Periods.AsNoTracking().FirstOrDefaultAsync(x => x.Id == period);
        if (p is null) return Problems.NotFound($"考核期 {period} 不存在", $"period {period} does not exist");
        var w = await db.Set<ReviewWindow>().AsNoTracking().FirstOrDefaultAsync(x => x.PeriodId == period);
        return TypedResults.Ok(new ReviewDto(period, p.Status.ToString(), w?.State.ToString(), w?.OpensOn, w?.ClosesOn, w?.Reason));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Open(string period, OpenWindowRequest body, Publisher publisher) =>
        body.ClosesOn is not { } closes
            ? Problems.BadRequest("请填写截止日期 closesOn", "closesOn is required", new Dictionary<string, string[]> { ["closesOn"] = [Ui.T("必填", "required")] })
            : await publisher.OpenWindowAsync(period, closes) is { } r ? r.ToProblem() : TypedResults.NoContent();

    private static async Task<Results<NoContent, ProblemHttpResult>> Close(string period, Publisher publisher) =>
        await publisher.CloseWindowAsync(period) is { } r ? r.ToProblem() : TypedResults.NoContent();

    private static async Task<Results<NoContent, ProblemHttpResult>> Skip(string period, SkipWindowRequest body, Publisher publisher) =>
        await publisher.SkipWindowAsync(period, body.Reason) is { } r ? r.ToProblem() : TypedResults.NoContent();

    private static async Task<Results<Created<SnapshotDto>, ProblemHttpResult>> Publish(string period, string category, PublishRequest? body, Publisher publisher)
    {
        var (s, refusal) = await publisher.PublishAsync(period, category, body?.Revision, body?.ChangeNote);
        return refusal is not null ? refusal.ToProblem() : TypedResults.Created($"/api/v1/snapshots/{s!.Id}", Dto(s));
    }

    /// <summary>The draft, as far as this person may see it now (docs/visibility.md): all units, or a unit's own row from the review window.</summary>
    /// <remarks>The draft's revision, which a publication names, is the response's <c>ETag</c>.</remarks>
    private static async Task<Results<Ok<List<DraftRow>>, ProblemHttpResult>> GetDraft(string period, string category, ClaimsPrincipal user, HttpContext http, KaoheDbContext db, ResultsStore store, ResultsAccess access)
    {
        if (Categories.Find(category) is null) return Problems.BadRequest($"category：未知的考核对象 {category}", $"category: unknown category {category}");
        var grant = await access.RowsAsync(user, period, category);
        if (!grant.Any) return Problems.Forbidden(grant.ReasonZh ?? "无权查看结果草稿", grant.ReasonEn ?? "you may not see draft results");
        var draft = await store.DraftAsync(db, period, category);
        if (draft is null || draft.NoScheme) return Problems.NotFound("该考核期和考核对象没有已启用的方案", "no active scheme for this period and category");
        if (!draft.Scored) return Problems.Invalid(draft.Errors);
        var rows = draft.Units.Where(u => grant.Sees(u.Id))
            .Select(u => new DraftRow(u.Id, u.Name, u.Group, u.Total, u.Rank, u.Grade, u.Vetoed, u.Commended, u.Criticized, u.Adjustment,
                u.Scores.ToDictionary(kv => kv.Key, kv => kv.Value))).ToList();
        if (draft.Revision is { } r) http.Response.Headers.ETag = $"\"{r}\"";
        return TypedResults.Ok(rows);
    }

    private static async Task<Results<Ok<AnnualWeights>, ProblemHttpResult>> GetWeights(int year, string category, KaoheDbContext db)
    {
        var s = await db.Set<AnnualSetting>().AsNoTracking().FirstOrDefaultAsync(x => x.Year == year && x.Category == category);
        return s is null ? Problems.NotFound($"{year} 年 {category} 尚未设置年终考核权重", $"no annual weights for {year} {category}")
            : TypedResults.Ok(new AnnualWeights(s.Q1, s.Q2, s.Q3, s.Q4, s.Leadership));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SetWeights(int year, string category, AnnualWeights body, Publisher publisher) =>
        await publisher.SetAnnualWeightsAsync(year, category, body.Q1, body.Q2, body.Q3, body.Q4, body.Leadership) is { } r ? r.ToProblem() : TypedResults.NoContent();

    private static async Task<Ok<List<AppealDto>>> ListAppeals(ClaimsPrincipal user, KaoheDbContext db, string? period = null)
    {
        var q = AppealAuthorization.VisibleTo(db.Set<Appeal>().AsNoTracking(), user);
        if (period is not null) q = q.Where(a => a.PeriodId == period);
        var list = await q.OrderBy(a => a.Id).ToListAsync();
        return TypedResults.Ok(list.Select(Dto).ToList());
    }

    private static async Task<Results<Created<AppealDto>, ProblemHttpResult>> Submit(AppealRequest body, ClaimsPrincipal user, Appeals appeals)
    {
        var (a, refusal) = await appeals.SubmitAsync(user, body.Period, body.Category, body.IndicatorId, body.FactId, body.Reason, []);
        return refusal is not null ? refusal.ToProblem() : TypedResults.Created($"/api/v1/appeals/{a!.Id}", Dto(a));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Decide(long id, DecisionRequest body, Publisher publisher) =>
        await publisher.DecideAsync(id, body.Accept, body.Decision, body.Value, body.Withdraw) is { } r ? r.ToProblem() : TypedResults.NoContent();

    internal static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}
