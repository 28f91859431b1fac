using System.Text.Json.Nodes;
using Kaohe.Scoring.FileFormat;
using Kaohe.Scoring.Tests.Support;

namespace Kaohe.Scoring.Tests.Validation;

/// <summary>
/// Every error of scoring-format.md's last section and of issue 2 item 3: reported with its exact
/// JSON path and a message in Chinese and in English; nothing is computed.
/// </summary>
public class ValidationTests
{
    private static IReadOnlyList<ValidationError> Errors(Action<JsonObject> breakIt)
    {
        var doc = ValidDocument.Create();
        breakIt(doc);
        var read = V1File.Read(doc.ToJsonString());
        Assert.Null(read.Assessment);
        Assert.NotEmpty(read.Errors);
        return read.Errors;
    }

    private static ValidationError Single(IReadOnlyList<ValidationError> errors, string path)
    {
        var at = errors.Where(e => e.Path == path).ToList();
        Assert.True(at.Count >= 1, $"no error at {path}; got:\n{string.Join("\n", errors)}");
        foreach (var e in at) Bilingual(e);
        return at[0];
    }

    private static void Bilingual(ValidationError e)
    {
        Assert.False(string.IsNullOrWhiteSpace(e.Zh), $"{e.Path}: no Chinese message");
        Assert.False(string.IsNullOrWhiteSpace(e.En), $"{e.Path}: no English message");
        Assert.Contains(e.Zh, c => c >= '\u4e00' && c <= '\u9fff');
        // The English message is English prose (ids quoted from the file may be Chinese).
        Assert.Matches("[a-z]{3,}", e.En);
    }

    [Fact]
    public void The_valid_document_is_valid_and_scores()
    {
        var read = V1File.Read(ValidDocument.Create().ToJsonString());
        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        Assert.Empty(read.Errors);
        var r = Build.Scored(read.Assessment!);
        Assert.Equal(2, r.Units.Count);
    }

    [Fact]
    public void A_missing_value_is_an_error_not_a_zero()
    {
        var errors = Errors(d => d["values"]!.AsArray().RemoveAt(1)); // rikaze A1
        var e = Single(errors, "$.values");
        Assert.Contains("rikaze", e.Zh);
        Assert.Contains("A1", e.En);
        Assert.Single(errors);
    }

    [Fact]
    public void A_missing_rater_rating_is_an_error()
    {
        var errors = Errors(d => d["values"]!.AsArray().RemoveAt(7)); // rikaze B in-charge
        var e = Single(errors, "$.values");
        Assert.Contains("in-charge", e.En);
    }

    [Fact]
    public void A_value_for_an_unknown_unit()
    {
        var e = Single(Errors(d => d["values"]![1]!["unit"] = "xigaze"), "$.values[1].unit");
        Assert.Contains("xigaze", e.Zh);
        Assert.Contains("xigaze", e.En);
    }

    [Fact]
    public void A_value_for_an_unknown_indicator()
    {
        var e = Single(Errors(d => d["values"]![2]!["indicator"] = "Z9"), "$.values[2].indicator");
        Assert.Contains("Z9", e.En);
    }

    [Fact]
    public void A_value_for_an_inner_node()
    {
        Single(Errors(d => d["values"]![2]!["indicator"] = "A"), "$.values[2].indicator");
    }

    [Fact]
    public void A_rater_not_listed()
    {
        var e = Single(Errors(d => d["values"]![5]!["rater"] = "deputy"), "$.values[5].rater");
        Assert.Contains("deputy", e.En);
    }

    [Fact]
    public void Rater_weights_that_do_not_sum_to_a_positive_number()
    {
        var errors = Errors(d =>
        {
            d["indicators"]![1]!["method"]!["raters"]![0]!["weight"] = 0;
            d["indicators"]![1]!["method"]!["raters"]![1]!["weight"] = 0;
        });
        Single(errors, "$.indicators[1].method.raters");
    }

    [Fact]
    public void A_negative_rater_weight()
    {
        Single(Errors(d => d["indicators"]![1]!["method"]!["raters"]![0]!["weight"] = -0.5), "$.indicators[1].method.raters[0].weight");
    }

    [Fact]
    public void Children_points_that_do_not_add_up_to_the_parent()
    {
        var e = Single(Errors(d => d["indicators"]![0]!["points"] = 45), "$.indicators[0].children");
        Assert.Contains("40", e.En);
        Assert.Contains("45", e.En);
    }

    [Fact]
    public void Geometric_children_need_not_add_up()
    {
        var doc = ValidDocument.Create();
        doc["indicators"]![0]!["combine"] = "geometric";
        doc["indicators"]![0]!["points"] = 45;
        doc["indicators"]![3]!["points"] = 15;
        Assert.True(V1File.Read(doc.ToJsonString()).IsValid);
    }

    [Fact]
    public void A_duplicate_unit_id()
    {
        var e = Single(Errors(d => d["units"]![1]!["id"] = "lasa"), "$.units[1].id");
        Assert.Contains("lasa", e.En);
    }

    [Fact]
    public void A_duplicate_indicator_id_anywhere_in_the_tree()
    {
        var e = Single(Errors(d => d["indicators"]![0]!["children"]![1]!["id"] = "B"), "$.indicators[1].id");
        Assert.Contains("\"B\"", e.En);
    }

    [Fact]
    public void A_duplicate_value()
    {
        Single(Errors(d => d["values"]!.AsArray().Add(JsonNode.Parse("""{ "unit": "lasa", "indicator": "A1", "value": 2 }"""))), "$.values[12]");
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e999")]
    public void A_number_too_large_for_a_double_is_not_finite(string raw)
    {
        var json = ValidDocument.Create().ToJsonString().Replace("\"value\":1.28", "\"value\":" + raw);
        var read = V1File.Read(json);
        Assert.Null(read.Assessment);
        Single(read.Errors, "$.values[0].value");
    }

    [Theory]
    [InlineData("\"NaN\"")]
    [InlineData("\"Infinity\"")]
    public void NaN_and_Infinity_as_strings_are_not_numbers(string raw)
    {
        var json = ValidDocument.Create().ToJsonString().Replace("\"value\":1.28", "\"value\":" + raw);
        Single(V1File.Read(json).Errors, "$.values[0].value");
    }

    [Fact]
    public void Non_finite_numbers_in_the_typed_model_are_reported_by_path()
    {
        var a = Build.Units("a", "b").Leaf("x", 10, new DirectMethod(), 5, 5).Done();
        a = a with { Values = [a.Values[0], a.Values[1] with { Value = double.NaN }], Adjustments = [new("a", double.PositiveInfinity)] };
        var errors = Validator.Validate(a);
        Single(errors, "$.values[1].value");
        Single(errors, "$.adjustments[0].points");
        Assert.False(Engine.Score(a).IsValid);
    }

    [Fact]
    public void Negative_points()
    {
        var e = Single(Errors(d => d["indicators"]![2]!["points"] = -10), "$.indicators[2].points");
        Assert.Contains("-10", e.En);
    }

    [Fact]
    public void An_unknown_method_kind()
    {
        var e = Single(Errors(d => d["indicators"]![0]!["children"]![0]!["method"] = JsonNode.Parse("""{ "kind": "magic" }""")),
            "$.indicators[0].children[0].method.kind");
        Assert.Contains("magic", e.En);
    }

    [Theory]
    [InlineData("indicators[0].children[0].method.satisfactory", "true", "$.indicators[0].children[0].method.satisfactory")]
    [InlineData("indicators[0].children[0].method.satisfactory", "\"best-ish\"", "$.indicators[0].children[0].method.satisfactory")]
    [InlineData("indicators[0].children[1].method.cap", "\"1.2\"", "$.indicators[0].children[1].method.cap")]
    [InlineData("indicators[3].method.perFinding", "[1]", "$.indicators[3].method.perFinding")]
    [InlineData("indicators[0].points", "\"40\"", "$.indicators[0].points")]
    [InlineData("values[0].value", "{}", "$.values[0].value")]
    [InlineData("values[10].findings", "\"two\"", "$.values[10].findings")]
    [InlineData("rules.commend", "1.5", "$.rules.commend")]
    [InlineData("rules.grades", "{}", "$.rules.grades")]
    public void A_parameter_of_the_wrong_type(string member, string raw, string path)
    {
        Single(Errors(d => Set(d, member, JsonNode.Parse(raw))), path);
    }

    [Fact]
    public void A_method_target_of_zero()
    {
        Single(Errors(d => d["indicators"]![0]!["children"]![1]!["method"]!["target"] = 0), "$.indicators[0].children[1].method.target");
    }

    [Fact]
    public void A_per_unit_target_of_zero()
    {
        Single(Errors(d => d["values"]![3]!["target"] = 0), "$.values[3].target");
    }

    [Fact]
    public void A_ratio_without_any_target()
    {
        var errors = Errors(d => d["indicators"]![0]!["children"]![1]!["method"]!.AsObject().Remove("target"));
        Single(errors, "$.values[2].target"); // lasa has no per-unit target; rikaze has one
        Assert.DoesNotContain(errors, e => e.Path == "$.values[3].target");
    }

    [Fact]
    public void A_direct_score_outside_zero_to_points()
    {
        var a = Build.Units("a", "b").Leaf("x", 10, new DirectMethod(), 11, -1).Done();
        var errors = Validator.Validate(a);
        Single(errors, "$.values[0].value");
        Single(errors, "$.values[1].value");
    }

    [Fact]
    public void A_survey_option_that_is_not_defined()
    {
        Single(Errors(d => d["values"]![9]!["counts"]!["很满意"] = 3), "$.values[9].counts.很满意");
    }

    [Fact]
    public void An_adjustment_or_veto_for_an_unknown_unit()
    {
        var errors = Errors(d =>
        {
            d["adjustments"]![0]!["unit"] = "nagqu";
            d["vetoes"]!.AsArray().Add(JsonNode.Parse("""{ "unit": "shannan", "reason": "x" }"""));
        });
        Single(errors, "$.adjustments[0].unit");
        Single(errors, "$.vetoes[0].unit");
    }

    [Fact]
    public void An_unknown_member_is_reported_so_that_a_misspelt_parameter_cannot_change_a_score()
    {
        Single(Errors(d => d["indicators"]![0]!["children"]![1]!["method"]!["capp"] = 1.5), "$.indicators[0].children[1].method.capp");
    }

    [Fact]
    public void A_wrong_or_missing_version()
    {
        Single(Errors(d => d["kaohe"] = 2), "$.kaohe");
        Single(Errors(d => d.Remove("kaohe")), "$.kaohe");
    }

    [Fact]
    public void Text_that_is_not_JSON_is_one_error_at_the_root()
    {
        var read = V1File.Read("{ \"kaohe\": 1, ");
        Assert.Null(read.Assessment);
        Single(read.Errors, "$");
    }

    [Fact]
    public void A_file_with_several_problems_reports_all_of_them()
    {
        var errors = Errors(d =>
        {
            d["units"]![1]!["id"] = "lasa";                                        // duplicate unit
            d["indicators"]![0]!["points"] = 45;                                   // children do not add up
            d["indicators"]![2]!["points"] = -10;                                  // negative points
            d["indicators"]![0]!["children"]![1]!["method"]!["target"] = 0;        // target 0
            d["values"]![2]!["indicator"] = "Z9";                                  // unknown indicator
            d["values"]![5]!["rater"] = "deputy";                                  // rater not listed
            d["values"]![10]!["unit"] = "xigaze";                                  // unknown unit
            d["indicators"]![3]!["method"]!["kind"] = "magic";                     // unknown kind
        });
        foreach (var path in new[]
                 {
                     "$.units[1].id", "$.indicators[0].children", "$.indicators[2].points", "$.indicators[0].children[1].method.target",
                     "$.values[2].indicator", "$.values[5].rater", "$.values[10].unit", "$.indicators[3].method.kind",
                 })
            Single(errors, path);
        Assert.All(errors, Bilingual);
    }

    [Fact]
    public void The_engine_computes_nothing_for_an_invalid_typed_assessment()
    {
        var a = Build.Units("a", "a").Leaf("x", 10, new DirectMethod(), 5, 5).Done();
        var outcome = Engine.Score(a);
        Assert.Null(outcome.Result);
        Single(outcome.Errors, "$.units[1].id");
        Assert.Throws<InvalidAssessmentException>(() => Engine.Compile(a));
    }

    [Fact]
    public void A_scheme_without_units_or_values_validates_on_its_own()
    {
        var doc = ValidDocument.Create();
        doc.Remove("units");
        doc.Remove("values");
        var ok = V1File.ReadScheme(doc.ToJsonString());
        Assert.True(ok.IsValid, string.Join("\n", ok.Errors));
        doc["indicators"]![0]!["points"] = 45;
        var bad = V1File.ReadScheme(doc.ToJsonString());
        Assert.False(bad.IsValid);
        Single(bad.Errors, "$.indicators[0].children");
    }

    /// <summary>Sets a member given as a dotted path with [i] indices, relative to the root.</summary>
    private static void Set(JsonObject root, string member, JsonNode? value)
    {
        JsonNode node = root;
        var parts = member.Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var name = part;
            int? index = null;
            if (part.EndsWith(']'))
            {
                var open = part.IndexOf('[');
                name = part[..open];
                index = int.Parse(part[(open + 1)..^1]);
            }
            var last = i == parts.Length - 1;
            if (last && index is null) { node[name] = value; return; }
            node = node[name]!;
            if (index is { } ix)
            {
                if (last) { node[ix] = value; return; }
                node = node[ix]!;
            }
        }
    }
}
