using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Audit;

[NotPeriodInputs("checks the audit chain")]
[Authorize(Policy = Policies.Office)]
public sealed class IndexModel(KaoheDbContext db) : PageModel
{
    public const int PageSize = 50;
    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];
    public int Total { get; private set; }
    [BindProperty(SupportsGet = true)] public int P { get; set; }
    public ChainCheck? Check { get; private set; }

    public async Task OnGetAsync()
    {
        Total = await db.AuditEntries.CountAsync();
        Entries = await db.AuditEntries.AsNoTracking().OrderByDescending(e => e.Sequence).Skip(Math.Max(0, P) * PageSize).Take(PageSize).ToListAsync();
    }

    public async Task<IActionResult> OnPostVerifyAsync()
    {
        Check = await AuditChain.VerifyAsync(db);
        await OnGetAsync();
        return Page();
    }
}
