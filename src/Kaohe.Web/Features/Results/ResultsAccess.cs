using System.Security.Claims;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Results;

/// <summary>Where a period's results of one category stand, for what people may see of them (docs/visibility.md).</summary>
public enum ResultsStage
{
    /// <summary>考核期未发布: set up, nothing collected.</summary>
    Planned,
    /// <summary>采集中: data and scores are coming in; leaders rate blind.</summary>
    Collecting,
    /// <summary>评分已截止: the office closed scoring; leaders may see each other's ratings.</summary>
    ScoringClosed,
    /// <summary>申诉复核: the draft is shown to each unit for appeal.</summary>
    Review,
    /// <summary>已公布: a snapshot of the category is published.</summary>
    Published,
}

/// <summary>
/// Who reads results by role, before and after publication: the one rule behind the ranking pages'
/// <c>[Authorize]</c>, the draft-data API, the bulletin's download and the bulletin job.
/// </summary>
public static class ResultReaders
{
    /// <summary>The roles that read every unit's results and drafts (a unit reads its own, per <see cref="ResultsAccess"/>).</summary>
    public const string Roles = $"{Kaohe.Data.Roles.Office},{Kaohe.Data.Roles.Leader},{Kaohe.Data.Roles.Viewer},{Kaohe.Data.Roles.Division}";

    private static readonly string[] All = Roles.Split(',');

    public static bool ReadsAll(ClaimsPrincipal user) => All.Contains(user.Role());

    /// <summary>The bulletin of a period: a results reader at any time, a unit once something of the period is published.</summary>
    public static async Task<bool> MayReadBulletinAsync(ClaimsPrincipal user, string period, KaoheDbContext db, CancellationToken ct = default) =>
        ReadsAll(user) || (user.Role() == Kaohe.Data.Roles.Unit && await db.Snapshots.AnyAsync(s => s.PeriodId == period, ct));
}

/// <summary>Which rows of a ranking a person may see: none (with the reason), only their own unit's, or all.</summary>
public sealed record RowsGrant(bool All, string? OwnUnit, string? ReasonZh = null, string? ReasonEn = null)
{
    public static RowsGrant Everyone { get; } = new(true, null);

    public static RowsGrant Own(string unit) => new(false, unit);

    public static RowsGrant None(string zh, string en) => new(false, null, zh, en);

    public bool Any => All || OwnUnit is not null;

    public bool Sees(string unit) => All || OwnUnit == unit;

    public string Reason => Ui.T(ReasonZh ?? "无权查看", ReasonEn ?? "not visible to you");
}

/// <summary>
/// Who sees which numbers when: the one rule set for drafts, explanations, dashboards and exports
/// (docs/visibility.md, "Results"). Published results are open to everyone signed in; before that:
/// <list type="bullet">
/// <item>the office and viewers see every draft;</item>
/// <item>a leader never sees another leader's rating, directly or derivably, until the office closes
/// scoring: a category whose scheme has a leaf rated by leaders (its score, the totals and everything
/// computed from them would give the other leader's rating away) is hidden from leaders while collecting;</item>
/// <item>a division sees the draft rankings, and explanations only of the (unit, indicator) pairs assigned
/// to it, and of its own unit from the review window;</item>
/// <item>a unit sees its own draft only from the review window (申诉复核期);</item>
/// <item>an assessor sees no results.</item>
/// </list>
/// </summary>
public sealed class ResultsAccess(KaoheDbContext db)
{
    /// <summary>
    /// The stage of a period's category as the stage guard reads it (<see cref="PeriodStages"/>, docs/stages.md): published
    /// once a snapshot exists, whatever the period's status; collecting split by whether the office closed scoring.
    /// </summary>
    public async Task<ResultsStage?> StageAsync(string periodId, string category, CancellationToken ct = default) =>
        await PeriodStages.StateAsync(db, periodId, category, ct) switch
        {
            null => null,
            { Stage: PeriodStage.Planned } => ResultsStage.Planned,
            { Stage: PeriodStage.Collecting, ScoringClosed: true } => ResultsStage.ScoringClosed,
            { Stage: PeriodStage.Collecting } => ResultsStage.Collecting,
            { Stage: PeriodStage.Review } => ResultsStage.Review,
            _ => ResultsStage.Published,
        };

    /// <summary>Which rows of the results of a period's category this person may see now.</summary>
    public Task<RowsGrant> RowsAsync(ClaimsPrincipal user, string periodId, string category, ResultsView? view = null, CancellationToken ct = default) =>
        RowsAsync(user.Role(), user.UnitId(), periodId, category, view, ct);

    /// <summary>As above, for a person known by role and unit (a background job's owner).</summary>
    public async Task<RowsGrant> RowsAsync(string role, string? unitId, string periodId, string category, ResultsView? view = null, CancellationToken ct = default)
    {
        if (!Roles.People.Contains(role)) return RowsGrant.None("无权查看考核结果", "you may not see assessment results");
        var stage = await StageAsync(periodId, category, ct);
        if (stage is null) return RowsGrant.None("考核期不存在", "no such period");
        // Published results are issued to everyone (the bulletin goes to every unit).
        if (stage == ResultsStage.Published || role is Roles.Office or Roles.Viewer or Roles.Division) return RowsGrant.Everyone;
        if (role == Roles.Assessor) return RowsGrant.None("考核结果公布后才能查看", "the results are shown once published");
        if (role == Roles.Unit)
        {
            return stage == ResultsStage.Review && unitId is { } unit
                ? RowsGrant.Own(unit)
                : RowsGrant.None("申诉复核期开始后才能查看本单位的考核结果草稿", "your unit's draft results are shown from the review window on");
        }
        // A leader.
        if (stage is ResultsStage.Planned or ResultsStage.Collecting && await LeaderRatedAsync(periodId, category, view, ct))
            return RowsGrant.None("评分截止前不显示含厅领导评价的考核结果（领导之间互不知晓评分）",
                "results that include the leaders' ratings are shown once scoring closes (leaders rate without seeing each other's ratings)");
        return RowsGrant.Everyone;
    }

    /// <summary>Whether this person may read how a unit's total (node null) or one node was computed.</summary>
    public async Task<bool> MayExplainAsync(ClaimsPrincipal user, string periodId, string category, string unit, string? node, ResultsView? view = null,
        CancellationToken ct = default)
    {
        var rows = await RowsAsync(user, periodId, category, view, ct);
        if (user.Role() == Roles.Division)
        {
            // Its own unit like any unit: from the review window or publication.
            if (user.UnitId() == unit && await StageAsync(periodId, category, ct) is ResultsStage.Review or ResultsStage.Published) return true;
            if (node is null) return false;
            var division = user.UnitId();
            return await db.Assignments.AnyAsync(a => a.Kind == AssignmentKind.Division && a.Assignee == division && a.PeriodId == periodId
                && a.UnitId == unit && a.IndicatorId == node, ct);
        }
        if (user.Role() == Roles.Unit) return user.UnitId() == unit && (rows.Any || await StageAsync(periodId, category, ct) == ResultsStage.Published);
        return rows.Sees(unit);
    }

    /// <summary>
    /// Whether the category's results carry a leaf that leaders rate (a raters leaf whose raters are all
    /// leaders' rater ids; the annual leadership evaluation of a year).
    /// </summary>
    private async Task<bool> LeaderRatedAsync(string periodId, string category, ResultsView? view, CancellationToken ct)
    {
        if (!periodId.Contains('-'))
            return int.TryParse(periodId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var year)
                && await db.Set<AnnualSetting>().AnyAsync(s => s.Year == year && s.Category == category && s.Leadership > 0, ct);
        IReadOnlyList<Indicator>? indicators = view?.Assessment?.Indicators;
        if (indicators is null)
        {
            var scheme = await db.Schemes.AsNoTracking().Where(s => s.PeriodId == periodId && s.Category == category && s.Status == SchemeStatus.Active)
                .OrderByDescending(s => s.Version).FirstOrDefaultAsync(ct);
            indicators = scheme is null ? null : Schemes.SchemeService.Parse(scheme).Indicators;
        }
        if (indicators is null) return false;
        var leaders = (await db.Users.AsNoTracking().Where(u => u.Role == Roles.Leader && u.RaterId != null).Select(u => u.RaterId!).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);
        return IndicatorTree.Leaves(indicators).Any(l => l.Method is RatersMethod r && r.Raters.Count > 0 && r.Raters.All(x => leaders.Contains(x.Id)));
    }

}
