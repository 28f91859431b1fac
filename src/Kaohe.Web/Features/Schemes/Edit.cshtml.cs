using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Schemes;

[NotPeriodInputs("a draft scheme")]
[Authorize(Policy = Policies.Office)]
public sealed class EditModel(KaoheDbContext db, SchemeService schemes) : PageModel
{
    public int Id { get; private set; }
    [BindProperty] public string? Document { get; set; }
    [BindProperty] public string? Reason { get; set; }
    public IReadOnlyList<ValidationError> Errors { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(int id)
    {
        var s = await db.Schemes.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id);
        if (s is null) return NotFound();
        if (s.Status != SchemeStatus.Draft) return Redirect($"/Schemes/Detail/{id}");
        Id = id;
        Document = s.Document;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id)
    {
        Id = id;
        var outcome = await schemes.EditAsync(id, Document ?? "", null, Reason);
        if (outcome.Failure is { } f)
        {
            Errors = f.Paths();
            return Page();
        }
        return Redirect($"/Schemes/Detail/{id}");
    }
}
