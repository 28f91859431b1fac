using Kaohe.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Schemes;

public sealed class IndexModel(KaoheDbContext db) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Period { get; set; }
    public IReadOnlyList<Scheme> Schemes { get; private set; } = [];
    public IReadOnlyList<string> Periods { get; private set; } = [];

    public async Task OnGetAsync()
    {
        Periods = await db.Periods.AsNoTracking().OrderBy(p => p.Year).ThenBy(p => p.Quarter).Select(p => p.Id).ToListAsync();
        var q = db.Schemes.AsNoTracking();
        if (!string.IsNullOrEmpty(Period)) q = q.Where(s => s.PeriodId == Period);
        Schemes = await q.OrderBy(s => s.PeriodId).ThenBy(s => s.Category).ThenByDescending(s => s.Version).ToListAsync();
    }
}
