using Kaohe.Data;
using Kaohe.Web.Features.Shared;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Collection;

/// <summary>进度: what is missing per unit, division and leader; what awaits verification; what was late. The office closes scoring here.</summary>
[NotPeriodInputs("moves the stage (ScoringClosure)")]
[Authorize(Roles = Roles.Office)]
public sealed class ProgressModel(KaoheDbContext db, Progress progress, Scoring scoring) : CollectionPage(db)
{
    public ProgressBoard? Board { get; private set; }

    /// <summary>
    /// One page of the units' lines (3,000 at national scale), filtered by category, prefecture, state and text: counted
    /// and filtered by the database (<see cref="Progress.UnitPageAsync"/>); the divisions' and leaders' lists are short.
    /// </summary>
    public Paged<ProgressRow>? UnitRows { get; private set; }

    /// <summary>Whether the period has any unit line before the filters (else the filters are not offered).</summary>
    public bool AnyUnitLines { get; private set; }

    [BindProperty(SupportsGet = true)] public UnitKind? Kind { get; set; }
    [BindProperty(SupportsGet = true)] public string? Prefecture { get; set; }

    /// <summary>pending (something missing, a draft, returned or awaiting verification), complete, late or returned.</summary>
    [BindProperty(SupportsGet = true)] public string? State { get; set; }

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    public IReadOnlyList<Prefecture> Prefectures { get; private set; } = [];

    public async Task OnGetAsync() => await LoadAsync();

    private async Task LoadAsync()
    {
        await LoadPeriodsAsync();
        if (Period is null) return;
        Board = await progress.BoardAsync(Period, withUnits: false, HttpContext.RequestAborted);
        if (Board is null) return;
        Prefectures = await Db.Prefectures.AsNoTracking().OrderBy(p => p.Order).ToListAsync(HttpContext.RequestAborted);
        (UnitRows, AnyUnitLines) = await progress.UnitPageAsync(Period, new ProgressFilter(Kind, Prefecture, State, Q), PageQuery.From(Request), HttpContext.RequestAborted);
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
