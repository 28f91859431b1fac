using System.Text.Json.Nodes;
using Kaohe.Scoring.FileFormat;

namespace Kaohe.Scoring.Tests.Validation;

/// <summary>
/// The efficacy method divides by satisfactory − unallowable, and either may be a unit's value. A
/// document found by <c>GeneratedDocumentFuzzTests</c> (seed 4PN0GmYEbLt1: satisfactory 1E-320,
/// unallowable "worst" = 0) scored to Infinity. Numbers other than 0 closer to 0 than 10^−15 are
/// refused where efficacy reads them (docs/scoring-notes.md), as a target already was.
/// </summary>
public class TinyNumberTests
{
    private const string Found = """
    {"kaohe":1,"period":"2023-Q1","units":[{"id":"u0"},{"id":"u1"},{"id":"u2"}],
     "indicators":[{"id":"I0_0","name":"I0_0","points":25,"method":{"kind":"efficacy","satisfactory":1E-320,"unallowable":"worst"}}],
     "values":[{"unit":"u0","indicator":"I0_0","value":0.0625},{"unit":"u1","indicator":"I0_0","value":0},{"unit":"u2","indicator":"I0_0","value":5.354E-67}]}
    """;

    [Fact]
    public void The_fuzz_found_document_is_refused_at_the_tiny_bound_and_the_tiny_value()
    {
        var read = V1File.Read(Found);
        Assert.False(read.IsValid);
        Assert.Contains(read.Errors, e => e.Path == "$.indicators[0].method.satisfactory" && e.En.Contains("too close to 0"));
        Assert.Contains(read.Errors, e => e.Path == "$.values[2].value" && e.Zh.Contains("过于接近 0"));
        Assert.Equal(2, read.Errors.Count);
    }

    [Fact]
    public void A_tiny_value_between_normal_bounds_cannot_make_an_infinite_score_and_zero_is_fine()
    {
        var doc = JsonNode.Parse(Found)!;
        doc["indicators"]![0]!["method"]!["satisfactory"] = 0;
        doc["values"]![2]!["value"] = -5e-324;
        Assert.Contains(V1File.Read(doc.ToJsonString()).Errors, e => e.Path == "$.values[2].value");
        doc["values"]![2]!["value"] = 0;
        doc["indicators"]![0]!["method"]!["satisfactory"] = 1e-15;
        var read = V1File.Read(doc.ToJsonString());
        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        Assert.All(Engine.Score(read.Assessment!).Result!.Units, u => Assert.True(double.IsFinite(u.Total)));
    }

    [Fact]
    public void A_formula_giving_a_tiny_efficacy_value_is_refused_at_the_formula()
    {
        var units = new[] { new Unit("a", "甲"), new Unit("b", "乙") };
        var a = new Assessment("p", units, [Indicator.FormulaLeaf("F", "f", 10, "x / 1000000000000000 / 1000000000000000", new EfficacyMethod(Bound.Of(1), Bound.Worst))],
            [], [], [], Kaohe.Scoring.Rules.Default)
        {
            Version = 2, Measures = [new("x")], Data = [new("a", "x", 1), new("b", "x", 0)],
        };
        var e = Assert.Single(Validator.Validate(a));
        Assert.Equal("$.indicators[0].formula", e.Path);
        Assert.Contains("unit \"a\"", e.En);
    }
}
