using System.Globalization;
using System.Security.Claims;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Rectification;

public sealed record RaiseResult(int FromDeductions, int FromInspections, int FromRankings, int Recurrences)
{
    public int Total => FromDeductions + FromInspections + FromRankings;
}

/// <summary>The ledger's settings (<c>Kaohe:Rectification:*</c>).</summary>
public sealed class LedgerOptions
{
    /// <summary>Days from raising to the default deadline of an automatically raised item.</summary>
    public int DefaultDays { get; set; } = 60;
    public int DueSoonDays { get; set; } = 7;
    public int[] RemindBeforeDays { get; set; } = [7, 1];
    public int[] EscalateAfterDays { get; set; } = [1, 7];

    /// <summary>How often the reminder job runs; 0 turns the background loop off (tests call RunOnceAsync).</summary>
    public int ReminderIntervalSeconds { get; set; } = 600;

    /// <summary>Past this many days after its deadline, an open item gets no more reminders (it stays on the overdue list).</summary>
    public int ReminderMaxOverdueDays { get; set; } = 90;

    /// <summary>The reminder settings with the office's time zone (OfficeTime), in which deadline days end.</summary>
    public ReminderSettings RemindersIn(TimeZoneInfo zone) => new(DueSoonDays, RemindBeforeDays, EscalateAfterDays, ReminderMaxOverdueDays, zone);
}

/// <summary>
/// 问题整改台账: raising items (from findings, inspections and criticised rankings, or by hand),
/// the workflow with evidence, merge and split. Every change goes through <see cref="AuditLog"/>.
/// </summary>
public sealed class Ledger(KaoheDbContext db, AuditLog audit, ResultsStore results, TimeProvider clock, IAttachmentStore store,
    Microsoft.Extensions.Options.IOptions<LedgerOptions> options, OfficeTime office, IAuthorizationService authorization)
{
    public const string EvidenceOwner = "rectification";

    /// <summary>Owner kinds under which a finding's photos may be stored (the fact's own evidence).</summary>
    private static readonly string[] SourceOwnerKinds = ["fact", "finding", "inspection"];

    public LedgerOptions Options => options.Value;

    public DateTimeOffset Now => clock.GetUtcNow();

    public DateOnly Today => office.Date(clock.GetUtcNow());

    public static Actor? ActorOf(ClaimsPrincipal user) => user.Role() switch
    {
        Roles.Office => Actor.Office,
        Roles.Unit => Actor.Unit,
        Roles.Assessor => Actor.Assessor,
        _ => null,
    };

    private static string Inv(long id) => id.ToString(CultureInfo.InvariantCulture);

    // ---------------------------------------------------------------- raising

    /// <summary>
    /// Raises one item per Finding fact of the period (deductions, and inspection findings with their
    /// photos) and one per unit criticised by each category's published ranking (通报批评 is what the
    /// bulletin announced: a category not yet published raises none). Idempotent: a source already in
    /// the ledger raises nothing. A problem of the same unit and indicator found in an earlier period is
    /// linked to its predecessor (recurrence).
    /// </summary>
    public async Task<RaiseResult> RaiseForPeriodAsync(string periodId, CancellationToken ct = default)
    {
        var existing = (await db.Set<RectificationItem>().Where(i => i.SourceRef != null).Select(i => i.SourceRef!).ToListAsync(ct)).ToHashSet();
        var findings = await db.Facts.AsNoTracking()
            .Where(f => f.PeriodId == periodId && f.Kind == FactKind.Finding && FactStatuses.Counted.Contains(f.Status))
            .OrderBy(f => f.Id).ToListAsync(ct);
        var units = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Id, ct);
        var names = await IndicatorNamesAsync(periodId, ct);
        var deadline = Today.AddDays(Options.DefaultDays);
        var raised = new List<RectificationItem>();
        int fromDeductions = 0, fromInspections = 0, fromRankings = 0;
        foreach (var f in findings)
        {
            var sourceRef = $"fact:{Inv(f.Id)}";
            if (existing.Contains(sourceRef)) continue;
            var p = FactPayload.Parse(f.Payload);
            var inspection = f.Source == FactSources.Inspection;
            var indicator = names.GetValueOrDefault((units.GetValueOrDefault(f.UnitId)?.Kind ?? UnitKind.Division, f.IndicatorId!)) ?? f.IndicatorId!;
            var note = string.IsNullOrWhiteSpace(p.Note) ? "" : "：" + p.Note;
            var points = p.Points is { } pts ? $"（扣{pts.ToString("0.##", CultureInfo.InvariantCulture)}分）" : "";
            var problem = $"{indicator}{note}{points}";
            var item = new RectificationItem(f.UnitId, periodId, problem, inspection ? ItemSources.Inspection : ItemSources.Deduction, sourceRef, f.IndicatorId,
                Severities.General, DefaultResponsible(units.GetValueOrDefault(f.UnitId)), deadline, Now, audit.Actor, f.Id);
            raised.Add(item);
            if (inspection) fromInspections++; else fromDeductions++;
        }
        foreach (var cat in Categories.All)
        {
            var sourcePrefix = $"ranking:{periodId}:{cat.Code}:";
            var published = await results.PublishedAsync(db, periodId, cat.Code, ct);
            if (published is not { Scored: true }) continue;
            foreach (var u in published.Units.Where(u => u.Criticized))
            {
                var sourceRef = sourcePrefix + u.Id;
                if (existing.Contains(sourceRef)) continue;
                var problem = $"{cat.NameZh}考核排名第{u.Rank}位（共{u.GroupSize}个），被通报批评：须说明情况、分析原因，制定整改措施";
                raised.Add(new RectificationItem(u.Id, periodId, problem, ItemSources.Ranking, sourceRef, null, Severities.Serious,
                    DefaultResponsible(units.GetValueOrDefault(u.Id)), deadline, Now, audit.Actor));
                fromRankings++;
            }
        }
        if (raised.Count == 0) return new RaiseResult(0, 0, 0, 0);
        var recurrences = await LinkRecurrencesAsync(periodId, raised, ct);
        db.Set<RectificationItem>().AddRange(raised);
        foreach (var item in raised)
        {
            var i = item;
            audit.Record("rectification.raise", "rectification", () => Inv(i.Id), null,
                new { i.UnitId, i.PeriodId, i.SourceKind, i.SourceRef, i.Problem, i.Deadline, recurrenceOf = i.PredecessorId });
        }
        await audit.SaveAsync(ct);
        foreach (var item in raised)
            db.Set<RectificationEvent>().Add(new RectificationEvent(item.Id, "raise", Ui.T("自动生成整改事项", "raised automatically"), audit.Actor, Now));
        await db.SaveChangesAsync(ct);
        return new RaiseResult(fromDeductions, fromInspections, fromRankings, recurrences);
    }

    private static string DefaultResponsible(OrgUnit? unit) => unit is null ? "单位主要负责人" : $"{unit.Name}主要负责人";

    private Task<Dictionary<(UnitKind, string), string>> IndicatorNamesAsync(string periodId, CancellationToken ct) =>
        SchemeService.IndicatorNamesAsync(db, periodId, ct);

    /// <summary>Links each new item to the latest item of the same unit and indicator (or ranking) from an earlier period.</summary>
    private async Task<int> LinkRecurrencesAsync(string periodId, IReadOnlyList<RectificationItem> raised, CancellationToken ct)
    {
        var order = await PeriodOrderAsync(ct);
        if (!order.TryGetValue(periodId, out var current)) return 0;
        var earlier = order.Where(kv => kv.Value < current).Select(kv => kv.Key).ToList();
        if (earlier.Count == 0) return 0;
        var unitIds = raised.Select(r => r.UnitId).Distinct().ToList();
        var previous = await db.Set<RectificationItem>().AsNoTracking()
            .Where(i => earlier.Contains(i.PeriodId) && unitIds.Contains(i.UnitId) && i.Status != ItemStatus.Merged)
            .Select(i => new { i.Id, i.UnitId, i.PeriodId, i.IndicatorId, i.SourceKind }).ToListAsync(ct);
        var count = 0;
        foreach (var item in raised)
        {
            var key = RecurrenceKey(item.IndicatorId, item.SourceKind);
            if (key is null) continue;
            var pred = previous.Where(p => p.UnitId == item.UnitId && RecurrenceKey(p.IndicatorId, p.SourceKind) == key)
                .OrderByDescending(p => order[p.PeriodId]).ThenByDescending(p => p.Id).FirstOrDefault();
            if (pred is null) continue;
            item.LinkPredecessor(pred.Id);
            count++;
        }
        return count;
    }

    private static string? RecurrenceKey(string? indicatorId, string sourceKind) =>
        sourceKind == ItemSources.Ranking ? "#ranking" : indicatorId;

    /// <summary>Quarters in time order (annual periods are not a "later period" of a quarter).</summary>
    public async Task<Dictionary<string, int>> PeriodOrderAsync(CancellationToken ct = default)
    {
        var periods = await db.Periods.AsNoTracking().Where(p => p.Quarter != null).Select(p => new { p.Id, p.Year, p.Quarter }).ToListAsync(ct);
        return periods.ToDictionary(p => p.Id, p => p.Year * 10 + p.Quarter!.Value);
    }

    // ---------------------------------------------------------------- by hand

    public sealed record NewItem(string UnitId, string PeriodId, string Problem, string Severity, string ResponsiblePerson, DateOnly Deadline,
        string? IndicatorId = null, IReadOnlyList<NewMilestone>? Roadmap = null);

    public sealed record NewMilestone(string Title, DateOnly Due);

    public async Task<(RectificationItem? Item, Failure? Error)> CreateAsync(NewItem n, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(n.Problem)) return (null, new(FailureKind.Invalid, "请填写问题描述", "problem is required", "problem"));
        if (string.IsNullOrWhiteSpace(n.ResponsiblePerson)) return (null, new(FailureKind.Invalid, "请填写责任人", "responsiblePerson is required", "responsiblePerson"));
        if (!Severities.All.Contains(n.Severity)) return (null, new(FailureKind.Invalid, $"问题等级“{n.Severity}”无效", $"severity \"{n.Severity}\" is not one of {string.Join(", ", Severities.All)}", "severity"));
        if (!await db.Units.AnyAsync(u => u.Id == n.UnitId, ct)) return (null, new(FailureKind.Invalid, $"单位“{n.UnitId}”不存在", $"unit \"{n.UnitId}\" does not exist", "unitId"));
        if (!await db.Periods.AnyAsync(p => p.Id == n.PeriodId, ct)) return (null, new(FailureKind.Invalid, $"考核期“{n.PeriodId}”不存在", $"period \"{n.PeriodId}\" does not exist", "periodId"));
        if (n.Problem.Length > 2000) return (null, new(FailureKind.Invalid, "问题描述不能超过2000字", "problem is longer than 2000 characters", "problem"));
        for (var k = 0; k < (n.Roadmap?.Count ?? 0); k++)
            if (string.IsNullOrWhiteSpace(n.Roadmap![k].Title)) return (null, new(FailureKind.Invalid, $"第{k + 1}个节点缺少内容", $"roadmap[{k}].title is required", $"roadmap[{k}].title"));
        var item = new RectificationItem(n.UnitId, n.PeriodId, n.Problem.Trim(), ItemSources.Manual, null, n.IndicatorId, n.Severity, n.ResponsiblePerson.Trim(),
            n.Deadline, Now, audit.Actor);
        foreach (var m in n.Roadmap ?? []) item.Roadmap.Add(new Milestone(m.Title.Trim(), m.Due));
        var links = await LinkRecurrencesAsync(n.PeriodId, [item], ct);
        db.Set<RectificationItem>().Add(item);
        audit.Record("rectification.create", "rectification", () => Inv(item.Id), null,
            new { item.UnitId, item.PeriodId, item.Problem, item.Severity, item.ResponsiblePerson, item.Deadline, recurrenceOf = item.PredecessorId });
        await audit.SaveAsync(ct);
        await AddEventAsync(item.Id, "raise", Ui.T("考核办录入", "entered by the office"), ct: ct);
        _ = links;
        return (item, null);
    }

    // ---------------------------------------------------------------- workflow

    /// <summary>The item if the user may read it (<see cref="RectificationItemAuthorization"/>), else null: a refusal reads like a missing item.</summary>
    public async Task<RectificationItem?> FindAsync(long id, ClaimsPrincipal user, CancellationToken ct = default) =>
        await db.Set<RectificationItem>().Include(i => i.Roadmap).FirstOrDefaultAsync(i => i.Id == id, ct) is { } item
            && await authorization.MayAsync(user, item, UnitOperations.Read) ? item : null;

    private static ItemAction? ParseAction(string action) => action switch
    {
        "start" => ItemAction.Start,
        "progress" => ItemAction.RecordProgress,
        "submit" => ItemAction.Submit,
        "verify" => ItemAction.Verify,
        "return" => ItemAction.Return,
        "reopen" => ItemAction.Reopen,
        _ => null,
    };

    public sealed record Step(string Action, string? Reason = null, string? Note = null, long? MilestoneId = null);

    public sealed record Upload(Stream Content, string FileName);

    /// <summary>
    /// One workflow step by the signed-in user: start, progress (against a milestone, with evidence),
    /// submit, verify, return (with a reason), reopen. The rules are <see cref="Workflow.Apply"/>.
    /// </summary>
    public async Task<Failure?> ActAsync(long id, ClaimsPrincipal user, Step step, IReadOnlyList<Upload>? files = null, CancellationToken ct = default)
    {
        var item = await FindAsync(id, user, ct);
        if (item is null) return new(FailureKind.NotFound, $"整改事项 {id} 不存在或无权查看", $"rectification item {id} does not exist or is not visible to you", "id");
        if (ParseAction(step.Action) is not { } action)
            return new(FailureKind.Invalid, $"操作“{step.Action}”无效", $"action \"{step.Action}\" is not one of start, progress, submit, verify, return, reopen", "action");
        if (ActorOf(user) is not { } actor || !await authorization.MayAsync(user, item, UnitOperations.Act))
            return user.Role() == Roles.Unit
                ? new(FailureKind.Forbidden, "只能办理本单位的整改事项", "you may only act on your own unit's items", "id")
                : new(FailureKind.Forbidden, "您的角色不能办理整改事项", "your role cannot act on rectification items", "action");
        Milestone? milestone = null;
        if (step.MilestoneId is { } mid)
        {
            milestone = item.Roadmap.FirstOrDefault(m => m.Id == mid);
            if (milestone is null) return new(FailureKind.Invalid, $"节点 {mid} 不属于该事项", $"milestone {mid} is not part of this item", "milestoneId");
        }
        if (action == ItemAction.RecordProgress && string.IsNullOrWhiteSpace(step.Note) && (files is null || files.Count == 0))
            return new(FailureKind.Invalid, "报送进展须填写进展情况或上传佐证材料", "progress needs a note or evidence", "note");
        var hasPhoto = item.RequiresReinspection && await db.Set<RectificationEvent>().AnyAsync(e => e.ItemId == id && e.Kind == "reinspect", ct);
        var (ok, error) = Workflow.Apply(item.Status, action, actor, step.Reason, item.RequiresReinspection, hasPhoto);
        if (error is { } e) return new(FailureKind.Conflict, e.Zh, e.En, action is ItemAction.Return or ItemAction.Reopen && string.IsNullOrWhiteSpace(step.Reason) ? "reason" : "action");
        var old = item.Status;
        var stored = await StoreAsync(files, item.Id, ct);
        item.MoveTo(ok!.To, Now, step.Reason);
        if (milestone is not null && action == ItemAction.RecordProgress) milestone.Complete(Now);
        var note = (step.Reason ?? step.Note ?? "").Trim();
        var ev = new RectificationEvent(item.Id, step.Action, note, audit.Actor, Now, milestone?.Id);
        db.Set<RectificationEvent>().Add(ev);
        audit.Record($"rectification.{step.Action}", "rectification", Inv(item.Id), new { status = old.ToString() },
            new { status = item.Status.ToString(), milestone = milestone?.Title, evidence = stored.Select(a => a.FileName).ToArray() }, step.Reason ?? step.Note);
        await audit.SaveAsync(ct);
        await LinkEvidenceAsync(stored, ev, ct);
        return null;
    }

    /// <summary>复查照片: an assessor (or the office) uploads the re-inspection photo an inspection finding needs before closing.</summary>
    public async Task<Failure?> ReinspectAsync(long id, ClaimsPrincipal user, string? note, IReadOnlyList<Upload> files, CancellationToken ct = default)
    {
        var item = await FindAsync(id, user, ct);
        if (item is null) return new(FailureKind.NotFound, $"整改事项 {id} 不存在或无权查看", $"rectification item {id} does not exist or is not visible to you", "id");
        if (user.Role() is not (Roles.Assessor or Roles.Office)) return new(FailureKind.Forbidden, "只有考核组可以上传复查照片", "only an assessor may upload a re-inspection photo", "file");
        if (files.Count == 0) return new(FailureKind.Invalid, "请上传复查照片", "a re-inspection photo is required", "file");
        if (item.Status is ItemStatus.Closed or ItemStatus.Merged) return new(FailureKind.Conflict, "该事项已销号或已合并", "the item is closed or merged", "id");
        // Refused before anything is stored: checked after, a PDF stayed in the store without a row (issue 17).
        if (files.Any(f => !UploadRules.IsImage(f.FileName)))
            return new(FailureKind.Invalid, "复查照片须为图片（jpg、png、webp）", "a re-inspection photo must be an image (jpg, png, webp)", "file");
        var stored = await StoreAsync(files, item.Id, ct);
        var ev = new RectificationEvent(item.Id, "reinspect", (note ?? "").Trim(), audit.Actor, Now);
        db.Set<RectificationEvent>().Add(ev);
        audit.Record("rectification.reinspect", "rectification", Inv(item.Id), null, new { photos = stored.Select(a => a.FileName).ToArray() }, note);
        await audit.SaveAsync(ct);
        await LinkEvidenceAsync(stored, ev, ct);
        return null;
    }

    private async Task<List<Attachment>> StoreAsync(IReadOnlyList<Upload>? files, long itemId, CancellationToken ct)
    {
        var list = new List<Attachment>();
        UploadRules.CheckTypes((files ?? []).Select(f => f.FileName));
        foreach (var f in files ?? [])
        {
            var a = await store.SaveAsync(f.Content, f.FileName, audit.Actor, EvidenceOwner, Inv(itemId), ct);
            db.Attachments.Add(a);
            list.Add(a);
        }
        return list;
    }

    /// <summary>The event lists the evidence uploaded with it, once the rows have their ids.</summary>
    private async Task LinkEvidenceAsync(List<Attachment> stored, RectificationEvent ev, CancellationToken ct)
    {
        if (stored.Count == 0) return;
        ev.SetEvidence(string.Join(",", stored.Select(a => Inv(a.Id))));
        await db.SaveChangesAsync(ct);
    }

    private async Task AddEventAsync(long itemId, string kind, string note, long? milestoneId = null, CancellationToken ct = default)
    {
        db.Set<RectificationEvent>().Add(new RectificationEvent(itemId, kind, note, audit.Actor, Now, milestoneId));
        await db.SaveChangesAsync(ct);
    }

    // ---------------------------------------------------------------- plan, roadmap, merge, split

    public sealed record PlanChange(string ResponsiblePerson, DateOnly Deadline, string Severity, bool RequiresReinspection, string? Problem = null);

    public async Task<Failure?> PlanAsync(long id, ClaimsPrincipal user, PlanChange p, CancellationToken ct = default)
    {
        if (user.Role() != Roles.Office) return new(FailureKind.Forbidden, "只有考核办可以调整责任人、时限和等级", "only the office may change the plan", "id");
        var item = await FindAsync(id, user, ct);
        if (item is null) return new(FailureKind.NotFound, $"整改事项 {id} 不存在", $"rectification item {id} does not exist", "id");
        if (string.IsNullOrWhiteSpace(p.ResponsiblePerson)) return new(FailureKind.Invalid, "请填写责任人", "responsiblePerson is required", "responsiblePerson");
        if (!Severities.All.Contains(p.Severity)) return new(FailureKind.Invalid, $"问题等级“{p.Severity}”无效", $"severity \"{p.Severity}\" is not one of {string.Join(", ", Severities.All)}", "severity");
        var old = new { item.ResponsiblePerson, item.Deadline, item.Severity, item.RequiresReinspection, item.Problem };
        item.Plan(p.ResponsiblePerson.Trim(), p.Deadline, p.Severity, p.RequiresReinspection);
        if (!string.IsNullOrWhiteSpace(p.Problem)) item.Describe(p.Problem.Trim());
        db.Set<RectificationEvent>().Add(new RectificationEvent(item.Id, "plan",
            $"责任人 {item.ResponsiblePerson}，整改时限 {item.Deadline:yyyy-MM-dd}", audit.Actor, Now));
        audit.Record("rectification.plan", "rectification", Inv(item.Id), old, new { item.ResponsiblePerson, item.Deadline, item.Severity, item.RequiresReinspection, item.Problem });
        await audit.SaveAsync(ct);
        return null;
    }

    /// <summary>A roadmap milestone (路线图节点); the office or the item's unit adds them while the item is being worked.</summary>
    public async Task<Failure?> AddMilestoneAsync(long id, ClaimsPrincipal user, string? title, DateOnly due, CancellationToken ct = default)
    {
        var item = await FindAsync(id, user, ct);
        if (item is null) return new(FailureKind.NotFound, $"整改事项 {id} 不存在或无权查看", $"rectification item {id} does not exist or is not visible to you", "id");
        if (!await authorization.MayAsync(user, item, UnitOperations.Act)) return new(FailureKind.Forbidden, "您的角色不能编制路线图", "your role cannot edit the roadmap", "id");
        if (string.IsNullOrWhiteSpace(title)) return new(FailureKind.Invalid, "请填写节点内容", "title is required", "title");
        if (title.Trim().Length > 300) return new(FailureKind.Invalid, "节点内容不能超过300字", "the title is longer than 300 characters", "title");
        if (item.Status is ItemStatus.Closed or ItemStatus.Merged) return new(FailureKind.Conflict, "已销号或已合并的事项不能再改路线图", "a closed or merged item's roadmap is fixed", "id");
        var m = new Milestone(title.Trim(), due);
        item.Roadmap.Add(m);
        db.Set<RectificationEvent>().Add(new RectificationEvent(item.Id, "milestone", $"{m.Title}（{due:yyyy-MM-dd}）", audit.Actor, Now));
        audit.Record("rectification.milestone", "rectification", Inv(item.Id), null, new { m.Title, m.Due });
        await audit.SaveAsync(ct);
        return null;
    }

    /// <summary>合并重复事项: the others become "merged" into the target, which keeps their problems in its description.</summary>
    public async Task<Failure?> MergeAsync(long targetId, IReadOnlyList<long> others, ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (user.Role() != Roles.Office) return new(FailureKind.Forbidden, "只有考核办可以合并事项", "only the office may merge items", "targetId");
        var ids = others.Where(o => o != targetId).Distinct().ToList();
        if (ids.Count == 0) return new(FailureKind.Invalid, "请选择要并入的其他事项", "choose at least one other item to merge", "itemIds");
        var target = await db.Set<RectificationItem>().FirstOrDefaultAsync(i => i.Id == targetId, ct);
        if (target is null) return new(FailureKind.NotFound, $"整改事项 {targetId} 不存在", $"rectification item {targetId} does not exist", "targetId");
        if (target.Status is ItemStatus.Closed or ItemStatus.Merged) return new(FailureKind.Conflict, "不能并入已销号或已合并的事项", "cannot merge into a closed or merged item", "targetId");
        var items = await db.Set<RectificationItem>().Where(i => ids.Contains(i.Id)).ToListAsync(ct);
        foreach (var missing in ids.Except(items.Select(i => i.Id))) return new(FailureKind.NotFound, $"整改事项 {missing} 不存在", $"rectification item {missing} does not exist", "itemIds");
        foreach (var i in items)
        {
            if (i.UnitId != target.UnitId) return new(FailureKind.Conflict, $"事项 {i.Id} 属于其他单位，不能合并", $"item {i.Id} belongs to another unit", "itemIds");
            var (ok, error) = Workflow.Apply(i.Status, ItemAction.Merge, Actor.Office);
            if (error is { } e) return new(FailureKind.Conflict, $"事项 {i.Id}：{e.Zh}", $"item {i.Id}: {e.En}", "itemIds");
            i.MoveTo(ok!.To, Now);
            i.MergeInto(target.Id);
            db.Set<RectificationEvent>().Add(new RectificationEvent(i.Id, "merge", $"并入事项 #{target.Id}", audit.Actor, Now));
            audit.Record("rectification.merge", "rectification", Inv(i.Id), null, new { mergedInto = target.Id });
        }
        var merged = string.Join("；", items.Select(i => $"#{i.Id} {i.Problem}"));
        var text = $"{target.Problem}（合并：{merged}）";
        target.Describe(text.Length > 2000 ? text[..2000] : text);
        db.Set<RectificationEvent>().Add(new RectificationEvent(target.Id, "merge", $"合并重复事项 {string.Join("、", items.Select(i => "#" + i.Id))}", audit.Actor, Now));
        await audit.SaveAsync(ct);
        return null;
    }

    /// <summary>拆分: a broad item becomes several narrower ones (same unit, source, deadline); the original is merged into the first part.</summary>
    public async Task<(IReadOnlyList<long> Ids, Failure? Error)> SplitAsync(long id, IReadOnlyList<string> problems, ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (user.Role() != Roles.Office) return ([], new(FailureKind.Forbidden, "只有考核办可以拆分事项", "only the office may split items", "id"));
        var parts = problems.Select(p => p?.Trim() ?? "").ToList();
        if (parts.Count < 2) return ([], new(FailureKind.Invalid, "拆分至少需要两个子问题", "a split needs at least two problems", "problems"));
        for (var k = 0; k < parts.Count; k++)
            if (parts[k].Length == 0) return ([], new(FailureKind.Invalid, $"第{k + 1}个子问题为空", $"problems[{k}] is empty", $"problems[{k}]"));
        var item = await db.Set<RectificationItem>().Include(i => i.Roadmap).FirstOrDefaultAsync(i => i.Id == id, ct);
        if (item is null) return ([], new(FailureKind.NotFound, $"整改事项 {id} 不存在", $"rectification item {id} does not exist", "id"));
        var (ok, error) = Workflow.Apply(item.Status, ItemAction.Merge, Actor.Office);
        if (error is { } e) return ([], new(FailureKind.Conflict, e.Zh, e.En, "id"));
        var children = parts.Select(p => new RectificationItem(item.UnitId, item.PeriodId, p, ItemSources.Split, null, item.IndicatorId, item.Severity,
            item.ResponsiblePerson, item.Deadline, Now, audit.Actor, item.FactId)).ToList();
        foreach (var c in children)
        {
            c.MarkSplitFrom(item.Id);
            if (item.PredecessorId is { } pred) c.LinkPredecessor(pred);
            c.Plan(item.ResponsiblePerson, item.Deadline, item.Severity, item.RequiresReinspection);
            foreach (var m in item.Roadmap) c.Roadmap.Add(new Milestone(m.Title, m.Due));
        }
        db.Set<RectificationItem>().AddRange(children);
        item.MoveTo(ok!.To, Now);
        audit.Record("rectification.split", "rectification", Inv(item.Id), null, new { parts });
        await audit.SaveAsync(ct);
        item.MergeInto(children[0].Id);
        db.Set<RectificationEvent>().Add(new RectificationEvent(item.Id, "split", $"拆分为 {string.Join("、", children.Select(c => "#" + c.Id))}", audit.Actor, Now));
        foreach (var c in children)
            db.Set<RectificationEvent>().Add(new RectificationEvent(c.Id, "raise", $"由事项 #{item.Id} 拆分而来", audit.Actor, Now));
        await db.SaveChangesAsync(ct);
        return (children.Select(c => c.Id).ToList(), null);
    }

    // ---------------------------------------------------------------- reading

    public DeadlineState StateOf(RectificationItem i) => Deadlines.State(i.Deadline, Now, i.ClosedAt, Options.RemindersIn(office.Zone));

    /// <summary>The photos of the finding the item came from, and the evidence uploaded to the item.</summary>
    public async Task<(List<Attachment> SourcePhotos, List<Attachment> Evidence)> AttachmentsAsync(RectificationItem item, CancellationToken ct = default)
    {
        var source = new List<Attachment>();
        if (item.FactId is { } fid)
        {
            var fidText = Inv(fid);
            source = await db.Attachments.AsNoTracking()
                .Where(a => a.FactId == fid || (a.OwnerId == fidText && SourceOwnerKinds.Contains(a.OwnerKind)))
                .OrderBy(a => a.Id).ToListAsync(ct);
        }
        var idText = Inv(item.Id);
        var evidence = await db.Attachments.AsNoTracking().Where(a => a.OwnerKind == EvidenceOwner && a.OwnerId == idText).OrderBy(a => a.Id).ToListAsync(ct);
        return (source, evidence);
    }
}
