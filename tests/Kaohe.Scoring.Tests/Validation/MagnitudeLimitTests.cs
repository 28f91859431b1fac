using System.Text.Json.Nodes;
using Kaohe.Scoring.FileFormat;

namespace Kaohe.Scoring.Tests.Validation;

/// <summary>
/// The engine's documented limit (docs/scoring-notes.md): numbers beyond ±10^15 are refused, by
/// JSON path, so that no formula can overflow; 10^15 itself is accepted.
/// </summary>
public class MagnitudeLimitTests
{
    private static IReadOnlyList<ValidationError> Errors(Action<JsonObject> change)
    {
        var doc = ValidDocument.Create();
        change(doc);
        return V1File.Read(doc.ToJsonString()).Errors;
    }

    [Theory]
    [InlineData("value")]
    [InlineData("weight")]
    [InlineData("adjustment")]
    [InlineData("points")]
    [InlineData("finding")]
    [InlineData("method target")]
    public void A_number_beyond_ten_to_the_fifteen_is_refused_at_its_path(string where)
    {
        var (path, change) = Case(where, 1.0000001e15);
        var errors = Errors(change);
        var e = Assert.Single(errors, x => x.Path == path);
        Assert.False(string.IsNullOrWhiteSpace(e.Zh));
        Assert.False(string.IsNullOrWhiteSpace(e.En));
    }

    [Theory]
    [InlineData("value")]
    [InlineData("weight")]
    [InlineData("adjustment")]
    [InlineData("finding")]
    public void Ten_to_the_fifteen_itself_is_accepted(string where)
    {
        var (_, change) = Case(where, 1e15);
        Assert.Empty(Errors(change));
    }

    [Fact]
    public void A_target_too_close_to_zero_is_refused()
    {
        var errors = Errors(d => d["values"]![3]!["target"] = 1e-16);
        Assert.Single(errors, e => e.Path == "$.values[3].target");
    }

    private static (string Path, Action<JsonObject> Change) Case(string where, double v) => where switch
    {
        "value" => ("$.values[0].value", d => d["values"]![0]!["value"] = v),
        "weight" => ("$.indicators[1].method.raters[0].weight", d => d["indicators"]![1]!["method"]!["raters"]![0]!["weight"] = v),
        "adjustment" => ("$.adjustments[0].points", d => d["adjustments"]![0]!["points"] = v),
        "points" => ("$.indicators[2].points", d => d["indicators"]![2]!["points"] = v),
        "finding" => ("$.values[11].findings[0].points", d => d["values"]![11]!["findings"]![0]!["points"] = v),
        "method target" => ("$.indicators[0].children[1].method.target", d => d["indicators"]![0]!["children"]![1]!["method"]!["target"] = v),
        _ => throw new ArgumentException(where),
    };
}
