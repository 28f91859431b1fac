using System.Globalization;

namespace Kaohe.Web.Infrastructure;

/// <summary>
/// The UI speaks Simplified Chinese first, English on request. Texts are written where they are
/// used, both languages side by side: <c>@T("考核方案", "Schemes")</c>.
/// </summary>
public static class Ui
{
    public const string Chinese = "zh-CN";
    public const string English = "en";
    public const string CultureCookie = "kaohe-lang";

    public static bool IsEnglish => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";

    public static string T(string zh, string en) => IsEnglish ? en : zh;

    public static string Fmt(double v, int decimals = 2) => Kaohe.Scoring.Rounding.HalfAwayFromZero(v, decimals).ToString("F" + decimals, CultureInfo.InvariantCulture);
}
