using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Kaohe.Web.Features.Insight;

/// <summary>经验做法库: search the curated practices; a commended unit submits; the office curates.</summary>
[NotPeriodInputs("the good-practice library")]
[Authorize(Policy = Policies.Staff)]
public sealed class PracticesModel(KaoheDbContext db, PracticeLibrary library, RankingService rankings) : PageModel
{
    public string? Q { get; private set; }
    public string? Period { get; private set; }
    public IReadOnlyList<PracticeDto> Items { get; private set; } = [];
    public UnitResult? MyResult { get; private set; }
    public string? Error { get; private set; }
    public string? Done { get; private set; }

    public async Task OnGetAsync(string? q, string? done)
    {
        Q = q;
        Done = done;
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        Period = await InsightApi.PeriodOrCurrent(db, null);
        Items = await library.SearchAsync(User, Q, null, null);
        // A unit acts on its published result (通报表扬 / 通报批评), in the latest period that published it.
        if (User.IsInRole(Roles.Unit) && User.UnitId() is { } unit && await rankings.LatestPublishedAsync(unit) is { Period: { } published } mine)
            (Period, MyResult) = (published, mine.Unit);
    }

    public async Task<IActionResult> OnPostSubmitAsync(string? title, string? body)
    {
        // The period whose published ranking commended the unit.
        var period = User.UnitId() is { } mine ? (await rankings.LatestPublishedAsync(mine)).Period : null;
        var (_, error) = await library.SubmitAsync(User, period, title, body);
        if (error is not null)
        {
            Error = Ui.T(error.Zh, error.En);
            await LoadAsync();
            return Page();
        }
        return Redirect("/Insight/Practices?done=submitted");
    }

    public async Task<IActionResult> OnPostCurateAsync(long id, string? decision, string? title, string? tags, string? note)
    {
        if (!User.IsInRole(Roles.Office)) return Forbid();
        var (_, error) = await library.CurateAsync(id, decision == "accept", title, null, tags, note);
        if (error is not null)
        {
            Error = Ui.T(error.Zh, error.En);
            await LoadAsync();
            return Page();
        }
        return Redirect("/Insight/Practices?done=curated");
    }
}
