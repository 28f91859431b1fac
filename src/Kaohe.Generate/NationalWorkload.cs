using Kaohe.Scoring;

namespace Kaohe.Generate;

/// <summary>One answer of the public-satisfaction survey: which unit it rates and which option was ticked.</summary>
public readonly record struct SurveyResponse(int Unit, byte Option);

/// <summary>The size of a generated workload: <see cref="National"/> (issue 9) or <see cref="Small"/> (tests, demos; same code paths).</summary>
/// <param name="MinGroup">The smallest ranking group; groups are drawn between this and <paramref name="MaxGroup"/>.</param>
/// <param name="RectificationItems">How many rectification items the database writer adds over the four quarters.</param>
public sealed record WorkloadScale(string Name, int Units, int Responses, int MinGroup, int MaxGroup, int RectificationItems)
{
    public static readonly WorkloadScale National = new("national", NationalWorkload.UnitCount, NationalWorkload.ResponseCount, 12, 48, 50_000);
    public static readonly WorkloadScale Small = new("small", 60, 3_000, 8, 20, 300);

    /// <summary>The national workload at a tenth and at ten times its units, groups of the same sizes (issue 20's growth figures; not for kaohe generate).</summary>
    public static readonly WorkloadScale Tenth = new("tenth", NationalWorkload.UnitCount / 10, NationalWorkload.ResponseCount / 10, 12, 48, 5_000);
    public static readonly WorkloadScale TenTimes = new("ten-times", NationalWorkload.UnitCount * 10, NationalWorkload.ResponseCount * 10, 12, 48, 500_000);

    /// <summary>The scales <c>kaohe generate</c> writes.</summary>
    public static IReadOnlyList<WorkloadScale> All { get; } = [National, Small];

    /// <summary>The scales of the engine benchmarks' growth figures.</summary>
    public static IReadOnlyList<WorkloadScale> Growth { get; } = [Tenth, National, TenTimes];

    public static WorkloadScale? Find(string? name) => All.FirstOrDefault(s => s.Name == name);
}

/// <summary>
/// A deterministic national-scale workload (issue 2, item 7): 3,000 units in ~100 ranking groups,
/// a 4-level tree (3 roots → 6 → 12 → 60 leaves) mixing every method and both combines, 5 raters
/// on the rater leaves, and 1,000,000 individual survey answers that are tallied into the 3,000
/// counts of the survey leaf. The same seed always yields the same assessment, value for value.
/// </summary>
/// <remarks>
/// <c>formulas: true</c> is the engine benchmarks' variant (issue 16): a version 2 assessment with
/// 20 measures, 10 of the 60 leaves computed by formulas over them (<c>sum</c>, <c>groupSum</c>,
/// <c>min</c>, <c>max</c>, <c>abs</c>, unary minus) instead of taking values, and everything else
/// the same, value for value. <c>kaohe generate</c> does not use it: the web application does not
/// store measures yet, and the database it writes must stay exactly what it was.
/// </remarks>
public sealed class NationalWorkload
{
    /// <summary>The units of the national scale (<see cref="WorkloadScale.National"/>).</summary>
    public const int UnitCount = 3_000;
    /// <summary>The survey answers of the national scale.</summary>
    public const int ResponseCount = 1_000_000;
    public const string SurveyLeafId = "L08";

    public static IReadOnlyList<SurveyOption> SurveyOptions => SurveyMethod.DefaultOptions;

    public Assessment Assessment { get; }
    public SurveyResponse[] Responses { get; }
    public int GroupCount { get; }
    public WorkloadScale Scale { get; }

    /// <summary>Units that are exact copies of another unit of their group (same data, no adjustment): their totals tie.</summary>
    public IReadOnlyList<(string Unit, string Twin)> Twins { get; }

    /// <summary>An efficacy leaf with best/worst bounds that takes values (not a formula), used for the incremental benchmark.</summary>
    public string EfficacyLeafId { get; }

    /// <summary>The leaves computed by formulas in the <c>formulas</c> variant (empty otherwise).</summary>
    public IReadOnlyList<string> FormulaLeafIds { get; }

    /// <summary>
    /// The workload of <paramref name="scale"/> (national by default). The national one is the same,
    /// value for value, for the same seed. <paramref name="formulas"/>: the version 2 variant for the
    /// engine benchmarks (see the remarks of the class); never for <c>kaohe generate</c>.
    /// </summary>
    public NationalWorkload(int seed = 20231, WorkloadScale? scale = null, bool formulas = false)
    {
        Scale = scale ??= WorkloadScale.National;
        var unitCount = scale.Units;
        var responseCount = scale.Responses;
        var rng = new Random(seed);

        // Ranking groups of 12–48 units (mean ≈ 30; national scale), as many as it takes to hold 3,000 units.
        var groupOf = new int[unitCount];
        var groupSizes = new List<int>();
        for (var u = 0; u < unitCount;)
        {
            var size = Math.Min(scale.MinGroup + rng.Next(scale.MaxGroup - scale.MinGroup + 1), unitCount - u);
            if (unitCount - u - size > 0 && unitCount - u - size < scale.MinGroup) size = unitCount - u; // no tiny last group
            for (var i = 0; i < size; i++) groupOf[u + i] = groupSizes.Count;
            groupSizes.Add(size);
            u += size;
        }
        GroupCount = groupSizes.Count;

        // Each unit has a latent quality q and a data seed. In one group out of five the last unit is a
        // twin of the first: same q, same data seed, hence identical data and a tied total.
        var quality = new double[unitCount];
        var dataSeed = new int[unitCount];
        var twinOf = new int[unitCount];
        Array.Fill(twinOf, -1);
        var isSource = new bool[unitCount];
        var twins = new List<(string, string)>();
        var start = 0;
        for (var g = 0; g < groupSizes.Count; g++)
        {
            for (var i = 0; i < groupSizes[g]; i++)
            {
                var u = start + i;
                quality[u] = Beta2(rng);
                dataSeed[u] = rng.Next();
            }
            if (g % 5 == 0 && groupSizes[g] >= 3)
            {
                var a = start; var b = start + groupSizes[g] - 1;
                quality[b] = quality[a]; dataSeed[b] = dataSeed[a]; twinOf[b] = a; isSource[a] = true;
                twins.Add((UnitId(b), UnitId(a)));
            }
            start += groupSizes[g];
        }
        Twins = twins;

        var units = new Unit[unitCount];
        for (var u = 0; u < unitCount; u++)
            units[u] = new Unit(UnitId(u), $"第{u + 1}号被考核单位", $"第{groupOf[u] + 1:000}类");

        var (indicators, leaves) = BuildTree();
        var derived = formulas ? FormulaLeaves(leaves) : [];
        EfficacyLeafId = leaves.First(l => l.Method is EfficacyMethod { Satisfactory.Kind: BoundKind.Best } && !derived.ContainsKey(l.Id)).Id;
        if (formulas) indicators = [.. indicators.Select(i => WithFormulas(i, derived))];
        FormulaLeafIds = [.. derived.Keys];

        // Survey: 333 answers per unit plus one more for the first 1,000 units without a twin,
        // drawn from the unit's own data seed (so twins answer alike), then shuffled into arrival order.
        var perUnit = new int[unitCount];
        Array.Fill(perUnit, responseCount / unitCount);
        var extra = responseCount - perUnit.Sum();
        for (var u = 0; u < unitCount && extra > 0; u++)
            if (twinOf[u] < 0 && !isSource[u]) { perUnit[u]++; extra--; }
        Responses = new SurveyResponse[responseCount];
        var pos = 0;
        for (var u = 0; u < unitCount; u++)
        {
            var r = new Random(dataSeed[u] ^ 0x5EED);
            for (var i = 0; i < perUnit[u]; i++) Responses[pos++] = new SurveyResponse(u, Answer(r, quality[u]));
        }
        rng.Shuffle(Responses);

        var surveyCounts = TallyToCounts(Tally(Responses, unitCount));

        var values = new List<DataValue>(unitCount * 80);
        var data = new List<MeasureValue>(formulas ? unitCount * 20 : 0);
        for (var u = 0; u < unitCount; u++)
        {
            var r = new Random(dataSeed[u]);
            var q = quality[u];
            var id = units[u].Id;
            // The figures behind a formula leaf come from their own generator (of the same data seed, so
            // twins stay twins), so that every other value is drawn exactly as without formulas.
            var figures = formulas ? new Random(dataSeed[u] ^ 0xF0F0) : null;
            foreach (var leaf in leaves)
            {
                if (derived.TryGetValue(leaf.Id, out var f))
                    f.AddFigures(data, id, leaf.Method is DirectMethod ? DirectValue(leaf, q, r) : PlainValue(leaf.Method!, q, r), figures!);
                else AddValues(values, id, leaf, q, r, surveyCounts[u]);
            }
        }

        // Adjustments (bonus capped at 3, deductions at 5) and about 1% vetoes; twins take none,
        // so that their totals stay equal.
        var adjustments = new List<Adjustment>();
        var vetoes = new List<Veto>();
        for (var u = 0; u < unitCount; u++)
        {
            var roll = rng.NextDouble();
            if (twinOf[u] >= 0 || isSource[u]) continue;
            if (roll < 0.15) adjustments.Add(new Adjustment(units[u].Id, 0.5 * (1 + rng.Next(6)), "受国家部委表扬"));
            else if (roll < 0.20)
            {
                adjustments.Add(new Adjustment(units[u].Id, 2, "受自治区通报表扬"));
                adjustments.Add(new Adjustment(units[u].Id, 2, "工作创新"));
            }
            else if (roll < 0.28) adjustments.Add(new Adjustment(units[u].Id, -0.5 * (1 + rng.Next(8)), "被通报批评"));
            else if (roll < 0.30)
            {
                adjustments.Add(new Adjustment(units[u].Id, -4, "信访问题"));
                adjustments.Add(new Adjustment(units[u].Id, -3, "督办事项逾期"));
            }
            if (rng.NextDouble() < 0.01) vetoes.Add(new Veto(units[u].Id, "重大安全生产事故"));
        }

        var rules = new Rules(
            BonusCap: 3, DeductionCap: 5,
            Grades: [new Grade("优秀", 90), new Grade("良好", 80), new Grade("合格", 60), new Grade("不合格", null)],
            RankDecimals: 2, Commend: 2, Criticize: 2);

        Assessment = new Assessment("2025", units, indicators, values, adjustments, vetoes, rules);
        if (formulas)
            Assessment = Assessment with { Version = 2, Measures = [.. derived.Values.SelectMany(f => f.Measures)], Data = data };
    }

    /// <summary>
    /// A formula leaf of the variant: its formula over two measures, and how a unit's two figures are
    /// drawn so that the formula gives about the value the leaf would have taken (<c>Value → (a, b)</c>).
    /// </summary>
    private sealed record Derived(string Formula, int? ValueDecimals, Measure[] Measures, Func<double, Random, (double A, double B)> Figures)
    {
        public void AddFigures(List<MeasureValue> data, string unit, double value, Random r)
        {
            var (a, b) = Figures(value, r);
            data.Add(new MeasureValue(unit, Measures[0].Id, a));
            data.Add(new MeasureValue(unit, Measures[1].Id, b));
        }
    }

    /// <summary>The variant's 10 formula leaves, spread over the tree, one per single-value method variant.</summary>
    private static Dictionary<string, Derived> FormulaLeaves(IReadOnlyList<Indicator> leaves)
    {
        // The second figure p is a plan-like base; the first is chosen so that the formula gives about the leaf's value v.
        static Func<double, Random, (double, double)> Scaled(Func<double, double, double> first) => (v, r) =>
        {
            var p = Math.Round(1000 + 9000 * r.NextDouble(), 1);
            return (first(v, p), p);
        };
        Measure[] Pair(int k, string a, string b, string unit) => [new($"m{k:00}a", a, unit), new($"m{k:00}b", b, unit)];
        var result = new Dictionary<string, Derived>(StringComparer.Ordinal);
        var k = 0;
        var variant = -1;
        foreach (var leaf in leaves)
        {
            if (leaf.Id == SurveyLeafId) continue; // the survey leaf takes no variant (see BuildTree)
            if (Array.IndexOf(FormulaVariants, ++variant) < 0) continue;
            var a = $"m{++k:00}a";
            var b = $"m{k:00}b";
            result[leaf.Id] = (variant % 15) switch
            {
                // efficacy best/worst: completion of plan in percent, published to 4 decimals
                0 => new($"100 * {a} / {b}", 4, Pair(k, "完成投资", "计划投资", "万元"), Scaled((v, p) => Math.Round(v * p / 100, 2))),
                // efficacy with fixed bounds: a completion rate, capped at 120 %
                1 => new($"min(100 * {a} / {b}, 120)", null, Pair(k, "已办结件数", "应办结件数", "件"), Scaled((v, p) => Math.Round(v * p / 100, 2))),
                // banded: a rate, never below 0
                2 => new($"max(0, 100 * {a} / {b})", null, Pair(k, "达标户数", "总户数", "户"), Scaled((v, p) => Math.Round(v * p / 100, 2))),
                // ratio (method target 100): completion relative to the group's completion
                3 => new($"100 * {a} / {b} * groupSum({b}) / groupSum({a})", null, Pair(k, "完成值", "任务值", "万元"), Scaled((v, p) => Math.Round(v * p / 100, 2))),
                // threshold: an on-time rate from the overdue count
                4 => new($"100 - 100 * {a} / {b}", null, Pair(k, "逾期件数", "办件总数", "件"), Scaled((v, p) => Math.Round((100 - v) * p / 100, 2))),
                // relative: a rate against the region's rate
                5 => new($"100 * {a} / {b} * sum({b}) / sum({a})", null, Pair(k, "本期值", "基数", "个"), Scaled((v, p) => Math.Round(v * p / 100, 2))),
                // rank: a distance from a reference
                6 => new($"abs({a} - {b})", null, Pair(k, "实际值", "参考值", "个"), Scaled((v, p) => Math.Round(p + v, 2))),
                // direct: a share of the leaf's points, within [0, points]
                10 => new($"max(0, min({Num(leaf.Points)}, {Num(leaf.Points)} * {a} / {b}))", null, Pair(k, "得分项", "满分项", "项"), Scaled((v, p) => Math.Round(v * p / leaf.Points, 2))),
                // efficacy, lower is better: per thousand
                11 => new($"1000 * {a} / {b}", null, Pair(k, "能耗", "产值", "吨标准煤"), Scaled((v, p) => Math.Round(v * p / 1000, 3))),
                // banded, lower is better
                _ => new($"-(-{a} / {b})", null, Pair(k, "事故起数", "在建项目数", "个"), Scaled((v, p) => Math.Round(v * p, 2))),
            };
        }
        return result;
    }

    /// <summary>The variant indices (see <see cref="Variant"/>) of the formula leaves: each single-value kind once, spread over the tree.</summary>
    private static readonly int[] FormulaVariants = [0, 4, 11, 16, 20, 32, 36, 48, 55, 58];

    private static string Num(double v) => v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);

    private static Indicator WithFormulas(Indicator node, Dictionary<string, Derived> derived) =>
        node.IsLeaf
            ? derived.TryGetValue(node.Id, out var f) ? node with { Formula = f.Formula, ValueDecimals = f.ValueDecimals } : node
            : node with { Children = [.. node.ChildList.Select(c => WithFormulas(c, derived))] };

    public static string UnitId(int u) => $"u{u:0000}";

    /// <summary>A quality in [0, 1], bunched in the middle (mean of two uniforms).</summary>
    private static double Beta2(Random r) => (r.NextDouble() + r.NextDouble()) / 2;

    private static byte Answer(Random r, double q)
    {
        var x = r.NextDouble();
        if (x < 0.05) return 3;                    // 不了解, not counted
        var y = r.NextDouble();
        if (y < 0.35 + 0.55 * q) return 0;         // 满意
        if (y < 0.85 + 0.10 * q) return 1;         // 基本满意
        return 2;                                  // 不满意
    }

    /// <summary>Counts answers into [unit × option] tallies: the step that turns individual answers into the engine's counts.</summary>
    public static int[] Tally(SurveyResponse[] responses, int unitCount)
    {
        var options = SurveyOptions.Count;
        var counts = new int[unitCount * options];
        foreach (var resp in responses) counts[resp.Unit * options + resp.Option]++;
        return counts;
    }

    /// <summary>Turns the flat tallies into one <c>counts</c> object per unit, keyed by option id as in the v1 file.</summary>
    public static Dictionary<string, double>[] TallyToCounts(int[] tally)
    {
        var options = SurveyOptions;
        var n = tally.Length / options.Count;
        var result = new Dictionary<string, double>[n];
        for (var u = 0; u < n; u++)
        {
            var d = new Dictionary<string, double>(options.Count, StringComparer.Ordinal);
            for (var o = 0; o < options.Count; o++) d[options[o].Id] = tally[u * options.Count + o];
            result[u] = d;
        }
        return result;
    }

    private static readonly Rater[] FiveRaters =
    [
        new("principal", 0.30), new("in-charge", 0.25), new("planning", 0.20), new("inspection", 0.15), new("public", 0.10),
    ];

    /// <summary>The 15 method variants the leaves cycle through (the survey leaf is placed on its own).</summary>
    private static Method Variant(int i) => (i % 15) switch
    {
        0 => new EfficacyMethod(Bound.Best, Bound.Worst),
        1 => new EfficacyMethod(Bound.Of(100), Bound.Of(60), Clamp: ClampMode.Range),
        2 => new BandedMethod([new(95, 1.0), new(85, 0.8), new(75, 0.6), new(65, 0.4), new(55, 0.2)]),
        3 => new RatioMethod(Target: 100, Cap: 1.2),
        4 => new ThresholdMethod(Threshold: 90, StepBelow: 0.05, StepAbove: 0.02, MaxAbove: 0.2),
        5 => new RelativeMethod(Cap: 1.5),
        6 => new RankMethod(Step: 2),
        7 => new DeductionMethod(PerFinding: 0.25, MaxDeduction: null),
        8 => new RatersMethod(FiveRaters),
        9 => new DeductionMethod(PerFinding: 0.2, MaxDeduction: 1),
        10 => new DirectMethod(),
        11 => new EfficacyMethod(Bound.Best, Bound.Worst, Direction.Lower, RatioDecimals: 4),
        12 => new RatioMethod(Cap: 1.0),
        13 => new BandedMethod([new(1, 1.0), new(2, 0.8), new(3, 0.6), new(4, 0.4), new(5, 0.2)], Direction.Lower),
        _ => new EfficacyMethod(Bound.Of(0.5), Bound.Of(3), Direction.Lower, Clamp: ClampMode.Range),
    };

    /// <summary>
    /// 3 roots (40 + 40 + 20 points) → 2 second-level nodes each → 2 third-level nodes each → 5 leaves each.
    /// Every third third-level node and the second node under the second root are geometric.
    /// </summary>
    private static (IReadOnlyList<Indicator> Roots, IReadOnlyList<Indicator> Leaves) BuildTree()
    {
        var leaves = new List<Indicator>();
        var rootPoints = new[] { 40.0, 40.0, 20.0 };
        var rootNames = new[] { "城乡建设", "住房保障与房地产", "城市管理与党建" };
        var roots = new List<Indicator>();
        var l3Count = 0;
        var variant = 0;
        for (var r = 0; r < 3; r++)
        {
            var l2s = new List<Indicator>();
            for (var b = 0; b < 2; b++)
            {
                var l3s = new List<Indicator>();
                for (var c = 0; c < 2; c++)
                {
                    var l3Points = rootPoints[r] / 4;
                    double[] leafPoints = l3Points == 10 ? [3, 2, 2, 2, 1] : [1.5, 1, 1, 1, 0.5];
                    var kids = new Indicator[5];
                    for (var l = 0; l < 5; l++)
                    {
                        var id = $"L{leaves.Count + 1:00}";
                        Indicator leaf = id == SurveyLeafId
                            ? Indicator.Leaf(id, "群众满意度", leafPoints[l], new SurveyMethod(SurveyOptions))
                            : Indicator.Leaf(id, $"末级指标{leaves.Count + 1}", leafPoints[l], Variant(variant++));
                        kids[l] = leaf;
                        leaves.Add(leaf);
                    }
                    var combine = l3Count % 3 == 1 ? Combine.Geometric : Combine.Sum;
                    l3s.Add(Indicator.Node($"C{++l3Count:00}", $"三级指标{l3Count}", l3Points, combine, kids));
                }
                var l2Combine = r == 1 && b == 1 ? Combine.Geometric : Combine.Sum;
                l2s.Add(Indicator.Node($"B{r + 1}{b + 1}", $"二级指标{r + 1}.{b + 1}", rootPoints[r] / 2, l2Combine, [.. l3s]));
            }
            roots.Add(Indicator.Node($"A{r + 1}", rootNames[r], rootPoints[r], Combine.Sum, [.. l2s]));
        }
        return (roots, leaves);
    }

    private static double Noise(Random r, double scale) => (r.NextDouble() - 0.5) * 2 * scale;

    private static void AddValues(List<DataValue> values, string unit, Indicator leaf, double q, Random r, Dictionary<string, double> survey)
    {
        var id = leaf.Id;
        switch (leaf.Method)
        {
            case SurveyMethod:
                values.Add(new DataValue(unit, id, Counts: survey));
                break;
            case RatersMethod rm:
                foreach (var rater in rm.Raters)
                    values.Add(new DataValue(unit, id, Value: Math.Clamp(Math.Round((60 + 40 * q + Noise(r, 8)) * 2) / 2, 0, 100), Rater: rater.Id));
                break;
            case DeductionMethod { MaxDeduction: null }:
                values.Add(new DataValue(unit, id, Findings: Findings.OfCount((int)((1 - q) * 4 + r.NextDouble() * 2))));
                break;
            case DeductionMethod:
            {
                var k = (int)((1 - q) * 3 + r.NextDouble() * 2);
                var items = new Finding[k];
                for (var i = 0; i < k; i++)
                    items[i] = i % 2 == 0 ? new Finding(0.1 * (1 + r.Next(3)), $"检查发现问题{i + 1}") : new Finding(null, $"一般问题{i + 1}");
                values.Add(new DataValue(unit, id, Findings: new Findings(null, items)));
                break;
            }
            case RatioMethod { Target: null }:
            {
                var target = Math.Round(50 + r.NextDouble() * 50, 1);
                values.Add(new DataValue(unit, id, Value: Math.Round(target * (0.7 + 0.45 * q + Noise(r, 0.05)), 2), Target: target));
                break;
            }
            case DirectMethod:
                values.Add(new DataValue(unit, id, Value: DirectValue(leaf, q, r)));
                break;
            case var m:
                values.Add(new DataValue(unit, id, Value: PlainValue(m!, q, r)));
                break;
        }
    }

    private static double DirectValue(Indicator leaf, double q, Random r) =>
        Math.Clamp(Math.Round(leaf.Points * (0.55 + 0.45 * q + Noise(r, 0.05)) * 4) / 4, 0, leaf.Points);

    private static double PlainValue(Method m, double q, Random r) => m switch
    {
        EfficacyMethod { Direction: Direction.Higher, Satisfactory.Kind: BoundKind.Best } => Math.Round(50 + 50 * q + Noise(r, 10), 2),
        EfficacyMethod { Direction: Direction.Higher } => Math.Round(55 + 50 * q + Noise(r, 5), 2),
        EfficacyMethod { Satisfactory.Kind: BoundKind.Best } => Math.Round(10 + 10 * (1 - q) + Noise(r, 1), 3),
        EfficacyMethod => Math.Round(0.5 + 2.5 * (1 - q) + Noise(r, 0.3), 2),
        BandedMethod { Direction: Direction.Higher } => Math.Round(52 + 46 * q + Noise(r, 4), 2),
        BandedMethod => Math.Round(0.9 + 4 * (1 - q) + Noise(r, 0.3), 2),
        RatioMethod => Math.Round(70 + 50 * q + Noise(r, 5), 1),
        ThresholdMethod => Math.Round(78 + 20 * q + Noise(r, 3), 1),
        RelativeMethod => Math.Round(10 + 20 * q + Noise(r, 3), 2),
        RankMethod => Math.Round(10 * q + Noise(r, 1)),
        _ => throw new NotSupportedException(m.Kind),
    };
}
