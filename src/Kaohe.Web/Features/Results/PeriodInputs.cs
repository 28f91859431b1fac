using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Schemes;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Results;

/// <summary>One unit's inputs of a quarter: the engine's data built from its counted facts, in the order they were recorded.</summary>
public sealed record UnitInputs(string UnitId, IReadOnlyList<DataValue> Values, IReadOnlyList<Adjustment> Adjustments, IReadOnlyList<Veto> Vetoes)
{
    /// <summary>Version 2: the unit's base figures (one per measure of the scheme, the latest counted fact of each).</summary>
    public IReadOnlyList<MeasureValue> Data { get; init; } = [];
}

/// <summary>
/// What a quarter's results are computed against until its structure changes: the active scheme of the
/// category and the units it assesses (with their ranking groups).
/// </summary>
public sealed record QuarterFrame(Period Period, string Category, Scheme Scheme, IReadOnlyList<Indicator> Indicators, Rules Rules,
    IReadOnlyList<OrgUnit> Units, IReadOnlyList<string> DeductionLeaves)
{
    /// <summary>The scheme's file version: 2 when it defines measures or formula leaves.</summary>
    public int Version { get; init; } = 1;

    /// <summary>The base data items of a version 2 scheme.</summary>
    public IReadOnlyList<Measure> Measures { get; init; } = [];

    /// <summary>
    /// Whether a leaf is a formula: its value may depend on every unit of the category (<c>sum</c>), so
    /// the category is scored whole rather than group by group.
    /// </summary>
    public bool HasFormulas { get; init; }

    /// <summary>The formula leaves: their values come from the measures, so a value fact recorded on one (under an earlier scheme version) is not data.</summary>
    public IReadOnlySet<string> FormulaLeaves { get; init; } = new HashSet<string>();

    public Assessment Assessment(IEnumerable<OrgUnit> units, IReadOnlyDictionary<string, UnitInputs> inputs)
    {
        var list = units.OrderBy(u => u.Id, StringComparer.Ordinal).ToList();
        var values = new List<DataValue>();
        var adjustments = new List<Adjustment>();
        var vetoes = new List<Veto>();
        var data = new List<MeasureValue>();
        foreach (var u in list)
        {
            var i = inputs.GetValueOrDefault(u.Id) ?? PeriodInputs.Empty(u.Id, DeductionLeaves);
            values.AddRange(i.Values);
            adjustments.AddRange(i.Adjustments);
            vetoes.AddRange(i.Vetoes);
            data.AddRange(i.Data);
        }
        return new Assessment(Period.Id, [.. list.Select(u => new Unit(u.Id, u.Name, u.Group))], Indicators, values, adjustments, vetoes, Rules)
        {
            Version = Version, Measures = Measures, Data = Version >= 2 ? data : [],
        };
    }
}

/// <summary>
/// Reads a quarter's inputs from the database: the frame (scheme and units) and the counted facts of
/// all or some of its units, turned unit by unit into the engine's data. Only submitted and verified
/// facts count; a unit's draft is not data yet. A deduction leaf without findings for a unit means
/// nothing was found (no deduction).
/// </summary>
public static class PeriodInputs
{
    /// <summary>Read a whole category (a join) rather than an IN list when this many units changed.</summary>
    public const int ChangedUnitsForFullRead = 200;

    public static async Task<QuarterFrame?> FrameAsync(KaoheDbContext db, Period period, string category, CancellationToken ct)
    {
        var cat = Categories.Find(category);
        if (cat is null || period.Kind != PeriodKind.Quarter) return null;
        var scheme = await db.Schemes.AsNoTracking()
            .Where(s => s.PeriodId == period.Id && s.Category == category && s.Status == SchemeStatus.Active)
            .OrderByDescending(s => s.Version).FirstOrDefaultAsync(ct);
        if (scheme is null) return null;
        var tree = SchemeService.Parse(scheme);
        if (!tree.IsValid) return null;
        var units = await db.Units.AsNoTracking().Where(u => u.Kind == cat.Kind).OrderBy(u => u.Id).ToListAsync(ct);
        var deduction = new List<string>();
        var formulaLeaves = new HashSet<string>(StringComparer.Ordinal);
        Walk(tree.Indicators!);
        return new QuarterFrame(period, category, scheme, tree.Indicators!, tree.Rules!, units, deduction.Distinct(StringComparer.Ordinal).ToList())
        {
            Version = tree.Version, Measures = tree.Measures, HasFormulas = formulaLeaves.Count > 0, FormulaLeaves = formulaLeaves,
        };

        void Walk(IEnumerable<Indicator> nodes)
        {
            foreach (var n in nodes)
            {
                if (n.IsLeaf && n.Method is DeductionMethod) deduction.Add(n.Id);
                if (n.Formula is not null) formulaLeaves.Add(n.Id);
                Walk(n.ChildList);
            }
        }
    }

    /// <summary>
    /// The inputs of the units given (null: every unit of the frame), read in one statement with the
    /// provider's own reader, in the order of the (period, unit, indicator) index. Units without a counted
    /// fact are in the answer too (their deduction leaves, without findings).
    /// </summary>
    public static async Task<Dictionary<string, UnitInputs>> ReadAsync(KaoheDbContext db, QuarterFrame frame, IReadOnlyCollection<string>? units, CancellationToken ct)
    {
        var kind = Categories.Find(frame.Category)!.Kind;
        var periodId = frame.Period.Id;
        var counted = FactStatuses.Counted;
        IQueryable<Fact> query;
        if (units is null)
        {
            // The category's units by a join, not an IN list of their ids (3,000 parameters at national scale).
            query = from f in db.Facts.AsNoTracking()
                    join u in db.Units on f.UnitId equals u.Id
                    where f.PeriodId == periodId && u.Kind == kind && counted.Contains(f.Status)
                    orderby f.UnitId, f.IndicatorId, f.Id
                    select f;
        }
        else
        {
            var ids = units.ToList();
            query = db.Facts.AsNoTracking().Where(f => f.PeriodId == periodId && ids.Contains(f.UnitId) && counted.Contains(f.Status))
                .OrderBy(f => f.UnitId).ThenBy(f => f.IndicatorId).ThenBy(f => f.Id);
        }
        var result = new Dictionary<string, UnitInputs>(StringComparer.Ordinal);
        var builder = new UnitBuilder(frame.DeductionLeaves, frame.Measures.Select(m => m.Id).ToHashSet(StringComparer.Ordinal), frame.FormulaLeaves);
        var strings = new DbRows.Strings();
        // One unit's rows at a time, put in (indicator, id) order by ordinal comparison, so that the input is
        // the same whatever the database's collation (the file written from it, and its hash, too).
        var pending = new List<(long Id, FactRow Row)>();
        void Flush()
        {
            if (pending.Count == 0) return;
            pending.Sort((a, b) => string.CompareOrdinal(a.Row.IndicatorId, b.Row.IndicatorId) is var c and not 0 ? c : a.Id.CompareTo(b.Id));
            foreach (var (_, row) in pending) builder.Add(row);
            result[pending[0].Row.UnitId] = builder.Finish();
            pending.Clear();
        }
        await DbRows.ForEachAsync(db, query.Select(f => new { f.UnitId, f.IndicatorId, f.Kind, f.Rater, f.Payload, f.Id }), r =>
        {
            var row = new FactRow(strings.Shared(r.GetString(0))!, strings.Shared(r.StringOrNull(1)), Enum.Parse<FactKind>(r.GetString(2)),
                strings.Shared(r.StringOrNull(3)), r.GetString(4));
            if (pending.Count > 0 && pending[0].Row.UnitId != row.UnitId) Flush();
            pending.Add((r.GetInt64(5), row));
        }, ct);
        Flush();
        foreach (var u in units ?? frame.Units.Select(u => u.Id).ToList())
            if (!result.ContainsKey(u)) result[u] = Empty(u, frame.DeductionLeaves);
        return result;
    }

    /// <summary>The inputs of a unit with no counted fact.</summary>
    public static UnitInputs Empty(string unitId, IReadOnlyList<string> deductionLeaves) =>
        new(unitId, [.. deductionLeaves.Select(l => new DataValue(unitId, l, Findings: new Findings(null, [])))], [], []);

    /// <summary>Turns one unit's fact rows (given one unit at a time, in order) into its inputs.</summary>
    private sealed class UnitBuilder(IReadOnlyList<string> deductionLeaves, IReadOnlySet<string> measures, IReadOnlySet<string> formulaLeaves)
    {
        private readonly List<DataValue> _values = [];
        private readonly Dictionary<string, double> _data = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<Finding>> _findings = new(StringComparer.Ordinal);
        private readonly List<Adjustment> _adjustments = [];
        private readonly List<Veto> _vetoes = [];

        public string? Unit { get; private set; }

        public void Add(FactRow f)
        {
            Unit = f.UnitId;
            var p = FactPayload.Parse(f.Payload);
            switch (f.Kind)
            {
                case FactKind.Value when formulaLeaves.Contains(f.IndicatorId!):
                    break;
                case FactKind.Value:
                    _values.Add(new DataValue(f.UnitId, f.IndicatorId!, p.Value, p.Target));
                    break;
                case FactKind.RaterScore:
                    _values.Add(new DataValue(f.UnitId, f.IndicatorId!, p.Value, Rater: f.Rater));
                    break;
                case FactKind.SurveyTally:
                    _values.Add(new DataValue(f.UnitId, f.IndicatorId!, Counts: p.Counts));
                    break;
                case FactKind.Finding:
                    if (!_findings.TryGetValue(f.IndicatorId!, out var list)) _findings[f.IndicatorId!] = list = [];
                    list.Add(new Finding(p.Points, p.Note));
                    break;
                case FactKind.Adjustment:
                    _adjustments.Add(new Adjustment(f.UnitId, p.Points ?? 0, p.Reason ?? ""));
                    break;
                case FactKind.Veto:
                    _vetoes.Add(new Veto(f.UnitId, p.Reason ?? ""));
                    break;
                case FactKind.Measure:
                    // The latest counted figure of a measure the scheme defines (rows come in id order); a
                    // figure of a measure the active scheme no longer has is not its data.
                    if (f.IndicatorId is { } m && measures.Contains(m) && p.Value is { } figure) _data[m] = figure;
                    break;
            }
        }

        public UnitInputs Finish()
        {
            var unit = Unit!;
            foreach (var leaf in deductionLeaves)
                _values.Add(new DataValue(unit, leaf, Findings: new Findings(null, _findings.GetValueOrDefault(leaf) ?? [])));
            var done = new UnitInputs(unit, [.. _values], [.. _adjustments], [.. _vetoes])
            {
                Data = [.. _data.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new MeasureValue(unit, kv.Key, kv.Value))],
            };
            _values.Clear();
            _data.Clear();
            _findings.Clear();
            _adjustments.Clear();
            _vetoes.Clear();
            Unit = null;
            return done;
        }
    }
}
