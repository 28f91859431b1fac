using System.Text.Json.Nodes;
using Kaohe.Scoring.FileFormat;
using CliProgram = Kaohe.Cli.Program;

using Kaohe.Scoring;
using Kaohe.Scoring.Tests.V2;

namespace Kaohe.Cli.Tests.V2;

/// <summary>
/// Every error of scoring-format.md's version 2 section (and the engine's own v2 choices in
/// docs/scoring-notes.md): ex4 broken in one place, read by <see cref="KaoheFile"/> and scored by
/// <c>kaohe score -</c>. Each must give exit 2, nothing on stdout, and the error at its JSON path
/// with its message in Chinese and in English.
/// </summary>
public class V2ValidationTests
{
    public sealed record Case(string Name, Action<JsonObject> Break, string Path, string Zh, string En)
    {
        public override string ToString() => Name;
    }

    private static readonly JsonNode Raters = JsonNode.Parse("""{ "kind": "raters", "raters": [ { "id": "p", "weight": 1 } ] }""")!;

    private static readonly string Power21 = string.Join(" * ", Enumerable.Repeat("inv", 21));

    public static TheoryData<Case> Cases => new()
    {
        // The spec's list, in its order.
        new("a formula that does not parse, with the position",
            d => V2Document.Leaf(d, 0, 0)["formula"] = "inv / / plan", $"{V2Document.A1}.formula", "第 7 个字符", "character 7"),
        new("an unknown measure",
            d => V2Document.Leaf(d, 0, 0)["formula"] = "inv / plann", $"{V2Document.A1}.formula", "数据项 \"plann\" 不存在", "measure \"plann\" is not defined"),
        new("an unknown function",
            d => V2Document.Leaf(d, 0, 0)["formula"] = "pow(inv, 2) / plan", $"{V2Document.A1}.formula", "未知函数 \"pow\"", "unknown function \"pow\""),
        new("the wrong number of arguments",
            d => V2Document.Leaf(d, 0, 0)["formula"] = "min(inv / plan)", $"{V2Document.A1}.formula", "min 需要 2 个参数，实际为 1 个", "min takes 2 arguments, not 1"),
        new("an aggregate inside an aggregate",
            d => V2Document.Leaf(d, 0, 1)["formula"] = "inv / sum(groupSum(inv))", $"{V2Document.A2}.formula", "groupSum 不能出现在 sum 的参数中", "groupSum may not appear inside the argument of sum"),
        new("a formula on a leaf whose method does not score a single value",
            d => { V2Document.Leaf(d, 1, 0)["formula"] = "inv"; V2Document.Leaf(d, 1, 0)["method"] = Raters.DeepClone(); d.Remove("values"); d["values"] = new JsonArray(); },
            $"{V2Document.B1}.formula", "不能是 raters", "not raters"),
        new("values given for a formula leaf",
            d => d["values"]!.AsArray().Add(JsonNode.Parse("""{ "unit": "a", "indicator": "A1", "value": 1.3 }""")), "$.values[5].indicator",
            "由公式计算，values 中不能有它的数据", "is computed by its formula: values must hold no entry for it"),
        new("valueDecimals without a formula",
            d => V2Document.Leaf(d, 1, 0)["valueDecimals"] = 2, $"{V2Document.B1}.valueDecimals", "只能用于公式指标", "for formula leaves only"),
        new("valueDecimals not a whole number",
            d => V2Document.Leaf(d, 0, 0)["valueDecimals"] = 1.5, $"{V2Document.A1}.valueDecimals", "须为整数", "must be a whole number"),
        new("valueDecimals above 10",
            d => V2Document.Leaf(d, 0, 0)["valueDecimals"] = 11, $"{V2Document.A1}.valueDecimals", "0–10", "from 0 to 10"),
        new("valueDecimals below 0",
            d => V2Document.Leaf(d, 0, 0)["valueDecimals"] = -1, $"{V2Document.A1}.valueDecimals", "0–10", "from 0 to 10"),
        new("data for an unknown unit",
            d => V2Document.Datum(d, 0, 0)["unit"] = "xigaze", "$.data[0].unit", "单位 \"xigaze\" 不存在", "unit \"xigaze\" is not defined"),
        new("data for an unknown measure",
            d => d["data"]!.AsArray().Add(JsonNode.Parse("""{ "unit": "a", "measure": "invest", "value": 1 }""")), "$.data[25].measure",
            "数据项 \"invest\" 不存在", "measure \"invest\" is not defined"),
        new("duplicate data",
            d => d["data"]!.AsArray().Add(V2Document.Datum(d, 2, 1).DeepClone()), "$.data[25]",
            "单位 \"c\" 的数据项 \"plan\" 重复", "duplicate data for unit \"c\", measure \"plan\""),
        new("a measure a formula needs missing for a unit",
            d => d["data"]!.AsArray().RemoveAt(5 * 3 + 4), "$.data", "单位 \"d\" 没有数据项 \"due\" 的值", "unit \"d\" has no value for measure \"due\""),
        new("a division by zero for a unit",
            d => V2Document.Datum(d, 4, 1)["value"] = 0, $"{V2Document.A1}.formula", "单位 \"e\" 的公式 inv / plan 除数为 0", "division by zero for unit \"e\""),
        new("a non-finite result for a unit",
            d => { V2Document.Datum(d, 0, 0)["value"] = 1e15; V2Document.Leaf(d, 0, 0)["formula"] = Power21; },
            $"{V2Document.A1}.formula", "单位 \"a\" 的公式", "gives no finite number for unit \"a\""),
        // The engine's own choices (docs/scoring-notes.md).
        new("a ratio formula leaf without the method's target",
            d => V2Document.Leaf(d, 0, 3)["method"] = JsonNode.Parse("""{ "kind": "ratio" }"""), "$.indicators[0].children[3].method.target",
            "须在方法中设定 target", "needs the method's target"),
        new("a formula result beyond 10^15",
            d => V2Document.Leaf(d, 0, 0)["formula"] = "inv * 1000000000000", $"{V2Document.A1}.formula", "超出允许范围", "out of range"),
        new("a direct score from a formula outside [0, points]",
            d => { V2Document.Leaf(d, 1, 0)["formula"] = "inv"; d["values"] = new JsonArray(); }, $"{V2Document.B1}.formula",
            "作为直接打分超出 [0, 40]", "a direct score outside [0, 40]"),
        new("a measure id that is not a name",
            d => d["measures"]![0]!["id"] = "完成投资", "$.measures[0].id", "须由字母、数字和下划线组成", "must match [A-Za-z_][A-Za-z0-9_]*"),
        new("a duplicate measure id",
            d => d["measures"]!.AsArray().Add(JsonNode.Parse("""{ "id": "inv", "name": "x", "unit": "万元" }""")), "$.measures[5].id",
            "数据项 id \"inv\" 重复", "duplicate measure id \"inv\""),
        new("a formula on an inner node",
            d => d["indicators"]![0]!["formula"] = "inv", "$.indicators[0].formula", "有下级指标，不能有公式", "has children and cannot have a formula"),
        new("a figure that is not a number",
            d => V2Document.Datum(d, 1, 0)["value"] = "3100", "$.data[5].value", "须为数字", "must be a number"),
        new("a figure beyond 10^15",
            d => V2Document.Datum(d, 1, 0)["value"] = 2e15, "$.data[5].value", "超出允许范围", "out of range"),
        new("a formula that is not a string",
            d => V2Document.Leaf(d, 0, 0)["formula"] = 5, $"{V2Document.A1}.formula", "须为字符串", "must be a string"),
        new("an unknown member of a measure",
            d => d["measures"]![0]!["units"] = "万元", "$.measures[0].units", "未知字段", "unknown member"),
        new("the version 2 members in a version 1 file",
            d => d["kaohe"] = 1, "$.measures", "未知字段 \"measures\"", "unknown member \"measures\""),
        new("an unsupported version",
            d => d["kaohe"] = 3, "$.kaohe", "应为 1 或 2", "must be 1 or 2"),
    };

    private static IReadOnlyList<ValidationError> Errors(Case c)
    {
        var doc = V2Document.Create();
        c.Break(doc);
        var read = KaoheFile.Read(doc.ToJsonString());
        Assert.Null(read.Assessment);
        Assert.NotEmpty(read.Errors);
        return read.Errors;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_reader_reports_the_error_at_its_path_in_chinese_and_english(Case c)
    {
        var errors = Errors(c);
        var at = errors.Where(e => e.Path == c.Path).ToList();
        Assert.True(at.Count > 0, $"no error at {c.Path}; got:\n{string.Join("\n", errors)}");
        Assert.Contains(at, e => e.Zh.Contains(c.Zh) && e.En.Contains(c.En));
        foreach (var e in errors)
        {
            Assert.Contains(e.Zh, ch => ch >= '\u4e00' && ch <= '\u9fff');
            Assert.Matches("[a-z]{3,}", e.En);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Kaohe_score_exits_2_prints_nothing_and_names_the_path(Case c)
    {
        var doc = V2Document.Create();
        c.Break(doc);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = CliProgram.Run(["score", "-"], new StringReader(doc.ToJsonString()), stdout, stderr);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout.ToString());
        var line = stderr.ToString().Split('\n').FirstOrDefault(l => l.StartsWith(c.Path + ": ", StringComparison.Ordinal) && l.Contains(c.Zh) && l.Contains(c.En));
        Assert.True(line is not null, $"no line for {c.Path} with both messages in:\n{stderr}");
    }

    [Fact]
    public void A_division_by_zero_names_only_the_units_it_happens_for()
    {
        var doc = V2Document.Create();
        V2Document.Datum(doc, 4, 1)["value"] = 0; // e's plan
        var errors = KaoheFile.Read(doc.ToJsonString()).Errors;
        var e = Assert.Single(errors);
        Assert.Equal($"{V2Document.A1}.formula", e.Path);
        Assert.Contains("\"e\"", e.En);
    }

    [Fact]
    public void A_bad_term_inside_an_aggregate_is_blamed_on_its_unit_not_on_every_unit()
    {
        var doc = V2Document.Create();
        V2Document.Leaf(doc, 0, 1)["formula"] = "inv / groupSum(inv / plan)";
        V2Document.Datum(doc, 2, 1)["value"] = 0; // c's plan: c's term of the 县 group's sum divides by zero
        V2Document.Leaf(doc, 0, 0)["formula"] = "inv"; // A1 would divide by c's plan too
        var errors = KaoheFile.Read(doc.ToJsonString()).Errors;
        var e = Assert.Single(errors);
        Assert.Equal($"{V2Document.A2}.formula", e.Path);
        Assert.Contains("unit \"c\"", e.En);
    }

    [Fact]
    public void Every_unit_missing_a_needed_measure_is_named_and_an_unused_measure_may_be_incomplete()
    {
        var doc = V2Document.Create();
        doc["measures"]!.AsArray().Add(JsonNode.Parse("""{ "id": "spare", "name": "备用", "unit": "个" }"""));
        doc["data"]!.AsArray().Add(JsonNode.Parse("""{ "unit": "a", "measure": "spare", "value": 1 }"""));
        Assert.True(KaoheFile.Read(doc.ToJsonString()).IsValid);

        foreach (var unit in new[] { 4, 1 }) doc["data"]!.AsArray().RemoveAt(5 * unit + 1); // e's and b's plan
        var errors = KaoheFile.Read(doc.ToJsonString()).Errors;
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal("$.data", e.Path));
        Assert.Contains(errors, e => e.En == "missing data: unit \"b\" has no value for measure \"plan\"");
        Assert.Contains(errors, e => e.En == "missing data: unit \"e\" has no value for measure \"plan\"");
    }

    [Fact]
    public void A_model_built_version_1_assessment_with_measures_or_formulas_is_refused()
    {
        var v2 = KaoheFile.Read(V2Document.Text).Assessment!;
        var errors = Validator.Validate(v2 with { Version = 1 });
        Assert.Contains(errors, e => e.Path == "$.measures");
        Assert.Contains(errors, e => e.Path == $"{V2Document.A1}.formula" && e.En.Contains("need version 2"));
    }
}
