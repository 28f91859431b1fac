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

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? dataDir = null, postgres = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--data-dir" when i + 1 < args.Length: dataDir = args[++i]; break;
                case "--postgres" when i + 1 < args.Length: postgres = args[++i]; break;
                default:
                    stderr.WriteLine($"未知参数 \"{args[i]}\" / unknown argument \"{args[i]}\"\n用法 / usage: kaohe verify-audit --data-dir DIR | --postgres CONNECTION");
                    return Program.UsageError;
            }
        }
        if ((dataDir is null) == (postgres is null))
        {
            stderr.WriteLine("请指定 --data-dir 或 --postgres 之一 / give exactly one of --data-dir or --postgres");
            return Program.UsageError;
        }
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
