using System.Globalization;
using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Features.Attachments;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Rectification;

public sealed record MilestoneDto(long Id, string Title, DateOnly Due, DateTimeOffset? DoneAt);

public sealed record EventDto(long Id, string Kind, string Note, string By, DateTimeOffset At, long? MilestoneId, IReadOnlyList<long> Evidence);

public sealed record ItemDto(long Id, string UnitId, string PeriodId, string Problem, string Source, string? SourceRef, long? FactId, string? IndicatorId,
    string Severity, string ResponsiblePerson, DateOnly Deadline, string Status, string DeadlineState, DateTimeOffset RaisedAt, DateTimeOffset? ClosedAt,
    string? ReturnReason, bool RequiresReinspection, long? PredecessorId, long? MergedIntoId, long? SplitFromId, IReadOnlyList<MilestoneDto> Roadmap);

public sealed record ItemDetailDto(ItemDto Item, IReadOnlyList<EventDto> Timeline, IReadOnlyList<AttachmentDto> SourcePhotos, IReadOnlyList<AttachmentDto> Evidence);

public sealed record NotificationDto(long Id, long? ItemId, string Title, string Body, DateTimeOffset CreatedAt, bool Read);

public sealed record MergeRequest(long TargetId, long[]? ItemIds);

public sealed record SplitRequest(string[]? Problems);

public sealed record MilestoneRequest(string? Title, DateOnly Due);

public sealed record PolicyRequest(bool Enabled, double PointsPerItem, double Cap);

public sealed record RectificationPolicyDto(string Category, bool Enabled, double PointsPerItem, double Cap);

/// <summary>Evidence of a rectification item (整改佐证, 复查照片): the unit sees its own items' files, the office all, an assessor the inspection items.</summary>
public sealed class RectificationAttachmentPolicy(IAuthorizationService authorization) : IAttachmentOwnerPolicy
{
    public string OwnerKind => Ledger.EvidenceOwner;

    public async Task<bool> CanReadAsync(ClaimsPrincipal user, string ownerId, KaoheDbContext db, CancellationToken ct) =>
        long.TryParse(ownerId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && await db.Set<RectificationItem>().AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ct) is { } item
            && await authorization.MayAsync(user, item, UnitOperations.Read);
}

/// <summary>/api/v1/rectification: the ledger (问题整改台账) as JSON, for apps and tests; the pages use the same <see cref="Ledger"/>.</summary>
public static class RectificationApi
{
    public static ItemDto Dto(RectificationItem i, Ledger ledger) => new(i.Id, i.UnitId, i.PeriodId, i.Problem, i.SourceKind, i.SourceRef, i.FactId, i.IndicatorId,
        i.Severity, i.ResponsiblePerson, i.Deadline, i.Status.ToString(), ledger.StateOf(i).ToString(), i.RaisedAt, i.ClosedAt, i.ReturnReason,
        i.RequiresReinspection, i.PredecessorId, i.MergedIntoId, i.SplitFromId,
        [.. i.Roadmap.OrderBy(m => m.Due).ThenBy(m => m.Id).Select(m => new MilestoneDto(m.Id, m.Title, m.Due, m.DoneAt))]);

    public static ProblemHttpResult Problem(Failure e) => e.ToProblem();

    public static void MapRectificationApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/rectification").RequireAuthorization(Policies.Staff);
        var ledger = g.MapGroup("").NotPeriodInputs("the rectification ledger");
        g.MapGet("/items", List).ProducesFailures(FailureKind.Invalid).WithSummary("问题整改台账（按角色和单位过滤）/ the ledger, scoped by role and unit");
        g.MapGet("/items/{id:long}", Get).ProducesFailures(FailureKind.NotFound);
        ledger.MapPost("/items", Create).ProducesFailures(FailureKind.Invalid).RequireAuthorization(Policies.Office).WithSummary("考核办录入整改事项 / raise an item by hand");
        ledger.MapPost("/raise", Raise).ProducesFailures(FailureKind.Invalid).RequireAuthorization(Policies.Office).WithSummary("生成整改事项（扣分问题、实地考核问题、通报批评）/ raise items for a period");
        ledger.MapPost("/items/{id:long}/actions", Act).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict, FailureKind.Unsupported).DisableAntiforgery()
            .WithSummary("办理：start / progress / submit / verify / return / reopen（JSON 或 multipart，可附佐证材料）");
        ledger.MapPost("/items/{id:long}/reinspection", Reinspect).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict).DisableAntiforgery().WithSummary("考核组上传复查照片 / an assessor's re-inspection photo");
        ledger.MapPost("/items/{id:long}/milestones", AddMilestone).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict);
        ledger.MapPut("/items/{id:long}/plan", Plan).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound).RequireAuthorization(Policies.Office);
        ledger.MapPost("/merge", Merge).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).WithSummary("合并重复事项 / merge duplicates");
        ledger.MapPost("/items/{id:long}/split", Split).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).WithSummary("拆分事项 / split a broad item");
        g.MapGet("/supervision", Supervise).RequireAuthorization(Policies.Office).WithSummary("督促指导 / supervision figures");
        g.MapGet("/bulletin-lines", BulletinLines).RequireAuthorization(Policies.Office);
        g.MapPost("/overdue-deductions", Deduct).ProducesFailures(FailureKind.Invalid, FailureKind.Conflict).RequireAuthorization(Policies.Office).WritesPeriodInputs(PeriodInput.Data, StageHandling.NextOpenPeriod)
            .WithSummary("逾期事项计入下一个仍在收集数据的季度扣分 / overdue items as deductions in the next period still collecting data");
        ledger.MapPut("/policies/{category}", SetPolicy).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound).RequireAuthorization(Policies.Office);
        g.MapGet("/export", Export).ProducesFile("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").ProducesFailures(FailureKind.Forbidden).WithSummary("导出问题整改台账 .xlsx / the ledger as .xlsx");
        api.MapGet("/notifications", Notifications).RequireAuthorization(Policies.Staff).WithSummary("站内提醒 / in-app notifications");
        api.MapPost("/notifications/{id:long}/read", MarkRead).ProducesFailures(FailureKind.NotFound).RequireAuthorization(Policies.Staff).NotPeriodInputs("a notification read");
    }

    private static async Task<Results<Ok<List<ItemDto>>, ProblemHttpResult>> List(ClaimsPrincipal user, KaoheDbContext db, Ledger ledger, string? period = null, string? unit = null,
        string? source = null, string? status = null, string? due = null)
    {
        var q = Query(RectificationItemAuthorization.VisibleTo(db, db.Set<RectificationItem>().AsNoTracking(), user), period, unit, source, status);
        if (q is null) return Problems.BadRequest($"状态“{status}”无效", $"status \"{status}\" is not a known status", new Dictionary<string, string[]> { ["status"] = [status ?? ""] });
        var list = await q.Include(i => i.Roadmap).OrderBy(i => i.Id).Take(5000).ToListAsync();
        var dtos = list.Select(i => Dto(i, ledger));
        if (due is not null) dtos = dtos.Where(d => string.Equals(d.DeadlineState, due, StringComparison.OrdinalIgnoreCase));
        return TypedResults.Ok(dtos.ToList());
    }

    /// <summary>The ledger's filters; null when the status is not one of <see cref="ItemStatus"/>.</summary>
    public static IQueryable<RectificationItem>? Query(IQueryable<RectificationItem> q, string? period, string? unit, string? source, string? status)
    {
        if (!string.IsNullOrEmpty(period)) q = q.Where(i => i.PeriodId == period);
        if (!string.IsNullOrEmpty(unit)) q = q.Where(i => i.UnitId == unit);
        if (!string.IsNullOrEmpty(source)) q = q.Where(i => i.SourceKind == source);
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<ItemStatus>(status, true, out var s)) return null;
            q = q.Where(i => i.Status == s);
        }
        return q;
    }

    private static async Task<Results<Ok<ItemDetailDto>, ProblemHttpResult>> Get(long id, ClaimsPrincipal user, KaoheDbContext db, Ledger ledger)
    {
        var item = await ledger.FindAsync(id, user);
        if (item is null) return Problems.NotFound($"整改事项 {id} 不存在或无权查看", $"rectification item {id} does not exist or is not visible to you");
        var events = await db.Set<RectificationEvent>().AsNoTracking().Where(e => e.ItemId == id).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync();
        var (photos, evidence) = await ledger.AttachmentsAsync(item);
        return TypedResults.Ok(new ItemDetailDto(Dto(item, ledger),
            [.. events.Select(e => new EventDto(e.Id, e.Kind, e.Note, e.By, e.At, e.MilestoneId, [.. e.EvidenceIds]))],
            [.. photos.Select(AttachmentsApi.Dto)], [.. evidence.Select(AttachmentsApi.Dto)]));
    }

    private static async Task<Results<Created<ItemDto>, ProblemHttpResult>> Create(Ledger.NewItem? body, Ledger ledger)
    {
        if (body is null) return Problems.BadRequest("请求体为空", "the request body is empty");
        var (item, error) = await ledger.CreateAsync(body);
        return error is not null ? Problem(error) : TypedResults.Created($"/api/v1/rectification/items/{item!.Id}", Dto(item, ledger));
    }

    private static async Task<Results<Ok<RaiseResult>, ProblemHttpResult>> Raise(string? period, KaoheDbContext db, Ledger ledger)
    {
        if (string.IsNullOrEmpty(period) || !await db.Periods.AnyAsync(p => p.Id == period))
            return Problems.BadRequest($"考核期“{period}”不存在", $"period \"{period}\" does not exist", new Dictionary<string, string[]> { ["period"] = [period ?? ""] });
        return TypedResults.Ok(await ledger.RaiseForPeriodAsync(period));
    }

    private static async Task<Results<Ok<ItemDetailDto>, ProblemHttpResult>> Act(long id, HttpRequest request, ClaimsPrincipal user, Ledger ledger)
    {
        Ledger.Step? step;
        var files = new List<Ledger.Upload>();
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            long? milestone = null;
            if (form["milestoneId"].ToString() is { Length: > 0 } m)
            {
                if (!long.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var mid))
                    return Problem(new(FailureKind.Invalid, $"节点编号“{m}”无效", $"milestoneId \"{m}\" is not a number", "milestoneId"));
                milestone = mid;
            }
            step = new Ledger.Step(form["action"].ToString(), NullIfEmpty(form["reason"]), NullIfEmpty(form["note"]), milestone);
            files.AddRange(form.Files.Select(f => new Ledger.Upload(f.OpenReadStream(), f.FileName)));
        }
        else if (!request.HasJsonContentType())
            // ReadFromJsonAsync throws InvalidOperationException on any other type: a client mistake, not a 500.
            return Problems.Problem(StatusCodes.Status415UnsupportedMediaType, Ui.T("不支持的内容类型", "Unsupported media type"),
                Ui.T("请以 application/json 或 multipart/form-data 提交", "send application/json or multipart/form-data"));
        else
        {
            try { step = await request.ReadFromJsonAsync<Ledger.Step>(); }
            catch (System.Text.Json.JsonException ex) { return Problems.BadRequest($"JSON 无效：{ex.Path}", $"invalid JSON at {ex.Path}", new Dictionary<string, string[]> { [ex.Path ?? "$"] = [ex.Message] }); }
            if (step is null) return Problems.BadRequest("请求体为空", "the request body is empty");
        }
        var error = await ledger.ActAsync(id, user, step, files);
        return error is not null ? Problem(error) : await Get(id, user, request.HttpContext.RequestServices.GetRequiredService<KaoheDbContext>(), ledger);
    }

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues v) => v.ToString() is { Length: > 0 } s ? s : null;

    private static async Task<Results<Ok<ItemDetailDto>, ProblemHttpResult>> Reinspect(long id, HttpRequest request, ClaimsPrincipal user, KaoheDbContext db, Ledger ledger)
    {
        if (!request.HasFormContentType) return Problems.BadRequest("请以 multipart/form-data 上传复查照片", "upload the photo as multipart/form-data");
        var form = await request.ReadFormAsync();
        var error = await ledger.ReinspectAsync(id, user, NullIfEmpty(form["note"]), [.. form.Files.Select(f => new Ledger.Upload(f.OpenReadStream(), f.FileName))]);
        return error is not null ? Problem(error) : await Get(id, user, db, ledger);
    }

    private static async Task<Results<Ok<ItemDetailDto>, ProblemHttpResult>> AddMilestone(long id, MilestoneRequest body, ClaimsPrincipal user, KaoheDbContext db, Ledger ledger)
    {
        var error = await ledger.AddMilestoneAsync(id, user, body.Title, body.Due);
        return error is not null ? Problem(error) : await Get(id, user, db, ledger);
    }

    private static async Task<Results<Ok<ItemDetailDto>, ProblemHttpResult>> Plan(long id, Ledger.PlanChange body, ClaimsPrincipal user, KaoheDbContext db, Ledger ledger)
    {
        var error = await ledger.PlanAsync(id, user, body);
        return error is not null ? Problem(error) : await Get(id, user, db, ledger);
    }

    private static async Task<Results<Ok<ItemDetailDto>, ProblemHttpResult>> Merge(MergeRequest body, ClaimsPrincipal user, KaoheDbContext db, Ledger ledger)
    {
        var error = await ledger.MergeAsync(body.TargetId, body.ItemIds ?? [], user);
        return error is not null ? Problem(error) : await Get(body.TargetId, user, db, ledger);
    }

    private static async Task<Results<Ok<IReadOnlyList<long>>, ProblemHttpResult>> Split(long id, SplitRequest body, ClaimsPrincipal user, Ledger ledger)
    {
        var (ids, error) = await ledger.SplitAsync(id, body.Problems ?? [], user);
        return error is not null ? Problem(error) : TypedResults.Ok(ids);
    }

    private static async Task<Ok<SupervisionView>> Supervise(Oversight oversight, string? period = null) => TypedResults.Ok(await oversight.SuperviseAsync(period));

    private static async Task<Ok<IReadOnlyList<string>>> BulletinLines(Oversight oversight, string period) => TypedResults.Ok(await oversight.ForBulletinAsync(period));

    private static async Task<Results<Ok<DeductionResult>, ProblemHttpResult>> Deduct(Oversight oversight, string period)
    {
        var (result, error) = await oversight.ApplyOverdueDeductionsAsync(period);
        return error is not null ? Problem(error) : TypedResults.Ok(result!);
    }

    private static async Task<Results<Ok<RectificationPolicyDto>, ProblemHttpResult>> SetPolicy(string category, PolicyRequest body, KaoheDbContext db, AuditLog audit)
    {
        if (Categories.Find(category) is null) return Problem(new(FailureKind.NotFound, $"考核类别“{category}”不存在", $"category \"{category}\" does not exist", "category"));
        if (body.PointsPerItem < 0) return Problem(new(FailureKind.Invalid, "每项扣分不能为负", "pointsPerItem may not be negative", "pointsPerItem"));
        if (body.Cap < 0) return Problem(new(FailureKind.Invalid, "扣分上限不能为负", "cap may not be negative", "cap"));
        var p = await db.Set<RectificationPolicy>().FirstOrDefaultAsync(x => x.Category == category);
        var old = p is null ? null : new { p.Enabled, p.PointsPerItem, p.Cap };
        if (p is null) db.Set<RectificationPolicy>().Add(p = new RectificationPolicy(category, body.Enabled, body.PointsPerItem, body.Cap));
        else p.Set(body.Enabled, body.PointsPerItem, body.Cap);
        audit.Record("rectification.policy", "rectification-policy", category, old, new { p.Enabled, p.PointsPerItem, p.Cap });
        await audit.SaveAsync();
        return TypedResults.Ok(new RectificationPolicyDto(p.Category, p.Enabled, p.PointsPerItem, p.Cap));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Export(ClaimsPrincipal user, Oversight oversight, string? period = null)
    {
        if (user.Role() is not (Roles.Office or Roles.Leader or Roles.Viewer)) return Problems.Forbidden("只有考核办和领导可以导出整改台账", "only the office and leaders may export the ledger");
        var bytes = await oversight.ExportAsync(period);
        return TypedResults.File(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"问题整改台账-{period ?? "全部"}.xlsx");
    }

    private static async Task<Ok<List<NotificationDto>>> Notifications(ClaimsPrincipal user, KaoheDbContext db, bool unread = false)
    {
        var q = NotificationAuthorization.VisibleTo(db.Set<Notification>().AsNoTracking(), user);
        if (unread) q = q.Where(n => n.ReadAt == null);
        var list = await q.OrderByDescending(n => n.Id).Take(500).ToListAsync();
        return TypedResults.Ok(list.Select(n => new NotificationDto(n.Id, n.ItemId, n.Title, n.Body, n.CreatedAt, n.ReadAt is not null)).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> MarkRead(long id, ClaimsPrincipal user, KaoheDbContext db, TimeProvider clock, IAuthorizationService authorization)
    {
        var n = await db.Set<Notification>().FirstOrDefaultAsync(x => x.Id == id);
        if (n is null || !await authorization.MayAsync(user, n, UnitOperations.Read)) return Problems.NotFound($"提醒 {id} 不存在", $"notification {id} does not exist");
        n.MarkRead(clock.GetUtcNow());
        await db.SaveChangesAsync();
        return TypedResults.NoContent();
    }
}
