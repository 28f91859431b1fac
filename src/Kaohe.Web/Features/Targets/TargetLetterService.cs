using System.Globalization;
using System.Security.Claims;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Adjustments;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Targets;

/// <summary>What became of one quarter's targets when a letter was issued or changed: written, or why not (the stage, a missing period).</summary>
public sealed record QuarterWrite(string PeriodId, bool Written, string? Why);

public sealed record LetterOutcome(TargetLetter? Letter, Failure? Failure, IReadOnlyList<QuarterWrite>? Quarters = null)
{
    public static implicit operator LetterOutcome(TargetLetter l) => new(l, null);
    public static implicit operator LetterOutcome(Failure f) => new(null, f);
}

/// <summary>
/// 目标责任书 (issue 16, item 2): the office sets a unit's annual targets by quarter and its key tasks,
/// issues the letter, the unit acknowledges it (签收); afterwards a change needs a request by one office
/// account and approval by another (as a veto does, Adjustments/AdjustmentService) and makes a new version.
/// Each quarter's target becomes that quarter's figure of the measure (a fact from <see cref="FactSources.TargetLetter"/>),
/// in every quarter whose stage still takes set-up (Data/PeriodStages.cs); each quarter's assessed key
/// tasks become the unit's <see cref="KeyTaskMeasure"/> figure.
/// </summary>
public sealed class TargetLetterService(KaoheDbContext db, AuditLog audit, IAttachmentStore store, TimeProvider clock, IAuthorizationService authorization)
{
    public const string OwnerKind = "milestone";

    /// <summary>The measure the weighted completion of a unit's key tasks is written as (0–100, %).</summary>
    public const string KeyTaskMeasure = "keytask";

    public KaoheDbContext Db => db;

    /// <summary>The resource handlers (<see cref="TargetLetterAuthorization"/>), for the endpoints and pages that use this service.</summary>
    public IAuthorizationService Authorization => authorization;

    private static Failure Fail(int status, string field, string zh, string en) => new(Failure.KindOf(status), zh, en, field);

    private static Failure Invalid(Dictionary<string, Message[]> errors) =>
        Failure.Invalid("目标责任书有误，未保存", "the target letter is invalid; nothing was stored", errors);

    /// <summary>The measures of the category's active schemes in the year's quarters (the latest quarter's definition wins).</summary>
    public async Task<IReadOnlyList<Measure>> MeasuresAsync(int year, string category, CancellationToken ct = default)
    {
        var prefix = year.ToString(CultureInfo.InvariantCulture) + "-";
        var schemes = await db.Schemes.AsNoTracking().Where(s => s.Category == category && s.Status == SchemeStatus.Active && s.PeriodId.StartsWith(prefix))
            .ToListAsync(ct);
        var measures = new Dictionary<string, Measure>(StringComparer.Ordinal);
        foreach (var s in schemes.OrderBy(s => s.PeriodId, StringComparer.Ordinal).ThenBy(s => s.Version))
            if (SchemeService.Parse(s) is { IsValid: true } read)
                foreach (var m in read.Measures) measures[m.Id] = m;
        return [.. measures.Values.OrderBy(m => m.Id, StringComparer.Ordinal)];
    }

    /// <summary>Who may be named to assess a key task: the divisions (机关处室).</summary>
    public async Task<HashSet<string>> AssessorsAsync(CancellationToken ct = default) =>
        (await db.Units.AsNoTracking().Where(u => u.Kind == UnitKind.Division).Select(u => u.Id).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);

    private async Task<(LetterContent? Content, Failure? Failure)> ReadAsync(int year, string category, LetterInput? input, CancellationToken ct)
    {
        var (content, errors) = LetterValidation.Read(input, await MeasuresAsync(year, category, ct), await AssessorsAsync(ct));
        return content is null ? (null, Invalid(errors)) : (content, null);
    }

    /// <summary>Creates the letter of (year, unit) or edits its draft; an issued letter may be edited until the unit acknowledges it.</summary>
    public async Task<LetterOutcome> SaveDraftAsync(int year, string? unitId, LetterInput? input, CancellationToken ct = default)
    {
        if (year is < 2000 or > 2100) return Fail(StatusCodes.Status400BadRequest, "year", $"年度 {year} 无效", $"year {year} is invalid");
        var unit = string.IsNullOrWhiteSpace(unitId) ? null : await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == unitId, ct);
        var category = unit is null ? null : Categories.Of(unit.Kind);
        if (unit is null || category is null) return Fail(StatusCodes.Status400BadRequest, "unit", $"被考核单位 \"{unitId}\" 不存在", $"unit \"{unitId}\" does not exist");
        var (content, failure) = await ReadAsync(year, category.Code, input, ct);
        if (failure is not null) return failure;
        var letter = await db.TargetLetters.FirstOrDefaultAsync(l => l.Year == year && l.UnitId == unit.Id, ct);
        var now = clock.GetUtcNow();
        if (letter is null)
        {
            letter = new TargetLetter(year, category.Code, unit.Id, content!.ToJson(), audit.Actor, now);
            db.TargetLetters.Add(letter);
        }
        else if (letter.Status is TargetLetterStatus.Acknowledged or TargetLetterStatus.ChangePending)
            return Fail(StatusCodes.Status409Conflict, "status", $"{unit.Name}已签收此目标责任书，修改须提出变更申请并经另一名考核办人员批准",
                $"{unit.NameEn} has acknowledged this letter: a change needs a request and a second office account's approval");
        else letter.Edit(content!.ToJson(), now);
        audit.Record("target.save", "target-letter", () => Id(letter.Id), null, new { letter.Year, letter.Category, letter.UnitId, content = content!.ToJson() });
        await audit.SaveAsync(ct);
        return letter;
    }

    /// <summary>Issues the draft as the next version (下达) and writes its quarter targets.</summary>
    public async Task<LetterOutcome> IssueAsync(int id, CancellationToken ct = default)
    {
        var letter = await db.TargetLetters.FirstOrDefaultAsync(l => l.Id == id, ct);
        if (letter is null) return Fail(StatusCodes.Status404NotFound, "id", $"目标责任书 {id} 不存在", $"target letter {id} does not exist");
        if (letter.Status != TargetLetterStatus.Draft)
            return Fail(StatusCodes.Status409Conflict, "status", "只有草稿可以下达", "only a draft can be issued");
        var version = letter.Issue(audit.Actor, clock.GetUtcNow());
        db.TargetLetterVersions.Add(version);
        var quarters = await WriteTargetsAsync(letter, LetterContent.Parse(letter.Content), audit.Actor, ct);
        audit.Record("target.issue", "target-letter", Id(letter.Id), "Draft", new { letter.Version, quarters });
        if (!await SaveVersionAsync(ct)) return Raced();
        return new LetterOutcome(letter, null, quarters);
    }

    /// <summary>签收: only an account of the letter's own unit, of the version the unit was last issued.</summary>
    public async Task<LetterOutcome> AcknowledgeAsync(int id, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var letter = await db.TargetLetters.FirstOrDefaultAsync(l => l.Id == id, ct);
        // Another unit's letter is not there for this account: the same answer as a letter that does not exist.
        if (letter is null || !await authorization.MayAsync(user, letter, UnitOperations.Act))
            return Fail(StatusCodes.Status404NotFound, "id", $"目标责任书 {id} 不存在或无权签收", $"target letter {id} does not exist or is not yours to acknowledge");
        if (letter.Status != TargetLetterStatus.Issued)
            return Fail(StatusCodes.Status409Conflict, "status", letter.Status == TargetLetterStatus.Draft ? "目标责任书正在修改，待重新下达后签收" : "此版本已签收",
                letter.Status == TargetLetterStatus.Draft ? "the letter is being revised; acknowledge it once it is issued again" : "this version has already been acknowledged");
        letter.Acknowledge(audit.Actor, clock.GetUtcNow());
        audit.Record("target.acknowledge", "target-letter", Id(letter.Id), "Issued", new { letter.Version, letter.AcknowledgedBy });
        await audit.SaveAsync(ct);
        return letter;
    }

    /// <summary>Asks to change an acknowledged letter: the new text is checked now and waits for a second office account.</summary>
    public async Task<(TargetLetterChange? Change, Failure? Failure)> RequestChangeAsync(int id, LetterInput? input, string? reason, CancellationToken ct = default)
    {
        var letter = await db.TargetLetters.FirstOrDefaultAsync(l => l.Id == id, ct);
        if (letter is null) return (null, Fail(StatusCodes.Status404NotFound, "id", $"目标责任书 {id} 不存在", $"target letter {id} does not exist"));
        reason = reason?.Trim();
        var (content, failure) = await ReadAsync(letter.Year, letter.Category, input, ct);
        if (failure is not null && string.IsNullOrEmpty(reason))
            return (null, failure with { Fields = new Dictionary<string, Message[]>(failure.Fields ?? new Dictionary<string, Message[]>()) { ["reason"] = [new("须说明变更理由", "a reason is required")] } });
        if (failure is not null) return (null, failure);
        if (string.IsNullOrEmpty(reason) || reason.Length > 1000)
            return (null, Fail(StatusCodes.Status400BadRequest, "reason", "须说明变更理由（1–1000 字）", "a reason of 1–1000 characters is required"));
        if (letter.Status != TargetLetterStatus.Acknowledged)
            return (null, Fail(StatusCodes.Status409Conflict, "status", letter.Status == TargetLetterStatus.ChangePending ? "已有一项变更待审批" : "单位签收前可直接修改，无须变更申请",
                letter.Status == TargetLetterStatus.ChangePending ? "a change is already pending" : "before the unit acknowledges, the office edits the letter directly"));
        var change = new TargetLetterChange(letter.Id, letter.Version, content!.ToJson(), reason, audit.Actor, clock.GetUtcNow());
        db.TargetLetterChanges.Add(change);
        letter.ChangeRequested();
        audit.Record("target.change.request", "target-letter", Id(letter.Id), null, new { fromVersion = letter.Version, content = change.Content }, reason);
        await audit.SaveAsync(ct);
        return (change, null);
    }

    /// <summary>A second office account decides a change; approval issues it as a new version and writes its quarter targets.</summary>
    public async Task<LetterOutcome> DecideChangeAsync(long changeId, bool approve, string? note, CancellationToken ct = default)
    {
        var change = await db.TargetLetterChanges.FirstOrDefaultAsync(c => c.Id == changeId, ct);
        if (change is null) return Fail(StatusCodes.Status404NotFound, "id", $"变更申请 {changeId} 不存在", $"change request {changeId} does not exist");
        if (change.Status != TargetChangeStatus.Pending)
            return Fail(StatusCodes.Status409Conflict, "status", "此变更申请已审批，不能再次审批", "this change request has already been decided");
        var actor = audit.Actor;
        if (string.Equals(change.RequestedBy, actor, StringComparison.OrdinalIgnoreCase))
            return Fail(StatusCodes.Status403Forbidden, "approver", "目标责任书变更须由另一名考核办人员审批，申请人不能审批自己的申请",
                "a change to a target letter must be decided by a second office account; the requester cannot decide their own request");
        note = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (note?.Length > 1000) return Fail(StatusCodes.Status400BadRequest, "note", "审批意见不超过 1000 字", "the note is at most 1000 characters");
        if (!approve && note is null) return Fail(StatusCodes.Status400BadRequest, "note", "不予批准须说明理由", "a rejection needs a reason");
        var letter = await db.TargetLetters.FirstAsync(l => l.Id == change.LetterId, ct);
        var now = clock.GetUtcNow();
        change.Decide(approve, actor, now, note);
        IReadOnlyList<QuarterWrite>? quarters = null;
        if (approve)
        {
            db.TargetLetterVersions.Add(letter.Reissue(change, actor, now));
            quarters = await WriteTargetsAsync(letter, LetterContent.Parse(letter.Content), actor, ct);
            audit.Record("target.change.approve", "target-letter", Id(letter.Id), new { version = change.FromVersion }, new { letter.Version, change = change.Id, quarters }, note);
        }
        else
        {
            letter.ChangeRejected();
            audit.Record("target.change.reject", "target-letter", Id(letter.Id), "ChangePending", "Acknowledged", note);
        }
        if (!await SaveVersionAsync(ct)) return Raced();
        return new LetterOutcome(letter, null, quarters);
    }

    private static Failure Raced() => Fail(StatusCodes.Status409Conflict, "status", "此目标责任书刚被另一名考核办人员处理，请刷新后查看", "another office account has just acted on this letter; reload it");

    /// <summary>
    /// Saves a new version. Two office accounts issuing, or deciding the same change, at the same moment
    /// both number the next version: the unique (letter, version) index lets one through, the other is told.
    /// </summary>
    private async Task<bool> SaveVersionAsync(CancellationToken ct)
    {
        try
        {
            await audit.SaveAsync(ct);
            return true;
        }
        catch (DbUpdateException) when (db.ChangeTracker.Entries<TargetLetterVersion>().Any(e => e.State == EntityState.Added))
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }

    /// <summary>
    /// Writes each quarter's targets as that quarter's figures of the measures (verified facts from the
    /// letter), superseding the letter's earlier figures that changed. A quarter the stage no longer lets
    /// set up (review, published) or that has no period yet is left as it is and named in the result.
    /// </summary>
    public async Task<IReadOnlyList<QuarterWrite>> WriteTargetsAsync(TargetLetter letter, LetterContent content, string actor, CancellationToken ct = default,
        DateTimeOffset? at = null, int lastQuarter = 4, int firstQuarter = 1)
    {
        var result = new List<QuarterWrite>();
        var now = at ?? clock.GetUtcNow();
        for (var q = firstQuarter; q <= lastQuarter; q++)
        {
            var periodId = $"{letter.Year}-Q{q}";
            var state = await PeriodStages.StateAsync(db, periodId, letter.Category, ct);
            if (state is null)
            {
                result.Add(new QuarterWrite(periodId, false, Ui.T($"{periodId} 考核期尚未设立", $"period {periodId} does not exist yet")));
                continue;
            }
            if (PeriodStages.Refusal(state, PeriodInput.Setup) is { } refusal)
            {
                result.Add(new QuarterWrite(periodId, false, Ui.T(refusal.Zh, refusal.En)));
                continue;
            }
            var existing = await db.Facts.Where(f => f.PeriodId == periodId && f.UnitId == letter.UnitId && f.Source == FactSources.TargetLetter
                && FactStatuses.Counted.Contains(f.Status)).ToListAsync(ct);
            var note = $"目标责任书第{letter.Version}版";
            foreach (var t in content.Targets)
            {
                var figure = t.Quarters[q - 1];
                var old = existing.Where(f => f.IndicatorId == t.Measure).ToList();
                if (old.Count == 1 && FactPayload.Parse(old[0].Payload).Value == figure) continue;
                foreach (var f in old) f.SetStatus(FactStatus.Returned, $"由{note}取代");
                db.Facts.Add(new Fact(periodId, letter.UnitId, t.Measure, FactKind.Measure, new FactPayload(Value: figure, Note: note).ToJson(),
                    FactSources.TargetLetter, actor, now, FactStatus.Verified));
            }
            foreach (var f in existing.Where(f => content.Targets.All(t => t.Measure != f.IndicatorId)))
                f.SetStatus(FactStatus.Returned, $"{note}已无此目标");
            result.Add(new QuarterWrite(periodId, true, null));
        }
        return result;
    }

    /// <summary>
    /// A quarter set up after its year's letters were issued takes their figures now: each letter's last issued
    /// text is written for that quarter, as issuing would have (the office sets up quarters one by one, while
    /// the letters are issued in January). Returns how many letters wrote figures; each is audited.
    /// </summary>
    public async Task<int> WriteIssuedTargetsAsync(int year, int quarter, CancellationToken ct = default)
    {
        var letters = await db.TargetLetters.Where(l => l.Year == year).OrderBy(l => l.Id).ToListAsync(ct);
        var written = 0;
        foreach (var letter in letters)
        {
            if (letter.Status == TargetLetterStatus.Draft && !await db.TargetLetterVersions.AnyAsync(v => v.LetterId == letter.Id, ct)) continue;
            var content = await IssuedContentAsync(letter, ct);
            var quarters = await WriteTargetsAsync(letter, content, audit.Actor, ct, lastQuarter: quarter, firstQuarter: quarter);
            if (!quarters.Any(w => w.Written)) continue;
            written++;
            audit.Record("target.write", "target-letter", Id(letter.Id), null, new { letter.Version, quarters });
        }
        if (written > 0) await audit.SaveAsync(ct);
        return written;
    }

    /// <summary>
    /// A division assesses a key task's milestone of a quarter (完成 / 基本完成 / 未完成) with evidence. Once
    /// every milestone of the quarter is assessed, the weighted points become the unit's <see cref="KeyTaskMeasure"/> figure.
    /// </summary>
    public async Task<(MilestoneAssessment? Assessment, Failure? Failure)> AssessAsync(int letterId, string? taskId, int quarter, string? outcome, string? note,
        IReadOnlyList<Upload> evidence, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var letter = await db.TargetLetters.AsNoTracking().FirstOrDefaultAsync(l => l.Id == letterId, ct);
        if (letter is null || letter.Version == 0)
            return (null, Fail(StatusCodes.Status404NotFound, "id", $"目标责任书 {letterId} 不存在或未下达", $"target letter {letterId} does not exist or has not been issued"));
        var content = await IssuedContentAsync(letter, ct);
        var task = content.Tasks.FirstOrDefault(t => t.Id == taskId);
        if (task is null || !await authorization.MayAsync(user, task, UnitOperations.Act))
            return (null, Fail(StatusCodes.Status404NotFound, "task", $"没有分配给您评价的任务 \"{taskId}\"", $"no task \"{taskId}\" is assigned to you to assess"));
        var errors = new Dictionary<string, Message[]>();
        if (quarter is < 1 or > 4 || task.Milestones[quarter - 1].Length == 0)
            errors["quarter"] = [new($"此任务第 {quarter} 季度没有节点目标", $"the task has no milestone in quarter {quarter}")];
        MilestoneOutcome? o = outcome?.Trim() switch
        {
            "done" or "完成" => MilestoneOutcome.Done,
            "partly" or "基本完成" => MilestoneOutcome.Partly,
            "notdone" or "not-done" or "未完成" => MilestoneOutcome.NotDone,
            _ => null,
        };
        if (o is null) errors["outcome"] = [new("评价结果须为 完成、基本完成 或 未完成（done / partly / notdone）", "the outcome must be done, partly or notdone")];
        note = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (note?.Length > 1000) errors["note"] = [new("说明不超过 1000 字", "the note is at most 1000 characters")];
        if (errors.Count > 0) return (null, Failure.Invalid("请求有误，未保存", "the request is invalid; nothing was stored", errors));
        var periodId = $"{letter.Year}-Q{quarter}";
        if (!await db.Periods.AnyAsync(p => p.Id == periodId, ct))
            return (null, Fail(StatusCodes.Status409Conflict, "quarter", $"{periodId} 考核期尚未设立", $"period {periodId} does not exist yet"));
        await PeriodStages.EnsureForUnitAsync(db, periodId, letter.UnitId, PeriodInput.Data, ct);
        UploadRules.CheckTypes(evidence.Select(f => f.FileName));

        var actor = audit.Actor;
        var now = clock.GetUtcNow();
        var a = await db.MilestoneAssessments.FirstOrDefaultAsync(x => x.LetterId == letterId && x.TaskId == task.Id && x.Quarter == quarter, ct);
        var before = a is null ? null : new { outcome = a.Outcome.ToString(), a.Points };
        if (a is null)
        {
            a = new MilestoneAssessment(Guid.NewGuid().ToString("N"), letterId, task.Id, quarter);
            db.MilestoneAssessments.Add(a);
        }
        a.Assess(o!.Value, content.Points.Of(o.Value), note, actor, now);
        foreach (var f in evidence) db.Attachments.Add(await store.SaveAsync(f.Content, f.FileName, actor, OwnerKind, a.Key, ct));
        audit.Record("milestone.assess", "target-letter", Id(letterId), before, new { task = task.Id, quarter, outcome = a.Outcome.ToString(), a.Points }, note);
        await KeyTaskFactAsync(letter, content, quarter, actor, ct);
        await audit.SaveAsync(ct);
        return (a, null);
    }

    /// <summary>
    /// The unit's key-task completion of a quarter, Σ weight × points ÷ Σ weight over the tasks with a
    /// milestone that quarter, written as a verified <see cref="KeyTaskMeasure"/> figure once all are assessed.
    /// </summary>
    public async Task<double?> KeyTaskFactAsync(TargetLetter letter, LetterContent content, int quarter, string actor, CancellationToken ct = default, DateTimeOffset? at = null)
    {
        var due = content.Tasks.Where(t => t.Milestones[quarter - 1].Length > 0).ToList();
        if (due.Count == 0) return null;
        var assessed = (await db.MilestoneAssessments.AsNoTracking().Where(x => x.LetterId == letter.Id && x.Quarter == quarter).ToListAsync(ct))
            .Concat(db.ChangeTracker.Entries<MilestoneAssessment>().Select(e => e.Entity).Where(x => x.LetterId == letter.Id && x.Quarter == quarter))
            .GroupBy(x => x.TaskId).ToDictionary(g => g.Key, g => g.Last());
        if (due.Any(t => !assessed.ContainsKey(t.Id))) return null;
        var value = Math.Round(due.Sum(t => t.Weight * assessed[t.Id].Points) / due.Sum(t => t.Weight), 2, MidpointRounding.AwayFromZero);
        var periodId = $"{letter.Year}-Q{quarter}";
        var old = await db.Facts.Where(f => f.PeriodId == periodId && f.UnitId == letter.UnitId && f.Source == FactSources.KeyTask && f.IndicatorId == KeyTaskMeasure
            && FactStatuses.Counted.Contains(f.Status)).ToListAsync(ct);
        if (old.Count == 1 && FactPayload.Parse(old[0].Payload).Value == value) return value;
        foreach (var f in old) f.SetStatus(FactStatus.Returned, "重点工作任务重新评价");
        var text = string.Join("；", due.Select(t => $"{t.Title}（权重{LetterValidation.Num(t.Weight)}）{Labels.Of(assessed[t.Id].Outcome)}"));
        db.Facts.Add(new Fact(periodId, letter.UnitId, KeyTaskMeasure, FactKind.Measure, new FactPayload(Value: value, Note: text).ToJson(),
            FactSources.KeyTask, actor, at ?? clock.GetUtcNow(), FactStatus.Verified));
        return value;
    }

    /// <summary>The text the unit was last issued (a draft being revised is not the letter yet).</summary>
    public Task<LetterContent> IssuedContentAsync(TargetLetter letter, CancellationToken ct = default) => IssuedContentAsync(db, letter, ct);

    public static async Task<LetterContent> IssuedContentAsync(KaoheDbContext db, TargetLetter letter, CancellationToken ct = default) =>
        letter.Status != TargetLetterStatus.Draft ? LetterContent.Parse(letter.Content)
            : LetterContent.Parse(await db.TargetLetterVersions.AsNoTracking().Where(v => v.LetterId == letter.Id).OrderByDescending(v => v.Version)
                .Select(v => v.Content).FirstOrDefaultAsync(ct) ?? "{}");

    private static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);
}
