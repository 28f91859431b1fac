using Kaohe.Scoring.FileFormat;
using Kaohe.Scoring.Tests.Support;

namespace Kaohe.Scoring.Tests.Fuzz;

/// <summary>
/// Finite inputs at the edge of double precision, found by the reader fuzz. The file format only
/// admits finite numbers, and a result must be writable as JSON, so an accepted assessment must
/// either be rejected by validation or score to the finite number the formula gives.
/// </summary>
public class ExtremeNumberTests
{
    private static void Finite(AssessmentResult r)
    {
        foreach (var u in r.Units)
        {
            Assert.True(double.IsFinite(u.Total), $"total of {u.Id} is {u.Total}");
            foreach (var (node, s) in u.Scores) Assert.True(double.IsFinite(s), $"{u.Id}.{node} = {s}");
        }
        V1File.WriteResult(r); // must not throw
    }

    /// <summary>Either rejected with an error, or scored to finite numbers.</summary>
    private static AssessmentResult? ScoredOrRejected(Assessment a)
    {
        var outcome = Engine.Score(a);
        if (!outcome.IsValid) { Assert.NotEmpty(outcome.Errors); return null; }
        Finite(outcome.Result!);
        return outcome.Result;
    }

    [Fact]
    public void A_huge_rater_weight_gives_the_weighted_mean_not_infinity()
    {
        // Σ w × v / Σ w with w = (1e308, 0.5), v = (92, 88): 92 % of 30 points = 27.6
        var m = new RatersMethod([new("principal", 1e308), new("in-charge", 0.5)]);
        var a = Build.Units("a").Root(Indicator.Leaf("ld", "领导评价", 30, m))
            .Value(new DataValue("a", "ld", 92, Rater: "principal"))
            .Value(new DataValue("a", "ld", 88, Rater: "in-charge")).Done();
        var r = ScoredOrRejected(a);
        if (r is not null) Approx.Equal(27.6, r["a"].Scores["ld"]);
    }

    [Fact]
    public void A_banded_coefficient_near_the_double_limit_is_rejected_or_scored_finitely()
    {
        var m = new BandedMethod([new(16, 1), new(9.5, 0.8), new(1.7, -3.4e307), new(-5, 0.4), new(-12, 0.2)]);
        ScoredOrRejected(Build.Units("a").Leaf("roe", 20, m, 8).Done());
    }

    [Fact]
    public void Relative_to_a_mean_of_huge_values_is_still_value_over_mean()
    {
        // values 1e308 and 1e308: each is at the mean, ratio 1 → full points
        var r = ScoredOrRejected(Build.Units("a", "b").Leaf("x", 10, new RelativeMethod(), 1e308, 1e308).Done());
        if (r is null) return;
        Approx.Equal(10, r["a"].Scores["x"]);
        Approx.Equal(10, r["b"].Scores["x"]);
    }

    [Fact]
    public void Efficacy_between_huge_best_and_worst_is_base_to_base_plus_span()
    {
        var r = ScoredOrRejected(Build.Units("a", "b", "c").Leaf("x", 100, new EfficacyMethod(Bound.Best, Bound.Worst), 1e308, -1e308, 0).Done());
        if (r is null) return;
        Approx.Equal(100, r["a"].Scores["x"]);
        Approx.Equal(60, r["b"].Scores["x"]);
        Approx.Equal(80, r["c"].Scores["x"]);
    }

    [Fact]
    public void Adjustments_that_overflow_without_a_cap_are_rejected_or_finite()
    {
        var a = Build.Units("a").Leaf("x", 10, new DirectMethod(), 5).Adjust("a", 1e308).Adjust("a", 1e308).Done();
        ScoredOrRejected(a);
    }

    [Fact]
    public void Root_points_that_overflow_when_added_are_rejected_or_finite()
    {
        var a = Build.Units("a")
            .Leaf("x", 1e308, new DirectMethod(), 1e308)
            .Leaf("y", 1e308, new DirectMethod(), 1e308).Done();
        ScoredOrRejected(a);
    }
}
