using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Kaohe.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Kaohe.Web.Tests.Infrastructure;

/// <summary>
/// The application in process on a real database, loaded with the demo. One subclass per provider:
/// every data test runs on SQLite and on PostgreSQL (conventions.md).
/// </summary>
public abstract partial class AppFixture : IAsyncLifetime
{
    public const string DemoPassword = "Demo-pass-2023";
    public const string AdminPassword = "Admin-pass-2023";

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;

    /// <summary>The configuration the fixture gives the application, for a second instance on the same database.</summary>
    public Dictionary<string, string> Settings { get; } = [];
    public abstract string Provider { get; }
    protected string DataDir { get; } = Path.Combine(Path.GetTempPath(), "kaohe-test-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string> _tokens = [];

    protected abstract Task<string?> ConnectionStringAsync();

    protected virtual void Configure(IWebHostBuilder builder) { }

    public virtual async Task InitializeAsync()
    {
        var cs = ConnectionString = await ConnectionStringAsync();
        Settings["Database:Provider"] = Provider;
        if (cs is not null) Settings["ConnectionStrings:Kaohe"] = cs;
        Settings["Kaohe:DataDir"] = DataDir;
        Settings["Kaohe:DemoPassword"] = DemoPassword;
        Settings["Kaohe:AdminPassword"] = AdminPassword;
        Settings["Kaohe:LoginAttemptsPerMinute"] = "10000";
        Settings["Kaohe:SignIn:AttemptsPerAccountPerMinute"] = "10000";
        // The demo's Insight analyses are ready well within a second, but not on a machine loaded by other tests: the
        // pages and APIs wait for them here (a 202 or a progress box instead is tested where asked, with the wait at 0).
        Settings["Kaohe:Insight:PageWaitSeconds"] = "60";
        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            foreach (var (key, value) in Settings) b.UseSetting(key, value);
            Configure(b);
        });
        using var _ = Factory.CreateClient();
    }

    public virtual async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        try { Directory.Delete(DataDir, true); } catch (IOException) { }
    }

    public HttpClient Anonymous() => Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>A client with a bearer token for the account (tokens are cached per fixture).</summary>
    public async Task<HttpClient> As(string user, string? password = null)
    {
        if (!_tokens.TryGetValue(user, out var token))
        {
            using var anon = Anonymous();
            var response = await anon.PostAsJsonAsync("/api/v1/auth/token", new { username = user, password = password ?? (user == "admin" ? AdminPassword : DemoPassword) });
            response.EnsureSuccessStatusCode();
            token = (await response.Content.ReadFromJsonAsync<TokenBody>())!.Token;
            _tokens[user] = token;
        }
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A browser-like client signed in through the login page (cookie + anti-forgery).</summary>
    public async Task<HttpClient> SignedIn(string user, string? password = null)
    {
        var client = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var page = await client.GetStringAsync("/Account/Login");
        var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Username"] = user,
            ["Password"] = password ?? (user == "admin" ? AdminPassword : DemoPassword),
            ["__RequestVerificationToken"] = AntiForgeryToken(page),
        }));
        if (response.StatusCode != System.Net.HttpStatusCode.Redirect) throw new InvalidOperationException($"login of {user} failed: {response.StatusCode}");
        return client;
    }

    public static string AntiForgeryToken(string html) => TokenPattern().Match(html).Groups[1].Value;

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    /// <summary>The attachment store's directory of this fixture.</summary>
    public string AttachmentDir => Path.Combine(DataDir, "attachments");

    /// <summary>Every file in the attachment store (stored files and temporary ones).</summary>
    public int AttachmentFiles() => Directory.Exists(AttachmentDir) ? Directory.EnumerateFiles(AttachmentDir, "*", SearchOption.AllDirectories).Count() : 0;

    /// <summary>Runs <c>kaohe sweep-attachments</c> against this fixture's data directory and database.</summary>
    public int SweepWithCli(out string stdout, params string[] extra)
    {
        var output = new StringWriter();
        var err = new StringWriter();
        string[] args = Provider == "Sqlite" ? ["sweep-attachments", "--data-dir", DataDir, .. extra] : ["sweep-attachments", "--data-dir", DataDir, "--postgres", ConnectionString!, .. extra];
        var code = Kaohe.Cli.Program.Run(args, new StringReader(""), output, err);
        stdout = output + err.ToString();
        return code;
    }

    /// <summary>Runs <c>kaohe verify-audit</c> against this fixture's database.</summary>
    public int VerifyAuditWithCli(out string stderr)
    {
        var err = new StringWriter();
        var args = Provider == "Sqlite" ? new[] { "verify-audit", "--data-dir", DataDir } : ["verify-audit", "--postgres", ConnectionString!];
        var code = Kaohe.Cli.Program.Run(args, new StringReader(""), new StringWriter(), err);
        stderr = err.ToString();
        return code;
    }

    protected string? ConnectionString { get; private set; }

    public async Task<T> WithDb<T>(Func<KaoheDbContext, Task<T>> action)
    {
        using var scope = Factory.Services.CreateScope();
        return await action(scope.ServiceProvider.GetRequiredService<KaoheDbContext>());
    }

    private sealed record TokenBody(string Token);
}

public class SqliteApp : AppFixture
{
    public override string Provider => "Sqlite";
    protected override Task<string?> ConnectionStringAsync() => Task.FromResult<string?>(null);
}

/// <summary>
/// A fresh database on the PostgreSQL that ./test.sh starts (KAOHE_TEST_PG). Without it the tests
/// fail, loudly: they are never skipped.
/// </summary>
public class PostgresApp : AppFixture
{
    private readonly string _database = "kaohe_t_" + Guid.NewGuid().ToString("N")[..12];
    private string? _admin;

    public override string Provider => "Postgres";

    public static string Server => Environment.GetEnvironmentVariable("KAOHE_TEST_PG")
        ?? throw new InvalidOperationException("KAOHE_TEST_PG is not set: run the tests with ./test.sh, which starts a throwaway PostgreSQL 15 (see docs/recipes in ../shared).");

    protected override async Task<string?> ConnectionStringAsync()
    {
        _admin = Server;
        await using var conn = new NpgsqlConnection(_admin);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {_database}", conn);
        await cmd.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(_admin) { Database = _database }.ConnectionString;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_admin is null) return;
        NpgsqlConnection.ClearAllPools();
        await using var conn = new NpgsqlConnection(_admin);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
