using System.Linq.Expressions;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Shared;
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

/// <summary>
/// A unit's counts on the 进度 board as the database computes them (a class with settable members, not a positional
/// record, so that EF can sort and filter on its members after the projection).
/// </summary>
public sealed class UnitProgress
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public UnitKind Kind { get; init; }
    public string? Prefecture { get; init; }
    public int Expected { get; init; }
    public int Missing { get; init; }
    public int Drafts { get; init; }
    public int Returned { get; init; }
    public int Awaiting { get; init; }
    public int Late { get; init; }
}

/// <summary>The filters of the units' lines on 进度 (each optional).</summary>
public sealed record ProgressFilter(UnitKind? Kind = null, string? Prefecture = null, string? State = null, string? Text = null);

/// <summary>完成情况: for the office, per period, which facts are missing per unit, per division and per leader.</summary>
public sealed class Progress(KaoheDbContext db)
{
    private sealed record SlotFact(long Id, string UnitId, string? IndicatorId, FactKind Kind, string? Rater, string Source, FactStatus Status, bool Late);

    private static readonly Sorts<UnitProgress> UnitSorts = Sorts<UnitProgress>.By("-pending", r => r.Id)
        .Add("pending", r => r.Missing + r.Awaiting + r.Returned).Add("id", r => r.Id).Add("name", r => r.Name)
        .Add("missing", r => r.Missing).Add("awaiting", r => r.Awaiting).Add("late", r => r.Late);

    /// <summary>The whole board (the API's): every unit's line as the 进度 page counts it (<see cref="UnitPageAsync"/>'s query, unpaged).</summary>
    public async Task<ProgressBoard?> BoardAsync(string periodId, CancellationToken ct = default) => await BoardAsync(periodId, withUnits: true, ct);

    /// <param name="withUnits">False for the 进度 page, which reads the units' lines a page at a time (<see cref="UnitPageAsync"/>).</param>
    public async Task<ProgressBoard?> BoardAsync(string periodId, bool withUnits, CancellationToken ct = default)
    {
        var period = await db.Periods.AsNoTracking().FirstOrDefaultAsync(p => p.Id == periodId, ct);
        if (period is null) return null;
        var leaves = await SchemeLeaves.LoadAsync(db, periodId, ct);
        var assignments = await db.Assignments.AsNoTracking().Where(a => a.PeriodId == periodId).ToListAsync(ct);
        // The units' lines are counted by the page's query, so what "delivered" means is written once (UnitCounts).
        var q = Uri.EscapeDataString(periodId);
        var unitRows = withUnits ? await LinesAsync(periodId, leaves, [.. (await UnitCounts(periodId, leaves).Counts.ToListAsync(ct)).OrderBy(r => r.Id, StringComparer.Ordinal)], all: true, ct) : [];
        // The divisions' and leaders' lines need the assigned units' facts only.
        var units = await db.Units.AsNoTracking().Where(u => db.Assignments.Any(a => a.PeriodId == periodId && a.UnitId == u.Id)).OrderBy(u => u.Id).ToListAsync(ct);
        var facts = units.Count == 0 ? [] : await LoadFactsAsync(periodId, units.Select(u => u.Id).ToList(), ct);
        var (reports, _, _, _) = Slots(facts);
        var scored = facts.Where(f => f.Source != FactSources.Report && f.Kind != FactKind.Measure && FactStatuses.Counted.Contains(f.Status))
            .Select(f => (f.UnitId, f.IndicatorId!, f.Kind == FactKind.RaterScore ? f.Rater : null)).ToHashSet();

        var unitById = units.ToDictionary(u => u.Id);
        var divisionRows = new List<ProgressRow>();
        var leaderRows = new List<ProgressRow>();
        var leaderNames = await db.Users.AsNoTracking().Where(u => u.Role == Roles.Leader).ToDictionaryAsync(u => u.UserName!, u => u.DisplayName, ct);
        var assignees = assignments.Select(a => a.Assignee).Distinct().ToList();
        var divisionNames = assignments.Count == 0 ? new Dictionary<string, string>()
            : await db.Units.AsNoTracking().Where(u => assignees.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
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
                var name = divisionNames.GetValueOrDefault(g.Key.Assignee) ?? g.Key.Assignee;
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

    /// <summary>
    /// One page of the units' lines (3,000 at national scale). The database counts each unit's slots (GROUP BY over the
    /// period's facts) and filters them, in one query; only the page's units have their facts read, to name what
    /// each one is missing. The board's lines (<see cref="BoardAsync(string, CancellationToken)"/>) are this query's.
    /// </summary>
    /// <returns>The page, and whether the period has any unit line at all (before the filters).</returns>
    public async Task<(Paged<ProgressRow> Page, bool Any)> UnitPageAsync(string periodId, ProgressFilter filter, PageQuery query, CancellationToken ct = default)
    {
        var leaves = await SchemeLeaves.LoadAsync(db, periodId, ct);
        var (counts, kinds) = UnitCounts(periodId, leaves);
        var any = kinds.Count > 0 && await db.Units.AnyAsync(u => kinds.Contains(u.Kind), ct);
        if (filter.Kind is { } kind) counts = counts.Where(r => r.Kind == kind);
        if (!string.IsNullOrEmpty(filter.Prefecture)) counts = counts.Where(r => r.Prefecture == filter.Prefecture);
        counts = filter.State switch
        {
            "pending" => counts.Where(r => r.Missing != 0 || r.Drafts != 0 || r.Returned != 0 || r.Awaiting != 0),
            "complete" => counts.Where(r => r.Missing == 0 && r.Drafts == 0 && r.Returned == 0 && r.Awaiting == 0),
            "late" => counts.Where(r => r.Late > 0),
            "returned" => counts.Where(r => r.Returned > 0),
            _ => counts,
        };
        // Case-insensitive on both databases: lower() on each side (SQLite's instr and PostgreSQL's strpos compare case).
        if (filter.Text?.Trim() is { Length: > 0 } text)
        {
            var lower = text.ToLowerInvariant();
            counts = counts.Where(r => r.Id.ToLower().Contains(lower) || r.Name.ToLower().Contains(lower));
        }
        // One evaluation of the aggregate: its rows (at most one small line per unit) are sorted and cut here, as
        // counting, sorting and skipping in the database would run the GROUP BY over the period's facts twice.
        var page = (await counts.ToListAsync(ct)).Page(query, UnitSorts);
        return (new Paged<ProgressRow>(await LinesAsync(periodId, leaves, page.Items, all: false, ct), page.Pager), any);
    }

    /// <summary>
    /// The lines of these units, with their counts as the database gave them and what each one is missing (the cell's
    /// tooltip) from those units' facts; <paramref name="all"/> when they are every unit with slots (the whole board).
    /// </summary>
    private async Task<List<ProgressRow>> LinesAsync(string periodId, SchemeLeaves leaves, IReadOnlyList<UnitProgress> counts, bool all, CancellationToken ct)
    {
        var ids = counts.Select(r => r.Id).ToList();
        var units = all ? await db.Units.AsNoTracking().ToListAsync(ct) : await db.Units.AsNoTracking().Where(u => ids.Contains(u.Id)).ToListAsync(ct);
        var facts = ids.Count == 0 ? [] : await LoadFactsAsync(periodId, all ? null : ids, ct);
        var (reports, figures, supplied, suppliedFigures) = Slots(facts);
        var q = Uri.EscapeDataString(periodId);
        var missingOf = UnitRows(units, leaves, reports, figures, supplied, suppliedFigures, q).ToDictionary(r => r.Id, r => r.MissingItems);
        return [.. counts.Select(r => new ProgressRow("unit", r.Id, r.Name, r.Expected, r.Missing, r.Drafts, r.Returned, r.Awaiting, r.Late,
            missingOf.GetValueOrDefault(r.Id) ?? [], $"/Collection/Report?period={q}&unit={Uri.EscapeDataString(r.Id)}"))];
    }

    /// <summary>
    /// Every unit that has slots to fill, with its counts, as one query. A slot is a unit-owned leaf or a base figure
    /// (measure) of the unit's category; its fact is the latest report (highest id) for that unit, indicator and kind
    /// (figure or not). A slot is missing when that report is a draft or was returned, or when there is none and no
    /// platform, target letter or key-task value supplies it.
    /// </summary>
    private (IQueryable<UnitProgress> Counts, List<UnitKind> Kinds) UnitCounts(string periodId, SchemeLeaves leaves)
    {
        var slotsByKind = Enum.GetValues<UnitKind>()
            .Select(k => (Kind: k, Category: SchemeLeaves.CategoryOf(k) ?? ""))
            .Select(k => (k.Kind, Leaves: leaves.Of(k.Category).Where(l => l.Owner == SlotOwner.Unit).Select(l => l.Id).ToList(),
                Measures: leaves.MeasuresOf(k.Category).Select(m => m.Id).ToList()))
            .Where(k => k.Leaves.Count + k.Measures.Count > 0).ToList();
        if (slotsByKind.Count == 0) return (db.Units.Where(u => false).Select(u => new UnitProgress { Id = u.Id }), []);

        // The slot's indicator belongs to the unit's category: one disjunct per unit kind.
        var slot = slotsByKind.Select(k => SlotOf(k.Kind, k.Leaves, k.Measures)).Aggregate(Or);
        var inPeriod = db.Facts.Where(f => f.PeriodId == periodId);
        var latestIds = inPeriod
            .Where(f => f.Source == FactSources.Report && (f.Kind == FactKind.Value || f.Kind == FactKind.RaterScore || f.Kind == FactKind.Measure))
            .GroupBy(f => new { f.UnitId, f.IndicatorId, Figure = f.Kind == FactKind.Measure })
            .Select(g => g.Max(f => f.Id));
        var reports = (from f in inPeriod
                       join u in db.Units on f.UnitId equals u.Id
                       where latestIds.Contains(f.Id)
                       select new SlotRow { UnitId = f.UnitId, UnitKind = u.Kind, IndicatorId = f.IndicatorId, Figure = f.Kind == FactKind.Measure, Status = f.Status, Late = f.Late })
            .Where(slot)
            .GroupBy(s => s.UnitId)
            .Select(g => new
            {
                UnitId = g.Key,
                Done = g.Count(s => s.Status != FactStatus.Draft && s.Status != FactStatus.Returned),
                Drafts = g.Count(s => s.Status == FactStatus.Draft),
                Returned = g.Count(s => s.Status == FactStatus.Returned),
                Awaiting = g.Count(s => s.Status == FactStatus.Submitted),
                Late = g.Count(s => s.Late),
            });
        // Supplied and not reported: a platform value, or a figure from anywhere but the unit's own report.
        var supplied = (from f in inPeriod
                        join u in db.Units on f.UnitId equals u.Id
                        where ((f.Source == FactSources.Platform && f.Kind == FactKind.Value) || (f.Source != FactSources.Report && f.Kind == FactKind.Measure))
                              && (f.Status == FactStatus.Submitted || f.Status == FactStatus.Verified)
                        select new SlotRow { UnitId = f.UnitId, UnitKind = u.Kind, IndicatorId = f.IndicatorId, Figure = f.Kind == FactKind.Measure })
            .Where(slot)
            .Where(s => !inPeriod.Any(r => r.Source == FactSources.Report && r.UnitId == s.UnitId && r.IndicatorId == s.IndicatorId
                && (s.Figure ? r.Kind == FactKind.Measure : r.Kind == FactKind.Value || r.Kind == FactKind.RaterScore)))
            .Select(s => new { s.UnitId, s.IndicatorId, s.Figure }).Distinct()
            .GroupBy(s => s.UnitId)
            .Select(g => new { UnitId = g.Key, Count = g.Count() });

        var kinds = slotsByKind.Select(k => k.Kind).ToList();
        var joined = from u in db.Units
                     where kinds.Contains(u.Kind)
                     join r in reports on u.Id equals r.UnitId into rs
                     from r in rs.DefaultIfEmpty()
                     join s in supplied on u.Id equals s.UnitId into ss
                     from s in ss.DefaultIfEmpty()
                     select new UnitSlots
                     {
                         Id = u.Id, Name = u.Name, Kind = u.Kind, Prefecture = u.Prefecture,
                         // A unit with no fact has no group: its counts are NULL, read as 0.
                         Done = (int?)r.Done ?? 0, Drafts = (int?)r.Drafts ?? 0, Returned = (int?)r.Returned ?? 0,
                         Awaiting = (int?)r.Awaiting ?? 0, Late = (int?)r.Late ?? 0, Supplied = (int?)s.Count ?? 0,
                     };
        // The number of slots depends on the unit's kind: a CASE over the kinds, put in for the placeholder parameter.
        Expression<Func<UnitSlots, int, UnitProgress>> shape = (a, expected) => new UnitProgress
        {
            Id = a.Id, Name = a.Name, Kind = a.Kind, Prefecture = a.Prefecture, Expected = expected, Missing = expected - a.Done - a.Supplied,
            Drafts = a.Drafts, Returned = a.Returned, Awaiting = a.Awaiting, Late = a.Late,
        };
        var row = shape.Parameters[0];
        Expression expectedOf = Expression.Constant(0);
        foreach (var k in slotsByKind)
            expectedOf = Expression.Condition(Expression.Equal(Expression.Property(row, nameof(UnitSlots.Kind)), Expression.Constant(k.Kind)),
                Expression.Constant(k.Leaves.Count + k.Measures.Count), expectedOf);
        var projection = Expression.Lambda<Func<UnitSlots, UnitProgress>>(new Replace(shape.Parameters[1], expectedOf).Visit(shape.Body), row);
        return (joined.Select(projection), kinds);
    }

    private sealed class SlotRow
    {
        public string UnitId { get; init; } = "";
        public UnitKind UnitKind { get; init; }
        public string? IndicatorId { get; init; }
        public bool Figure { get; init; }
        public FactStatus Status { get; init; }
        public bool Late { get; init; }
    }

    private sealed class UnitSlots
    {
        public string Id { get; init; } = "";
        public string Name { get; init; } = "";
        public UnitKind Kind { get; init; }
        public string? Prefecture { get; init; }
        public int Done { get; init; }
        public int Drafts { get; init; }
        public int Returned { get; init; }
        public int Awaiting { get; init; }
        public int Late { get; init; }
        public int Supplied { get; init; }
    }

    private static Expression<Func<SlotRow, bool>> SlotOf(UnitKind kind, List<string> leaves, List<string> measures) =>
        s => s.UnitKind == kind && (s.Figure ? measures.Contains(s.IndicatorId!) : leaves.Contains(s.IndicatorId!));

    private static Expression<Func<SlotRow, bool>> Or(Expression<Func<SlotRow, bool>> a, Expression<Func<SlotRow, bool>> b) =>
        Expression.Lambda<Func<SlotRow, bool>>(Expression.OrElse(a.Body, new Replace(b.Parameters[0], a.Parameters[0]).Visit(b.Body)), a.Parameters[0]);

    private sealed class Replace(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }

    private async Task<List<SlotFact>> LoadFactsAsync(string periodId, List<string>? unitIds, CancellationToken ct)
    {
        var facts = db.Facts.AsNoTracking()
            .Where(f => f.PeriodId == periodId && (f.Kind == FactKind.Value || f.Kind == FactKind.RaterScore || f.Kind == FactKind.Measure));
        if (unitIds is not null) facts = facts.Where(f => unitIds.Contains(f.UnitId));
        return await facts.Select(f => new SlotFact(f.Id, f.UnitId, f.IndicatorId, f.Kind, f.Rater, f.Source, f.Status, f.Late)).ToListAsync(ct);
    }

    private static (Dictionary<(string, string), SlotFact> Reports, Dictionary<(string, string), SlotFact> Figures, HashSet<(string, string)> Supplied,
        HashSet<(string, string)> SuppliedFigures) Slots(List<SlotFact> facts)
    {
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
        return (reports, figures, supplied, suppliedFigures);
    }

    private static List<ProgressRow> UnitRows(IEnumerable<OrgUnit> units, SchemeLeaves leaves, Dictionary<(string, string), SlotFact> reports,
        Dictionary<(string, string), SlotFact> figures, HashSet<(string, string)> supplied, HashSet<(string, string)> suppliedFigures, string q)
    {
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
        return unitRows;
    }
}
