using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Audit;

[NotPeriodInputs("filters the audit trail; a period is a filter, not an input")]
[Authorize(Policy = Policies.Office)]
public sealed class IndexModel(KaoheDbContext db, OfficeTime clock) : PageModel
{
    public const int PageSize = 50;
    public IReadOnlyList<AuditRow> Rows { get; private set; } = [];
    public int Total { get; private set; }
    [BindProperty(SupportsGet = true)] public int P { get; set; }
    [BindProperty(SupportsGet = true)] public string? Period { get; set; }
    [BindProperty(SupportsGet = true)] public string? Unit { get; set; }
    [BindProperty(SupportsGet = true)] public string? Actor { get; set; }
    [BindProperty(SupportsGet = true)] public string? Kind { get; set; }
    public ChainCheck? Check { get; private set; }
    public IReadOnlyList<Period> Periods { get; private set; } = [];
    public IReadOnlyList<OrgUnit> Units { get; private set; } = [];
    public IReadOnlyList<(string Actor, string Name)> Actors { get; private set; } = [];

    public bool Filtered => !string.IsNullOrWhiteSpace(Period) || !string.IsNullOrWhiteSpace(Unit) || !string.IsNullOrWhiteSpace(Actor) || !string.IsNullOrWhiteSpace(Kind);

    public async Task OnGetAsync()
    {
        var reader = new AuditReader(db, clock);
        var q = new AuditFilter(Period, Unit, Actor, Kind).Apply(db, db.AuditEntries.AsNoTracking());
        Total = await q.CountAsync();
        P = Math.Clamp(P, 0, Math.Max(0, (Total - 1) / PageSize));
        var entries = await q.OrderByDescending(e => e.Sequence).Skip(P * PageSize).Take(PageSize).ToListAsync();
        Rows = await reader.RowsAsync(entries);
        Periods = await db.Periods.AsNoTracking().OrderByDescending(p => p.Year).ThenByDescending(p => p.Quarter).ToListAsync();
        Units = await db.Units.AsNoTracking().OrderBy(u => u.Kind).ThenBy(u => u.Id).ToListAsync();
        Actors = await reader.ActorsAsync();
    }

    public async Task<IActionResult> OnPostVerifyAsync()
    {
        Check = await AuditChain.VerifyAsync(db);
        await OnGetAsync();
        return Page();
    }

    /// <summary>The address of another page of the same filter.</summary>
    public string Link(int page) => QueryString.Create(new Dictionary<string, string?>
    {
        ["Period"] = Period, ["Unit"] = Unit, ["Actor"] = Actor, ["Kind"] = Kind, ["P"] = page.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }.Where(kv => !string.IsNullOrEmpty(kv.Value))).ToUriComponent();
}
