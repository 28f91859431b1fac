using Kaohe.Data.Postgres;
using Kaohe.Data.Sqlite;
using Kaohe.Data;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Infrastructure;

public static class Database
{
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";

    /// <summary>
    /// <c>Database:Provider</c> = Sqlite (default; a file under <c>Kaohe:DataDir</c>) or Postgres
    /// (<c>ConnectionStrings:Kaohe</c>). Each provider has its own context type and migrations.
    /// </summary>
    public static IServiceCollection AddKaoheDatabase(this IServiceCollection services, IConfiguration config)
    {
        var provider = config["Database:Provider"] ?? Sqlite;
        if (provider.Equals(Postgres, StringComparison.OrdinalIgnoreCase))
        {
            var cs = config.GetConnectionString("Kaohe")
                ?? throw new InvalidOperationException("Database:Provider is Postgres but ConnectionStrings:Kaohe is not set");
            services.AddDbContext<KaoheDbContext, PostgresKaoheDbContext>(o => o.UseNpgsql(cs, n => n.EnableRetryOnFailure(3)));
        }
        else if (provider.Equals(Sqlite, StringComparison.OrdinalIgnoreCase))
        {
            var cs = config.GetConnectionString("Kaohe") ?? $"Data Source={Path.Combine(DataDir(config), "kaohe.db")}";
            services.AddDbContext<KaoheDbContext, SqliteKaoheDbContext>(o => o.UseSqlite(cs));
        }
        else throw new InvalidOperationException($"Database:Provider \"{provider}\" is not Sqlite or Postgres");
        return services;
    }

    public static string DataDir(IConfiguration config)
    {
        var dir = Path.GetFullPath(config["Kaohe:DataDir"] ?? "data");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
