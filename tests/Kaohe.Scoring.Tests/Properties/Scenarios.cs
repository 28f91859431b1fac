using FsCheck;
using FsCheck.Fluent;

namespace Kaohe.Scoring.Tests.Properties;

/// <summary>A random valid assessment, and which leaves are "higher is better" and take a plain value.</summary>
public sealed record Scenario(Assessment Assessment, IReadOnlyList<string> HigherLeaves, IReadOnlyList<string> ValueLeaves)
{
    public override string ToString() =>
        $"{Assessment.Units.Count} units in {Assessment.Units.Select(u => u.Group).Distinct().Count()} groups, " +
        $"rules {Assessment.Rules}, vetoes [{string.Join(",", Assessment.Vetoes.Select(v => v.Unit))}]";
}

/// <summary>
/// The generator: 1–3 ranking groups of 1–6 units; a fixed tree mixing every method (two efficacy
/// leaves, banded, ratio, threshold, relative, rank, a geometric node over direct and raters,
/// deduction, survey) with randomised parameters; values on a 0.5 grid so that ties are frequent;
/// random adjustments, vetoes, caps, rankDecimals, commend and criticize.
/// </summary>
public static class Scenarios
{
    public static Arbitrary<Scenario> Arbitrary() => Arb.From(Gen);

    public static Gen<Scenario> Gen =>
        from groups in FsCheck.Fluent.Gen.Choose(1, 3)
        from sizes in FsCheck.Fluent.Gen.ArrayOf(FsCheck.Fluent.Gen.Choose(1, 6), groups)
        let n = sizes.Sum()
        from grid in FsCheck.Fluent.Gen.ArrayOf(FsCheck.Fluent.Gen.Choose(0, 200), n * 7)
        from direct in FsCheck.Fluent.Gen.ArrayOf(FsCheck.Fluent.Gen.Choose(0, 20), n)
        from ratings in FsCheck.Fluent.Gen.ArrayOf(FsCheck.Fluent.Gen.Choose(0, 100), n * 2)
        from findings in FsCheck.Fluent.Gen.ArrayOf(FsCheck.Fluent.Gen.Choose(0, 8), n)
        from survey in FsCheck.Fluent.Gen.ArrayOf(FsCheck.Fluent.Gen.Choose(0, 30), n * 4)
        from adjustments in FsCheck.Fluent.Gen.ArrayOf(FsCheck.Fluent.Gen.Choose(-6, 6), n * 2)
        from vetoDice in FsCheck.Fluent.Gen.ArrayOf(FsCheck.Fluent.Gen.Choose(0, 5), n)
        from options in FsCheck.Fluent.Gen.ArrayOf(FsCheck.Fluent.Gen.Choose(0, 3), 8)
        select Make(sizes, grid, direct, ratings, findings, survey, adjustments, vetoDice, options);

    private static Scenario Make(int[] sizes, int[] grid, int[] direct, int[] ratings, int[] findings, int[] survey, int[] adj, int[] vetoDice, int[] o)
    {
        var units = new List<Unit>();
        for (var g = 0; g < sizes.Length; g++)
            for (var i = 0; i < sizes[g]; i++)
                units.Add(new Unit($"g{g}u{i}", $"单位{g}-{i}", $"组{g}"));
        var n = units.Count;

        var e1Direction = o[0] == 0 ? Direction.Lower : Direction.Higher;
        var e1 = new EfficacyMethod(Bound.Best, Bound.Worst, e1Direction, Clamp: o[1] % 2 == 0 ? ClampMode.None : ClampMode.Range);
        var e2 = new EfficacyMethod(Bound.Of(80), Bound.Of(20), RatioDecimals: o[2] switch { 0 => null, var d => d });
        var weights = o[3] switch { 0 => (0.5, 0.5), 1 => (0.7, 0.3), 2 => (2.0, 1.0), _ => (1.0, 0.0) };
        var raters = new RatersMethod([new Rater("principal", weights.Item1), new Rater("in-charge", weights.Item2)]);
        Indicator[] tree =
        [
            Indicator.Node("E", "功效", 20, Combine.Sum,
                Indicator.Leaf("E1", "功效1", 10, e1),
                Indicator.Leaf("E2", "功效2", 10, e2)),
            Indicator.Leaf("B", "档次", 10, new BandedMethod([new(90, 1), new(70, 0.8), new(50, 0.6), new(30, 0.4), new(10, 0.2)])),
            Indicator.Leaf("R", "完成率", 10, new RatioMethod(80, o[4] % 2 == 0 ? 1.0 : 1.2)),
            Indicator.Leaf("T", "达标", 10, new ThresholdMethod(50, 0.2, 0.1, 2)),
            Indicator.Leaf("L", "平均值", 10, new RelativeMethod()),
            Indicator.Leaf("K", "争先进位", 10, new RankMethod(o[5] + 5)),
            Indicator.Node("G", "几何", 20, Combine.Geometric,
                Indicator.Leaf("G1", "直接", 10, new DirectMethod()),
                Indicator.Leaf("G2", "领导评价", 10, raters)),
            Indicator.Leaf("D", "扣分", 5, new DeductionMethod(1, o[6] == 0 ? null : 3)),
            Indicator.Leaf("S", "满意度", 5, new SurveyMethod(SurveyMethod.DefaultOptions)),
        ];
        string[] gridLeaves = ["E1", "E2", "B", "R", "T", "L", "K"];

        var values = new List<DataValue>();
        for (var u = 0; u < n; u++)
        {
            var id = units[u].Id;
            for (var k = 0; k < gridLeaves.Length; k++) values.Add(new DataValue(id, gridLeaves[k], grid[u * gridLeaves.Length + k] / 2.0));
            values.Add(new DataValue(id, "G1", direct[u] / 2.0));
            values.Add(new DataValue(id, "G2", ratings[2 * u], Rater: "principal"));
            values.Add(new DataValue(id, "G2", ratings[2 * u + 1], Rater: "in-charge"));
            values.Add(new DataValue(id, "D", Findings: Findings.OfCount(findings[u])));
            values.Add(new DataValue(id, "S", Counts: new Dictionary<string, double>
            {
                ["满意"] = survey[4 * u] + 1, ["基本满意"] = survey[4 * u + 1], ["不满意"] = survey[4 * u + 2], ["不了解"] = survey[4 * u + 3],
            }));
        }

        var adjustments = new List<Adjustment>();
        for (var i = 0; i < adj.Length; i++)
            if (adj[i] != 0) adjustments.Add(new Adjustment(units[i / 2].Id, adj[i] / 2.0, "加扣分"));
        var vetoes = units.Where((_, i) => vetoDice[i] == 0).Select(u => new Veto(u.Id, "一票否决")).ToList();

        var rules = new Rules(
            BonusCap: o[7] % 2 == 0 ? 3 : null,
            DeductionCap: o[7] < 2 ? 2.5 : null,
            Grades: [new("优秀", 90), new("良好", 80), new("合格", 60), new("不合格", null)],
            RankDecimals: o[1] + o[2],
            Commend: o[3],
            Criticize: o[4]);

        var higher = new List<string> { "E2", "B", "R", "T", "L", "K" };
        if (e1Direction == Direction.Higher) higher.Add("E1");
        return new Scenario(new Assessment("2023-Q1", units, tree, values, adjustments, vetoes, rules), higher, [.. gridLeaves, "G1"]);
    }
}
