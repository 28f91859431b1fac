using System.Buffers;
using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;
using NpgsqlTypes;

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
public sealed class SurveyWriter : IAsyncDisposable
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

    private async Task<SqliteConnection> SqliteAsync()
    {
        if (_sqlite is null)
        {
            // Foreign keys on, as EF Core turns them on for its own connections.
            _sqlite = new SqliteConnection(new SqliteConnectionStringBuilder(_db.ConnectionString) { ForeignKeys = true }.ToString());
            await _sqlite.OpenAsync();
        }
        return _sqlite;
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

    private static async Task<Dictionary<string, Token>> LookupSqliteAsync(SqliteConnection c, List<Pending> batch)
    {
        await using var cmd = c.CreateCommand();
        // One statement for the whole batch, whatever its size: the hashes as one JSON array (hex, nothing to escape).
        cmd.CommandText = "SELECT TokenHash, Id, SiteId, Serial, UsedAt IS NOT NULL FROM SurveyTokens WHERE TokenHash IN (SELECT value FROM json_each(@h))";
        SurveyDatabase.Add(cmd, "@h", "[\"" + string.Join("\",\"", batch.Select(p => p.TokenHash)) + "\"]");
        return await ReadTokensAsync(cmd);
    }

    private static async Task<Dictionary<string, Token>> LookupPostgresAsync(NpgsqlConnection c, List<Pending> batch)
    {
        await using var cmd = new NpgsqlCommand("SELECT \"TokenHash\", \"Id\", \"SiteId\", \"Serial\", \"UsedAt\" IS NOT NULL FROM \"SurveyTokens\" WHERE \"TokenHash\" = ANY(@h)", c);
        cmd.Parameters.Add(new NpgsqlParameter("h", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(p => p.TokenHash).ToArray() });
        return await ReadTokensAsync(cmd);
    }

    private static async Task<Dictionary<string, Token>> ReadTokensAsync(DbCommand cmd)
    {
        var found = new Dictionary<string, Token>(StringComparer.Ordinal);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) found[r.GetString(0)] = new Token(r.GetInt64(1), r.GetInt32(2), r.GetInt32(3), r.GetBoolean(4));
        return found;
    }

    private static string NewValue(Row p) => AuditChain.Serialize(new { site = p.SiteCode, channel = SurveyChannels.Web, serial = p.Serial })!;

    private async Task<bool[]> WriteSqliteAsync(List<Row> batch, DateTimeOffset now)
    {
        var stored = new bool[batch.Count];
        // The chain lock of AuditLog: one appender at a time in this process (SQLite has one writer anyway).
        await AuditLog.SqliteChainLock.WaitAsync();
        try
        {
            var c = await SqliteAsync();
            await using var tx = (SqliteTransaction)await c.BeginTransactionAsync(); // BEGIN IMMEDIATE: the write lock up front
            var at = _db.Time(now);
            // Three statements for the whole batch, whatever its size (the rows passed as one JSON array
            // each): per-statement overhead, not SQLite's own work, was most of the writer's time per row.
            var claimed = new HashSet<long>();
            await using (var claim = c.CreateCommand())
            {
                claim.Transaction = tx;
                claim.CommandText = "UPDATE SurveyTokens SET UsedAt = @at WHERE Id IN (SELECT value FROM json_each(@ids)) AND UsedAt IS NULL RETURNING Id";
                SurveyDatabase.Add(claim, "@at", at);
                SurveyDatabase.Add(claim, "@ids", Json(w => { foreach (var r in batch) w.WriteNumberValue(r.TokenId); }));
                await using var reader = await claim.ExecuteReaderAsync();
                while (await reader.ReadAsync()) claimed.Add(reader.GetInt64(0));
            }
            if (claimed.Count == 0)
            {
                await tx.CommitAsync();
                return stored;
            }
            var idByToken = new Dictionary<long, long>(claimed.Count);
            await using (var insert = c.CreateCommand())
            {
                insert.Transaction = tx;
                insert.CommandText = "INSERT INTO SurveyResponses (SiteId, QuestionnaireId, AnswersJson, Channel, TokenId, PaperSheet, Language, ReceivedAt, ClientHash, EnteredBy) " +
                    "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), 'web', json_extract(value, '$[3]'), NULL, " +
                    "json_extract(value, '$[4]'), @at, json_extract(value, '$[5]'), NULL FROM json_each(@rows) RETURNING Id, TokenId";
                SurveyDatabase.Add(insert, "@at", at);
                SurveyDatabase.Add(insert, "@rows", Json(w =>
                {
                    foreach (var r in batch)
                    {
                        if (!claimed.Contains(r.TokenId)) continue;
                        w.WriteStartArray();
                        w.WriteNumberValue(r.SiteId);
                        w.WriteNumberValue(r.QuestionnaireId);
                        w.WriteStringValue(r.P.AnswersJson);
                        w.WriteNumberValue(r.TokenId);
                        w.WriteStringValue(r.Language);
                        if (r.ClientHash is null) w.WriteNullValue(); else w.WriteStringValue(r.ClientHash);
                        w.WriteEndArray();
                    }
                }));
                await using var reader = await insert.ExecuteReaderAsync();
                while (await reader.ReadAsync()) idByToken[reader.GetInt64(1)] = reader.GetInt64(0);
            }
            var (sequence, previous) = await LastAsync(c, tx);
            var entries = new List<AuditEntry>(idByToken.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                if (!claimed.Contains(batch[i].TokenId)) continue;
                stored[i] = true;
                var e = new AuditEntry(++sequence, now, Actor, Action, "survey-response", idByToken[batch[i].TokenId].ToString(CultureInfo.InvariantCulture), null, NewValue(batch[i]), null, previous);
                entries.Add(e);
                previous = e.Hash;
            }
            await using (var audit = c.CreateCommand())
            {
                audit.Transaction = tx;
                audit.CommandText = "INSERT INTO AuditLog (Sequence, At, Actor, Action, EntityType, EntityId, OldValue, NewValue, Reason, PreviousHash, Hash) " +
                    "SELECT json_extract(value, '$[0]'), @at, @actor, @action, 'survey-response', json_extract(value, '$[1]'), NULL, json_extract(value, '$[2]'), NULL, " +
                    "json_extract(value, '$[3]'), json_extract(value, '$[4]') FROM json_each(@rows)";
                SurveyDatabase.Add(audit, "@at", _db.Time(entries[0].At)); // the entry's own time (to the millisecond, as hashed), not now
                SurveyDatabase.Add(audit, "@actor", Actor);
                SurveyDatabase.Add(audit, "@action", Action);
                SurveyDatabase.Add(audit, "@rows", Json(w =>
                {
                    foreach (var e in entries)
                    {
                        w.WriteStartArray();
                        w.WriteNumberValue(e.Sequence);
                        w.WriteStringValue(e.EntityId);
                        w.WriteStringValue(e.NewValue);
                        w.WriteStringValue(e.PreviousHash);
                        w.WriteStringValue(e.Hash);
                        w.WriteEndArray();
                    }
                }));
                await audit.ExecuteNonQueryAsync();
            }
            await tx.CommitAsync();
        }
        finally
        {
            AuditLog.SqliteChainLock.Release();
        }
        return stored;
    }

    private static readonly JsonWriterOptions JsonRows = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A JSON array written by <paramref name="items"/>, as text (SQLite's json_each reads it).</summary>
    private static string Json(Action<Utf8JsonWriter> items)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, JsonRows))
        {
            w.WriteStartArray();
            items(w);
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private async Task<bool[]> WritePostgresAsync(NpgsqlConnection c, List<Row> batch, DateTimeOffset now)
    {
        var stored = new bool[batch.Count];
        await using var tx = await c.BeginTransactionAsync();
        // One round trip: the claims and the responses of the codes claimed (one statement), then the
        // chain lock of AuditLog (a transaction-scoped advisory lock, taken only after the claims, so
        // other instances' claims overlap with this append), then the chain's last entry — each
        // statement of the batch with its own snapshot (read committed), so the last entry is read
        // after the lock is held.
        await using var round = new NpgsqlBatch(c, tx);
        var claim = new NpgsqlBatchCommand(
            """
            WITH claimed AS (
              UPDATE "SurveyTokens" SET "UsedAt" = @at WHERE "Id" = ANY(@t) AND "UsedAt" IS NULL RETURNING "Id")
            INSERT INTO "SurveyResponses" ("SiteId", "QuestionnaireId", "AnswersJson", "Channel", "TokenId", "PaperSheet", "Language", "ReceivedAt", "ClientHash", "EnteredBy")
            SELECT x.s, x.q, x.a, 'web', x.t, NULL, x.l, @at, x.c, NULL
            FROM unnest(@s, @q, @a, @t, @l, @c) AS x(s, q, a, t, l, c) JOIN claimed ON claimed."Id" = x.t
            RETURNING "Id", "TokenId"
            """);
        claim.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = now.ToUniversalTime() });
        claim.Parameters.Add(new NpgsqlParameter("s", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = batch.Select(r => r.SiteId).ToArray() });
        claim.Parameters.Add(new NpgsqlParameter("q", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = batch.Select(r => r.QuestionnaireId).ToArray() });
        claim.Parameters.Add(new NpgsqlParameter("a", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(r => r.P.AnswersJson).ToArray() });
        claim.Parameters.Add(new NpgsqlParameter("t", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = batch.Select(r => r.TokenId).ToArray() });
        claim.Parameters.Add(new NpgsqlParameter("l", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(r => r.Language).ToArray() });
        claim.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(r => r.ClientHash).ToArray() });
        round.BatchCommands.Add(claim);
        round.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT pg_advisory_xact_lock({AuditLog.AdvisoryLockKey})"));
        round.BatchCommands.Add(new NpgsqlBatchCommand("SELECT \"Sequence\", \"Hash\" FROM \"AuditLog\" ORDER BY \"Sequence\" DESC LIMIT 1"));
        var idByToken = new Dictionary<long, long>();
        long sequence = 0;
        var previous = AuditChain.Genesis;
        await using (var r = await round.ExecuteReaderAsync())
        {
            while (await r.ReadAsync()) idByToken[r.GetInt64(1)] = r.GetInt64(0);
            await r.NextResultAsync(); // the lock
            await r.NextResultAsync(); // the last entry
            if (await r.ReadAsync()) (sequence, previous) = (r.GetInt64(0), r.GetString(1));
        }
        var list = new List<AuditEntry>(idByToken.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            if (!idByToken.TryGetValue(batch[i].TokenId, out var id)) continue;
            stored[i] = true;
            var e = new AuditEntry(++sequence, now, Actor, Action, "survey-response", id.ToString(CultureInfo.InvariantCulture), null, NewValue(batch[i]), null, previous);
            list.Add(e);
            previous = e.Hash;
        }
        if (list.Count > 0)
        {
            await using var audit = new NpgsqlCommand(
                """
                INSERT INTO "AuditLog" ("Sequence", "At", "Actor", "Action", "EntityType", "EntityId", "OldValue", "NewValue", "Reason", "PreviousHash", "Hash")
                SELECT x.s, @at, @actor, @action, 'survey-response', x.e, NULL, x.n, NULL, x.p, x.h
                FROM unnest(@s, @e, @n, @p, @h) AS x(s, e, n, p, h)
                """, c, tx);
            audit.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = list[0].At.ToUniversalTime() });
            audit.Parameters.Add(new NpgsqlParameter("actor", NpgsqlDbType.Text) { Value = Actor });
            audit.Parameters.Add(new NpgsqlParameter("action", NpgsqlDbType.Text) { Value = Action });
            audit.Parameters.Add(new NpgsqlParameter("s", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = list.Select(e => e.Sequence).ToArray() });
            audit.Parameters.Add(new NpgsqlParameter("e", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = list.Select(e => e.EntityId).ToArray() });
            audit.Parameters.Add(new NpgsqlParameter("n", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = list.Select(e => e.NewValue).ToArray() });
            audit.Parameters.Add(new NpgsqlParameter("p", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = list.Select(e => e.PreviousHash).ToArray() });
            audit.Parameters.Add(new NpgsqlParameter("h", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = list.Select(e => e.Hash).ToArray() });
            await audit.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        return stored;
    }

    private async Task<(long Sequence, string Hash)> LastAsync(DbConnection c, DbTransaction tx)
    {
        await using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT Sequence, Hash FROM AuditLog ORDER BY Sequence DESC LIMIT 1";
        await using var r = await cmd.ExecuteReaderAsync();
        return await r.ReadAsync() ? (r.GetInt64(0), r.GetString(1)) : (0, AuditChain.Genesis);
    }

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
