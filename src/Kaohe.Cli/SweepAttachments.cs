using Kaohe.Data.Postgres;
using Kaohe.Data.Sqlite;
using Kaohe.Data;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Cli;

/// <summary>
/// <c>kaohe sweep-attachments --data-dir DIR [--postgres CS] [--grace-hours H] [--dry-run]</c>: removes the
/// files of DIR/attachments that no attachment row names and that are older than H hours (24), what a
/// refused or rolled-back upload leaves behind (<see cref="AttachmentSweep"/>; the application also runs it
/// daily). The database is DIR/kaohe.db, or PostgreSQL with <c>--postgres</c>. Safe while the application runs.
/// </summary>
public static class SweepAttachments
{
    internal static int Run(string dataDir, string? postgres, TimeSpan grace, bool dryRun, TextWriter stdout, TextWriter stderr)
    {
        KaoheDbContext db;
        if (postgres is null)
        {
            var file = Path.Combine(dataDir, "kaohe.db");
            if (!File.Exists(file))
            {
                stderr.WriteLine($"找不到数据库 {file}（PostgreSQL 请用 --postgres）/ no database at {file} (for PostgreSQL give --postgres)");
                return Program.UsageError;
            }
            db = new SqliteKaoheDbContext(new DbContextOptionsBuilder<SqliteKaoheDbContext>().UseSqlite($"Data Source={file}").Options);
        }
        else db = new PostgresKaoheDbContext(new DbContextOptionsBuilder<PostgresKaoheDbContext>().UseNpgsql(postgres).Options);
        using (db)
        {
            try
            {
                var result = AttachmentSweep.RunAsync(Path.Combine(dataDir, "attachments"), db, DateTimeOffset.UtcNow, grace, dryRun).GetAwaiter().GetResult();
                stdout.WriteLine($"附件清理 / attachment sweep: {result}");
                return Program.Ok;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or IOException)
            {
                stderr.WriteLine($"清理失败：{ex.Message} / the sweep failed: {ex.Message}");
                return Program.UsageError;
            }
        }
    }
}
