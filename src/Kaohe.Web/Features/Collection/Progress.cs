using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Collection;

/// <summary>One line of the 进度 board: who, what is missing, what awaits verification, what was late, and the sheet that fills it.</summary>
public sealed record ProgressRow(string Kind, string Id, string Name, int Expected, int Missing, int Drafts, int Returned, int Awaiting, int Late,
    IReadOnlyList<string> MissingItems, string Link)
{
    public bool Complete => Missing == 0 && Drafts == 0 && Returned == 0 && Awaiting == 0;
}

public sealed record ProgressBoard(string PeriodId, DateOnly Deadline, bool Closed, IReadOnlyList<ProgressRow> Units, IReadOnlyList<ProgressRow> Divisions,
    IReadOnlyList<ProgressRow> Leaders);

/// <summary>完成情况: for the office, per period, which facts are missing per unit, per division and per leader.</summary>
public sealed class Progress(KaoheDbContext db)
{
    public async Task<ProgressBoard?> BoardAsync(string periodId, CancellationToken ct = default)
    {
        var period = await db.Periods.AsNoTracking().FirstOrDefaultAsync(p => p.Id == periodId, ct);
        if (period is null) return null;
        var leaves = await SchemeLeaves.LoadAsync(db, periodId, ct);
        var units = await db.Units.AsNoTracking().OrderBy(u => u.Id).ToListAsync(ct);
        var facts = await db.Facts.AsNoTracking()
            .Where(f => f.PeriodId == periodId && (f.Kind == FactKind.Value || f.Kind == FactKind.RaterScore || f.Kind == FactKind.Measure))
            .Select(f => new { f.Id, f.UnitId, f.IndicatorId, f.Kind, f.Rater, f.Source, f.Status, f.Late }).ToListAsync(ct);
        var reports = facts.Where(f => f.Source == FactSources.Report && f.Kind != FactKind.Measure).GroupBy(f => (f.UnitId, f.IndicatorId!))
            .ToDictionary(g => g.Key, g => g.MaxBy(f => f.Id)!);
        // Base figures (基础数据) are on the unit's sheet too; a measure id may equal a leaf id, so they are kept apart.
        var figures = facts.Where(f => f.Source == FactSources.Report && f.Kind == FactKind.Measure).GroupBy(f => (f.UnitId, f.IndicatorId!))
            .ToDictionary(g => g.Key, g => g.MaxBy(f => f.Id)!);
        // A value a platform pushed (平台数据) is delivered: the unit need not report it.
        var supplied = facts.Where(f => f.Source == FactSources.Platform && f.Kind == FactKind.Value && FactStatuses.Counted.Contains(f.Status))
            .Select(f => (f.UnitId, f.IndicatorId!)).ToHashSet();
        // So is a figure from a platform, a target letter (plan) or the key-task assessments (keytask): nothing for the unit to report.
        var suppliedFigures = facts.Where(f => f.Source != FactSources.Report && f.Kind == FactKind.Measure && FactStatuses.Counted.Contains(f.Status))
            .Select(f => (f.UnitId, f.IndicatorId!)).ToHashSet();
        var scored = facts.Where(f => f.Source != FactSources.Report && f.Kind != FactKind.Measure && FactStatuses.Counted.Contains(f.Status))
            .Select(f => (f.UnitId, f.IndicatorId!, f.Kind == FactKind.RaterScore ? f.Rater : null)).ToHashSet();
        var q = Uri.EscapeDataString(periodId);

        var unitRows = new List<ProgressRow>();
        foreach (var u in units)
        {
            var category = SchemeLeaves.CategoryOf(u.Kind) ?? "";
            var mine = leaves.Of(category).Where(l => l.Owner == SlotOwner.Unit).ToList();
            var measures = leaves.MeasuresOf(category);
            if (mine.Count == 0 && measures.Count == 0) continue;
            var current = mine.Select(l => (Id: l.Id, Fact: reports.GetValueOrDefault((u.Id, l.Id)), Supplied: supplied.Contains((u.Id, l.Id))))
                .Concat(measures.Select(m => (Id: m.Id, Fact: figures.GetValueOrDefault((u.Id, m.Id)), Supplied: suppliedFigures.Contains((u.Id, m.Id))))).ToList();
            var missing = current.Where(c => c.Fact is null ? !c.Supplied : c.Fact.Status is FactStatus.Draft or FactStatus.Returned).Select(c => c.Id).ToList();
            unitRows.Add(new ProgressRow("unit", u.Id, u.Name, current.Count, missing.Count,
                current.Count(c => c.Fact?.Status == FactStatus.Draft), current.Count(c => c.Fact?.Status == FactStatus.Returned),
                current.Count(c => c.Fact?.Status == FactStatus.Submitted), current.Count(c => c.Fact?.Late == true), missing,
                $"/Collection/Report?period={q}&unit={Uri.EscapeDataString(u.Id)}"));
        }

        var unitById = units.ToDictionary(u => u.Id);
        var assignments = await db.Assignments.AsNoTracking().Where(a => a.PeriodId == periodId).ToListAsync(ct);
        var divisionRows = new List<ProgressRow>();
        var leaderRows = new List<ProgressRow>();
        var leaderNames = await db.Users.AsNoTracking().Where(u => u.Role == Roles.Leader).ToDictionaryAsync(u => u.UserName!, u => u.DisplayName, ct);
        foreach (var g in assignments.GroupBy(a => (a.Kind, a.Assignee)).OrderBy(g => g.Key.Kind).ThenBy(g => g.Key.Assignee, StringComparer.Ordinal))
        {
            int expected = 0, awaiting = 0, late = 0;
            var missing = new List<string>();
            foreach (var a in g)
            {
                if (!unitById.TryGetValue(a.UnitId, out var unit)) continue;
                var leaf = leaves.Find(SchemeLeaves.CategoryOf(unit.Kind) ?? "", a.IndicatorId);
                if (leaf is null) continue;
                if (leaf.Owner is SlotOwner.Division or SlotOwner.Leader)
                {
                    expected++;
                    var rater = leaf.Method is RatersMethod ? a.Rater ?? a.Assignee : null;
                    if (!scored.Contains((a.UnitId, a.IndicatorId, rater))) missing.Add($"{a.UnitId}/{a.IndicatorId}");
                }
                else if (leaf.Owner == SlotOwner.Unit && reports.GetValueOrDefault((a.UnitId, a.IndicatorId)) is { } r)
                {
                    if (r.Status == FactStatus.Submitted) awaiting++;
                    if (r.Late) late++;
                }
            }
            if (g.Key.Kind == AssignmentKind.Division)
            {
                var name = unitById.GetValueOrDefault(g.Key.Assignee)?.Name ?? g.Key.Assignee;
                divisionRows.Add(new ProgressRow("division", g.Key.Assignee, name, expected, missing.Count, 0, 0, awaiting, late, missing,
                    $"/Collection/Score?period={q}&division={Uri.EscapeDataString(g.Key.Assignee)}"));
            }
            else
                leaderRows.Add(new ProgressRow("leader", g.Key.Assignee, leaderNames.GetValueOrDefault(g.Key.Assignee) ?? g.Key.Assignee, expected, missing.Count, 0, 0, 0, 0,
                    missing, $"/Collection/Leader?period={q}&leader={Uri.EscapeDataString(g.Key.Assignee)}"));
        }
        var closed = await db.Set<ScoringClosure>().AnyAsync(c => c.PeriodId == periodId, ct);
        return new ProgressBoard(periodId, period.ReportDeadline, closed, unitRows, divisionRows, leaderRows);
    }
}
