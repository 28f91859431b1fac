using System.Globalization;
using System.Security.Claims;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Collection;

/// <summary>One row of a division's 评分 sheet: an assignment, what the unit reported, the rule, the engine's score or the division's own.</summary>
public sealed record ScoreRow(string UnitId, string UnitName, string IndicatorId, string IndicatorName, double Points, string Kind, string Rule,
    bool Entry, double Min, double Max, string? Rater, double? Score, double? ReportedValue, double? ReportedTarget, string? ReportStatus, long? ReportFactId,
    double? Computed, IReadOnlyList<EvidenceDto> Evidence);

public sealed record ScoreSheet(string PeriodId, string Assignee, bool Closed, IReadOnlyList<ScoreRow> Rows)
{
    public int Missing => Rows.Count(r => r.Entry && r.Score is null);
}

/// <summary>One unit of a leader's sheet: the leader's own rating and, once scoring is closed, the other leaders'.</summary>
public sealed record LeaderRow(string UnitId, string UnitName, string Category, string IndicatorId, string IndicatorName, string Rule, double? Score,
    IReadOnlyDictionary<string, double?> Others);

public sealed record LeaderSheet(string PeriodId, string Leader, string? RaterId, double Weight, bool Closed, IReadOnlyList<LeaderRow> Rows)
{
    public int Missing => Rows.Count(r => r.Score is null);
}

public sealed record ScoreInput(string? Unit, string? Indicator, double? Value);

/// <summary>
/// 多方评 and 厅领导班子总体评价: divisions score their assigned (unit, indicator) pairs, leaders rate
/// every unit assigned to them. Scores count for the engine as soon as they are saved (status
/// Submitted) and can be changed until the office closes scoring for the period.
/// </summary>
public sealed class Scoring(KaoheDbContext db, AuditLog audit, TimeProvider clock, ResultsStore store)
{
    public Task<ScoringClosure?> ClosureAsync(string periodId, CancellationToken ct = default) =>
        db.Set<ScoringClosure>().AsNoTracking().FirstOrDefaultAsync(c => c.PeriodId == periodId, ct);

    private async Task<Dictionary<string, Dictionary<string, double>>> ComputedAsync(string periodId, IEnumerable<string> categories, CancellationToken ct)
    {
        var result = new Dictionary<string, Dictionary<string, double>>();
        foreach (var c in categories.Distinct())
        {
            // What readers see (the results store): the sheet shows only the assigned (unit, indicator) pairs' scores.
            var view = await store.CurrentAsync(db, periodId, c, ct);
            if (view is not { Scored: true }) continue;
            foreach (var u in view.Units) result[u.Id] = u.Scores.ToDictionary(kv => kv.Key, kv => kv.Value);
        }
        return result;
    }

    /// <summary>The division's sheet: its assignments only.</summary>
    public async Task<(ScoreSheet? Sheet, Failure? Error)> DivisionSheetAsync(ClaimsPrincipal user, string periodId, string? division, CancellationToken ct = default)
    {
        var assignee = user.Role() == Roles.Division ? user.UnitId() : user.Role() == Roles.Office ? division : null;
        if (assignee is null) return (null, Failure.Forbidden("只有评分处室（或考核办）可查看评分表", "only a scoring division (or the office) has scoring sheets"));
        if (user.Role() == Roles.Division && division is not null && division != assignee)
            return (null, Failure.Forbidden($"无权查看处室 {division} 的评分表", $"you may not see division {division}'s sheet"));
        if (!await db.Periods.AnyAsync(p => p.Id == periodId, ct)) return (null, Failure.NotFound($"考核期 {periodId} 不存在", $"period {periodId} does not exist"));
        var assignments = await db.Assignments.AsNoTracking()
            .Where(a => a.PeriodId == periodId && a.Kind == AssignmentKind.Division && a.Assignee == assignee).ToListAsync(ct);
        var units = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Id, ct);
        var leaves = await SchemeLeaves.LoadAsync(db, periodId, ct);
        var unitIds = assignments.Select(a => a.UnitId).Distinct().ToList();
        var facts = await db.Facts.AsNoTracking().Include(f => f.Evidence)
            .Where(f => f.PeriodId == periodId && unitIds.Contains(f.UnitId) && (f.Kind == FactKind.Value || f.Kind == FactKind.RaterScore))
            .ToListAsync(ct);
        var computed = await ComputedAsync(periodId, unitIds.Select(u => units.TryGetValue(u, out var o) ? SchemeLeaves.CategoryOf(o.Kind) ?? "" : ""), ct);
        var closed = await ClosureAsync(periodId, ct) is not null;
        var rows = new List<ScoreRow>();
        foreach (var a in assignments.OrderBy(a => a.IndicatorId, StringComparer.Ordinal).ThenBy(a => a.UnitId, StringComparer.Ordinal))
        {
            if (!units.TryGetValue(a.UnitId, out var unit)) continue;
            var leaf = leaves.Find(SchemeLeaves.CategoryOf(unit.Kind) ?? "", a.IndicatorId);
            if (leaf is null) continue;
            var entry = leaf.Owner == SlotOwner.Division;
            var rater = leaf.Method is RatersMethod ? a.Rater ?? assignee : null;
            var mine = entry ? CurrentScore(facts, a.UnitId, leaf, rater) : null;
            var report = leaf.Owner == SlotOwner.Unit
                ? facts.Where(f => f.UnitId == a.UnitId && f.IndicatorId == leaf.Id && f.Source == FactSources.Report).MaxBy(f => f.Id)
                    ?? PlatformValue(facts, a.UnitId, leaf.Id) : null;
            var rp = report is null ? null : FactPayload.Parse(report.Payload);
            var (min, max) = leaf.ScoreRange;
            rows.Add(new ScoreRow(a.UnitId, unit.Name, leaf.Id, leaf.Name, leaf.Points, leaf.Kind, leaf.RuleText, entry, min, max, rater,
                mine is null ? null : FactPayload.Parse(mine.Payload).Value, rp?.Value, rp?.Target, report?.Status.ToString(), report?.Id,
                computed.TryGetValue(a.UnitId, out var cs) && cs.TryGetValue(leaf.Id, out var cv) ? cv : null,
                report?.Evidence.OrderBy(e => e.Id).Select(Reporting.Evidence).ToList() ?? []));
        }
        return (new ScoreSheet(periodId, assignee, closed, rows), null);
    }

    /// <summary>The value a platform pushed for a leaf the unit would otherwise report (平台数据).</summary>
    private static Fact? PlatformValue(IEnumerable<Fact> facts, string unitId, string leafId) =>
        facts.Where(f => f.UnitId == unitId && f.IndicatorId == leafId && f.Source == FactSources.Platform && f.Kind == FactKind.Value
                && FactStatuses.Counted.Contains(f.Status))
            .MaxBy(f => f.Id);

    private static Fact? CurrentScore(IEnumerable<Fact> facts, string unitId, Leaf leaf, string? rater) =>
        facts.Where(f => f.UnitId == unitId && f.IndicatorId == leaf.Id && f.Source != FactSources.Report
                && FactStatuses.Counted.Contains(f.Status)
                && (rater is null ? f.Kind == FactKind.Value : f.Kind == FactKind.RaterScore && f.Rater == rater))
            .MaxBy(f => f.Id);

    /// <summary>
    /// Saves a division's scores, all or nothing unless <paramref name="saveValid"/>: then the rows without
    /// errors are saved and the error lists the rest, with <see cref="Failure.Saved"/> naming what was kept.
    /// A row outside the division's assignments always refuses the whole batch (403, naming the rows). Every
    /// message names the unit and the indicator in words ("拉萨市住建局 · B2 工作评价：评价分 150 超出 0–100").
    /// </summary>
    public Task<Failure?> SaveDivisionScoresAsync(ClaimsPrincipal user, string periodId, IReadOnlyList<ScoreInput> scores, CancellationToken ct = default,
        bool dryRun = false, bool saveValid = false) =>
        user.Role() == Roles.Division && user.UnitId() is { } division
            ? SaveAsync(user, periodId, AssignmentKind.Division, division, scores, FactSources.Division, dryRun, saveValid, ct)
            : Task.FromResult<Failure?>(Failure.Forbidden("只有评分处室可以评分", "only a scoring division can enter these scores"));

    public Task<Failure?> SaveLeaderScoresAsync(ClaimsPrincipal user, string periodId, IReadOnlyList<ScoreInput> scores, CancellationToken ct = default,
        bool dryRun = false, bool saveValid = false) =>
        user.Role() == Roles.Leader && user.Identity?.Name is { } name
            ? SaveAsync(user, periodId, AssignmentKind.Leader, name, scores, FactSources.Leader, dryRun, saveValid, ct)
            : Task.FromResult<Failure?>(Failure.Forbidden("只有厅领导可以填写领导评价", "only a leader can enter the leadership evaluation"));

    private async Task<Failure?> SaveAsync(ClaimsPrincipal user, string periodId, AssignmentKind kind, string assignee, IReadOnlyList<ScoreInput> scores,
        string source, bool dryRun, bool saveValid, CancellationToken ct)
    {
        if (!await db.Periods.AnyAsync(p => p.Id == periodId, ct)) return Failure.NotFound($"考核期 {periodId} 不存在", $"period {periodId} does not exist");
        // Closed scoring, review and publication refuse here, as the stage guard would at SaveChanges.
        await EnsureOpenAsync(periodId, kind, assignee, ct);
        if (scores.Count == 0) return Failure.Invalid("没有要保存的评分", "there are no scores to save", "scores");
        var assignments = await db.Assignments.AsNoTracking().Where(a => a.PeriodId == periodId && a.Kind == kind && a.Assignee == assignee).ToListAsync(ct);
        var units = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Id, ct);
        var leaves = await SchemeLeaves.LoadAsync(db, periodId, ct);
        var bad = new Dictionary<string, Message[]>();
        var forbidden = new Dictionary<string, Message[]>();
        var valid = new List<(Assignment A, Leaf Leaf, double Value, string? Rater)>();
        var seen = new HashSet<(string, string)>();
        // "拉萨市住建局 · B2 工作评价": what a person recognises, in place of the row's JSON path.
        string UnitName(string id) => units.TryGetValue(id, out var u) ? u.Name : id;
        string What(string unitId, string? indicator, string? indicatorName) =>
            indicator is null ? UnitName(unitId) : $"{UnitName(unitId)} · {indicator}{(indicatorName is null ? "" : " " + indicatorName)}";
        (string, string) Named(string unitId, string? indicator, string? indicatorName, string zh, string en) =>
            ($"{What(unitId, indicator, indicatorName)}：{zh}", $"{What(unitId, indicator, indicatorName)}: {en}");
        for (var i = 0; i < scores.Count; i++)
        {
            var s = scores[i];
            var at = $"scores[{i}]";
            if (string.IsNullOrWhiteSpace(s.Unit)) { bad[$"{at}.unit"] = [($"第 {i + 1} 行：须填写单位编码", $"row {i + 1}: a unit id is required")]; continue; }
            var indicator = s.Indicator;
            var candidates = assignments.Where(a => a.UnitId == s.Unit && (indicator is null ? kind == AssignmentKind.Leader : a.IndicatorId == indicator)).ToList();
            if (candidates.Count != 1)
            {
                if (candidates.Count == 0)
                    forbidden[at] = [indicator is null ? Named(s.Unit, null, null, "领导评价不在您的评分分工内", "the leadership rating is not assigned to you")
                        : Named(s.Unit, indicator, null, "不在您的评分分工内", "is not assigned to you")];
                else bad[$"{at}.indicator"] = [Named(s.Unit, null, null, "须填写指标编码", "an indicator id is required")];
                continue;
            }
            var a = candidates[0];
            var leaf = units.TryGetValue(a.UnitId, out var unit) ? leaves.Find(SchemeLeaves.CategoryOf(unit.Kind) ?? "", a.IndicatorId) : null;
            var expected = kind == AssignmentKind.Leader ? SlotOwner.Leader : SlotOwner.Division;
            if (leaf is null || leaf.Owner != expected)
            {
                bad[$"{at}.indicator"] = [Named(a.UnitId, a.IndicatorId, leaf?.Name, "由计算或其他来源得分，不能直接评分", "is computed or filled elsewhere; it takes no score entry")];
                continue;
            }
            if (!seen.Add((a.UnitId, a.IndicatorId))) { bad[at] = [Named(a.UnitId, leaf.Id, leaf.Name, "重复填写", "appears twice")]; continue; }
            var (min, max) = leaf.ScoreRange;
            if (s.Value is not { } v || !double.IsFinite(v)) { bad[$"{at}.value"] = [Named(a.UnitId, leaf.Id, leaf.Name, "须填写分数", "a score is required")]; continue; }
            if (v < min || v > max)
            {
                var what = leaf.Method is RatersMethod ? ("评价分", "rating") : ("得分", "score");
                bad[$"{at}.value"] = [Named(a.UnitId, leaf.Id, leaf.Name, $"{what.Item1} {v.ToString(CultureInfo.InvariantCulture)} 超出 {min:0.##}–{max:0.##}",
                    $"{what.Item2} {v.ToString(CultureInfo.InvariantCulture)} is outside {min:0.##}–{max:0.##}")];
                continue;
            }
            valid.Add((a, leaf, v, leaf.Method is RatersMethod ? a.Rater ?? assignee : null));
        }
        if (forbidden.Count > 0)
            return Failure.Forbidden("部分评分不在您的评分分工内，未保存任何内容", "some scores are not assigned to you; nothing was saved", forbidden.Concat(bad).ToDictionary());
        Failure? partial = null;
        if (bad.Count > 0)
        {
            if (!saveValid || valid.Count == 0 || dryRun)
                return Failure.Invalid("评分有误，未保存任何内容", "The scores have errors; nothing was saved", bad);
            partial = Failure.Invalid($"已保存无误的 {valid.Count} 项，有误的 {bad.Count} 项未保存", $"Saved the {valid.Count} valid scores; the {bad.Count} with errors were not saved", bad) with
            {
                Saved = [.. valid.Select(x => new Message(What(x.A.UnitId, x.Leaf.Id, x.Leaf.Name), What(x.A.UnitId, x.Leaf.Id, x.Leaf.Name)))],
            };
        }
        if (dryRun) return null;

        var ids = valid.Select(v => v.A.UnitId).Distinct().ToList();
        var facts = await db.Facts.Where(f => f.PeriodId == periodId && ids.Contains(f.UnitId) && (f.Kind == FactKind.Value || f.Kind == FactKind.RaterScore)).ToListAsync(ct);
        var now = clock.GetUtcNow();
        var author = user.Identity?.Name ?? "";
        foreach (var (a, leaf, value, rater) in valid)
        {
            var payload = new FactPayload(Value: value).ToJson();
            if (CurrentScore(facts, a.UnitId, leaf, rater) is { } f)
            {
                if (f.Payload == payload) continue;
                var old = f.Payload;
                f.Rescore(payload, source, author, now);
                audit.Record($"{source}.score", "fact", f.Id.ToString(CultureInfo.InvariantCulture), old, payload);
            }
            else
            {
                var nf = new Fact(periodId, a.UnitId, leaf.Id, rater is null ? FactKind.Value : FactKind.RaterScore, payload, source, author, now, FactStatus.Submitted, rater);
                db.Facts.Add(nf);
                audit.Record($"{source}.score", "fact", () => nf.Id.ToString(CultureInfo.InvariantCulture), null, payload);
            }
        }
        await audit.SaveAsync(ct);
        return partial;
    }

    /// <summary>A leader's own sheet. Another leader's ratings appear only once the office has closed scoring.</summary>
    public async Task<(LeaderSheet? Sheet, Failure? Error)> LeaderSheetAsync(ClaimsPrincipal user, string periodId, string? leader, CancellationToken ct = default)
    {
        var name = user.Role() == Roles.Leader ? user.Identity?.Name : user.Role() == Roles.Office ? leader : null;
        if (name is null) return (null, Failure.Forbidden("只有厅领导（或考核办）可查看领导评价表", "only a leader (or the office) has leadership sheets"));
        if (user.Role() == Roles.Leader && leader is not null && leader != name)
            return (null, Failure.Forbidden("评分结束前只能查看本人的评价表", "you may see only your own sheet"));
        if (!await db.Periods.AnyAsync(p => p.Id == periodId, ct)) return (null, Failure.NotFound($"考核期 {periodId} 不存在", $"period {periodId} does not exist"));
        var closed = await ClosureAsync(periodId, ct) is not null;
        var raterId = await db.Users.AsNoTracking().Where(u => u.UserName == name).Select(u => u.RaterId).FirstOrDefaultAsync(ct);
        var assignments = await db.Assignments.AsNoTracking().Where(a => a.PeriodId == periodId && a.Kind == AssignmentKind.Leader && a.Assignee == name).ToListAsync(ct);
        var units = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Id, ct);
        var leaves = await SchemeLeaves.LoadAsync(db, periodId, ct);
        var ratings = await db.Facts.AsNoTracking()
            .Where(f => f.PeriodId == periodId && f.Kind == FactKind.RaterScore && FactStatuses.Counted.Contains(f.Status)).ToListAsync(ct);
        var rows = new List<LeaderRow>();
        var weight = 0.0;
        foreach (var a in assignments.OrderBy(a => a.UnitId, StringComparer.Ordinal))
        {
            if (!units.TryGetValue(a.UnitId, out var unit)) continue;
            var category = SchemeLeaves.CategoryOf(unit.Kind) ?? "";
            var leaf = leaves.Find(category, a.IndicatorId);
            if (leaf?.Method is not RatersMethod rm) continue;
            var rater = a.Rater ?? raterId;
            weight = rm.Raters.FirstOrDefault(r => r.Id == rater)?.Weight / rm.Raters.Sum(r => r.Weight) ?? 0;
            double? Of(string r) => ratings.Where(f => f.UnitId == a.UnitId && f.IndicatorId == leaf.Id && f.Rater == r).MaxBy(f => f.Id) is { } f
                ? FactPayload.Parse(f.Payload).Value : null;
            var others = closed ? rm.Raters.Where(r => r.Id != rater).ToDictionary(r => r.Id, r => Of(r.Id)) : new Dictionary<string, double?>();
            rows.Add(new LeaderRow(a.UnitId, unit.Name, category, leaf.Id, leaf.Name, leaf.RuleText, rater is null ? null : Of(rater), others));
        }
        return (new LeaderSheet(periodId, name, raterId, weight, closed, rows), null);
    }

    /// <summary>
    /// Refuses up front what the period's stage does not allow for a scorer's sheet (Data/PeriodStages.cs):
    /// the categories of the units assigned to the division or leader decide; none assigned, the period's.
    /// </summary>
    public async Task EnsureOpenAsync(string periodId, AssignmentKind kind, string assignee, CancellationToken ct = default)
    {
        var unitIds = db.Assignments.Where(a => a.PeriodId == periodId && a.Kind == kind && a.Assignee == assignee).Select(a => a.UnitId);
        var kinds = await db.Units.AsNoTracking().Where(u => unitIds.Contains(u.Id)).Select(u => u.Kind).Distinct().ToListAsync(ct);
        await PeriodStages.EnsureAsync(db, periodId, kinds.Count == 0 ? [""] : kinds.Select(k => PeriodStages.CategoryOf(k)), PeriodInput.Score, ct);
    }

    public async Task<Failure?> CloseAsync(ClaimsPrincipal user, string periodId, CancellationToken ct = default)
    {
        if (user.Role() != Roles.Office) return Failure.Forbidden("只有考核办可以结束评分", "only the office can close scoring");
        if (!await db.Periods.AnyAsync(p => p.Id == periodId, ct)) return Failure.NotFound($"考核期 {periodId} 不存在", $"period {periodId} does not exist");
        if (await ClosureAsync(periodId, ct) is not null) return Failure.Conflict($"考核期 {periodId} 的评分已经结束", $"scoring of {periodId} is already closed");
        var c = new ScoringClosure(periodId, user.Identity?.Name ?? "", clock.GetUtcNow());
        db.Set<ScoringClosure>().Add(c);
        audit.Record("scoring.close", "period", periodId, null, new { c.ClosedBy, c.ClosedAt });
        await audit.SaveAsync(ct);
        return null;
    }
}
