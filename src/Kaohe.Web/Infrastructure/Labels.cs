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
}
