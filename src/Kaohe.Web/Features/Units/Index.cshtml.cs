using Kaohe.Data;
using Kaohe.Web.Features.Catalog;
using Kaohe.Web.Features.Shared;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Units;

/// <summary>被考核单位: 3,000 at national scale, so the list pages, sorts and filters (category, prefecture, text) in the database.</summary>
public sealed class IndexModel(KaoheDbContext db) : PageModel
{
    [BindProperty(SupportsGet = true)] public UnitKind? Kind { get; set; }
    [BindProperty(SupportsGet = true)] public string? Prefecture { get; set; }
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }

    public Paged<OrgUnit> Units { get; private set; } = null!;
    public IReadOnlyList<Prefecture> Prefectures { get; private set; } = [];
    public IReadOnlyDictionary<string, string> PrefectureNames { get; private set; } = new Dictionary<string, string>();

    private static readonly Sorts<OrgUnit> UnitSorts = Sorts<OrgUnit>.By("kind", u => u.Id)
        .Add("kind", u => u.Kind, u => u.Group)
        .Add("id", u => u.Id)
        .Add("name", u => u.Name)
        .Add("group", u => u.Group)
        .Add("prefecture", u => u.Prefecture);

    public async Task OnGetAsync(CancellationToken ct)
    {
        Prefectures = await db.Prefectures.AsNoTracking().OrderBy(p => p.Order).ToListAsync(ct);
        PrefectureNames = Prefectures.ToDictionary(p => p.Id, p => Ui.IsEnglish ? p.NameEn : p.Name);
        var q = db.Units.AsNoTracking().Visible(User);
        if (Kind is { } k) q = q.Where(u => u.Kind == k);
        if (!string.IsNullOrWhiteSpace(Prefecture)) q = q.Where(u => u.Prefecture == Prefecture);
        // Case-insensitive on both databases: lower() on each side (SQLite's instr and PostgreSQL's strpos compare case).
        if (Q?.Trim().ToLowerInvariant() is { Length: > 0 } text)
            q = q.Where(u => u.Id.ToLower().Contains(text) || u.Name.ToLower().Contains(text) || u.NameEn.ToLower().Contains(text) || u.Group.ToLower().Contains(text));
        Units = await q.PageAsync(PageQuery.From(Request), UnitSorts, ct);
    }
}
