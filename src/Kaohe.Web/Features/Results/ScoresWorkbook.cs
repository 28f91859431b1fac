using Kaohe.Scoring;
using Kaohe.Web.Features.Shared;
using MiniExcelLibs;

namespace Kaohe.Web.Features.Results;

/// <summary>One category's computed assessment, for the workbook.</summary>
public sealed record CategoryResult(string Name, Assessment Input, IReadOnlyList<UnitResult> Units);

/// <summary>
/// The .xlsx workbook of all scores that accompanies the bulletin: a summary sheet (总表) of every
/// unit's total, rank, grade and flags, and one sheet per category with every indicator's score (for a
/// version 2 category also each formula leaf's derived value and the unit's base figures with their units).
/// </summary>
public static class ScoresWorkbook
{
    public static byte[] Generate(string period, IReadOnlyList<CategoryResult> categories)
    {
        using var ms = new MemoryStream();
        Write(ms, period, categories);
        return ms.ToArray();
    }

    /// <summary>Writes the workbook to a stream (e.g. a temporary file that is then streamed to the client).</summary>
    public static void Write(Stream output, string period, IReadOnlyList<CategoryResult> categories)
    {
        var sheets = new Dictionary<string, object>();
        var summary = new List<IDictionary<string, object?>>();
        foreach (var c in categories)
        {
            var decimals = c.Input.Rules.RankDecimals;
            foreach (var u in c.Units.OrderBy(u => u.Group, StringComparer.Ordinal).ThenBy(u => u.Rank))
                summary.Add(ExcelSafe.Row(new Dictionary<string, object?>
                {
                    ["考核期"] = period,
                    ["类别"] = c.Name,
                    ["排名组"] = u.Group,
                    ["名次"] = u.Rank,
                    ["单位"] = u.Name,
                    ["单位编码"] = u.Id,
                    ["总分"] = Rounding.HalfAwayFromZero(u.Total, decimals),
                    ["加扣分"] = u.Adjustment,
                    ["等次"] = u.Grade,
                    ["通报表扬"] = u.Commended ? "是" : "",
                    ["通报批评"] = u.Criticized ? "是" : "",
                    ["一票否决"] = u.Vetoed ? "是" : "",
                }));
        }
        sheets["总表"] = summary;
        foreach (var c in categories)
        {
            var nodes = Flatten(c.Input.Indicators).ToArray();
            var figures = c.Input.Data.ToDictionary(d => (d.Unit, d.Measure), d => d.Value);
            var rows = c.Units.OrderBy(u => u.Group, StringComparer.Ordinal).ThenBy(u => u.Rank).Select(u =>
            {
                var row = new Dictionary<string, object?>
                {
                    ["排名组"] = u.Group,
                    ["名次"] = u.Rank,
                    ["单位"] = u.Name,
                    ["总分"] = u.Total,
                };
                foreach (var (node, depth) in nodes)
                {
                    row[$"{new string('　', depth)}{node.Id} {node.Name}（{node.Points:0.##}分）"] = u.Scores[node.Id];
                    // Version 2: a formula leaf's derived value beside its score, and the formula it came from.
                    if (node.Formula is not null)
                        row[$"{new string('　', depth)}{node.Id} 计算值（{node.Formula}）"] = u.Values.TryGetValue(node.Id, out var v) ? v : null;
                }
                // The unit's base figures, each with its unit of measurement (万元, 个).
                foreach (var m in c.Input.Measures)
                    row[$"{m.Id} {m.Name}（{m.Unit}）"] = figures.TryGetValue((u.Id, m.Id), out var f) ? f : null;
                return ExcelSafe.Row(row);
            }).ToList();
            sheets[SheetName(c.Name, sheets.Keys)] = rows;
        }
        output.SaveAs(sheets);
    }

    private static IEnumerable<(Indicator Node, int Depth)> Flatten(IEnumerable<Indicator> nodes, int depth = 0)
    {
        foreach (var n in nodes)
        {
            yield return (n, depth);
            foreach (var c in Flatten(n.ChildList, depth + 1)) yield return c;
        }
    }

    /// <summary>Excel allows 31 characters and no <c>[]:*?/\</c> in a sheet name.</summary>
    private static string SheetName(string name, IEnumerable<string> taken)
    {
        var clean = new string([.. name.Where(ch => "[]:*?/\\".IndexOf(ch) < 0)]);
        if (clean.Length > 28) clean = clean[..28];
        var candidate = clean;
        for (var i = 2; taken.Contains(candidate); i++) candidate = $"{clean}{i}";
        return candidate;
    }
}
