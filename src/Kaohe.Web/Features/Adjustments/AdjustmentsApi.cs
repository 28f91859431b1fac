using System.Globalization;
using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Features.Attachments;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Adjustments;

public sealed record AdjustmentRuleDto(string Code, string Kind, string Source, string Name, double Points, double? MinPoints, double? MaxPoints,
    IReadOnlyList<FundUseBand>? Bands);

public sealed record AdjustmentEventDto(long Id, string Key, string PeriodId, string UnitId, string Rule, string Kind, double? Points, double? SpendingPercent,
    string Reason, string? DocumentRef, string Status, string RequestedBy, DateTimeOffset RequestedAt, string? DecidedBy, DateTimeOffset? DecidedAt,
    string? DecisionNote, long? FactId, string? FactPeriodId, string Source, IReadOnlyList<AttachmentDto> Evidence);

public sealed record DecideRequest(string? Note);

/// <summary>加扣分、一票否决、资金使用绩效 over the API (the pages use the same service).</summary>
public static class AdjustmentsApi
{
    public static IServiceCollection AddAdjustments(this IServiceCollection services)
    {
        services.AddScoped<AdjustmentService>();
        services.AddScoped<IAttachmentOwnerPolicy, AdjustmentAttachmentPolicy>();
        services.AddScoped<IAuthorizationHandler, AdjustmentAuthorization>();
        return services;
    }

    public static void MapAdjustmentsApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/adjustments");
        g.MapGet("/rules", Rules).ProducesFailures(FailureKind.Invalid).RequireAuthorization(Policies.Staff).WithSummary("加扣分规则表（方案）/ the scheme's adjustment rule table");
        g.MapGet("", List).RequireAuthorization(Policies.Staff).WithSummary("加扣分、一票否决事项 / adjustment and veto events");
        g.MapGet("/{id:long}", Get).ProducesFailures(FailureKind.NotFound).RequireAuthorization(Policies.Staff);
        g.MapPost("", Record).ProducesFailures(FailureKind.Invalid, FailureKind.Conflict).RequireAuthorization(Policies.Office).WritesPeriodInputs(PeriodInput.Data).DisableAntiforgery()
            .WithSummary("录入加扣分、资金使用绩效或一票否决申请（multipart：字段 + evidence 文件）/ record an event (multipart: fields + evidence files)");
        g.MapPost("/{id:long}/approve", (long id, DecideRequest? r, AdjustmentService s) => Decide(id, true, r, s)).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).WritesPeriodInputs(PeriodInput.Data)
            .WithSummary("批准一票否决（须另一名考核办人员）/ approve a veto (a second office account)");
        g.MapPost("/{id:long}/reject", (long id, DecideRequest? r, AdjustmentService s) => Decide(id, false, r, s)).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).WritesPeriodInputs(PeriodInput.Data)
            .WithSummary("不予批准一票否决 / reject a veto");
    }

    public static async Task<List<AdjustmentEventDto>> DtosAsync(KaoheDbContext db, IQueryable<AdjustmentEvent> query, CancellationToken ct = default)
    {
        var events = await query.OrderByDescending(e => e.Id).Take(1000).ToListAsync(ct);
        var keys = events.Select(e => e.Key).ToList();
        var files = (await db.Attachments.AsNoTracking().Where(a => a.OwnerKind == AdjustmentService.OwnerKind && keys.Contains(a.OwnerId)).OrderBy(a => a.Id).ToListAsync(ct))
            .ToLookup(a => a.OwnerId);
        var factIds = events.Where(e => e.FactId is not null).Select(e => e.FactId!.Value).ToList();
        var factPeriods = await db.Facts.AsNoTracking().Where(f => factIds.Contains(f.Id)).ToDictionaryAsync(f => f.Id, f => f.PeriodId, ct);
        return events.Select(e => new AdjustmentEventDto(e.Id, e.Key, e.PeriodId, e.UnitId, e.RuleCode, e.Kind.ToString(), e.Points, e.SpendingPercent, e.Reason,
            e.DocumentRef, e.Status.ToString(), e.RequestedBy, e.RequestedAt, e.DecidedBy, e.DecidedAt, e.DecisionNote, e.FactId,
            e.FactId is { } f ? factPeriods.GetValueOrDefault(f) : null, FactSources.Office, files[e.Key].Select(AttachmentsApi.Dto).ToList())).ToList();
    }

    private static async Task<Results<Ok<List<AdjustmentRuleDto>>, ProblemHttpResult>> Rules(string? period, string? category, AdjustmentService s)
    {
        if (period is null || category is null)
            return Problems.BadRequest("须指定 period 和 category", "period and category are required",
                new Dictionary<string, string[]> { [period is null ? "period" : "category"] = [Ui.T("必填", "required")] });
        var rules = await s.RulesAsync(period, category);
        return TypedResults.Ok(rules.Select(r => new AdjustmentRuleDto(r.Code, r.Kind.ToString(), r.Source, Ui.T(r.NameZh, r.NameEn), r.Points, r.MinPoints, r.MaxPoints,
            r.Kind == AdjustmentRuleKind.FundUse ? AdjustmentService.Bands(r) : null)).ToList());
    }

    private static async Task<Ok<List<AdjustmentEventDto>>> List(ClaimsPrincipal user, KaoheDbContext db, string? period = null, string? unit = null, string? status = null)
    {
        var q = db.Set<AdjustmentEvent>().AsNoTracking().VisibleTo(user);
        if (period is not null) q = q.Where(e => e.PeriodId == period);
        if (unit is not null) q = q.Where(e => e.UnitId == unit);
        if (Enum.TryParse<AdjustmentEventStatus>(status, true, out var st)) q = q.Where(e => e.Status == st);
        return TypedResults.Ok(await DtosAsync(db, q));
    }

    private static async Task<Results<Ok<AdjustmentEventDto>, ProblemHttpResult>> Get(long id, ClaimsPrincipal user, KaoheDbContext db, IAuthorizationService authorization)
    {
        var e = await db.Set<AdjustmentEvent>().AsNoTracking().FirstOrDefaultAsync(x => x.Id == id);
        List<AdjustmentEventDto> list = e is not null && await authorization.MayAsync(user, e, UnitOperations.Read) ? await DtosAsync(db, db.Set<AdjustmentEvent>().AsNoTracking().Where(x => x.Id == id)) : [];
        return list.Count == 0 ? Problems.NotFound($"事项 {id} 不存在或无权查看", $"event {id} does not exist or is not visible to you") : TypedResults.Ok(list[0]);
    }

    private static async Task<Results<Created<AdjustmentEventDto>, ProblemHttpResult>> Record(HttpRequest request, AdjustmentService s, KaoheDbContext db)
    {
        if (!request.HasFormContentType)
            return Problems.BadRequest("请以 multipart/form-data 提交（字段和 evidence 文件）", "send multipart/form-data (fields and evidence files)");
        var form = await request.ReadFormAsync();
        var errors = new Dictionary<string, string[]>();
        double? Number(string field)
        {
            var text = form[field].ToString();
            if (string.IsNullOrWhiteSpace(text)) return null;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)) return v;
            errors[field] = [Ui.T("须为数字", "must be a number")];
            return null;
        }
        var cmd = new RecordEvent(form["period"], form["unit"], form["rule"], Number("points"), Number("spendingPercent"), form["reason"], form["documentRef"]);
        if (errors.Count > 0) return Problems.BadRequest("请求有误，未保存", "the request is invalid; nothing was stored", errors);
        var uploads = form.Files.Where(f => f.Name == "evidence").Select(f => new Upload(f.OpenReadStream(), f.FileName)).ToList();
        try
        {
            var outcome = await s.RecordAsync(cmd, uploads);
            if (outcome.Failure is { } failure) return failure.ToProblem();
            var dto = (await DtosAsync(db, db.Set<AdjustmentEvent>().AsNoTracking().Where(e => e.Id == outcome.Event!.Id)))[0];
            return TypedResults.Created($"/api/v1/adjustments/{dto.Id}", dto);
        }
        finally
        {
            foreach (var u in uploads) await u.Content.DisposeAsync();
        }
    }

    private static async Task<Results<Ok<AdjustmentEventDto>, ProblemHttpResult>> Decide(long id, bool approve, DecideRequest? r, AdjustmentService s)
    {
        var outcome = await s.DecideAsync(id, approve, r?.Note);
        if (outcome.Failure is { } failure) return failure.ToProblem();
        var db = s.Db;
        return TypedResults.Ok((await DtosAsync(db, db.Set<AdjustmentEvent>().AsNoTracking().Where(e => e.Id == id)))[0]);
    }
}

/// <summary>Evidence of an adjustment or veto: visible to whoever may see the event.</summary>
public sealed class AdjustmentAttachmentPolicy(IAuthorizationService authorization) : IAttachmentOwnerPolicy
{
    public string OwnerKind => AdjustmentService.OwnerKind;

    public async Task<bool> CanReadAsync(ClaimsPrincipal user, string ownerId, KaoheDbContext db, CancellationToken ct) =>
        await db.Set<AdjustmentEvent>().AsNoTracking().FirstOrDefaultAsync(e => e.Key == ownerId, ct) is { } e
            && await authorization.MayAsync(user, e, UnitOperations.Read);
}
