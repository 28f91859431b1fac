using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CliProgram = Kaohe.Cli.Program;
using Kaohe.Scoring.Tests.Support;

using Kaohe.Scoring;
using Kaohe.Scoring.Tests.Validation;

namespace Kaohe.Cli.Tests.Cli;

/// <summary>
/// <c>kaohe score | validate | explain</c>: run in-process through <see cref="CliProgram.Run"/> with
/// captured streams, and a few times as a real process (<c>dotnet kaohe.dll</c>) for exit codes.
/// </summary>
public class CliTests
{
    private sealed record Run(int Exit, string Out, string Err);

    private static Run KaoheWithStdin(string stdin, params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var exit = CliProgram.Run(args, new StringReader(stdin), o, e);
        return new Run(exit, o.ToString(), e.ToString());
    }

    private static Run Kaohe(params string[] args) => KaoheWithStdin("", args);

    private static string Invalid()
    {
        var d = ValidDocument.Create();
        d["values"]![1]!["unit"] = "xigaze";
        d["indicators"]![2]!["points"] = -10;
        return d.ToJsonString();
    }

    private static string TempFile(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"kaohe-test-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, text);
        return path;
    }

    public static TheoryData<string> Examples => ExampleFiles.InputData();

    [Theory]
    [MemberData(nameof(Examples))]
    public void Score_prints_the_expected_result_json_and_exits_0(string name)
    {
        var r = Kaohe("score", ExampleFiles.PathOf(name));
        Assert.Equal(0, r.Exit);
        Assert.Equal("", r.Err);
        using var actual = JsonDocument.Parse(r.Out);
        using var expected = JsonDocument.Parse(ExampleFiles.Text(name.Replace(".json", ".expected.json")));
        JsonAssert.Equal(expected.RootElement, actual.RootElement, "$");
    }

    [Fact]
    public void Score_reads_stdin_when_the_file_is_a_dash()
    {
        var text = ExampleFiles.Text("ex3-affiliated-units.json");
        var fromStdin = KaoheWithStdin(text, "score", "-");
        var fromFile = Kaohe("score", ExampleFiles.PathOf("ex3-affiliated-units.json"));
        Assert.Equal(0, fromStdin.Exit);
        Assert.Equal(fromFile.Out, fromStdin.Out);
    }

    [Fact]
    public void Score_of_an_invalid_file_prints_every_error_on_stderr_exits_2_and_prints_nothing_on_stdout()
    {
        var r = KaoheWithStdin(Invalid(), "score", "-");
        Assert.Equal(2, r.Exit);
        Assert.Equal("", r.Out);
        Assert.Contains("$.values[1].unit", r.Err);
        Assert.Contains("单位 \"xigaze\" 不存在", r.Err);
        Assert.Contains("unit \"xigaze\" is not defined", r.Err);
        Assert.Contains("$.indicators[2].points", r.Err);
    }

    [Fact]
    public void Lang_en_prints_the_errors_in_english_only()
    {
        var r = KaoheWithStdin(Invalid(), "validate", "-", "--lang", "en");
        Assert.Equal(2, r.Exit);
        Assert.Contains("$.values[1].unit: unit \"xigaze\" is not defined", r.Err);
        Assert.DoesNotContain("不存在", r.Err);
    }

    [Fact]
    public void Validate_reports_a_valid_file_and_exits_0()
    {
        var r = Kaohe("validate", ExampleFiles.PathOf("ex3-affiliated-units.json"));
        Assert.Equal(0, r.Exit);
        Assert.Contains("3 个单位", r.Out);
        Assert.Equal("", r.Err);
    }

    [Fact]
    public void Validate_prints_only_the_errors_for_an_invalid_file()
    {
        var r = KaoheWithStdin(Invalid(), "validate", "-");
        Assert.Equal(2, r.Exit);
        Assert.Equal("", r.Out);
        Assert.Contains("$.values[1].unit", r.Err);
        Assert.Contains("2", r.Err);
    }

    [Fact]
    public void Explain_breaks_a_units_total_down_in_chinese()
    {
        var r = Kaohe("explain", ExampleFiles.PathOf("ex3-affiliated-units.json"), "--unit", "jky");
        Assert.Equal(0, r.Exit);
        Assert.Contains("建筑科学研究院", r.Out);
        foreach (var id in new[] { "zx", "gx", "gx1", "gx2", "ld" }) Assert.Contains(id, r.Out);
        Assert.Contains("27 / 30 分", r.Out); // 30 × (92 + 88) / 2 / 100
        Assert.Contains("46 / 50 分", r.Out);
    }

    [Fact]
    public void Explain_with_an_indicator_shows_that_indicator_only()
    {
        var r = Kaohe("explain", ExampleFiles.PathOf("ex3-affiliated-units.json"), "--unit", "jky", "--indicator", "gx1");
        Assert.Equal(0, r.Exit);
        Assert.Contains("gx1", r.Out);
        Assert.Contains("7 / 8 分", r.Out); // one finding at 1 point
        Assert.DoesNotContain("ld ", r.Out);
    }

    [Fact]
    public void Explain_names_the_best_and_worst_holders_for_efficacy()
    {
        var r = KaoheWithStdin(ValidDocument.Create().ToJsonString(), "explain", "-", "--unit", "rikaze", "--indicator", "A1");
        Assert.Equal(0, r.Exit);
        Assert.Contains("lasa", r.Out);
    }

    [Fact]
    public void Explain_of_an_unknown_unit_or_indicator_exits_2()
    {
        var file = ExampleFiles.PathOf("ex3-affiliated-units.json");
        var unit = Kaohe("explain", file, "--unit", "xigaze");
        Assert.Equal(2, unit.Exit);
        Assert.Contains("xigaze", unit.Err);
        Assert.Equal("", unit.Out);
        var ind = Kaohe("explain", file, "--unit", "jky", "--indicator", "Z9");
        Assert.Equal(2, ind.Exit);
        Assert.Contains("Z9", ind.Err);
    }

    [Fact]
    public void Format_table_prints_an_aligned_ranking()
    {
        var r = Kaohe("score", ExampleFiles.PathOf("ex3-affiliated-units.json"), "--format", "table");
        Assert.Equal(0, r.Exit);
        var result = Build.Scored(global::Kaohe.Scoring.FileFormat.V1File.Read(ExampleFiles.Text("ex3-affiliated-units.json")).Assessment!);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var u in result.Units)
        {
            var line = Assert.Single(lines, l => l.Contains($"({u.Id})"));
            Assert.Contains(u.RoundedTotal.ToString("F2", System.Globalization.CultureInfo.InvariantCulture), line);
            Assert.StartsWith(u.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture), line.TrimStart());
        }
        // ranks in order, one row per unit
        var rows = lines.Where(l => result.Units.Any(u => l.Contains($"({u.Id})"))).ToList();
        Assert.Equal(result.Units.OrderBy(u => u.Rank).Select(u => u.Id), rows.Select(l => result.Units.First(u => l.Contains($"({u.Id})")).Id));
        // aligned: the total column ends at the same display column on every row
        var ends = rows.Select(l => DisplayWidth(l[..(l.IndexOf('.', l.IndexOf(')')) + 3)])).Distinct().ToList();
        Assert.Single(ends);
    }

    [Fact]
    public void Usage_errors_exit_1()
    {
        Assert.Equal(1, Kaohe("frobnicate").Exit);
        Assert.Equal(1, Kaohe("score").Exit);
        Assert.Equal(1, Kaohe("score", "/nonexistent/kaohe.json").Exit);
        Assert.Equal(1, Kaohe("score", ExampleFiles.PathOf("ex1-efficacy-below-unallowable.json"), "--format", "xml").Exit);
    }

    [Fact]
    public void An_assessment_whose_numbers_overflow_is_rejected_with_exit_2_not_a_crash()
    {
        const string json = """
        {"kaohe":1,"period":"p","units":[{"id":"a"}],
         "indicators":[{"id":"ld","name":"x","points":30,"method":{"kind":"raters","raters":[{"id":"p","weight":1e308},{"id":"q","weight":0.5}]}}],
         "values":[{"unit":"a","indicator":"ld","rater":"p","value":92},{"unit":"a","indicator":"ld","rater":"q","value":88}]}
        """;
        Run r;
        try { r = KaoheWithStdin(json, "score", "-"); }
        catch (Exception ex) { Assert.Fail($"kaohe score crashed: {ex.GetType().Name}: {ex.Message}"); return; }
        // Either a finite result (exit 0) or a validation error (exit 2); never a crash.
        Assert.True(r.Exit is 0 or 2, $"exit {r.Exit}");
        if (r.Exit == 2) Assert.Equal("", r.Out);
    }

    // --- as a real process ---------------------------------------------------------------

    private static Run Process(string? stdin, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "kaohe.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8, StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var outTask = p.StandardOutput.ReadToEndAsync();
        var errTask = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            using var w = new StreamWriter(p.StandardInput.BaseStream, new UTF8Encoding(false));
            w.Write(stdin);
        }
        else p.StandardInput.Close();
        Assert.True(p.WaitForExit(60_000), "kaohe did not finish within 60 s");
        return new Run(p.ExitCode, outTask.Result, errTask.Result);
    }

    [Fact]
    public void As_a_process_score_reproduces_every_example_and_rejects_an_invalid_file_with_exit_2()
    {
        foreach (var name in ExampleFiles.Inputs())
        {
            var r = Process(null, "score", ExampleFiles.PathOf(name));
            Assert.True(r.Exit == 0, $"{name}: exit {r.Exit}\n{r.Err}");
            using var actual = JsonDocument.Parse(r.Out);
            using var expected = JsonDocument.Parse(ExampleFiles.Text(name.Replace(".json", ".expected.json")));
            JsonAssert.Equal(expected.RootElement, actual.RootElement, "$");
        }
        var path = TempFile(Invalid());
        try
        {
            var bad = Process(null, "score", path);
            Assert.Equal(2, bad.Exit);
            Assert.Equal("", bad.Out);
            Assert.Contains("$.values[1].unit", bad.Err);
            Assert.Contains("xigaze", bad.Err);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void As_a_process_score_reads_chinese_json_from_stdin()
    {
        var r = Process(ValidDocument.Create().ToJsonString(), "score", "-");
        Assert.True(r.Exit == 0, r.Err);
        var node = JsonNode.Parse(r.Out)!;
        Assert.Equal("地市住建局", node["units"]![0]!["group"]!.GetValue<string>());
    }

    private static int DisplayWidth(string s) => s.Sum(c => c >= '\u1100' && (c <= '\u115f' || (c >= '\u2e80' && c <= '\ua4cf') || (c >= '\uac00' && c <= '\ud7a3') || (c >= '\uf900' && c <= '\ufaff') || (c >= '\uff00' && c <= '\uff60') || (c >= '\uffe0' && c <= '\uffe6')) ? 2 : 1);
}
