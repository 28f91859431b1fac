using System.Globalization;
using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Features.Adjustments;
using Kaohe.Web.Features.Attachments;
using Kaohe.Web.Features.Publication;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Targets;

public sealed record LetterVersionDto(int Version, string IssuedBy, DateTimeOffset IssuedAt, string? ApprovedBy, string? ChangeReason);

public sealed record LetterChangeDto(long Id, int FromVersion, string Reason, string Status, string RequestedBy, DateTimeOffset RequestedAt, string? DecidedBy,
    string? DecisionNote, LetterContent Content);

public sealed record MilestoneDto(string Task, int Quarter, string Outcome, double Points, string? Note, string AssessedBy, DateTimeOffset AssessedAt,
    IReadOnlyList<AttachmentDto> Evidence);

/// <summary>
/// A letter as its reader may see it: the office the current text (a draft too) with the versions and
/// changes; everyone else the text last issued.
/// </summary>
public sealed record LetterDto(int Id, int Year, string Category, string UnitId, string UnitName, string Status, string StatusLabel, int Version,
    int? AcknowledgedVersion, string? AcknowledgedBy, DateTimeOffset? AcknowledgedAt, LetterContent Content, IReadOnlyList<LetterVersionDto> Versions,
    IReadOnlyList<LetterChangeDto> Changes, IReadOnlyList<MilestoneDto> Milestones, IReadOnlyList<QuarterWrite>? Quarters = null);

public sealed record SaveLetterRequest(int Year, string? Unit, List<TargetInput>? Targets, List<TaskInput>? Tasks, OutcomePoints? Points);

public sealed record ChangeLetterRequest(string? Reason, List<TargetInput>? Targets, List<TaskInput>? Tasks, OutcomePoints? Points);

/// <summary>目标责任书 over the API (the pages use the same service).</summary>
public static class TargetLettersApi
{
    public static IServiceCollection AddTargets(this IServiceCollection services)
    {
        services.AddScoped<TargetLetterService>();
        services.AddScoped<IAttachmentOwnerPolicy, MilestoneAttachmentPolicy>();
        services.AddScoped<IAuthorizationHandler, TargetLetterAuthorization>();
        services.AddScoped<IAuthorizationHandler, KeyTaskAuthorization>();
        return services;
    }

    public static void MapTargetLettersApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/target-letters");
        g.MapGet("", List).RequireAuthorization(Policies.Staff).WithSummary("目标责任书（按角色和单位过滤）/ target letters, scoped by role and unit");
        g.MapGet("/{id:int}", Get).ProducesFailures(FailureKind.NotFound).RequireAuthorization(Policies.Staff);
        g.MapGet("/{id:int}/docx", Docx).ProducesFile("application/vnd.openxmlformats-officedocument.wordprocessingml.document").ProducesFailures(FailureKind.NotFound).RequireAuthorization(Policies.Staff).WithSummary("下载目标责任书 .docx（已下达的版本）/ the letter as .docx (an issued version)");
        g.MapPost("", Save).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).NotPeriodInputs("a draft letter is not data; its targets are written when it is issued")
            .WithSummary("新建或修改目标责任书草稿（签收前）/ create or edit a letter's draft (before acknowledgement)");
        g.MapPost("/{id:int}/issue", (int id, TargetLetterService s, ClaimsPrincipal u) => Issue(id, s, u)).ProducesFailures(FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office)
            .WritesPeriodInputs(PeriodInput.Setup, StageHandling.OpenPeriodsOnly)
            .WithSummary("下达目标责任书，季度目标写入各季度（未公布的季度）/ issue the letter; quarter targets become data of the quarters still open");
        g.MapPost("/{id:int}/acknowledge", Acknowledge).ProducesFailures(FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Staff).NotPeriodInputs("签收 records who acknowledged; it changes no figure")
            .WithSummary("签收（本单位账号）/ acknowledge (the unit's own accounts)");
        g.MapPost("/{id:int}/changes", RequestChange).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).NotPeriodInputs("a requested change is not data until a second office account approves it")
            .WithSummary("提出目标责任书变更申请 / request a change to an acknowledged letter");
        g.MapPost("/changes/{id:long}/approve", (long id, DecideRequest? r, TargetLetterService s, ClaimsPrincipal u) => Decide(id, true, r, s, u)).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict)
            .RequireAuthorization(Policies.Office).WritesPeriodInputs(PeriodInput.Setup, StageHandling.OpenPeriodsOnly)
            .WithSummary("批准变更（须另一名考核办人员），生成新版本 / approve a change (a second office account): a new version");
        g.MapPost("/changes/{id:long}/reject", (long id, DecideRequest? r, TargetLetterService s, ClaimsPrincipal u) => Decide(id, false, r, s, u)).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict)
            .RequireAuthorization(Policies.Office).NotPeriodInputs("a rejected change leaves the letter and its figures as they are")
            .WithSummary("不予批准变更 / reject a change");
        g.MapPost("/{id:int}/milestones", Assess).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Staff).WritesPeriodInputs(PeriodInput.Data).DisableAntiforgery()
            .WithSummary("评价重点工作任务季度节点（multipart：task, quarter, outcome, note + evidence 文件）/ assess a milestone (multipart)");
    }

    /// <summary>The issued letters with a key task the division assesses.</summary>
    public static async Task<List<(TargetLetter Letter, LetterContent Content)>> AssignedToAsync(TargetLetterService s, string division, CancellationToken ct = default)
    {
        var result = new List<(TargetLetter, LetterContent)>();
        foreach (var l in await s.Db.TargetLetters.AsNoTracking().Where(l => l.Version > 0).OrderBy(l => l.Year).ThenBy(l => l.UnitId).ToListAsync(ct))
        {
            var c = await s.IssuedContentAsync(l, ct);
            if (c.Tasks.Any(t => t.Assessor == division)) result.Add((l, c));
        }
        return result;
    }

    public static async Task<LetterDto> DtoAsync(TargetLetterService s, TargetLetter l, ClaimsPrincipal user, IReadOnlyList<QuarterWrite>? quarters = null, CancellationToken ct = default)
    {
        var db = s.Db;
        var office = user.Role() == Roles.Office;
        var unit = await db.Units.AsNoTracking().Where(u => u.Id == l.UnitId).Select(u => Ui.IsEnglish ? u.NameEn : u.Name).FirstAsync(ct);
        var versions = await db.TargetLetterVersions.AsNoTracking().Where(v => v.LetterId == l.Id).OrderBy(v => v.Version)
            .Select(v => new LetterVersionDto(v.Version, v.IssuedBy, v.IssuedAt, v.ApprovedBy, v.ChangeReason)).ToListAsync(ct);
        var changes = office
            ? (await db.TargetLetterChanges.AsNoTracking().Where(c => c.LetterId == l.Id).OrderBy(c => c.Id).ToListAsync(ct))
                .Select(c => new LetterChangeDto(c.Id, c.FromVersion, c.Reason, c.Status.ToString(), c.RequestedBy, c.RequestedAt, c.DecidedBy, c.DecisionNote, LetterContent.Parse(c.Content))).ToList()
            : [];
        var assessments = await db.MilestoneAssessments.AsNoTracking().Where(a => a.LetterId == l.Id).OrderBy(a => a.TaskId).ThenBy(a => a.Quarter).ToListAsync(ct);
        var keys = assessments.Select(a => a.Key).ToList();
        var files = (await db.Attachments.AsNoTracking().Where(a => a.OwnerKind == TargetLetterService.OwnerKind && keys.Contains(a.OwnerId)).OrderBy(a => a.Id).ToListAsync(ct))
            .ToLookup(a => a.OwnerId);
        var content = office ? LetterContent.Parse(l.Content) : await s.IssuedContentAsync(l, ct);
        return new LetterDto(l.Id, l.Year, l.Category, l.UnitId, unit, l.Status.ToString(), Labels.Of(l.Status), l.Version,
            l.AcknowledgedVersion, l.AcknowledgedBy, l.AcknowledgedAt, content, versions, changes,
            assessments.Select(a => new MilestoneDto(a.TaskId, a.Quarter, a.Outcome.ToString(), a.Points, a.Note, a.AssessedBy, a.AssessedAt,
                files[a.Key].Select(AttachmentsApi.Dto).ToList())).ToList(), quarters);
    }

    private static async Task<Ok<List<LetterDto>>> List(ClaimsPrincipal user, TargetLetterService s, int? year = null, string? category = null, string? unit = null)
    {
        var q = s.Db.TargetLetters.AsNoTracking().VisibleTo(user);
        if (year is not null) q = q.Where(l => l.Year == year);
        if (category is not null) q = q.Where(l => l.Category == category);
        if (unit is not null) q = q.Where(l => l.UnitId == unit);
        var list = new List<LetterDto>();
        foreach (var l in await q.OrderBy(l => l.Year).ThenBy(l => l.Category).ThenBy(l => l.UnitId).Take(1000).ToListAsync()) list.Add(await DtoAsync(s, l, user));
        return TypedResults.Ok(list);
    }

    private static async Task<TargetLetter?> ReadableAsync(int id, ClaimsPrincipal user, TargetLetterService s)
    {
        var l = await s.Db.TargetLetters.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id);
        return l is not null && await s.Authorization.MayAsync(user, l, UnitOperations.Read) ? l : null;
    }

    private static ProblemHttpResult Missing(int id) => Problems.NotFound($"目标责任书 {id} 不存在或无权查看", $"target letter {id} does not exist or is not visible to you");

    private static async Task<Results<Ok<LetterDto>, ProblemHttpResult>> Get(int id, ClaimsPrincipal user, TargetLetterService s) =>
        await ReadableAsync(id, user, s) is { } l ? TypedResults.Ok(await DtoAsync(s, l, user)) : Missing(id);

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Docx(int id, ClaimsPrincipal user, TargetLetterService s, OfficeTime time, int? version = null)
    {
        if (await ReadableAsync(id, user, s) is not { } l) return Missing(id);
        var v = await s.Db.TargetLetterVersions.AsNoTracking().Where(x => x.LetterId == id && (version == null || x.Version == version))
            .OrderByDescending(x => x.Version).FirstOrDefaultAsync();
        if (v is null) return Problems.NotFound($"目标责任书 {id} 没有第 {version} 版（尚未下达）", $"target letter {id} has no version {version} (not issued)");
        var unit = await s.Db.Units.AsNoTracking().FirstAsync(u => u.Id == l.UnitId);
        var bytes = LetterDocument.Generate(new LetterHeader(Bulletins.Issuer, unit.Name, l.Year, v.Version, time.Date(v.IssuedAt), Categories.Name(l.Category, false)),
            LetterContent.Parse(v.Content));
        return TypedResults.File(bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            $"{l.Year}年度目标责任书-{unit.Name}-第{v.Version.ToString(CultureInfo.InvariantCulture)}版.docx");
    }

    private static async Task<Results<Ok<LetterDto>, ProblemHttpResult>> Save(SaveLetterRequest? r, TargetLetterService s, ClaimsPrincipal user)
    {
        if (r is null) return Problems.BadRequest("请求内容为空", "the request body is empty");
        var o = await s.SaveDraftAsync(r.Year, r.Unit, new LetterInput(r.Targets, r.Tasks, r.Points));
        return o.Failure is { } f ? f.ToProblem() : TypedResults.Ok(await DtoAsync(s, o.Letter!, user));
    }

    private static async Task<Results<Ok<LetterDto>, ProblemHttpResult>> Issue(int id, TargetLetterService s, ClaimsPrincipal user)
    {
        var o = await s.IssueAsync(id);
        return o.Failure is { } f ? f.ToProblem() : TypedResults.Ok(await DtoAsync(s, o.Letter!, user, o.Quarters));
    }

    private static async Task<Results<Ok<LetterDto>, ProblemHttpResult>> Acknowledge(int id, TargetLetterService s, ClaimsPrincipal user)
    {
        var o = await s.AcknowledgeAsync(id, user);
        return o.Failure is { } f ? f.ToProblem() : TypedResults.Ok(await DtoAsync(s, o.Letter!, user));
    }

    private static async Task<Results<Created<LetterChangeDto>, ProblemHttpResult>> RequestChange(int id, ChangeLetterRequest? r, TargetLetterService s)
    {
        if (r is null) return Problems.BadRequest("请求内容为空", "the request body is empty");
        var (c, f) = await s.RequestChangeAsync(id, new LetterInput(r.Targets, r.Tasks, r.Points), r.Reason);
        if (f is not null) return f.ToProblem();
        return TypedResults.Created($"/api/v1/target-letters/{id}",
            new LetterChangeDto(c!.Id, c.FromVersion, c.Reason, c.Status.ToString(), c.RequestedBy, c.RequestedAt, null, null, LetterContent.Parse(c.Content)));
    }

    private static async Task<Results<Ok<LetterDto>, ProblemHttpResult>> Decide(long id, bool approve, DecideRequest? r, TargetLetterService s, ClaimsPrincipal user)
    {
        var o = await s.DecideChangeAsync(id, approve, r?.Note);
        return o.Failure is { } f ? f.ToProblem() : TypedResults.Ok(await DtoAsync(s, o.Letter!, user, o.Quarters));
    }

    private static async Task<Results<Ok<LetterDto>, ProblemHttpResult>> Assess(int id, HttpRequest request, TargetLetterService s, ClaimsPrincipal user)
    {
        if (!request.HasFormContentType)
            return Problems.BadRequest("请以 multipart/form-data 提交（task, quarter, outcome, note 和 evidence 文件）", "send multipart/form-data (task, quarter, outcome, note and evidence files)");
        var form = await request.ReadFormAsync();
        if (!int.TryParse(form["quarter"], NumberStyles.None, CultureInfo.InvariantCulture, out var quarter))
            return Problems.BadRequest("请求有误，未保存", "the request is invalid; nothing was stored",
                new Dictionary<string, string[]> { ["quarter"] = [Ui.T("须为 1–4 的季度", "a quarter 1–4 is required")] });
        var uploads = form.Files.Where(f => f.Name == "evidence").Select(f => new Upload(f.OpenReadStream(), f.FileName)).ToList();
        try
        {
            var (_, failure) = await s.AssessAsync(id, form["task"], quarter, form["outcome"], form["note"], uploads, user);
            if (failure is not null) return failure.ToProblem();
            var l = await s.Db.TargetLetters.AsNoTracking().FirstAsync(x => x.Id == id);
            return TypedResults.Ok(await DtoAsync(s, l, user));
        }
        finally
        {
            foreach (var u in uploads) await u.Content.DisposeAsync();
        }
    }
}

/// <summary>Evidence of a milestone assessment: visible to whoever may read the letter.</summary>
public sealed class MilestoneAttachmentPolicy(TargetLetterService s) : IAttachmentOwnerPolicy
{
    public string OwnerKind => TargetLetterService.OwnerKind;

    public async Task<bool> CanReadAsync(ClaimsPrincipal user, string ownerId, KaoheDbContext db, CancellationToken ct)
    {
        var letterId = await db.MilestoneAssessments.AsNoTracking().Where(a => a.Key == ownerId).Select(a => (int?)a.LetterId).FirstOrDefaultAsync(ct);
        var letter = letterId is null ? null : await db.TargetLetters.AsNoTracking().FirstOrDefaultAsync(l => l.Id == letterId, ct);
        return letter is not null && await s.Authorization.MayAsync(user, letter, UnitOperations.Read);
    }
}
