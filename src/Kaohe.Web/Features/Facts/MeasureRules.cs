using System.Globalization;
using Kaohe.Scoring;

namespace Kaohe.Web.Features.Facts;

/// <summary>
/// What a base figure (基础数据) may be, from its measure's unit of measurement: no base figure is
/// negative (an investment, a plan, a count), and a count (个, 件, 项, 处, 人, 次, 户, 套) is a whole
/// number. The same rules for the 填报 sheet, its .xlsx and the platform API.
/// </summary>
public static class MeasureRules
{
    private static readonly HashSet<string> CountUnits = new(["个", "件", "项", "处", "人", "次", "户", "套", "宗"], StringComparer.Ordinal);

    /// <summary>Whether the measure counts things, so that its figures are whole numbers.</summary>
    public static bool IsCount(Measure m) => CountUnits.Contains(m.Unit.Trim());

    /// <summary>Why <paramref name="value"/> is not a figure of <paramref name="m"/> (Chinese, English), or null when it is.</summary>
    public static (string Zh, string En)? Problem(Measure m, double value)
    {
        var label = m.Name.Length > 0 ? m.Name : m.Id;
        if (!double.IsFinite(value)) return ($"{label}须为数值", $"{label} must be a number");
        if (value < 0) return ($"{label}不能为负数（{value.ToString(CultureInfo.InvariantCulture)}{m.Unit}）", $"{label} cannot be negative ({value.ToString(CultureInfo.InvariantCulture)} {m.Unit})");
        if (IsCount(m) && value != Math.Floor(value))
            return ($"{label}是计数（{m.Unit}），须为整数", $"{label} is a count ({m.Unit}) and must be a whole number");
        return null;
    }

    /// <summary>
    /// Whether a figure is far from last year's same-period figure (more than 3× or under ⅓), for the
    /// reviewer to check; false when there is no earlier figure to compare with (or it is 0).
    /// </summary>
    public static bool Unusual(double value, double? lastYear) => lastYear is > 0 and var ly && (value > 3 * ly || value < ly / 3);
}
