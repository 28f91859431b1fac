using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Results;

/// <summary>
/// The results of a period, one ranking group (排名组) at a time: ranks, totals, the top-2 commended
/// and bottom-2 criticised, margins to the neighbours. A published period shows its latest
/// published snapshot; any other period the live draft. Both come from <see cref="ResultsStore"/>,
/// so a request costs a few small queries and the rendering of one group. Who sees what when is
/// <see cref="ResultsAccess"/>'s (a leader sees no results that include leaders' ratings before scoring closes).
/// </summary>
[Authorize(Roles = $"{Roles.Office},{Roles.Leader},{Roles.Viewer},{Roles.Division}")]
public sealed class IndexModel(KaoheDbContext db, ResultsStore store, ResultsAccess access) : PageModel
{
    /// <summary>At most this many search matches are listed.</summary>
    public const int MaxMatches = 20;

    public string? Period { get; set; }
    public string Category { get; set; } = "housing";
    public IReadOnlyList<string> Periods { get; private set; } = [];
    public ResultsView? View { get; private set; }

    /// <summary>Set while the results of the current inputs are being computed: <see cref="View"/> is then the older results (or null when none were computed yet).</summary>
    public ComputationProgress? Computing { get; private set; }
    public RankingGroup? Group { get; private set; }
    public int GroupIndex { get; private set; }
    public string? Query { get; private set; }
    public string? Highlight { get; private set; }
    public IReadOnlyList<UnitResult> Matches { get; private set; } = [];

    /// <summary>Who is missing what, when the period's data cannot be scored yet.</summary>
    public Unfinished? Unfinished { get; private set; }

    /// <summary>Why the results are not shown to this person now; null when they are.</summary>
    public string? Hidden { get; private set; }

    public async Task OnGetAsync(string? period, string? category, string? group, string? unit, string? q)
    {
        // One query for the selector, the default period and the status.
        var periods = await db.Periods.AsNoTracking().OrderBy(p => p.Year).ThenBy(p => p.Quarter).Select(p => new { p.Id, p.Status }).ToListAsync();
        Periods = [.. periods.Select(p => p.Id)];
        var chosen = periods.FirstOrDefault(p => p.Id == period) ?? Features.Periods.CurrentPeriod.Collecting(periods, p => p.Status) ?? periods.FirstOrDefault();
        Period = chosen?.Id;
        Category = Categories.Find(category)?.Code ?? "housing";
        if (chosen is null) return;
        // Never a long wait (issue 9): when the inputs changed and the computation takes longer than
        // PageWait, the older results are shown with a banner (or a progress page) that refreshes itself.
        var grant = await access.RowsAsync(User, chosen.Id, Category, null, HttpContext.RequestAborted);
        if (!grant.All)
        {
            Hidden = grant.Reason;
            return;
        }
        var read = await store.CurrentOrStaleAsync(db, chosen.Id, Category, store.PageWait, HttpContext.RequestAborted);
        View = read?.View;
        Computing = read?.Progress;
        if (View is { Scored: false, NoScheme: false, Errors.Count: > 0 })
        {
            Unfinished = await Unfinished.OfAsync(db, chosen.Id, View.Errors, View.Assessment, ct: HttpContext.RequestAborted);
        }
        if (View is not { Scored: true } || View.Groups.Count == 0) return;

        Query = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        if (unit is not null && View.ByUnit.TryGetValue(unit, out var target)) Highlight = target.Id;
        else if (Query is not null)
        {
            Matches = [.. View.Units
                .Where(u => u.Name.Contains(Query, StringComparison.OrdinalIgnoreCase) || u.Id.Equals(Query, StringComparison.OrdinalIgnoreCase))
                .OrderBy(u => u.Group, StringComparer.Ordinal).ThenBy(u => u.Rank).Take(MaxMatches + 1)];
            if (Matches.Count == 1) Highlight = Matches[0].Id;
        }
        Group = (Highlight is not null ? View.GroupOf(Highlight) : null)
            ?? View.Group(group)
            ?? (Matches.Count > 0 ? View.GroupOf(Matches[0].Id) : null)
            ?? View.Groups[0];
        GroupIndex = View.Groups.ToList().IndexOf(Group);
    }

    public string Link(string? group = null, string? unit = null)
    {
        var url = $"/Results?period={Uri.EscapeDataString(Period ?? "")}&category={Uri.EscapeDataString(Category)}";
        if (group is not null) url += "&group=" + Uri.EscapeDataString(group);
        if (unit is not null) url += "&unit=" + Uri.EscapeDataString(unit);
        return url;
    }

    public string EventsUrl => $"/api/v1/results/{Uri.EscapeDataString(Period ?? "")}/{Uri.EscapeDataString(Category)}/events";

    public string ProgressUrl => $"/api/v1/results/{Uri.EscapeDataString(Period ?? "")}/{Uri.EscapeDataString(Category)}/progress";

    /// <summary>
    /// Whether this page links a unit's scores to their explanation: a division may read only its own unit's and its
    /// assigned leaves' (ResultsAccess.MayExplainAsync), never another unit's total or top-level aspects, so those are
    /// shown as plain numbers instead of links that answer 404 (found by the page walk).
    /// </summary>
    public bool Explains(string unit) => User.Role() != Roles.Division || User.UnitId() == unit;

    public string ExplainLink(string unit, string? node = null) =>
        $"/Results/Explain?period={Uri.EscapeDataString(Period ?? "")}&category={Uri.EscapeDataString(Category)}&unit={Uri.EscapeDataString(unit)}"
        + (node is null ? "" : "&node=" + Uri.EscapeDataString(node));
}
