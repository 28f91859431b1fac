using Kaohe.Web.Data;
using Kaohe.Web.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Cli;

/// <summary>
/// <c>kaohe verify-audit [--data-dir DIR | --provider Postgres --connection CS]</c>: walks a
/// database's audit chain and names the first broken entry. Exit 0 intact, 1 broken, 2 usage error.
/// </summary>
public static class VerifyAudit
{
    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? dataDir = null, provider = null, connection = null;
        for (var i = 0; i < args.Length; i++)
        {
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (args[i])
            {
                case "--data-dir": dataDir = Next(); break;
                case "--provider": provider = Next(); break;
                case "--connection": connection = Next(); break;
                case "verify-audit": break;
                default:
                    stderr.WriteLine($"未知参数 / unknown argument: {args[i]}");
                    return Usage(stderr);
            }
        }

        KaoheDbContext db;
        if (string.Equals(provider, "Postgres", StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(connection))
            {
                stderr.WriteLine("--provider Postgres 需要 --connection / --provider Postgres needs --connection");
                return Usage(stderr);
            }
            db = new PostgresKaoheDbContext(new DbContextOptionsBuilder<PostgresKaoheDbContext>().UseNpgsql(connection).Options);
        }
        else if (provider is null || string.Equals(provider, "Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            var cs = connection;
            if (cs is null)
            {
                var file = Path.Combine(Path.GetFullPath(dataDir ?? "data"), "kaohe.db");
                if (!File.Exists(file))
                {
                    stderr.WriteLine($"找不到数据库文件 / database file not found: {file}");
                    return 2;
                }
                cs = $"Data Source={file};Mode=ReadOnly";
            }
            db = new SqliteKaoheDbContext(new DbContextOptionsBuilder<SqliteKaoheDbContext>().UseSqlite(cs).Options);
        }
        else
        {
            stderr.WriteLine($"--provider 应为 Sqlite 或 Postgres / --provider must be Sqlite or Postgres: {provider}");
            return Usage(stderr);
        }

        using (db)
        {
            var check = AuditChain.VerifyAsync(db).GetAwaiter().GetResult();
            if (check.Ok)
            {
                stdout.WriteLine($"审计链完整 / audit chain intact: {check.Entries} 条记录 / entries");
                return 0;
            }
            stdout.WriteLine($"审计链断裂 / audit chain broken at entry {check.BrokenAtSequence}: {check.Reason}");
            return 1;
        }
    }

    private static int Usage(TextWriter stderr)
    {
        stderr.WriteLine("用法 / usage: kaohe verify-audit [--data-dir DIR | --provider Postgres --connection CS]");
        return 2;
    }
}
