using System.Text.Json.Nodes;
using Kaohe.Scoring.FileFormat;
using Kaohe.Scoring.Tests.Support;
using CliProgram = Kaohe.Cli.Program;

using Kaohe.Scoring;
using Kaohe.Scoring.Tests.V2;

namespace Kaohe.Cli.Tests.V2;

/// <summary>A published version 2 result recomputes from the raw figures; explanations show the figures in the formula.</summary>
public class V2SnapshotAndExplainTests
{
    private static (Assessment Input, string Snapshot) Publish()
    {
        var input = KaoheFile.Read(V2Document.Text).Assessment!;
        var meta = new SnapshotMeta("2023-Q1-housing", 1, "2023年第一季度住建局考核结果", "office", new DateTimeOffset(2023, 4, 20, 2, 0, 0, TimeSpan.Zero));
        return (input, SnapshotFile.Create(input, Build.Scored(input), meta));
    }

    private static (int Code, string Stdout, string Stderr) Cli(string stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = CliProgram.Run(args, new StringReader(stdin), stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void A_published_version_2_snapshot_holds_the_raw_figures_and_verifies()
    {
        var (input, snapshot) = Publish();
        var node = JsonNode.Parse(snapshot)!;
        Assert.Equal(2, node["input"]!["kaohe"]!.GetValue<int>());
        Assert.Equal(25, node["input"]!["data"]!.AsArray().Count);
        Assert.Equal(2, node["result"]!["kaohe"]!.GetValue<int>());
        Assert.Equal(SnapshotFile.Sha256(KaoheFile.Write(input)), node["inputSha256"]!.GetValue<string>());
        var check = SnapshotFile.Verify(snapshot);
        Assert.True(check.Ok, string.Join("\n", check.Problems));

        var (code, stdout, _) = Cli(snapshot, "verify", "-");
        Assert.Equal(0, code);
        Assert.Contains("核验通过", stdout);
    }

    [Fact]
    public void A_tampered_figure_in_the_data_of_a_version_2_snapshot_fails_verify()
    {
        var node = JsonNode.Parse(Publish().Snapshot)!;
        node["input"]!["data"]![0]!["value"] = 5300; // 甲's completed investment
        var check = SnapshotFile.Verify(node.ToJsonString());
        Assert.False(check.Ok);
        Assert.Contains(check.Problems, p => p.Path == "$.inputSha256");
        Assert.Contains(check.Problems, p => p.Path == "$.result"); // the figures no longer give the published result

        var (code, stdout, stderr) = Cli(node.ToJsonString(), "verify", "-");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("$.inputSha256", stderr);
    }

    [Fact]
    public void Explain_shows_a_formula_leaf_with_its_figures_put_in()
    {
        var r = Build.Scored(KaoheFile.Read(V2Document.Text).Assessment!);
        var e = r.Explain("a", "A1");
        var f = e.Formula!;
        Assert.Equal("inv / plan", f.Formula);
        Assert.Equal("5200 ÷ 4000", f.Substituted);
        Assert.Equal(1.3, f.Value);
        Assert.Equal(4, f.ValueDecimals);
        Assert.Contains("1.3 = 5200 ÷ 4000", f.TextZh);
        Assert.Contains(e.Inputs, i => i.Key == "measure.inv" && i.Value == 5200 && i.LabelZh == "季度完成投资（万元）");
        Assert.Contains(e.Inputs, i => i.Key == "measure.plan" && i.Value == 4000);
        Assert.StartsWith("功效系数法", e.FormulaZh); // and how the value was scored
        Assert.Null(r.Explain("a", "B1").Formula);
    }

    [Fact]
    public void Explain_gives_the_total_and_the_number_of_units_of_sum_and_groupSum()
    {
        var r = Build.Scored(KaoheFile.Read(V2Document.Text).Assessment!);
        var a3 = r.Explain("c", "A3").Formula!;
        Assert.Equal("(900 − 500) ÷ (11250 − 7350)", a3.Substituted);
        Assert.Equal([("sum(inv)", 11250.0, 5), ("sum(inv_ly)", 7350.0, 5)], a3.Aggregates.Select(x => (x.Text, x.Value, x.Units)));
        Assert.Contains("sum(inv) = 11250，全区 5 个单位合计", a3.TextZh);
        Assert.Contains("sum(inv) = 11250, the total of all 5 units", a3.TextEn);

        var a2 = r.Explain("c", "A2").Formula!;
        var g = Assert.Single(a2.Aggregates);
        Assert.Equal(("groupSum(inv)", true, 900.0 + 1400 + 650, 3), (g.Text, g.PerGroup, g.Value, g.Units));
        Assert.Contains("groupSum(inv) = 2950，本组 3 个单位合计", a2.TextZh);
    }

    [Fact]
    public void Kaohe_explain_prints_the_formula_line_with_the_figures()
    {
        var (code, stdout, stderr) = Cli(V2Document.Text, "explain", "-", "--unit", "a", "--indicator", "A1");
        Assert.True(code == 0, stderr);
        Assert.Contains("公式 inv / plan：1.3 = 5200 ÷ 4000，保留 4 位小数", stdout);
        var en = Cli(V2Document.Text, "explain", "-", "--unit", "d", "--indicator", "A2", "--lang", "en").Stdout;
        Assert.Contains("formula inv / groupSum(inv): 0.4746 = 1400 ÷ 2950; groupSum(inv) = 2950, the total of the 3 units of the group", en);
    }

    [Fact]
    public void A_formula_leaf_cannot_be_set_by_hand()
    {
        var compiled = Engine.Compile(KaoheFile.Read(V2Document.Text).Assessment!);
        Assert.Throws<InvalidOperationException>(() => compiled.SetValue("a", "A1", 2));
        compiled.SetValue("a", "B1", 30);
        Assert.Equal(30, compiled.RecomputeGroupOf("a")["a"].Scores["B1"]);
        Assert.Equal(1.3, compiled.RecomputeGroupOf("a")["a"].Values["A1"]);
    }
}
