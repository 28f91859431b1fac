using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Schemes;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Infrastructure;

/// <summary>A quarter's assessment built the plain way, from whole fact entities: what the tests hold the results store to.</summary>
public sealed record Reference(Scheme Scheme, Assessment Assessment, IReadOnlyList<Fact> Facts);

/// <summary>
/// Builds a quarter's assessment from the database with none of the results store's machinery (no
/// streamed reader, no change numbers, no groups): every counted fact of the category's units as an
/// entity, each unit's data in (indicator, id) order by ordinal comparison and its deduction leaves
/// after, the units by id. Independent of the store, so a test can compare the two.
/// </summary>
public sealed class ReferenceBuilder(KaoheDbContext db)
{
    public async Task<Reference?> BuildAsync(string periodId, string category)
    {
        var cat = Categories.Find(category);
        if (cat is null) return null;
        var scheme = await db.Schemes.AsNoTracking().Where(s => s.PeriodId == periodId && s.Category == category && s.Status == SchemeStatus.Active)
            .OrderByDescending(s => s.Version).FirstOrDefaultAsync();
        if (scheme is null) return null;
        var tree = SchemeService.Parse(scheme);
        if (!tree.IsValid) return null;
        var units = (await db.Units.AsNoTracking().Where(u => u.Kind == cat.Kind).ToListAsync()).OrderBy(u => u.Id, StringComparer.Ordinal).ToList();
        var ids = units.Select(u => u.Id).ToList();
        var facts = (await db.Facts.AsNoTracking().Where(f => f.PeriodId == periodId && ids.Contains(f.UnitId) && FactStatuses.Counted.Contains(f.Status)).ToListAsync())
            .OrderBy(f => f.UnitId, StringComparer.Ordinal).ThenBy(f => f.IndicatorId, StringComparer.Ordinal).ThenBy(f => f.Id).ToList();
        var deduction = IndicatorTree.Leaves(tree.Indicators!).Where(l => l.Method is DeductionMethod).Select(l => l.Id).Distinct().ToList();
        var values = new List<DataValue>();
        var adjustments = new List<Adjustment>();
        var vetoes = new List<Veto>();
        var data = new List<MeasureValue>();
        var measures = tree.Measures.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var u in units)
        {
            var mine = facts.Where(f => f.UnitId == u.Id).ToList();
            foreach (var f in mine)
            {
                var p = FactPayload.Parse(f.Payload);
                switch (f.Kind)
                {
                    case FactKind.Value when Formulas(tree.Indicators!).Contains(f.IndicatorId!): break;   // computed from the measures
                    case FactKind.Value: values.Add(new DataValue(f.UnitId, f.IndicatorId!, p.Value, p.Target)); break;
                    case FactKind.RaterScore: values.Add(new DataValue(f.UnitId, f.IndicatorId!, p.Value, Rater: f.Rater)); break;
                    case FactKind.SurveyTally: values.Add(new DataValue(f.UnitId, f.IndicatorId!, Counts: p.Counts)); break;
                    case FactKind.Adjustment: adjustments.Add(new Adjustment(f.UnitId, p.Points ?? 0, p.Reason ?? "")); break;
                    case FactKind.Veto: vetoes.Add(new Veto(f.UnitId, p.Reason ?? "")); break;
                }
            }
            // Version 2: the latest counted figure of each measure the scheme defines.
            data.AddRange(mine.Where(f => f.Kind == FactKind.Measure && measures.Contains(f.IndicatorId!))
                .GroupBy(f => f.IndicatorId!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new MeasureValue(u.Id, g.Key, FactPayload.Parse(g.Last().Payload).Value!.Value)));
            foreach (var leaf in deduction)
                values.Add(new DataValue(u.Id, leaf, Findings: new Findings(null,
                    [.. mine.Where(f => f.Kind == FactKind.Finding && f.IndicatorId == leaf).Select(f => FactPayload.Parse(f.Payload) is var p ? new Finding(p.Points, p.Note) : null!)])));
        }
        var assessment = new Assessment(periodId, [.. units.Select(u => new Unit(u.Id, u.Name, u.Group))], tree.Indicators!, values, adjustments, vetoes, tree.Rules!)
        {
            Version = tree.Version, Measures = tree.Measures, Data = data,
        };
        return new Reference(scheme, assessment, facts);
    }

    private static HashSet<string> Formulas(IEnumerable<Indicator> nodes) => [.. IndicatorTree.Leaves(nodes).Where(l => l.Formula is not null).Select(l => l.Id)];

}
