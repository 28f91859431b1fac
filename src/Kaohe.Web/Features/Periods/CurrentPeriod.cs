using Kaohe.Data;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Periods;

/// <summary>
/// The period a picker opens on when none is chosen: the newest quarter that is collecting data. Several may
/// collect at once (a late quarter kept open for a unit's corrections while the next one opens); people then
/// work on the newest, and issue 18 found 填报 opening on 2023-Q3 (all verified, past its deadline) after 2024-Q1
/// had opened. One rule for every page, so that 填报, 评分, 进度, 考核结果 and the analyses agree.
/// </summary>
public static class CurrentPeriod
{
    /// <summary>From periods listed oldest first (as every picker lists them).</summary>
    public static T? Collecting<T>(IEnumerable<T> oldestFirst, Func<T, PeriodStatus> status) where T : class =>
        oldestFirst.LastOrDefault(p => status(p) == PeriodStatus.Collecting);

    public static Period? Collecting(IEnumerable<Period> oldestFirst) =>
        oldestFirst.Where(p => p.Kind == PeriodKind.Quarter).LastOrDefault(p => p.Status == PeriodStatus.Collecting);

    /// <summary>The newest collecting quarter's id, or null when none is collecting.</summary>
    public static Task<string?> CollectingAsync(KaoheDbContext db, CancellationToken ct = default) =>
        db.Periods.AsNoTracking().Where(p => p.Status == PeriodStatus.Collecting && p.Kind == PeriodKind.Quarter)
            .OrderByDescending(p => p.Year).ThenByDescending(p => p.Quarter).Select(p => p.Id).FirstOrDefaultAsync(ct);
}
