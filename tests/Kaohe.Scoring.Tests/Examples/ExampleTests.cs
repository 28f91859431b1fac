using System.Text.Json;
using Kaohe.Scoring.FileFormat;
using Kaohe.Scoring.Tests.Support;

namespace Kaohe.Scoring.Tests.Examples;

/// <summary>Every worked example of shared/examples scores exactly as its .expected.json says (1e-6).</summary>
public class ExampleTests
{
    public static TheoryData<string> Inputs => ExampleFiles.InputData();

    [Fact]
    public void All_three_shared_examples_are_present()
    {
        Assert.Equal(3, ExampleFiles.Inputs().Count());
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Example_scores_match_the_expected_results_field_by_field(string name)
    {
        var read = V1File.Read(ExampleFiles.Text(name));
        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        var result = Build.Scored(read.Assessment!);

        using var expected = JsonDocument.Parse(ExampleFiles.Text(name.Replace(".json", ".expected.json")));
        var root = expected.RootElement;
        Assert.Equal(root.GetProperty("period").GetString(), result.Period);
        var units = root.GetProperty("units").EnumerateArray().ToList();
        Assert.Equal(units.Count, result.Units.Count);
        foreach (var e in units)
        {
            var id = e.GetProperty("id").GetString()!;
            var u = result[id];
            Approx.Equal(e.GetProperty("total").GetDouble(), u.Total);
            Assert.Equal(e.GetProperty("rank").GetInt32(), u.Rank);
            Assert.Equal(e.GetProperty("grade").ValueKind == JsonValueKind.Null ? null : e.GetProperty("grade").GetString(), u.Grade);
            Assert.Equal(e.GetProperty("vetoed").GetBoolean(), u.Vetoed);
            Assert.Equal(e.GetProperty("commended").GetBoolean(), u.Commended);
            Assert.Equal(e.GetProperty("criticized").GetBoolean(), u.Criticized);
            Approx.Equal(e.GetProperty("adjustment").GetDouble(), u.Adjustment);
            if (e.TryGetProperty("group", out var g)) Assert.Equal(g.GetString(), u.Group);
            var scores = e.GetProperty("scores").EnumerateObject().ToList();
            Assert.Equal(scores.Count, u.Scores.Count);
            foreach (var s in scores)
            {
                Assert.True(u.Scores.ContainsKey(s.Name), $"{id}: no score for node {s.Name}");
                Approx.Equal(s.Value.GetDouble(), u.Scores[s.Name]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void The_written_result_of_an_example_matches_its_expected_file(string name)
    {
        var result = Build.Scored(V1File.Read(ExampleFiles.Text(name)).Assessment!);
        using var written = JsonDocument.Parse(V1File.WriteResult(result));
        using var expected = JsonDocument.Parse(ExampleFiles.Text(name.Replace(".json", ".expected.json")));
        JsonAssert.Equal(expected.RootElement, written.RootElement, "$");
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void An_example_written_back_reads_to_the_same_scores(string name)
    {
        var first = V1File.Read(ExampleFiles.Text(name)).Assessment!;
        var again = V1File.Read(V1File.Write(first));
        Assert.True(again.IsValid, string.Join("\n", again.Errors));
        var a = Build.Scored(first);
        var b = Build.Scored(again.Assessment!);
        foreach (var u in a.Units)
            foreach (var (node, score) in u.Scores)
                Assert.Equal(score, b[u.Id].Scores[node]);
    }
}
