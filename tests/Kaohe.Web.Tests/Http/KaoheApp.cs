using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Web.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Kaohe.Web.Tests.Http;

/// <summary>
/// The real application in process, on a real database: a fresh SQLite file or a fresh PostgreSQL
/// database per fixture, loaded with the demo. Every HTTP test class runs once on each.
/// </summary>
public abstract class KaoheApp : WebApplicationFactory<Program>
{
    public const string DemoPassword = "Demo-Passw0rd-For-Tests";
    public const string AdminPassword = "Admin-Passw0rd-For-Tests";

    private readonly Dictionary<string, string> tokens = [];
    private readonly SemaphoreSlim tokenLock = new(1, 1);

    public abstract string Provider { get; }

    /// <summary>Settings on top of the provider's: tests may add their own (e.g. no admin password).</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Kaohe:AdminPassword"] = AdminPassword,
        ["Kaohe:DemoPassword"] = DemoPassword,
    };

    protected abstract IDictionary<string, string?> DatabaseSettings { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (k, v) in DatabaseSettings.Concat(Settings)) builder.UseSetting(k, v);
        builder.UseSetting("Kaohe:LoginRateLimit", "100000");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }

    public HttpClient Anonymous(string? language = null)
    {
        var c = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        if (language is not null) c.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        return c;
    }

    public async Task<string> Token(string user, string password = DemoPassword)
    {
        await tokenLock.WaitAsync();
        try
        {
            if (tokens.TryGetValue(user, out var t)) return t;
            using var c = Anonymous();
            var r = await c.PostAsJsonAsync("/api/v1/auth/token", new { username = user, password });
            Assert.True(r.IsSuccessStatusCode, $"{Provider}: token for {user}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
            t = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
            tokens[user] = t;
            return t;
        }
        finally { tokenLock.Release(); }
    }

    /// <summary>A client signed in with a bearer token for a demo account (or admin).</summary>
    public async Task<HttpClient> As(string user, string? language = null)
    {
        var c = Anonymous(language);
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Token(user, user == "admin" ? AdminPassword : DemoPassword));
        return c;
    }

    public async Task<T> Db<T>(Func<KaoheDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<KaoheDbContext>());
    }

    /// <summary>Raw SQL as a tamperer would run it, with the provider's quoting.</summary>
    public Task<int> Sql(string sql) => Db(db => db.Database.ExecuteSqlRawAsync(sql));
}

public class SqliteApp : KaoheApp
{
    public string DataDir { get; } = Directory.CreateTempSubdirectory("kaohe-test-").FullName;
    public override string Provider => "Sqlite";

    protected override IDictionary<string, string?> DatabaseSettings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Sqlite",
        ["Kaohe:DataDir"] = DataDir,
    };

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
    }
}

public class PostgresApp : KaoheApp
{
    public string Database { get; } = "kaohe_t_" + Guid.NewGuid().ToString("N")[..16];
    public string ServerConnection { get; }
    public string ConnectionString { get; }
    public override string Provider => "Postgres";

    public PostgresApp()
    {
        ServerConnection = Environment.GetEnvironmentVariable("KAOHE_TEST_PG") is { Length: > 0 } cs ? cs
            : throw new InvalidOperationException(
                "KAOHE_TEST_PG is not set, so the PostgreSQL half of the tests cannot run. Run ./test.sh, or start PostgreSQL 15 as in docs/recipes.md and " +
                "export KAOHE_TEST_PG='Host=127.0.0.1;Port=N;Username=postgres;Database=postgres'.");
        ConnectionString = new NpgsqlConnectionStringBuilder(ServerConnection) { Database = Database }.ConnectionString;
        using var conn = new NpgsqlConnection(ServerConnection);
        conn.Open();
        using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{Database}\"", conn);
        cmd.ExecuteNonQuery();
    }

    protected override IDictionary<string, string?> DatabaseSettings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Postgres",
        ["ConnectionStrings:Kaohe"] = ConnectionString,
        ["Kaohe:DataDir"] = Path.Combine(Path.GetTempPath(), Database),
    };

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        NpgsqlConnection.ClearAllPools();
        using var conn = new NpgsqlConnection(ServerConnection);
        conn.Open();
        using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Database}\" WITH (FORCE)", conn);
        cmd.ExecuteNonQuery();
        try { Directory.Delete(Path.Combine(Path.GetTempPath(), Database), recursive: true); } catch (IOException) { }
    }
}
