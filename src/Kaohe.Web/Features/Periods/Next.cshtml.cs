using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Periods;

/// <summary>设置下一考核期: choose the previous quarter, see what will be copied, create the next one.</summary>
[NotPeriodInputs("sets up a planned period")]
[Authorize(Policy = Policies.Office)]
public sealed class NextModel(KaoheDbContext db, PeriodSetup setup) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? Deadline { get; set; }
    public IReadOnlyList<Period> Sources { get; private set; } = [];
    public PeriodCopy? Preview { get; private set; }
    public Failure? Failure { get; private set; }

    private async Task LoadAsync()
    {
        var withSchemes = await db.Schemes.AsNoTracking().Where(s => s.Status == SchemeStatus.Active).Select(s => s.PeriodId).Distinct().ToListAsync();
        Sources = [.. (await db.Periods.AsNoTracking().Where(p => p.Kind == PeriodKind.Quarter && withSchemes.Contains(p.Id)).ToListAsync())
            .OrderByDescending(p => p.Year).ThenByDescending(p => p.Quarter)];
        From ??= Sources.FirstOrDefault()?.Id;
    }

    public async Task OnGetAsync()
    {
        await LoadAsync();
        if (From is null) return;
        var outcome = await setup.PreviewAsync(From, Deadline);
        (Preview, Failure) = (outcome.Copy, outcome.Failure);
        if (Preview is not null) Deadline ??= Preview.ReportDeadline;
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var outcome = await setup.CreateNextAsync(From, Deadline);
        if (outcome.Failure is { } f)
        {
            await LoadAsync();
            Failure = f;
            Response.StatusCode = f.Status;
            return Page();
        }
        var c = outcome.Copy!;
        TempData["PeriodMessage"] = Ui.T($"{c.ToLabel}已设置：复制了 {c.Schemes} 套考核方案（草稿）、{c.Assignments} 条评分分工、{c.SurveySites} 个调查点、{c.AdjustmentRules} 条加扣分规则。核对后请发布。",
            $"{c.ToLabel} is set up: {c.Schemes} schemes (drafts), {c.Assignments} assignments, {c.SurveySites} survey sites and {c.AdjustmentRules} bonus/deduction rules copied. Check, then publish.");
        return Redirect("/Periods");
    }
}
