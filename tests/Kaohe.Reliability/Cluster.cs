using Kaohe.Data.Postgres;
using Kaohe.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Kaohe.Reliability;

/// <summary>
/// The production topology in miniature: two stateless instances of the application on one
/// PostgreSQL database (a fresh one on the server ./test.sh starts) and one shared attachment
/// directory, behind nginx.
/// </summary>
public sealed class Cluster : IAsyncLifetime
{
    public const string DemoPassword = "Demo-pass-2023";
    public const string AdminPassword = "Admin-pass-2023";

    private readonly string _database = "kaohe_r_" + Guid.NewGuid().ToString("N")[..12];
    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "kaohe-cluster-" + Guid.NewGuid().ToString("N"));
    public string ConnectionString { get; private set; } = "";
    public AppProcess A { get; private set; } = null!;
    public AppProcess B { get; private set; } = null!;
    public Nginx Proxy { get; } = new();

    public static string Server => Environment.GetEnvironmentVariable("KAOHE_TEST_PG")
        ?? throw new InvalidOperationException("KAOHE_TEST_PG is not set: run the tests with ./test.sh, which starts a throwaway PostgreSQL 15.");

    public Dictionary<string, string> Environment_() => new()
    {
        ["Database__Provider"] = "Postgres",
        ["ConnectionStrings__Kaohe"] = ConnectionString,
        ["Kaohe__DataDir"] = DataDir,
        ["Kaohe__DemoPassword"] = DemoPassword,
        ["Kaohe__AdminPassword"] = AdminPassword,
        ["Kaohe__LoginAttemptsPerMinute"] = "100000",
        ["Kaohe__SignIn__AttemptsPerAccountPerMinute"] = "100000",
        ["Logging__LogLevel__Default"] = "Warning",
        // The reminder job runs every second on both instances, so that the tests see them race.
        ["Kaohe__Rectification__ReminderIntervalSeconds"] = "1",
        ["Logging__LogLevel__Kaohe.Web.Features.Rectification.ReminderJob"] = "Information",
        // The survey bursts come from one address (nginx's); the flood limit is not what they test.
        ["Kaohe__SurveyPerMinute"] = "1000000",
    };

    public async Task InitializeAsync()
    {
        await using (var conn = new NpgsqlConnection(Server))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {_database}", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(Server) { Database = _database }.ConnectionString;
        // The first instance migrates and loads the demo; the second starts on the ready database.
        A = new AppProcess("A", Environment_());
        await A.StartAsync();
        B = new AppProcess("B", Environment_());
        await B.StartAsync();
        await Proxy.StartAsync([A, B]);
    }

    public KaoheDbContext Db() =>
        new PostgresKaoheDbContext(new DbContextOptionsBuilder<PostgresKaoheDbContext>().UseNpgsql(ConnectionString).Options);

    public async Task DisposeAsync()
    {
        await Proxy.DisposeAsync();
        if (A is not null) await A.DisposeAsync();
        if (B is not null) await B.DisposeAsync();
        if (ConnectionString.Length == 0) return;
        NpgsqlConnection.ClearAllPools();
        await using (var conn = new NpgsqlConnection(Server))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        try { Directory.Delete(DataDir, true); } catch (IOException) { }
    }
}
