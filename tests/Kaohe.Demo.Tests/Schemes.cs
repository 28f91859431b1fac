using Kaohe.Scoring;

namespace Kaohe.Demo.Tests;

/// <summary>Test data and deep comparison of indicator trees (records compare lists by reference).</summary>
internal static class Schemes
{
    /// <summary>A tree that uses every method and every parameter, with values away from the defaults and awkward text.</summary>
    public static (IReadOnlyList<Indicator> Tree, Rules Rules, IReadOnlyDictionary<string, string> Texts) EveryParameter()
    {
        var third = 1.0 / 3;
        IReadOnlyList<Indicator> tree =
        [
            Indicator.Node("E", "功效系数法", 30, Combine.Sum,
                Indicator.Leaf("E1", "固定值", 10, new EfficacyMethod(Bound.Of(0.3), Bound.Of(1.2), Direction.Lower, 50, 50, ClampMode.Range, 4)),
                Indicator.Leaf("E2", "组内最优最差", 10 + third, new EfficacyMethod(Bound.Worst, Bound.Best)),
                Indicator.Leaf("E3", "满意值为负", 10 - third, new EfficacyMethod(Bound.Of(-1e-7), Bound.Of(-0.25), RatioDecimals: 0))),
            new Indicator("G", "=HYPERLINK(\"http://x\")", 20, null,
            [
                Indicator.Leaf("G1", "档次", 5, new BandedMethod([new BandLevel(0.75, 1), new BandLevel(1, 0.8), new BandLevel(1.2, third)], Direction.Lower)),
                Indicator.Leaf("G2", "+完成率", 5, new RatioMethod(0.95, 1.2)),
                Indicator.Leaf("G3", "@单位目标", 5, new RatioMethod()),
                Indicator.Leaf("G4", "'引号", 5, new ThresholdMethod(95, 0.5, 0.1, 1.5)),
            ], Combine.Geometric),
            Indicator.Node("H", "其他", 50, Combine.Sum,
                Indicator.Leaf("H1", "平均值", 5, new RelativeMethod(1.25)),
                Indicator.Leaf("H2", "争先进位", 5, new RankMethod(7.5, Direction.Lower)),
                Indicator.Leaf("H3", "扣分制", 5, new DeductionMethod(0.25, 3)),
                Indicator.Leaf("H4", "扣分制默认", 5, new DeductionMethod()),
                Indicator.Leaf("H5", "多方评", 10, new RatersMethod([new Rater("scc", 0.6), new Rater("fdc", 0.4), new Rater("a:b", third)])),
                Indicator.Leaf("H6", "满意度", 10, new SurveyMethod([new SurveyOption("很满意", 100), new SurveyOption("一般", 62.5), new SurveyOption("不了解", null)])),
                Indicator.Leaf("H7", "直接打分", 10, new DirectMethod())),
        ];
        var rules = new Rules(4.5, 12, [new Grade("好", 85.5), new Grade("=差", null)], 1, 3, 1);
        var texts = new Dictionary<string, string>
        {
            ["E"] = "功效系数法的三种用法",
            ["G1"] = "-1 扣分",
            ["H6"] = "满意100，一般62.5；不了解不计",
        };
        return (tree, rules, texts);
    }

    public static void AssertSameTree(IReadOnlyList<Indicator> expected, IReadOnlyList<Indicator> actual, string path = "$")
    {
        Assert.True(expected.Count == actual.Count, $"{path}: {expected.Count} nodes expected, {actual.Count} found");
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            var p = $"{path}/{e.Id}";
            Assert.Equal((p, e.Id, e.Name, e.Points, e.IsLeaf, e.Formula, e.ValueDecimals), (p, a.Id, a.Name, a.Points, a.IsLeaf, a.Formula, a.ValueDecimals));
            if (e.IsLeaf) AssertSameMethod(e.Method!, a.Method!, p);
            else
            {
                Assert.Equal((p, e.Combine), (p, a.Combine));
                Assert.Null(a.Method);
                AssertSameTree(e.ChildList, a.ChildList, p);
            }
        }
    }

    private static void AssertSameMethod(Method e, Method a, string path)
    {
        Assert.Equal((path, e.GetType()), (path, a.GetType()));
        switch (e)
        {
            case BandedMethod b:
                Assert.Equal(b.Direction, ((BandedMethod)a).Direction);
                Assert.Equal(b.Levels, ((BandedMethod)a).Levels);
                break;
            case RatersMethod r:
                Assert.Equal(r.Raters, ((RatersMethod)a).Raters);
                break;
            case SurveyMethod s:
                Assert.Equal(s.Options, ((SurveyMethod)a).Options);
                break;
            default:
                Assert.Equal(e, a); // records without lists: value equality covers every parameter
                break;
        }
    }

    public static void AssertSameRules(Rules e, Rules a)
    {
        Assert.Equal(e with { Grades = null }, a with { Grades = null });
        Assert.Equal(e.Grades, a.Grades);
    }
}
