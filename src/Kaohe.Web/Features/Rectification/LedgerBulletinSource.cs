using System.Globalization;
using Kaohe.Data;
using Kaohe.Web.Features.Publication;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Rectification;

/// <summary>
/// The bulletin's sections on weaknesses and required rectification, from the ledger (问题整改台账):
/// the weaknesses as the period's deductions show them, and the requirements with the ledger's own
/// count of the period's items and each criticised unit's items (责任人、整改时限), so that the bulletin
/// and the ledger say the same thing.
/// </summary>
public sealed class LedgerBulletinSource(KaoheDbContext db, DeductionRectificationSource deductions) : IBulletinRectificationSource
{
    /// <summary>At most this many items are named one by one; the rest are counted.</summary>
    public const int Named = 20;

    public async Task<BulletinRectification> GetAsync(string periodId, CancellationToken ct = default)
    {
        var weaknesses = (await deductions.GetAsync(periodId, ct)).Weaknesses;
        var items = await db.Set<RectificationItem>().AsNoTracking()
            .Where(i => i.PeriodId == periodId && i.Status != ItemStatus.Merged)
            .Select(i => new { i.Id, i.UnitId, i.Problem, i.SourceKind, i.ResponsiblePerson, i.Deadline, i.Status })
            .OrderBy(i => i.Id).ToListAsync(ct);
        var requirements = new List<string>
        {
            "各单位要对照考核发现的问题，逐项建立问题整改台账，明确责任人、时间表、路线图，确保按期整改到位。",
            "被通报批评的单位要作表态发言，深刻剖析原因，制定整改措施，整改情况按期报厅考核办。",
        };
        if (items.Count > 0)
        {
            var closed = items.Count(i => i.Status == ItemStatus.Closed);
            requirements.Add($"本期考核发现的问题已全部列入问题整改台账，共{items.Count}项，已整改销号{closed}项，正在整改{items.Count - closed}项。");
            var names = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.Name, ct);
            var criticised = items.Where(i => i.SourceKind is ItemSources.Ranking or ItemSources.Criticism).ToList();
            foreach (var i in criticised.Take(Named))
                requirements.Add($"{names.GetValueOrDefault(i.UnitId, i.UnitId)}：{i.Problem}（台账 #{i.Id.ToString(CultureInfo.InvariantCulture)}，责任人{i.ResponsiblePerson}，" +
                    $"整改时限{i.Deadline.ToString("yyyy年M月d日", CultureInfo.InvariantCulture)}）。");
            if (criticised.Count > Named) requirements.Add($"另有通报批评相关整改事项{criticised.Count - Named}项，详见问题整改台账。");
        }
        return new BulletinRectification(weaknesses, requirements);
    }
}
