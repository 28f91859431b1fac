using Kaohe.Generate;
using Kaohe.Scoring.Tests.Support;

using Kaohe.Scoring;

namespace Kaohe.Cli.Tests.Scale;

/// <summary>The national workload (src/Kaohe.Generate/NationalWorkload.cs), built once for the class.</summary>
public sealed class NationalFixture
{
    public NationalWorkload Workload { get; } = new();
    public Dictionary<string, ReferenceUnit> Reference { get; }

    public NationalFixture() => Reference = ReferenceEngine.Compute(Workload.Assessment);
}

/// <summary>
/// The engine against <see cref="ReferenceEngine"/> on the national workload (3,000 units, 104 groups,
/// every method, both combines): every node's score, total, rounded total, adjustment, rank, grade
/// and flag must be identical, bit for bit — full computation, incremental recomputation, and results
/// kept from before a recomputation.
/// </summary>
public class NationalReferenceTests(NationalFixture fixture) : IClassFixture<NationalFixture>
{
    private static void Same(double expected, double actual, string what)
    {
        if (BitConverter.DoubleToInt64Bits(expected) != BitConverter.DoubleToInt64Bits(actual))
            Assert.Fail($"{what}: expected {expected:R}, engine {actual:R}");
    }

    internal static void AssertIdentical(IReadOnlyDictionary<string, ReferenceUnit> reference, AssessmentResult result, Assessment a)
    {
        Assert.Equal(a.Units.Count, result.Units.Count);
        for (var i = 0; i < a.Units.Count; i++)
        {
            var u = result.Units[i];
            Assert.Equal(a.Units[i].Id, u.Id); // in the order of the input
            Assert.Equal(a.Units[i].Name, u.Name);
            var r = reference[u.Id];
            Assert.Equal(r.Group, u.Group);
            Same(r.Total, u.Total, $"{u.Id} total");
            Same(r.Rounded, u.RoundedTotal, $"{u.Id} rounded total");
            Same(r.Adjustment, u.Adjustment, $"{u.Id} adjustment");
            Assert.True(r.Rank == u.Rank, $"{u.Id} rank: expected {r.Rank}, engine {u.Rank}");
            Assert.Equal(r.GroupSize, u.GroupSize);
            Assert.True(r.Grade == u.Grade, $"{u.Id} grade: expected {r.Grade}, engine {u.Grade}");
            Assert.True(r.Vetoed == u.Vetoed, $"{u.Id} vetoed");
            Assert.True(r.Commended == u.Commended, $"{u.Id} commended: expected {r.Commended}");
            Assert.True(r.Criticized == u.Criticized, $"{u.Id} criticized: expected {r.Criticized}");
            Assert.Equal(r.Scores.Count, u.Scores.Count);
            foreach (var (node, score) in r.Scores) Same(score, u.Scores[node], $"{u.Id}.{node}");
            Assert.Equal(r.Scores.Keys.Order(StringComparer.Ordinal), u.Scores.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(r.Scores.Keys.Order(StringComparer.Ordinal), u.Scores.Select(kv => kv.Key).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void The_reference_sees_the_workloads_ties_commendations_and_vetoes()
    {
        // Guards the guard: a reference that scored everything 0 would agree with a broken engine.
        var r = fixture.Reference.Values;
        Assert.Equal(3000, r.Count);
        Assert.True(r.Select(u => u.Total).Distinct().Count() > 2900);
        Assert.Contains(r, u => u.Rank > 1 && r.Count(o => o.Group == u.Group && o.Rank == u.Rank) > 1);
        Assert.InRange(r.Count(u => u.Commended), fixture.Workload.GroupCount * 2, fixture.Workload.GroupCount * 2 + 40);
        Assert.InRange(r.Count(u => u.Criticized), fixture.Workload.GroupCount * 2, fixture.Workload.GroupCount * 2 + 40);
        Assert.Contains(r, u => u.Vetoed && u.Grade == "不合格");
        Assert.All(fixture.Workload.Twins, t => Assert.Equal(fixture.Reference[t.Twin].Total, fixture.Reference[t.Unit].Total));
    }

    [Fact]
    public void Compute_matches_the_reference_bit_for_bit()
    {
        var a = fixture.Workload.Assessment;
        var compiled = CompiledAssessment.CompileValidated(a);
        AssertIdentical(fixture.Reference, compiled.Compute(), a);
        // A second computation on the same compiled assessment gives the same again.
        AssertIdentical(fixture.Reference, compiled.Compute(), a);
    }

    [Fact]
    public void Every_unit_and_node_is_explained_with_the_score_of_the_result()
    {
        var a = fixture.Workload.Assessment;
        var result = CompiledAssessment.CompileValidated(a).Compute();
        foreach (var u in result.Units.Where((_, i) => i % 97 == 0))
        {
            foreach (var (node, score) in u.Scores) Same(score, result.Explain(u.Id, node).Score, $"explain {u.Id}.{node}");
            var total = result.Explain(u.Id);
            Same(u.Total, total.Score, $"explain {u.Id} total");
        }
    }

    [Fact]
    public void Incremental_recomputation_matches_the_reference_of_the_changed_data_and_leaves_earlier_results_alone()
    {
        var a = fixture.Workload.Assessment;
        var compiled = CompiledAssessment.CompileValidated(a);
        var before = compiled.Compute();
        // Change a best/worst efficacy value (moves the group's bounds), a rank value and a relative value (moves the mean).
        var leaves = new List<Indicator>();
        void Walk(Indicator x) { if (x.IsLeaf) leaves.Add(x); else foreach (var c in x.ChildList) Walk(c); }
        foreach (var r in a.Indicators) Walk(r);
        var rank = leaves.First(l => l.Method is RankMethod).Id;
        var relative = leaves.First(l => l.Method is RelativeMethod).Id;
        var changes = new (string Unit, string Leaf, double Value)[]
        {
            (NationalWorkload.UnitId(1500), fixture.Workload.EfficacyLeafId, 140),
            (NationalWorkload.UnitId(17), rank, 99),
            (NationalWorkload.UnitId(2999), relative, 0.5),
        };
        AssessmentResult? after = null;
        foreach (var (unit, leaf, value) in changes)
        {
            compiled.SetValue(unit, leaf, value);
            after = compiled.RecomputeGroupOf(unit);
        }
        var changed = a with
        {
            Values = [.. a.Values.Select(v => changes.FirstOrDefault(c => c.Unit == v.Unit && c.Leaf == v.Indicator) is { Unit: not null } c ? v with { Value = c.Value } : v)],
        };
        var expected = ReferenceEngine.Compute(changed);
        Assert.NotEqual(fixture.Reference[changes[0].Unit].Total, expected[changes[0].Unit].Total);
        AssertIdentical(expected, after!, changed);
        // The result computed before the changes still holds the values of before.
        AssertIdentical(fixture.Reference, before, a);

        // Recomputing groups in place and then computing everything agrees as well.
        foreach (var u in after!.Units.GroupBy(x => x.Group).Select(g => g.First().Id)) compiled.RecomputeGroupInPlace(u);
        AssertIdentical(expected, compiled.Compute(), changed);
        AssertIdentical(expected, after, changed);
    }

    [Fact]
    public void A_large_ranking_group_is_scored_and_ranked_like_the_reference()
    {
        // Groups above 64 units take the sorted path for ranks and commendation (Counter in Leaves.cs).
        var a = fixture.Workload.Assessment;
        var keep = a.Units.Take(400).Select(u => u.Id).ToHashSet();
        var big = a with
        {
            Units = [.. a.Units.Take(400).Select((u, i) => i < 300 ? u with { Group = "大组" } : u)],
            Values = [.. a.Values.Where(v => keep.Contains(v.Unit))],
            Adjustments = [.. a.Adjustments.Where(x => keep.Contains(x.Unit))],
            Vetoes = [.. a.Vetoes.Where(x => keep.Contains(x.Unit))],
            Rules = a.Rules with { Commend = 5, Criticize = 7 },
        };
        Assert.Empty(Validator.Validate(big));
        var expected = ReferenceEngine.Compute(big);
        Assert.Contains(expected.Values, u => u.Group == "大组" && u.Vetoed);
        Assert.Contains(expected.Values, u => u.Group == "大组" && expected.Values.Count(o => o.Group == "大组" && o.Rank == u.Rank) > 1);
        AssertIdentical(expected, CompiledAssessment.CompileValidated(big).Compute(), big);
    }
}
