using System.Text.Json.Nodes;
using Kaohe.Scoring.Tests.Support;

namespace Kaohe.Scoring.Tests.V2;

/// <summary>
/// The shared version 2 example (ex4), to be scored or broken one member at a time. Indices:
/// units a, b (地市) and c, d, e (县); measures inv, plan, inv_ly, started, due; data[5 × unit + measure];
/// indicators[0] A with A1 <c>inv / plan</c> (valueDecimals 4), A2 <c>inv / groupSum(inv)</c>,
/// A3 <c>(inv - inv_ly) / (sum(inv) - sum(inv_ly))</c>, A4 <c>min(started / due, 1)</c> (ratio, target 1);
/// indicators[1] B with B1 direct; values[0..4] B1.
/// </summary>
internal static class V2Document
{
    public const string Name = "ex4-v2-measures-and-formulas.json";

    public static string PathOf(string name) => Path.Combine(ExampleFiles.Directory, "v2", name);

    public static string Text => File.ReadAllText(PathOf(Name));

    public static string ExpectedText => File.ReadAllText(PathOf(Name.Replace(".json", ".expected.json")));

    public static JsonObject Create() => (JsonObject)JsonNode.Parse(Text)!;

    public const string A1 = "$.indicators[0].children[0]";
    public const string A2 = "$.indicators[0].children[1]";
    public const string B1 = "$.indicators[1].children[0]";

    public static JsonObject Leaf(JsonObject doc, int root, int child) => doc["indicators"]![root]!["children"]![child]!.AsObject();

    /// <summary>The data entry of a unit (0 = a … 4 = e) and measure (0 = inv … 4 = due).</summary>
    public static JsonObject Datum(JsonObject doc, int unit, int measure) => doc["data"]![5 * unit + measure]!.AsObject();
}
