namespace Kaohe.Scoring;

/// <summary>One quarter's (or the annual evaluation's) part of the year, with its weight in percent of the annual total.</summary>
public sealed record RollupPart(string Id, string Name, double Weight, IReadOnlyDictionary<string, double> TotalsByUnit);

/// <summary>
/// 年终考核: the quarters are carried into the annual score (纳入年终考核计分) with weights set in the
/// scheme, e.g. four quarters 95% and the annual leadership evaluation 5%. The roll-up is itself a
/// v1 assessment (one <c>ratio</c> leaf per part, target 100), so that it is validated, explained,
/// published and verified exactly like a quarter. The year's adjustments and vetoes apply with the
/// annual rules: a veto forces the lowest grade and excludes the unit from commendation.
/// </summary>
public static class AnnualRollup
{
    /// <summary>A quarter total may exceed 100 with bonuses; the cap leaves room for that without letting it dominate.</summary>
    public const double PartCap = 2.0;

    public static Assessment Build(
        string period,
        IReadOnlyList<Unit> units,
        IReadOnlyList<RollupPart> parts,
        IReadOnlyList<Adjustment> adjustments,
        IReadOnlyList<Veto> vetoes,
        Rules rules)
    {
        var indicators = parts.Select(p => Indicator.Leaf(p.Id, p.Name, p.Weight, new RatioMethod(100, PartCap))).ToArray();
        var values = new List<DataValue>();
        foreach (var p in parts)
            foreach (var u in units)
                if (p.TotalsByUnit.TryGetValue(u.Id, out var total))
                    values.Add(new DataValue(u.Id, p.Id, Math.Max(0, total)));
        return new Assessment(period, units, indicators, values, adjustments, vetoes, rules);
    }

    /// <summary>The part of a quarter's result to carry: each unit's total, before the year's own adjustments.</summary>
    public static RollupPart FromResult(string id, string name, double weight, AssessmentResult quarter) =>
        new(id, name, weight, quarter.Units.ToDictionary(u => u.Id, u => u.Total, StringComparer.Ordinal));
}
