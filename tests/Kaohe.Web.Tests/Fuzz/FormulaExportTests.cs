using Kaohe.Scoring.FileFormat;
using Kaohe.Data;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Features.Surveys;
using MiniExcelLibs;

namespace Kaohe.Web.Tests.Fuzz;

/// <summary>
/// Formula injection in the exports not covered elsewhere (the scores workbook and the rectification
/// ledger have their own tests): text typed by a user that starts with = + - @ tab or CR leaves as text.
/// </summary>
public class FormulaExportTests
{
    public static TheoryData<string> Payloads() => ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1)", "\t=1", "\r=1"];

    private static List<string> Cells(byte[] xlsx)
    {
        using var ms = new MemoryStream(xlsx);
        var cells = new List<string>();
        foreach (var sheet in ms.GetSheetNames())
        {
            ms.Position = 0;
            foreach (IDictionary<string, object?> row in ms.Query(useHeaderRow: false, sheetName: sheet))
                cells.AddRange(row.Values.OfType<string>());
        }
        return cells;
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public void The_paper_questionnaire_template_neutralises_site_codes(string payload)
    {
        var sites = new List<SurveySite> { new("2023-Q1", "zj-lasa", "八廓街", payload, 30, 1) };
        var cells = Cells(PaperXlsx.Template(Questionnaire.UrbanManagementTemplate(), sites));
        AllNeutralised(payload, cells);
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public void The_scheme_workbook_neutralises_indicator_names_and_rule_texts(string payload)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new
        {
            kaohe = 1, period = "2023-Q1",
            indicators = new[] { new { id = "A", name = payload, points = 100, method = new { kind = "direct" } } },
        });
        var read = V1File.ReadScheme(json);
        Assert.True(read.IsValid, string.Join("; ", read.Errors));
        var cells = Cells(SchemeXlsx.Export(read.Indicators!, read.Rules!, new Dictionary<string, string> { ["A"] = payload + " 细则" }));
        AllNeutralised(payload, cells, expected: 2);
    }

    /// <summary>No cell holding the payload starts with a formula trigger, and the payload cells start with the apostrophe (XML turns a CR into a LF on the way back, hence the core).</summary>
    private static void AllNeutralised(string payload, List<string> cells, int expected = 1)
    {
        var core = payload.TrimStart('\t', '\r');
        var holding = cells.Where(c => c.Contains(core, StringComparison.Ordinal)).ToList();
        Assert.True(holding.Count(c => c.StartsWith('\'')) >= expected, $"the payload is in {holding.Count} cells, none neutralised");
        // Text around the payload (a help line naming a site code) is harmless; a cell starting with a trigger is not.
        Assert.All(holding, c => Assert.False(c[0] is '=' or '+' or '-' or '@' or '\t' or '\r' or '\n', c));
    }
}
