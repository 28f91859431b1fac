using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Results;
using System.Security.Claims;
using Kaohe.Web.Features.Schemes;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Insight;

public sealed record RankBar(string Unit, string Name, double Total, int Rank, bool Commended, bool Criticized, bool Vetoed);
public sealed record RankGroup(string Group, IReadOnlyList<RankBar> Units);
public sealed record HeatIndicator(string Id, string Name, string Aspect);
public sealed record Heatmap(IReadOnlyList<string> Units, IReadOnlyList<string> UnitNames, IReadOnlyList<HeatIndicator> Indicators, IReadOnlyList<double[]> Cells);
public sealed record TrendSeries(string Unit, string Name, IReadOnlyList<double?> Totals);
public sealed record YearOnYear(string Unit, string Name, string Period, double Total, string? LastYearPeriod, double? LastYearTotal);
public sealed record Trend(IReadOnlyList<string> Periods, IReadOnlyList<TrendSeries> Series, IReadOnlyList<YearOnYear> YearOnYear);
public sealed record AspectDeduction(string Aspect, string Name, double PointsLost, int Findings);
public sealed record Cut(string Category, string CategoryName, string Group, string Kind, double Gap, IReadOnlyList<string> Inside, IReadOnlyList<string> Outside);
public sealed record Outcome(string Category, string CategoryName, string Group, string Unit, string Name, int Rank, double Total, bool Commended, bool Criticized);

/// <remarks><c>Hidden</c>: why this person may not see the category's results now (docs/visibility.md); the other categories' outcomes and cuts are left out likewise.</remarks>
public sealed record DashboardData(
    string PeriodId, string Category, string CategoryName, IReadOnlyList<string> Periods, bool Computable, IReadOnlyList<ValidationError> Errors,
    IReadOnlyList<RankGroup> Rankings, Heatmap? Heatmap, Trend Trend, InvestmentHeadline Investment, IReadOnlyList<AspectDeduction> Deductions,
        IReadOnlyList<Outcome> Outcomes, IReadOnlyList<Cut> Cuts, string? Hidden = null,
    [property: System.Text.Json.Serialization.JsonIgnore] Results.Unfinished? Unfinished = null);

/// <summary>
/// The data behind the dashboards and the leaders' overview: rankings per group, a unit × indicator
/// heat map of ratings, each unit's trend across the periods that have data, the investment headline,
/// the deductions by aspect, and across all categories the commended/criticised and the closest cuts.
/// Everything is read from the results store (the published results once published, else the draft), as
/// far as the reader may see it now (<see cref="ResultsAccess"/>); the investment headline from the
/// housing category's base figures of the period shown (<see cref="InvestmentFigures"/>).
/// </summary>
public sealed class DashboardService(KaoheDbContext db, RankingService rankings)
{
    /// <remarks><paramref name="steps"/>, when given, is told which results are read (the overview page's progress bar).</remarks>
    public async Task<DashboardData> BuildAsync(ClaimsPrincipal user, string periodId, string category, CancellationToken ct = default, AnalysisSteps? steps = null)
    {
        var periods = await db.Periods.AsNoTracking().OrderBy(p => p.Year).ThenBy(p => p.Quarter).ToListAsync(ct);
        var categoryName = Categories.Name(category, Infrastructure.Ui.IsEnglish);
        // The results read, one step each: this category in every quarter (the trend), the housing category (investment), every category of the period.
        var reads = periods.Count(p => p.Kind == PeriodKind.Quarter) + 1 + Categories.All.Count;
        var done = 0;
        Task<RankingOutcome> Rank(string period, string code)
        {
            var name = Categories.Name(code, false);
            steps?.At(100 * done / reads, $"读取{period}{name}的考核结果", $"reading the results of {period} {Categories.Name(code, true)}", done, reads);
            done++;
            return rankings.RankAsync(user, period, code, withStability: false, ct);
        }
        var main = await Rank(periodId, category);
        var rankingsList = new List<RankGroup>();
        Heatmap? heatmap = null;
        var deductions = new List<AspectDeduction>();
        if (main.View is { } view && main.Results is { } results)
        {
            rankingsList.AddRange(view.Groups.Select(g => new RankGroup(g.Key,
                [.. g.OrderBy(u => u.Rank).Select(u => new RankBar(u.Id, u.Name, u.Total, u.Rank, u.Commended, u.Criticized, u.Vetoed))])));
            heatmap = Heat(results.Assessment!, results.Units);
            deductions.AddRange(Deductions(results.Assessment!, results.Units));
        }
        var trend = main.Hidden is null ? await TrendAsync(periods, category, Rank, ct) : new Trend([], [], []);
        var investment = InvestmentFigures.From(periodId, (await Rank(periodId, "housing")).Results?.Assessment);
        var outcomes = new List<Outcome>();
        var cuts = new List<Cut>();
        foreach (var c in Categories.All)
        {
            var r = c.Code == category ? main : await Rank(periodId, c.Code);
            if (r.View is null || r.Results is null) continue;
            var name = Categories.Name(c.Code, Infrastructure.Ui.IsEnglish);
            outcomes.AddRange(r.View.Units.Where(u => u.Commended || u.Criticized)
                .Select(u => new Outcome(c.Code, name, u.Group, u.Id, u.Name, u.Rank, u.Total, u.Commended, u.Criticized)));
            cuts.AddRange(Cuts(c.Code, name, r.Results.Units));
        }
        // Who is missing what, for the page: the API keeps the engine's errors.
        var unfinished = main is { View: null, Errors.Count: > 0 } ? await Results.Unfinished.OfAsync(db, periodId, main.Errors, main.Results?.Assessment, ct: ct) : null;
        return new DashboardData(periodId, category, categoryName, [.. periods.Select(p => p.Id)], main.View is not null, main.Errors,
            rankingsList, heatmap, trend, investment, deductions, outcomes, [.. cuts.OrderBy(c => c.Gap).Take(8)], main.Hidden, unfinished);
    }


    private static Heatmap Heat(Assessment a, IReadOnlyList<UnitResult> results)
    {
        var leaves = a.Indicators.SelectMany(root => IndicatorTree.Leaves([root]).Select(l => new HeatIndicator(l.Id, l.Name, root.Name))).ToList();
        var points = IndicatorTree.Leaves(a.Indicators).ToDictionary(l => l.Id, l => l.Points, StringComparer.Ordinal);
        var units = results.OrderBy(u => u.Group, StringComparer.Ordinal).ThenBy(u => u.Rank).ToList();
        var cells = new List<double[]>();
        for (var y = 0; y < units.Count; y++)
            for (var x = 0; x < leaves.Count; x++)
            {
                var p = points[leaves[x].Id];
                var rating = p > 0 ? 100 * units[y].Scores[leaves[x].Id] / p : 100;
                cells.Add([x, y, Math.Round(rating, 1)]);
            }
        return new Heatmap([.. units.Select(u => u.Id)], [.. units.Select(u => u.Name)], leaves, cells);
    }

    /// <summary>Points lost on deduction leaves (扣分制: on-site checks, violations), per aspect, with the number of findings.</summary>
    private static IEnumerable<AspectDeduction> Deductions(Assessment assessment, IReadOnlyList<UnitResult> results)
    {
        foreach (var root in assessment.Indicators)
        {
            var leaves = IndicatorTree.Leaves([root]).Where(l => l.Method is DeductionMethod).ToList();
            if (leaves.Count == 0) continue;
            var ids = leaves.Select(l => l.Id).ToHashSet(StringComparer.Ordinal);
            var lost = results.Sum(u => leaves.Sum(l => l.Points - u.Scores[l.Id]));
            var findings = assessment.Values.Where(v => ids.Contains(v.Indicator)).Sum(v => v.Findings?.Items?.Count ?? v.Findings?.Count ?? 0);
            yield return new AspectDeduction(root.Id, root.Name, Math.Round(lost, 2), findings);
        }
    }

    private static IEnumerable<Cut> Cuts(string category, string categoryName, IReadOnlyList<UnitResult> results)
    {
        foreach (var g in results.GroupBy(u => u.Group))
        {
            var commended = g.Where(u => u.Commended).ToList();
            var others = g.Where(u => !u.Commended && !u.Vetoed).ToList();
            if (commended.Count > 0 && others.Count > 0)
            {
                var inside = commended.Min(u => u.RoundedTotal);
                var outside = others.Max(u => u.RoundedTotal);
                yield return new Cut(category, categoryName, g.Key, "commend", Math.Round(inside - outside, 4),
                    [.. commended.Where(u => u.RoundedTotal == inside).Select(u => u.Name)], [.. others.Where(u => u.RoundedTotal == outside).Select(u => u.Name)]);
            }
            var criticized = g.Where(u => u.Criticized).ToList();
            var rest = g.Where(u => !u.Criticized).ToList();
            if (criticized.Count > 0 && rest.Count > 0)
            {
                var inside = criticized.Max(u => u.RoundedTotal);
                var outside = rest.Min(u => u.RoundedTotal);
                yield return new Cut(category, categoryName, g.Key, "criticize", Math.Round(outside - inside, 4),
                    [.. criticized.Where(u => u.RoundedTotal == inside).Select(u => u.Name)], [.. rest.Where(u => u.RoundedTotal == outside).Select(u => u.Name)]);
            }
        }
    }

    /// <summary>Totals per quarter for every quarter whose results can be computed; the same quarter a year earlier where it exists.</summary>
    private async Task<Trend> TrendAsync(IReadOnlyList<Period> periods, string category, Func<string, string, Task<RankingOutcome>> rank, CancellationToken ct)
    {
        var withData = new List<(Period Period, ResultsView Result)>();
        foreach (var p in periods.Where(p => p.Kind == PeriodKind.Quarter))
        {
            if (!await db.Facts.AnyAsync(f => f.PeriodId == p.Id, ct)) continue;
            var r = await rank(p.Id, category);
            if (r.View is not null && r.Results is not null) withData.Add((p, r.Results));
        }
        var units = withData.SelectMany(x => x.Result.Units).GroupBy(u => u.Id).Select(g => (Id: g.Key, g.First().Name)).OrderBy(u => u.Id, StringComparer.Ordinal).ToList();
        var series = units.Select(u => new TrendSeries(u.Id, u.Name,
            [.. withData.Select(x => x.Result.ByUnit.GetValueOrDefault(u.Id) is { } r ? Math.Round(r.Total, 2) : (double?)null)])).ToList();
        var yoy = new List<YearOnYear>();
        if (withData.Count > 0)
        {
            var (latest, latestResult) = withData[^1];
            var lastYear = withData.FirstOrDefault(x => x.Period.Year == latest.Year - 1 && x.Period.Quarter == latest.Quarter);
            foreach (var u in latestResult.Units.OrderBy(u => u.Group, StringComparer.Ordinal).ThenBy(u => u.Rank))
                yoy.Add(new YearOnYear(u.Id, u.Name, latest.Id, Math.Round(u.Total, 2), lastYear.Period?.Id,
                    lastYear.Result?.ByUnit.GetValueOrDefault(u.Id) is { } l ? Math.Round(l.Total, 2) : null));
        }
        return new Trend([.. withData.Select(x => x.Period.Id)], series, yoy);
    }
}
