using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Kaohe.Web.Data;

/// <summary>
/// Writes a new <see cref="ResultsRevision"/> stamp for every period whose result inputs a
/// SaveChanges touches (facts, schemes, snapshots, the period itself, annual settings; units touch
/// every period), as part of the same SaveChanges and so of the same transaction. Every path that
/// writes facts through EF goes through here (collection, platform API, adjustments, survey tallies,
/// inspections, appeals, rectification deductions); bulk paths that bypass EF bump themselves
/// (<see cref="ResultsRevisions.BumpAllAsync"/>).
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

    /// <summary>The revision scopes a set of tracked changes touches.</summary>
    public static HashSet<string> Scopes(ChangeTracker tracker)
    {
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        void Period(string id)
        {
            if (string.IsNullOrEmpty(id)) return;
            scopes.Add(id);
            // A quarter's inputs are also inputs of its year's roll-up.
            if (id.IndexOf('-') is > 0 and var dash) scopes.Add(id[..dash]);
        }
        foreach (var e in tracker.Entries())
        {
            if (e.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted)) continue;
            switch (e.Entity)
            {
                case Fact f: Period(f.PeriodId); break;
                case Scheme s: Period(s.PeriodId); break;
                case PublishedSnapshot s: Period(s.PeriodId); break;
                case Period p: Period(p.Id); break;
                case AnnualSetting a: scopes.Add(a.Year.ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
                case OrgUnit: scopes.Add(ResultsRevision.AllPeriods); break;
            }
        }
        return scopes;
    }

    private static async Task BumpAsync(DbContext db, bool sync, CancellationToken ct)
    {
        var scopes = Scopes(db.ChangeTracker);
        if (scopes.Count == 0) return;
        var set = db.Set<ResultsRevision>();
        foreach (var scope in scopes.Order(StringComparer.Ordinal))
        {
            var row = set.Local.FirstOrDefault(r => r.Scope == scope) ?? (sync ? set.Find(scope) : await set.FindAsync([scope], ct));
            if (row is null)
            {
                // Created once per scope; two writers creating it at once must not fail, hence the upsert.
                const string sql = "INSERT INTO \"ResultsRevisions\" (\"Scope\", \"Stamp\") VALUES ({0}, {1}) ON CONFLICT (\"Scope\") DO NOTHING";
                var stamp = Guid.NewGuid().ToString("N");
                if (sync) db.Database.ExecuteSqlRaw(sql, scope, stamp);
                else await db.Database.ExecuteSqlRawAsync(sql, [scope, stamp], ct);
                row = sync ? set.Find(scope) : await set.FindAsync([scope], ct);
                if (row is null) continue; // cannot happen: the row exists now
            }
            row.Bump();
            var entry = db.Entry(row);
            if (entry.State == EntityState.Unchanged) entry.State = EntityState.Modified;
        }
    }
}

/// <summary>Reading and bumping revisions outside the interceptor.</summary>
public static class ResultsRevisions
{
    /// <summary>The revision of a period's inputs: its own stamp and the all-periods stamp (one indexed query).</summary>
    public static async Task<string> ReadAsync(KaoheDbContext db, string periodId, CancellationToken ct = default)
    {
        var rows = await db.Set<ResultsRevision>().AsNoTracking()
            .Where(r => r.Scope == periodId || r.Scope == ResultsRevision.AllPeriods)
            .Select(r => new { r.Scope, r.Stamp }).ToListAsync(ct);
        return string.Join("|", rows.OrderBy(r => r.Scope, StringComparer.Ordinal).Select(r => $"{r.Scope}:{r.Stamp}"));
    }

    /// <summary>For bulk writers that bypass SaveChanges (kaohe generate, src/Kaohe.Generate): new stamps for these scopes.</summary>
    public static async Task BumpAllAsync(KaoheDbContext db, IEnumerable<string> scopes, CancellationToken ct = default)
    {
        foreach (var scope in scopes.Distinct(StringComparer.Ordinal))
        {
            var row = await db.Set<ResultsRevision>().FindAsync([scope], ct);
            if (row is null) db.Set<ResultsRevision>().Add(new ResultsRevision(scope));
            else row.Bump();
        }
        await db.SaveChangesAsync(ct);
    }
}
