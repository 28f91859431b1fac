using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Publication;

/// <summary>For tests: awaited right before a publication is saved (period, category), to race a write against it.</summary>
public sealed class PublicationHooks
{
    public Func<string, string, Task>? BeforeSave { get; set; }
}

/// <summary>
/// The office's side of publication: the review window (申诉复核期), appeal decisions, and freezing
/// a period × category into an append-only snapshot (docs/snapshots.md). Every change is audited.
/// </summary>
public sealed class Publisher(KaoheDbContext db, ResultsStore store, AuditLog audit, TimeProvider clock, PublicationHooks hooks)
{
    public async Task<Failure?> OpenWindowAsync(string periodId, DateOnly closesOn, CancellationToken ct = default)
    {
        var period = await db.Periods.FirstOrDefaultAsync(p => p.Id == periodId, ct);
        if (period is null) return Failure.NotFound($"考核期 {periodId} 不存在", $"period {periodId} does not exist");
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (closesOn < today) return Failure.Invalid("截止日期不能早于今天", "the closing date cannot be before today", "closesOn");
        var window = await db.Set<ReviewWindow>().FirstOrDefaultAsync(w => w.PeriodId == periodId, ct);
        var old = window is null ? null : new { window.State, window.ClosesOn };
        if (window is null) db.Add(window = new ReviewWindow(periodId, today, closesOn, audit.Actor, now));
        else if (window.State == ReviewState.Open) return Failure.Conflict("申诉复核期已开启", "the review window is already open");
        else window.Reopen(closesOn, audit.Actor, now);
        var oldStatus = period.Status;
        period.MoveTo(PeriodStatus.Review);
        audit.Record("review.open", "period", periodId, new { window = old, status = oldStatus.ToString() }, new { window.OpensOn, window.ClosesOn, status = period.Status.ToString() });
        await audit.SaveAsync(ct);
        return null;
    }

    public async Task<Failure?> CloseWindowAsync(string periodId, CancellationToken ct = default)
    {
        var window = await db.Set<ReviewWindow>().FirstOrDefaultAsync(w => w.PeriodId == periodId, ct);
        if (window is not { State: ReviewState.Open }) return Failure.Conflict("申诉复核期未开启", "the review window is not open");
        var pending = await db.Set<Appeal>().CountAsync(a => a.PeriodId == periodId && a.Status == AppealStatus.Pending, ct);
        if (pending > 0) return Failure.Conflict($"尚有 {pending} 件申诉未处理，处理后才能结束复核", $"{pending} appeal(s) are still pending; decide them before closing the window");
        window.Close(audit.Actor, clock.GetUtcNow());
        audit.Record("review.close", "period", periodId, new { State = ReviewState.Open.ToString() }, new { State = window.State.ToString(), window.ClosedAt });
        await audit.SaveAsync(ct);
        return null;
    }

    public async Task<Failure?> SkipWindowAsync(string periodId, string? reason, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(reason)) return Failure.Invalid("跳过申诉复核须说明理由", "skipping the review window needs a reason", "reason");
        if (reason.Trim().Length > 2000) return Failure.Invalid("理由不能超过2000字", "the reason is longer than 2000 characters", "reason");
        if (!await db.Periods.AnyAsync(p => p.Id == periodId, ct)) return Failure.NotFound($"考核期 {periodId} 不存在", $"period {periodId} does not exist");
        var window = await db.Set<ReviewWindow>().FirstOrDefaultAsync(w => w.PeriodId == periodId, ct);
        if (window is not null) return Failure.Conflict("该考核期已有申诉复核期", "this period already has a review window");
        window = ReviewWindow.Skip(periodId, reason.Trim(), audit.Actor, clock.GetUtcNow());
        db.Add(window);
        audit.Record("review.skip", "period", periodId, null, new { State = window.State.ToString() }, reason.Trim());
        await audit.SaveAsync(ct);
        return null;
    }

    /// <summary>
    /// Freezes the draft of a period and category as the office reviewed it: <paramref name="revision"/> is
    /// the draft's revision the office looked at (<see cref="ResultsView.Revision"/>); if anything changed
    /// since, nothing is published and the refusal lists what changed. The snapshot holds the store's draft
    /// at that revision. The first publication needs the review window closed (or skipped); a later one is a
    /// correction that needs a reason and a difference, and names what changed. Rows are only ever added.
    /// </summary>
    public async Task<(PublishedSnapshot? Snapshot, Failure? Failure)> PublishAsync(string periodId, string category, string? revision, string? reason, CancellationToken ct = default)
    {
        var period = await db.Periods.FirstOrDefaultAsync(p => p.Id == periodId, ct);
        if (period is null) return (null, Failure.NotFound($"考核期 {periodId} 不存在", $"period {periodId} does not exist"));
        if (Categories.Find(category) is null) return (null, Failure.Invalid($"未知的考核对象 {category}", $"unknown category {category}", "category"));
        var window = await db.Set<ReviewWindow>().AsNoTracking().FirstOrDefaultAsync(w => w.PeriodId == periodId, ct);
        if (window is not { AllowsPublication: true })
            return (null, Failure.Conflict("申诉复核期结束（或说明理由跳过）后才能公布", "publish only after the review window is closed (or skipped with a reason)", "review"));
        var draft = await store.DraftAsync(db, periodId, category, ct);
        if (draft is null || draft.NoScheme) return (null, Failure.NotFound("该考核期和考核对象没有已启用的方案", "no active scheme (or annual setting) for this period and category"));
        if (string.IsNullOrWhiteSpace(revision))
            return (null, Failure.Invalid($"请注明所审核结果的版本（revision），当前为 {draft.Revision}", $"give the revision of the results you reviewed; the current one is {draft.Revision}", "revision"));
        if (draft.Revision?.ToString() != revision.Trim())
            return (null, await ChangedSinceAsync(draft, revision.Trim(), ct));
        if (!draft.Scored || draft.Assessment is null)
        {
            // Who is missing what, by unit and indicator name (issue 18), not the engine's JSON paths.
            var zh = await Unfinished.OfAsync(db, periodId, draft.Errors, draft.Assessment, english: false, ct);
            var en = await Unfinished.OfAsync(db, periodId, draft.Errors, draft.Assessment, english: true, ct);
            return (null, new Failure(FailureKind.Invalid, "数据尚不完整，不能公布。" + zh.Sentence(false) + "。请在填报进度中督促补齐。",
                "The data is not complete; cannot publish. " + en.Sentence(true) + ". Follow it up on the progress board.", "period"));
        }
        return await FreezeAsync(period, category, draft, reason, ct);
    }

    /// <summary>Writes the snapshot of a draft (a first publication, or a correction of the latest one).</summary>
    private async Task<(PublishedSnapshot? Snapshot, Failure? Failure)> FreezeAsync(Period period, string category, ResultsView draft, string? reason, CancellationToken ct)
    {
        var periodId = period.Id;
        var previous = await ResultsStore.LatestSnapshotAsync(db, periodId, category, ct);
        string? note = null;
        if (previous is not null)
        {
            if (string.IsNullOrWhiteSpace(reason))
                return (null, Failure.Invalid("更正已公布的结果须说明更正原因", "a correction of a published result needs a reason (changeNote)", "changeNote"));
            var before = await store.SnapshotAsync(db, previous.Id, ct);
            if (before?.Assessment is null) return (null, Failure.Conflict($"已公布的第 {previous.Version} 版无法读取，不能更正", $"published version {previous.Version} cannot be read; cannot correct it"));
            var inputs = SnapshotDiff.Inputs(before.Assessment, draft.Assessment!);
            var results = SnapshotDiff.Results(before.Units, draft.Units, draft.RankDecimals);
            if (inputs.Count == 0 && results.Count == 0)
                return (null, Failure.Conflict($"与已公布的第 {previous.Version} 版相比没有任何变化", $"nothing changed since version {previous.Version}"));
            note = SnapshotDiff.Note(reason, inputs, results);
        }
        var result = store.ResultForSnapshot(draft)!;
        var version = (previous?.Version ?? 0) + 1;
        var now = clock.GetUtcNow();
        now = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var key = $"{periodId}-{category}-v{version}";
        var title = $"{period.Label(false)}{Categories.Name(category, false)}考核结果";
        var document = SnapshotFile.Create(draft.Assessment!, result,
            new SnapshotMeta(key, version, title, audit.Actor, now, previous?.Key, note));
        var snapshot = new PublishedSnapshot(key, periodId, category, version, document,
            SnapshotFile.Sha256(KaoheFile.Write(draft.Assessment!)), SnapshotFile.Sha256(KaoheFile.WriteResult(result)),
            audit.Actor, now, previous?.Id, note);
        db.Snapshots.Add(snapshot);
        var oldStatus = period.Status;
        var published = await db.Snapshots.Where(s => s.PeriodId == periodId).Select(s => s.Category).Distinct().ToListAsync(ct);
        var due = period.Kind == PeriodKind.Annual
            ? await db.Set<AnnualSetting>().Where(s => s.Year == period.Year).Select(s => s.Category).ToListAsync(ct)
            : await db.Schemes.Where(s => s.PeriodId == periodId && s.Status == SchemeStatus.Active).Select(s => s.Category).Distinct().ToListAsync(ct);
        if (due.All(c => c == category || published.Contains(c))) period.MoveTo(PeriodStatus.Published);
        audit.Record(previous is null ? "snapshot.publish" : "snapshot.correct", "snapshot", key, previous is null ? null : new { previous.Key },
            new { key, snapshot.InputSha256, snapshot.ResultSha256, revision = draft.Revision?.ToString(), status = period.Status.ToString(), oldStatus = oldStatus.ToString() }, note);
        try
        {
            // Checked again in the publication's transaction, under the revision row's lock: a write that
            // raced the review and this request makes it a 409, not a snapshot of something nobody reviewed.
            if (hooks.BeforeSave is { } before) await before(periodId, category);
            using (draft.Revision is { } reviewed ? ResultsRevisions.Expect(db, periodId, reviewed) : null)
                await audit.SaveAsync(ct);
        }
        catch (RevisionChangedException)
        {
            db.ChangeTracker.Clear();
            return (null, await ChangedSinceAsync(draft, draft.Revision!.Value.ToString(), ct));
        }
        catch (DbUpdateException e) when (IsUniqueViolation(e))
        {
            // Two publications of the same period and category at once (two instances, or a double
            // click): both built version N, the unique index on (period, category, version) let the
            // first one in and rolled this one back whole. The loser is told, not given a 500.
            db.ChangeTracker.Clear();
            return (null, Failure.Conflict($"第 {version} 版刚刚已由他人公布，本次未公布，请刷新后查看",
                $"version {version} was just published by someone else; nothing was published now, reload to see it"));
        }
        return (snapshot, null);
    }

    /// <summary>The refusal of a publication whose reviewed revision is no longer current, listing what changed since.</summary>
    private async Task<Failure> ChangedSinceAsync(ResultsView draft, string reviewed, CancellationToken ct)
    {
        var current = draft.Revision!.Value;
        var colon = reviewed.LastIndexOf(':');
        var changes = new List<string>();
        if (colon <= 0 || reviewed[..colon] != current.Structure || !long.TryParse(reviewed[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var counter))
            changes.Add(Ui.T("考核方案、被考核单位或考核期状态有变动", "the scheme, the units or the period's status changed"));
        else
        {
            var kind = Categories.Find(draft.Category)!.Kind;
            var facts = await (from f in db.Facts.AsNoTracking()
                               join u in db.Units on f.UnitId equals u.Id
                               where f.PeriodId == draft.PeriodId && u.Kind == kind && f.ChangeNo > counter
                               orderby f.ChangeNo, f.Id
                               select new { f.Id, Unit = u.Name, f.IndicatorId, f.Kind, f.Status, f.Author, f.RecordedAt }).Take(21).ToListAsync(ct);
            changes.AddRange(facts.Take(20).Select(f => $"#{f.Id} {f.Unit} {f.IndicatorId ?? Labels.Of(f.Kind)} {Labels.Of(f.Status)} · {f.Author}"));
            if (facts.Count > 20) changes.Add("…");
        }
        var list = string.Join("；", changes);
        return new Failure(FailureKind.Conflict, $"审核后数据有变动，本次未公布，请重新审核后再公布（当前版本 {current}）：{list}",
            $"the data changed after your review; nothing was published. Review again and publish (current revision {current}): {list}", "revision");
    }

    private static bool IsUniqueViolation(DbUpdateException e) =>
        e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation }
        || e.InnerException is Microsoft.Data.Sqlite.SqliteException { SqliteExtendedErrorCode: 2067 or 1555 }; // SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY

    /// <summary>
    /// Decides an appeal. Accepting it may correct the contested fact: a new value for a value or a
    /// rating, or withdrawing a finding, adjustment or veto (it is then returned and no longer counts).
    /// The fact's old and new payload go into the audit trail with the appeal as the reason.
    /// </summary>
    public async Task<Failure?> DecideAsync(long appealId, bool accept, string? decision, double? newValue, bool withdraw, CancellationToken ct = default)
    {
        var appeal = await db.Set<Appeal>().FirstOrDefaultAsync(a => a.Id == appealId, ct);
        if (appeal is null) return Failure.NotFound($"申诉 {appealId} 不存在", $"appeal {appealId} does not exist");
        if (appeal.Status != AppealStatus.Pending) return Failure.Conflict("该申诉已处理", "the appeal has already been decided");
        if (string.IsNullOrWhiteSpace(decision))
            return Failure.Invalid(accept ? "采纳申诉须写明处理意见" : "驳回申诉须说明理由", accept ? "an accepted appeal needs a decision text" : "a rejection needs a reason", "decision");
        if (decision.Trim().Length > 4000) return Failure.Invalid("处理意见不能超过4000字", "the decision is longer than 4000 characters", "decision");
        var now = clock.GetUtcNow();
        if (accept && (newValue is not null || withdraw))
        {
            if (appeal.FactId is not { } factId) return Failure.Invalid("该申诉未指明数据，无法更正", "the appeal names no fact to correct", "factId");
            var fact = await db.Facts.FirstOrDefaultAsync(f => f.Id == factId && f.UnitId == appeal.UnitId && f.PeriodId == appeal.PeriodId, ct);
            if (fact is null) return Failure.NotFound($"数据 {factId} 不存在", $"fact {factId} does not exist");
            var before = new { fact.Payload, Status = fact.Status.ToString(), fact.Author };
            if (withdraw)
            {
                if (fact.Kind is FactKind.Value or FactKind.RaterScore or FactKind.SurveyTally or FactKind.Measure)
                    return Failure.Invalid("数值类数据不能撤销，请给出更正后的数值", "a value cannot be withdrawn; give the corrected value", "withdraw");
                fact.SetStatus(FactStatus.Returned, $"申诉 {appeal.Id} 采纳：{decision.Trim()}");
            }
            else
            {
                if (fact.Kind is not (FactKind.Value or FactKind.RaterScore or FactKind.Measure))
                    return Failure.Invalid("只有数值、基础数据和评分可以更正数值；扣分问题、加扣分请撤销", "only values, base figures and ratings take a corrected value; withdraw findings and adjustments", "value");
                if (!double.IsFinite(newValue!.Value)) return Failure.Invalid("数值无效", "the value is not a number", "value");
                var status = fact.Status;
                var payload = FactPayload.Parse(fact.Payload) with { Value = newValue };
                fact.SetStatus(FactStatus.Draft);
                fact.Update(payload.ToJson(), audit.Actor, now);
                fact.SetStatus(status);
            }
            audit.Record("fact.correct", "fact", fact.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), before,
                new { fact.Payload, Status = fact.Status.ToString(), fact.Author }, $"申诉 {appeal.Id} / appeal {appeal.Id}: {decision.Trim()}");
        }
        appeal.Decide(accept, decision.Trim(), audit.Actor, now);
        audit.Record(accept ? "appeal.accept" : "appeal.reject", "appeal", appeal.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            new { Status = AppealStatus.Pending.ToString() }, new { Status = appeal.Status.ToString(), appeal.FactId, newValue, withdraw }, decision.Trim());
        // An accepted appeal is the one way a period in review or published changes its inputs (Data/PeriodStages.cs).
        using var correction = accept ? PeriodStages.CorrectionByAppeal(db, appeal.Id, appeal.PeriodId, appeal.UnitId) : null;
        await audit.SaveAsync(ct);
        if (accept && (newValue is not null || withdraw)) await RepublishAsync(appeal, decision.Trim(), ct);
        return null;
    }

    /// <summary>
    /// Published means final: the only change to a published category's data is an accepted appeal, and it
    /// is published at once as a new version whose change note names the appeal and the difference. (The
    /// correction and the decision are saved first; should this publication fail, the corrected draft
    /// differs from the published version, which the snapshot page lists, and the office publishes it.)
    /// </summary>
    private async Task RepublishAsync(Appeal appeal, string decision, CancellationToken ct)
    {
        if (await ResultsStore.LatestSnapshotAsync(db, appeal.PeriodId, appeal.Category, ct) is null) return;
        var period = await db.Periods.FirstAsync(p => p.Id == appeal.PeriodId, ct);
        var draft = await store.DraftAsync(db, appeal.PeriodId, appeal.Category, ct);
        if (draft is not { Scored: true }) return;
        await FreezeAsync(period, appeal.Category, draft, $"申诉 {appeal.Id} 采纳：{decision} / appeal {appeal.Id} accepted", ct);
    }

    /// <summary>Sets the annual weights of a year and category (docs/annual.md): non-negative points that add up to 100.</summary>
    public async Task<Failure?> SetAnnualWeightsAsync(int year, string category, double? q1, double? q2, double? q3, double? q4, double? leadership, CancellationToken ct = default)
    {
        if (Categories.Find(category) is null) return Failure.Invalid($"未知的考核对象 {category}", $"unknown category {category}", "category");
        if (!await db.Periods.AnyAsync(p => p.Year == year && p.Quarter == null, ct)) return Failure.NotFound($"年度 {year} 不存在", $"year {year} does not exist");
        var named = new (string Field, double? Value)[] { ("q1", q1), ("q2", q2), ("q3", q3), ("q4", q4), ("leadership", leadership) };
        foreach (var (field, value) in named)
            if (value is not { } v || !double.IsFinite(v) || v < 0)
                return Failure.Invalid($"{field} 应为不小于0的数", $"{field} must be a number not below 0", field);
        var sum = named.Sum(n => n.Value!.Value);
        if (Math.Abs(sum - 100) > 1e-9) return Failure.Invalid($"各部分权重之和应为100，现为 {sum:0.##}", $"the weights must add up to 100, not {sum:0.##}", "leadership");
        var setting = await db.Set<AnnualSetting>().FirstOrDefaultAsync(s => s.Year == year && s.Category == category, ct);
        var old = setting is null ? null : new { setting.Q1, setting.Q2, setting.Q3, setting.Q4, setting.Leadership };
        if (setting is null) db.Add(setting = new AnnualSetting(year, category, q1!.Value, q2!.Value, q3!.Value, q4!.Value, leadership!.Value));
        else setting.Set(q1!.Value, q2!.Value, q3!.Value, q4!.Value, leadership!.Value);
        audit.Record("annual.weights", "annual", $"{year}-{category}", old, new { setting.Q1, setting.Q2, setting.Q3, setting.Q4, setting.Leadership });
        await audit.SaveAsync(ct);
        return null;
    }
}
