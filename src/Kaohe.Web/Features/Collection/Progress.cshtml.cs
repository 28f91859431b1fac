using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Kaohe.Web.Features.Collection;

/// <summary>进度: what is missing per unit, division and leader; what awaits verification; what was late. The office closes scoring here.</summary>
[NotPeriodInputs("moves the stage (ScoringClosure)")]
[Authorize(Roles = Roles.Office)]
public sealed class ProgressModel(KaoheDbContext db, Progress progress, Scoring scoring) : CollectionPage(db)
{
    public ProgressBoard? Board { get; private set; }

    public async Task OnGetAsync() => await LoadAsync();

    private async Task LoadAsync()
    {
        await LoadPeriodsAsync();
        if (Period is not null) Board = await progress.BoardAsync(Period, HttpContext.RequestAborted);
    }

    public async Task<IActionResult> OnPostCloseAsync()
    {
        await LoadPeriodsAsync();
        if (await scoring.CloseAsync(User, Period!, HttpContext.RequestAborted) is { } e) Fail(e);
        else Message = Ui.T("已结束本期评分", "Scoring is closed for this period");
        await LoadAsync();
        return Page();
    }
}
