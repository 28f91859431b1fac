using Kaohe.Web.Data;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Periods;

public sealed class IndexModel(KaoheDbContext db) : PageModel
{
    public IReadOnlyList<Period> Periods { get; private set; } = [];
    public IReadOnlyDictionary<string, int> SchemeCounts { get; private set; } = new Dictionary<string, int>();

    public async Task OnGetAsync()
    {
        Periods = await db.Periods.AsNoTracking().OrderBy(p => p.Year).ThenBy(p => p.Quarter == null).ThenBy(p => p.Quarter).ToListAsync();
        SchemeCounts = await db.Schemes.AsNoTracking().GroupBy(s => s.PeriodId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count);
    }
}
