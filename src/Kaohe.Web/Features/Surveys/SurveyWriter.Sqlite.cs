using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Kaohe.Data;
using Microsoft.Data.Sqlite;

namespace Kaohe.Web.Features.Surveys;

/// <summary>
/// The writer on SQLite: one connection of its own (kept open between batches), the lookup of a batch's codes
/// through <c>json_each</c>, and a batch written as JSON arrays under the audit chain's process lock.
/// </summary>
public sealed partial class SurveyWriter
{
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

    private static async Task<Dictionary<string, Token>> LookupSqliteAsync(SqliteConnection c, List<Pending> batch)
    {
        await using var cmd = c.CreateCommand();
        // One statement for the whole batch, whatever its size: the hashes as one JSON array (hex, nothing to escape).
        cmd.CommandText = "SELECT TokenHash, Id, SiteId, Serial, UsedAt IS NOT NULL FROM SurveyTokens WHERE TokenHash IN (SELECT value FROM json_each(@h))";
        SurveyDatabase.Add(cmd, "@h", "[\"" + string.Join("\",\"", batch.Select(p => p.TokenHash)) + "\"]");
        return await ReadTokensAsync(cmd);
    }

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

    private async Task<(long Sequence, string Hash)> LastAsync(DbConnection c, DbTransaction tx)
    {
        await using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT Sequence, Hash FROM AuditLog ORDER BY Sequence DESC LIMIT 1";
        await using var r = await cmd.ExecuteReaderAsync();
        return await r.ReadAsync() ? (r.GetInt64(0), r.GetString(1)) : (0, AuditChain.Genesis);
    }
}
