using Kaohe.Data.Postgres;
using Kaohe.Data.Sqlite;
using Kaohe.Data;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Cli;

/// <summary>
/// <c>kaohe verify-audit --data-dir DIR</c> (the SQLite database of a data directory) or
/// <c>kaohe verify-audit --postgres "Host=...;Database=..."</c>: checks the audit trail's hash chain.
/// Exit 0 when intact, 3 when broken (with the first broken entry), 1 on a usage or connection error.
/// </summary>
public static class VerifyAudit
{
    public const int Broken = 3;

    /// <summary>Checks the chain; the command line has checked that exactly one of the two is given.</summary>
    internal static int Run(string? dataDir, string? postgres, TextWriter stdout, TextWriter stderr)
    {
        KaoheDbContext db;
        if (dataDir is not null)
        {
            var file = Path.Combine(dataDir, "kaohe.db");
            if (!File.Exists(file))
            {
                stderr.WriteLine($"找不到数据库 {file} / no database at {file}");
                return Program.UsageError;
            }
            db = new SqliteKaoheDbContext(new DbContextOptionsBuilder<SqliteKaoheDbContext>().UseSqlite($"Data Source={file};Mode=ReadOnly").Options);
        }
        else db = new PostgresKaoheDbContext(new DbContextOptionsBuilder<PostgresKaoheDbContext>().UseNpgsql(postgres).Options);
        using (db)
        {
            ChainCheck check;
            try { check = AuditChain.VerifyAsync(db).GetAwaiter().GetResult(); }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
            {
                stderr.WriteLine($"无法读取审计日志：{ex.Message} / cannot read the audit trail: {ex.Message}");
                return Program.UsageError;
            }
            if (check.Ok)
            {
                stdout.WriteLine($"审计日志完整：{check.Entries} 条记录，哈希链校验通过 / audit trail intact: {check.Entries} entries verified");
                return Program.Ok;
            }
            stderr.WriteLine($"审计日志被改动 / audit trail BROKEN at entry {check.BrokenAtSequence}: {check.Reason}");
            return Broken;
        }
    }
}
