using System.Globalization;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Features.Shared;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;

namespace Kaohe.Web.Features.Rectification;

public sealed record CountRow(string Key, string Label, int Total, int Closed, int Overdue);

public sealed record OverdueRow(long Id, string UnitId, string Unit, string Problem, string ResponsiblePerson, DateOnly Deadline, int DaysOverdue, ItemStatus Status);

public sealed record RecurrenceRow(long Id, string Unit, string Problem, string PeriodId, long PredecessorId, string PredecessorPeriodId, ItemStatus PredecessorStatus);

public sealed record SupervisionView(SupervisionFigures Figures, IReadOnlyList<CountRow> ByUnit, IReadOnlyList<CountRow> BySource, IReadOnlyList<CountRow> ByStatus,
    IReadOnlyList<OverdueRow> Overdue, IReadOnlyList<RecurrenceRow> Recurrences);

/// <summary>What the overdue deduction did: <see cref="NextPeriodId"/> is the quarter after the period, <see cref="Periods"/> where the deductions were recorded (a later one when that quarter no longer takes data).</summary>
public sealed record DeductionResult(string NextPeriodId, int Units, int Items, IReadOnlyList<long> FactIds, IReadOnlyList<string> Periods);

/// <summary>
/// 督促指导: the office's view of the ledger (counts by unit, source and status; on-time closure rate;
/// average days to close; the overdue list; recurrences), the overdue deduction into the next period,
/// the .xlsx ledger and the bulletin's rectification section.
/// </summary>
public sealed class Oversight(KaoheDbContext db, AuditLog audit, TimeProvider clock, Microsoft.Extensions.Options.IOptions<LedgerOptions> options, OfficeTime office)
{
    private async Task<List<RectificationItem>> ItemsAsync(string? periodId, CancellationToken ct)
    {
        var q = db.Set<RectificationItem>().AsNoTracking().Where(i => i.Status != ItemStatus.Merged);
        if (periodId is not null) q = q.Where(i => i.PeriodId == periodId);
        return await q.Include(i => i.Roadmap).OrderBy(i => i.Id).ToListAsync(ct);
    }

    public async Task<SupervisionView> SuperviseAsync(string? periodId, CancellationToken ct = default)
    {
        var summary = await SummaryAsync(periodId, ct);
        var overdue = await OverdueRowsAsync(await OverdueQuery(periodId).OrderBy(i => i.Deadline).ThenBy(i => i.Id).ToListAsync(ct), ct);
        return new SupervisionView(summary.Figures, summary.ByUnit, summary.BySource, summary.ByStatus, overdue, summary.Recurrences);
    }

    /// <summary>What a supervised item is counted by: the columns the figures and the counts read, without the text, the roadmap or the evidence (35,000 items at national scale).</summary>
    private sealed record Counted(long Id, string UnitId, string SourceKind, ItemStatus Status, DateOnly Deadline, DateTimeOffset RaisedAt, DateTimeOffset? ClosedAt, long? PredecessorId);

    /// <summary>The figures, the counts by unit, source and status and the recurrences of <see cref="SuperviseAsync"/>; the overdue list is <see cref="OverdueQuery"/>, for a page to read page by page.</summary>
    public async Task<SupervisionView> SummaryAsync(string? periodId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var q = db.Set<RectificationItem>().AsNoTracking().Where(i => i.Status != ItemStatus.Merged);
        if (periodId is not null) q = q.Where(i => i.PeriodId == periodId);
        var items = await q.Select(i => new Counted(i.Id, i.UnitId, i.SourceKind, i.Status, i.Deadline, i.RaisedAt, i.ClosedAt, i.PredecessorId)).ToListAsync(ct);
        var units = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Id, u => Ui.IsEnglish ? u.NameEn : u.Name, ct);
        string Unit(string id) => units.GetValueOrDefault(id, id);
        bool Overdue(Counted i) => i.ClosedAt is null && now > Deadlines.EndOf(i.Deadline, office.Zone);
        CountRow Row(string key, string label, IEnumerable<Counted> g)
        {
            var l = g.ToList();
            return new(key, label, l.Count, l.Count(i => i.ClosedAt is not null), l.Count(Overdue));
        }
        var figures = Supervision.Figures(items.Select(i => new SupervisedItem(i.UnitId, i.SourceKind, i.Status, i.Deadline, i.RaisedAt, i.ClosedAt)), now, office.Zone);
        var byUnit = items.GroupBy(i => i.UnitId).Select(g => Row(g.Key, Unit(g.Key), g)).OrderByDescending(r => r.Overdue).ThenByDescending(r => r.Total).ThenBy(r => r.Key, StringComparer.Ordinal).ToList();
        var bySource = items.GroupBy(i => i.SourceKind).Select(g => Row(g.Key, Labels.ItemSource(g.Key), g)).OrderByDescending(r => r.Total).ToList();
        var byStatus = items.GroupBy(i => i.Status).OrderBy(g => g.Key).Select(g => Row(g.Key.ToString(), Labels.Of(g.Key), g)).ToList();
        var recurrences = new List<RecurrenceRow>();
        if (items.Any(i => i.PredecessorId is not null))
        {
            var rows = await q.Where(i => i.PredecessorId != null)
                .Join(db.Set<RectificationItem>(), i => i.PredecessorId, p => (long?)p.Id, (i, p) => new { i.Id, i.UnitId, i.Problem, i.PeriodId, PredecessorId = p.Id, PredecessorPeriodId = p.PeriodId, PredecessorStatus = p.Status })
                .OrderBy(r => r.Id).ToListAsync(ct);
            recurrences = [.. rows.Select(r => new RecurrenceRow(r.Id, Unit(r.UnitId), r.Problem, r.PeriodId, r.PredecessorId, r.PredecessorPeriodId, r.PredecessorStatus))];
        }
        return new SupervisionView(figures, byUnit, bySource, byStatus, [], recurrences);
    }

    /// <summary>
    /// The overdue items (open past the end of their deadline day in the office's time zone), as a query, so that the
    /// page sorts and pages them in the database: a deadline is past when <see cref="Deadlines.EndOf"/> is before now,
    /// i.e. when it is before the first day whose end has not yet come.
    /// </summary>
    public IQueryable<RectificationItem> OverdueQuery(string? periodId)
    {
        var now = clock.GetUtcNow();
        var firstNotPast = Deadlines.FirstNotPast(now, office.Zone);
        var q = db.Set<RectificationItem>().AsNoTracking().Where(i => i.Status != ItemStatus.Merged && i.ClosedAt == null && i.Deadline < firstNotPast);
        return periodId is null ? q : q.Where(i => i.PeriodId == periodId);
    }

    /// <summary>The rows of the overdue list for these items (one page of <see cref="OverdueQuery"/>, or all of it).</summary>
    public async Task<List<OverdueRow>> OverdueRowsAsync(IReadOnlyList<RectificationItem> rows, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var ids = rows.Select(r => r.UnitId).Distinct().ToList();
        var units = await db.Units.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => Ui.IsEnglish ? u.NameEn : u.Name, ct);
        return [.. rows.Select(i => new OverdueRow(i.Id, i.UnitId, units.GetValueOrDefault(i.UnitId, i.UnitId), i.Problem, i.ResponsiblePerson, i.Deadline,
            (int)Math.Floor((now - Deadlines.EndOf(i.Deadline, office.Zone)).TotalDays) + 1, i.Status))];
    }

    /// <summary>The quarter after <paramref name="periodId"/> (Q4 → next year's Q1), if the database has it.</summary>
    public async Task<Period?> NextPeriodAsync(string periodId, CancellationToken ct = default)
    {
        var p = await db.Periods.AsNoTracking().FirstOrDefaultAsync(x => x.Id == periodId, ct);
        if (p?.Quarter is not { } q) return null;
        var (year, quarter) = q == 4 ? (p.Year + 1, 1) : (p.Year, q + 1);
        return await db.Periods.AsNoTracking().FirstOrDefaultAsync(x => x.Year == year && x.Quarter == quarter, ct);
    }

    /// <summary>
    /// Overdue items of <paramref name="periodId"/> (open past the deadline, or closed late) cost their
    /// unit points in the next period, as the category's <see cref="RectificationPolicy"/> says: one
    /// verified Adjustment fact per unit, whose reason names the items. Idempotent; a rerun after more
    /// items went overdue corrects the fact. It never fails on the stage guard (Data/PeriodStages.cs):
    /// when the next quarter is already in review or published for the unit's category, the deduction
    /// lands in the first later quarter still collecting data, and its reason says so; a deduction
    /// already counted in a quarter that has since been frozen stays as it was, and a rerun records
    /// only the difference, in the open quarter.
    /// </summary>
    public async Task<(DeductionResult? Result, Failure? Error)> ApplyOverdueDeductionsAsync(string periodId, CancellationToken ct = default)
    {
        var next = await NextPeriodAsync(periodId, ct);
        if (next is null) return (null, new(FailureKind.Invalid, $"考核期“{periodId}”没有下一季度", $"period \"{periodId}\" has no next quarter in the database", "period"));
        var later = (await db.Periods.AsNoTracking().Where(x => x.Kind == PeriodKind.Quarter && (x.Year > next.Year || (x.Year == next.Year && x.Quarter >= next.Quarter)))
            .ToListAsync(ct)).OrderBy(x => x.Year).ThenBy(x => x.Quarter).ToList();
        var openFor = new Dictionary<string, Period?>();
        async Task<Period?> OpenFor(string category)
        {
            if (openFor.TryGetValue(category, out var known)) return known;
            Period? found = null;
            foreach (var q in later)
                if (await PeriodStages.CheckAsync(db, q.Id, category, PeriodInput.Data, ct) is null) { found = q; break; }
            return openFor[category] = found;
        }
        var policies = await db.Set<RectificationPolicy>().AsNoTracking().Where(p => p.Enabled).ToDictionaryAsync(p => p.Category, ct);
        var now = clock.GetUtcNow();
        var items = await ItemsAsync(periodId, ct);
        var late = items.Where(i => Deadlines.State(i.Deadline, now, i.ClosedAt, options.Value.RemindersIn(office.Zone)) is DeadlineState.Overdue or DeadlineState.ClosedLate).ToList();
        var units = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Id, ct);
        var touched = new List<Fact>();
        var itemCount = 0;
        foreach (var g in late.GroupBy(i => i.UnitId).OrderBy(g => g.Key))
        {
            if (!units.TryGetValue(g.Key, out var unit)) continue;
            var cat = Categories.Of(unit.Kind);
            if (cat is null || !policies.TryGetValue(cat.Code, out var policy)) continue;
            var ids = g.Select(i => i.Id).OrderBy(i => i).ToList();
            var points = -Math.Min(policy.Cap, ids.Count * policy.PointsPerItem);
            if (points == 0) continue;
            itemCount += ids.Count;
            var key = $"rectification-overdue:{periodId}:{g.Key}";
            var mine = await db.Facts.Where(f => f.IdempotencyKey != null && (f.IdempotencyKey == key || f.IdempotencyKey.StartsWith(key + "@"))).OrderBy(f => f.Id).ToListAsync(ct);
            var (open, frozen) = (new List<Fact>(), new List<Fact>());
            foreach (var f in mine) (await PeriodStages.CheckAsync(db, f.PeriodId, cat.Code, PeriodInput.Data, ct) is null ? open : frozen).Add(f);
            // What a frozen quarter already deducted was announced with it and stays; only the rest can still change.
            var counted = frozen.Where(f => FactStatuses.Counted.Contains(f.Status)).ToList();
            var already = counted.Sum(f => FactPayload.Parse(f.Payload).Points ?? 0);
            var rest = Math.Round(points - already, 6);
            var fact = open.FirstOrDefault();
            if (fact is null && rest == 0) continue;
            var target = fact is null ? await OpenFor(cat.Code) : later.FirstOrDefault(q => q.Id == fact.PeriodId);
            if (target is null)
                return (null, new(FailureKind.Conflict, $"{next.Label(false)}及以后没有仍在收集数据的季度，{unit.Name}的逾期扣分无处记入；请先设置下一考核期", $"no quarter from {next.Label(true)} on is still collecting data: {unit.NameEn}'s overdue deduction has nowhere to go; set up the next period first", "period"));
            var reason = $"{periodId}整改事项逾期未按期整改到位（{string.Join("、", ids.Select(i => "#" + i.ToString(CultureInfo.InvariantCulture)))}），" +
                         $"每项扣{policy.PointsPerItem.ToString("0.##", CultureInfo.InvariantCulture)}分，最多扣{policy.Cap.ToString("0.##", CultureInfo.InvariantCulture)}分";
            if (target.Id != next.Id && await PeriodStages.StateAsync(db, next.Id, cat.Code, ct) is { } nextState)
                reason += $"（{next.Label(false)}{cat.NameZh}考核{PeriodStages.Name(nextState.Stage, nextState.ScoringClosed).Zh}，不再变动，扣分计入{target.Label(false)}）";
            if (counted.Count > 0)
                reason += $"（{string.Join("、", counted.Select(f => later.FirstOrDefault(q => q.Id == f.PeriodId)?.Label(false) ?? f.PeriodId).Distinct())}已扣{(-already).ToString("0.##", CultureInfo.InvariantCulture)}分，本次补扣{(-rest).ToString("0.##", CultureInfo.InvariantCulture)}分）";
            var payload = new FactPayload(Points: rest, Reason: reason).ToJson();
            if (fact is null)
            {
                fact = new Fact(target.Id, g.Key, null, FactKind.Adjustment, payload, FactSources.Office, "rectification", now, FactStatus.Verified,
                    idempotencyKey: mine.Count == 0 ? key : $"{key}@{target.Id}");
                db.Facts.Add(fact);
                var f = fact;
                audit.Record("rectification.overdue-deduction", "fact", () => f.Id.ToString(CultureInfo.InvariantCulture), null, new { next = target.Id, unit = g.Key, points = rest, items = ids });
            }
            else if (fact.Payload != payload)
            {
                var old = fact.Payload;
                // A verified fact is locked: reopen it to correct the points, then verify again, all in one audited save.
                fact.SetStatus(FactStatus.Draft);
                fact.Update(payload, "rectification", now);
                fact.SetStatus(FactStatus.Verified);
                audit.Record("rectification.overdue-deduction", "fact", fact.Id.ToString(CultureInfo.InvariantCulture), old, payload);
            }
            touched.Add(fact);
        }
        await audit.SaveAsync(ct);
        return (new DeductionResult(next.Id, touched.Count, itemCount, touched.Select(f => f.Id).ToList(), [.. touched.Select(f => f.PeriodId).Distinct().Order(StringComparer.Ordinal)]), null);
    }

    // ---------------------------------------------------------------- export and bulletin

    /// <summary>The ledger as the .xlsx workbook offices keep (问题整改台账): one row per item, its roadmap in one cell.</summary>
    public async Task<byte[]> ExportAsync(string? periodId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var items = await ItemsAsync(periodId, ct);
        var units = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        var rows = new List<IDictionary<string, object?>>();
        var n = 0;
        foreach (var i in items)
        {
            var roadmap = string.Join("\n", i.Roadmap.OrderBy(m => m.Due).ThenBy(m => m.Id).Select((m, k) =>
                $"{k + 1}. {m.Title}（{m.Due:yyyy-MM-dd}）{(m.DoneAt is { } d ? $" 已完成 {office.Local(d):yyyy-MM-dd}" : " 未完成")}"));
            rows.Add(ExcelSafe.Row(new Dictionary<string, object?>
            {
                ["序号"] = ++n,
                ["编号"] = i.Id,
                ["考核期"] = i.PeriodId,
                ["单位"] = units.GetValueOrDefault(i.UnitId, i.UnitId),
                ["问题描述"] = i.Problem,
                ["问题来源"] = Labels.ItemSource(i.SourceKind, english: false),
                ["来源依据"] = i.SourceRef ?? "",
                ["问题等级"] = Labels.Severity(i.Severity, english: false),
                ["责任人"] = i.ResponsiblePerson,
                ["整改时限"] = i.Deadline.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["路线图"] = roadmap,
                ["状态"] = Labels.Of(i.Status, english: false),
                ["时限情况"] = Labels.Of(english: false, s: Deadlines.State(i.Deadline, now, i.ClosedAt, options.Value.RemindersIn(office.Zone))),
                ["销号日期"] = i.ClosedAt is { } c ? office.Local(c).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "",
                ["退回理由"] = i.ReturnReason ?? "",
                ["重复发生"] = i.PredecessorId is { } p ? $"是（前序事项 #{p}）" : "否",
            }));
        }
        using var ms = new MemoryStream();
        if (rows.Count == 0)
            rows.Add(new Dictionary<string, object?> { ["序号"] = null, ["问题描述"] = "（暂无整改事项）" });
        ms.SaveAs(new Dictionary<string, object> { ["问题整改台账"] = rows });
        return ms.ToArray();
    }

    /// <summary>
    /// The lines of the bulletin's rectification section (整改落实情况) for a period, in Chinese (the
    /// bulletin is an official document): totals by source and state, the on-time closure rate, and the
    /// units with overdue items. <c>Features/Publication/BulletinDocument</c> takes them as <c>BulletinContent.Rectification</c>.
    /// </summary>
    public async Task<IReadOnlyList<string>> ForBulletinAsync(string periodId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var items = await ItemsAsync(periodId, ct);
        if (items.Count == 0) return [$"本期暂未建立问题整改台账。"];
        var units = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        var f = Supervision.Figures(items.Select(i => new SupervisedItem(i.UnitId, i.SourceKind, i.Status, i.Deadline, i.RaisedAt, i.ClosedAt)), now, office.Zone);
        int Src(string s) => items.Count(i => i.SourceKind == s);
        var lines = new List<string>
        {
            $"针对本次考核发现的短板弱项，共建立问题整改台账{f.Total}项（扣分问题{Src(ItemSources.Deduction)}项、实地考核问题{Src(ItemSources.Inspection)}项、" +
            $"通报批评{Src(ItemSources.Ranking)}项、其他{Src(ItemSources.Manual) + Src(ItemSources.Split)}项），逐项明确责任人、时间表、路线图。",
            $"截至{office.Local(now):yyyy年M月d日}，已整改销号{f.Closed}项，其中按期销号{f.ClosedOnTime}项" +
            (f.OnTimeClosureRate is { } r ? $"，按期销号率{(r * 100).ToString("0.#", CultureInfo.InvariantCulture)}%" : "") +
            (f.AverageDaysToClose is { } d ? $"，平均整改用时{d.ToString("0.#", CultureInfo.InvariantCulture)}天" : "") +
            $"；正在整改{f.Total - f.Closed}项，其中逾期{f.Overdue}项。",
        };
        var overdue = items.Where(i => i.ClosedAt is null && now > Deadlines.EndOf(i.Deadline, office.Zone)).GroupBy(i => i.UnitId)
            .OrderByDescending(g => g.Count()).Select(g => $"{units.GetValueOrDefault(g.Key, g.Key)}{g.Count()}项").ToList();
        if (overdue.Count > 0)
            lines.Add($"逾期未整改到位的有：{string.Join("、", overdue)}。请相关单位主要负责人督促整改，考核办将持续跟踪问效。");
        var recurrent = items.Count(i => i.PredecessorId is not null);
        if (recurrent > 0) lines.Add($"另有{recurrent}项问题在以往考核中已发现、本期再次出现，须深入剖析原因，防止屡改屡犯。");
        return lines;
    }
}
