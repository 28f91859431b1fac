using System.Data.Common;
using System.Threading.Channels;
using Kaohe.Data;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Kaohe.Web.Features.Surveys;

/// <summary>
/// The single writer of web responses, with group commit. Submissions wait in a channel; one loop
/// per instance takes up to <c>Kaohe:Survey:BatchSize</c> (256) of them and
/// <list type="number">
/// <item>looks their codes up in one query (<c>TokenHash IN (…)</c> / <c>= ANY(@h)</c>) instead of one per request;</item>
/// <item>answers at once the unknown codes, the used ones, and the answers that do not fit the cached questionnaire;</item>
/// <item>writes the rest in one transaction: the claim of each code (<c>UPDATE … SET UsedAt WHERE Id = … AND UsedAt IS NULL</c>,
/// whose row count decides stored or already used), the response rows, and one audit entry per
/// response appended to the chain under the chain lock of <see cref="AuditLog"/>.</item>
/// </list>
/// Each caller is answered only after the commit: acknowledged means stored. A batch that fails is
/// retried item by item, so one bad row does not fail the others; an item that still fails is
/// answered Failed (503), with nothing of it written.
/// </summary>
public sealed partial class SurveyWriter : IAsyncDisposable
{
    /// <summary>
    /// Stored; Claimed: the code was used (before, or by the same code earlier in this batch; the caller
    /// compares the answers); Unknown: no such code (or site); NoQuestionnaire: its period has no active
    /// questionnaire; Invalid: the answers do not fit it; Failed: not stored, try again.
    /// </summary>
    public enum Outcome { Stored, Claimed, Unknown, NoQuestionnaire, Invalid, Failed }

    public readonly record struct Result(Outcome Outcome, long TokenId = 0, IReadOnlyList<string>? Errors = null);

    /// <summary>A submission as the intake hands it over: the code's hash, the answers and their stored JSON.</summary>
    public sealed record Pending(string TokenHash, SurveyAnswers Answers, string AnswersJson, string Language, string? ClientAddress)
    {
        internal readonly TaskCompletionSource<Result> Done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>For the tests only: a questionnaire id to store instead of the active one (e.g. one the database refuses).</summary>
        internal int? QuestionnaireIdForTests { get; init; }
    }

    /// <summary>What the lookup found for a submission that is to be written.</summary>
    private sealed record Row(Pending P, long TokenId, int SiteId, string SiteCode, int Serial, int QuestionnaireId, string Language, string? ClientHash);

    private sealed record Token(long Id, int SiteId, int Serial, bool Used);

    public const string Action = "survey.respond";
    public const string Actor = "system"; // the public answers without an account, as AuditLog names an anonymous change

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new() { SingleReader = true });
    private readonly SurveyDatabase _db;
    private readonly SurveyCache _cache;
    private readonly TimeProvider _clock;
    private readonly ILogger<SurveyWriter> _log;
    private readonly int _max;
    private readonly Task _loop;
    private readonly SemaphoreSlim _writing = new(1, 1); // the loop, or a test's batch: one writer at a time on the connection
    private SqliteConnection? _sqlite;

    public SurveyWriter(SurveyDatabase db, SurveyCache cache, TimeProvider clock, ILogger<SurveyWriter> log, IConfiguration config)
    {
        _db = db;
        _cache = cache;
        _clock = clock;
        _log = log;
        _max = Math.Clamp(config.GetValue("Kaohe:Survey:BatchSize", 256), 1, 10_000);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Batches written and responses stored since start (for the bench's instrumentation and the tests).</summary>
    public long Batches => Interlocked.Read(ref _batches);
    public long Stored => Interlocked.Read(ref _stored);
    private long _batches, _stored;

    public Task<Result> WriteAsync(Pending p)
    {
        if (!_queue.Writer.TryWrite(p)) return Task.FromResult(new Result(Outcome.Failed)); // shutting down
        return p.Done.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(_max);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _max && _queue.Reader.TryRead(out var p)) batch.Add(p);
            await ProcessAsync(batch);
        }
    }

    /// <summary>Handles one batch as the loop does (for the tests: a batch of known content) and returns each result.</summary>
    internal async Task<Result[]> WriteBatchForTestsAsync(IReadOnlyList<Pending> batch)
    {
        await ProcessAsync([.. batch]);
        return await Task.WhenAll(batch.Select(p => p.Done.Task));
    }

    private async Task ProcessAsync(List<Pending> batch)
    {
        await _writing.WaitAsync();
        try
        {
            try
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                Complete(await ResolveAndWriteAsync(batch));
                if (_log.IsEnabled(LogLevel.Debug))
                    _log.LogDebug("survey batch of {Count} written in {Ms} ms", batch.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (Exception ex) // the loop must outlive any failure of a batch, or every later caller would wait for ever
            {
                _log.LogWarning(ex, "survey batch of {Count} failed; retrying each submission alone", batch.Count);
                ResetConnection();
                foreach (var p in batch)
                {
                    if (p.Done.Task.IsCompleted) continue;
                    try
                    {
                        Complete(await ResolveAndWriteAsync([p]));
                    }
                    catch (Exception one)
                    {
                        _log.LogError(one, "survey response for token {Hash} could not be stored", p.TokenHash[..8]);
                        ResetConnection();
                        p.Done.TrySetResult(new Result(Outcome.Failed));
                    }
                }
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    private void Complete(List<(Pending P, Result R)> results)
    {
        Interlocked.Increment(ref _batches);
        foreach (var (p, r) in results)
        {
            if (r.Outcome == Outcome.Stored)
            {
                Interlocked.Increment(ref _stored);
                Infrastructure.KaoheMetrics.SurveyAnswers.Add(1);
            }
            p.Done.TrySetResult(r);
        }
    }

    private void ResetConnection()
    {
        _sqlite?.Dispose();
        _sqlite = null;
    }

    /// <summary>
    /// One batch: the lookup of every code in one query, the answers checked, the rest written in one
    /// transaction. Returns every submission's result; none is completed here (the caller does, after
    /// the commit, or retries the batch item by item if this throws).
    /// </summary>
    private async Task<List<(Pending, Result)>> ResolveAndWriteAsync(List<Pending> batch)
    {
        var results = new List<(Pending, Result)>(batch.Count);
        NpgsqlConnection? pg = null;
        try
        {
            Dictionary<string, Token> tokens;
            if (_db.IsPostgres)
            {
                pg = (NpgsqlConnection)await _db.OpenAsync(CancellationToken.None);
                tokens = await LookupPostgresAsync(pg, batch);
            }
            else tokens = await LookupSqliteAsync(await SqliteAsync(), batch);

            // The same code twice in one batch (a double tap): only its first submission is written; the
            // others are answered Claimed and compare their answers with the stored one after the commit.
            var rows = new List<Row>(batch.Count);
            var claimedInBatch = new List<(Pending, long)>();
            var first = new HashSet<long>();
            foreach (var p in batch)
            {
                if (!tokens.TryGetValue(p.TokenHash, out var t)) { results.Add((p, new Result(Outcome.Unknown))); continue; }
                var site = await _cache.SiteAsync(t.SiteId);
                if (site is null) { results.Add((p, new Result(Outcome.Unknown))); continue; }
                var survey = await _cache.ActiveAsync(site.PeriodId);
                if (survey is null) { results.Add((p, new Result(Outcome.NoQuestionnaire))); continue; }
                if (t.Used) { results.Add((p, new Result(Outcome.Claimed, t.Id))); continue; }
                var errors = SurveyService.CheckComplete(survey.Questionnaire, p.Answers);
                if (errors.Count > 0) { results.Add((p, new Result(Outcome.Invalid, t.Id, errors))); continue; }
                if (!first.Add(t.Id)) { claimedInBatch.Add((p, t.Id)); continue; }
                var lang = survey.Languages.Contains(p.Language) ? p.Language : Texts.Chinese;
                var client = string.IsNullOrEmpty(p.ClientAddress) ? null : SurveyTokens.ClientKey(p.ClientAddress, survey.ClientKey);
                rows.Add(new Row(p, t.Id, site.Id, site.Code, t.Serial, p.QuestionnaireIdForTests ?? survey.Id, lang, client));
            }
            if (rows.Count > 0)
            {
                var now = _clock.GetUtcNow();
                var stored = pg is not null ? await WritePostgresAsync(pg, rows, now) : await WriteSqliteAsync(rows, now);
                for (var i = 0; i < rows.Count; i++)
                    results.Add((rows[i].P, new Result(stored[i] ? Outcome.Stored : Outcome.Claimed, rows[i].TokenId)));
            }
            foreach (var (p, id) in claimedInBatch) results.Add((p, new Result(Outcome.Claimed, id)));
            return results;
        }
        finally
        {
            if (pg is not null) await pg.DisposeAsync();
        }
    }

    private static async Task<Dictionary<string, Token>> ReadTokensAsync(DbCommand cmd)
    {
        var found = new Dictionary<string, Token>(StringComparer.Ordinal);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) found[r.GetString(0)] = new Token(r.GetInt64(1), r.GetInt32(2), r.GetInt32(3), r.GetBoolean(4));
        return found;
    }

    private static string NewValue(Row p) => AuditChain.Serialize(new { site = p.SiteCode, channel = SurveyChannels.Web, serial = p.Serial })!;

    /// <summary>Stops taking submissions and writes those already queued before the application stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        if (Batches > 0) _log.LogInformation("survey writer: {Stored} responses stored in {Batches} batches", Stored, Batches);
        ResetConnection();
        _writing.Dispose();
    }
}
