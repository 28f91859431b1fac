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
public sealed class ResultsCache(IServiceScopeFactory scopes, ILogger<ResultsCache> log, TimeProvider clock, IConfiguration config)
{
    private sealed record Slot(string Version, long Sequence, Computation Progress, Lazy<Task<ResultsView>> View);

    private readonly ConcurrentDictionary<(string Period, string Category, bool Published), Slot> _slots = new();
    /// <summary>The latest draft computed per period and category (by slot sequence), shown while a newer revision computes.</summary>
    private readonly ConcurrentDictionary<(string Period, string Category, bool Published), (long Sequence, ResultsView View)> _latest = new();
    /// <summary>One draft computation at a time per period and category: a newer revision waits for the running one.</summary>
    private readonly ConcurrentDictionary<(string Period, string Category, bool Published), SemaphoreSlim> _gates = new();
    private long _computations;
    private long _sequence;

    /// <summary>How long the ranking page waits for a computation before it shows the older result (or the progress page): <c>Kaohe:Results:PageWaitSeconds</c>, 2 by default.</summary>
    public TimeSpan PageWait { get; set; } = TimeSpan.FromSeconds(config.GetValue("Kaohe:Results:PageWaitSeconds", 2.0));

    /// <summary>For tests: awaited at the start of every draft computation (after it is counted), to hold it while requests pile up.</summary>
    public Func<Task>? BeforeDraftComputation { get; set; }

    /// <summary>How many views were computed since start (for tests and diagnostics).</summary>
    public long Computations => Interlocked.Read(ref _computations);

    /// <summary>The live draft of a period and category, or null for an unknown period or category.</summary>
    public async Task<ResultsView?> DraftAsync(KaoheDbContext db, string periodId, string category, CancellationToken ct = default)
    {
        if (Categories.Find(category) is null || string.IsNullOrEmpty(periodId)) return null;
        var revision = await ResultsRevisions.ReadAsync(db, periodId, ct);
        var view = await GetAsync((periodId, category, false), "draft:" + revision, p => ComputeDraftAsync(periodId, category, revision, p), ct);
        return view.Period is null ? null : view;
    }

    /// <summary>
    /// For the ranking page (issue 9): the draft at the current revision if it is ready within
    /// <paramref name="wait"/>; otherwise the latest draft computed for an older revision (or none), and
    /// the progress of the computation of the current one, which is started or joined — never a second
    /// one for the same revision, and never two for one period and category at once. The computation
    /// belongs to the cache, not to the request: leaving the page does not stop it. Null for an unknown
    /// category or period.
    /// </summary>
    public async Task<DraftRead?> DraftOrStaleAsync(KaoheDbContext db, string periodId, string category, TimeSpan wait, CancellationToken ct = default)
    {
        if (Categories.Find(category) is null || string.IsNullOrEmpty(periodId)) return null;
        var revision = await ResultsRevisions.ReadAsync(db, periodId, ct);
        var key = (periodId, category, false);
        var slot = SlotFor(key, "draft:" + revision, p => ComputeDraftAsync(periodId, category, revision, p));
        var task = slot.View.Value;
        if (!task.IsCompleted && wait > TimeSpan.Zero)
        {
            using var delay = CancellationTokenSource.CreateLinkedTokenSource(ct);
            await Task.WhenAny(task, Task.Delay(wait, clock, delay.Token));
            await delay.CancelAsync();
            ct.ThrowIfCancellationRequested();
        }
        if (task.IsCompleted)
        {
            if (!task.IsCompletedSuccessfully) _slots.TryRemove(KeyValuePair.Create(key, slot));
            var view = await task; // a failed computation fails the request, as DraftAsync does
            return view.Period is null ? null : new DraftRead(view, null, null);
        }
        var older = _latest.TryGetValue(key, out var l) && l.View.Version != slot.Version ? l.View : null;
        return new DraftRead(null, older is { Period: not null } ? older : null, Snapshot(slot, older));
    }

    /// <summary>What the ranking page shows: a published period its latest snapshot (never stale), any other period <see cref="DraftOrStaleAsync"/>.</summary>
    public async Task<DraftRead?> RankingOrStaleAsync(KaoheDbContext db, string periodId, string category, TimeSpan wait, CancellationToken ct = default, PeriodStatus? knownStatus = null)
    {
        var status = knownStatus ?? await db.Periods.AsNoTracking().Where(p => p.Id == periodId).Select(p => (PeriodStatus?)p.Status).FirstOrDefaultAsync(ct);
        if (status is null) return null;
        if (status == PeriodStatus.Published && await PublishedAsync(db, periodId, category, ct) is { } published) return new DraftRead(published, null, null);
        return await DraftOrStaleAsync(db, periodId, category, wait, ct);
    }

    private ComputationProgress Snapshot(Slot slot, ResultsView? older)
    {
        var c = slot.Progress;
        var started = Interlocked.Read(ref c.StartedAt);
        var elapsed = started == 0 ? TimeSpan.Zero : clock.GetElapsedTime(started);
        var expected = older?.ComputeTime;
        // An estimate: the share of the last computation's time, else a step per phase; never 100 before it is done.
        var byPhase = c.Phase switch { ComputationPhase.Waiting => 0, ComputationPhase.Loading => 5, ComputationPhase.Scoring => 60, _ => 90 };
        var byTime = expected is { TotalMilliseconds: > 0 } e ? (int)Math.Min(95, elapsed.TotalMilliseconds * 100 / e.TotalMilliseconds) : 0;
        return new ComputationProgress(slot.Version, c.Phase, Math.Max(byPhase, byTime), elapsed, expected);
    }

    /// <summary>The results of the latest published snapshot of a period and category, or null when none is published.</summary>
    public async Task<ResultsView?> PublishedAsync(KaoheDbContext db, string periodId, string category, CancellationToken ct = default)
    {
        var latest = await LatestSnapshotAsync(db, periodId, category, ct);
        if (latest is null) return null;
        return await GetAsync((periodId, category, true), $"snapshot:{latest.Id}", p => ComputePublishedAsync(periodId, category, latest, p), ct);
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

    private async Task<ResultsView> GetAsync((string, string, bool) key, string version, Func<Computation, Task<ResultsView>> compute, CancellationToken ct)
    {
        while (true)
        {
            var slot = SlotFor(key, version, compute);
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

    /// <summary>The slot of this version of the key: the cached one, or a new one replacing an older version's.</summary>
    private Slot SlotFor((string, string, bool) key, string version, Func<Computation, Task<ResultsView>> compute)
    {
        while (true)
        {
            var slot = _slots.GetOrAdd(key, _ => NewSlot(key, version, compute));
            if (slot.Version == version) return slot;
            var fresh = NewSlot(key, version, compute);
            if (_slots.TryUpdate(key, fresh, slot)) return fresh;
        }
    }

    private Slot NewSlot((string, string, bool) key, string version, Func<Computation, Task<ResultsView>> compute)
    {
        var progress = new Computation();
        var sequence = Interlocked.Increment(ref _sequence);
        return new(version, sequence, progress, new Lazy<Task<ResultsView>>(() => Task.Run(async () =>
        {
            var gate = _gates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync();
            try
            {
                Interlocked.Exchange(ref progress.StartedAt, clock.GetTimestamp());
                progress.Phase = ComputationPhase.Loading;
                var view = await compute(progress);
                _latest.AddOrUpdate(key, (sequence, view), (_, old) => old.Sequence > sequence ? old : (sequence, view));
                return view;
            }
            finally
            {
                gate.Release();
            }
        }), LazyThreadSafetyMode.ExecutionAndPublication));
    }

    private async Task<ResultsView> ComputeDraftAsync(string periodId, string category, string revision, Computation progress)
    {
        Interlocked.Increment(ref _computations);
        if (BeforeDraftComputation is { } gate) await gate();
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
        progress.Phase = ComputationPhase.Scoring;
        var scoring = Stopwatch.StartNew();
        var outcome = Engine.Score(built.Assessment);
        var scored = scoring.Elapsed;
        progress.Phase = ComputationPhase.Ranking;
        view = ResultsView.Of(periodId, category, version, period, built.Assessment, outcome.Result, outcome.Errors, null, sw.Elapsed);
        log.LogInformation("results of {Period} {Category} computed in {Ms} ms: {Facts} facts loaded in {Load} ms, assessment built in {Build} ms, " +
            "scored (validate, compile, compute) in {Score} ms, view in {View} ms",
            periodId, category, sw.ElapsedMilliseconds, built.FactCount, (long)built.LoadTime.TotalMilliseconds, (long)built.BuildTime.TotalMilliseconds,
            (long)scored.TotalMilliseconds, (long)(sw.Elapsed - built.LoadTime - built.BuildTime - scored).TotalMilliseconds);
        return view;
    }

    private async Task<ResultsView> ComputePublishedAsync(string periodId, string category, SnapshotInfo info, Computation progress)
    {
        progress.Phase = ComputationPhase.Scoring;
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

/// <summary>Where a computation of results is: waiting for an earlier one of the same period and category, loading the facts, scoring, ranking.</summary>
public enum ComputationPhase { Waiting, Loading, Scoring, Ranking }

/// <summary>The live state of one computation (written by it, read by the pages).</summary>
internal sealed class Computation
{
    public volatile ComputationPhase Phase = ComputationPhase.Waiting;
    /// <summary>A <see cref="TimeProvider"/> timestamp; 0 until it starts.</summary>
    public long StartedAt;
}

/// <summary>How far the computation of a revision is; <paramref name="Percent"/> is an estimate (the last computation's time, else the phase).</summary>
public sealed record ComputationProgress(string Version, ComputationPhase Phase, int Percent, TimeSpan Elapsed, TimeSpan? Expected);

/// <summary>
/// What the ranking page reads: <paramref name="Current"/> when the results of the current inputs are
/// ready; otherwise <paramref name="Stale"/> (the latest older results, if any were computed) and the
/// <paramref name="Progress"/> of the computation under way.
/// </summary>
public sealed record DraftRead(ResultsView? Current, ResultsView? Stale, ComputationProgress? Progress)
{
    public ResultsView? View => Current ?? Stale;

    public bool Computing => Current is null;
}
