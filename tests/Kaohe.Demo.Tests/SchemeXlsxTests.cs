using System.IO.Compression;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Kaohe.Demo;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;
using Kaohe.Web.Features.Demo;
using Kaohe.Web.Features.Schemes;
using MiniExcelLibs;

namespace Kaohe.Demo.Tests;

public class SchemeXlsxTests
{
    public static TheoryData<string> Codes => new() { "housing", "urban", "affiliated", "divisions" };

    private static SchemeXlsxResult Import(byte[] bytes) => SchemeXlsx.Import(new MemoryStream(bytes));

    [Theory, MemberData(nameof(Codes))]
    public void Exporting_and_importing_a_demo_scheme_gives_the_same_tree_rules_and_rule_texts(string code)
    {
        var scheme = DemoSchemes.Get(code);
        var bytes = SchemeXlsx.Export(scheme.Q1.Indicators, scheme.Q1.Rules, scheme.RuleTexts, scheme.Q1.Measures);

        var back = Import(bytes);

        Assert.Empty(back.Errors);
        Schemes.AssertSameTree(scheme.Q1.Indicators, back.Indicators!);
        Schemes.AssertSameRules(scheme.Q1.Rules, back.Rules!);
        Assert.Equal(scheme.RuleTexts.OrderBy(kv => kv.Key), back.RuleTexts.OrderBy(kv => kv.Key));
        Assert.Equal(scheme.Q1.Measures, back.Measures);
        Assert.Equal(KaoheFile.WriteScheme("2023-Q1", scheme.Q1.Indicators, scheme.Q1.Rules, scheme.Q1.Measures), back.Document("2023-Q1"));
    }

    /// <summary>The housing scheme derives A1–A5 from base figures: the 数据项 sheet and the 公式 and 计算值小数位 columns carry them.</summary>
    [Fact]
    public void The_housing_workbook_lists_its_measures_and_formulas()
    {
        var scheme = DemoSchemes.Get("housing");
        using var ms = new MemoryStream(SchemeXlsx.Export(scheme.Q1.Indicators, scheme.Q1.Rules, scheme.RuleTexts, scheme.Q1.Measures));
        var measures = ms.Query(useHeaderRow: true, sheetName: "数据项").Cast<IDictionary<string, object>>().ToList();
        Assert.Equal(["inv", "plan", "inv_ly", "started", "due"], measures.Select(r => (string)r["编码"]));
        Assert.Equal("万元", measures[0]["计量单位"]);
        ms.Position = 0;
        var a2 = ms.Query(useHeaderRow: true, sheetName: "指标").Cast<IDictionary<string, object>>().Single(r => (string)r["编码"] == "A2");
        Assert.Equal("inv / sum(inv)", a2["公式"]);
        Assert.Equal(4.0, Convert.ToDouble(a2["计算值小数位"], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A formula that does not parse, or names a measure the 数据项 sheet lacks, is named by sheet, row, column and character; nothing is imported.</summary>
    [Fact]
    public void A_bad_formula_names_its_row_column_and_character_and_nothing_is_imported()
    {
        var scheme = DemoSchemes.Get("housing");
        var bytes = SchemeXlsx.Export(scheme.Q1.Indicators, scheme.Q1.Rules, scheme.RuleTexts, scheme.Q1.Measures);
        using var read = new MemoryStream(bytes);
        var sheets = read.GetSheetNames().ToDictionary(n => n, n =>
        {
            read.Position = 0;
            return read.Query(useHeaderRow: true, sheetName: n).Cast<IDictionary<string, object?>>().Select(r => new Dictionary<string, object?>(r)).ToList();
        });
        var indicators = sheets["指标"];
        indicators.Single(r => (string?)r["编码"] == "A1")["公式"] = "inv / (plan";
        indicators.Single(r => (string?)r["编码"] == "A3")["公式"] = "inv / invly - 1";
        indicators.Single(r => (string?)r["编码"] == "B1")["计算值小数位"] = 2;
        using var edited = new MemoryStream();
        edited.SaveAs(sheets.ToDictionary(kv => kv.Key, kv => (object)kv.Value));

        var result = Import(edited.ToArray());

        Assert.Null(result.Indicators);
        Assert.Empty(result.Measures);
        var rowOf = indicators.Select((r, i) => ((string?)r["编码"], i + 2)).ToDictionary(x => x.Item1!, x => x.Item2);
        var a1 = Assert.Single(result.Errors, e => e.Zh.StartsWith($"指标!第{rowOf["A1"]}行 公式", StringComparison.Ordinal));
        Assert.Contains("第 12 个字符", a1.Zh);     // "inv / (plan" ends after its 11th character without its ")"
        Assert.Contains("character 12", a1.En);
        Assert.Equal($"指标!AA{rowOf["A1"]}", a1.Path);
        var a3 = Assert.Single(result.Errors, e => e.Zh.StartsWith($"指标!第{rowOf["A3"]}行 公式", StringComparison.Ordinal));
        Assert.Contains("invly", a3.Zh);
        Assert.Contains("第 7 个字符", a3.Zh);
    }

    [Fact]
    public void Every_method_parameter_survives_the_round_trip()
    {
        var (tree, rules, texts) = Schemes.EveryParameter();
        Assert.Empty(Validator.ValidateScheme(tree, rules).Select(e => e.Path + " " + e.En));

        var back = Import(SchemeXlsx.Export(tree, rules, texts));

        Assert.Empty(back.Errors);
        Schemes.AssertSameTree(tree, back.Indicators!);
        Schemes.AssertSameRules(rules, back.Rules!);
        Assert.Equal(texts.OrderBy(kv => kv.Key), back.RuleTexts.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void Rules_without_caps_and_grades_survive_the_round_trip()
    {
        var (tree, _, _) = Schemes.EveryParameter();
        var rules = new Rules(RankDecimals: 3);

        var back = Import(SchemeXlsx.Export(tree, rules));

        Assert.Empty(back.Errors);
        Schemes.AssertSameRules(rules, back.Rules!);
        Assert.Empty(back.RuleTexts);
    }

    [Fact]
    public void The_workbook_has_the_four_sheets_and_neutralises_formula_like_text()
    {
        var (tree, rules, texts) = Schemes.EveryParameter();
        using var ms = new MemoryStream(SchemeXlsx.Export(tree, rules, texts));

        Assert.Equal(["指标", "规则", "等次", "数据项", "说明"], ms.GetSheetNames());
        var rows = ms.Query(useHeaderRow: true, sheetName: "指标").Cast<IDictionary<string, object>>().ToList();
        Assert.Equal("'=HYPERLINK(\"http://x\")", rows.Single(r => (string)r["编码"] == "G").First(kv => kv.Key == "名称").Value);
        Assert.Equal("'-1 扣分", rows.Single(r => (string)r["编码"] == "G1")["评分细则"]);
        ms.Position = 0;
        var help = ms.Query(useHeaderRow: true, sheetName: "说明").Cast<IDictionary<string, object>>().ToList();
        Assert.Contains(help, r => (string)r["列"] == "满意值");
    }

    [Fact]
    public void A_workbook_with_three_bad_rows_names_exactly_those_rows_and_returns_no_indicators()
    {
        var rows = new List<Dictionary<string, object?>>
        {
            Row("A", null, "投资", 40, kind: null),                       // 2
            Row("A1", "A", "投资任务完成率", "abc", "efficacy", s: "best", u: "worst"), // 3: points not a number
            Row("A2", "A", "投资增速", 20, "efficacy", s: "best", u: "worst"),  // 4
            Row("B", null, "营商环境", 60, kind: null),                  // 5
            Row("B1", "B", "线上审批", 30, "magic"),                     // 6: unknown method
            Row("B2", "ZZ", "评价", 30, "direct"),                      // 7: parent does not exist
            Row("B3", "B", "完成率", 30, "ratio", target: 1),           // 8
        };
        var bytes = Workbook(rows);

        var result = Import(bytes);

        Assert.Null(result.Indicators);
        Assert.Null(result.Rules);
        Assert.Equal([3, 6, 7], result.Errors.Select(e => RowOf(e.Path)).Distinct().Order());
        Assert.Equal(3, result.Errors.Count);
        var points = Assert.Single(result.Errors, e => e.Path == "指标!D3");
        Assert.Equal("指标!第3行 分值: \"abc\" 不是数字", points.Zh);
        Assert.Equal("sheet 指标 row 3 column 分值: \"abc\" is not a number", points.En);
        Assert.Contains(result.Errors, e => e.Path == "指标!F6" && e.Zh.Contains("magic"));
        Assert.Contains(result.Errors, e => e.Path == "指标!B7" && e.Zh.Contains("ZZ"));
    }

    [Fact]
    public void Row_numbers_count_blank_rows_as_Excel_shows_them()
    {
        var rows = new List<Dictionary<string, object?>>
        {
            Row("A", null, "投资", 10, "direct"), // 2
            Row(null, null, null, null, null),   // 3 blank
            Row("B", null, "安全", -5, "direct"), // 4 negative points: the engine's check, located by row
        };

        var result = Import(Workbook(rows));

        var e = Assert.Single(result.Errors);
        Assert.Equal("指标!D4", e.Path);
        Assert.StartsWith("指标!第4行 分值: ", e.Zh);
        Assert.StartsWith("sheet 指标 row 4 column 分值: ", e.En);
    }

    [Fact]
    public void Points_of_children_that_do_not_add_up_are_reported_at_the_parents_row()
    {
        var rows = new List<Dictionary<string, object?>>
        {
            Row("A", null, "投资", 40, kind: null),
            Row("A1", "A", "完成率", 30, "direct"),
            Row("A2", "A", "增速", 20, "direct"),
        };

        var result = Import(Workbook(rows));

        var e = Assert.Single(result.Errors);
        Assert.Equal("指标!D2", e.Path);
        Assert.Contains("50", e.Zh);
    }

    [Fact]
    public void Parameters_that_do_not_belong_to_the_method_and_malformed_lists_are_named()
    {
        var rows = new List<Dictionary<string, object?>>
        {
            Row("A", null, "领导评价", 10, "raters", target: 1), // 目标值 does not apply to raters; 评价方 missing
            Row("B", null, "满意度", 10, "survey"),
        };
        rows[1]["选项"] = "满意:100; 基本满意 75";
        rows[1]["合成方式"] = "avg";

        var result = Import(Workbook(rows));

        Assert.Contains(result.Errors, e => e.Path == "指标!N2" && e.En.Contains("does not apply"));
        Assert.Contains(result.Errors, e => e.Path == "指标!X2");
        Assert.Contains(result.Errors, e => e.Path == "指标!Y3" && e.Zh.Contains("基本满意 75"));
        Assert.Contains(result.Errors, e => e.Path == "指标!E3" && e.Zh == "指标!第3行 合成方式: \"avg\" 不是 sum 或 geometric");
        Assert.Equal(4, result.Errors.Count);
        Assert.Null(result.Indicators);
    }

    [Fact]
    public void Chinese_method_names_and_defaults_are_accepted()
    {
        var rows = new List<Dictionary<string, object?>>
        {
            Row("A", null, "投资", 10, "功效系数法", s: "best", u: 0.5),
            Row("B", null, "满意度", 10, "满意度"),
        };

        var result = Import(Workbook(rows));

        Assert.Empty(result.Errors);
        Assert.Equal(new EfficacyMethod(Bound.Best, Bound.Of(0.5)), result.Indicators![0].Method);
        Assert.Equal(SurveyMethod.DefaultOptions, ((SurveyMethod)result.Indicators[1].Method!).Options);
        Assert.Equal(new Rules(), result.Rules! with { Grades = null });
    }

    [Fact]
    public void A_text_file_is_refused_as_not_xlsx()
    {
        var result = Import("编码,名称,分值\nA,投资,40\n"u8.ToArray());

        var e = Assert.Single(result.Errors);
        Assert.Equal("file", e.Path);
        Assert.Contains(".xlsx", e.Zh);
        Assert.Null(result.Indicators);
    }

    [Fact]
    public void An_old_xls_file_is_refused_with_advice_to_save_as_xlsx()
    {
        var result = Import([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0]);

        Assert.Contains("另存为 .xlsx", Assert.Single(result.Errors).Zh);
    }

    [Fact]
    public void A_zip_that_is_not_a_workbook_is_refused()
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        using (var w = new StreamWriter(zip.CreateEntry("readme.txt").Open()))
            w.Write("not a workbook");

        var result = Import(ms.ToArray());

        Assert.Equal("file", Assert.Single(result.Errors).Path);
    }

    [Fact]
    public void A_file_over_ten_megabytes_is_refused()
    {
        var result = SchemeXlsx.Import(new MemoryStream(new byte[SchemeXlsx.MaxBytes + 1]));

        Assert.Contains("10 MB", Assert.Single(result.Errors).Zh);
    }

    [Fact]
    public void A_small_file_that_unpacks_to_more_than_a_hundred_megabytes_is_refused()
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        using (var entry = zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.SmallestSize).Open())
        {
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 101; i++) entry.Write(zeros);
        }
        Assert.True(ms.Length < SchemeXlsx.MaxBytes);

        var result = Import(ms.ToArray());

        Assert.Contains("解压后超过 100 MB", Assert.Single(result.Errors).Zh);
    }

    [Fact]
    public void A_formula_cell_is_refused_with_its_sheet_and_cell()
    {
        var scheme = DemoSchemes.Get("housing");
        var bytes = SchemeXlsx.Export(scheme.Q1.Indicators, scheme.Q1.Rules, scheme.RuleTexts);
        using var ms = new MemoryStream();
        ms.Write(bytes);
        using (var doc = SpreadsheetDocument.Open(ms, true))
        {
            var wb = doc.WorkbookPart!;
            var sheet = wb.Workbook.Sheets!.Elements<Sheet>().Single(s => s.Name == "指标");
            var part = (WorksheetPart)wb.GetPartById(sheet.Id!);
            var cell = part.Worksheet.Descendants<Cell>().Single(c => c.CellReference == "D3");
            cell.CellFormula = new CellFormula("5+5");
            part.Worksheet.Save();
        }

        var result = Import(ms.ToArray());

        var e = Assert.Single(result.Errors);
        Assert.Equal("指标!D3", e.Path);
        Assert.Contains("公式", e.Zh);
        Assert.Null(result.Indicators);
    }

    [Fact]
    public void A_workbook_without_the_indicator_sheet_or_a_required_column_is_refused()
    {
        using var noSheet = new MemoryStream();
        noSheet.SaveAs(new Dictionary<string, object> { ["Sheet1"] = new[] { new Dictionary<string, object?> { ["x"] = 1 } } });
        Assert.Contains(Import(noSheet.ToArray()).Errors, e => e.Path == "指标");

        var rows = new List<Dictionary<string, object?>> { Row("A", null, "投资", 10, "direct") };
        rows[0].Remove("分值");
        Assert.Contains(Import(Workbook(rows)).Errors, e => e.Path == "指标!1:1" && e.Zh.Contains("分值"));
    }

    private static int RowOf(string path) => int.Parse(new string([.. path[(path.IndexOf('!') + 1)..].SkipWhile(char.IsLetter).TakeWhile(char.IsDigit)]));

    private static Dictionary<string, object?> Row(string? id, string? parent, string? name, object? points, string? kind,
        object? s = null, object? u = null, object? target = null) => new()
        {
            ["编码"] = id, ["上级编码"] = parent, ["名称"] = name, ["分值"] = points, ["合成方式"] = null, ["计分方法"] = kind,
            ["满意值"] = s, ["不允许值"] = u, ["方向"] = null, ["基础分"] = null, ["跨度"] = null, ["截断"] = null, ["比率小数位"] = null,
            ["目标值"] = target, ["上限倍数"] = null, ["达标值"] = null, ["低于每单位扣分"] = null, ["高于每单位加分"] = null, ["最高加分"] = null,
            ["每名次扣减百分比"] = null, ["每项扣分"] = null, ["最高扣分"] = null, ["档次"] = null, ["评价方"] = null, ["选项"] = null, ["评分细则"] = null,
        };

    /// <summary>A workbook as an office would fill it in, written with MiniExcel (no grades, default rules).</summary>
    private static byte[] Workbook(List<Dictionary<string, object?>> indicatorRows)
    {
        using var ms = new MemoryStream();
        ms.SaveAs(new Dictionary<string, object>
        {
            ["指标"] = indicatorRows,
            ["规则"] = new[] { new Dictionary<string, object?> { ["键"] = "rankDecimals", ["值"] = 2 } },
        });
        return ms.ToArray();
    }
}

public class SchemeXlsxDamagedFileTests
{
    [Fact]
    public void A_truncated_or_damaged_workbook_is_refused_with_errors_or_read_intact_never_with_an_exception()
    {
        var scheme = DemoSchemes.Get("divisions");
        var bytes = SchemeXlsx.Export(scheme.Q1.Indicators, scheme.Q1.Rules, scheme.RuleTexts);
        var damaged = new List<byte[]>();
        foreach (var fraction in new[] { 0.1, 0.5, 0.9, 0.99 })
            damaged.Add(bytes[..(int)(bytes.Length * fraction)]);
        for (var at = 200; at < bytes.Length; at += bytes.Length / 23)
        {
            var copy = (byte[])bytes.Clone();
            for (var i = at; i < Math.Min(copy.Length, at + 64); i++) copy[i] ^= 0x5A;
            damaged.Add(copy);
        }

        foreach (var d in damaged)
        {
            var result = SchemeXlsx.Import(new MemoryStream(d));
            // Damage to a part the import does not depend on may go unnoticed; the scheme read must then be intact.
            if (result.Indicators is null) Assert.NotEmpty(result.Errors);
            else Schemes.AssertSameTree(scheme.Q1.Indicators, result.Indicators);
        }
    }
}

public class SchemeXlsxEngineErrorTests
{
    [Fact]
    public void An_engine_error_in_a_method_parameter_is_named_by_its_cell()
    {
        // efficacy "higher is better" with a satisfactory value below the unallowable one: a cell-valid row the engine refuses.
        var tree = new[] { Indicator.Leaf("A", "投资", 100, new EfficacyMethod(Bound.Of(0.2), Bound.Of(0.9))) };
        var bytes = SchemeXlsx.Export(tree, new Rules());
        Assert.NotEmpty(Validator.ValidateScheme(tree, new Rules()));

        var result = SchemeXlsx.Import(new MemoryStream(bytes));

        Assert.Null(result.Indicators);
        Assert.All(result.Errors, e => Assert.Matches(@"^指标!(G|H)2$", e.Path));
        Assert.All(result.Errors, e => Assert.StartsWith("指标!第2行 ", e.Zh));
    }

    [Fact]
    public void An_engine_error_in_the_grades_is_named_by_its_row_of_the_grades_sheet()
    {
        var tree = new[] { Indicator.Leaf("A", "投资", 100, new DirectMethod()) };
        var rules = new Rules(Grades: [new Grade("优秀", 90), new Grade("良好", 95), new Grade("不合格", null)]);
        var engineErrors = Validator.ValidateScheme(tree, rules);

        var result = SchemeXlsx.Import(new MemoryStream(SchemeXlsx.Export(tree, rules)));

        Assert.Equal(engineErrors.Count, result.Errors.Count);
        Assert.NotEmpty(result.Errors);
        Assert.All(result.Errors, e => Assert.StartsWith("等次!", e.Path));
    }
}
