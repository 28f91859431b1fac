using Kaohe.Data;

namespace Kaohe.Web.Infrastructure;

/// <summary>The words users see for the model's states and sources, in the seed's terms.</summary>
public static class Labels
{
    public static string Of(PeriodStatus s) => s switch
    {
        PeriodStatus.Planned => Ui.T("未开始", "planned"),
        PeriodStatus.Collecting => Ui.T("数据收集中", "collecting data"),
        PeriodStatus.Review => Ui.T("申诉复核中", "under review"),
        _ => Ui.T("已公布", "published"),
    };

    public static string Of(FactStatus s) => s switch
    {
        FactStatus.Draft => Ui.T("草稿", "draft"),
        FactStatus.Submitted => Ui.T("已提交", "submitted"),
        FactStatus.Verified => Ui.T("已核验", "verified"),
        _ => Ui.T("已退回", "returned"),
    };

    public static string Of(FactKind k) => k switch
    {
        FactKind.Value => Ui.T("数值", "value"),
        FactKind.RaterScore => Ui.T("评分", "rating"),
        FactKind.Finding => Ui.T("扣分问题", "finding"),
        FactKind.SurveyTally => Ui.T("问卷统计", "survey tally"),
        FactKind.Adjustment => Ui.T("加扣分", "adjustment"),
        FactKind.Measure => Ui.T("基础数据", "base figure"),
        _ => Ui.T("一票否决", "veto"),
    };

    public static string Source(string source) => source switch
    {
        FactSources.Report => Ui.T("单位填报", "unit report"),
        FactSources.Division => Ui.T("处室评分", "division"),
        FactSources.Leader => Ui.T("厅领导评分", "leader"),
        FactSources.Inspection => Ui.T("实地考核", "inspection"),
        FactSources.Survey => Ui.T("满意度调查", "survey"),
        FactSources.Platform => Ui.T("平台数据", "platform"),
        FactSources.Office => Ui.T("考核办", "office"),
        FactSources.TargetLetter => Ui.T("目标责任书", "target letter"),
        FactSources.KeyTask => Ui.T("重点工作任务", "key tasks"),
        _ => source,
    };

    /// <summary>
    /// A rater of a 多方评分 leaf or of the leadership evaluation, by name: the two leaders, a division (by the unit names
    /// given), or a rater named after a source (the generator's "inspection"). An id nothing names stays as it is.
    /// </summary>
    public static string Rater(string id, IReadOnlyDictionary<string, string>? unitNames = null) => id switch
    {
        "principal" => Ui.T("厅主要领导", "principal leader"),
        "in-charge" => Ui.T("分管厅领导", "leader in charge"),
        _ when unitNames?.TryGetValue(id, out var name) == true => name,
        _ => Source(id),
    };

    /// <summary>
    /// What a fact holds, in words instead of its stored JSON (issue 18 item 5): "83.9（目标 90）", "满意 144、不满意 26",
    /// "+2 分：受住房和城乡建设部通报表扬", a finding's note.
    /// </summary>
    public static string Payload(string json)
    {
        var p = FactPayload.Parse(json);
        var parts = new List<string>();
        static string N(double v) => v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
        if (p.Value is { } v) parts.Add(p.Target is { } t ? N(v) + Ui.T($"（目标 {N(t)}）", $" (target {N(t)})") : N(v));
        else if (p.Target is { } t) parts.Add(Ui.T($"目标 {N(t)}", $"target {N(t)}"));
        if (p.Counts is { Count: > 0 } c) parts.Add(string.Join(Ui.T("、", ", "), c.Select(kv => $"{kv.Key} {N(kv.Value)}")));
        if (p.Points is { } pts) parts.Add((pts > 0 ? "+" : "") + N(pts) + Ui.T(" 分", " points"));
        if (p.Reason is { Length: > 0 } r) parts.Add(r);
        if (p.Note is { Length: > 0 } note) parts.Add(note);
        return parts.Count == 0 ? "—" : string.Join(Ui.T("：", ": "), parts);
    }
}
