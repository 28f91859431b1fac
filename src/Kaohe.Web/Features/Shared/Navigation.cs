using Kaohe.Data;
using Kaohe.Web.Infrastructure;

namespace Kaohe.Web.Features.Shared;

/// <summary>
/// The main navigation, grouped by the office's tasks (采集、评分、结果、整改、系统; issue 18): six entries at
/// most on the bar, so that it fits a 1366 px office screen and a 390 px phone, each group opening to the
/// pages of that task the role may use. A group with nothing for the role is left out.
/// </summary>
public static class Navigation
{
    public sealed record Link(string Label, string Href, bool Exact = false);

    public sealed record Group(string Key, string Label, IReadOnlyList<Link> Links);

    public static IReadOnlyList<Group> For(string role)
    {
        bool Is(params string[] roles) => roles.Contains(role);
        var groups = new List<Group>();
        void Add(string key, string zh, string en, params Link?[] links)
        {
            var shown = links.OfType<Link>().ToList();
            if (shown.Count > 0) groups.Add(new Group(key, Ui.T(zh, en), shown));
        }
        Link? When(bool ok, string zh, string en, string href, bool exact = false) => ok ? new Link(Ui.T(zh, en), href, exact) : null;

        Add("collect", "采集", "Collect",
            When(Is(Roles.Unit), "填报", "Report", "/Collection/Report"),
            When(Is(Roles.Division), "本处室填报", "Our report", "/Collection/Report"),
            When(Is(Roles.Assessor), "实地考核", "On-site inspection", "/Inspections/Field"),
            When(Is(Roles.Office), "进度", "Progress", "/Collection/Progress"),
            When(Is(Roles.Office), "分工", "Assignments", "/Collection/Assignments"),
            When(Is(Roles.Office), "考核组与抽样", "Groups & sampling", "/Inspections", exact: true),
            When(Is(Roles.Office, Roles.Assessor, Roles.Leader, Roles.Viewer), "满意度调查", "Surveys", "/Surveys"),
            When(Is(Roles.Office), "平台数据", "Platform data", "/Platform"),
            // 目标责任书: the office issues them, units acknowledge theirs, divisions assess the milestones of key tasks.
            When(Is(Roles.Office, Roles.Unit, Roles.Leader, Roles.Viewer), "目标责任书", "Target letters", "/Targets"),
            When(Is(Roles.Division), "目标与节点评价", "Targets & milestones", "/Targets"));
        Add("score", "评分", "Score",
            When(Is(Roles.Division), "评分", "Scoring", "/Collection/Score"),
            When(Is(Roles.Office, Roles.Division), "审核", "Verify", "/Collection/Verify"),
            When(Is(Roles.Leader), "领导评价", "Evaluation", "/Collection/Leader"),
            When(Is(Roles.Office), "加扣分", "Adjustments", "/Adjustments"));
        Add("results", "结果", "Results",
            When(Is(Roles.Office, Roles.Leader, Roles.Viewer, Roles.Division), "考核结果", "Results", "/Results"),
            When(Is(Roles.Office, Roles.Leader, Roles.Viewer, Roles.Division), "结果公布", "Publication", "/Publication"),
            When(Is(Roles.Unit), "结果与申诉", "Results and appeals", "/Publication/Appeals"),
            When(true, "考核分析", "Insight", "/Insight"));
        Add("rectify", "整改", "Rectify",
            When(Is(Roles.Office, Roles.Leader, Roles.Viewer, Roles.Assessor), "问题整改", "Rectification", "/Rectification", exact: true),
            When(Is(Roles.Unit), "我的整改", "My items", "/Rectification", exact: true),
            When(Is(Roles.Office, Roles.Leader), "督促指导", "Supervision", "/Rectification/Supervision"),
            When(Is(Roles.Office, Roles.Unit), "提醒", "Notifications", "/Notifications"));
        Add("system", "系统", "System",
            When(true, "考核期", "Periods", "/Periods"),
            When(true, "考核方案", "Schemes", "/Schemes"),
            When(true, "被考核单位", "Units", "/Units"),
            When(Is(Roles.Office), "账号", "Accounts", "/Accounts"),
            When(Is(Roles.Office), "审计日志", "Audit trail", "/Audit"),
            When(true, "我的任务", "My jobs", "/Jobs"),
            // The API is the office's (platform keys, integration); no other role's work uses it.
            When(Is(Roles.Office), "接口文档（API）", "API reference", "/scalar"));
        return groups;
    }

    public static bool IsActive(Link link, PathString path) =>
        link.Exact ? path.Equals(link.Href, StringComparison.OrdinalIgnoreCase) || path.Equals(link.Href + "/Index", StringComparison.OrdinalIgnoreCase)
            : path.StartsWithSegments(link.Href);
}
