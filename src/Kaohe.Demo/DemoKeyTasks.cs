using Kaohe.Data;

namespace Kaohe.Demo;

/// <summary>One key task of the demo: who carries it, what, its weight, who assesses it, and its four milestones.</summary>
public sealed record DemoTask(string Unit, string Title, double Weight, string Assessor, string Q1, string Q2, string Q3, string Q4, MilestoneOutcome Q1Outcome);

/// <summary>
/// The key tasks (重点工作任务) of the demo's 2023 目标责任书 and how their Q1 milestones came out: the web host's demo
/// loader writes them into the letters and assesses them; the department schemes' P1.1 reads the completion.
/// </summary>
public static class DemoKeyTasks
{
    /// <summary>
    /// A unit's key-task completion in a quarter as the demo assesses it, Σ weight × points ÷ Σ weight with the letters' points
    /// (完成 100, 基本完成 60, 未完成 0): every quarter's milestone comes out as the task's Q1 milestone did.
    /// </summary>
    public static double KeyTaskCompletion(string unitId)
    {
        var tasks = All().Where(t => t.Unit == unitId).ToList();
        var points = new OutcomePoints();
        return Math.Round(tasks.Sum(t => t.Weight * points.Of(t.Q1Outcome)) / tasks.Sum(t => t.Weight), 2, MidpointRounding.AwayFromZero);
    }

    public static IEnumerable<DemoTask> All()
    {
        var done = MilestoneOutcome.Done;
        var partly = MilestoneOutcome.Partly;
        var notDone = MilestoneOutcome.NotDone;
        foreach (var b in DemoCatalog.HousingBureaus)
        {
            // 那曲 and 阿里 trail in the demo's data; their Q1 milestones lag too.
            var lagging = b.Id is "zj-nagqu" or "zj-ngari";
            yield return new(b.Id, "城镇老旧小区改造", 60, "bzc", "完成年度改造项目摸底和方案审批", "开工率达到50%", "开工率达到100%", "完工率达到80%", lagging ? partly : done);
            yield return new(b.Id, "建筑市场信用体系建设", 40, "scc", "信用信息平台数据归集", "信用评价结果应用", "开展信用核查", "形成年度信用报告", b.Id == "zj-ngari" ? notDone : done);
        }
        (string Unit, string Assessor, string A, string B)[] affiliated =
        [
            ("jky", "scc", "绿色建筑技术标准编制", "建材检测能力提升"),
            ("zjzx", "bzc", "住房公积金归集扩面", "提取业务全程网办"),
            ("zaz", "zac", "质量安全监督抽查", "智慧工地平台推广"),
            ("kcy", "scc", "重点项目勘察设计服务", "高原建筑设计导则"),
            ("zjz", "cwc", "工程造价信息发布", "计价依据修订"),
            ("xxzx", "bgs", "政务服务平台升级", "数据安全等级保护"),
        ];
        foreach (var (unit, assessor, a, b) in affiliated)
        {
            yield return new(unit, a, 60, assessor, "制定年度工作方案", "完成进度40%", "完成进度75%", "全面完成", done);
            yield return new(unit, b, 40, assessor, "启动并明确责任分工", "完成阶段成果", "完成主体工作", "通过验收", unit == "zjz" ? partly : done);
        }
        foreach (var d in DemoCatalog.Divisions)
        {
            // 办公室 assesses the divisions' tasks (督查督办); its own tasks are assessed by 政工人事处.
            var assessor = d.Id == "bgs" ? "rsc" : "bgs";
            yield return new(d.Id, $"{d.Name}年度重点工作", 70, assessor, "印发年度工作要点", "完成半年目标", "完成三季度目标", "完成全年目标", d.Id == "czc" ? partly : done);
            yield return new(d.Id, "作风建设和督办事项办结", 30, assessor, "督办事项按期办结", "督办事项按期办结", "督办事项按期办结", "督办事项按期办结", done);
        }
    }
}
