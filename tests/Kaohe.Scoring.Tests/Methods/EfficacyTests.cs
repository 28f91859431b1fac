namespace Kaohe.Scoring.Tests.Methods;

/// <summary>功效系数法: d = base + span × (x − unallowable) / (satisfactory − unallowable); score = points × d / 100.</summary>
public class EfficacyTests
{
    private static EfficacyMethod Fixed(double s, double u) => new(Bound.Of(s), Bound.Of(u));

    [Fact]
    public void A_value_halfway_between_fixed_bounds_rates_base_plus_half_the_span()
    {
        // d = 60 + 40 × (9 − 6) / (12 − 6) = 80; 20 × 80 / 100 = 16
        Support.Approx.Equal(16, LeafScores.One(Fixed(12, 6), 20, 9));
    }

    [Fact]
    public void A_value_below_unallowable_is_not_floored_without_clamp()
    {
        // 60 + 40 × (5.81 − 6) / 6 = 58.7333…
        Support.Approx.Equal(58.733333333333, LeafScores.One(Fixed(12, 6), 100, 5.81));
    }

    [Fact]
    public void A_value_above_satisfactory_exceeds_full_points_without_clamp()
    {
        // 60 + 40 × 7 / 6 = 106.666…
        Support.Approx.Equal(106.666666666667, LeafScores.One(Fixed(12, 6), 100, 13));
    }

    [Fact]
    public void Clamp_range_keeps_the_rating_within_base_and_base_plus_span()
    {
        var m = Fixed(12, 6) with { Clamp = ClampMode.Range };
        var s = LeafScores.Of(m, 50, 5.81, 13, 9);
        Support.Approx.Equal(30, s[0]);   // 60 % of 50
        Support.Approx.Equal(50, s[1]);   // 100 %
        Support.Approx.Equal(40, s[2]);   // 80 %, untouched
    }

    [Fact]
    public void Best_and_worst_are_taken_among_the_units_of_the_group()
    {
        var m = new EfficacyMethod(Bound.Best, Bound.Worst);
        var s = LeafScores.Of(m, 100, 10, 20, 30, 25);
        Assert.Equal([60, 80, 100, 90], s.Select(x => Math.Round(x, 9)));
    }

    [Fact]
    public void Best_and_worst_are_separate_per_ranking_group()
    {
        var b = Support.Build.Units().Unit("a", "市").Unit("b", "市").Unit("c", "县").Unit("d", "县")
            .Leaf("x", 100, new EfficacyMethod(Bound.Best, Bound.Worst), 10, 20, 100, 200);
        var r = b.Score();
        Support.Approx.Equal(60, r["a"].Scores["x"]);
        Support.Approx.Equal(100, r["b"].Scores["x"]);
        Support.Approx.Equal(60, r["c"].Scores["x"]);
        Support.Approx.Equal(100, r["d"].Scores["x"]);
    }

    [Fact]
    public void Direction_lower_makes_the_smallest_value_the_best()
    {
        var m = new EfficacyMethod(Bound.Best, Bound.Worst, Direction.Lower);
        var s = LeafScores.Of(m, 100, 10, 20, 30);
        Support.Approx.Equal(100, s[0]);
        Support.Approx.Equal(80, s[1]);
        Support.Approx.Equal(60, s[2]);
    }

    [Fact]
    public void Direction_lower_with_fixed_bounds_uses_the_same_formula()
    {
        // satisfactory 5 (low is good), unallowable 15: 60 + 40 × (7 − 15) / (5 − 15) = 92
        var m = new EfficacyMethod(Bound.Of(5), Bound.Of(15), Direction.Lower);
        Support.Approx.Equal(92, LeafScores.One(m, 100, 7));
    }

    [Fact]
    public void Base_and_span_are_parameters()
    {
        // 50 + 50 × (9 − 6) / 6 = 75
        var m = Fixed(12, 6) with { Base = 50, Span = 50 };
        Support.Approx.Equal(75, LeafScores.One(m, 100, 9));
    }

    [Theory]
    [InlineData(1.0, 65.2)]     // ratio 0.125 → 0.13 (四舍五入, not banker's 0.12)
    [InlineData(0.92, 64.8)]    // ratio 0.115 → 0.12, although 0.115 is not exact in binary
    [InlineData(-1.0, 54.8)]    // ratio −0.125 → −0.13: half away from zero
    [InlineData(2.0, 70)]       // ratio 0.25 stays
    public void RatioDecimals_rounds_the_ratio_half_away_from_zero_before_scaling(double x, double expected)
    {
        var m = Fixed(8, 0) with { RatioDecimals = 2 };
        Support.Approx.Equal(expected, LeafScores.One(m, 100, x));
    }

    [Fact]
    public void Without_ratioDecimals_the_ratio_is_not_rounded()
    {
        Support.Approx.Equal(65, LeafScores.One(Fixed(8, 0), 100, 1.0));
    }

    [Fact]
    public void Satisfactory_equal_to_unallowable_gives_base_plus_span()
    {
        Support.Approx.Equal(20, LeafScores.One(Fixed(5, 5), 20, 3));
    }

    [Fact]
    public void When_every_unit_holds_the_same_value_best_equals_worst_and_all_get_full_rating()
    {
        var s = LeafScores.Of(new EfficacyMethod(Bound.Best, Bound.Worst), 10, 7, 7, 7);
        Assert.All(s, x => Support.Approx.Equal(10, x));
    }

    [Fact]
    public void Explanation_names_the_units_that_held_best_and_worst()
    {
        var r = Support.Build.Units("lasa", "rikaze", "nagqu").Leaf("x", 100, new EfficacyMethod(Bound.Best, Bound.Worst), 30, 10, 20).Score();
        var e = r.Explain("nagqu", "x");
        Support.Approx.Equal(80, e.Score);
        Assert.Contains(e.Inputs, i => i.HeldBy is { } h && h.Contains("lasa"));
        Assert.Contains(e.Inputs, i => i.HeldBy is { } h && h.Contains("rikaze"));
    }
}
