using System.Globalization;
using System.Text;
using Kaohe.Scoring;

namespace Kaohe.Cli;

/// <summary>An aligned ranking table for the terminal, one block per ranking group.</summary>
internal static class Table
{
    public static string Render(Assessment a, AssessmentResult result, bool english)
    {
        var sb = new StringBuilder();
        var decimals = a.Rules.RankDecimals;
        string[] header = english
            ? ["Rank", "Unit", "Total", "Adj.", "Grade", "Result"]
            : ["名次", "单位", "总分", "加扣分", "等次", "结果"];
        foreach (var group in result.Units.GroupBy(u => u.Group))
        {
            sb.AppendLine(english
                ? $"{a.Period} · {(group.Key.Length == 0 ? "all units" : group.Key)}"
                : $"{a.Period} · {(group.Key.Length == 0 ? "全部单位" : group.Key)}");
            var rows = group.OrderBy(u => u.Rank).ThenBy(u => u.Id, StringComparer.Ordinal).Select(u => new[]
            {
                u.Rank.ToString(CultureInfo.InvariantCulture),
                string.IsNullOrEmpty(u.Name) ? u.Id : $"{u.Name} ({u.Id})",
                u.RoundedTotal.ToString("F" + decimals, CultureInfo.InvariantCulture),
                u.Adjustment == 0 ? "" : u.Adjustment.ToString("+0.##;-0.##", CultureInfo.InvariantCulture),
                u.Grade ?? "",
                string.Join(" ", Flags(u, english)),
            }).ToList();
            var widths = Enumerable.Range(0, header.Length).Select(c => Math.Max(Width(header[c]), rows.Count == 0 ? 0 : rows.Max(r => Width(r[c])))).ToArray();
            var numeric = new[] { true, false, true, true, false, false };
            void Line(string[] cells)
            {
                for (var c = 0; c < cells.Length; c++)
                {
                    var pad = new string(' ', widths[c] - Width(cells[c]));
                    sb.Append(numeric[c] ? pad + cells[c] : cells[c] + pad);
                    sb.Append(c < cells.Length - 1 ? "  " : "");
                }
                while (sb.Length > 0 && sb[^1] == ' ') sb.Length--;
                sb.Append('\n');
            }
            Line(header);
            sb.AppendLine(new string('-', widths.Sum() + 2 * (widths.Length - 1)));
            foreach (var r in rows) Line(r);
            sb.AppendLine();
        }
        return sb.ToString();
    }

    private static IEnumerable<string> Flags(UnitResult u, bool english)
    {
        if (u.Commended) yield return english ? "commended" : "通报表扬";
        if (u.Criticized) yield return english ? "criticised" : "通报批评";
        if (u.Vetoed) yield return english ? "VETOED" : "一票否决";
    }

    /// <summary>Terminal columns: CJK and full-width characters take two.</summary>
    internal static int Width(string s)
    {
        var w = 0;
        foreach (var r in s.EnumerateRunes())
        {
            var v = r.Value;
            var wide = v is >= 0x1100 and <= 0x115F or >= 0x2E80 and <= 0xA4CF or >= 0xAC00 and <= 0xD7A3
                or >= 0xF900 and <= 0xFAFF or >= 0xFE30 and <= 0xFE4F or >= 0xFF00 and <= 0xFF60 or >= 0xFFE0 and <= 0xFFE6
                or >= 0x20000 and <= 0x3FFFD;
            w += wide ? 2 : 1;
        }
        return w;
    }
}
