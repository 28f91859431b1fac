using System.Collections.Concurrent;
using System.Diagnostics;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;
using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Schemes;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Results;

/// <summary>
/// The scoring engine as the results store calls it: the one place in the application where facts
/// become scores. A test puts a refusing engine here to show that published views are read, not scored.
/// </summary>
public class ResultsEngine
{
    private long _calls;

    /// <summary>How many assessments were scored since start.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    public virtual ScoreOutcome Score(Assessment assessment)
    {
        Interlocked.Increment(ref _calls);
        return Engine.Score(assessment);
    }
}

/// <summary>
/// The results store (issue 15): the only path from facts to numbers. For a period and category it
/// keeps the scored draft at the revision it was computed at, and reads published snapshots as they
/// were frozen. Every page, API, export, the ledger and the bulletin read from here.
/// </summary>
/// <remarks>
/// <para>Each request reads the period's revision (one indexed query, <see cref="ResultsRevisions.ReadAsync"/>).
/// A draft computed at the same revision is served as it is. When only facts changed since, the store reads
/// the units whose facts are numbered above the counter it saw (<see cref="Fact.ChangeNo"/>), rebuilds their
/// inputs and rescores only their ranking groups; when the structure changed (scheme, units, status), it
/// reads the quarter again. Revisions live in the database, so several instances agree.</para>
/// <para>Concurrent requests for one revision share one computation, one computation runs at a time per
/// period and category, and the computation belongs to the store, not to the request that started it.</para>
/// </remarks>
public sealed class ResultsStore(IServiceScopeFactory scopes, ILogger<ResultsStore> log, TimeProvider clock, IConfiguration config, ResultsEngine engine)
{
    private sealed record Slot(string Version, long Sequence, Computation Progress, Lazy<Task<ResultsView>> View);

    /// <summary>The incremental state behind a draft quarter's view.</summary>
    private sealed record QuarterDraft(QuarterFrame Frame, Revision Revision, IReadOnlyDictionary<string, UnitInputs> Inputs,
        IReadOnlyDictionary<string, GroupScore> Groups, ResultsView View);

    private sealed record GroupScore(IReadOnlyList<OrgUnit> Members, Assessment Assessment, ScoreOutcome Outcome);

    private readonly ConcurrentDictionary<(string Period, string Category, bool Published), Slot> _slots = new();
    /// <summary>The latest view computed per key (by slot sequence), shown while a newer revision computes.</summary>
    private readonly ConcurrentDictionary<(string Period, string Category, bool Published), (long Sequence, ResultsView View)> _latest = new();
    /// <summary>The latest draft quarter's state per key, which the next revision is computed from.</summary>
    private readonly ConcurrentDictionary<(string Period, string Category), QuarterDraft> _quarters = new();
    /// <summary>One computation at a time per key: a newer revision waits for the running one (a key's gate lives while it computes or is waited for).</summary>
    private readonly Infrastructure.KeyedGates<(string Period, string Category, bool Published)> _gates = new();
    private long _computations;
    private long _refreshes;
    private long _sequence;

    /// <summary>How long the ranking page waits for a computation before it shows the older result (or the progress page): <c>Kaohe:Results:PageWaitSeconds</c>, 2 by default.</summary>
    public TimeSpan PageWait { get; set; } = TimeSpan.FromSeconds(config.GetValue("Kaohe:Results:PageWaitSeconds", 2.0));

    /// <summary>For tests: awaited at the start of every draft computation (after it is counted), to hold it while requests pile up.</summary>
    public Func<Task>? BeforeDraftComputation { get; set; }

    /// <summary>How many views were computed since start (for tests and diagnostics).</summary>
    public long Computations => Interlocked.Read(ref _computations);

    /// <summary>How many keys hold a gate now: only those computing or waiting to (for tests and diagnostics).</summary>
    public int Gates => _gates.Count;

    /// <summary>How many drafts were brought up to date from the facts changed since, rather than read again (for tests and diagnostics).</summary>
    public long Refreshes => Interlocked.Read(ref _refreshes);

    /// <summary>A quarter (<c>2023-Q1</c>) rather than a year (<c>2023</c>).</summary>
    private static bool IsQuarter(string periodId) => periodId.Contains('-');

    private static string DraftVersion(string periodId, Revision r) => "draft:" + (IsQuarter(periodId) ? r.ToString() : r.Stamp);

    /// <summary>The revision of a period's inputs now.</summary>
    public static Task<Revision> RevisionAsync(KaoheDbContext db, string periodId, CancellationToken ct = default) => ResultsRevisions.ReadAsync(db, periodId, ct);

    /// <summary>
    /// The version the results readers see now carry, without computing them: the latest published snapshot's, else
    /// the draft's at the period's current revision (two indexed queries). What is derived from those results (the
    /// Insight analyses) is current exactly while this is unchanged.
    /// </summary>
    public static async Task<string> VersionAsync(KaoheDbContext db, string periodId, string category, CancellationToken ct = default) =>
        await LatestSnapshotAsync(db, periodId, category, ct) is { } published
            ? $"snapshot:{published.Id}"
            : DraftVersion(periodId, await ResultsRevisions.ReadAsync(db, periodId, ct));

    /// <summary>The live draft of a period and category, or null for an unknown period or category.</summary>
    public async Task<ResultsView?> DraftAsync(KaoheDbContext db, string periodId, string category, CancellationToken ct = default)
    {
        if (Categories.Find(category) is null || string.IsNullOrEmpty(periodId)) return null;
        var revision = await ResultsRevisions.ReadAsync(db, periodId, ct);
        var view = await GetAsync((periodId, category, false), DraftVersion(periodId, revision), p => ComputeDraftAsync(periodId, category, revision, p), ct);
        return view.Period is null ? null : view;
    }

    /// <summary>
    /// For the ranking page: the draft at the current revision if it is ready within <paramref name="wait"/>;
    /// otherwise the latest draft computed for an older revision (or none), and the progress of the
    /// computation of the current one, which is started or joined. Null for an unknown category or period.
    /// </summary>
    public async Task<DraftRead?> DraftOrStaleAsync(KaoheDbContext db, string periodId, string category, TimeSpan wait, CancellationToken ct = default)
    {
        if (Categories.Find(category) is null || string.IsNullOrEmpty(periodId)) return null;
        var revision = await ResultsRevisions.ReadAsync(db, periodId, ct);
        var key = (periodId, category, false);
        var slot = SlotFor(key, DraftVersion(periodId, revision), p => ComputeDraftAsync(periodId, category, revision, p));
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

    /// <summary>What readers see: the latest published snapshot of a category once there is one (never stale), else <see cref="DraftOrStaleAsync"/>.</summary>
    public async Task<DraftRead?> CurrentOrStaleAsync(KaoheDbContext db, string periodId, string category, TimeSpan wait, CancellationToken ct = default)
    {
        if (!await db.Periods.AnyAsync(p => p.Id == periodId, ct)) return null;
        if (await PublishedAsync(db, periodId, category, ct) is { } published) return new DraftRead(published, null, null);
        return await DraftOrStaleAsync(db, periodId, category, wait, ct);
    }

    /// <summary>What readers see: the latest published snapshot of a category once there is one, else the live draft. Null for an unknown period or category.</summary>
    public async Task<ResultsView?> CurrentAsync(KaoheDbContext db, string periodId, string category, CancellationToken ct = default)
    {
        if (Categories.Find(category) is null || !await db.Periods.AnyAsync(p => p.Id == periodId, ct)) return null;
        return await PublishedAsync(db, periodId, category, ct) ?? await DraftAsync(db, periodId, category, ct);
    }

    /// <summary>The results of the latest published snapshot of a period and category, or null when none is published.</summary>
    public async Task<ResultsView?> PublishedAsync(KaoheDbContext db, string periodId, string category, CancellationToken ct = default)
    {
        var latest = await LatestSnapshotAsync(db, periodId, category, ct);
        return latest is null ? null : await SnapshotAsync(periodId, category, latest, ct);
    }

    /// <summary>The results of one snapshot, as stored (one view per snapshot id: a snapshot never changes).</summary>
    public async Task<ResultsView?> SnapshotAsync(KaoheDbContext db, long snapshotId, CancellationToken ct = default)
    {
        var info = await db.Snapshots.AsNoTracking().Where(s => s.Id == snapshotId)
            .Select(s => new { s.PeriodId, s.Category, Info = new SnapshotInfo(s.Id, s.Key, s.Version, s.PublishedAt) }).FirstOrDefaultAsync(ct);
        return info is null ? null : await SnapshotAsync(info.PeriodId, info.Category, info.Info, ct);
    }

    private Task<ResultsView> SnapshotAsync(string periodId, string category, SnapshotInfo info, CancellationToken ct) =>
        GetAsync((periodId, category, true), $"snapshot:{info.Id}", p => ComputePublishedAsync(periodId, category, info, p), ct, keepLatestOnly: false);

    public static Task<SnapshotInfo?> LatestSnapshotAsync(KaoheDbContext db, string periodId, string category, CancellationToken ct = default) =>
        db.Snapshots.AsNoTracking().Where(s => s.PeriodId == periodId && s.Category == category)
            .OrderByDescending(s => s.Version).Select(s => new SnapshotInfo(s.Id, s.Key, s.Version, s.PublishedAt)).FirstOrDefaultAsync(ct);

    /// <summary>
    /// The engine's result object of a draft, for writing a snapshot: the view's whole input scored once
    /// more, which must give the view's totals (the groups were scored on their own). Null when the view has no results.
    /// </summary>
    public AssessmentResult? ResultForSnapshot(ResultsView draft)
    {
        if (!draft.Scored || draft.Published is not null || draft.Assessment is not { } input) return null;
        var result = engine.Score(input).Result ?? throw new InvalidOperationException($"{draft.PeriodId} {draft.Category}: the draft's input no longer scores");
        foreach (var u in result.Units)
            if (!draft.ByUnit.TryGetValue(u.Id, out var seen) || seen.Total != u.Total || seen.Rank != u.Rank)
                throw new InvalidOperationException($"{draft.PeriodId} {draft.Category}: unit {u.Id} scores differently as a whole ({u.Total}) than in its group ({seen?.Total})");
        return result;
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

    private async Task<ResultsView> GetAsync((string, string, bool) key, string version, Func<Computation, Task<ResultsView>> compute, CancellationToken ct,
        bool keepLatestOnly = true)
    {
        // A published key holds every snapshot id asked for (an older version stays readable); a draft key only its latest revision.
        var slotKey = keepLatestOnly ? key : (key.Item1 + "#" + version, key.Item2, key.Item3);
        var slot = SlotFor(slotKey, version, compute);
        try
        {
            // The computation is not the request's: a cancelled request leaves it running for the next one.
            return await slot.View.Value.WaitAsync(ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            _slots.TryRemove(KeyValuePair.Create(slotKey, slot));
            throw;
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
            using var held = await _gates.EnterAsync(key);
            Interlocked.Exchange(ref progress.StartedAt, clock.GetTimestamp());
            progress.Phase = ComputationPhase.Loading;
            var view = await compute(progress);
            // Only a draft is shown stale while its next revision computes; a snapshot's key names its version and is never stale.
            if (!key.Item3) _latest.AddOrUpdate(key, (sequence, view), (_, old) => old.Sequence > sequence ? old : (sequence, view));
            return view;
        }), LazyThreadSafetyMode.ExecutionAndPublication));
    }

    private async Task<ResultsView> ComputeDraftAsync(string periodId, string category, Revision revision, Computation progress)
    {
        Interlocked.Increment(ref _computations);
        using var timing = Infrastructure.KaoheMetrics.TimeRecompute();
        if (BeforeDraftComputation is { } hold) await hold();
        var sw = Stopwatch.StartNew();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var version = DraftVersion(periodId, revision);
        var period = await db.Periods.AsNoTracking().FirstOrDefaultAsync(p => p.Id == periodId);
        if (period is null) return Empty(periodId, category, version, null, revision, sw.Elapsed);
        if (period.Kind == PeriodKind.Annual)
        {
            var annual = await AnnualAsync(db, period, category, version, revision);
            log.LogInformation("results of {Period} {Category} computed in {Ms} ms", periodId, category, sw.ElapsedMilliseconds);
            return annual;
        }
        var key = (periodId, category);
        QuarterDraft? state = null;
        if (_quarters.TryGetValue(key, out var prior) && prior.Revision.Structure == revision.Structure && prior.Revision.Counter <= revision.Counter)
            state = await RefreshAsync(db, prior, revision, progress, sw);
        if (state is null)
        {
            var frame = await PeriodInputs.FrameAsync(db, period, category, default);
            if (frame is null)
            {
                _quarters.TryRemove(key, out _);
                return Empty(periodId, category, version, period, revision, sw.Elapsed);
            }
            var inputs = await PeriodInputs.ReadAsync(db, frame, null, default);
            var loaded = sw.Elapsed;
            progress.Phase = ComputationPhase.Scoring;
            var groups = frame.Units.GroupBy(u => ScoredWith(frame, u), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => Score(frame, [.. g], inputs), StringComparer.Ordinal);
            state = Arrange(frame, revision, inputs, groups, sw.Elapsed);
            log.LogInformation("results of {Period} {Category} computed in {Ms} ms: read in {Load} ms ({Units} units), {Groups} groups scored",
                periodId, category, sw.ElapsedMilliseconds, (long)loaded.TotalMilliseconds, frame.Units.Count, groups.Count);
        }
        // Computations of one key run one at a time, but not always in revision order: keep the newest state.
        _quarters.AddOrUpdate(key, state, (_, old) => old.Revision.Structure == state.Revision.Structure && old.Revision.Counter > state.Revision.Counter ? old : state);
        return state.View;
    }

    /// <summary>
    /// The next revision of a draft quarter from the previous one, when only facts changed: the units whose
    /// facts are numbered above the counter it saw are read again, and only their groups are scored.
    /// </summary>
    private async Task<QuarterDraft?> RefreshAsync(KaoheDbContext db, QuarterDraft prior, Revision revision, Computation progress, Stopwatch sw)
    {
        var periodId = prior.Frame.Period.Id;
        var seen = prior.Revision.Counter;
        var changed = await db.Facts.AsNoTracking().Where(f => f.PeriodId == periodId && f.ChangeNo > seen)
            .Select(f => f.UnitId).Distinct().ToListAsync();
        var members = prior.Frame.Units.ToDictionary(u => u.Id, StringComparer.Ordinal);
        var mine = changed.Where(members.ContainsKey).ToList();
        if (mine.Count == 0) return prior with { Revision = revision, View = Restamp(prior.View, revision) };
        Interlocked.Increment(ref _refreshes);
        var read = await PeriodInputs.ReadAsync(db, prior.Frame, mine.Count >= PeriodInputs.ChangedUnitsForFullRead ? null : mine, default);
        var inputs = new Dictionary<string, UnitInputs>(prior.Inputs, StringComparer.Ordinal);
        foreach (var (unit, i) in read) inputs[unit] = i;
        progress.Phase = ComputationPhase.Scoring;
        var groups = new Dictionary<string, GroupScore>(prior.Groups, StringComparer.Ordinal);
        var touched = mine.Select(u => ScoredWith(prior.Frame, members[u])).Distinct(StringComparer.Ordinal).ToList();
        foreach (var g in touched) groups[g] = Score(prior.Frame, prior.Groups[g].Members, inputs);
        var state = Arrange(prior.Frame, revision, inputs, groups, sw.Elapsed);
        log.LogInformation("results of {Period} {Category} refreshed in {Ms} ms: {Units} units changed, {Groups} groups scored again",
            periodId, prior.Frame.Category, sw.ElapsedMilliseconds, mine.Count, touched.Count);
        return state;
    }

    /// <summary>
    /// The key of the part of a category a unit is scored with: its ranking group, or the whole category
    /// when a leaf is a formula (a <c>sum</c> adds up every unit, so a change in one unit moves the
    /// values of all, and no group can be scored alone).
    /// </summary>
    private const string WholeCategory = "\u0000whole";

    private static string ScoredWith(QuarterFrame frame, OrgUnit unit) => frame.HasFormulas ? WholeCategory : unit.Group;

    private GroupScore Score(QuarterFrame frame, IReadOnlyList<OrgUnit> members, IReadOnlyDictionary<string, UnitInputs> inputs)
    {
        var assessment = frame.Assessment(members, inputs);
        return new GroupScore(members, assessment, engine.Score(assessment));
    }

    /// <summary>The draft view of scored groups. Data that does not score is reported as the whole input's errors, as a file of it would be.</summary>
    private QuarterDraft Arrange(QuarterFrame frame, Revision revision, IReadOnlyDictionary<string, UnitInputs> inputs, IReadOnlyDictionary<string, GroupScore> groups, TimeSpan elapsed)
    {
        var whole = new Lazy<Assessment>(() => frame.Assessment(frame.Units, inputs), LazyThreadSafetyMode.ExecutionAndPublication);
        IReadOnlyList<ValidationError> errors = [];
        IReadOnlyList<UnitResult> units = [];
        if (groups.Values.Any(g => !g.Outcome.IsValid))
            errors = engine.Score(whole.Value).Errors is { Count: > 0 } e ? e : [.. groups.Values.SelectMany(g => g.Outcome.Errors).Distinct()];
        else units = [.. groups.Values.SelectMany(g => g.Outcome.Result!.Units)];
        var groupOf = frame.Units.ToDictionary(u => u.Id, u => ScoredWith(frame, u), StringComparer.Ordinal);
        var arranged = ResultsView.Arrange(units);
        var view = new ResultsView(() => whole.Value, (unit, node) => groups[groupOf[unit]].Outcome.Result?.Explain(unit, node))
        {
            PeriodId = frame.Period.Id, Category = frame.Category, Version = DraftVersion(frame.Period.Id, revision), Revision = revision,
            Period = frame.Period, Scheme = (frame.Scheme.Id, frame.Scheme.Version), Errors = errors,
            Units = arranged.Units, Groups = arranged.Groups, ByUnit = arranged.ByUnit, Margins = arranged.Margins,
            RankDecimals = frame.Rules.RankDecimals, ComputeTime = elapsed,
        };
        return new QuarterDraft(frame, revision, inputs, groups, view);
    }

    /// <summary>The same results under a newer revision (facts changed that this category does not read).</summary>
    private static ResultsView Restamp(ResultsView v, Revision revision) => new(() => v.Assessment, v.Explain)
    {
        PeriodId = v.PeriodId, Category = v.Category, Version = DraftVersion(v.PeriodId, revision), Revision = revision, Period = v.Period,
        Scheme = v.Scheme, Errors = v.Errors, Units = v.Units, Groups = v.Groups, ByUnit = v.ByUnit, Margins = v.Margins,
        RankDecimals = v.RankDecimals, ComputeTime = v.ComputeTime,
    };

    private static ResultsView Empty(string periodId, string category, string version, Period? period, Revision? revision, TimeSpan elapsed) =>
        new(() => null, (_, _) => null)
        {
            PeriodId = periodId, Category = category, Version = version, Revision = revision, Period = period, NoScheme = true, ComputeTime = elapsed,
        };

    /// <summary>
    /// A published snapshot as stored: its input and its results, whose SHA-256 is checked against the
    /// recorded one; nothing is scored. Explaining a unit derives the reasoning from the stored input (its
    /// group scored once) and is refused if that does not give the stored total.
    /// </summary>
    private async Task<ResultsView> ComputePublishedAsync(string periodId, string category, SnapshotInfo info, Computation progress)
    {
        progress.Phase = ComputationPhase.Loading;
        Interlocked.Increment(ref _computations);
        var sw = Stopwatch.StartNew();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var row = await db.Snapshots.AsNoTracking().Where(s => s.Id == info.Id).Select(s => new { s.Document, s.ResultSha256 }).FirstAsync();
        var period = await db.Periods.AsNoTracking().FirstOrDefaultAsync(p => p.Id == periodId);
        var stored = StoredSnapshot.Read(row.Document, row.ResultSha256);
        if (stored is not { ResultIntact: true })
        {
            log.LogError("snapshot {Key}: the stored result does not match its recorded SHA-256", info.Key);
            return new ResultsView(() => stored?.Input, (_, _) => null)
            {
                PeriodId = periodId, Category = category, Version = $"snapshot:{info.Id}", Period = period, Published = info, ComputeTime = sw.Elapsed,
                Errors = [new("$.result", $"已公布结果 {info.Key} 的校验值不符，结果可能被改动，请用 kaohe verify 核对",
                    $"the published result {info.Key} does not match its recorded SHA-256 and may have been changed: check it with kaohe verify")],
            };
        }
        var arranged = ResultsView.Arrange(stored.Units);
        var explained = new ConcurrentDictionary<string, Lazy<AssessmentResult?>>(StringComparer.Ordinal);
        Explanation? Explain(string unit, string? node)
        {
            var mine = arranged.ByUnit[unit];
            // A version 2 input with formulas is explained whole: a formula's sum() covers every unit of the file.
            var whole = stored.Input.Indicators.Any(HasFormula);
            var result = explained.GetOrAdd(whole ? WholeCategory : mine.Group, g => new Lazy<AssessmentResult?>(() =>
            {
                if (whole) return engine.Score(stored.Input).Result;
                var members = stored.Input.Units.Where(u => (u.Group ?? "") == g).Select(u => u.Id).ToHashSet(StringComparer.Ordinal);
                var part = stored.Input with
                {
                    Units = [.. stored.Input.Units.Where(u => members.Contains(u.Id))],
                    Values = [.. stored.Input.Values.Where(v => members.Contains(v.Unit))],
                    Adjustments = [.. stored.Input.Adjustments.Where(a => members.Contains(a.Unit))],
                    Vetoes = [.. stored.Input.Vetoes.Where(v => members.Contains(v.Unit))],
                    Data = [.. stored.Input.Data.Where(d => members.Contains(d.Unit))],
                };
                return engine.Score(part).Result;
            })).Value;
            if (result is null || result[unit].Total != mine.Total)
            {
                log.LogError("snapshot {Key}: explaining {Unit} does not give the published total", info.Key, unit);
                return null;
            }
            return result.Explain(unit, node);
        }
        return new ResultsView(() => stored.Input, Explain)
        {
            PeriodId = periodId, Category = category, Version = $"snapshot:{info.Id}", Period = period, Published = info,
            Units = arranged.Units, Groups = arranged.Groups, ByUnit = arranged.ByUnit, Margins = arranged.Margins,
            RankDecimals = stored.Input.Rules.RankDecimals, ComputeTime = sw.Elapsed,
        };
    }

    private static bool HasFormula(Indicator n) => n.Formula is not null || n.ChildList.Any(HasFormula);

    /// <summary>The leaf of the annual leadership evaluation (厅领导班子年度总体评价) in the annual roll-up and its facts.</summary>
    public const string LeadershipLeaf = "LD";

    /// <summary>The seed's leadership evaluation: principal leader and leader in charge, 50% each.</summary>
    public static readonly IReadOnlyDictionary<string, double> LeadershipRaters = new Dictionary<string, double> { ["principal"] = 0.5, ["in-charge"] = 0.5 };

    /// <summary>
    /// The year's draft (docs/annual.md): each quarter's latest published results (as stored) or its draft,
    /// the annual leadership evaluation, the year's adjustments and every veto of the year or its quarters.
    /// </summary>
    private async Task<ResultsView> AnnualAsync(KaoheDbContext db, Period year, string category, string version, Revision revision)
    {
        var cat = Categories.Find(category)!;
        var sw = Stopwatch.StartNew();
        var setting = await db.Set<AnnualSetting>().AsNoTracking().FirstOrDefaultAsync(s => s.Year == year.Year && s.Category == category);
        if (setting is null) return Empty(year.Id, category, version, year, revision, sw.Elapsed);
        var units = await db.Units.AsNoTracking().Where(u => u.Kind == cat.Kind).OrderBy(u => u.Id).ToListAsync();
        var unitIds = units.Select(u => u.Id).ToList();
        var quarters = await db.Periods.AsNoTracking().Where(p => p.Year == year.Year && p.Quarter != null).OrderBy(p => p.Quarter).ToListAsync();
        var parts = new List<RollupPart>();
        var described = new List<AnnualPart>();
        var errors = new List<ValidationError>();
        Rules? rules = null;
        foreach (var q in quarters)
        {
            var weight = setting.Quarters[q.Quarter!.Value - 1];
            if (weight == 0) continue;
            var id = $"Q{q.Quarter}";
            var published = await PublishedAsync(db, q.Id, category);
            var view = published ?? await DraftAsync(db, q.Id, category);
            described.Add(published is { Published: { } p }
                ? new(id, q.Label(false), q.Label(true), weight, $"已公布结果 v{p.Version}", $"published v{p.Version}", p.Id)
                : new(id, q.Label(false), q.Label(true), weight, "草稿（未公布）", "draft (not published)", null));
            if (view is not { Scored: true })
            {
                errors.Add(new($"$.{id}", $"{q.Label(false)}的结果尚不能计算", $"{q.Label(true)} cannot be computed yet"));
                continue;
            }
            rules = view.Assessment!.Rules;
            parts.Add(new RollupPart(id, q.Label(false), weight, view.Units.ToDictionary(u => u.Id, u => u.Total, StringComparer.Ordinal)));
        }
        var periodIds = quarters.Select(q => q.Id).Append(year.Id).ToList();
        var facts = await db.Facts.AsNoTracking()
            .Where(f => periodIds.Contains(f.PeriodId) && unitIds.Contains(f.UnitId) && FactStatuses.Counted.Contains(f.Status))
            .Where(f => f.PeriodId == year.Id || f.Kind == FactKind.Veto)
            .OrderBy(f => f.Id).Select(f => new { f.PeriodId, f.UnitId, f.IndicatorId, f.Kind, f.Rater, f.Payload }).ToListAsync();
        if (setting.Leadership > 0)
        {
            // 厅领导班子总体评价: the two leaders' ratings of the year, 50% each (domain.md), on a 100-point scale.
            var ratings = facts.Where(f => f.PeriodId == year.Id && f.Kind == FactKind.RaterScore && f.IndicatorId == LeadershipLeaf).ToList();
            var totals = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var u in units)
            {
                var mine = ratings.Where(r => r.UnitId == u.Id && r.Rater is not null && LeadershipRaters.ContainsKey(r.Rater)).ToList();
                if (mine.Select(r => r.Rater).Distinct().Count() == LeadershipRaters.Count)
                    totals[u.Id] = mine.GroupBy(r => r.Rater!).Sum(g => LeadershipRaters[g.Key] * (FactPayload.Parse(g.Last().Payload).Value ?? 0));
            }
            parts.Add(new RollupPart(LeadershipLeaf, "厅领导班子年度总体评价", setting.Leadership, totals));
            described.Add(new(LeadershipLeaf, "厅领导班子年度总体评价", "Annual leadership evaluation", setting.Leadership, "厅主要领导、分管领导各占50%", "principal and in-charge leader, 50% each", null));
        }
        var adjustments = facts.Where(f => f.PeriodId == year.Id && f.Kind == FactKind.Adjustment)
            .Select(f => FactPayload.Parse(f.Payload) is var p ? new Adjustment(f.UnitId, p.Points ?? 0, p.Reason ?? "") : null!).ToList();
        // A veto recorded on the year or on any of its quarters vetoes the annual result (一票否决).
        var vetoes = facts.Where(f => f.Kind == FactKind.Veto).GroupBy(f => f.UnitId)
            .Select(g => new Veto(g.Key, string.Join("；", g.Select(f => FactPayload.Parse(f.Payload).Reason ?? "").Distinct()))).ToList();
        if (rules is null || errors.Count > 0)
        {
            return new ResultsView(() => null, (_, _) => null)
            {
                PeriodId = year.Id, Category = category, Version = version, Revision = revision, Period = year, AnnualParts = described,
                Errors = errors.Count > 0 ? errors : [new("$", "没有可汇总的季度结果", "no quarter results to roll up")], ComputeTime = sw.Elapsed,
            };
        }
        var assessment = AnnualRollup.Build(year.Id, [.. units.Select(u => new Unit(u.Id, u.Name, u.Group))], parts, adjustments, vetoes, rules);
        var outcome = engine.Score(assessment);
        var arranged = ResultsView.Arrange(outcome.Result?.Units ?? []);
        return new ResultsView(() => assessment, (unit, node) => outcome.Result?.Explain(unit, node))
        {
            PeriodId = year.Id, Category = category, Version = version, Revision = revision, Period = year, AnnualParts = described,
            Errors = outcome.Errors, Units = arranged.Units, Groups = arranged.Groups, ByUnit = arranged.ByUnit, Margins = arranged.Margins,
            RankDecimals = rules.RankDecimals, ComputeTime = sw.Elapsed,
        };
    }
}

/// <summary>The live state of one computation (written by it, read by the pages).</summary>
internal sealed class Computation
{
    public volatile ComputationPhase Phase = ComputationPhase.Waiting;
    /// <summary>A <see cref="TimeProvider"/> timestamp; 0 until it starts.</summary>
    public long StartedAt;
}
