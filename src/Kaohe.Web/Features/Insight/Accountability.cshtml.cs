using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Insight;

/// <summary>表态发言与点评: a criticised unit's cause analysis and commitments, and the leaders' comments on each unit's result.</summary>
[NotPeriodInputs("cause analyses and comments")]
[Authorize(Policy = Policies.Staff)]
public sealed class AccountabilityModel(KaoheDbContext db, CauseAnalyses analyses, LeaderComments comments, RankingService rankings) : PageModel
{
    public const int CommitmentRows = 3;

    public string? Period { get; private set; }
    public IReadOnlyList<CauseAnalysisDto> Analyses { get; private set; } = [];
    public IReadOnlyList<CommentDto> Comments { get; private set; } = [];
    public IReadOnlyList<OrgUnit> Units { get; private set; } = [];
    public UnitResult? MyResult { get; private set; }
    public bool MayComment { get; private set; }
    public string? Error { get; private set; }
    public IDictionary<string, string[]>? Fields { get; private set; }
    public string? Done { get; private set; }

    public async Task OnGetAsync(string? done)
    {
        Done = done;
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        Period = await InsightApi.PeriodOrCurrent(db, null);
        Analyses = await analyses.ListAsync(User, null, null);
        Comments = (await comments.ListAsync(User, null, null)).Comments ?? [];
        MayComment = LeaderComments.MayComment(User);
        if (MayComment) Units = await db.Units.AsNoTracking().OrderBy(u => u.Kind).ThenBy(u => u.Group).ThenBy(u => u.Id).ToListAsync();
        // A unit acts on its published result (通报表扬 / 通报批评), in the latest period that published it.
        if (User.IsInRole(Roles.Unit) && User.UnitId() is { } unit && await rankings.LatestPublishedAsync(unit) is { Period: { } published } mine)
            (Period, MyResult) = (published, mine.Unit);
    }

    public async Task<IActionResult> OnPostAnalysisAsync(string? causes)
    {
        var list = new List<Commitment>();
        for (var i = 0; i < CommitmentRows; i++)
        {
            string? F(string name) => Request.Form[$"{name}{i}"].ToString() is { Length: > 0 } v ? v.Trim() : null;
            var (problem, person, deadline, indicator) = (F("problem"), F("responsible"), F("deadline"), F("indicator"));
            if (problem is null && person is null && deadline is null && indicator is null) continue;
            list.Add(new Commitment(problem, person, DateOnly.TryParse(deadline, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : null, indicator));
        }
        // The period whose published ranking criticised the unit.
        var period = User.UnitId() is { } mine ? (await rankings.LatestPublishedAsync(mine)).Period : null;
        var (_, error) = await analyses.SubmitAsync(User, period, causes, list);
        if (error is not null)
        {
            Error = Ui.T(error.Zh, error.En);
            Fields = error.Errors;
            await LoadAsync();
            return Page();
        }
        return Redirect("/Insight/Accountability?done=analysis");
    }

    public async Task<IActionResult> OnPostCommentAsync(string? unit, string? text)
    {
        var period = await InsightApi.PeriodOrCurrent(db, null);
        var (_, error) = await comments.AddAsync(User, period, unit, text);
        if (error is not null)
        {
            if (error.Status == 403) return Forbid();
            Error = Ui.T(error.Zh, error.En);
            Fields = error.Errors;
            await LoadAsync();
            return Page();
        }
        return Redirect("/Insight/Accountability?done=comment");
    }
}
