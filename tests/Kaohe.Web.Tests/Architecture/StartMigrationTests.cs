using Kaohe.Data;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Architecture;

/// <summary>
/// A start skips EF's MigrateAsync when the history table already lists every migration (DatabaseSchema, issue 20:
/// MigrateAsync rebuilds and diffs a model of the history table on every call). The check must read the table: one
/// migration missing from it means the database is not current, and MigrateAsync runs.
/// </summary>
public abstract class StartMigrationTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    [Fact]
    public async Task A_database_is_current_only_while_its_history_lists_every_migration()
    {
        await app.WithDb(async db =>
        {
            Assert.True(await DatabaseSchema.IsCurrentAsync(db), "the started application's database lists every migration");
            var last = db.Database.GetMigrations().Last();
            var version = await db.Database.SqlQueryRaw<string>(
                $"SELECT \"ProductVersion\" AS \"Value\" FROM \"{DatabaseSchema.HistoryTable}\" WHERE \"MigrationId\" = {{0}}", last).SingleAsync();
            await db.Database.ExecuteSqlRawAsync($"DELETE FROM \"{DatabaseSchema.HistoryTable}\" WHERE \"MigrationId\" = {{0}}", last);
            try
            {
                Assert.False(await DatabaseSchema.IsCurrentAsync(db), $"{last} is no longer recorded as applied");
                Assert.Contains(last, await db.Database.GetPendingMigrationsAsync());
            }
            finally
            {
                await db.Database.ExecuteSqlRawAsync(
                    $"INSERT INTO \"{DatabaseSchema.HistoryTable}\" (\"MigrationId\", \"ProductVersion\") VALUES ({{0}}, {{1}})", last, version);
            }
            Assert.True(await DatabaseSchema.IsCurrentAsync(db));
            // Current again: the start's migration step is the PRAGMA alone (and nothing at all on PostgreSQL).
            await DatabaseSchema.MigrateAsync(db);
            return true;
        });
    }
}

public sealed class StartMigrationTestsOnSqlite(SqliteApp app) : StartMigrationTests<SqliteApp>(app);

public sealed class StartMigrationTestsOnPostgres(PostgresApp app) : StartMigrationTests<PostgresApp>(app);
