using System.ComponentModel.DataAnnotations;
using Kaohe.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Kaohe.Web.Infrastructure;

namespace Kaohe.Web.Features.Publication;

/// <summary>The office edits the bulletin's narrative paragraphs before generating it; defaults come from the data.</summary>
[NotPeriodInputs("the bulletin text")]
[Authorize(Roles = Roles.Office)]
public sealed class NarrativeModel(KaoheDbContext db, Bulletins bulletins) : PageModel
{
    [BindProperty(SupportsGet = true)] public string Period { get; set; } = "";
    public Period? Current { get; private set; }
    public bool Stored { get; private set; }
    [BindProperty, Required, StringLength(100)] public string DocumentNumber { get; set; } = "";
    [BindProperty, StringLength(20000)] public string? Overview { get; set; }
    [BindProperty, StringLength(20000)] public string? GoodPractices { get; set; }
    [BindProperty, StringLength(20000)] public string? Weaknesses { get; set; }
    [BindProperty, StringLength(20000)] public string? Rectification { get; set; }

    private async Task<bool> LoadAsync()
    {
        Current = await db.Periods.AsNoTracking().FirstOrDefaultAsync(p => p.Id == Period);
        if (Current is null) return false;
        Stored = await db.Set<BulletinNarrative>().AnyAsync(n => n.PeriodId == Period);
        return true;
    }

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await LoadAsync()) return NotFound();
        var n = await bulletins.NarrativeAsync(Current!, await bulletins.ResultsAsync(Period));
        (DocumentNumber, Overview, GoodPractices, Weaknesses, Rectification) = (n.DocumentNumber, n.Overview, n.GoodPractices, n.Weaknesses, n.Rectification);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await LoadAsync()) return NotFound();
        if (!ModelState.IsValid) return Page();
        await bulletins.SaveNarrativeAsync(Period, DocumentNumber, Overview ?? "", GoodPractices ?? "", Weaknesses ?? "", Rectification ?? "");
        TempData["Message"] = Infrastructure.Ui.T("通报文字已保存", "The narrative is saved");
        return RedirectToPage("/Publication/Index", new { period = Period });
    }
}
