using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;

namespace Kaohe.Scoring.Tests.Results;

public class AnnualRollupTests
{
    private static readonly Unit[] Units = [new("a", "甲", "g"), new("b", "乙", "g"), new("c", "丙", "g")];

    private static RollupPart Quarter(int q, double a, double b, double c) =>
        new($"q{q}", $"第{q}季度", 23.75, new Dictionary<string, double> { ["a"] = a, ["b"] = b, ["c"] = c });

    private static readonly Rules AnnualRules = new(BonusCap: 3, DeductionCap: 5,
        Grades: [new("优秀", 90), new("良好", 80), new("合格", 60), new("不合格", null)], Commend: 1, Criticize: 1);

    [Fact]
    public void Annual_total_is_the_weighted_quarters_plus_the_annual_evaluation_plus_capped_adjustments()
    {
        var parts = new[]
        {
            Quarter(1, 90, 80, 70), Quarter(2, 92, 82, 72), Quarter(3, 94, 84, 74), Quarter(4, 96, 86, 76),
            new RollupPart("ld", "年度领导评价", 5, new Dictionary<string, double> { ["a"] = 100, ["b"] = 80, ["c"] = 60 }),
        };
        var a = AnnualRollup.Build("2023", Units, parts, [new("b", 4, "受住房城乡建设部表扬")], [], AnnualRules);
        var result = Engine.Score(a).Result!;

        // a: 23.75 × (90+92+94+96)/100 + 5 × 100/100 = 88.35 + 5 = 93.35
        Assert.Equal(93.35, result["a"].Total, 9);
        // b: 23.75 × 332/100 + 5 × 0.8 + min(4, cap 3) = 78.85 + 4 + 3
        Assert.Equal(85.85, result["b"].Total, 9);
        Assert.Equal(3, result["b"].Adjustment);
        Assert.Equal("优秀", result["a"].Grade);
    }

    [Fact]
    public void A_veto_forces_the_lowest_grade_and_excludes_commendation_in_the_annual_result()
    {
        var parts = new[] { Quarter(1, 99, 80, 70), Quarter(2, 99, 80, 70), Quarter(3, 99, 80, 70), Quarter(4, 99, 80, 70) };
        var a = AnnualRollup.Build("2023", Units, parts, [], [new("a", "重大安全生产事故")], AnnualRules with { Commend = 1 });
        var result = Engine.Score(a).Result!;

        Assert.True(result["a"].Vetoed);
        Assert.Equal("不合格", result["a"].Grade);
        Assert.False(result["a"].Commended);
        Assert.Equal(1, result["a"].Rank);          // still ranked by score
        Assert.True(result["b"].Commended);         // the best unit not vetoed
    }

    [Fact]
    public void The_annual_rollup_round_trips_through_the_v1_file_and_recomputes_identically()
    {
        var parts = new[] { Quarter(1, 91.5, 80.25, 70), Quarter(2, 90, 81, 71.125) };
        var a = AnnualRollup.Build("2023", Units, parts, [], [], AnnualRules);
        var direct = Engine.Score(a).Result!;
        var reread = V1File.Read(V1File.Write(a));
        Assert.True(reread.IsValid, string.Join("\n", reread.Errors));
        var again = Engine.Score(reread.Assessment!).Result!;
        foreach (var u in direct.Units) Assert.Equal(u.Total, again[u.Id].Total);
    }

    [Fact]
    public void A_unit_missing_a_quarter_is_reported_not_scored_as_zero()
    {
        var parts = new[] { new RollupPart("q1", "第1季度", 50, new Dictionary<string, double> { ["a"] = 90, ["b"] = 80 }) };
        var outcome = Engine.Score(AnnualRollup.Build("2023", Units, parts, [], [], AnnualRules));
        Assert.False(outcome.IsValid);
        Assert.Contains(outcome.Errors, e => e.En.Contains("unit \"c\" has no value for indicator \"q1\""));
    }
}
