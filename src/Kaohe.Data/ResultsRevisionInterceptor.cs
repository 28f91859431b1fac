using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;

namespace Kaohe.Data;

/// <summary>What a save changes of one revision scope: its structure, and the facts written in it.</summary>
public sealed class ScopeChange
{
    public bool Structure { get; set; }
    public List<Fact> Facts { get; } = [];
}

/// <summary>
/// Writes the <see cref="ResultsRevision"/> of every period whose result inputs a SaveChanges touches
/// (facts, schemes, snapshots, the period itself, annual settings; units touch every period), as part of
/// the same SaveChanges and so of the same transaction, and numbers the facts written
/// (<see cref="Fact.ChangeNo"/>). Every path that writes facts through EF goes through here; the bulk
/// import, which bypasses EF, numbers its rows with <see cref="ResultsRevisions.NextChangeNoAsync"/>.
/// </summary>
public sealed class ResultsRevisionInterceptor : SaveChangesInterceptor
{
    public static readonly ResultsRevisionInterceptor Instance = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is { } db) BumpAsync(db, sync: true, default).GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
    {
        if (eventData.Context is { } db) await BumpAsync(db, sync: false, ct);
        return result;
    }

    // The facts a save writes are counted for the metrics (kaohe.facts.written) once the save has succeeded.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, System.Runtime.CompilerServices.StrongBox<int>> PendingFacts = new();

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        CountFacts(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default)
    {
        CountFacts(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        if (eventData.Context is { } db) PendingFacts.Remove(db);
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken ct = default)
    {
        if (eventData.Context is { } db) PendingFacts.Remove(db);
        return Task.CompletedTask;
    }

    private static void CountFacts(DbContext? db)
    {
        if (db is not null && PendingFacts.TryGetValue(db, out var n))
        {
            PendingFacts.Remove(db);
            DataMetrics.FactsWritten.Add(n.Value);
        }
    }

    /// <summary>The revision scopes a set of tracked changes touches, and how.</summary>
    public static Dictionary<string, ScopeChange> Scopes(ChangeTracker tracker)
    {
        var scopes = new Dictionary<string, ScopeChange>(StringComparer.Ordinal);
        ScopeChange Of(string scope) => scopes.TryGetValue(scope, out var c) ? c : scopes[scope] = new ScopeChange();
        void Period(string id, Fact? fact)
        {
            if (string.IsNullOrEmpty(id)) return;
            if (fact is null) Of(id).Structure = true;
            else Of(id).Facts.Add(fact);
            // A quarter's inputs are also inputs of its year's roll-up, which is rebuilt whenever they change.
            if (id.IndexOf('-') is > 0 and var dash) Of(id[..dash]).Structure = true;
        }
        foreach (var e in tracker.Entries())
        {
            if (e.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted)) continue;
            switch (e.Entity)
            {
                // A deleted fact leaves no row to find by its number: the period is rebuilt.
                case Fact f: Period(f.PeriodId, e.State == EntityState.Deleted ? null : f); break;
                case Scheme s: Period(s.PeriodId, null); break;
                case PublishedSnapshot s: Period(s.PeriodId, null); break;
                case Period p: Period(p.Id, null); break;
                case AnnualSetting a: Of(a.Year.ToString(System.Globalization.CultureInfo.InvariantCulture)).Structure = true; break;
                case OrgUnit: Of(ResultsRevision.AllPeriods).Structure = true; break;
            }
        }
        return scopes;
    }

    private static async Task BumpAsync(DbContext db, bool sync, CancellationToken ct)
    {
        var scopes = Scopes(db.ChangeTracker);
        if (scopes.Count == 0) return;
        var facts = scopes.Values.Sum(s => s.Facts.Count);
        if (facts > 0) PendingFacts.AddOrUpdate(db, new System.Runtime.CompilerServices.StrongBox<int>(facts));
        var ordered = db.Database.CurrentTransaction is not null;
        foreach (var (scope, change) in scopes.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var numbered = change.Facts.Count > 0;
            long number;
            if (ordered)
            {
                await ResultsRevisions.CheckExpectedAsync(db, scope, sync, ct);
                // In the transaction that writes the facts: the database increments the counter under the
                // row's lock, so numbers commit in the order they are drawn and no reader sees the counter
                // before the facts. Only a structural change writes a new structure stamp.
                number = await ResultsRevisions.TouchAsync(db, scope, change.Structure || !numbered, numbered, sync, ct);
            }
            else
            {
                // EF's own transaction begins after this interceptor: the row is changed through the tracker, in
                // the same save as the facts, and as a structural change (ResultsRevision.Touch).
                var set = db.Set<ResultsRevision>();
                var row = set.Local.FirstOrDefault(r => r.Scope == scope);
                if (row is not null)
                {
                    if (sync) db.Entry(row).Reload(); else await db.Entry(row).ReloadAsync(ct);
                }
                else
                {
                    await ResultsRevisions.EnsureAsync(db, scope, sync, ct);
                    row = sync ? set.Find(scope) : await set.FindAsync([scope], ct);
                }
                number = row!.Touch(numbered);
                if (db.Entry(row).State == EntityState.Unchanged) db.Entry(row).State = EntityState.Modified;
            }
            foreach (var f in change.Facts) f.Numbered(number);
        }
    }
}

/// <summary>The revision a results view was computed at: the period's and the all-periods structure stamps and the period's fact counter.</summary>
public readonly record struct Revision(string Structure, long Counter, string Stamp)
{
    /// <summary>What the office reviews and publishes against: <c>structure:counter</c>.</summary>
    public override string ToString() => $"{Structure}:{Counter}";
}

/// <summary>The revision a save expected (a publication names the one the office reviewed) is no longer the database's.</summary>
public sealed class RevisionChangedException(string periodId) : Exception($"the inputs of {periodId} changed")
{
    public string PeriodId { get; } = periodId;
}

/// <summary>Reading and bumping revisions outside the interceptor.</summary>
public static class ResultsRevisions
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, Dictionary<string, Revision>> Expected = new();

    /// <summary>
    /// While the returned scope lives, a save of this context that touches the period checks, in its own
    /// transaction and under the revision row's lock, that the period's revision is still
    /// <paramref name="revision"/>, and throws <see cref="RevisionChangedException"/> otherwise: what a
    /// publication freezes is exactly what the office reviewed, even against a write racing it.
    /// </summary>
    public static IDisposable Expect(DbContext db, string periodId, Revision revision)
    {
        var map = Expected.GetOrCreateValue(db);
        lock (map) map[periodId] = revision;
        return new Release(() => { lock (map) map.Remove(periodId); });
    }

    private sealed class Release(Action action) : IDisposable
    {
        private Action? _action = action;

        public void Dispose() => Interlocked.Exchange(ref _action, null)?.Invoke();
    }

    internal static async Task CheckExpectedAsync(DbContext db, string scope, bool sync, CancellationToken ct)
    {
        if (!Expected.TryGetValue(db, out var map)) return;
        Revision expected;
        lock (map) { if (!map.TryGetValue(scope, out expected)) return; }
        var connection = db.Database.GetDbConnection();
        var tx = db.Database.CurrentTransaction?.GetDbTransaction();
        // FOR UPDATE on PostgreSQL: a writer that drew its number holds the row until it commits, so this waits
        // for it and then sees its counter (SQLite's writer holds the whole database already).
        var lockClause = db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true ? " FOR UPDATE" : "";
        string? structure = null, all = null;
        long counter = 0;
        await using (var cmd = connection.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = $"SELECT \"Scope\", \"Structure\", \"Counter\" FROM \"ResultsRevisions\" WHERE \"Scope\" IN (@p, @all){lockClause}";
            var p = cmd.CreateParameter(); p.ParameterName = "p"; p.Value = scope; cmd.Parameters.Add(p);
            var a = cmd.CreateParameter(); a.ParameterName = "all"; a.Value = ResultsRevision.AllPeriods; cmd.Parameters.Add(a);
            await using var r = sync ? cmd.ExecuteReader() : await cmd.ExecuteReaderAsync(ct);
            while (sync ? r.Read() : await r.ReadAsync(ct))
            {
                if (r.GetString(0) == scope) { structure = r.GetString(1); counter = r.GetInt64(2); }
                else all = r.GetString(1);
            }
        }
        var now = new Revision(Short(structure) + Short(all), counter, "");
        if (now.Structure != expected.Structure || now.Counter != expected.Counter) throw new RevisionChangedException(scope);
    }

    /// <summary>The revision of a period's inputs (one indexed query).</summary>
    public static async Task<Revision> ReadAsync(KaoheDbContext db, string periodId, CancellationToken ct = default)
    {
        var rows = await db.Set<ResultsRevision>().AsNoTracking()
            .Where(r => r.Scope == periodId || r.Scope == ResultsRevision.AllPeriods)
            .Select(r => new { r.Scope, r.Stamp, r.Structure, r.Counter }).ToListAsync(ct);
        var mine = rows.FirstOrDefault(r => r.Scope == periodId);
        var all = rows.FirstOrDefault(r => r.Scope == ResultsRevision.AllPeriods);
        // Short enough to carry in a form: the two structure stamps' first halves identify a structure well enough
        // to detect a change (128 random bits).
        var structure = $"{Short(mine?.Structure)}{Short(all?.Structure)}";
        return new Revision(structure, mine?.Counter ?? 0, $"{mine?.Stamp}|{all?.Stamp}");
    }

    private static string Short(string? stamp) => stamp is { Length: >= 16 } ? stamp[..16] : (stamp ?? "").PadRight(16, '0');

    /// <summary>For bulk writers that bypass SaveChanges (kaohe generate): new structure stamps for these scopes (the views are rebuilt).</summary>
    public static async Task BumpAllAsync(KaoheDbContext db, IEnumerable<string> scopes, CancellationToken ct = default)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            foreach (var scope in scopes.Distinct(StringComparer.Ordinal))
                await TouchAsync(db, scope, structure: true, numbered: false, sync: false, ct);
            await tx.CommitAsync(ct);
        });
    }

    /// <summary>
    /// For the bulk import, which writes facts without EF: the change number its rows take, drawn in its
    /// transaction (which must be open). The period's year is rebuilt as the interceptor would.
    /// </summary>
    public static async Task<long> NextChangeNoAsync(KaoheDbContext db, string periodId, CancellationToken ct = default)
    {
        if (db.Database.CurrentTransaction is null) throw new InvalidOperationException("change numbers are drawn inside the writing transaction");
        if (periodId.IndexOf('-') is > 0 and var dash) await TouchAsync(db, periodId[..dash], structure: true, numbered: false, sync: false, ct);
        return await TouchAsync(db, periodId, structure: false, numbered: true, sync: false, ct);
    }

    /// <summary>As <see cref="NextChangeNoAsync"/>, for the bulk import's synchronous hook inside SaveChanges.</summary>
    public static long NextChangeNo(KaoheDbContext db, string periodId)
    {
        if (db.Database.CurrentTransaction is null) throw new InvalidOperationException("change numbers are drawn inside the writing transaction");
        if (periodId.IndexOf('-') is > 0 and var dash) TouchAsync(db, periodId[..dash], structure: true, numbered: false, sync: true, default).GetAwaiter().GetResult();
        return TouchAsync(db, periodId, structure: false, numbered: true, sync: true, default).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Writes new stamps for a scope, creating its row if needed; when <paramref name="numbered"/>, also
    /// increments its counter and returns the new value. Plain SQL on the context's connection and
    /// transaction: the increment happens in the database, under the row's lock.
    /// </summary>
    internal static async Task<long> TouchAsync(DbContext db, string scope, bool structure, bool numbered, bool sync, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        var opened = false;
        if (connection.State != System.Data.ConnectionState.Open)
        {
            if (sync) db.Database.OpenConnection(); else await db.Database.OpenConnectionAsync(ct);
            opened = true;
        }
        try
        {
            var tx = db.Database.CurrentTransaction?.GetDbTransaction();
            await InsertAsync(connection, tx, scope, sync, ct);
            var set = "\"Stamp\" = @stamp" + (structure ? ", \"Structure\" = @structure" : "") + (numbered ? ", \"Counter\" = \"Counter\" + 1" : "");
            var sql = $"UPDATE \"ResultsRevisions\" SET {set} WHERE \"Scope\" = @scope" + (numbered ? " RETURNING \"Counter\"" : "");
            long counter = 0;
            (string, object)[] parameters = structure
                ? [("scope", scope), ("stamp", ResultsRevision.NewStamp()), ("structure", ResultsRevision.NewStamp())]
                : [("scope", scope), ("stamp", ResultsRevision.NewStamp())];
            await ExecuteAsync(connection, tx, sync, ct, numbered ? v => counter = Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) : null, sql,
                parameters);
            // A tracked copy of the row (from an earlier read in this context) would now be stale.
            foreach (var tracked in db.ChangeTracker.Entries<ResultsRevision>().Where(e => e.Entity.Scope == scope).ToList()) tracked.State = EntityState.Detached;
            return counter;
        }
        finally
        {
            if (opened)
            {
                if (sync) db.Database.CloseConnection(); else await db.Database.CloseConnectionAsync();
            }
        }
    }

    /// <summary>Creates the row of a scope if it does not exist (outside any transaction: an empty row changes nothing).</summary>
    internal static async Task EnsureAsync(DbContext db, string scope, bool sync, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) { if (sync) db.Database.OpenConnection(); else await db.Database.OpenConnectionAsync(ct); }
        try { await InsertAsync(connection, null, scope, sync, ct); }
        finally { if (opened) { if (sync) db.Database.CloseConnection(); else await db.Database.CloseConnectionAsync(); } }
    }

    // Created once per scope; two writers creating it at once must not fail, hence the upsert.
    private static Task InsertAsync(DbConnection connection, DbTransaction? tx, string scope, bool sync, CancellationToken ct) =>
        ExecuteAsync(connection, tx, sync, ct, null,
            "INSERT INTO \"ResultsRevisions\" (\"Scope\", \"Stamp\", \"Structure\", \"Counter\") VALUES (@scope, @stamp, @structure, 0) ON CONFLICT (\"Scope\") DO NOTHING",
            ("scope", scope), ("stamp", ResultsRevision.NewStamp()), ("structure", ResultsRevision.NewStamp()));

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? tx, bool sync, CancellationToken ct, Action<object>? read, string sql,
        params (string Name, object Value)[] parameters)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            cmd.Parameters.Add(p);
        }
        if (read is null)
        {
            if (sync) cmd.ExecuteNonQuery(); else await cmd.ExecuteNonQueryAsync(ct);
            return;
        }
        var scalar = sync ? cmd.ExecuteScalar() : await cmd.ExecuteScalarAsync(ct);
        read(scalar!);
    }
}
