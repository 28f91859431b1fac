using Kaohe.Data;
using Kaohe.Web.Features.Catalog;
using Kaohe.Web.Features.Facts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Units;

public sealed class DetailModel(KaoheDbContext db) : PageModel
{
    public OrgUnit Unit { get; private set; } = null!;
    public IReadOnlyList<Fact> Facts { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string id)
    {
        var unit = await db.Units.AsNoTracking().Visible(User).FirstOrDefaultAsync(u => u.Id == id);
        if (unit is null) return NotFound();
        Unit = unit;
        Facts = await db.Facts.AsNoTracking().VisibleTo(User, db).Where(f => f.UnitId == id).OrderBy(f => f.PeriodId).ThenBy(f => f.IndicatorId).Take(500).ToListAsync();
        return Page();
    }
}
