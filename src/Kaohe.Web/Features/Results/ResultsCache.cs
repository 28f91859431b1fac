using System.Collections.Concurrent;
using System.Diagnostics;
using Kaohe.Scoring;
using Kaohe.Web.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Publication;
using Kaohe.Web.Features.Schemes;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Results;

/// <summary>A published snapshot without its (large) document.</summary>
public sealed record SnapshotInfo(long Id, string Key, int Version, DateTimeOffset PublishedAt);

/// <summary>One ranking group (排名组) of a category, its units in rank order.</summary>
public sealed record RankingGroup(string Name, IReadOnlyList<UnitResult> Units);

/// <summary>
/// The computed results of a period and category at one revision of their inputs, or of one
/// published snapshot: what the ranking page, the explanations and the results API read.
/// Immutable once built; shared by every request until the inputs change.
/// </summary>
public sealed class ResultsView
{
    private readonly ConcurrentDictionary<long, Lazy<ILookup<string, Change>>> _changes = new();

    public required string PeriodId { get; init; }
    public required string Category { get; init; }
    /// <summary>What the view was computed from: <c>draft:</c> and the revision stamps, or <c>snapshot:</c> and its id.</summary>
    public required string Version { get; init; }
    public Period? Period { get; init; }
    public bool NoScheme { get; init; }
    public bool IsAnnual => Period?.Kind == PeriodKind.Annual;
    public Assessment? Assessment { get; init; }
    public AssessmentResult? Result { get; init; }
    public IReadOnlyList<ValidationError> Errors { get; init; } = [];
    public IReadOnlyDictionary<string, (double? Up, double? Down)> Margins { get; init; } = new Dictionary<string, (double?, double?)>();
    public IReadOnlyList<RankingGroup> Groups { get; init; } = [];
    public IReadOnlyDictionary<string, UnitResult> ByUnit { get; init; } = new Dictionary<string, UnitResult>();
    /// <summary>Set when the view is a published snapshot's results.</summary>
    public SnapshotInfo? Published { get; init; }
    public TimeSpan ComputeTime { get; init; }
    public int RankDecimals => Assessment?.Rules.RankDecimals ?? 2;

    public RankingGroup? Group(string? name) => Groups.FirstOrDefault(g => g.Name == name);

    public RankingGroup? GroupOf(string unitId) => ByUnit.TryGetValue(unitId, out var u) ? Group(u.Group) : null;

    /// <summary>The inputs of this draft that differ from a published snapshot, by unit; computed once per snapshot.</summary>
    public ILookup<string, Change> ChangesSince(long snapshotId, Func<Assessment?> published) =>
        _changes.GetOrAdd(snapshotId, _ => new Lazy<ILookup<string, Change>>(() =>
            published() is { } before && Assessment is { } after
                ? SnapshotDiff.Inputs(before, after).ToLookup(c => c.Unit, StringComparer.Ordinal)
                : Array.Empty<Change>().ToLookup(c => c.Unit, StringComparer.Ordinal))).Value;

    internal static ResultsView Of(string periodId, string category, string version, Period? period, Assessment? assessment, AssessmentResult? result,
        IReadOnlyList<ValidationError> errors, SnapshotInfo? published, TimeSpan elapsed, bool noScheme = false)
    {
        var groups = result is null ? [] : result.Units
            .GroupBy(u => u.Group, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new RankingGroup(g.Key, [.. g.OrderBy(u => u.Rank).ThenBy(u => u.Id, StringComparer.Ordinal)]))
            .ToList();
        return new ResultsView
        {
            PeriodId = periodId, Category = category, Version = version, Period = period, NoScheme = noScheme,
            Assessment = assessment, Result = result, Errors = errors,
            Margins = result is null ? new Dictionary<string, (double?, double?)>() : Robustness.Margins(result),
            Groups = groups,
            ByUnit = result?.Units.ToDictionary(u => u.Id, StringComparer.Ordinal) ?? new Dictionary<string, UnitResult>(),
            Published = published, ComputeTime = elapsed,
        };
    }
}

/// <summary>
/// Results of (period, category) computed once per revision of their inputs (issue 9). Each request
/// reads the revision (one indexed query, <see cref="ResultsRevisions.ReadAsync"/>); the view is
/// recomputed only when the revision differs from the cached one, and concurrent requests for the
/// same revision share one computation. The revision is bumped in the same transaction as every
/// change of facts or schemes, so the cache is never stale, also with several instances on one
/// PostgreSQL. A published snapshot never changes: its view is keyed by the snapshot's id.
/// </summary>
public sealed class ResultsCache(IServiceScopeFactory scopes, ILogger<ResultsCache> log)
{
    private sealed record Slot(string Version, Lazy<Task<ResultsView>> View);

    private readonly ConcurrentDictionary<(string Period, string Category, bool Published), Slot> _slots = new();
    private long _computations;

    /// <summary>How many views were computed since start (for tests and diagnostics).</summary>
    public long Computations => Interlocked.Read(ref _computations);

    /// <summary>The live draft of a period and category, or null for an unknown period or category.</summary>
    public async Task<ResultsView?> DraftAsync(KaoheDbContext db, string periodId, string category, CancellationToken ct = default)
    {
        if (Categories.Find(category) is null || string.IsNullOrEmpty(periodId)) return null;
        var revision = await ResultsRevisions.ReadAsync(db, periodId, ct);
        var view = await GetAsync((periodId, category, false), "draft:" + revision, () => ComputeDraftAsync(periodId, category, revision), ct);
        return view.Period is null ? null : view;
    }

    /// <summary>The results of the latest published snapshot of a period and category, or null when none is published.</summary>
    public async Task<ResultsView?> PublishedAsync(KaoheDbContext db, string periodId, string category, CancellationToken ct = default)
    {
        var latest = await LatestSnapshotAsync(db, periodId, category, ct);
        if (latest is null) return null;
        return await GetAsync((periodId, category, true), $"snapshot:{latest.Id}", () => ComputePublishedAsync(periodId, category, latest), ct);
    }

    /// <summary>What the ranking shows: a published period its latest snapshot, any other period the live draft.</summary>
    public async Task<ResultsView?> RankingAsync(KaoheDbContext db, string periodId, string category, CancellationToken ct = default, PeriodStatus? knownStatus = null)
    {
        var status = knownStatus ?? await db.Periods.AsNoTracking().Where(p => p.Id == periodId).Select(p => (PeriodStatus?)p.Status).FirstOrDefaultAsync(ct);
        if (status is null) return null;
        if (status == PeriodStatus.Published && await PublishedAsync(db, periodId, category, ct) is { } published) return published;
        return await DraftAsync(db, periodId, category, ct);
    }

    public static Task<SnapshotInfo?> LatestSnapshotAsync(KaoheDbContext db, string periodId, string category, CancellationToken ct = default) =>
        db.Snapshots.AsNoTracking().Where(s => s.PeriodId == periodId && s.Category == category)
            .OrderByDescending(s => s.Version).Select(s => new SnapshotInfo(s.Id, s.Key, s.Version, s.PublishedAt)).FirstOrDefaultAsync(ct);

    private async Task<ResultsView> GetAsync((string, string, bool) key, string version, Func<Task<ResultsView>> compute, CancellationToken ct)
    {
        while (true)
        {
            var slot = _slots.GetOrAdd(key, _ => NewSlot(version, compute));
            if (slot.Version != version)
            {
                var fresh = NewSlot(version, compute);
                if (!_slots.TryUpdate(key, fresh, slot)) continue;
                slot = fresh;
            }
            try
            {
                // The computation is not the request's: a cancelled request leaves it running for the next one.
                return await slot.View.Value.WaitAsync(ct);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                _slots.TryRemove(KeyValuePair.Create(key, slot));
                throw;
            }
        }
    }

    private Slot NewSlot(string version, Func<Task<ResultsView>> compute) =>
        new(version, new Lazy<Task<ResultsView>>(() => Task.Run(compute), LazyThreadSafetyMode.ExecutionAndPublication));

    private async Task<ResultsView> ComputeDraftAsync(string periodId, string category, string revision)
    {
        Interlocked.Increment(ref _computations);
        var sw = Stopwatch.StartNew();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var period = await db.Periods.AsNoTracking().FirstOrDefaultAsync(p => p.Id == periodId);
        var version = "draft:" + revision;
        ResultsView view;
        if (period is null || period.Kind == PeriodKind.Annual)
        {
            // The year rolls up its quarters (Drafts); an unknown period gives an empty view.
            var draft = period is null ? null : await scope.ServiceProvider.GetRequiredService<Drafts>().BuildAsync(periodId, category);
            view = draft is null
                ? ResultsView.Of(periodId, category, version, period, null, null, [], null, sw.Elapsed, noScheme: true)
                : ResultsView.Of(periodId, category, version, draft.Period, draft.Assessment, draft.Result, draft.Errors, null, sw.Elapsed);
            log.LogInformation("results of {Period} {Category} computed in {Ms} ms", periodId, category, sw.ElapsedMilliseconds);
            return view;
        }
        var built = await scope.ServiceProvider.GetRequiredService<AssessmentBuilder>().BuildAsync(periodId, category, keepFacts: false);
        if (built is null) return ResultsView.Of(periodId, category, version, period, null, null, [], null, sw.Elapsed, noScheme: true);
        var scoring = Stopwatch.StartNew();
        var outcome = Engine.Score(built.Assessment);
        var scored = scoring.Elapsed;
        view = ResultsView.Of(periodId, category, version, period, built.Assessment, outcome.Result, outcome.Errors, null, sw.Elapsed);
        log.LogInformation("results of {Period} {Category} computed in {Ms} ms: {Facts} facts loaded in {Load} ms, assessment built in {Build} ms, " +
            "scored (validate, compile, compute) in {Score} ms, view in {View} ms",
            periodId, category, sw.ElapsedMilliseconds, built.FactCount, (long)built.LoadTime.TotalMilliseconds, (long)built.BuildTime.TotalMilliseconds,
            (long)scored.TotalMilliseconds, (long)(sw.Elapsed - built.LoadTime - built.BuildTime - scored).TotalMilliseconds);
        return view;
    }

    private async Task<ResultsView> ComputePublishedAsync(string periodId, string category, SnapshotInfo info)
    {
        Interlocked.Increment(ref _computations);
        var sw = Stopwatch.StartNew();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var snapshot = await db.Snapshots.AsNoTracking().FirstAsync(s => s.Id == info.Id);
        var period = await db.Periods.AsNoTracking().FirstOrDefaultAsync(p => p.Id == periodId);
        var input = Snapshots.Input(snapshot);
        var outcome = input is null ? null : Engine.Score(input);
        return ResultsView.Of(periodId, category, $"snapshot:{info.Id}", period, input, outcome?.Result,
            outcome?.Errors ?? [new("$", "已公布结果无法读取", "the published snapshot cannot be read")], info, sw.Elapsed);
    }
}
