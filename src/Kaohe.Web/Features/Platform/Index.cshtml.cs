using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Platform;

public sealed record PlatformSummary(string Platform, int Facts, int Units, DateTimeOffset Latest);

/// <summary>大数据: what each platform pushed in a period, with the keys and what they may write.</summary>
[Authorize(Policy = Policies.Office)]
public sealed class IndexModel(KaoheDbContext db) : PageModel
{
    public string Period { get; private set; } = "2023-Q1";
    public IReadOnlyList<string> Periods { get; private set; } = [];
    public IReadOnlyList<ApiKey> Keys { get; private set; } = [];
    public IReadOnlyList<PlatformSummary> Summaries { get; private set; } = [];
    public IReadOnlyList<Fact> Recent { get; private set; } = [];
    public IReadOnlyDictionary<string, string> UnitNames { get; private set; } = new Dictionary<string, string>();

    public static string PlatformName(string author) => author.StartsWith("platform:", StringComparison.Ordinal) ? author["platform:".Length..] : author;

    public async Task OnGetAsync(string? period)
    {
        Periods = await db.Periods.AsNoTracking().OrderBy(p => p.Year).ThenBy(p => p.Quarter).Select(p => p.Id).ToListAsync();
        if (period is not null && Periods.Contains(period)) Period = period;
        Keys = await db.ApiKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync();
        var facts = await db.Facts.AsNoTracking().Where(f => f.PeriodId == Period && f.Source == FactSources.Platform).OrderByDescending(f => f.Id).ToListAsync();
        Summaries = facts.GroupBy(f => f.Author).Select(g => new PlatformSummary(PlatformName(g.Key), g.Count(), g.Select(f => f.UnitId).Distinct().Count(), g.Max(f => f.RecordedAt)))
            .OrderBy(s => s.Platform).ToList();
        Recent = facts.Take(100).ToList();
        UnitNames = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.Name);
    }
}
