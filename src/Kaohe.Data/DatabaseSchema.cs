using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Data;

/// <summary>Bringing a database to the current schema, for the web host at start and for the generator.</summary>
public static class DatabaseSchema
{
    /// <summary>EF's migrations history table (the default name; neither provider context changes it).</summary>
    public const string HistoryTable = "__EFMigrationsHistory";

    /// <summary>
    /// Applies the provider's migrations, unless the history table already lists every one of them; on SQLite also
    /// turns on WAL so readers never wait for the writer.
    /// </summary>
    /// <remarks>
    /// EF's <c>MigrateAsync</c> builds a convention model of the history table and diffs it to produce its
    /// <c>CREATE TABLE IF NOT EXISTS</c>, on every call, even with nothing to apply: 13% of a restart's busy time up
    /// to the first page (dotnet-trace of the ReadyToRun publish, bench/README.md, "Cold start, round 4"). Reading
    /// the applied ids with one plain query costs nothing of that; a database with anything pending (or none yet)
    /// still goes through <c>MigrateAsync</c>, with its lock against a second instance migrating at the same time.
    /// </remarks>
    public static async Task MigrateAsync(KaoheDbContext db, CancellationToken ct = default)
    {
        if (!await IsCurrentAsync(db, ct))
            await db.Database.MigrateAsync(ct);
        if (!db.IsPostgres)
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
    }

    /// <summary>Whether every migration of the provider's assembly is recorded as applied.</summary>
    public static async Task<bool> IsCurrentAsync(KaoheDbContext db, CancellationToken ct = default)
    {
        var known = db.Database.GetMigrations().ToList();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using (var exists = connection.CreateCommand())
            {
                exists.CommandText = db.IsPostgres
                    ? $"SELECT to_regclass('\"{HistoryTable}\"') IS NOT NULL"
                    : $"SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '{HistoryTable}'";
                if (!Convert.ToBoolean(await exists.ExecuteScalarAsync(ct))) return false;
            }
            var applied = new HashSet<string>(StringComparer.Ordinal);
            await using var read = connection.CreateCommand();
            read.CommandText = $"SELECT \"MigrationId\" FROM \"{HistoryTable}\"";
            await using DbDataReader rows = await read.ExecuteReaderAsync(ct);
            while (await rows.ReadAsync(ct)) applied.Add(rows.GetString(0));
            return known.All(applied.Contains);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
