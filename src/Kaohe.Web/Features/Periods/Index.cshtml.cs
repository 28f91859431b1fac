using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Periods;

[NotPeriodInputs("moves the stage (Planned to Collecting)")]
public sealed class IndexModel(KaoheDbContext db, PeriodSetup setup) : PageModel
{
    public IReadOnlyList<Period> Periods { get; private set; } = [];
    public IReadOnlyDictionary<string, int> SchemeCounts { get; private set; } = new Dictionary<string, int>();
    [TempData(Key = "PeriodMessage")] public string? Message { get; set; }
    public Failure? Failure { get; private set; }

    public async Task OnGetAsync() => await LoadAsync();

    private async Task LoadAsync()
    {
        Periods = await db.Periods.AsNoTracking().OrderBy(p => p.Year).ThenBy(p => p.Quarter == null).ThenBy(p => p.Quarter).ToListAsync();
        SchemeCounts = await db.Schemes.AsNoTracking().GroupBy(s => s.PeriodId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count);
    }

    /// <summary>发布考核期 (office only): activates the period's draft schemes and starts collection.</summary>
    public async Task<IActionResult> OnPostPublishAsync(string period)
    {
        if (!User.IsOffice()) return Forbid();
        Failure = await setup.PublishAsync(period);
        if (Failure is { } f)
        {
            await LoadAsync();
            Response.StatusCode = f.Status;
            return Page();
        }
        var label = (await db.Periods.AsNoTracking().FirstAsync(p => p.Id == period)).Label(Ui.IsEnglish);
        Message = Ui.T($"{label}已发布，开始数据收集。", $"{label} is published: collection has started.");
        return Redirect("/Periods");
    }
}
