using System.Globalization;
using Kaohe.Scoring;
using Kaohe.Web.Infrastructure;

namespace Kaohe.Web.Features.Schemes;

/// <summary>A scoring method in the words of a 评分细则, for people.</summary>
public static class MethodText
{
    private static string N(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);

    private static string B(Bound b) => b.Kind switch
    {
        BoundKind.Best => Ui.T("组内最优值", "best in group"),
        BoundKind.Worst => Ui.T("组内最差值", "worst in group"),
        _ => N(b.Fixed),
    };

    private static string Dir(Direction d) => d == Direction.Lower ? Ui.T("（越低越好）", " (lower is better)") : "";

    /// <summary>The rule in words; <paramref name="unitNames"/> names the divisions among a 多方评分 leaf's raters.</summary>
    public static string Describe(Method m, IReadOnlyDictionary<string, string>? unitNames = null) => m switch
    {
        EfficacyMethod e => Ui.T(
            $"满意值 {B(e.Satisfactory)}，不允许值 {B(e.Unallowable)}，基础分 {N(e.Base)}，调整分 {N(e.Span)}{(e.Clamp == ClampMode.Range ? "，得分限定在区间内" : "")}{Dir(e.Direction)}",
            $"satisfactory {B(e.Satisfactory)}, unallowable {B(e.Unallowable)}, base {N(e.Base)}, span {N(e.Span)}{(e.Clamp == ClampMode.Range ? ", clamped" : "")}{Dir(e.Direction)}"),
        BandedMethod b => string.Join(Ui.T("；", "; "), b.Levels.Select(l => $"{N(l.Value)} → {N(l.Coef)}")) + Dir(b.Direction),
        RatioMethod r => Ui.T($"目标值 {(r.Target is { } t ? N(t) : "按单位")}，比值上限 {N(r.Cap)}", $"target {(r.Target is { } t2 ? N(t2) : "per unit")}, cap {N(r.Cap)}"),
        ThresholdMethod t => Ui.T($"达标值 {N(t.Threshold)}，每低 1 扣 {N(t.StepBelow)} 分{(t.StepAbove > 0 ? $"，每高 1 加 {N(t.StepAbove)} 分（至多 {N(t.MaxAbove)}）" : "")}",
            $"threshold {N(t.Threshold)}, {N(t.StepBelow)} off per 1 below{(t.StepAbove > 0 ? $", {N(t.StepAbove)} per 1 above (at most {N(t.MaxAbove)})" : "")}"),
        RelativeMethod rel => Ui.T($"实际值 ÷ 组内平均值，至多 {N(rel.Cap)} 倍", $"value ÷ group mean, at most {N(rel.Cap)}×"),
        RankMethod rk => Ui.T($"每降一位扣 {N(rk.Step)}%", $"{N(rk.Step)}% off per place") + Dir(rk.Direction),
        DeductionMethod d => Ui.T($"{(d.PerFinding is { } pf ? $"每个问题扣 {N(pf)} 分" : "按问题扣分")}{(d.MaxDeduction is { } md ? $"，至多扣 {N(md)} 分" : "，扣完为止")}",
            $"{(d.PerFinding is { } pf2 ? $"{N(pf2)} per finding" : "points per finding")}{(d.MaxDeduction is { } md2 ? $", at most {N(md2)}" : ", down to 0")}"),
        RatersMethod rs => string.Join(Ui.T("，", ", "), rs.Raters.Select(r => $"{Labels.Rater(r.Id, unitNames)} {N(r.Weight * 100 / rs.Raters.Sum(x => x.Weight))}%")),
        SurveyMethod s => string.Join(Ui.T("，", ", "), s.Options.Select(o => $"{o.Id} {(o.Value is { } v ? N(v) : Ui.T("不计", "not counted"))}")),
        DirectMethod => Ui.T("由考核组或处室直接打分", "scored directly by the assessment group or division"),
        _ => "",
    };

}
