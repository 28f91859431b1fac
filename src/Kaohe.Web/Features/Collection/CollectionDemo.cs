using Kaohe.Demo;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Demo;
using Kaohe.Web.Features.Facts;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Collection;

/// <summary>
/// The collection states of the demo (docs/collection.md). 2023-Q1 is published, so its reports all went
/// through 填报 on time and were verified by the division assigned; the divisions' assignments for every
/// leaf they score or verify are made here (the later quarters copy them). The story of a quarter still
/// being collected plays in <see cref="StoryPeriod"/>: one unit's report submitted and awaiting
/// verification, one submitted late, one unit with a correction in draft and one with a correction
/// returned with a reason; both leaders' sheets complete, scoring still open. Every counted fact keeps
/// its value, so no quarter's results change.
/// </summary>
public sealed class CollectionDemo(KaoheDbContext db, AuditLog audit)
{
    /// <summary>The collecting quarter the story plays in: the first one still collecting, which the collection pages open by default.</summary>
    public const string StoryPeriod = "2023-Q3";

    public const string AwaitingUnit = "zj-shannan";
    public const string LateUnit = "zj-nagqu";
    public const string DraftUnit = "cg-lasa";
    public const string DraftIndicator = "U1.5";
    public const string ReturnedUnit = "zj-qamdo";
    public const string ReturnedIndicator = "E1";
    public const string ReturnReason = "整改完成数与整改台账不符，请补充整改销号材料后重新提交";

    /// <summary>Reports come in during the days before the deadline (the 10th day after the quarter), are verified the day after it.</summary>
    private static DateTimeOffset SubmittedAt(Period p) => new DateTimeOffset(p.ReportDeadline.ToDateTime(new TimeOnly(3, 0)), TimeSpan.Zero).AddDays(-4);
    private static DateTimeOffset ReviewedAt(Period p) => new DateTimeOffset(p.ReportDeadline.ToDateTime(new TimeOnly(2, 0)), TimeSpan.Zero).AddDays(1);
    private static DateTimeOffset LateAt(Period p) => new DateTimeOffset(p.ReportDeadline.ToDateTime(new TimeOnly(9, 30)), TimeSpan.Zero).AddDays(2);

    /// <summary>The division that scores or verifies each (unit, leaf) of the demo's schemes (DemoSchemes.Scorers).</summary>
    private static Dictionary<(string Unit, string Leaf), string> ScorerOf(HashSet<string> divisions)
    {
        var scorerOf = new Dictionary<(string Unit, string Leaf), string>();
        foreach (var demo in DemoSchemes.Build())
        {
            var leaves = IndicatorTree.Leaves(demo.Q1.Indicators).ToDictionary(l => l.Id);
            foreach (var (leafId, scorer) in demo.Scorers)
            {
                // Raters leaves already have one assignment per rating division or leader (DemoSeeder).
                if (!divisions.Contains(scorer) || leaves[leafId].Method is RatersMethod) continue;
                foreach (var u in demo.Q1.Units) scorerOf[(u.Id, leafId)] = scorer;
            }
        }
        return scorerOf;
    }

    private static string Verifier(Dictionary<(string Unit, string Leaf), string> scorerOf, Fact f) =>
        scorerOf.TryGetValue((f.UnitId, f.IndicatorId!), out var d) ? $"division-{d}" : "office";

    /// <summary>2023-Q1: the assignments, and every report submitted on time and verified.</summary>
    public async Task SeedAsync()
    {
        const string period = DemoSchemes.Period;
        var divisions = DemoCatalog.Divisions.Select(d => d.Id).ToHashSet();
        var existing = (await db.Assignments.Where(a => a.PeriodId == period).Select(a => new { a.Kind, a.Assignee, a.UnitId, a.IndicatorId }).ToListAsync())
            .Select(a => (a.Kind, a.Assignee, a.UnitId, a.IndicatorId)).ToHashSet();
        var scorerOf = ScorerOf(divisions);
        var added = 0;
        // In the order of the schemes' leaves (a dictionary keeps insertion order).
        foreach (var ((unit, leaf), scorer) in scorerOf)
            if (existing.Add((AssignmentKind.Division, scorer, unit, leaf)))
            {
                db.Assignments.Add(new Assignment(period, AssignmentKind.Division, scorer, unit, leaf));
                added++;
            }

        // The reports DemoSeeder loaded as verified went through 填报: submitted on time, verified by the division assigned (or the office).
        var q1 = await db.Periods.AsNoTracking().FirstAsync(p => p.Id == period);
        var reports = await db.Facts.Where(f => f.PeriodId == period && f.Source == FactSources.Report && (f.Kind == FactKind.Value || f.Kind == FactKind.Measure)).ToListAsync();
        foreach (var f in reports)
        {
            f.SetStatus(FactStatus.Draft);
            f.Submit(SubmittedAt(q1), false);
            f.Verify(Verifier(scorerOf, f), ReviewedAt(q1));
        }
        audit.Record("demo.collection", "period", period, null, new { assignments = added, reports = reports.Count, verified = reports.Count });
        await audit.SaveAsync();
    }

    /// <summary>
    /// The story in a quarter still collecting (after PublicationDemo copied 2023-Q1's data into it):
    /// most reports verified, one unit awaiting verification, one late, a correction in draft and a
    /// correction returned. The verified value keeps counting until a correction is submitted.
    /// </summary>
    public async Task SeedStoryAsync(string period = StoryPeriod)
    {
        var p = await db.Periods.AsNoTracking().FirstAsync(x => x.Id == period);
        var scorerOf = ScorerOf(DemoCatalog.Divisions.Select(d => d.Id).ToHashSet());
        var reports = await db.Facts.Where(f => f.PeriodId == period && f.Source == FactSources.Report && (f.Kind == FactKind.Value || f.Kind == FactKind.Measure)).ToListAsync();
        foreach (var f in reports)
        {
            var late = f.UnitId == LateUnit;
            f.SetStatus(FactStatus.Draft);
            f.Submit(late ? LateAt(p) : SubmittedAt(p), late);
            if (f.UnitId == AwaitingUnit) continue;
            f.Verify(Verifier(scorerOf, f), ReviewedAt(p));
        }

        // Corrections after verification: the verified value still counts until the new one is submitted.
        var draftOf = reports.First(f => f.UnitId == DraftUnit && f.IndicatorId == DraftIndicator);
        var draftValue = FactPayload.Parse(draftOf.Payload) with { Value = Math.Min(1, (FactPayload.Parse(draftOf.Payload).Value ?? 0) + 0.02) };
        db.Facts.Add(new Fact(period, DraftUnit, DraftIndicator, FactKind.Value, draftValue.ToJson(), FactSources.Report, $"unit-{DraftUnit}", SubmittedAt(p).AddDays(8), FactStatus.Draft));
        var returnedOf = reports.First(f => f.UnitId == ReturnedUnit && f.IndicatorId == ReturnedIndicator);
        var returned = new Fact(period, ReturnedUnit, ReturnedIndicator, FactKind.Value, returnedOf.Payload, FactSources.Report, $"unit-{ReturnedUnit}",
            SubmittedAt(p).AddDays(2), FactStatus.Draft);
        returned.Submit(SubmittedAt(p).AddDays(2), false);
        returned.Return(Verifier(scorerOf, returnedOf), ReviewedAt(p), ReturnReason);
        db.Facts.Add(returned);

        audit.Record("demo.collection", "period", period, null, new
        {
            reports = reports.Count, awaiting = AwaitingUnit, late = LateUnit,
            draft = $"{DraftUnit}/{DraftIndicator}", returned = $"{ReturnedUnit}/{ReturnedIndicator}",
        });
        await audit.SaveAsync();
    }
}
