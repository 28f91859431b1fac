using System.Globalization;
using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Jobs;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Collection;

public sealed record DraftBody(double? Value, double? Target);
public sealed record DraftsBody(List<DraftItem>? Items);
/// <summary>One row to save: a leaf (<c>indicator</c>, with <c>target</c> where it takes one) or a base figure (<c>measure</c>, e.g. <c>inv</c>).</summary>
public sealed record DraftItem(string? Indicator, double? Value, double? Target, string? Measure = null);
public sealed record ReturnBody(string? Reason);

/// <summary>批量核验: the reports to verify, all or none.</summary>
public sealed record VerifyManyBody(long[]? Ids);
public sealed record ScoresBody(List<ScoreInput>? Scores);
public sealed record AssignmentBody(string? Kind, string? Assignee, string? Unit, string? Indicator, string? Rater);
public sealed record AssignmentDto(long Id, string PeriodId, string Kind, string Assignee, string UnitId, string IndicatorId, string? Rater);
/// <summary>提交填报: how many reports were submitted, and whether after the deadline.</summary>
public sealed record ReportSubmitted(int Submitted, bool Late);
public sealed record VerifyManyResult(int Verified);
public sealed record SheetImported(int Imported);

/// <summary>The collection workflows under /api/v1/collection: 填报, 审核, 多方评, 领导评价, 进度, 分工, and their .xlsx sheets.</summary>
public static class CollectionApi
{
    public static IServiceCollection AddCollection(this IServiceCollection services)
    {
        services.AddScoped<Reporting>();
        services.AddScoped<IAuthorizationHandler, UnitReportAuthorization>();
        services.AddScoped<Scoring>();
        services.AddScoped<Progress>();
        services.AddScoped<CollectionSheets>();
        services.AddScoped<FactImport>();
        services.AddJob<FactImport>(FactImport.JobKind);
        return services;
    }

    public static void MapCollectionApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/collection").RequireAuthorization(Policies.Staff);
        g.MapGet("/{period}/report", Sheet).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound).WithSummary("单位填报表 / a unit's report sheet");
        g.MapPut("/{period}/report/{indicator}", SaveDraft).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict).WritesPeriodInputs(PeriodInput.Data).WithSummary("保存草稿 / save a draft");
        g.MapPut("/{period}/report", SaveDrafts).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict).WritesPeriodInputs(PeriodInput.Data).WithSummary("批量保存草稿（全部或全不）/ save several drafts, all or nothing");
        g.MapPost("/{period}/report/{indicator}/evidence", AddEvidence).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict, FailureKind.TooLarge, FailureKind.Unsupported).WritesPeriodInputs(PeriodInput.Data).DisableAntiforgery().WithSummary("上传佐证材料 / upload evidence");
        g.MapPost("/{period}/report/submit", Submit).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict).WritesPeriodInputs(PeriodInput.Data).WithSummary("提交填报（锁定）/ submit the report (locks it)");
        g.MapGet("/{period}/verification", Queue).ProducesFailures(FailureKind.Forbidden).WithSummary("待审核 / reports awaiting verification");
        g.MapPost("/facts/{id:long}/verify", Verify).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict).WritesPeriodInputs(PeriodInput.Data).WithSummary("审核通过 / verify a report");
        g.MapPost("/facts/verify", VerifyMany).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict).WritesPeriodInputs(PeriodInput.Data).WithSummary("批量审核通过（全部或全不）/ verify several reports, all or nothing");
        g.MapPost("/facts/{id:long}/return", Return).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict).WritesPeriodInputs(PeriodInput.Data).WithSummary("退回（须说明理由）/ return a report with a reason");
        g.MapGet("/{period}/scoring", DivisionSheet).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound).WithSummary("处室评分表 / a division's scoring sheet");
        g.MapPut("/{period}/scoring", SaveDivisionScores).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict).WritesPeriodInputs(PeriodInput.Score).WithSummary("处室评分（全部或全不）/ a division's scores, all or nothing");
        g.MapGet("/{period}/leader", LeaderSheet).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound).WithSummary("厅领导评价表 / a leader's sheet");
        g.MapPut("/{period}/leader", SaveLeaderScores).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict).WritesPeriodInputs(PeriodInput.Score).WithSummary("厅领导评价 / a leader's ratings, all or nothing");
        g.MapPost("/{period}/close-scoring", Close).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).NotPeriodInputs("moves the stage (ScoringClosure)").WithSummary("结束评分 / close scoring");
        g.MapGet("/{period}/progress", Board).ProducesFailures(FailureKind.NotFound).RequireAuthorization(Policies.Office).WithSummary("完成进度 / completeness board");
        g.MapGet("/{period}/assignments", Assignments).RequireAuthorization(Policies.Office).WithSummary("评分分工 / assignments");
        g.MapPost("/{period}/assignments", AddAssignment).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).NotPeriodInputs("set-up: who scores, not a score").WithSummary("新增分工 / add an assignment");
        g.MapDelete("/assignments/{id:long}", DeleteAssignment).ProducesFailures(FailureKind.NotFound).RequireAuthorization(Policies.Office).NotPeriodInputs("set-up: who scores, not a score").WithSummary("删除分工 / remove an assignment");
        g.MapGet("/{period}/{sheet}/xlsx", Template).ProducesFile(CollectionSheets.ContentType).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound).WithSummary("下载 Excel 模板 / download the sheet as an .xlsx template");
        g.MapPost("/{period}/{sheet}/xlsx", Import).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict, FailureKind.TooLarge, FailureKind.Unsupported).WritesPeriodInputs(PeriodInput.Data).WritesPeriodInputs(PeriodInput.Score).DisableAntiforgery().WithSummary("导入 Excel（全部或全不）/ upload the .xlsx sheet, all or nothing");
    }

    private static Results<Ok<T>, ProblemHttpResult> Done<T>(Failure? e, T? ok) where T : class => e is not null ? e.ToProblem() : TypedResults.Ok(ok!);

    private static Results<NoContent, ProblemHttpResult> Done(Failure? e) => e is not null ? e.ToProblem() : TypedResults.NoContent();

    private static string UnitOf(ClaimsPrincipal user, string? unit) => unit ?? user.UnitId() ?? "";

    private static async Task<Results<Ok<ReportSheet>, ProblemHttpResult>> Sheet(string period, string? unit, ClaimsPrincipal user, Reporting r, CancellationToken ct)
    {
        var (sheet, e) = await r.SheetAsync(user, period, UnitOf(user, unit), ct);
        return Done(e, sheet);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SaveDraft(string period, string indicator, DraftBody body, ClaimsPrincipal user, Reporting r, CancellationToken ct) =>
        Done(await r.SaveDraftAsync(user, period, UnitOf(user, null), indicator, new ReportValue(body.Value, body.Target), "", ct));

    private static async Task<Results<NoContent, ProblemHttpResult>> SaveDrafts(string period, DraftsBody body, ClaimsPrincipal user, Reporting r, CancellationToken ct)
    {
        if (body.Items is not { Count: > 0 } items) return Failure.Invalid("没有要保存的数据", "there is nothing to save", "items").ToProblem();
        return Done(await r.SaveDraftsAsync(user, period, UnitOf(user, null),
            [.. items.Select((x, i) => (x.Measure ?? x.Indicator ?? "", new ReportValue(x.Value, x.Target, x.Measure is not null), $"items[{i}]"))], ct));
    }

    private static async Task<Results<Created<EvidenceDto>, ProblemHttpResult>> AddEvidence(string period, string indicator, IFormFile? file, ClaimsPrincipal user, Reporting r, CancellationToken ct)
    {
        if (file is null) return Failure.Invalid("请选择要上传的文件", "choose a file to upload", "file").ToProblem();
        await using var s = file.OpenReadStream();
        var (ev, e) = await r.AddEvidenceAsync(user, period, UnitOf(user, null), indicator, s, file.FileName, ct);
        return e is not null ? e.ToProblem() : TypedResults.Created(ev!.Url, ev);
    }

    private static async Task<Results<Ok<ReportSubmitted>, ProblemHttpResult>> Submit(string period, ClaimsPrincipal user, Reporting r, CancellationToken ct)
    {
        var (n, late, e) = await r.SubmitAsync(user, period, UnitOf(user, null), ct);
        return Done(e, new ReportSubmitted(n, late));
    }

    private static async Task<Results<Ok<List<QueueRow>>, ProblemHttpResult>> Queue(string period, ClaimsPrincipal user, Reporting r, CancellationToken ct) =>
        user.Role() is Roles.Office or Roles.Division
            ? TypedResults.Ok(await r.QueueAsync(user, period, ct))
            : Failure.Forbidden("只有考核办和评分处室审核填报数据", "only the office and scoring divisions verify reports").ToProblem();

    private static async Task<Results<NoContent, ProblemHttpResult>> Verify(long id, ClaimsPrincipal user, Reporting r, CancellationToken ct) => Done(await r.ReviewAsync(user, id, true, null, ct));

    private static async Task<Results<Ok<VerifyManyResult>, ProblemHttpResult>> VerifyMany(VerifyManyBody body, ClaimsPrincipal user, Reporting r, CancellationToken ct)
    {
        var (n, e) = await r.VerifyManyAsync(user, body.Ids, ct);
        return e is not null ? e.ToProblem() : TypedResults.Ok(new VerifyManyResult(n));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Return(long id, ReturnBody body, ClaimsPrincipal user, Reporting r, CancellationToken ct) =>
        Done(await r.ReviewAsync(user, id, false, body.Reason, ct));

    private static async Task<Results<Ok<ScoreSheet>, ProblemHttpResult>> DivisionSheet(string period, string? division, ClaimsPrincipal user, Scoring s, CancellationToken ct)
    {
        var (sheet, e) = await s.DivisionSheetAsync(user, period, division, ct);
        return Done(e, sheet);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SaveDivisionScores(string period, ScoresBody body, ClaimsPrincipal user, Scoring s, CancellationToken ct) =>
        Done(await s.SaveDivisionScoresAsync(user, period, body.Scores ?? [], ct));

    private static async Task<Results<Ok<LeaderSheet>, ProblemHttpResult>> LeaderSheet(string period, string? leader, ClaimsPrincipal user, Scoring s, CancellationToken ct)
    {
        var (sheet, e) = await s.LeaderSheetAsync(user, period, leader, ct);
        return Done(e, sheet);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SaveLeaderScores(string period, ScoresBody body, ClaimsPrincipal user, Scoring s, CancellationToken ct) =>
        Done(await s.SaveLeaderScoresAsync(user, period, body.Scores ?? [], ct));

    private static async Task<Results<NoContent, ProblemHttpResult>> Close(string period, ClaimsPrincipal user, Scoring s, CancellationToken ct) => Done(await s.CloseAsync(user, period, ct));

    private static async Task<Results<Ok<ProgressBoard>, ProblemHttpResult>> Board(string period, Progress p, CancellationToken ct) =>
        await p.BoardAsync(period, ct) is { } board ? TypedResults.Ok(board) : Failure.NotFound($"考核期 {period} 不存在", $"period {period} does not exist").ToProblem();

    private static AssignmentDto Dto(Assignment a) => new(a.Id, a.PeriodId, a.Kind.ToString(), a.Assignee, a.UnitId, a.IndicatorId, a.Rater);

    private static async Task<Ok<List<AssignmentDto>>> Assignments(string period, KaoheDbContext db, CancellationToken ct) =>
        TypedResults.Ok((await db.Assignments.AsNoTracking().Where(a => a.PeriodId == period).OrderBy(a => a.Kind).ThenBy(a => a.Assignee)
            .ThenBy(a => a.IndicatorId).ThenBy(a => a.UnitId).ToListAsync(ct)).Select(Dto).ToList());

    /// <summary>Adds one assignment after checking that the assignee, unit and indicator exist and fit together.</summary>
    public static async Task<(Assignment? Assignment, Failure? Error)> AddAssignmentAsync(KaoheDbContext db, AuditLog audit, string period, AssignmentBody body, CancellationToken ct)
    {
        if (!await db.Periods.AnyAsync(p => p.Id == period, ct)) return (null, Failure.NotFound($"考核期 {period} 不存在", $"period {period} does not exist"));
        AssignmentKind kind;
        if (body.Kind is null || !Enum.TryParse(body.Kind, true, out kind) || !Enum.IsDefined(kind))
            return (null, Failure.Invalid("kind 须为 division 或 leader", "kind must be division or leader", "kind"));
        var unit = body.Unit is null ? null : await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == body.Unit, ct);
        if (unit is null) return (null, Failure.Invalid($"单位 {body.Unit} 不存在", $"unit {body.Unit} does not exist", "unit"));
        var leaves = await SchemeLeaves.LoadAsync(db, period, ct);
        var leaf = body.Indicator is null ? null : leaves.Find(SchemeLeaves.CategoryOf(unit.Kind) ?? "", body.Indicator);
        if (leaf is null) return (null, Failure.Invalid($"指标 {body.Indicator} 不是该单位本期方案的末级指标", $"indicator {body.Indicator} is not a leaf of the unit's scheme in this period", "indicator"));
        string? rater = body.Rater;
        if (kind == AssignmentKind.Division)
        {
            var division = body.Assignee is null ? null : await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == body.Assignee && u.Kind == UnitKind.Division, ct);
            if (division is null) return (null, Failure.Invalid($"处室 {body.Assignee} 不存在", $"division {body.Assignee} does not exist", "assignee"));
            // A division is itself assessed (the divisions' scheme): it never scores itself.
            if (division.Id == unit.Id)
                return (null, Failure.Invalid($"处室 {division.Id} 不能给本处室评分（不得自评）", $"division {division.Id} may not score itself", "assignee"));
            if (leaf.Owner == SlotOwner.Leader) return (null, Failure.Invalid("领导评价指标只能分配给厅领导", "a leadership indicator is assigned to leaders", "indicator"));
            if (leaf.Method is Kaohe.Scoring.RatersMethod rm)
            {
                rater ??= division.Id;
                if (rm.Raters.All(r => r.Id != rater)) return (null, Failure.Invalid($"评价方 {rater} 不在指标 {leaf.Id} 的评价方中", $"rater {rater} is not one of indicator {leaf.Id}'s raters", "rater"));
            }
            else if (rater is not null) return (null, Failure.Invalid("只有多方评指标有评价方", "only a raters indicator has raters", "rater"));
        }
        else
        {
            var leader = body.Assignee is null ? null : await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.UserName == body.Assignee && u.Role == Roles.Leader, ct);
            if (leader is null) return (null, Failure.Invalid($"厅领导账号 {body.Assignee} 不存在", $"leader account {body.Assignee} does not exist", "assignee"));
            if (leaf.Owner != SlotOwner.Leader) return (null, Failure.Invalid($"指标 {leaf.Id} 不是领导评价指标", $"indicator {leaf.Id} is not a leadership indicator", "indicator"));
            rater = leader.RaterId;
        }
        if (await db.Assignments.AnyAsync(a => a.PeriodId == period && a.Kind == kind && a.Assignee == body.Assignee && a.UnitId == unit.Id && a.IndicatorId == leaf.Id, ct))
            return (null, Failure.Conflict("该分工已存在", "this assignment already exists"));
        var assignment = new Assignment(period, kind, body.Assignee!, unit.Id, leaf.Id, rater);
        db.Assignments.Add(assignment);
        audit.Record("assignment.add", "assignment", () => assignment.Id.ToString(CultureInfo.InvariantCulture), null, Dto(assignment));
        await audit.SaveAsync(ct);
        return (assignment, null);
    }

    private static async Task<Results<Created<AssignmentDto>, ProblemHttpResult>> AddAssignment(string period, AssignmentBody body, KaoheDbContext db, AuditLog audit, CancellationToken ct)
    {
        var (a, e) = await AddAssignmentAsync(db, audit, period, body, ct);
        return e is not null ? e.ToProblem() : TypedResults.Created($"/api/v1/collection/{period}/assignments", Dto(a!));
    }

    public static async Task<Failure?> DeleteAssignmentAsync(KaoheDbContext db, AuditLog audit, long id, CancellationToken ct)
    {
        var a = await db.Assignments.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (a is null) return Failure.NotFound($"分工 {id} 不存在", $"assignment {id} does not exist");
        db.Assignments.Remove(a);
        audit.Record("assignment.remove", "assignment", id.ToString(CultureInfo.InvariantCulture), Dto(a), null);
        await audit.SaveAsync(ct);
        return null;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAssignment(long id, KaoheDbContext db, AuditLog audit, CancellationToken ct) =>
        Done(await DeleteAssignmentAsync(db, audit, id, ct));

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Template(string period, string sheet, string? unit, ClaimsPrincipal user, CollectionSheets sheets, CancellationToken ct)
    {
        var (bytes, name, e) = await sheets.ExportAsync(user, period, sheet, unit, ct);
        return e is not null ? e.ToProblem() : TypedResults.File(bytes!, CollectionSheets.ContentType, name);
    }

    private static async Task<Results<Ok<SheetImported>, ProblemHttpResult>> Import(string period, string sheet, IFormFile? file, ClaimsPrincipal user, CollectionSheets sheets, CancellationToken ct)
    {
        if (file is null) return Failure.Invalid("请选择 .xlsx 文件", "choose an .xlsx file", "file").ToProblem();
        await using var s = file.OpenReadStream();
        var (count, e) = await sheets.ImportAsync(user, period, sheet, file.FileName, s, ct);
        return e is not null ? e.ToProblem() : TypedResults.Ok(new SheetImported(count));
    }
}
