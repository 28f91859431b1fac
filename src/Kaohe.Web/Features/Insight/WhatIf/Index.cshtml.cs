using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Insight.WhatIf;

/// <summary>测算沙盘: the office's what-if sandboxes.</summary>
[NotPeriodInputs("a sandbox")]
[Authorize(Policy = Policies.Office)]
public sealed class IndexModel(KaoheDbContext db, WhatIfService whatIf) : PageModel
{
    public IReadOnlyList<WhatIfSandbox> Sandboxes { get; private set; } = [];
    public IReadOnlyList<string> Periods { get; private set; } = [];
    public string? CurrentPeriod { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync()
    {
        Sandboxes = await db.Set<WhatIfSandbox>().AsNoTracking().OrderByDescending(s => s.Id).Take(100).ToListAsync();
        Periods = await db.Periods.AsNoTracking().Where(p => p.Kind == PeriodKind.Quarter).OrderBy(p => p.Year).ThenBy(p => p.Quarter).Select(p => p.Id).ToListAsync();
        CurrentPeriod = await InsightApi.PeriodOrCurrent(db, null);
    }

    public async Task<IActionResult> OnPostAsync(string? period, string? category, string? name)
    {
        var (sandbox, failure) = await whatIf.CreateAsync(period ?? "", category ?? "", name);
        if (failure is not null)
        {
            Error = Ui.T(failure.Zh, failure.En);
            await OnGetAsync();
            return Page();
        }
        return Redirect($"/Insight/WhatIf/Edit/{sandbox!.Id}");
    }
}
