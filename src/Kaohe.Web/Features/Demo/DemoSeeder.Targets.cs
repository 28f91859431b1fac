using Kaohe.Data;
using Kaohe.Demo;
using Microsoft.EntityFrameworkCore;
using Kaohe.Web.Features.Targets;

namespace Kaohe.Web.Features.Demo;

public sealed partial class DemoSeeder
{
    /// <summary>The letters were issued in early January and acknowledged within the week; Q1 milestones were assessed in early April.</summary>
    private static readonly DateTimeOffset LettersIssuedAt = new(2023, 1, 6, 2, 0, 0, TimeSpan.Zero);

    private static readonly DateTimeOffset MilestonesAssessedAt = new(2023, 4, 6, 2, 0, 0, TimeSpan.Zero);

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
        var tasks = DemoKeyTasks.All().ToLookup(t => t.Unit);
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
    /// Assesses the milestones of every 2023 letter in a later quarter, once the quarter collects (PublicationDemo), as the Q1
    /// milestones came out, and writes each unit's keytask figure of the quarter.
    /// </summary>
    public async Task AssessMilestonesAsync(int quarter)
    {
        // The quarter's move to collecting first: the stage guard takes an assessment only while the quarter collects.
        await audit.SaveAsync();
        var service = ActivatorUtilities.CreateInstance<TargetLetterService>(services);
        var tasks = DemoKeyTasks.All().ToLookup(t => t.Unit);
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
}
