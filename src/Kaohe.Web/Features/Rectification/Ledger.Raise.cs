using System.Globalization;
using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Rectification;

/// <summary>
/// Raising items: a period's findings, deductions, inspections and criticised rankings (with their recurrences), or one item by hand.
/// </summary>
public sealed partial class Ledger
{
    /// <summary>
    /// Raises one item per Finding fact of the period (deductions, and inspection findings with their
    /// photos) and one per unit criticised by each category's published ranking (通报批评 is what the
    /// bulletin announced: a category not yet published raises none). Idempotent: a source already in
    /// the ledger raises nothing. A problem of the same unit and indicator found in an earlier period is
    /// linked to its predecessor (recurrence).
    /// </summary>
    public async Task<RaiseResult> RaiseForPeriodAsync(string periodId, CancellationToken ct = default)
    {
        var existing = (await db.Set<RectificationItem>().Where(i => i.SourceRef != null).Select(i => i.SourceRef!).ToListAsync(ct)).ToHashSet();
        var findings = await db.Facts.AsNoTracking()
            .Where(f => f.PeriodId == periodId && f.Kind == FactKind.Finding && FactStatuses.Counted.Contains(f.Status))
            .OrderBy(f => f.Id).ToListAsync(ct);
        var units = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Id, ct);
        var names = await IndicatorNamesAsync(periodId, ct);
        var deadline = Today.AddDays(Options.DefaultDays);
        var raised = new List<RectificationItem>();
        int fromDeductions = 0, fromInspections = 0, fromRankings = 0;
        foreach (var f in findings)
        {
            var sourceRef = $"fact:{Inv(f.Id)}";
            if (existing.Contains(sourceRef)) continue;
            var p = FactPayload.Parse(f.Payload);
            var inspection = f.Source == FactSources.Inspection;
            var indicator = names.GetValueOrDefault((units.GetValueOrDefault(f.UnitId)?.Kind ?? UnitKind.Division, f.IndicatorId!)) ?? f.IndicatorId!;
            var note = string.IsNullOrWhiteSpace(p.Note) ? "" : "：" + p.Note;
            var points = p.Points is { } pts ? $"（扣{pts.ToString("0.##", CultureInfo.InvariantCulture)}分）" : "";
            var problem = $"{indicator}{note}{points}";
            var item = new RectificationItem(f.UnitId, periodId, problem, inspection ? ItemSources.Inspection : ItemSources.Deduction, sourceRef, f.IndicatorId,
                Severities.General, DefaultResponsible(units.GetValueOrDefault(f.UnitId)), deadline, Now, audit.Actor, f.Id);
            raised.Add(item);
            if (inspection) fromInspections++; else fromDeductions++;
        }
        foreach (var cat in Categories.All)
        {
            var sourcePrefix = $"ranking:{periodId}:{cat.Code}:";
            var published = await results.PublishedAsync(db, periodId, cat.Code, ct);
            if (published is not { Scored: true }) continue;
            foreach (var u in published.Units.Where(u => u.Criticized))
            {
                var sourceRef = sourcePrefix + u.Id;
                if (existing.Contains(sourceRef)) continue;
                var problem = $"{cat.NameZh}考核排名第{u.Rank}位（共{u.GroupSize}个），被通报批评：须说明情况、分析原因，制定整改措施";
                raised.Add(new RectificationItem(u.Id, periodId, problem, ItemSources.Ranking, sourceRef, null, Severities.Serious,
                    DefaultResponsible(units.GetValueOrDefault(u.Id)), deadline, Now, audit.Actor));
                fromRankings++;
            }
        }
        if (raised.Count == 0) return new RaiseResult(0, 0, 0, 0);
        var recurrences = await LinkRecurrencesAsync(periodId, raised, ct);
        db.Set<RectificationItem>().AddRange(raised);
        foreach (var item in raised)
        {
            var i = item;
            audit.Record("rectification.raise", "rectification", () => Inv(i.Id), null,
                new { i.UnitId, i.PeriodId, i.SourceKind, i.SourceRef, i.Problem, i.Deadline, recurrenceOf = i.PredecessorId });
        }
        await audit.SaveAsync(ct);
        foreach (var item in raised)
            db.Set<RectificationEvent>().Add(new RectificationEvent(item.Id, "raise", Ui.T("自动生成整改事项", "raised automatically"), audit.Actor, Now));
        await db.SaveChangesAsync(ct);
        return new RaiseResult(fromDeductions, fromInspections, fromRankings, recurrences);
    }

    private static string DefaultResponsible(OrgUnit? unit) => unit is null ? "单位主要负责人" : $"{unit.Name}主要负责人";

    private Task<Dictionary<(UnitKind, string), string>> IndicatorNamesAsync(string periodId, CancellationToken ct) =>
        SchemeService.IndicatorNamesAsync(db, periodId, ct);

    /// <summary>Links each new item to the latest item of the same unit and indicator (or ranking) from an earlier period.</summary>
    private async Task<int> LinkRecurrencesAsync(string periodId, IReadOnlyList<RectificationItem> raised, CancellationToken ct)
    {
        var order = await PeriodOrderAsync(ct);
        if (!order.TryGetValue(periodId, out var current)) return 0;
        var earlier = order.Where(kv => kv.Value < current).Select(kv => kv.Key).ToList();
        if (earlier.Count == 0) return 0;
        var unitIds = raised.Select(r => r.UnitId).Distinct().ToList();
        var previous = await db.Set<RectificationItem>().AsNoTracking()
            .Where(i => earlier.Contains(i.PeriodId) && unitIds.Contains(i.UnitId) && i.Status != ItemStatus.Merged)
            .Select(i => new { i.Id, i.UnitId, i.PeriodId, i.IndicatorId, i.SourceKind }).ToListAsync(ct);
        var count = 0;
        foreach (var item in raised)
        {
            var key = RecurrenceKey(item.IndicatorId, item.SourceKind);
            if (key is null) continue;
            var pred = previous.Where(p => p.UnitId == item.UnitId && RecurrenceKey(p.IndicatorId, p.SourceKind) == key)
                .OrderByDescending(p => order[p.PeriodId]).ThenByDescending(p => p.Id).FirstOrDefault();
            if (pred is null) continue;
            item.LinkPredecessor(pred.Id);
            count++;
        }
        return count;
    }

    private static string? RecurrenceKey(string? indicatorId, string sourceKind) =>
        sourceKind == ItemSources.Ranking ? "#ranking" : indicatorId;

    /// <summary>Quarters in time order (annual periods are not a "later period" of a quarter).</summary>
    public async Task<Dictionary<string, int>> PeriodOrderAsync(CancellationToken ct = default)
    {
        var periods = await db.Periods.AsNoTracking().Where(p => p.Quarter != null).Select(p => new { p.Id, p.Year, p.Quarter }).ToListAsync(ct);
        return periods.ToDictionary(p => p.Id, p => p.Year * 10 + p.Quarter!.Value);
    }

    public sealed record NewItem(string UnitId, string PeriodId, string Problem, string Severity, string ResponsiblePerson, DateOnly Deadline,
        string? IndicatorId = null, IReadOnlyList<NewMilestone>? Roadmap = null);

    public sealed record NewMilestone(string Title, DateOnly Due);

    public async Task<(RectificationItem? Item, Failure? Error)> CreateAsync(NewItem n, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(n.Problem)) return (null, new(FailureKind.Invalid, "请填写问题描述", "problem is required", "problem"));
        if (string.IsNullOrWhiteSpace(n.ResponsiblePerson)) return (null, new(FailureKind.Invalid, "请填写责任人", "responsiblePerson is required", "responsiblePerson"));
        if (!Severities.All.Contains(n.Severity)) return (null, new(FailureKind.Invalid, $"问题等级“{n.Severity}”无效", $"severity \"{n.Severity}\" is not one of {string.Join(", ", Severities.All)}", "severity"));
        if (!await db.Units.AnyAsync(u => u.Id == n.UnitId, ct)) return (null, new(FailureKind.Invalid, $"单位“{n.UnitId}”不存在", $"unit \"{n.UnitId}\" does not exist", "unitId"));
        if (!await db.Periods.AnyAsync(p => p.Id == n.PeriodId, ct)) return (null, new(FailureKind.Invalid, $"考核期“{n.PeriodId}”不存在", $"period \"{n.PeriodId}\" does not exist", "periodId"));
        if (n.Problem.Length > 2000) return (null, new(FailureKind.Invalid, "问题描述不能超过2000字", "problem is longer than 2000 characters", "problem"));
        for (var k = 0; k < (n.Roadmap?.Count ?? 0); k++)
            if (string.IsNullOrWhiteSpace(n.Roadmap![k].Title)) return (null, new(FailureKind.Invalid, $"第{k + 1}个节点缺少内容", $"roadmap[{k}].title is required", $"roadmap[{k}].title"));
        var item = new RectificationItem(n.UnitId, n.PeriodId, n.Problem.Trim(), ItemSources.Manual, null, n.IndicatorId, n.Severity, n.ResponsiblePerson.Trim(),
            n.Deadline, Now, audit.Actor);
        foreach (var m in n.Roadmap ?? []) item.Roadmap.Add(new Milestone(m.Title.Trim(), m.Due));
        var links = await LinkRecurrencesAsync(n.PeriodId, [item], ct);
        db.Set<RectificationItem>().Add(item);
        audit.Record("rectification.create", "rectification", () => Inv(item.Id), null,
            new { item.UnitId, item.PeriodId, item.Problem, item.Severity, item.ResponsiblePerson, item.Deadline, recurrenceOf = item.PredecessorId });
        await audit.SaveAsync(ct);
        await AddEventAsync(item.Id, "raise", Ui.T("考核办录入", "entered by the office"), ct: ct);
        _ = links;
        return (item, null);
    }
}
