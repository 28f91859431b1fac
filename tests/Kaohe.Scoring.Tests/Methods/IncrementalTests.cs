using Kaohe.Scoring.Tests.Support;

namespace Kaohe.Scoring.Tests.Methods;

/// <summary>CompiledAssessment: SetValue then RecomputeGroupOf, and its guards.</summary>
public class IncrementalTests
{
    private static Build TwoGroups() => Build.Units().Unit("a", "市").Unit("b", "市").Unit("c", "县").Unit("d", "县")
        .Leaf("e", 50, new EfficacyMethod(Bound.Best, Bound.Worst), 10, 20, 30, 40)
        .Leaf("x", 50, new DirectMethod(), 40, 40, 40, 40);

    [Fact]
    public void Changing_a_value_recomputes_best_and_worst_of_that_group_only()
    {
        var compiled = Engine.Compile(TwoGroups().Done());
        var before = compiled.Compute();
        compiled.SetValue("a", "e", 25); // a becomes the best of 市: b is now the worst
        var after = compiled.RecomputeGroupOf("a");
        Approx.Equal(50, after["a"].Scores["e"]);
        Approx.Equal(30, after["b"].Scores["e"]);
        Assert.Equal(1, after["a"].Rank);
        Assert.Equal(before["c"].Scores["e"], after["c"].Scores["e"]);
        Assert.Equal(before["d"].Total, after["d"].Total);
        Approx.Equal(after["a"].Total, compiled.TotalOf("a"));
    }

    [Fact]
    public void A_direct_score_outside_its_points_or_a_non_finite_value_is_refused()
    {
        var compiled = Engine.Compile(TwoGroups().Done());
        Assert.Throws<ArgumentOutOfRangeException>(() => compiled.SetValue("a", "x", 51));
        Assert.Throws<ArgumentOutOfRangeException>(() => compiled.SetValue("a", "x", -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => compiled.SetValue("a", "e", double.NaN));
    }

    [Fact]
    public void An_earlier_result_is_not_changed_by_a_later_recomputation()
    {
        var compiled = Engine.Compile(TwoGroups().Done());
        var first = compiled.Compute();
        var firstTotal = first["a"].Total;
        compiled.SetValue("a", "x", 0);
        compiled.RecomputeGroupOf("a");
        Assert.Equal(firstTotal, first["a"].Total);
    }
}
