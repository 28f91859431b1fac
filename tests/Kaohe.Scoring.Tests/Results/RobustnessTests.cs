using Kaohe.Scoring;

namespace Kaohe.Scoring.Tests.Results;

public class RobustnessTests
{
    private static Assessment Build(double bDirect, double bRating = 80)
    {
        // Two leaves: a direct score and a 50/50 leadership evaluation; units ranked in one group.
        Indicator[] tree =
        [
            Indicator.Leaf("zx", "专项指标", 60, new DirectMethod()),
            Indicator.Leaf("ld", "厅领导班子总体评价", 40, RatersMethod.Leadership5050),
        ];
        var values = new List<DataValue>();
        void Unit(string id, double zx, double p, double c)
        {
            values.Add(new(id, "zx", zx));
            values.Add(new(id, "ld", p, Rater: "principal"));
            values.Add(new(id, "ld", c, Rater: "in-charge"));
        }
        Unit("a", 58, 95, 95);
        Unit("b", bDirect, bRating, bRating);
        Unit("c", 40, 70, 70);
        Unit("d", 30, 60, 60);
        return new Assessment("2023-Q1", [new("a", "甲"), new("b", "乙"), new("c", "丙"), new("d", "丁")], tree, values, [], [],
            new Rules(Commend: 1, Criticize: 1));
    }

    [Fact]
    public void Margins_give_the_points_to_the_next_distinct_total_up_and_down()
    {
        var result = Engine.Score(Build(50)).Result!;
        var m = Robustness.Margins(result);
        // totals: a 58+38 = 96, b 50+32 = 82, c 40+28 = 68, d 30+24 = 54
        Assert.Null(m["a"].Up);
        Assert.Equal(14, m["a"].Down!.Value, 9);
        Assert.Equal(14, m["b"].Up!.Value, 9);
        Assert.Equal(14, m["b"].Down!.Value, 9);
        Assert.Null(m["d"].Down);
    }

    [Fact]
    public void A_clear_leader_keeps_its_commendation_under_every_perturbation()
    {
        var stability = Robustness.Analyze(Build(50), new PerturbationBounds(0.10, 0.10, Samples: 200, Seed: 7));
        var a = stability.Single(s => s.Unit == "a");
        Assert.True(a.Commended);
        Assert.Equal(1.0, a.CommendStability);
        Assert.Equal(1, a.RankMax);
    }

    [Fact]
    public void A_near_tie_at_the_commendation_edge_is_shown_as_unstable()
    {
        // b: 57.9 + 38 = 95.9 against a's 58 + 38 = 96: 0.1 points decide the commendation.
        var stability = Robustness.Analyze(Build(57.9, 95), new PerturbationBounds(0.10, 0.10, Samples: 300, Seed: 7));
        var a = stability.Single(s => s.Unit == "a");
        var b = stability.Single(s => s.Unit == "b");
        Assert.True(a.Commended);
        Assert.InRange(a.CommendStability, 0.05, 0.95);
        Assert.InRange(b.CommendStability, 0.05, 0.95);
        Assert.Equal(0.1, a.PointsToNextDown!.Value, 9);
    }

    [Fact]
    public void The_same_seed_gives_the_same_analysis()
    {
        var bounds = new PerturbationBounds(0.2, 0.2, Samples: 50, Seed: 42);
        var first = Robustness.Analyze(Build(57.9, 95), bounds);
        var second = Robustness.Analyze(Build(57.9, 95), bounds);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Perturbed_trees_stay_valid_so_every_sample_is_computed()
    {
        var a = Build(57.9, 95);
        var random = new Random(3);
        for (var i = 0; i < 100; i++)
        {
            var p = Robustness.Perturb(a, new PerturbationBounds(0.3, 0.3), random);
            Assert.Empty(Validator.Validate(p));
            Assert.Equal(100, p.Indicators.Sum(x => x.Points), 9);
        }
    }
}
