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
        var query = from f in db.Facts.AsNoTracking()
                    join u in db.Units on f.UnitId equals u.Id
                    where f.PeriodId == periodId && u.Kind == cat.Kind && Counted.Contains(f.Status)
                    orderby f.Id
                    select f;
        List<Fact> facts = [];
        List<FactRow> rows;
        if (keepFacts)
        {
            facts = await query.ToListAsync(ct);
            rows = facts.ConvertAll(FactRow.Of);
        }
        else rows = await query.Select(f => new FactRow(f.UnitId, f.IndicatorId, f.Kind, f.Rater, f.Payload)).ToListAsync(ct);
        var loaded = sw.Elapsed;
        var assessment = Build(periodId, tree.Indicators!, tree.Rules!, units, rows);
        return new BuiltAssessment(scheme, assessment, facts) { LoadTime = loaded, BuildTime = sw.Elapsed - loaded, FactCount = rows.Count };
    }

    public static Assessment Build(string periodId, IReadOnlyList<Indicator> indicators, Rules rules, IReadOnlyList<OrgUnit> units, IReadOnlyList<Fact> facts) =>
        Build(periodId, indicators, rules, units, facts.Select(FactRow.Of));

    public static Assessment Build(string periodId, IReadOnlyList<Indicator> indicators, Rules rules, IReadOnlyList<OrgUnit> units, IEnumerable<FactRow> facts)
    {
        var leaves = new Dictionary<string, Indicator>(StringComparer.Ordinal);
        void Walk(IEnumerable<Indicator> nodes)
        {
            foreach (var n in nodes)
            {
                if (n.IsLeaf) leaves[n.Id] = n;
                Walk(n.ChildList);
            }
        }
        Walk(indicators);
        var values = new List<DataValue>();
        var findings = new Dictionary<(string Unit, string Leaf), List<Finding>>();
        var adjustments = new List<Adjustment>();
        var vetoes = new List<Veto>();
        foreach (var f in facts)
        {
            var p = FactPayload.Parse(f.Payload);
            switch (f.Kind)
            {
                case FactKind.Value:
                    values.Add(new DataValue(f.UnitId, f.IndicatorId!, p.Value, p.Target));
                    break;
                case FactKind.RaterScore:
                    values.Add(new DataValue(f.UnitId, f.IndicatorId!, p.Value, Rater: f.Rater));
                    break;
                case FactKind.SurveyTally:
                    values.Add(new DataValue(f.UnitId, f.IndicatorId!, Counts: p.Counts));
                    break;
                case FactKind.Finding:
                    var key = (f.UnitId, f.IndicatorId!);
                    if (!findings.TryGetValue(key, out var list)) findings[key] = list = [];
                    list.Add(new Finding(p.Points, p.Note));
                    break;
                case FactKind.Adjustment:
                    adjustments.Add(new Adjustment(f.UnitId, p.Points ?? 0, p.Reason ?? ""));
                    break;
                case FactKind.Veto:
                    vetoes.Add(new Veto(f.UnitId, p.Reason ?? ""));
                    break;
            }
        }
        foreach (var leaf in leaves.Values.Where(l => l.Method is DeductionMethod))
            foreach (var u in units)
                values.Add(new DataValue(u.Id, leaf.Id, Findings: new Findings(null, findings.GetValueOrDefault((u.Id, leaf.Id)) ?? [])));
        return new Assessment(periodId, [.. units.Select(u => new Unit(u.Id, u.Name, u.Group))], indicators, values, adjustments, vetoes, rules);
    }

    public static string ToV1(Assessment a) => V1File.Write(a);
}
