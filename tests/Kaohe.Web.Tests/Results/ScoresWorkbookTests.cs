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
}
