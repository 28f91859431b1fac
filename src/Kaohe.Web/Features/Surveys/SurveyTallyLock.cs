using System.Collections.Concurrent;
using System.Data.Common;
using Kaohe.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Kaohe.Web.Features.Surveys;

/// <summary>
/// One 更新统计 of a period at a time, whichever door starts it (the synchronous API, the job, the demo).
/// A tally reads the existing tallies, compares and replaces them: two at once would both find no tally of a
/// new period and both add one (two tallies of a unit), or both insert the period's first
/// <see cref="SurveyTallyMark"/> (a duplicate key). On PostgreSQL the lock is a session advisory lock keyed by
/// the period, so it holds across instances; on SQLite, whose database is one file served by one instance, a
/// lock per period in the process. A tally waits for the one running and then finds its tallies current.
/// </summary>
public static class SurveyTallyLock
{
    /// <summary>The advisory lock's first key on PostgreSQL ("Tall"); the second is the period's hash.</summary>
    private const int AdvisoryClass = 0x54616C6C;

    private static readonly ConcurrentDictionary<string, Gate> ByKey = new(StringComparer.Ordinal);

    /// <summary>Waits for the period's lock; disposing the result releases it.</summary>
    public static async Task<IAsyncDisposable> TakeAsync(KaoheDbContext db, string periodId, CancellationToken ct)
    {
        if (db.IsPostgres)
        {
            // A connection of its own, held for the whole tally: the tally's DbContext opens and closes its own.
            var c = new NpgsqlConnection(db.Database.GetConnectionString());
            try
            {
                await c.OpenAsync(ct);
                await Execute(c, "SELECT pg_advisory_lock(@k, @p)", periodId, ct);
                return new Advisory(c, periodId);
            }
            catch
            {
                await c.DisposeAsync();
                throw;
            }
        }
        // Keyed by the database as well: tests run many SQLite databases in one process.
        var key = $"{db.Database.GetConnectionString()}\n{periodId}";
        Gate gate;
        while (true)
        {
            gate = ByKey.GetOrAdd(key, _ => new Gate());
            lock (gate)
            {
                // A gate removed by its last user is not reused: take the fresh one.
                if (!gate.Removed) { gate.Users++; break; }
            }
        }
        try
        {
            await gate.Semaphore.WaitAsync(ct);
        }
        catch
        {
            Leave(key, gate);
            throw;
        }
        return new Held(key, gate);
    }

    /// <summary>How many periods have a gate in this process (each is dropped by its last user).</summary>
    public static int GateCount => ByKey.Count;

    private static void Leave(string key, Gate gate)
    {
        lock (gate)
        {
            if (--gate.Users > 0) return;
            gate.Removed = true;
        }
        ByKey.TryRemove(new KeyValuePair<string, Gate>(key, gate));
    }

    private static async Task Execute(DbConnection c, string sql, string periodId, CancellationToken ct)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        SurveyDatabase.Add(cmd, "@k", AdvisoryClass);
        SurveyDatabase.Add(cmd, "@p", StableHash(periodId));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The same number for a period in every process (string.GetHashCode is randomised per process).</summary>
    private static int StableHash(string s)
    {
        var h = unchecked((int)2166136261);
        foreach (var ch in s) h = unchecked((h ^ ch) * 16777619);
        return h;
    }

    private sealed class Gate
    {
        public readonly SemaphoreSlim Semaphore = new(1, 1);
        public int Users;
        public bool Removed;
    }

    private sealed class Held(string key, Gate gate) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            gate.Semaphore.Release();
            Leave(key, gate);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Advisory(DbConnection c, string periodId) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await Execute(c, "SELECT pg_advisory_unlock(@k, @p)", periodId, CancellationToken.None);
            }
            finally
            {
                // Closing the session would release the lock as well.
                await c.DisposeAsync();
            }
        }
    }
}
