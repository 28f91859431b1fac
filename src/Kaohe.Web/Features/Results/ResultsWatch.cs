using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Kaohe.Data;

namespace Kaohe.Web.Features.Results;

/// <summary>
/// Tells the pages of this instance when a period's results inputs change, wherever the change was
/// written (this instance or another behind the same proxy): one loop per watched period reads the
/// period's revision from the database every <c>Kaohe:Results:WatchSeconds</c> (1 s), however many
/// pages watch it, and stops when the last one leaves.
/// </summary>
public sealed class ResultsWatch(IServiceScopeFactory scopes, TimeProvider clock, IConfiguration config, ILogger<ResultsWatch> log)
{
    private sealed class Watcher
    {
        public int Watchers;
        public Revision? Current;
        public TaskCompletionSource<Revision> Next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public CancellationTokenSource Stop = new();
    }

    private readonly ConcurrentDictionary<string, Watcher> _watchers = new(StringComparer.Ordinal);
    private readonly object _lock = new();

    public TimeSpan Interval { get; } = TimeSpan.FromSeconds(Math.Max(0.1, config.GetValue("Kaohe:Results:WatchSeconds", 1.0)));

    /// <summary>The period's revision now, then every new one as it is seen, until <paramref name="ct"/> ends.</summary>
    public async IAsyncEnumerable<Revision> WatchAsync(string periodId, [EnumeratorCancellation] CancellationToken ct)
    {
        Watcher w;
        lock (_lock)
        {
            w = _watchers.GetOrAdd(periodId, _ => new Watcher());
            if (w.Watchers++ == 0)
            {
                w.Stop = new CancellationTokenSource();
                _ = Task.Run(() => LoopAsync(periodId, w, w.Stop.Token), CancellationToken.None);
            }
        }
        try
        {
            Revision? sent = null;
            while (!ct.IsCancellationRequested)
            {
                var next = w.Next.Task;
                if (w.Current is { } now && now != sent)
                {
                    sent = now;
                    yield return now;
                    continue;
                }
                try { await next.WaitAsync(ct); }
                catch (OperationCanceledException) { yield break; }
            }
        }
        finally
        {
            lock (_lock)
            {
                if (--w.Watchers == 0)
                {
                    w.Stop.Cancel();
                    _watchers.TryRemove(KeyValuePair.Create(periodId, w));
                }
            }
        }
    }

    private async Task LoopAsync(string periodId, Watcher w, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
                var revision = await ResultsRevisions.ReadAsync(db, periodId, stop);
                if (w.Current != revision)
                {
                    w.Current = revision;
                    var done = Interlocked.Exchange(ref w.Next, new TaskCompletionSource<Revision>(TaskCreationOptions.RunContinuationsAsynchronously));
                    done.TrySetResult(revision);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A database outage: the pages keep what they show and the loop tries again.
                log.LogWarning(e, "watching the results of {Period}: the revision could not be read", periodId);
            }
            try { await Task.Delay(Interval, clock, stop); }
            catch (OperationCanceledException) { return; }
        }
    }
}
