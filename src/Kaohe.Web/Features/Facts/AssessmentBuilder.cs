using System.Text.Json;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;
using Kaohe.Web.Data;
using Kaohe.Web.Features.Schemes;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Facts;

/// <summary>The v1 payload of a fact, as the file writes a value.</summary>
public sealed record FactPayload(double? Value = null, double? Target = null, Dictionary<string, double>? Counts = null,
    double? Points = null, string? Note = null, string? Reason = null)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static FactPayload Parse(string json) => JsonSerializer.Deserialize<FactPayload>(json, Json) ?? new();
}

public sealed record BuiltAssessment(Scheme Scheme, Assessment Assessment, IReadOnlyList<Fact> Facts)
{
    /// <summary>Time spent reading the scheme, units and facts from the database.</summary>
    public TimeSpan LoadTime { get; init; }

    /// <summary>Time spent turning the facts into the engine's assessment (payloads parsed).</summary>
    public TimeSpan BuildTime { get; init; }

    /// <summary>How many facts were read (also when <see cref="Facts"/> was not kept).</summary>
    public int FactCount { get; init; }
}

/// <summary>The columns of a fact that the assessment reads.</summary>
public readonly record struct FactRow(string UnitId, string? IndicatorId, FactKind Kind, string? Rater, string Payload)
{
    public static FactRow Of(Fact f) => new(f.UnitId, f.IndicatorId, f.Kind, f.Rater, f.Payload);
}

/// <summary>
/// Turns a period's facts and the category's active scheme into the engine's assessment. Only
/// submitted and verified facts count; a unit's draft is not data yet. A deduction leaf without
/// findings for a unit means nothing was found (no deduction).
/// </summary>
public sealed class AssessmentBuilder(KaoheDbContext db)
{
    public static readonly FactStatus[] Counted = [FactStatus.Submitted, FactStatus.Verified];

    public async Task<BuiltAssessment?> BuildAsync(string periodId, string category, CancellationToken ct = default) =>
        await BuildAsync(periodId, category, keepFacts: true, ct);

    /// <summary>
    /// Builds the assessment. Without <paramref name="keepFacts"/> only the five columns the assessment
    /// needs are read and <see cref="BuiltAssessment.Facts"/> is empty: at national scale (260,000 facts a
    /// quarter) materialising whole entities is most of the time (bench/README.md, "Ranking and explanation").
    /// </summary>
    public async Task<BuiltAssessment?> BuildAsync(string periodId, string category, bool keepFacts, CancellationToken ct = default)
    {
        var cat = Categories.Find(category);
        if (cat is null) return null;
        var scheme = await db.Schemes.AsNoTracking()
            .Where(s => s.PeriodId == periodId && s.Category == category && s.Status == SchemeStatus.Active)
            .OrderByDescending(s => s.Version).FirstOrDefaultAsync(ct);
        if (scheme is null) return null;
        var tree = SchemeService.Parse(scheme);
        if (!tree.IsValid) return null;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var units = await db.Units.AsNoTracking().Where(u => u.Kind == cat.Kind).OrderBy(u => u.Id).ToListAsync(ct);
        // The category's units by a join, not an IN list of their ids (3,000 parameters at national scale).
        // In the order of the (period, unit, indicator) index, so that the database needs no sort; the
        // facts of one unit and leaf (raters, findings, adjustments) stay in the order they were recorded.
        var query = from f in db.Facts.AsNoTracking()
                    join u in db.Units on f.UnitId equals u.Id
                    where f.PeriodId == periodId && u.Kind == cat.Kind && Counted.Contains(f.Status)
                    orderby f.UnitId, f.IndicatorId, f.Id
                    select f;
        List<Fact> facts = [];
        var acc = new Accumulator(tree.Indicators!);
        if (keepFacts)
        {
            facts = await query.ToListAsync(ct);
            foreach (var f in facts) acc.Add(FactRow.Of(f));
        }
        else await ReadRowsAsync(query, acc, ct);
        var loaded = sw.Elapsed;
        var assessment = acc.Finish(periodId, tree.Rules!, units);
        return new BuiltAssessment(scheme, assessment, facts) { LoadTime = loaded, BuildTime = sw.Elapsed - loaded, FactCount = acc.Count };
    }

    /// <summary>
    /// Reads the five columns with the provider's own data reader, on the command EF generates for the
    /// query (so the SQL, the parameters and the table names stay EF's), and hands each row to the
    /// accumulator as it is read. At national scale (260,000 facts) EF's materialisation cost about
    /// 8 µs a row, and keeping every row's JSON until the end made the collector copy them all twice;
    /// streamed, a row's payload is garbage as soon as it is parsed (bench/README.md, "Bulletin").
    /// </summary>
    private async Task ReadRowsAsync(IQueryable<Fact> query, Accumulator acc, CancellationToken ct)
    {
        var strings = new DbRows.Strings();
        await DbRows.ForEachAsync(db, query.Select(f => new { f.UnitId, f.IndicatorId, f.Kind, f.Rater, f.Payload }), r =>
            acc.Add(new FactRow(strings.Shared(r.GetString(0))!, strings.Shared(r.StringOrNull(1)), Enum.Parse<FactKind>(r.GetString(2)),
                strings.Shared(r.StringOrNull(3)), r.GetString(4))), ct);
    }

    public static Assessment Build(string periodId, IReadOnlyList<Indicator> indicators, Rules rules, IReadOnlyList<OrgUnit> units, IReadOnlyList<Fact> facts) =>
        Build(periodId, indicators, rules, units, facts.Select(FactRow.Of));

    public static Assessment Build(string periodId, IReadOnlyList<Indicator> indicators, Rules rules, IReadOnlyList<OrgUnit> units, IEnumerable<FactRow> facts)
    {
        var acc = new Accumulator(indicators);
        foreach (var f in facts) acc.Add(f);
        return acc.Finish(periodId, rules, units);
    }

    /// <summary>Collects facts one at a time into the engine's values, findings, adjustments and vetoes.</summary>
    private sealed class Accumulator(IReadOnlyList<Indicator> indicators)
    {
        private readonly List<DataValue> _values = [];
        private readonly Dictionary<(string Unit, string Leaf), List<Finding>> _findings = [];
        private readonly List<Adjustment> _adjustments = [];
        private readonly List<Veto> _vetoes = [];

        public int Count { get; private set; }

        public void Add(FactRow f)
        {
            Count++;
            var p = FactPayload.Parse(f.Payload);
            switch (f.Kind)
            {
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
                    var key = (f.UnitId, f.IndicatorId!);
                    if (!_findings.TryGetValue(key, out var list)) _findings[key] = list = [];
                    list.Add(new Finding(p.Points, p.Note));
                    break;
                case FactKind.Adjustment:
                    _adjustments.Add(new Adjustment(f.UnitId, p.Points ?? 0, p.Reason ?? ""));
                    break;
                case FactKind.Veto:
                    _vetoes.Add(new Veto(f.UnitId, p.Reason ?? ""));
                    break;
            }
        }

        public Assessment Finish(string periodId, Rules rules, IReadOnlyList<OrgUnit> units)
        {
            var deductionLeaves = new List<string>();
            void Walk(IEnumerable<Indicator> nodes)
            {
                foreach (var n in nodes)
                {
                    if (n.IsLeaf && n.Method is DeductionMethod) deductionLeaves.Add(n.Id);
                    Walk(n.ChildList);
                }
            }
            Walk(indicators);
            foreach (var leaf in deductionLeaves.Distinct(StringComparer.Ordinal))
                foreach (var u in units)
                    _values.Add(new DataValue(u.Id, leaf, Findings: new Findings(null, _findings.GetValueOrDefault((u.Id, leaf)) ?? [])));
            return new Assessment(periodId, [.. units.Select(u => new Unit(u.Id, u.Name, u.Group))], indicators, _values, _adjustments, _vetoes, rules);
        }
    }

    public static string ToV1(Assessment a) => V1File.Write(a);
}
