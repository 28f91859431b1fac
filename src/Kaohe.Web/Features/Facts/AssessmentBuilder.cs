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

public sealed record BuiltAssessment(Scheme Scheme, Assessment Assessment, IReadOnlyList<Fact> Facts);

/// <summary>
/// Turns a period's facts and the category's active scheme into the engine's assessment. Only
/// submitted and verified facts count; a unit's draft is not data yet. A deduction leaf without
/// findings for a unit means nothing was found (no deduction).
/// </summary>
public sealed class AssessmentBuilder(KaoheDbContext db)
{
    public static readonly FactStatus[] Counted = [FactStatus.Submitted, FactStatus.Verified];

    public async Task<BuiltAssessment?> BuildAsync(string periodId, string category, CancellationToken ct = default)
    {
        var cat = Categories.Find(category);
        if (cat is null) return null;
        var scheme = await db.Schemes.AsNoTracking()
            .Where(s => s.PeriodId == periodId && s.Category == category && s.Status == SchemeStatus.Active)
            .OrderByDescending(s => s.Version).FirstOrDefaultAsync(ct);
        if (scheme is null) return null;
        var tree = SchemeService.Parse(scheme);
        if (!tree.IsValid) return null;
        var units = await db.Units.AsNoTracking().Where(u => u.Kind == cat.Kind).OrderBy(u => u.Id).ToListAsync(ct);
        var unitIds = units.Select(u => u.Id).ToList();
        var facts = await db.Facts.AsNoTracking()
            .Where(f => f.PeriodId == periodId && unitIds.Contains(f.UnitId) && Counted.Contains(f.Status))
            .OrderBy(f => f.Id).ToListAsync(ct);
        return new BuiltAssessment(scheme, Build(periodId, tree.Indicators!, tree.Rules!, units, facts), facts);
    }

    public static Assessment Build(string periodId, IReadOnlyList<Indicator> indicators, Rules rules, IReadOnlyList<OrgUnit> units, IReadOnlyList<Fact> facts)
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
