using System.Globalization;
using Kaohe.Data;
using Npgsql;
using NpgsqlTypes;

namespace Kaohe.Web.Features.Surveys;

/// <summary>
/// The writer on PostgreSQL: a pooled connection per batch, the lookup of a batch's codes with <c>= ANY(@h)</c>,
/// and a batch written in one round trip under the audit chain's advisory lock.
/// </summary>
public sealed partial class SurveyWriter
{
    private static async Task<Dictionary<string, Token>> LookupPostgresAsync(NpgsqlConnection c, List<Pending> batch)
    {
        await using var cmd = new NpgsqlCommand("SELECT \"TokenHash\", \"Id\", \"SiteId\", \"Serial\", \"UsedAt\" IS NOT NULL FROM \"SurveyTokens\" WHERE \"TokenHash\" = ANY(@h)", c);
        cmd.Parameters.Add(new NpgsqlParameter("h", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(p => p.TokenHash).ToArray() });
        return await ReadTokensAsync(cmd);
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
}
