using Microsoft.EntityFrameworkCore;
using Kaohe.Web.Data;
using Kaohe.Web.Features.Targets;

namespace Kaohe.Web.Features.Demo;

public sealed partial class DemoSeeder
{
    /// <summary>The letters were issued in early January and acknowledged within the week; Q1 milestones were assessed in early April.</summary>
    private static readonly DateTimeOffset LettersIssuedAt = new(2023, 1, 6, 2, 0, 0, TimeSpan.Zero);

    private static readonly DateTimeOffset MilestonesAssessedAt = new(2023, 4, 6, 2, 0, 0, TimeSpan.Zero);

    /// <summary>One key task of the demo: who carries it, what, its weight, who assesses it, and its four milestones.</summary>
    internal sealed record DemoTask(string Unit, string Title, double Weight, string Assessor, string Q1, string Q2, string Q3, string Q4, MilestoneOutcome Q1Outcome);

    /// <summary>
    /// 2023 目标责任书, signed: the seven housing bureaus with their quarterly investment plan (Q1 equal to the
    /// demo's plan figures, so the headline stays 23.27亿元 / 128% / +189%) and the key projects due, and key
    /// tasks for every bureau, division and affiliated unit with their Q1 milestones assessed. Every quarter's
    /// plan and due are the letters' figures; the demo's later quarters copy the rest of Q1 (PublicationDemo),
    /// leaving the letters' figures out, and assess their milestones once they collect (<see cref="AssessMilestonesAsync"/>).
    /// </summary>
    private async partial Task SeedTargetsAsync()
    {
        var service = ActivatorUtilities.CreateInstance<TargetLetterService>(services);
        var tasks = DemoTasks().ToLookup(t => t.Unit);
        var letters = 0;
        foreach (var u in DemoCatalog.All.Where(u => u.Kind is DemoCatalog.Kind.HousingBureau or DemoCatalog.Kind.Division or DemoCatalog.Kind.AffiliatedUnit))
        {
            var targets = new List<LetterTarget>();
            if (DemoSchemes.Q1Investment.FirstOrDefault(p => p.UnitId == u.Id) is { } inv)
            {
                var q1 = (double)(inv.PlanYuan / 10_000m);
                double[] plan = [q1, Math.Round(q1 * 1.3), Math.Round(q1 * 1.4), Math.Round(q1 * 1.2)];
                targets.Add(new LetterTarget(DemoSchemes.Plan, "季度投资计划", "万元", plan.Sum(), false, plan));
                double[] due = [inv.KeyProjectsPlanned, inv.KeyProjectsPlanned + 2, inv.KeyProjectsPlanned + 2, inv.KeyProjectsPlanned + 1];
                targets.Add(new LetterTarget("due", "应开（复）工重点项目数", "个", due.Sum(), false, due));
            }
            var own = tasks[u.Id].Select((t, i) => (Task: t, Letter: new LetterTask($"T{i + 1}", t.Title, t.Weight, t.Assessor, [t.Q1, t.Q2, t.Q3, t.Q4]))).ToList();
            var content = new LetterContent(targets, [.. own.Select(o => o.Letter)], new OutcomePoints());
            var category = u.Kind switch
            {
                DemoCatalog.Kind.HousingBureau => DemoSchemes.Housing,
                DemoCatalog.Kind.Division => DemoSchemes.DivisionsCode,
                _ => DemoSchemes.Affiliated,
            };
            var letter = new TargetLetter(2023, category, u.Id, content.ToJson(), "office", LettersIssuedAt);
            db.TargetLetters.Add(letter);
            db.TargetLetterVersions.Add(letter.Issue("office", LettersIssuedAt));
            letter.Acknowledge(u.Kind == DemoCatalog.Kind.Division ? $"division-{u.Id}" : $"unit-{u.Id}", LettersIssuedAt.AddDays(3));
            await db.SaveChangesAsync();
            // Every quarter's targets: Q2–Q4 are planned now and take set-up, and their plan and due are the letters' split.
            await service.WriteTargetsAsync(letter, content, "office", at: LettersIssuedAt);
            await AssessAsync(service, letter, content, tasks[u.Id].ToList(), 1);
            await db.SaveChangesAsync();
            letters++;
        }
        audit.Record("demo.targets", "database", "demo", null, new { year = 2023, letters, tasks = tasks.Sum(g => g.Count()) });
        await audit.SaveAsync();
    }

    /// <summary>The demo's key tasks (invented but typical of the seed's 专项指标): two per unit, assessed by the division responsible.</summary>
    /// <summary>
    /// A unit's key-task completion in a quarter as the demo assesses it, Σ weight × points ÷ Σ weight with the letters' points
    /// (完成 100, 基本完成 60, 未完成 0): every quarter's milestone comes out as the task's Q1 milestone did.
    /// </summary>
    public static double KeyTaskCompletion(string unitId)
    {
        var tasks = DemoTasks().Where(t => t.Unit == unitId).ToList();
        var points = new OutcomePoints();
        return Math.Round(tasks.Sum(t => t.Weight * points.Of(t.Q1Outcome)) / tasks.Sum(t => t.Weight), 2, MidpointRounding.AwayFromZero);
    }

    /// <summary>
    /// Assesses the milestones of every 2023 letter in a later quarter, once the quarter collects (PublicationDemo), as the Q1
    /// milestones came out, and writes each unit's keytask figure of the quarter.
    /// </summary>
    public async Task AssessMilestonesAsync(int quarter)
    {
        // The quarter's move to collecting first: the stage guard takes an assessment only while the quarter collects.
        await audit.SaveAsync();
        var service = ActivatorUtilities.CreateInstance<TargetLetterService>(services);
        var tasks = DemoTasks().ToLookup(t => t.Unit);
        foreach (var letter in await db.TargetLetters.Where(l => l.Year == 2023).OrderBy(l => l.Id).ToListAsync())
            await AssessAsync(service, letter, LetterContent.Parse(letter.Content), tasks[letter.UnitId].ToList(), quarter);
        await db.SaveChangesAsync();
    }

    private async Task AssessAsync(TargetLetterService service, TargetLetter letter, LetterContent content, IReadOnlyList<DemoTask> tasks, int quarter)
    {
        var at = MilestonesAssessedAt.AddMonths(3 * (quarter - 1));
        foreach (var (t, lt) in tasks.Zip(content.Tasks))
        {
            var a = new MilestoneAssessment(Guid.NewGuid().ToString("N"), letter.Id, lt.Id, quarter);
            a.Assess(t.Q1Outcome, content.Points.Of(t.Q1Outcome), t.Q1Outcome == MilestoneOutcome.Done ? null : "节点滞后，已督促", $"division-{t.Assessor}", at);
            db.MilestoneAssessments.Add(a);
        }
        await service.KeyTaskFactAsync(letter, content, quarter, "office", at: at);
    }

    internal static IEnumerable<DemoTask> DemoTasks()
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
