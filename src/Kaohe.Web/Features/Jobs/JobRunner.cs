using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Json;
using System.Threading.Channels;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Jobs;

/// <summary>How far a job is: <paramref name="Total"/> 0 means "not known yet" (the bar is indeterminate).</summary>
public readonly record struct JobProgress(long Done, long Total, string? Message);

/// <summary>What a job handler gets: its job, its own DI scope (DbContext, AuditLog), the owner as a principal, and where to report progress.</summary>
public sealed record JobContext(Job Job, IServiceProvider Services, ClaimsPrincipal User, IProgress<JobProgress> Progress)
{
    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();
}

/// <summary>The end of a job: a message and what it produced, or (an expected failure, e.g. an import's row errors) an error with the errors by cell.</summary>
public sealed record JobOutcome(bool Ok, string Message, long? AttachmentId = null, string? Link = null, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static JobOutcome Success(string message, long? attachmentId = null, string? link = null) => new(true, message, attachmentId, link);

    public static JobOutcome Failure(string message, IReadOnlyDictionary<string, string[]>? errors = null) => new(false, message, null, null, errors);
}

/// <summary>One kind of long work (facts.import, bulletin.docx, scores.xlsx, ...).</summary>
public interface IJobHandler
{
    string Kind { get; }

    Task<JobOutcome> RunAsync(JobContext context, CancellationToken ct);
}

/// <summary>One kind of job a feature registered with <see cref="JobRegistration.AddJob{THandler}"/>.</summary>
public sealed record JobKindRegistration(string Kind);

/// <summary>The kinds of job this process can run: what the features registered (each also a keyed scoped <see cref="IJobHandler"/>).</summary>
public sealed class JobKinds(IEnumerable<JobKindRegistration> registered) : HashSet<string>(registered.Select(r => r.Kind), StringComparer.Ordinal);

public static class JobRegistration
{
    /// <summary>
    /// A feature registers its own kind of long work here (in its AddXxx), so the runner in Jobs names
    /// no feature: the handler is keyed by its kind, and the kind is one the runner accepts.
    /// </summary>
    public static IServiceCollection AddJob<THandler>(this IServiceCollection services, string kind) where THandler : class, IJobHandler
    {
        services.AddKeyedScoped<IJobHandler, THandler>(kind);
        services.AddSingleton(new JobKindRegistration(kind));
        return services;
    }
}

public sealed class JobOptions
{
    /// <summary>How often a running job says it is alive (and its progress is written to the database).</summary>
    public double HeartbeatSeconds { get; set; } = 2;

    /// <summary>A running job whose heartbeat is older than this belongs to a dead instance and is marked failed.</summary>
    public double StaleSeconds { get; set; } = 30;

    /// <summary>How often an idle instance looks for queued jobs (a job queued on this instance starts at once).</summary>
    public double PollSeconds { get; set; } = 2;
}

/// <summary>
/// Runs queued jobs, one at a time per instance. A job is claimed by a conditional update
/// (Queued → Running), so with several instances on one PostgreSQL exactly one runs it. Progress is
/// kept in memory (read by the API of this instance at once) and written to the job row with the
/// heartbeat, so another instance (and a returning user) sees it too. A job left Running by a dead
/// instance is failed at the next start and by every sweep once its heartbeat is stale — never left
/// "running" forever. Jobs are not retried: an import may have been half-read; the user starts it again.
/// </summary>
public sealed class JobRunner(IServiceScopeFactory scopes, TimeProvider clock, JobKinds kinds,
    Microsoft.Extensions.Options.IOptions<JobOptions> options, ILogger<JobRunner> log) : BackgroundService
{
    private readonly Channel<string> _wake = Channel.CreateUnbounded<string>();
    private readonly ConcurrentDictionary<string, JobProgress> _live = new();

    /// <summary>This process: jobs it claims carry it, so a sweep knows whose they were.</summary>
    public string Instance { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    public bool Knows(string kind) => kinds.Contains(kind);

    /// <summary>Progress of a job running in this process, fresher than the row.</summary>
    public JobProgress? Live(string id) => _live.TryGetValue(id, out var p) ? p : null;

    /// <summary>Wakes the loop after a job was queued (saves a poll interval).</summary>
    public void Wake(string id) => _wake.Writer.TryWrite(id);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try { await RecoverOrphansAsync(startup: true, stoppingToken); }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            log.LogWarning(ex, "Could not sweep orphaned jobs at start");
        }
        var lastSweep = clock.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await RunNextAsync(stoppingToken)) { }
                if (clock.GetUtcNow() - lastSweep > TimeSpan.FromSeconds(options.Value.StaleSeconds / 2))
                {
                    await RecoverOrphansAsync(startup: false, stoppingToken);
                    lastSweep = clock.GetUtcNow();
                }
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                wait.CancelAfter(TimeSpan.FromSeconds(options.Value.PollSeconds));
                try { await _wake.Reader.ReadAsync(wait.Token); } catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested) { }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
            // Any failure, not only the database's own exceptions (a restarting database ends in EF's
            // RetryLimitExceededException): an exception leaving ExecuteAsync stops the whole application.
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(ex, "The job loop failed; it goes on");
                await Task.Delay(TimeSpan.FromSeconds(options.Value.PollSeconds), clock, stoppingToken);
            }
        }
    }

    /// <summary>
    /// Marks failed every Running job whose heartbeat is stale. At start, on SQLite (one instance owns
    /// the file), every Running job is an orphan whatever its heartbeat. Returns how many were failed.
    /// </summary>
    public async Task<int> RecoverOrphansAsync(bool startup = false, CancellationToken ct = default)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        var now = clock.GetUtcNow();
        var staleBefore = now - TimeSpan.FromSeconds(options.Value.StaleSeconds);
        var running = await db.Set<Job>().Where(j => j.Status == JobStatus.Running).ToListAsync(ct);
        var orphans = running.Where(j => j.Instance != Instance && ((startup && !db.IsPostgres) || (j.HeartbeatAt ?? j.StartedAt ?? j.CreatedAt) < staleBefore)).ToList();
        foreach (var j in orphans)
        {
            j.Fail("运行该任务的实例已停止，任务未完成，请重新发起 / the instance running this job stopped; the job did not finish, start it again", null, now);
            audit.Record("job.orphaned", "job", j.Id, JobStatus.Running.ToString(), JobStatus.Failed.ToString(), $"instance {j.Instance} stopped");
        }
        if (orphans.Count > 0) await audit.SaveAsync(ct);
        return orphans.Count;
    }

    /// <summary>Claims the oldest queued job of a kind this process knows and runs it; false when there was none.</summary>
    public async Task<bool> RunNextAsync(CancellationToken ct = default)
    {
        string? id;
        using (var scope = scopes.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
            var known = kinds.ToList();
            var candidates = await db.Set<Job>().AsNoTracking().Where(j => j.Status == JobStatus.Queued && known.Contains(j.Kind))
                .OrderBy(j => j.CreatedAt).Select(j => j.Id).Take(5).ToListAsync(ct);
            id = null;
            var now = clock.GetUtcNow();
            foreach (var c in candidates)
            {
                var claimed = await db.Set<Job>().Where(j => j.Id == c && j.Status == JobStatus.Queued).ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.Status, JobStatus.Running).SetProperty(j => j.Instance, Instance)
                    .SetProperty(j => j.StartedAt, now).SetProperty(j => j.HeartbeatAt, now), ct);
                if (claimed == 1) { id = c; break; }
            }
        }
        if (id is null) return false;
        await RunAsync(id, ct);
        return true;
    }

    private sealed class Reporter(ConcurrentDictionary<string, JobProgress> live, string id) : IProgress<JobProgress>
    {
        public void Report(JobProgress value) => live[id] = value;
    }

    private async Task RunAsync(string id, CancellationToken ct)
    {
        _live[id] = new JobProgress(0, 0, null);
        using var beat = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var heartbeat = HeartbeatAsync(id, beat.Token);
        JobOutcome outcome;
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
            var job = await db.Set<Job>().AsNoTracking().FirstAsync(j => j.Id == id, ct);
            var user = Principal(job);
            // AuditLog names the actor from the HTTP context: the job acts as the person who started it.
            var http = scope.ServiceProvider.GetRequiredService<IHttpContextAccessor>();
            http.HttpContext = new DefaultHttpContext { User = user, RequestServices = scope.ServiceProvider };
            outcome = await scope.ServiceProvider.GetRequiredKeyedService<IJobHandler>(job.Kind).RunAsync(new JobContext(job, scope.ServiceProvider, user, new Reporter(_live, id)), ct);
            http.HttpContext = null;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            outcome = JobOutcome.Failure("实例停止，任务中断 / the instance stopped; the job was interrupted");
        }
        catch (PeriodStageException e)
        {
            // The period moved on after the job was queued: an expected refusal, said as such; nothing was written.
            outcome = JobOutcome.Failure($"{e.Refusal.Zh}，未写入任何内容 / {e.Refusal.En}; nothing was written",
                new Dictionary<string, string[]> { ["period"] = [Ui.T(e.Refusal.Zh, e.Refusal.En)] });
        }
#pragma warning disable CA1031 // a bug in one job must not stop the runner; it is logged and shown on the job
        catch (Exception ex)
#pragma warning restore CA1031
        {
            log.LogError(ex, "Job {Id} failed", id);
            outcome = JobOutcome.Failure($"任务出错 / the job failed: {ex.GetType().Name}");
        }
        await beat.CancelAsync();
        try { await heartbeat; } catch (OperationCanceledException) { }
        await FinishAsync(id, outcome);
        _live.TryRemove(id, out _);
    }

    private async Task HeartbeatAsync(string id, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.HeartbeatSeconds), clock);
        while (await timer.WaitForNextTickAsync(ct))
        {
            try
            {
                using var scope = scopes.CreateScope();
                var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
                var p = _live.GetValueOrDefault(id);
                var now = clock.GetUtcNow();
                await db.Set<Job>().Where(j => j.Id == id && j.Status == JobStatus.Running).ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.HeartbeatAt, now).SetProperty(j => j.Done, p.Done).SetProperty(j => j.Total, p.Total)
                    .SetProperty(j => j.Message, p.Message), ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // On SQLite an import's write transaction holds the file for a few seconds: the next beat catches up.
                log.LogDebug(ex, "Heartbeat of job {Id} skipped", id);
            }
        }
    }

    private async Task FinishAsync(string id, JobOutcome outcome)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        var job = await db.Set<Job>().FirstAsync(j => j.Id == id);
        var http = scope.ServiceProvider.GetRequiredService<IHttpContextAccessor>();
        http.HttpContext = new DefaultHttpContext { User = Principal(job) };
        var now = clock.GetUtcNow();
        var p = _live.GetValueOrDefault(id);
        // The last progress reported (a short job may end before its first heartbeat wrote any).
        db.Entry(job).Property(j => j.Done).CurrentValue = p.Done;
        db.Entry(job).Property(j => j.Total).CurrentValue = p.Total;
        if (outcome.Ok) job.Succeed(outcome.Message, outcome.AttachmentId, outcome.Link, now);
        else
            job.Fail(outcome.Message.Length > 2000 ? outcome.Message[..2000] : outcome.Message,
                outcome.Errors is null ? null : JsonSerializer.Serialize(outcome.Errors, AuditChain.Json), now);
        audit.Record(outcome.Ok ? "job.succeeded" : "job.failed", "job", id, JobStatus.Running.ToString(), new { job.Status, job.Message, job.Error, job.ResultAttachmentId });
        await audit.SaveAsync();
        http.HttpContext = null;
    }

    public static ClaimsPrincipal Principal(Job job) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, job.Owner), new Claim(ClaimTypes.Role, job.OwnerRole)], "job", ClaimTypes.Name, ClaimTypes.Role));
}
