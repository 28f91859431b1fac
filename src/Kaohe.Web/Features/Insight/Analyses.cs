using System.Collections.Concurrent;
using System.Security.Claims;

namespace Kaohe.Web.Features.Insight;

/// <summary>
/// How far an analysis under way is: what it is computing now (Chinese, English), an estimate in percent (never 100
/// before it is done) and, where the step counts something (samples drawn, results read), how many of how many.
/// </summary>
public sealed record AnalysisProgress(int Percent, string StepZh, string StepEn, int? Done = null, int? Total = null);

/// <summary>An analysis as a page reads it: <paramref name="Value"/> when it is ready for the current results, else the <paramref name="Progress"/> of its computation.</summary>
public sealed record AnalysisRead<T>(T? Value, AnalysisProgress? Progress) where T : class
{
    public bool Ready => Progress is null;
}

/// <summary>What a running analysis reports: the step it is on and how far it is (written by the computation, read by the pages).</summary>
public sealed class AnalysisSteps
{
    private volatile AnalysisProgress _now = new(0, "排队等待", "waiting");

    /// <summary>The computation is at this step, <paramref name="percent"/> of the way (0–99), <paramref name="done"/> of <paramref name="total"/> when it counts.</summary>
    public void At(int percent, string zh, string en, int? done = null, int? total = null) => _now = new(Math.Clamp(percent, 0, 99), zh, en, done, total);

    public AnalysisProgress Snapshot() => _now;
}

/// <summary>
/// The Insight analyses at national scale (issue 18 item 6): 排名分差 (the robustness Monte-Carlo) and 一页通
/// (every category's and quarter's results) take from seconds to minutes to compute, so a page never computes
/// them itself. It names the analysis (a key: the page, period, category and the reader's role) and the version of
/// the results it is made from (<see cref="Results.ResultsStore.VersionAsync"/>: cheap queries, nothing computed);
/// it gets the analysis when one of that version is ready, else the progress of its computation, which it starts or
/// joins. The computation runs here in the background, in its own scope, as the role (not the person: what a role
/// sees of the results does not depend on who holds it among the roles that open these pages, and the page checks
/// the person's own access before it asks, docs/visibility.md).
/// </summary>
/// <remarks>
/// <para>Why not a background job (Features/Jobs): a job is a durable request with an owner, retries and a row in
/// the database, for work whose result must survive (a bulletin, a workbook). An analysis is a cache of what the
/// results store holds, recomputed from it on demand; like the store's own drafts it lives in memory and is
/// keyed to the results' version, so it is invalidated exactly when those results change and never by a timer.</para>
/// <para>Concurrent requests for one version share one computation; a newer version waits for the running
/// computation of its key (one at a time per key, as in the results store: a gate that exists only while the key
/// computes or is waited for); the computation belongs to the store, not to the request that started it. The pages
/// and the API (<c>/api/v1/insight/rankings</c>, <c>/dashboard</c>) read the same keys through <see cref="InsightReads"/>.</para>
/// </remarks>
public sealed class Analyses(IServiceScopeFactory scopes, TimeProvider clock, IConfiguration config, ILogger<Analyses> log)
{
    private sealed record Slot(string Version, AnalysisSteps Steps, Lazy<Task<object>> Work);

    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly Infrastructure.KeyedGates<string> _gates = new(StringComparer.Ordinal);
    private long _computations;

    /// <summary>How long a page waits for an analysis before it answers with the progress: <c>Kaohe:Insight:PageWaitSeconds</c>, 0.5 by default (a small dataset's analysis is shown at once, a national one never holds the page).</summary>
    public TimeSpan PageWait { get; set; } = TimeSpan.FromSeconds(config.GetValue("Kaohe:Insight:PageWaitSeconds", 0.5));

    /// <summary>For tests: awaited at the start of every computation (after it is counted) with its key, to hold it while requests pile up.</summary>
    public Func<string, Task>? BeforeComputation { get; set; }

    /// <summary>How many analyses were computed since start (for tests and diagnostics).</summary>
    public long Computations => Interlocked.Read(ref _computations);

    /// <summary>How many keys hold a gate now: only those computing or waiting to (for tests and diagnostics).</summary>
    public int Gates => _gates.Count;

    /// <summary>The principal a computation runs as: only the role, which is all that <see cref="Results.ResultsAccess"/> reads of an office, leader, viewer or division for a whole ranking.</summary>
    public static ClaimsPrincipal AsRole(string role) => new(new ClaimsIdentity([new Claim(ClaimTypes.Role, role)], "analysis"));

    /// <summary>
    /// The analysis <paramref name="key"/> at <paramref name="version"/> if it is ready within <paramref name="wait"/>, else its progress;
    /// the computation is started (or joined) either way. A computation that failed fails this request and is tried again by the next.
    /// </summary>
    public async Task<AnalysisRead<T>> ReadAsync<T>(string key, string version, Func<IServiceProvider, AnalysisSteps, Task<T>> compute, TimeSpan wait,
        CancellationToken ct = default) where T : class
    {
        var slot = SlotFor(key, version, async (sp, steps) => await compute(sp, steps));
        var task = slot.Work.Value;
        if (!task.IsCompleted && wait > TimeSpan.Zero)
        {
            using var delay = CancellationTokenSource.CreateLinkedTokenSource(ct);
            await Task.WhenAny(task, Task.Delay(wait, clock, delay.Token));
            await delay.CancelAsync();
            ct.ThrowIfCancellationRequested();
        }
        if (!task.IsCompleted) return new(null, slot.Steps.Snapshot());
        if (!task.IsCompletedSuccessfully) _slots.TryRemove(KeyValuePair.Create(key, slot));
        return new((T)await task, null);
    }

    private Slot SlotFor(string key, string version, Func<IServiceProvider, AnalysisSteps, Task<object>> compute)
    {
        while (true)
        {
            var slot = _slots.GetOrAdd(key, _ => NewSlot(key, version, compute));
            if (slot.Version == version) return slot;
            var fresh = NewSlot(key, version, compute);
            if (_slots.TryUpdate(key, fresh, slot)) return fresh;
        }
    }

    private Slot NewSlot(string key, string version, Func<IServiceProvider, AnalysisSteps, Task<object>> compute)
    {
        var steps = new AnalysisSteps();
        return new(version, steps, new Lazy<Task<object>>(() =>
        {
            // Counted here, by the request that starts it, not inside the task: a caller that saw the progress knows
            // the computation is counted (a count taken in the task depended on when the thread pool ran it).
            Interlocked.Increment(ref _computations);
            return Task.Run(() => ComputeAsync(key, version, steps, compute));
        }, LazyThreadSafetyMode.ExecutionAndPublication));
    }

    private async Task<object> ComputeAsync(string key, string version, AnalysisSteps steps, Func<IServiceProvider, AnalysisSteps, Task<object>> compute)
    {
        using var held = await _gates.EnterAsync(key);
        if (BeforeComputation is { } hold) await hold(key);
        var started = clock.GetTimestamp();
        await using var scope = scopes.CreateAsyncScope();
        var result = await compute(scope.ServiceProvider, steps);
        log.LogInformation("analysis {Key} at {Version} computed in {Ms} ms", key, version, (long)clock.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }
}

/// <summary>The progress box of an Insight page whose analysis is being computed (<c>_AnalysisProgress.cshtml</c>, driven by <c>progress-results.js</c> as the results page's).</summary>
public sealed record AnalysisProgressBox(AnalysisProgress Progress, string ProgressUrl, string RefreshUrl, string TitleZh, string TitleEn)
{
    /// <summary>The answer of a page's progress handler, in the shape of the results progress API that the script reads.</summary>
    public static object Json(AnalysisProgress? p) => p is null
        ? new { Ready = true, Percent = 100, Step = (string?)null }
        : new { Ready = false, p.Percent, Step = (string?)Infrastructure.Ui.T(p.StepZh, p.StepEn) };
}
