using Kaohe.Scoring.Tests.Support;

namespace Kaohe.Scoring.Tests.Explain;

/// <summary>Explain(unit, node): the formula, its inputs and where they came from, and the result.</summary>
public class ExplainTests
{
    private static double In(Explanation e, string key) =>
        Assert.Single(e.Inputs, i => i.Key == key).Value ?? double.NaN;

    [Fact]
    public void Efficacy_inputs_are_the_value_the_resolved_bounds_with_their_holders_and_the_rating()
    {
        var r = Build.Units("lasa", "rikaze", "nagqu").Leaf("x", 20, new EfficacyMethod(Bound.Best, Bound.Worst), 30, 10, 20).Score();
        var e = r.Explain("nagqu", "x");
        Assert.Equal("efficacy", e.Kind);
        Assert.Equal(20, In(e, "value"));
        Assert.Equal(30, In(e, "satisfactory"));
        Assert.Equal(10, In(e, "unallowable"));
        Assert.Equal("lasa", e.Inputs.Single(i => i.Key == "satisfactory").HeldBy);
        Assert.Equal("rikaze", e.Inputs.Single(i => i.Key == "unallowable").HeldBy);
        Approx.Equal(80, In(e, "rating"));
        Approx.Equal(80, e.Rating!.Value);
        Approx.Equal(16, e.Score);
        Assert.Contains("满意值", string.Join(" ", e.Inputs.Select(i => i.LabelZh)));
        Assert.Contains("16", e.FormulaZh);
    }

    [Fact]
    public void Tied_holders_of_the_best_value_are_all_named()
    {
        var r = Build.Units("a", "b", "c").Leaf("x", 10, new EfficacyMethod(Bound.Best, Bound.Worst), 9, 9, 1).Score();
        var held = r.Explain("c", "x").Inputs.Single(i => i.Key == "satisfactory").HeldBy!;
        Assert.Contains("a", held);
        Assert.Contains("b", held);
    }

    [Fact]
    public void Raters_inputs_are_each_raters_rating_with_its_weight()
    {
        var m = new RatersMethod([new("principal", 0.7), new("in-charge", 0.3)]);
        var r = Build.Units("a").Root(Indicator.Leaf("ld", "领导评价", 30, m))
            .Value(new DataValue("a", "ld", 90, Rater: "principal"))
            .Value(new DataValue("a", "ld", 60, Rater: "in-charge")).Score();
        var e = r.Explain("a", "ld");
        Assert.Equal(90, In(e, "raters.principal"));
        Assert.Equal(60, In(e, "raters.in-charge"));
        Assert.Contains("0.7", e.Inputs.Single(i => i.Key == "raters.principal").LabelEn);
        Approx.Equal(24.3, e.Score);
    }

    [Fact]
    public void Survey_inputs_are_the_counts_per_option_and_the_satisfaction()
    {
        var r = Build.Units("a").Root(Indicator.Leaf("s", "满意度", 10, new SurveyMethod(SurveyMethod.DefaultOptions)))
            .Value(new DataValue("a", "s", Counts: new Dictionary<string, double> { ["满意"] = 6, ["基本满意"] = 3, ["不满意"] = 1, ["不了解"] = 10 }))
            .Score();
        var e = r.Explain("a", "s");
        Assert.Equal(6, In(e, "counts.满意"));
        Assert.Equal(10, In(e, "counts.不了解"));
        Assert.Contains("不计分", e.Inputs.Single(i => i.Key == "counts.不了解").LabelZh);
        Approx.Equal(88, In(e, "satisfaction"));
        Approx.Equal(8.8, e.Score);
    }

    [Fact]
    public void Deduction_inputs_list_every_finding_with_its_note()
    {
        var r = Build.Units("a").Root(Indicator.Leaf("d", "信息报送", 8, new DeductionMethod(PerFinding: 1)))
            .Value(new DataValue("a", "d", Findings: Findings.Of(new Finding(2, "台账缺失"), new Finding(null, "迟报")))).Score();
        var e = r.Explain("a", "d");
        Assert.Equal(2, In(e, "findings[0]"));
        Assert.Equal("台账缺失", e.Inputs.Single(i => i.Key == "findings[0]").Text);
        Assert.Equal(1, In(e, "findings[1]"));
        Assert.Equal(3, In(e, "deducted"));
        Approx.Equal(5, e.Score);
    }

    [Fact]
    public void Rank_and_relative_explain_the_place_and_the_group_mean()
    {
        var r = Build.Units("a", "b", "c").Leaf("k", 20, new RankMethod(), 90, 80, 80).Leaf("l", 10, new RelativeMethod(), 50, 100, 150).Score();
        Assert.Equal(2, In(r.Explain("c", "k"), "rank"));
        Approx.Equal(100, In(r.Explain("a", "l"), "mean"));
    }

    [Fact]
    public void A_node_explanation_lists_its_children_with_scores_and_ratings()
    {
        var r = Build.Units("a")
            .Root(Indicator.Node("A", "投资", 20, Combine.Sum,
                Indicator.Leaf("A1", "x", 10, new DirectMethod()), Indicator.Leaf("A2", "y", 10, new DirectMethod())))
            .Values("A1", 7).Values("A2", 9).Score();
        var e = r.Explain("a", "A");
        Assert.Equal("sum", e.Kind);
        Assert.Equal(["A1", "A2"], e.Children.Select(c => c.Id));
        Assert.Equal([7.0, 9.0], e.Children.Select(c => c.Score));
        Assert.Equal([70.0, 90.0], e.Children.Select(c => c.Rating!.Value));
        Approx.Equal(16, e.Score);
    }

    [Fact]
    public void The_total_explanation_shows_the_adjustments_with_their_reasons()
    {
        var r = Build.Units("a").Leaf("x", 100, new DirectMethod(), 80).Adjust("a", 2).Adjust("a", -1).Score();
        var e = r.Explain("a");
        Assert.Null(e.Node);
        Approx.Equal(81, e.Score);
        Assert.Equal(2, e.Inputs.Count(i => i.Key == "adjustment"));
        Assert.Contains(e.Inputs, i => i.Key == "adjustment" && i.Text == "理由");
    }

    [Fact]
    public void Explaining_an_unknown_unit_or_node_is_an_error()
    {
        var r = Build.Units("a").Leaf("x", 10, new DirectMethod(), 5).Score();
        Assert.Throws<KeyNotFoundException>(() => r.Explain("b", "x"));
        Assert.Throws<KeyNotFoundException>(() => r.Explain("a", "y"));
    }
}
