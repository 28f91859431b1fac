using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;
using Kaohe.Data;
using Kaohe.Web.Features.Results;
using System.Security.Claims;
using Kaohe.Web.Features.Schemes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Kaohe.Web.Features.Insight;

/// <summary>The bounds in force for a period: the office's, or the defaults (±10%, 400 samples, close call below 0.1 points).</summary>
public sealed record RobustnessBounds(double WeightShare, double RaterShare, int Samples, int Seed, double CloseCallPoints, bool IsDefault)
{
    public static RobustnessBounds Default { get; } = new(0.10, 0.10, 400, 20230401, 0.1, true);

    public static RobustnessBounds Of(RobustnessSetting s) => new(s.WeightShare, s.RaterShare, s.Samples, s.Seed, s.CloseCallPoints, false);

    public PerturbationBounds ToEngine() => new(WeightShare, RaterShare, Samples, Seed);
}

/// <summary>One unit's place with how close and how stable it is.</summary>
public sealed record RankedUnit(
    string Id, string Name, string Group, double Total, double RoundedTotal, int Rank, int GroupSize, string? Grade,
    bool Commended, bool Criticized, bool Vetoed, double? MarginUp, double? MarginDown,
    double? CommendStability, double? CriticizeStability, int? RankMin, int? RankMax, bool CloseCall);

/// <summary>A category's ranking for a period (the published results once published, else the draft), with margins and (when asked) Monte-Carlo stability.</summary>
public sealed record RankingView(
    string PeriodId, string Category, string Source, int? SchemeId, int? SchemeVersion, int RankDecimals, RobustnessBounds Bounds,
    IReadOnlyList<RankedUnit> Units, bool HasStability)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<IGrouping<string, RankedUnit>> Groups => Units.GroupBy(u => u.Group);
}

/// <summary>
/// The ranking analysis of a category: <paramref name="Results"/> is the results store's view it was
/// made from; <paramref name="Hidden"/> says why this person may not see it now.
/// </summary>
public sealed record RankingOutcome(RankingView? View, ResultsView? Results, IReadOnlyList<ValidationError> Errors, bool NoScheme, string? Hidden = null);

/// <summary>
/// The Insight pages' reading of the results store: margins to the next distinct total up and down, a
/// seeded Monte-Carlo of weight and rater perturbations within the office's bounds
/// (Kaohe.Scoring.Robustness), and the close calls at the commend/criticise cut. The results themselves
/// are the store's (one ranking stack); the analysis is cached in memory per (period, category, hash of the
/// exact inputs and bounds), and concurrent requests for the same key share one computation.
/// </summary>
public sealed class RankingService(KaoheDbContext db, ResultsStore store, ResultsAccess access, IMemoryCache cache)
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<UnitStability>>>> Running = new();

    public async Task<RobustnessBounds> BoundsAsync(string periodId, CancellationToken ct = default)
    {
        var s = await db.Set<RobustnessSetting>().AsNoTracking().FirstOrDefaultAsync(x => x.PeriodId == periodId, ct);
        return s is null ? RobustnessBounds.Default : RobustnessBounds.Of(s);
    }

    /// <summary>The ranking as this person may see it now (docs/visibility.md).</summary>
    /// <remarks><paramref name="steps"/>, when given, is told how far the Monte-Carlo is (the ranking page's progress bar).</remarks>
    public async Task<RankingOutcome> RankAsync(ClaimsPrincipal user, string periodId, string category, bool withStability, CancellationToken ct = default,
        AnalysisSteps? steps = null)
    {
        var grant = await access.RowsAsync(user, periodId, category, null, ct);
        if (!grant.All) return new(null, null, [], false, grant.Reason);
        var view = await store.CurrentAsync(db, periodId, category, ct);
        if (view is null || view.NoScheme) return new(null, null, [], true);
        if (!view.Scored) return new(null, view, view.Errors, false);
        var bounds = await BoundsAsync(periodId, ct);
        IReadOnlyList<UnitStability>? stability = null;
        if (withStability)
        {
            steps?.At(10, $"稳定性抽样：共 {bounds.Samples} 次", $"robustness: {bounds.Samples} samples", 0, bounds.Samples);
            stability = await StabilityAsync(periodId, category, view.Assessment!, bounds, ct, steps is null ? null : done =>
            {
                // Every tenth sample is enough for a bar; the samples are the analysis's time (the results above are the store's).
                if (done % 10 == 0 || done == bounds.Samples)
                    steps.At(10 + 89 * done / Math.Max(1, bounds.Samples), $"稳定性抽样：第 {done}/{bounds.Samples} 次", $"robustness: sample {done} of {bounds.Samples}", done, bounds.Samples);
            });
        }
        // The scheme a draft was computed with; for published results, the period's active scheme (which publication froze).
        var scheme = view.Scheme ?? await db.Schemes.AsNoTracking()
            .Where(s => s.PeriodId == periodId && s.Category == category && s.Status == SchemeStatus.Active)
            .OrderByDescending(s => s.Version).Select(s => new ValueTuple<int, int>(s.Id, s.Version)).FirstOrDefaultAsync(ct);
        return new(View(view, scheme, bounds, stability), view, [], false);
    }

    private async Task<IReadOnlyList<UnitStability>> StabilityAsync(string periodId, string category, Assessment assessment, RobustnessBounds bounds, CancellationToken ct,
        Action<int>? sampled = null)
    {
        var key = $"insight:robustness:{periodId}:{category}:{InputsHash(assessment, bounds)}";
        if (cache.TryGetValue(key, out IReadOnlyList<UnitStability>? hit) && hit is not null) return hit;
        var lazy = Running.GetOrAdd(key, _ => new Lazy<Task<IReadOnlyList<UnitStability>>>(
            () => Task.Run(() => Robustness.Analyze(assessment, bounds.ToEngine(), sampled), CancellationToken.None)));
        try
        {
            var result = await lazy.Value.WaitAsync(ct);
            cache.Set(key, result, new MemoryCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(30) });
            return result;
        }
        finally
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompleted) Running.TryRemove(key, out _);
        }
    }

    /// <summary>SHA-256 of the assessment as its v1 file plus the bounds: equal inputs, equal analysis.</summary>
    public static string InputsHash(Assessment assessment, RobustnessBounds bounds)
    {
        var text = KaoheFile.Write(assessment) + $"|{bounds.WeightShare:R}|{bounds.RaterShare:R}|{bounds.Samples}|{bounds.Seed}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    public static RankingView View(ResultsView results, (int Id, int Version)? scheme, RobustnessBounds bounds, IReadOnlyList<UnitStability>? stability)
    {
        var stable = stability?.ToDictionary(s => s.Unit, StringComparer.Ordinal);
        var close = CloseCalls(results.Units, bounds.CloseCallPoints);
        var units = results.Units
            .OrderBy(u => u.Group, StringComparer.Ordinal).ThenBy(u => u.Rank).ThenBy(u => u.Id, StringComparer.Ordinal)
            .Select(u =>
            {
                var m = results.Margins[u.Id];
                var s = stable?.GetValueOrDefault(u.Id);
                return new RankedUnit(u.Id, u.Name, u.Group, u.Total, u.RoundedTotal, u.Rank, u.GroupSize, u.Grade, u.Commended, u.Criticized, u.Vetoed,
                    m.Up, m.Down, s?.CommendStability, s?.CriticizeStability, s?.RankMin, s?.RankMax, close.Contains(u.Id));
            }).ToList();
        return new RankingView(results.PeriodId, results.Category, results.Published is null ? "draft" : "published", scheme?.Id, scheme?.Version,
            results.RankDecimals, bounds, units, stability is not null);
    }

    /// <summary>
    /// The units on either side of a commend or criticise cut whose rounded totals are less than
    /// <paramref name="threshold"/> points apart: "0.05 points decided a public criticism".
    /// </summary>
    public static HashSet<string> CloseCalls(IReadOnlyList<UnitResult> results, double threshold)
    {
        var close = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in results.GroupBy(u => u.Group))
        {
            void Cut(IEnumerable<UnitResult> inside, IEnumerable<UnitResult> outside, bool insideIsAbove)
            {
                var ins = inside.ToList();
                var outs = outside.ToList();
                if (ins.Count == 0 || outs.Count == 0) return;
                var edgeIn = insideIsAbove ? ins.Min(u => u.RoundedTotal) : ins.Max(u => u.RoundedTotal);
                var edgeOut = insideIsAbove ? outs.Max(u => u.RoundedTotal) : outs.Min(u => u.RoundedTotal);
                if (Math.Abs(edgeIn - edgeOut) >= threshold - 1e-9) return;
                foreach (var u in ins.Where(u => u.RoundedTotal == edgeIn)) close.Add(u.Id);
                foreach (var u in outs.Where(u => u.RoundedTotal == edgeOut)) close.Add(u.Id);
            }
            Cut(group.Where(u => u.Commended), group.Where(u => !u.Commended && !u.Vetoed), insideIsAbove: true);
            Cut(group.Where(u => u.Criticized), group.Where(u => !u.Criticized), insideIsAbove: false);
        }
        return close;
    }

    /// <summary>The category whose scheme assesses a unit of this kind.</summary>
    public static string? CategoryOf(UnitKind kind) => Categories.Of(kind)?.Code;

    /// <summary>
    /// A unit's published result in a period (通报表扬 and 通报批评 are what the bulletin announced), or null
    /// when its category is not published there.
    /// </summary>
    public async Task<(UnitResult? Unit, string? Category)> UnitResultAsync(string periodId, string unitId, CancellationToken ct = default)
    {
        var unit = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == unitId, ct);
        if (unit is null || CategoryOf(unit.Kind) is not { } category) return (null, null);
        var view = await store.PublishedAsync(db, periodId, category, ct);
        return (view?.ByUnit.GetValueOrDefault(unitId), category);
    }

    /// <summary>The latest period in which a unit's category was published, and its result there.</summary>
    public async Task<(string? Period, UnitResult? Unit)> LatestPublishedAsync(string unitId, CancellationToken ct = default)
    {
        var unit = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == unitId, ct);
        if (unit is null || CategoryOf(unit.Kind) is not { } category) return (null, null);
        var period = await db.Snapshots.AsNoTracking().Where(s => s.Category == category).OrderByDescending(s => s.PublishedAt).ThenByDescending(s => s.Id)
            .Select(s => s.PeriodId).FirstOrDefaultAsync(ct);
        return period is null ? (null, null) : (period, (await UnitResultAsync(period, unitId, ct)).Unit);
    }
}
