using Kaohe.Data;
using Kaohe.Web.Features.Catalog;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Units;

public sealed class IndexModel(KaoheDbContext db) : PageModel
{
    public IReadOnlyList<OrgUnit> Units { get; private set; } = [];
    /// <summary>The prefectures by name (a unit stores its prefecture's id, "lasa").</summary>
    public IReadOnlyDictionary<string, Prefecture> Prefectures { get; private set; } = new Dictionary<string, Prefecture>();

    public async Task OnGetAsync()
    {
        Units = await db.Units.AsNoTracking().Visible(User).OrderBy(u => u.Kind).ThenBy(u => u.Group).ThenBy(u => u.Id).ToListAsync();
        Prefectures = await db.Prefectures.AsNoTracking().ToDictionaryAsync(p => p.Id);
    }
}
