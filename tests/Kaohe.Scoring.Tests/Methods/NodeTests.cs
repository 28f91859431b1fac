using Kaohe.Scoring.Tests.Support;

namespace Kaohe.Scoring.Tests.Methods;

/// <summary>Inner nodes: <c>sum</c> adds the children's scores; <c>geometric</c> is the weighted geometric mean of ratings.</summary>
public class NodeTests
{
    private static AssessmentResult Two(Combine combine, double p1, double p2, double s1, double s2) =>
        Build.Units("a")
            .Root(Indicator.Node("A", "投资", p1 + p2, combine,
                Indicator.Leaf("A1", "投资任务完成率", p1, new DirectMethod()),
                Indicator.Leaf("A2", "项目开工率", p2, new DirectMethod())))
            .Values("A1", s1).Values("A2", s2)
            .Score();

    [Fact]
    public void A_sum_node_adds_its_childrens_scores()
    {
        var r = Two(Combine.Sum, 10, 10, 7.5, 9);
        Approx.Equal(16.5, r["a"].Scores["A"]);
        Approx.Equal(16.5, r["a"].Total);
    }

    [Fact]
    public void A_geometric_node_is_the_points_weighted_geometric_mean_of_ratings()
    {
        // ratings 80 (weight 30) and 90 (weight 70): exp((30 ln 80 + 70 ln 90) / 100) × 100 / 100
        var r = Two(Combine.Geometric, 30, 70, 24, 63);
        var rating = Math.Exp((30 * Math.Log(80) + 70 * Math.Log(90)) / 100);
        Approx.Equal(100 * rating / 100, r["a"].Scores["A"]);
        Assert.InRange(r["a"].Scores["A"], 86.87, 86.88); // 80^0.3 × 90^0.7 = 86.875…, below the arithmetic 87
    }

    [Fact]
    public void A_geometric_node_with_equal_ratings_has_that_rating()
    {
        var r = Two(Combine.Geometric, 20, 60, 15, 45); // both 75 %
        Approx.Equal(60, r["a"].Scores["A"]);
    }

    [Fact]
    public void A_zero_child_makes_a_geometric_node_zero()
    {
        var r = Two(Combine.Geometric, 30, 70, 0, 70);
        Assert.Equal(0, r["a"].Scores["A"]);
    }

    [Fact]
    public void Engine_choice_a_negative_child_rating_makes_a_geometric_node_zero()
    {
        // An unclamped efficacy far below 不允许值 rates below 0: 60 + 40 × (−20 − 6) / 6 < 0
        var r = Build.Units("a")
            .Root(Indicator.Node("A", "投资", 20, Combine.Geometric,
                Indicator.Leaf("A1", "x", 10, new EfficacyMethod(Bound.Of(12), Bound.Of(6))),
                Indicator.Leaf("A2", "y", 10, new DirectMethod())))
            .Values("A1", -20).Values("A2", 10).Score();
        Assert.True(r["a"].Scores["A1"] < 0);
        Assert.Equal(0, r["a"].Scores["A"]);
    }

    [Fact]
    public void Nested_nodes_and_several_roots_make_up_the_total()
    {
        var r = Build.Units("a")
            .Root(Indicator.Node("A", "A", 30, Combine.Sum,
                Indicator.Node("A1", "A1", 20, Combine.Sum,
                    Indicator.Leaf("A11", "A11", 5, new DirectMethod()),
                    Indicator.Leaf("A12", "A12", 15, new DirectMethod())),
                Indicator.Leaf("A2", "A2", 10, new DirectMethod())))
            .Root(Indicator.Leaf("B", "B", 70, new DirectMethod()))
            .Values("A11", 4).Values("A12", 12).Values("A2", 9).Values("B", 60)
            .Score();
        var u = r["a"];
        Approx.Equal(16, u.Scores["A1"]);
        Approx.Equal(25, u.Scores["A"]);
        Approx.Equal(85, u.Total);
        Assert.Equal(6, u.Scores.Count); // every node, by id
    }
}
