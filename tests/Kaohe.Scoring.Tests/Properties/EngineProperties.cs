using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Kaohe.Scoring.Tests.Support;

namespace Kaohe.Scoring.Tests.Properties;

/// <summary>Properties of the engine over random valid assessments (see <see cref="Scenarios"/>).</summary>
[Properties(Arbitrary = [typeof(Scenarios)], MaxTest = 200)]
public class EngineProperties
{
    private static AssessmentResult Score(Assessment a) => Build.Scored(a);

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(a));

    [Property]
    public void Every_generated_scenario_is_valid(Scenario s)
    {
        Assert.Empty(Validator.Validate(s.Assessment));
    }

    [Property]
    public Property Raising_a_value_on_a_higher_leaf_never_lowers_the_units_score_on_it(Scenario s, PositiveInt unitPick, PositiveInt leafPick, PositiveInt raisePick)
    {
        var a = s.Assessment;
        var unit = a.Units[unitPick.Get % a.Units.Count].Id;
        var leaf = s.HigherLeaves[leafPick.Get % s.HigherLeaves.Count];
        var delta = raisePick.Get % 40 / 2.0 + 0.5;
        var before = Score(a)[unit].Scores[leaf];
        var raised = a with
        {
            Values = [.. a.Values.Select(v => v.Unit == unit && v.Indicator == leaf ? v with { Value = v.Value + delta } : v)],
        };
        var after = Score(raised)[unit].Scores[leaf];
        return (after >= before - 1e-9).Label($"{leaf} of {unit}: {before} → {after} after +{delta}");
    }

    [Property]
    public void Ranks_within_a_group_are_competition_ranks_on_rounded_totals(Scenario s)
    {
        var r = Score(s.Assessment);
        foreach (var group in r.Units.GroupBy(u => u.Group))
        {
            var members = group.ToList();
            foreach (var u in members)
            {
                Assert.InRange(u.Rank, 1, members.Count);
                Assert.Equal(members.Count, u.GroupSize);
                Assert.Equal(1 + members.Count(o => o.RoundedTotal > u.RoundedTotal), u.Rank);
                Assert.Equal(Rounding.HalfAwayFromZero(u.Total, s.Assessment.Rules.RankDecimals), u.RoundedTotal);
            }
            Assert.Contains(members, u => u.Rank == 1);
        }
    }

    [Property]
    public void Results_do_not_depend_on_the_order_of_units_and_values(Scenario s, int seed)
    {
        var rnd = new Random(seed);
        var a = s.Assessment;
        var shuffled = a with
        {
            Units = [.. a.Units.OrderBy(_ => rnd.Next())],
            Values = [.. a.Values.OrderBy(_ => rnd.Next())],
            Adjustments = [.. a.Adjustments.OrderBy(_ => rnd.Next())],
        };
        var r1 = Score(a);
        var r2 = Score(shuffled);
        foreach (var u in r1.Units)
        {
            var v = r2[u.Id];
            foreach (var (node, score) in u.Scores) Assert.True(Close(score, v.Scores[node]), $"{u.Id}.{node}: {score} vs {v.Scores[node]}");
            Assert.True(Close(u.Total, v.Total));
            Assert.Equal(u.Rank, v.Rank);
            Assert.Equal(u.Grade, v.Grade);
            Assert.Equal(u.Commended, v.Commended);
            Assert.Equal(u.Criticized, v.Criticized);
        }
    }

    [Property]
    public void A_vetoed_unit_is_never_commended_and_gets_the_lowest_grade(Scenario s)
    {
        var r = Score(s.Assessment);
        foreach (var u in r.Units.Where(u => u.Vetoed))
        {
            Assert.False(u.Commended);
            Assert.Equal("不合格", u.Grade);
        }
        Assert.Equal(s.Assessment.Vetoes.Select(v => v.Unit).ToHashSet(), r.Units.Where(u => u.Vetoed).Select(u => u.Id).ToHashSet());
    }

    [Property]
    public void Commend_and_criticize_name_at_least_N_when_possible_and_only_edge_ties_beyond(Scenario s)
    {
        var rules = s.Assessment.Rules;
        var r = Score(s.Assessment);
        foreach (var group in r.Units.GroupBy(u => u.Group))
        {
            var eligible = group.Where(u => !u.Vetoed).ToList();
            var commended = group.Where(u => u.Commended).ToList();
            Assert.True(commended.Count >= Math.Min(rules.Commend, eligible.Count));
            // every commended unit is at least as good as every eligible unit not commended
            foreach (var c in commended)
                foreach (var o in eligible.Where(o => !o.Commended))
                    Assert.True(c.RoundedTotal > o.RoundedTotal);
            var criticized = group.Where(u => u.Criticized).ToList();
            foreach (var c in criticized)
            {
                Assert.False(c.Commended);
                foreach (var o in group.Where(o => !o.Criticized && !o.Commended))
                    Assert.True(c.RoundedTotal < o.RoundedTotal);
            }
        }
    }

    [Property]
    public void The_total_is_the_sum_of_root_scores_plus_capped_adjustments(Scenario s)
    {
        var a = s.Assessment;
        var r = Score(a);
        foreach (var u in r.Units)
        {
            var bonus = a.Adjustments.Where(x => x.Unit == u.Id && x.Points > 0).Sum(x => x.Points);
            var deduction = -a.Adjustments.Where(x => x.Unit == u.Id && x.Points < 0).Sum(x => x.Points);
            if (a.Rules.BonusCap is { } bc) bonus = Math.Min(bonus, bc);
            if (a.Rules.DeductionCap is { } dc) deduction = Math.Min(deduction, dc);
            var roots = a.Indicators.Sum(i => u.Scores[i.Id]);
            Assert.True(Close(bonus - deduction, u.Adjustment), $"{u.Id}: adjustment {u.Adjustment}, expected {bonus - deduction}");
            Assert.True(Close(roots + bonus - deduction, u.Total), $"{u.Id}: total {u.Total}, expected {roots + bonus - deduction}");
        }
    }

    [Property]
    public void Sum_nodes_equal_the_sum_of_their_children(Scenario s)
    {
        var r = Score(s.Assessment);
        foreach (var u in r.Units) Assert.True(Close(u.Scores["E1"] + u.Scores["E2"], u.Scores["E"]));
    }

    [Property]
    public Property Incremental_recomputation_equals_a_fresh_full_computation(Scenario s, PositiveInt unitPick, PositiveInt leafPick, NonNegativeInt valuePick)
    {
        var a = s.Assessment;
        var unit = a.Units[unitPick.Get % a.Units.Count].Id;
        var leaf = s.ValueLeaves[leafPick.Get % s.ValueLeaves.Count];
        var value = leaf == "G1" ? valuePick.Get % 21 / 2.0 : valuePick.Get % 241 / 2.0;

        var compiled = Engine.Compile(a);
        compiled.Compute();
        compiled.SetValue(unit, leaf, value);
        var incremental = compiled.RecomputeGroupOf(unit);

        var changed = a with { Values = [.. a.Values.Select(v => v.Unit == unit && v.Indicator == leaf ? v with { Value = value } : v)] };
        var fresh = Score(changed);
        var same = fresh.Units.All(f =>
        {
            var i = incremental[f.Id];
            return f.Scores.All(kv => Close(kv.Value, i.Scores[kv.Key])) && Close(f.Total, i.Total) && f.Rank == i.Rank
                   && f.Grade == i.Grade && f.Commended == i.Commended && f.Criticized == i.Criticized;
        });
        return same.Label($"{unit}.{leaf} := {value}");
    }

    [Property]
    public void Explain_gives_the_same_score_as_the_result_for_every_node(Scenario s)
    {
        var r = Score(s.Assessment);
        foreach (var u in r.Units)
        {
            foreach (var (node, score) in u.Scores)
            {
                var e = r.Explain(u.Id, node);
                Assert.Equal(node, e.Node);
                Assert.True(Close(score, e.Score), $"{u.Id}.{node}: result {score}, explanation {e.Score}");
                Assert.False(string.IsNullOrWhiteSpace(e.FormulaZh));
                Assert.False(string.IsNullOrWhiteSpace(e.FormulaEn));
            }
            Assert.True(Close(u.Total, r.Explain(u.Id).Score));
        }
    }

    [Property]
    public void Writing_a_generated_assessment_and_reading_it_back_gives_the_same_results(Scenario s)
    {
        var read = Kaohe.Scoring.FileFormat.V1File.Read(Kaohe.Scoring.FileFormat.V1File.Write(s.Assessment));
        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        var r1 = Score(s.Assessment);
        var r2 = Score(read.Assessment!);
        foreach (var u in r1.Units)
        {
            var v = r2[u.Id];
            foreach (var (node, score) in u.Scores) Assert.Equal(score, v.Scores[node]);
            Assert.Equal(u.Total, v.Total);
            Assert.Equal((u.Rank, u.Grade, u.Vetoed, u.Commended, u.Criticized), (v.Rank, v.Grade, v.Vetoed, v.Commended, v.Criticized));
        }
    }
}
