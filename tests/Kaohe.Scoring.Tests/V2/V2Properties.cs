using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Kaohe.Scoring.FileFormat;
using Kaohe.Scoring.Tests.Properties;
using Kaohe.Scoring.Tests.Support;

namespace Kaohe.Scoring.Tests.V2;

/// <summary>
/// Properties of version 2 over the random assessments of <see cref="Scenarios"/>, with some of their
/// single-value leaves turned into random formulas over random base data.
/// </summary>
[Properties(Arbitrary = [typeof(Scenarios)], MaxTest = 150)]
public class V2Properties
{
    private static readonly string[] Measures = ["m0", "m1", "m2"];
    private static readonly string[] SingleValueLeaves = ["E1", "E2", "B", "R", "T", "L", "K"];

    /// <summary>The scenario with some leaves as formulas (their values dropped) and random figures for every unit.</summary>
    private static (Assessment V2, HashSet<string> FormulaLeaves) WithFormulas(Scenario s, int seed)
    {
        var r = new Random(seed);
        var a = s.Assessment;
        var chosen = SingleValueLeaves.Where(_ => r.Next(2) == 0).DefaultIfEmpty("E1").ToHashSet();
        var formulas = chosen.ToDictionary(id => id, _ => RandomFormulas.Text(r, Measures, depth: 3));
        Indicator Convert(Indicator n) => n.IsLeaf
            ? formulas.TryGetValue(n.Id, out var f) ? n with { Formula = f, ValueDecimals = r.Next(3) == 0 ? r.Next(6) : null } : n
            : n with { Children = [.. n.ChildList.Select(Convert)] };
        var data = a.Units.SelectMany(u => Measures.Select(m => new MeasureValue(u.Id, m, Math.Round(1 + r.NextDouble() * 99, 2)))).ToList();
        var v2 = a with
        {
            Indicators = [.. a.Indicators.Select(Convert)],
            Values = [.. a.Values.Where(v => !chosen.Contains(v.Indicator))],
            Version = 2,
            Measures = [.. Measures.Select(m => new Measure(m, $"数据项{m}", "个"))],
            Data = data,
        };
        return (v2, chosen);
    }

    [Property]
    public Property A_formula_leaf_scores_exactly_as_a_value_leaf_holding_the_values_it_computed(Scenario s, int seed)
    {
        var (v2, formulaLeaves) = WithFormulas(s, seed);
        var outcome = Engine.Score(v2);
        if (!outcome.IsValid)
        {
            // A formula that divides by zero or leaves the range for some unit: refused at the formula, nothing else.
            Assert.All(outcome.Errors, e => Assert.EndsWith(".formula", e.Path));
            return true.Label("refused");
        }
        var result = outcome.Result!;
        var v1 = s.Assessment with
        {
            Values = [.. v2.Values, .. v2.Units.SelectMany(u => formulaLeaves.Select(leaf => new DataValue(u.Id, leaf, result[u.Id].Values[leaf])))],
        };
        var expected = Build.Scored(v1);
        foreach (var u in expected.Units)
        {
            var actual = result[u.Id];
            foreach (var (node, score) in u.Scores) Assert.Equal(score, actual.Scores[node]);
            Assert.Equal((u.Total, u.Rank, u.Grade, u.Commended, u.Criticized), (actual.Total, actual.Rank, actual.Grade, actual.Commended, actual.Criticized));
            Assert.Equal(formulaLeaves.Order(), actual.Values.Keys.Order());
        }
        return true.Label("compared");
    }

    [Property]
    public void A_version_2_assessment_written_and_read_back_gives_the_same_file_and_results(Scenario s, int seed)
    {
        var (v2, _) = WithFormulas(s, seed);
        var text = KaoheFile.Write(v2);
        var read = KaoheFile.Read(text);
        var outcome = Engine.Score(v2);
        Assert.Equal(outcome.IsValid, read.IsValid);
        if (!outcome.IsValid)
        {
            Assert.Equal(outcome.Errors.Select(e => e.ToString()), read.Errors.Select(e => e.ToString()));
            return;
        }
        Assert.Equal(text, KaoheFile.Write(read.Assessment!));
        Assert.Equal(KaoheFile.WriteResult(outcome.Result!), KaoheFile.WriteResult(Build.Scored(read.Assessment!)));
    }

    [Property]
    public void Explain_gives_the_value_the_result_holds_for_every_formula_leaf(Scenario s, int seed)
    {
        var (v2, formulaLeaves) = WithFormulas(s, seed);
        if (Engine.Score(v2).Result is not { } result) return;
        foreach (var u in result.Units)
            foreach (var leaf in formulaLeaves)
            {
                var e = result.Explain(u.Id, leaf);
                Assert.Equal(u.Values[leaf], e.Formula!.Value);
                Assert.Equal(u.Scores[leaf], e.Score);
            }
    }
}
