using Kaohe.Scoring.Tests.Support;

namespace Kaohe.Scoring.Tests.Methods;

public class RatioTests
{
    [Theory]
    [InlineData(80, 8)]
    [InlineData(100, 10)]
    [InlineData(130, 10)]   // default cap 1.0
    [InlineData(-5, 0)]     // floored at 0
    public void Ratio_to_the_method_target_capped_at_one(double x, double expected)
    {
        Approx.Equal(expected, LeafScores.One(new RatioMethod(100), 10, x));
    }

    [Theory]
    [InlineData(110, 11)]
    [InlineData(120, 12)]
    [InlineData(130, 12)]
    public void A_cap_of_1_2_rewards_over_completion_up_to_120_percent(double x, double expected)
    {
        Approx.Equal(expected, LeafScores.One(new RatioMethod(100, 1.2), 10, x));
    }

    [Fact]
    public void A_per_unit_target_overrides_the_method_target()
    {
        var r = Build.Units("a", "b").Root(Indicator.Leaf("x", "完成率", 10, new RatioMethod(100)))
            .Value(new DataValue("a", "x", 40, Target: 50))
            .Value(new DataValue("b", "x", 40))
            .Score();
        Approx.Equal(8, r["a"].Scores["x"]);
        Approx.Equal(4, r["b"].Scores["x"]);
    }

    [Fact]
    public void A_per_unit_target_works_without_a_method_target()
    {
        var r = Build.Units("a").Root(Indicator.Leaf("x", "完成率", 12, new RatioMethod(null)))
            .Value(new DataValue("a", "x", 0.92, Target: 1.0)).Score();
        Approx.Equal(11.04, r["a"].Scores["x"]);
    }
}

public class ThresholdTests
{
    private static readonly ThresholdMethod M = new(Threshold: 95, StepBelow: 2, StepAbove: 0.5, MaxAbove: 1);

    [Theory]
    [InlineData(95, 10)]     // at the threshold
    [InlineData(96, 10.5)]   // above: + 0.5 per unit
    [InlineData(99, 11)]     // above, capped at maxAbove 1
    [InlineData(93, 6)]      // below: − 2 per unit
    [InlineData(80, 0)]      // never below 0
    public void Above_and_below_the_threshold(double x, double expected)
    {
        Approx.Equal(expected, LeafScores.One(M, 10, x));
    }

    [Fact]
    public void Without_stepAbove_nothing_is_added_above_the_threshold()
    {
        Approx.Equal(10, LeafScores.One(new ThresholdMethod(95, 2), 10, 100));
    }
}

public class RelativeTests
{
    [Fact]
    public void Score_is_proportional_to_the_value_over_the_group_mean()
    {
        var s = LeafScores.Of(new RelativeMethod(), 10, 50, 100, 150);
        Approx.Equal(5, s[0]);
        Approx.Equal(10, s[1]);
        Approx.Equal(15, s[2]);
    }

    [Fact]
    public void The_ratio_is_capped_at_1_5_times_points_by_default()
    {
        var s = LeafScores.Of(new RelativeMethod(), 10, 10, 10, 100); // mean 40
        Approx.Equal(2.5, s[0]);
        Approx.Equal(15, s[2]);
    }

    [Fact]
    public void A_custom_cap_applies()
    {
        var s = LeafScores.Of(new RelativeMethod(1.0), 10, 50, 150);
        Approx.Equal(5, s[0]);
        Approx.Equal(10, s[1]);
    }

    [Fact]
    public void A_negative_value_against_a_positive_mean_scores_zero()
    {
        Approx.Equal(0, LeafScores.Of(new RelativeMethod(), 10, -10, 30)[0]);
    }

    [Fact]
    public void Engine_choice_with_group_mean_zero_a_zero_is_at_the_mean_above_takes_the_cap_below_zero()
    {
        var s = LeafScores.Of(new RelativeMethod(), 10, 0, 0);
        Approx.Equal(10, s[0]);
        Approx.Equal(10, s[1]);
        var t = LeafScores.Of(new RelativeMethod(), 10, -1, 1, 0);
        Approx.Equal(0, t[0]);
        Approx.Equal(15, t[1]);
        Approx.Equal(10, t[2]);
    }
}

public class RankMethodTests
{
    [Fact]
    public void Ties_share_the_best_rank_and_the_next_place_is_skipped()
    {
        // values 90, 80, 80, 70 → ranks 1, 2, 2, 4 → 20 × (100 − 5 × (r − 1)) / 100
        var s = LeafScores.Of(new RankMethod(), 20, 90, 80, 80, 70);
        Approx.Equal(20, s[0]);
        Approx.Equal(19, s[1]);
        Approx.Equal(19, s[2]);
        Approx.Equal(17, s[3]);
    }

    [Fact]
    public void Direction_lower_ranks_the_smallest_value_first()
    {
        var s = LeafScores.Of(new RankMethod(10, Direction.Lower), 10, 3, 1, 2);
        Approx.Equal(8, s[0]);
        Approx.Equal(10, s[1]);
        Approx.Equal(9, s[2]);
    }

    [Fact]
    public void The_score_never_goes_below_zero()
    {
        var s = LeafScores.Of(new RankMethod(50), 10, 4, 3, 2, 1);
        Assert.Equal([10, 5, 0, 0], s.Select(x => Math.Round(x, 9)));
    }
}

public class DeductionTests
{
    private static double Score(DeductionMethod m, double points, Findings f) =>
        Build.Units("a").Root(Indicator.Leaf("x", "信息报送", points, m)).Value(new DataValue("a", "x", Findings: f)).Score()["a"].Scores["x"];

    [Fact]
    public void A_count_of_findings_costs_perFinding_each()
    {
        Approx.Equal(5, Score(new DeductionMethod(PerFinding: 1), 8, Findings.OfCount(3)));
    }

    [Fact]
    public void No_findings_keeps_full_points()
    {
        Approx.Equal(8, Score(new DeductionMethod(PerFinding: 1), 8, Findings.OfCount(0)));
    }

    [Fact]
    public void A_list_of_findings_uses_each_findings_points_or_perFinding()
    {
        var f = Findings.Of(new Finding(2, "台账缺失"), new Finding(null, "迟报"), new Finding(0.5, "格式"));
        Approx.Equal(4.5, Score(new DeductionMethod(PerFinding: 1), 8, f));
    }

    [Fact]
    public void MaxDeduction_limits_the_points_taken_off()
    {
        Approx.Equal(5, Score(new DeductionMethod(PerFinding: 1, MaxDeduction: 3), 8, Findings.OfCount(5)));
    }

    [Fact]
    public void Without_maxDeduction_the_score_stops_at_zero()
    {
        Approx.Equal(0, Score(new DeductionMethod(PerFinding: 1), 8, Findings.OfCount(20)));
    }
}

public class RatersTests
{
    private static double Score(RatersMethod m, double points, params (string Rater, double Value)[] ratings)
    {
        var b = Build.Units("a").Root(Indicator.Leaf("ld", "厅领导班子总体评价", points, m));
        foreach (var (r, v) in ratings) b.Value(new DataValue("a", "ld", v, Rater: r));
        return b.Score()["a"].Scores["ld"];
    }

    [Fact]
    public void Principal_and_in_charge_weigh_fifty_fifty()
    {
        // 30 × (0.5 × 92 + 0.5 × 88) / 1 / 100 = 27
        Approx.Equal(27, Score(RatersMethod.Leadership5050, 30, ("principal", 92), ("in-charge", 88)));
    }

    [Fact]
    public void Unequal_weights_weigh_the_ratings()
    {
        var m = new RatersMethod([new("principal", 0.7), new("in-charge", 0.3)]);
        Approx.Equal(24.3, Score(m, 30, ("principal", 90), ("in-charge", 60)));
    }

    [Fact]
    public void Weights_need_not_sum_to_one()
    {
        var m = new RatersMethod([new("a", 2), new("b", 1)]);
        Approx.Equal(24, Score(m, 30, ("a", 90), ("b", 60)));
    }

    [Fact]
    public void A_rater_of_weight_zero_does_not_count()
    {
        var m = new RatersMethod([new("a", 1), new("b", 0)]);
        Approx.Equal(27, Score(m, 30, ("a", 90), ("b", 0)));
    }
}

public class SurveyTests
{
    private static double Score(double points, params (string Option, double Count)[] counts) =>
        Build.Units("a").Root(Indicator.Leaf("s", "群众满意度", points, new SurveyMethod(SurveyMethod.DefaultOptions)))
            .Value(new DataValue("a", "s", Counts: counts.ToDictionary(c => c.Option, c => c.Count)))
            .Score()["a"].Scores["s"];

    [Fact]
    public void Counted_answers_are_averaged_and_不了解_is_not_counted()
    {
        // (6 × 100 + 3 × 75 + 1 × 55) / 10 / 100 × 10 = 8.8; the ten 不了解 change nothing
        Approx.Equal(8.8, Score(10, ("满意", 6), ("基本满意", 3), ("不满意", 1), ("不了解", 10)));
        Approx.Equal(8.8, Score(10, ("满意", 6), ("基本满意", 3), ("不满意", 1)));
    }

    [Fact]
    public void All_satisfied_gives_full_points()
    {
        Approx.Equal(10, Score(10, ("满意", 40)));
    }
}

public class DirectTests
{
    [Fact]
    public void The_value_is_the_score()
    {
        var s = LeafScores.Of(new DirectMethod(), 50, 46, 0, 50);
        Assert.Equal([46.0, 0.0, 50.0], s);
    }
}
