using System.Globalization;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Adjustments;

/// <summary>The office's input for one event: a bonus, deduction, veto request or fund-use result.</summary>
public sealed record RecordEvent(string? Period, string? Unit, string? Rule, double? Points, double? SpendingPercent, string? Reason, string? DocumentRef);

/// <summary>An uploaded evidence file (佐证材料).</summary>
public sealed record Upload(Stream Content, string FileName);

public sealed record EventOutcome(AdjustmentEvent? Event, Failure? Failure)
{
    public static implicit operator EventOutcome(AdjustmentEvent e) => new(e, null);
    public static implicit operator EventOutcome(Failure f) => new(null, f);
}

/// <summary>A fund-use band: from <see cref="Min"/> percent of spending progress up, <see cref="Points"/>.</summary>
public sealed record FundUseBand(double Min, double Points);

/// <summary>
/// 加扣分 and 一票否决 as the seed has them (加扣分项: praise or criticism by national ministries or the
/// regional Party committee and government adds or deducts points; a major accident is an annual
/// one-vote veto), and 资金使用绩效 (points by spending progress). Points always come from the rule
/// table of the unit's scheme; the engine applies the caps of the scheme's rules.
/// </summary>
public sealed class AdjustmentService(KaoheDbContext db, AuditLog audit, IAttachmentStore store, TimeProvider clock)
{
    public const string OwnerKind = "adjustment";

    public KaoheDbContext Db => db;

    public static IReadOnlyList<FundUseBand> Bands(AdjustmentRule rule) =>
        rule.Bands is null ? [] : JsonSerializer.Deserialize<List<FundUseBand>>(rule.Bands, FactPayload.Json) ?? [];

    /// <summary>The points of a fund-use rule for a spending progress: the first band (best first) whose minimum it reaches.</summary>
    public static double? FundUsePoints(AdjustmentRule rule, double percent) =>
        Bands(rule).OrderByDescending(b => b.Min).FirstOrDefault(b => percent >= b.Min)?.Points;

    public static Categories.Category? CategoryOf(OrgUnit unit) => Categories.Of(unit.Kind);

    public Task<List<AdjustmentRule>> RulesAsync(string period, string category, CancellationToken ct = default) =>
        db.Set<AdjustmentRule>().AsNoTracking().Where(r => r.PeriodId == period && r.Category == category)
            .OrderBy(r => r.Order).ThenBy(r => r.Id).ToListAsync(ct);

    /// <summary>
    /// Records an event with its evidence. A bonus, deduction or fund-use result is approved at once
    /// and becomes a verified adjustment fact; a veto stays pending until a second office account decides.
    /// </summary>
    public async Task<EventOutcome> RecordAsync(RecordEvent r, IReadOnlyList<Upload> evidence, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, Message[]>();
        void Err(string field, string zh, string en) => errors[field] = [new(zh, en)];

        var period = string.IsNullOrWhiteSpace(r.Period) ? null : await db.Periods.AsNoTracking().FirstOrDefaultAsync(p => p.Id == r.Period, ct);
        if (period is null) Err("period", $"考核期 \"{r.Period}\" 不存在", $"period \"{r.Period}\" does not exist");
        var unit = string.IsNullOrWhiteSpace(r.Unit) ? null : await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == r.Unit, ct);
        var category = unit is null ? null : CategoryOf(unit);
        if (unit is null || category is null) Err("unit", $"被考核单位 \"{r.Unit}\" 不存在", $"unit \"{r.Unit}\" does not exist");
        AdjustmentRule? rule = null;
        if (period is not null && category is not null)
        {
            rule = await db.Set<AdjustmentRule>().AsNoTracking()
                .FirstOrDefaultAsync(x => x.PeriodId == period.Id && x.Category == category.Code && x.Code == r.Rule, ct);
            if (rule is null)
                Err("rule", $"{category.NameZh}的{period.Id}考核方案中没有加扣分规则 \"{r.Rule}\"", $"the {period.Id} scheme of {category.NameEn} has no adjustment rule \"{r.Rule}\"");
        }
        var reason = r.Reason?.Trim() ?? "";
        if (reason.Length is 0 or > 1000) Err("reason", "须填写事由（1–1000 字）", "a reason of 1–1000 characters is required");
        var docRef = string.IsNullOrWhiteSpace(r.DocumentRef) ? null : r.DocumentRef.Trim();
        if (docRef?.Length > 200) Err("documentRef", "文号不超过 200 字", "the document reference is at most 200 characters");

        double? points = null;
        if (rule is not null)
        {
            switch (rule.Kind)
            {
                case AdjustmentRuleKind.Bonus or AdjustmentRuleKind.Deduction when rule.HasRange:
                    if (r.Points is not { } p || !double.IsFinite(p) || p < rule.MinPoints || p > rule.MaxPoints)
                        Err("points", $"此规则的分值须在 {rule.MinPoints} 至 {rule.MaxPoints} 之间", $"this rule's points must lie between {rule.MinPoints} and {rule.MaxPoints}");
                    else points = p;
                    break;
                case AdjustmentRuleKind.Bonus or AdjustmentRuleKind.Deduction:
                    // The office picks the rule; it may not type its own points.
                    if (r.Points is { } given && given != rule.Points)
                        Err("points", $"此规则的分值固定为 {rule.Points}，不能另填", $"this rule's points are fixed at {rule.Points}");
                    points = rule.Points;
                    break;
                case AdjustmentRuleKind.FundUse:
                    if (r.SpendingPercent is not { } s || !double.IsFinite(s) || s < 0 || s > 100)
                        Err("spendingPercent", "须填写 0–100 之间的资金执行进度（%）", "a spending progress between 0 and 100 (%) is required");
                    else if (FundUsePoints(rule, s) is { } fp) points = fp;
                    else Err("spendingPercent", "此执行进度不在规则的任何档次内", "this spending progress falls in no band of the rule");
                    break;
                case AdjustmentRuleKind.Veto:
                    if (r.Points is not null) Err("points", "一票否决不计分值", "a veto has no points");
                    break;
            }
            if (rule.Kind is not AdjustmentRuleKind.FundUse && evidence.Count == 0)
                Err("evidence", "须上传佐证材料", "evidence is required");
        }
        if (errors.Count > 0) return Failure.Invalid("请求有误，未保存", "the request is invalid; nothing was stored", errors);
        await EnsureOpenAsync(period!.Id, unit!.Id, rule!.Kind, ct);

        if (rule!.Kind == AdjustmentRuleKind.FundUse && await db.Set<AdjustmentEvent>().AnyAsync(e =>
                e.PeriodId == period!.Id && e.UnitId == unit!.Id && e.Kind == AdjustmentRuleKind.FundUse && e.Status != AdjustmentEventStatus.Rejected, ct))
            return new Failure(FailureKind.Conflict, $"{unit!.Name}本期的资金使用绩效已录入", $"the fund-use result of {unit.NameEn} for this period is already recorded", "unit");

        var actor = audit.Actor;
        var now = clock.GetUtcNow();
        var ev = new AdjustmentEvent(Guid.NewGuid().ToString("N"), period!.Id, unit!.Id, rule, points, r.SpendingPercent, reason, docRef, actor, now);
        db.Set<AdjustmentEvent>().Add(ev);
        var attachments = new List<Attachment>();
        UploadRules.CheckTypes(evidence.Select(f => f.FileName));
        foreach (var f in evidence)
        {
            var a = await store.SaveAsync(f.Content, f.FileName, actor, OwnerKind, ev.Key, ct);
            db.Attachments.Add(a);
            attachments.Add(a);
        }
        audit.Record(rule.Kind == AdjustmentRuleKind.Veto ? "veto.request" : "adjustment.record", "adjustment", () => Id(ev.Id), null,
            new
            {
                ev.Key, ev.PeriodId, ev.UnitId, rule = rule.Code, kind = rule.Kind.ToString(), ev.Points, ev.SpendingPercent, ev.DocumentRef,
                evidence = attachments.Select(a => new { a.FileName, a.Sha256 })
            }, reason);
        if (rule.Kind != AdjustmentRuleKind.Veto)
        {
            var fact = await ApproveAsync(ev, rule, actor, now, null, attachments, ct);
            audit.Record("adjustment.approve", "adjustment", () => Id(ev.Id), "Pending", "Approved");
            RecordFact(fact, ev);
        }
        await audit.SaveAsync(ct);
        return ev;
    }

    /// <summary>
    /// A veto is decided by a second office account: the requester may not approve or reject their own
    /// request. Approval makes a veto fact against the year (the seed: 实行年度考核"一票否决").
    /// </summary>
    public async Task<EventOutcome> DecideAsync(long id, bool approve, string? note, CancellationToken ct = default)
    {
        var ev = await db.Set<AdjustmentEvent>().FirstOrDefaultAsync(e => e.Id == id, ct);
        if (ev is null) return new Failure(FailureKind.NotFound, $"事项 {id} 不存在", $"event {id} does not exist", "id");
        if (ev.Status != AdjustmentEventStatus.Pending)
            return new Failure(FailureKind.Conflict, "此事项已审批，不能再次审批", "this event has already been decided", "status");
        await EnsureOpenAsync(ev.PeriodId, ev.UnitId, ev.Kind, ct);
        var actor = audit.Actor;
        if (string.Equals(ev.RequestedBy, actor, StringComparison.OrdinalIgnoreCase))
            return new Failure(FailureKind.Forbidden,
                "一票否决须由另一名考核办人员审批，申请人不能审批自己的申请", "a veto must be decided by a second office account; the requester cannot decide their own request", "approver");
        note = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (note?.Length > 1000) return new Failure(FailureKind.Invalid, "审批意见不超过 1000 字", "the note is at most 1000 characters", "note");
        var now = clock.GetUtcNow();
        if (!approve)
        {
            if (note is null) return new Failure(FailureKind.Invalid, "不予批准须说明理由", "a rejection needs a reason", "note");
            ev.Reject(actor, now, note);
            audit.Record("veto.reject", "adjustment", Id(ev.Id), "Pending", "Rejected", note);
        }
        else
        {
            var rule = await db.Set<AdjustmentRule>().AsNoTracking().FirstAsync(r => r.Id == ev.RuleId, ct);
            var evidence = await db.Attachments.Where(a => a.OwnerKind == OwnerKind && a.OwnerId == ev.Key).ToListAsync(ct);
            var fact = await ApproveAsync(ev, rule, actor, now, note, evidence, ct);
            audit.Record("veto.approve", "adjustment", Id(ev.Id), "Pending", "Approved", note);
            RecordFact(fact, ev);
        }
        await audit.SaveAsync(ct);
        return ev;
    }

    private void RecordFact(Fact fact, AdjustmentEvent ev) =>
        audit.Record("fact.create", "fact", () => Id(fact.Id), null,
            new { fact.PeriodId, fact.UnitId, kind = fact.Kind.ToString(), fact.Payload, fact.Source, status = fact.Status.ToString(), adjustmentEvent = ev.Key });

    private async Task<Fact> ApproveAsync(AdjustmentEvent ev, AdjustmentRule rule, string actor, DateTimeOffset now, string? note, IReadOnlyList<Attachment> evidence, CancellationToken ct)
    {
        var text = $"{rule.NameZh}（{rule.Source}）：{ev.Reason}{(ev.DocumentRef is null ? "" : $"〔{ev.DocumentRef}〕")}";
        Fact fact;
        if (rule.Kind == AdjustmentRuleKind.Veto)
        {
            var periodId = await AnnualPeriodAsync(ev.PeriodId, ct);
            fact = new Fact(periodId, ev.UnitId, null, FactKind.Veto, new FactPayload(Reason: text).ToJson(), FactSources.Office, actor, now, FactStatus.Verified);
        }
        else
        {
            if (rule.Kind == AdjustmentRuleKind.FundUse)
                text = $"{rule.NameZh}：执行进度 {ev.SpendingPercent?.ToString("0.##", CultureInfo.InvariantCulture)}%，{ev.Reason}";
            fact = new Fact(ev.PeriodId, ev.UnitId, null, FactKind.Adjustment, new FactPayload(Points: ev.Points, Reason: text).ToJson(), FactSources.Office, actor, now, FactStatus.Verified);
        }
        db.Facts.Add(fact);
        foreach (var a in evidence) fact.Evidence.Add(a);
        ev.Approve(actor, now, note, fact);
        return fact;
    }

    /// <summary>
    /// Refuses up front, before evidence is stored, what the stage does not allow (Data/PeriodStages.cs):
    /// a veto is an input of the year it applies to, anything else of its own period.
    /// </summary>
    private async Task EnsureOpenAsync(string periodId, string unitId, AdjustmentRuleKind kind, CancellationToken ct) =>
        await PeriodStages.EnsureForUnitAsync(db, kind == AdjustmentRuleKind.Veto ? await AnnualPeriodAsync(periodId, ct) : periodId, unitId, PeriodInput.Data, ct);

    /// <summary>The annual period of a quarter's year (2023-Q1 → 2023), where the seed applies a veto.</summary>
    public async Task<string> AnnualPeriodAsync(string periodId, CancellationToken ct = default)
    {
        var p = await db.Periods.AsNoTracking().FirstAsync(x => x.Id == periodId, ct);
        if (p.Kind == PeriodKind.Annual) return p.Id;
        return await db.Periods.AsNoTracking().Where(x => x.Year == p.Year && x.Kind == PeriodKind.Annual).Select(x => x.Id).FirstOrDefaultAsync(ct) ?? p.Id;
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
