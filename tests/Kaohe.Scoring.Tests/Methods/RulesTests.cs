using Kaohe.Scoring.Tests.Support;

namespace Kaohe.Scoring.Tests.Methods;

/// <summary>Adjustments, vetoes, grades, ranking on rounded totals, commend and criticize.</summary>
public class RulesTests
{
    /// <summary>Units with the given totals (a single direct leaf of 100 points).</summary>
    private static Build Totals(params (string Id, double Total)[] units)
    {
        var b = Build.Units([.. units.Select(u => u.Id)]);
        return b.Leaf("x", 100, new DirectMethod(), [.. units.Select(u => u.Total)]);
    }

    [Fact]
    public void Bonuses_and_deductions_are_capped_separately()
    {
        var r = Totals(("a", 80), ("b", 80), ("c", 80))
            .Adjust("a", 2).Adjust("a", 2).Adjust("a", -1)   // bonus 4 → 3, deduction 1 → +2
            .Adjust("b", -4).Adjust("b", -3).Adjust("b", 1)  // bonus 1, deduction 7 → 5 → −4
            .With(new Rules(BonusCap: 3, DeductionCap: 5))
            .Score();
        Approx.Equal(2, r["a"].Adjustment);
        Approx.Equal(82, r["a"].Total);
        Approx.Equal(-4, r["b"].Adjustment);
        Approx.Equal(76, r["b"].Total);
        Approx.Equal(0, r["c"].Adjustment);
    }

    [Fact]
    public void Without_caps_adjustments_add_up_in_full()
    {
        var r = Totals(("a", 80)).Adjust("a", 7).Adjust("a", -12).Score();
        Approx.Equal(-5, r["a"].Adjustment);
        Approx.Equal(75, r["a"].Total);
    }

    [Fact]
    public void A_vetoed_unit_keeps_its_total_and_rank_but_gets_the_lowest_grade_and_no_commendation()
    {
        var r = Totals(("a", 95), ("b", 85), ("c", 70)).Veto("a")
            .With(new Rules(Grades: Build.SeedGrades, Commend: 1)).Score();
        var a = r["a"];
        Assert.True(a.Vetoed);
        Approx.Equal(95, a.Total);
        Assert.Equal(1, a.Rank);
        Assert.Equal("不合格", a.Grade);
        Assert.False(a.Commended);
        Assert.True(r["b"].Commended);
        Assert.False(r["b"].Vetoed);
    }

    [Fact]
    public void A_vetoed_unit_at_the_bottom_is_criticised()
    {
        var r = Totals(("a", 95), ("b", 85), ("c", 70)).Veto("c").With(new Rules(Criticize: 1)).Score();
        Assert.True(r["c"].Criticized);
        Assert.False(r["b"].Criticized);
    }

    [Theory]
    [InlineData(90, "优秀")]        // min is inclusive (以上（含）)
    [InlineData(89.99, "良好")]
    [InlineData(80, "良好")]
    [InlineData(60, "合格")]
    [InlineData(59.99, "不合格")]
    [InlineData(0, "不合格")]
    public void The_first_grade_whose_min_the_total_reaches(double total, string grade)
    {
        var r = Totals(("a", total)).With(new Rules(Grades: Build.SeedGrades)).Score();
        Assert.Equal(grade, r["a"].Grade);
    }

    [Fact]
    public void Engine_choice_grades_are_judged_on_the_total_rounded_to_rankDecimals()
    {
        var r = Totals(("a", 89.996)).With(new Rules(Grades: Build.SeedGrades)).Score();
        Assert.Equal("优秀", r["a"].Grade); // shown as 90.00
    }

    [Fact]
    public void Without_grades_every_grade_is_null()
    {
        Assert.Null(Totals(("a", 99)).Score()["a"].Grade);
    }

    [Fact]
    public void Ranks_are_competition_ranks_on_rounded_totals()
    {
        var r = Totals(("a", 90.004), ("b", 90.001), ("c", 89.996), ("d", 80)).Score();
        // all three round to 90.00 at rankDecimals 2
        Assert.Equal(1, r["a"].Rank);
        Assert.Equal(1, r["b"].Rank);
        Assert.Equal(1, r["c"].Rank);
        Assert.Equal(4, r["d"].Rank);
    }

    [Fact]
    public void Ranks_1_2_2_4()
    {
        var r = Totals(("a", 95), ("b", 90), ("c", 90), ("d", 85)).Score();
        Assert.Equal([1, 2, 2, 4], r.Units.Select(u => u.Rank));
    }

    [Fact]
    public void Totals_are_rounded_half_away_from_zero_for_ranking()
    {
        // rankDecimals 0: 89.5 → 90 ties with 90.4 → 90; 89.49 → 89
        var r = Totals(("a", 90.4), ("b", 89.5), ("c", 89.49)).With(new Rules(RankDecimals: 0)).Score();
        Assert.Equal(1, r["a"].Rank);
        Assert.Equal(1, r["b"].Rank);
        Assert.Equal(3, r["c"].Rank);
        Assert.Equal(90, r["b"].RoundedTotal);
    }

    [Fact]
    public void Ranks_are_within_each_group()
    {
        var r = Build.Units().Unit("a", "地市住建局").Unit("b", "地市住建局").Unit("c", "城管局").Unit("d", "城管局")
            .Leaf("x", 100, new DirectMethod(), 90, 80, 70, 60)
            .With(new Rules(Commend: 1, Criticize: 1)).Score();
        Assert.Equal([1, 2, 1, 2], r.Units.Select(u => u.Rank));
        Assert.Equal([true, false, true, false], r.Units.Select(u => u.Commended));
        Assert.Equal([false, true, false, true], r.Units.Select(u => u.Criticized));
    }

    [Fact]
    public void A_tie_at_the_edge_of_commend_takes_every_tied_unit()
    {
        var r = Totals(("a", 95), ("b", 90), ("c", 90.001), ("d", 80)).With(new Rules(Commend: 2)).Score();
        Assert.Equal([true, true, true, false], r.Units.Select(u => u.Commended));
    }

    [Fact]
    public void A_tie_at_the_edge_of_criticize_takes_every_tied_unit()
    {
        var r = Totals(("a", 95), ("b", 90), ("c", 70), ("d", 70)).With(new Rules(Criticize: 1)).Score();
        Assert.Equal([false, false, true, true], r.Units.Select(u => u.Criticized));
    }

    [Fact]
    public void Commend_passes_over_vetoed_units_to_the_next_best()
    {
        var r = Totals(("a", 95), ("b", 90), ("c", 85)).Veto("a").With(new Rules(Commend: 1)).Score();
        Assert.Equal([false, true, false], r.Units.Select(u => u.Commended));
    }

    [Fact]
    public void Commend_and_criticize_default_to_nobody()
    {
        var r = Totals(("a", 95), ("b", 50)).Score();
        Assert.All(r.Units, u => Assert.False(u.Commended || u.Criticized));
    }

    [Fact]
    public void Engine_choice_a_unit_is_never_both_commended_and_criticised()
    {
        var r = Totals(("a", 95), ("b", 90)).With(new Rules(Commend: 1, Criticize: 2)).Score();
        Assert.True(r["a"].Commended);
        Assert.False(r["a"].Criticized);
        Assert.True(r["b"].Criticized);
    }

    [Fact]
    public void More_commendations_than_units_commends_every_unit_not_vetoed()
    {
        var r = Totals(("a", 95), ("b", 90), ("c", 10)).Veto("c").With(new Rules(Commend: 5)).Score();
        Assert.Equal([true, true, false], r.Units.Select(u => u.Commended));
    }
}
