using Kaohe.Scoring;
using Kaohe.Web.Features.Results;
using MiniExcelLibs;

namespace Kaohe.Web.Tests.Results;

public class ScoresWorkbookTests
{
    private static CategoryResult Category()
    {
        Indicator[] tree =
        [
            Indicator.Leaf("zx", "专项指标", 70, new DirectMethod()),
            Indicator.Leaf("ld", "厅领导班子总体评价", 30, RatersMethod.Leadership5050),
        ];
        var units = new[] { new Unit("bgs", "办公室", "综合处室"), new Unit("rsc", "=HYPERLINK(\"http://x\",\"点我\")", "综合处室") };
        var values = new List<DataValue>();
        foreach (var (id, zx, r) in new[] { ("bgs", 65.0, 90.0), ("rsc", 60.0, 80.0) })
        {
            values.Add(new(id, "zx", zx));
            values.Add(new(id, "ld", r, Rater: "principal"));
            values.Add(new(id, "ld", r, Rater: "in-charge"));
        }
        var input = new Assessment("2023-Q1", units, tree, values, [], [], new Rules(Commend: 1, Criticize: 1));
        return new CategoryResult("机关处室", input, Engine.Score(input).Result!.Units);
    }

    [Fact]
    public void The_workbook_has_a_summary_and_a_sheet_per_category_with_every_indicator()
    {
        var bytes = ScoresWorkbook.Generate("2023-Q1", [Category()]);
        using var ms = new MemoryStream(bytes);
        Assert.Equal(["总表", "机关处室"], ms.GetSheetNames());
        var summary = ms.Query(useHeaderRow: true, sheetName: "总表").Cast<IDictionary<string, object>>().ToList();
        Assert.Equal(2, summary.Count);
        Assert.Equal("办公室", summary[0]["单位"]);
        Assert.Equal(92.0, Convert.ToDouble(summary[0]["总分"]), 6);     // 65 + 30 × 90 / 100
        Assert.Equal("是", summary[0]["通报表扬"]);
        var detail = ms.Query(useHeaderRow: true, sheetName: "机关处室").Cast<IDictionary<string, object>>().ToList();
        Assert.Contains(detail[0].Keys, k => k.Contains("ld 厅领导班子总体评价"));
    }

    [Fact]
    public void Cells_that_would_run_as_formulas_are_neutralised()
    {
        var bytes = ScoresWorkbook.Generate("2023-Q1", [Category()]);
        using var ms = new MemoryStream(bytes);
        var summary = ms.Query(useHeaderRow: true, sheetName: "总表").Cast<IDictionary<string, object>>().ToList();
        Assert.Equal("'=HYPERLINK(\"http://x\",\"点我\")", summary[1]["单位"]);
    }

    [Fact]
    public void A_version_2_category_shows_each_formula_leafs_derived_value_beside_its_score_and_the_base_figures_with_their_units()
    {
        Indicator[] tree =
        [
            Indicator.FormulaLeaf("A1", "投资任务完成率", 60, "inv / plan", new EfficacyMethod(Bound.Best, Bound.Worst), valueDecimals: 4),
            Indicator.FormulaLeaf("A2", "投资额度完成占比", 40, "inv / sum(inv)", new EfficacyMethod(Bound.Best, Bound.Worst)),
        ];
        var input = new Assessment("2023-Q1", [new Unit("a", "甲", "地市"), new Unit("b", "乙", "地市")], tree, [], [], [], new Rules())
        {
            Version = 2,
            Measures = [new Measure("inv", "季度完成投资", "万元"), new Measure("plan", "季度投资计划", "万元")],
            Data = [new("a", "inv", 61230.4), new("a", "plan", 47000), new("b", "inv", 30000), new("b", "plan", 40000)],
        };
        var bytes = ScoresWorkbook.Generate("2023-Q1", [new CategoryResult("地市住建局", input, Engine.Score(input).Result!.Units)]);
        using var ms = new MemoryStream(bytes);
        var a = ms.Query(useHeaderRow: true, sheetName: "地市住建局").Cast<IDictionary<string, object>>().Single(r => (string)r["单位"] == "甲");
        Assert.Equal(1.3028, Convert.ToDouble(a["A1 计算值（inv / plan）"]), 10);   // 61230.4 ÷ 47000, 4 decimals
        Assert.Equal(61230.4 / 91230.4, Convert.ToDouble(a["A2 计算值（inv / sum(inv)）"]), 10);
        Assert.Equal(61230.4, Convert.ToDouble(a["inv 季度完成投资（万元）"]));
        Assert.Equal(47000, Convert.ToDouble(a["plan 季度投资计划（万元）"]));
        var keys = a.Keys.ToList();
        Assert.Equal(keys.IndexOf("A1 投资任务完成率（60分）") + 1, keys.IndexOf("A1 计算值（inv / plan）"));
    }
}
