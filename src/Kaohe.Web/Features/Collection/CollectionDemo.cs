using Kaohe.Scoring;
using Kaohe.Web.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Demo;
using Kaohe.Web.Features.Facts;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Collection;

/// <summary>
/// The collection states of the 2023-Q1 demo (docs/collection.md): most reports verified, one unit's
/// report submitted and awaiting verification, one submitted late, one unit with a correction in
/// draft and one with a correction returned with a reason; the divisions' assignments for every leaf
/// they score or verify; both leaders' sheets complete. Every counted fact stays as DemoSeeder made it,
/// so the demo's results do not change.
/// </summary>
public sealed class CollectionDemo(KaoheDbContext db, AuditLog audit)
{
    /// <summary>Reports came in during the first ten days of April; the deadline was 10 April.</summary>
    private static readonly DateTimeOffset SubmittedAt = new(2023, 4, 6, 3, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ReviewedAt = new(2023, 4, 11, 2, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LateAt = new(2023, 4, 12, 9, 30, 0, TimeSpan.Zero);

    public const string AwaitingUnit = "zj-shannan";
    public const string LateUnit = "zj-nagqu";
    public const string DraftUnit = "cg-lasa";
    public const string DraftIndicator = "U1.5";
    public const string ReturnedUnit = "zj-qamdo";
    public const string ReturnedIndicator = "E1";
    public const string ReturnReason = "整改完成数与整改台账不符，请补充整改销号材料后重新提交";

    public async Task SeedAsync()
    {
        const string period = DemoSchemes.Period;
        var divisions = DemoCatalog.Divisions.Select(d => d.Id).ToHashSet();
        var existing = (await db.Assignments.Where(a => a.PeriodId == period).Select(a => new { a.Kind, a.Assignee, a.UnitId, a.IndicatorId }).ToListAsync())
            .Select(a => (a.Kind, a.Assignee, a.UnitId, a.IndicatorId)).ToHashSet();
        var scorerOf = new Dictionary<(string Unit, string Leaf), string>();
        var added = 0;
        foreach (var demo in DemoSchemes.Build())
        {
            var leaves = DemoSchemes.Leaves(demo.Q1.Indicators).ToDictionary(l => l.Id);
            foreach (var (leafId, scorer) in demo.Scorers)
            {
                // Raters leaves already have one assignment per rating division or leader (DemoSeeder).
                if (!divisions.Contains(scorer) || leaves[leafId].Method is RatersMethod) continue;
                foreach (var u in demo.Q1.Units)
                {
                    scorerOf[(u.Id, leafId)] = scorer;
                    if (existing.Add((AssignmentKind.Division, scorer, u.Id, leafId)))
                    {
                        db.Assignments.Add(new Assignment(period, AssignmentKind.Division, scorer, u.Id, leafId));
                        added++;
                    }
                }
            }
        }

        // The reports DemoSeeder loaded as verified went through 填报: submitted on time, verified by the
        // division assigned (or the office).
        var reports = await db.Facts.Where(f => f.PeriodId == period && f.Source == FactSources.Report && f.Kind == FactKind.Value).ToListAsync();
        foreach (var f in reports)
        {
            var late = f.UnitId == LateUnit;
            f.SetStatus(FactStatus.Draft);
            f.Submit(late ? LateAt : SubmittedAt, late);
            if (f.UnitId == AwaitingUnit) continue;
            f.Verify(scorerOf.TryGetValue((f.UnitId, f.IndicatorId!), out var d) ? $"division-{d}" : "office", ReviewedAt);
        }

        // Corrections after verification: the verified value still counts until the new one is verified.
        var draftOf = reports.First(f => f.UnitId == DraftUnit && f.IndicatorId == DraftIndicator);
        var draftValue = FactPayload.Parse(draftOf.Payload) with { Value = Math.Min(1, (FactPayload.Parse(draftOf.Payload).Value ?? 0) + 0.02) };
        db.Facts.Add(new Fact(period, DraftUnit, DraftIndicator, FactKind.Value, draftValue.ToJson(), FactSources.Report, $"unit-{DraftUnit}", SubmittedAt.AddDays(8), FactStatus.Draft));
        var returnedOf = reports.First(f => f.UnitId == ReturnedUnit && f.IndicatorId == ReturnedIndicator);
        var returned = new Fact(period, ReturnedUnit, ReturnedIndicator, FactKind.Value, returnedOf.Payload, FactSources.Report, $"unit-{ReturnedUnit}",
            SubmittedAt.AddDays(2), FactStatus.Draft);
        returned.Submit(SubmittedAt.AddDays(2), false);
        returned.Return("division-cgc", ReviewedAt, ReturnReason);
        db.Facts.Add(returned);

        audit.Record("demo.collection", "period", period, null, new
        {
            assignments = added, reports = reports.Count, awaiting = AwaitingUnit, late = LateUnit,
            draft = $"{DraftUnit}/{DraftIndicator}", returned = $"{ReturnedUnit}/{ReturnedIndicator}",
        });
        await audit.SaveAsync();
    }
}
