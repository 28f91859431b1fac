using Microsoft.EntityFrameworkCore;

namespace Kaohe.Data;

/// <summary>Bringing a database to the current schema, for the web host at start and for the generator.</summary>
public static class DatabaseSchema
{
    /// <summary>Applies the provider's migrations; on SQLite also turns on WAL so readers never wait for the writer.</summary>
    public static async Task MigrateAsync(KaoheDbContext db, CancellationToken ct = default)
    {
        await db.Database.MigrateAsync(ct);
        if (!db.IsPostgres)
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
    }
}
