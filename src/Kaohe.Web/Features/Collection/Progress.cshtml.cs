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
    /// One page of the units' lines (3,000 at national scale), filtered by category, prefecture, state and text. The
    /// lines are derived from the whole period's facts (what is missing needs every slot), so they are cut after
    /// <see cref="Progress.BoardAsync"/>, with the shared pager; the divisions' and leaders' lists are short.
    /// </summary>
    public Paged<ProgressRow>? UnitRows { get; private set; }

    [BindProperty(SupportsGet = true)] public UnitKind? Kind { get; set; }
    [BindProperty(SupportsGet = true)] public string? Prefecture { get; set; }

    /// <summary>pending (something missing, a draft, returned or awaiting verification), complete, late or returned.</summary>
    [BindProperty(SupportsGet = true)] public string? State { get; set; }

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    public IReadOnlyList<Prefecture> Prefectures { get; private set; } = [];

    private static readonly Sorts<ProgressRow> RowSorts = Sorts<ProgressRow>.By("-pending", r => r.Id)
        .Add("pending", r => r.Missing + r.Awaiting + r.Returned).Add("id", r => r.Id).Add("name", r => r.Name)
        .Add("missing", r => r.Missing).Add("awaiting", r => r.Awaiting).Add("late", r => r.Late);

    public async Task OnGetAsync() => await LoadAsync();

    private async Task LoadAsync()
    {
        await LoadPeriodsAsync();
        if (Period is null) return;
        Board = await progress.BoardAsync(Period, HttpContext.RequestAborted);
        if (Board is null) return;
        Prefectures = await Db.Prefectures.AsNoTracking().OrderBy(p => p.Order).ToListAsync(HttpContext.RequestAborted);
        var units = await Db.Units.AsNoTracking().Select(u => new { u.Id, u.Kind, u.Prefecture }).ToDictionaryAsync(u => u.Id, HttpContext.RequestAborted);
        var rows = Board.Units.Where(r => units.TryGetValue(r.Id, out var u) && (Kind is null || u.Kind == Kind) && (string.IsNullOrEmpty(Prefecture) || u.Prefecture == Prefecture));
        rows = State switch
        {
            "pending" => rows.Where(r => !r.Complete),
            "complete" => rows.Where(r => r.Complete),
            "late" => rows.Where(r => r.Late > 0),
            "returned" => rows.Where(r => r.Returned > 0),
            _ => rows,
        };
        if (Q?.Trim() is { Length: > 0 } q) rows = rows.Where(r => r.Id.Contains(q, StringComparison.OrdinalIgnoreCase) || r.Name.Contains(q, StringComparison.OrdinalIgnoreCase));
        UnitRows = rows.Page(PageQuery.From(Request), RowSorts);
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
