using Kaohe.Data.Postgres;
using Kaohe.Data.Sqlite;
using Kaohe.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

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
            services.AddDbContext<KaoheDbContext, PostgresKaoheDbContext>(o => Start(o.UseNpgsql(cs, n => n.EnableRetryOnFailure(3).UseParameterizedCollectionMode(OneParameter))));
        }
        else if (provider.Equals(Sqlite, StringComparison.OrdinalIgnoreCase))
        {
            var cs = config.GetConnectionString("Kaohe") ?? $"Data Source={Path.Combine(DataDir(config), "kaohe.db")}";
            services.AddDbContext<KaoheDbContext, SqliteKaoheDbContext>(o => Start(o.UseSqlite(cs, q => q.UseParameterizedCollectionMode(OneParameter))));
        }
        else throw new InvalidOperationException($"Database:Provider \"{provider}\" is not Sqlite or Postgres");
        return services;
    }

    /// <summary>
    /// A list in a query (<c>ids.Contains(x.Id)</c>) goes to the database as one parameter: a JSON array read by
    /// <c>json_each</c> on SQLite, an array with <c>= ANY</c> on PostgreSQL. EF Core 10's default sends one
    /// parameter per element, and the pages' lists run to thousands at national scale (3,000 units, 6,000 survey
    /// sites): SQLite then binds each parameter by looking its name up among all the others, which was a fifth of
    /// the surveys page's time in a profile (<c>sqlite3_bind_parameter_index</c>; bench/README.md).
    /// </summary>
    private const ParameterTranslationMode OneParameter = ParameterTranslationMode.Parameter;

    /// <summary>
    /// Migrating at start does not compare the model with the last migration's snapshot (PendingModelChangesWarning):
    /// that check builds the model from the configurations and the snapshot's model at every start, seconds of CPU that
    /// the compiled model saves otherwise (issue 20). The tests make it instead (<c>Architecture/ModelTests</c>, both providers).
    /// </summary>
    private static DbContextOptionsBuilder Start(DbContextOptionsBuilder o) =>
        o.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));

    public static string DataDir(IConfiguration config)
    {
        var dir = Path.GetFullPath(config["Kaohe:DataDir"] ?? "data");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
