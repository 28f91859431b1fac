using System.Text;
using System.Text.Json;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;
using Kaohe.Web.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Schemes;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Publication;

/// <summary>
/// A period's draft for one category, computed from the current facts: a quarter from its scheme,
/// the year from the quarters (<see cref="AnnualParts"/> says how each part was obtained).
/// </summary>
public sealed record Draft(
    Period Period,
    string Category,
    Assessment? Assessment,
    AssessmentResult? Result,
    IReadOnlyList<ValidationError> Errors,
    IReadOnlyList<Fact> Facts,
    IReadOnlyList<AnnualPart> AnnualParts)
{
    public bool IsAnnual => Period.Kind == PeriodKind.Annual;
}

/// <summary>One part of the annual roll-up: a quarter (from its latest published snapshot, or its draft) or the annual leadership evaluation.</summary>
public sealed record AnnualPart(string Id, string NameZh, string NameEn, double Weight, string SourceZh, string SourceEn, long? SnapshotId);

/// <summary>Computes drafts: the quarter's from <see cref="AssessmentBuilder"/>, the year's by <see cref="AnnualRollup"/> (docs/annual.md).</summary>
public sealed class Drafts(KaoheDbContext db, AssessmentBuilder builder)
{
    /// <summary>The leaf of the annual leadership evaluation (厅领导班子年度总体评价) in the annual roll-up and its facts.</summary>
    public const string LeadershipLeaf = "LD";

    /// <summary>The seed's leadership evaluation: principal leader and leader in charge, 50% each.</summary>
    public static readonly IReadOnlyDictionary<string, double> LeadershipRaters = new Dictionary<string, double> { ["principal"] = 0.5, ["in-charge"] = 0.5 };

    public async Task<Draft?> BuildAsync(string periodId, string category, CancellationToken ct = default)
    {
        var period = await db.Periods.AsNoTracking().FirstOrDefaultAsync(p => p.Id == periodId, ct);
        if (period is null || Categories.Find(category) is null) return null;
        if (period.Kind == PeriodKind.Annual) return await AnnualAsync(period, category, ct);
        var built = await builder.BuildAsync(periodId, category, ct);
        if (built is null) return null;
        var outcome = Engine.Score(built.Assessment);
        return new Draft(period, category, built.Assessment, outcome.Result, outcome.Errors, built.Facts, []);
    }

    private async Task<Draft?> AnnualAsync(Period year, string category, CancellationToken ct)
    {
        var cat = Categories.Find(category)!;
        var setting = await db.Set<AnnualSetting>().AsNoTracking().FirstOrDefaultAsync(s => s.Year == year.Year && s.Category == category, ct);
        if (setting is null) return null;
        var units = await db.Units.AsNoTracking().Where(u => u.Kind == cat.Kind).OrderBy(u => u.Id).ToListAsync(ct);
        var unitIds = units.Select(u => u.Id).ToList();
        var quarters = await db.Periods.AsNoTracking().Where(p => p.Year == year.Year && p.Quarter != null).OrderBy(p => p.Quarter).ToListAsync(ct);
        var parts = new List<RollupPart>();
        var described = new List<AnnualPart>();
        var errors = new List<ValidationError>();
        Rules? rules = null;
        foreach (var q in quarters)
        {
            var weight = setting.Quarters[q.Quarter!.Value - 1];
            if (weight == 0) continue;
            var id = $"Q{q.Quarter}";
            var snapshot = await Snapshots.LatestAsync(db, q.Id, category, ct);
            Assessment? input;
            AssessmentResult? result;
            if (snapshot is not null)
            {
                input = Snapshots.Input(snapshot);
                result = input is null ? null : Engine.Score(input).Result;
                described.Add(new(id, q.Label(false), q.Label(true), weight, $"已公布结果 v{snapshot.Version}", $"published v{snapshot.Version}", snapshot.Id));
            }
            else
            {
                var built = await builder.BuildAsync(q.Id, category, ct);
                input = built?.Assessment;
                result = input is null ? null : Engine.Score(input).Result;
                described.Add(new(id, q.Label(false), q.Label(true), weight, "草稿（未公布）", "draft (not published)", null));
            }
            if (result is null)
            {
                errors.Add(new($"$.{id}", $"{q.Label(false)}的结果尚不能计算", $"{q.Label(true)} cannot be computed yet"));
                continue;
            }
            rules = input!.Rules;
            parts.Add(AnnualRollup.FromResult(id, q.Label(false), weight, result));
        }
        var periodIds = quarters.Select(q => q.Id).Append(year.Id).ToList();
        var facts = await db.Facts.AsNoTracking()
            .Where(f => periodIds.Contains(f.PeriodId) && unitIds.Contains(f.UnitId) && AssessmentBuilder.Counted.Contains(f.Status))
            .Where(f => f.PeriodId == year.Id || f.Kind == FactKind.Veto)
            .OrderBy(f => f.Id).ToListAsync(ct);
        if (setting.Leadership > 0)
        {
            // 厅领导班子总体评价: the two leaders' ratings of the year, 50% each (domain.md), on a 100-point scale.
            var ratings = facts.Where(f => f.PeriodId == year.Id && f.Kind == FactKind.RaterScore && f.IndicatorId == LeadershipLeaf).ToList();
            var totals = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var u in units)
            {
                var mine = ratings.Where(r => r.UnitId == u.Id && r.Rater is not null && LeadershipRaters.ContainsKey(r.Rater)).ToList();
                if (mine.Select(r => r.Rater).Distinct().Count() == LeadershipRaters.Count)
                    totals[u.Id] = mine.GroupBy(r => r.Rater!).Sum(g => LeadershipRaters[g.Key] * (FactPayload.Parse(g.Last().Payload).Value ?? 0));
            }
            parts.Add(new RollupPart(LeadershipLeaf, "厅领导班子年度总体评价", setting.Leadership, totals));
            described.Add(new(LeadershipLeaf, "厅领导班子年度总体评价", "Annual leadership evaluation", setting.Leadership, "厅主要领导、分管领导各占50%", "principal and in-charge leader, 50% each", null));
        }
        var adjustments = facts.Where(f => f.PeriodId == year.Id && f.Kind == FactKind.Adjustment)
            .Select(f => FactPayload.Parse(f.Payload) is var p ? new Adjustment(f.UnitId, p.Points ?? 0, p.Reason ?? "") : null!).ToList();
        // A veto recorded on the year or on any of its quarters vetoes the annual result (一票否决).
        var vetoes = facts.Where(f => f.Kind == FactKind.Veto).GroupBy(f => f.UnitId)
            .Select(g => new Veto(g.Key, string.Join("；", g.Select(f => FactPayload.Parse(f.Payload).Reason ?? "").Distinct()))).ToList();
        if (rules is null || errors.Count > 0)
            return new Draft(year, category, null, null, errors.Count > 0 ? errors : [new("$", "没有可汇总的季度结果", "no quarter results to roll up")], facts, described);
        var assessment = AnnualRollup.Build(year.Id, [.. units.Select(u => new Unit(u.Id, u.Name, u.Group))], parts, adjustments, vetoes, rules);
        var outcome = Engine.Score(assessment);
        return new Draft(year, category, assessment, outcome.Result, outcome.Errors, facts, described);
    }
}

/// <summary>Reading stored snapshots. The rows are never updated (there is no code path that does).</summary>
public static class Snapshots
{
    public static Task<PublishedSnapshot?> LatestAsync(KaoheDbContext db, string periodId, string category, CancellationToken ct = default) =>
        db.Snapshots.AsNoTracking().Where(s => s.PeriodId == periodId && s.Category == category)
            .OrderByDescending(s => s.Version).FirstOrDefaultAsync(ct);

    /// <summary>The v1 input file of a snapshot, exactly as hashed.</summary>
    public static string InputText(PublishedSnapshot s)
    {
        using var doc = JsonDocument.Parse(s.Document);
        var read = V1File.Read(Encoding.UTF8.GetBytes(doc.RootElement.GetProperty("input").GetRawText()));
        return read.Assessment is { } a ? V1File.Write(a) : doc.RootElement.GetProperty("input").GetRawText();
    }

    public static Assessment? Input(PublishedSnapshot s)
    {
        using var doc = JsonDocument.Parse(s.Document);
        return V1File.Read(Encoding.UTF8.GetBytes(doc.RootElement.GetProperty("input").GetRawText())).Assessment;
    }
}
