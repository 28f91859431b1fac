using System.Text.Json;
using System.Text.Json.Nodes;
using Kaohe.Scoring.FileFormat;
using Kaohe.Scoring.Tests.Support;
using CliProgram = Kaohe.Cli.Program;

using Kaohe.Scoring;
using Kaohe.Scoring.Tests.V2;

namespace Kaohe.Cli.Tests.V2;

/// <summary>ex4 (version 2: measures, data and formula leaves) read, scored, written and read back.</summary>
public class V2ExampleTests
{
    private static Assessment Read()
    {
        var read = KaoheFile.Read(V2Document.Text);
        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        return read.Assessment!;
    }

    [Fact]
    public void Ex4_is_read_as_version_2_with_its_measures_data_and_formulas()
    {
        var a = Read();
        Assert.Equal(2, a.Version);
        Assert.Equal(["inv", "plan", "inv_ly", "started", "due"], a.Measures.Select(m => m.Id));
        Assert.Equal("万元", a.Measures[0].Unit);
        Assert.Equal(25, a.Data.Count);
        var a1 = a.Indicators[0].ChildList[0];
        Assert.Equal("inv / plan", a1.Formula);
        Assert.Equal(4, a1.ValueDecimals);
        Assert.Null(a.Indicators[1].ChildList[0].Formula);
    }

    [Fact]
    public void Ex4_written_result_matches_its_expected_file()
    {
        var result = Build.Scored(Read());
        using var written = JsonDocument.Parse(KaoheFile.WriteResult(result));
        using var expected = JsonDocument.Parse(V2Document.ExpectedText);
        JsonAssert.Equal(expected.RootElement, written.RootElement, "$");
        Assert.Equal(2, written.RootElement.GetProperty("kaohe").GetInt32());
    }

    [Fact]
    public void Kaohe_score_of_ex4_prints_its_expected_file_and_exits_0()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = CliProgram.Run(["score", V2Document.PathOf(V2Document.Name)], new StringReader(""), stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        Assert.Equal("", stderr.ToString());
        using var actual = JsonDocument.Parse(stdout.ToString());
        using var expected = JsonDocument.Parse(V2Document.ExpectedText);
        JsonAssert.Equal(expected.RootElement, actual.RootElement, "$");
    }

    [Fact]
    public void The_values_are_what_the_formulas_give_by_hand()
    {
        // From the examples' README: for 甲, A1 = 5200 / 4000, A2 = 5200 / (5200 + 3100),
        // A3 = (5200 − 2600) / (11250 − 7350), A4 = min(9 / 10, 1).
        var a = Build.Scored(Read())["a"].Values;
        Assert.Equal(1.3, a["A1"]);
        Assert.Equal(5200.0 / (5200 + 3100), a["A2"]);
        Assert.Equal((5200.0 - 2600) / (11250.0 - 7350), a["A3"]);
        Assert.Equal(0.9, a["A4"]);
        Assert.Equal(4, a.Count);
        // valueDecimals 4 rounds 乙's 3100 / 3000 = 1.03333… to 1.0333 before it is scored.
        Assert.Equal(1.0333, Build.Scored(Read())["b"].Values["A1"]);
    }

    [Fact]
    public void Ex4_written_back_is_canonical_and_reads_to_the_same_results()
    {
        var first = Read();
        var text = KaoheFile.Write(first);
        var again = KaoheFile.Read(text);
        Assert.True(again.IsValid, string.Join("\n", again.Errors));
        Assert.Equal(text, KaoheFile.Write(again.Assessment!));
        Assert.Equal(KaoheFile.WriteResult(Build.Scored(first)), KaoheFile.WriteResult(Build.Scored(again.Assessment!)));
        // The members in the order of scoring-format.md.
        var names = JsonNode.Parse(text)!.AsObject().Select(p => p.Key).ToList();
        Assert.Equal(["kaohe", "period", "units", "measures", "data", "indicators", "values", "adjustments", "vetoes", "rules"], names);
        var a1 = JsonNode.Parse(text)!["indicators"]![0]!["children"]![0]!.AsObject().Select(p => p.Key).ToList();
        Assert.Equal(["id", "name", "points", "formula", "valueDecimals", "method"], a1);
    }

    [Fact]
    public void A_version_2_assessment_built_in_memory_scores_like_the_file()
    {
        Measure[] measures = [new("inv", "季度完成投资", "万元"), new("plan", "季度投资计划", "万元")];
        var units = new[] { new Unit("a", "甲", "地市"), new Unit("b", "乙", "地市") };
        var data = new List<MeasureValue> { new("a", "inv", 5200), new("a", "plan", 4000), new("b", "inv", 3100), new("b", "plan", 3000) };
        Indicator[] tree =
        [
            Indicator.FormulaLeaf("A1", "投资任务完成率", 20, "inv / plan", new EfficacyMethod(Bound.Best, Bound.Worst), valueDecimals: 4),
            Indicator.FormulaLeaf("A2", "投资占比", 10, "inv / sum(inv)", new RatioMethod(Target: 0.5, Cap: 1.2)),
        ];
        var a = new Assessment("2023-Q1", units, tree, [], [], [], Kaohe.Scoring.Rules.Default) { Version = 2, Measures = measures, Data = data };
        var r = Build.Scored(a);
        Assert.Equal(1.3, r["a"].Values["A1"]);
        Assert.Equal(1.0333, r["b"].Values["A1"]);
        Assert.Equal(3100.0 / 8300, r["b"].Values["A2"]);
        Assert.Equal(20, r["a"].Scores["A1"]);
        Assert.Equal(10 * Math.Clamp(3100.0 / 8300 / 0.5, 0, 1.2), r["b"].Scores["A2"]);
        // and the file the web application would publish reads back to the same results
        var read = KaoheFile.Read(KaoheFile.Write(a));
        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        Assert.Equal(KaoheFile.WriteResult(r), KaoheFile.WriteResult(Build.Scored(read.Assessment!)));
    }

    [Fact]
    public void The_version_1_reader_and_writer_stay_version_1()
    {
        var v1 = V1File.Read(V2Document.Text);
        Assert.False(v1.IsValid);
        Assert.Contains(v1.Errors, e => e.Path == "$.kaohe" && e.En.Contains("must be 1"));
        Assert.Throws<ArgumentException>(() => V1File.Write(Read()));
        Assert.Throws<ArgumentException>(() => V1File.WriteResult(Build.Scored(Read())));
    }

    [Fact]
    public void A_version_1_file_is_read_and_written_by_KaoheFile_exactly_as_by_V1File()
    {
        foreach (var name in ExampleFiles.Inputs())
        {
            var text = ExampleFiles.Text(name);
            var a = KaoheFile.Read(text);
            Assert.True(a.IsValid, string.Join("\n", a.Errors));
            Assert.Equal(1, a.Assessment!.Version);
            Assert.Equal(V1File.Write(V1File.Read(text).Assessment!), KaoheFile.Write(a.Assessment));
            Assert.Equal(V1File.WriteResult(Build.Scored(a.Assessment)), KaoheFile.WriteResult(Build.Scored(a.Assessment)));
            Assert.DoesNotContain("\"values\": {", KaoheFile.WriteResult(Build.Scored(a.Assessment)));
        }
    }

    [Fact]
    public void A_version_2_file_without_formulas_echoes_version_2_and_omits_values()
    {
        var doc = V2Document.Create();
        doc["indicators"] = JsonNode.Parse("""[{ "id": "B1", "name": "处室评分", "points": 40, "method": { "kind": "direct" } }]""");
        var read = KaoheFile.Read(doc.ToJsonString());
        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        var written = JsonNode.Parse(KaoheFile.WriteResult(Build.Scored(read.Assessment!)))!;
        Assert.Equal(2, written["kaohe"]!.GetValue<int>());
        Assert.Null(written["units"]![0]!["values"]);
    }

    [Fact]
    public void A_version_2_scheme_is_written_with_its_measures_and_read_back_checked_against_them()
    {
        var a = Read();
        var text = KaoheFile.WriteScheme(a.Period, a.Indicators, a.Rules, a.Measures);
        Assert.Equal(2, JsonNode.Parse(text)!["kaohe"]!.GetValue<int>());
        var scheme = KaoheFile.ReadScheme(text);
        Assert.True(scheme.IsValid, string.Join("\n", scheme.Errors));
        Assert.Equal(2, scheme.Version);
        Assert.Equal(a.Measures.Select(m => m.Id), scheme.Measures.Select(m => m.Id));
        Assert.Equal("inv / plan", scheme.Indicators![0].ChildList[0].Formula);
        Assert.Equal(text, KaoheFile.WriteScheme(a.Period, scheme.Indicators, scheme.Rules!, scheme.Measures));

        // a formula naming a measure the scheme does not define is refused with its position
        var broken = KaoheFile.ReadScheme(text.Replace("\"inv / plan\"", "\"inv / plann\""));
        Assert.Contains(broken.Errors, e => e.Path == $"{V2Document.A1}.formula" && e.En.Contains("\"plann\""));
        // and version 1 cannot hold it
        Assert.Throws<ArgumentException>(() => V1File.WriteScheme(a.Period, a.Indicators, a.Rules));
    }
}
