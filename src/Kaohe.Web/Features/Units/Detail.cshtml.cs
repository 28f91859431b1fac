using Kaohe.Data;
using Kaohe.Web.Features.Catalog;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Units;

public sealed class DetailModel(KaoheDbContext db) : PageModel
{
    public OrgUnit Unit { get; private set; } = null!;
    public IReadOnlyList<Fact> Facts { get; private set; } = [];
    public Prefecture? Prefecture { get; private set; }
    /// <summary>The divisions by name, for the raters of 多方评分 facts.</summary>
    public IReadOnlyDictionary<string, string> DivisionNames { get; private set; } = new Dictionary<string, string>();

    public async Task<IActionResult> OnGetAsync(string id)
    {
        var unit = await db.Units.AsNoTracking().Visible(User).FirstOrDefaultAsync(u => u.Id == id);
        if (unit is null) return NotFound();
        Unit = unit;
        Prefecture = unit.Prefecture is null ? null : await db.Prefectures.AsNoTracking().FirstOrDefaultAsync(p => p.Id == unit.Prefecture);
        DivisionNames = await db.Units.AsNoTracking().Where(u => u.Kind == UnitKind.Division).ToDictionaryAsync(u => u.Id, u => Ui.IsEnglish ? u.NameEn : u.Name);
        Facts = await db.Facts.AsNoTracking().VisibleTo(User, db).Where(f => f.UnitId == id).OrderBy(f => f.PeriodId).ThenBy(f => f.IndicatorId).Take(500).ToListAsync();
        return Page();
    }
}
