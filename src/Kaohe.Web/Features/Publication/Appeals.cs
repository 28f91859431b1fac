using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Features.Attachments;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Publication;

/// <summary>申诉: a unit contests one of its own scores while the review window is open.</summary>
public sealed class Appeals(KaoheDbContext db, AuditLog audit, IAttachmentStore store, TimeProvider clock)
{
    public const string OwnerKind = "appeal";

    public sealed record Evidence(Stream Content, string FileName);

    public async Task<(Appeal? Appeal, Failure? Failure)> SubmitAsync(ClaimsPrincipal user, string? periodId, string? category, string? indicatorId, long? factId,
        string? reason, IReadOnlyList<Evidence> evidence, CancellationToken ct = default)
    {
        if (user.Role() != Roles.Unit || user.UnitId() is not { } unitId)
            return (null, new Failure(FailureKind.Forbidden, "只有被考核单位可以申诉", "only a unit can appeal"));
        if (string.IsNullOrWhiteSpace(periodId)) return (null, Failure.Invalid("请选择考核期", "period is required", "period"));
        if (string.IsNullOrWhiteSpace(reason)) return (null, Failure.Invalid("请写明申诉理由", "reason is required", "reason"));
        var unit = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == unitId, ct);
        var cat = Categories.Of(unit?.Kind);
        if (unit is null || cat is null) return (null, Failure.NotFound("单位不存在", "unit not found"));
        if (category is not null && category != cat.Code) return (null, Failure.Invalid("只能对本单位所属类别申诉", "you can only appeal in your own category", "category"));
        var window = await db.Set<ReviewWindow>().AsNoTracking().FirstOrDefaultAsync(w => w.PeriodId == periodId, ct);
        if (window is not { State: ReviewState.Open })
            return (null, Failure.Conflict("该考核期的申诉复核期未开启，不能申诉", "the review window of this period is not open; appeals are closed", "period"));
        if (factId is { } fid && !await db.Facts.AnyAsync(f => f.Id == fid && f.UnitId == unitId && f.PeriodId == periodId, ct))
            return (null, Failure.Invalid($"数据 {fid} 不是本单位本期的数据", $"fact {fid} is not one of your unit's facts of this period", "factId"));
        if (reason.Length > 4000) return (null, Failure.Invalid("申诉理由不能超过4000字", "the reason is longer than 4000 characters", "reason"));
        var appeal = new Appeal(periodId, cat.Code, unitId, string.IsNullOrWhiteSpace(indicatorId) ? null : indicatorId.Trim(), factId, reason.Trim(),
            user.Identity?.Name ?? "", clock.GetUtcNow());
        db.Add(appeal);
        var files = new List<Attachment>();
        UploadRules.CheckTypes(evidence.Select(e => e.FileName));
        foreach (var e in evidence)
        {
            var a = await store.SaveAsync(e.Content, e.FileName, user.Identity?.Name ?? "", OwnerKind, "pending", ct);
            files.Add(a);
            db.Attachments.Add(a);
        }
        // The owner id is the appeal's, known once saved.
        audit.Record("appeal.submit", "appeal", () => appeal.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
            new { appeal.PeriodId, appeal.Category, appeal.UnitId, appeal.IndicatorId, appeal.FactId, appeal.Reason, evidence = files.Select(f => f.Sha256) });
        await audit.SaveAsync(ct);
        if (files.Count > 0)
        {
            foreach (var f in files) f.AssignOwner(OwnerKind, appeal.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await db.SaveChangesAsync(ct);
        }
        return (appeal, null);
    }
}

/// <summary>Evidence of an appeal: the office, leaders, viewers and the appealing unit.</summary>
public sealed class AppealAttachmentPolicy(IAuthorizationService authorization) : IAttachmentOwnerPolicy
{
    public string OwnerKind => Appeals.OwnerKind;

    public async Task<bool> CanReadAsync(ClaimsPrincipal user, string ownerId, KaoheDbContext db, CancellationToken ct) =>
        long.TryParse(ownerId, out var id) && await db.Set<Appeal>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct) is { } appeal
            && await authorization.MayAsync(user, appeal, UnitOperations.Read);
}
