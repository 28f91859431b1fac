using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Insight;

/// <summary>排名分差 as its page shows it: the ranking analysis and, when the period cannot be ranked yet, who is missing what.</summary>
public sealed record RankingPage(RankingOutcome Outcome, Results.Unfinished? Unfinished);

/// <summary>The progress of an analysis under way, as the API answers it with 202: the step in the reader's language, the percent and the counts of the step.</summary>
public sealed record AnalysisPending(bool Ready, int Percent, string Step, int? Done, int? Total)
{
    public static AnalysisPending Of(AnalysisProgress p) => new(false, p.Percent, Ui.T(p.StepZh, p.StepEn), p.Done, p.Total);
}

/// <summary>
/// 排名分差 and 一页通 as the pages and <c>/api/v1/insight</c> read them from <see cref="Analyses"/>: one key, one version
/// and so one computation for a page and an API client asking for the same analysis (docs/longwork.md).
/// </summary>
public sealed class InsightReads(KaoheDbContext db, Analyses analyses, ResultsAccess access)
{
    /// <summary>
    /// The ranking analysis of a category (with the Monte-Carlo stability, or the margins only), or the reason this person may
    /// not see it now (<paramref name="user"/>'s own access is checked first: a refused person starts nothing).
    /// </summary>
    public async Task<(AnalysisRead<RankingPage>? Read, string? Hidden)> RankingAsync(ClaimsPrincipal user, string period, string category,
        RobustnessBounds bounds, bool withStability, TimeSpan wait, CancellationToken ct = default)
    {
        var grant = await access.RowsAsync(user, period, category, null, ct);
        if (!grant.All) return (null, grant.Reason);
        var role = user.Role();
        var version = $"{await ResultsStore.VersionAsync(db, period, category, ct)}|{bounds}";
        // The language is part of the key: the analysis carries words (a reason, the missing data) in the reader's language.
        var read = await analyses.ReadAsync($"{(withStability ? "ranking" : "margins")}:{period}:{category}:{role}:{Language}", version, async (sp, steps) =>
        {
            steps.At(0, "读取考核结果", "reading the results");
            var outcome = await sp.GetRequiredService<RankingService>().RankAsync(Analyses.AsRole(role), period, category, withStability, steps: steps);
            var unfinished = outcome is { View: null, Errors.Count: > 0 }
                ? await Results.Unfinished.OfAsync(sp.GetRequiredService<KaoheDbContext>(), period, outcome.Errors, outcome.Results?.Assessment)
                : null;
            return new RankingPage(outcome, unfinished);
        }, wait, ct);
        return (read, null);
    }

    /// <summary>
    /// 一页通, computed as the reader's role (office or leader: what each may see is the role's, docs/visibility.md). Its
    /// version is that of every result it reads: this category in every quarter and every category of the period.
    /// </summary>
    public async Task<AnalysisRead<DashboardData>> OverviewAsync(ClaimsPrincipal user, string period, string category, TimeSpan wait, CancellationToken ct = default)
    {
        var quarters = await db.Periods.AsNoTracking().Where(p => p.Kind == PeriodKind.Quarter).Select(p => p.Id).ToListAsync(ct);
        var versions = new List<string>();
        foreach (var q in quarters.Order(StringComparer.Ordinal)) versions.Add($"{q}/{category}={await ResultsStore.VersionAsync(db, q, category, ct)}");
        foreach (var c in Categories.All) versions.Add($"{period}/{c.Code}={await ResultsStore.VersionAsync(db, period, c.Code, ct)}");
        var role = user.Role();
        // The language is part of the key: the overview carries names and reasons in the reader's language.
        return await analyses.ReadAsync($"overview:{period}:{category}:{role}:{Language}", string.Join("|", versions),
            (sp, steps) => sp.GetRequiredService<DashboardService>().BuildAsync(Analyses.AsRole(role), period, category, steps: steps), wait, ct);
    }

    private static string Language => Ui.IsEnglish ? "en" : "zh";
}
