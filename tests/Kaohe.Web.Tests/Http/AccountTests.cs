using System.Net;
using System.Net.Http.Json;
using Kaohe.Web.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Http;

public sealed class AccountsOnSqlite(SqliteApp app) : AccountTests(app), IClassFixture<SqliteApp>;
public sealed class AccountsOnPostgres(PostgresApp app) : AccountTests(app), IClassFixture<PostgresApp>;

public abstract class AccountTests(KaoheApp app)
{
    private async Task<string> NewUser(string password)
    {
        var name = "t" + Guid.NewGuid().ToString("N")[..10];
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var result = await users.CreateAsync(new AppUser { UserName = name, DisplayName = name, Role = "viewer", LockoutEnabled = true }, password);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
        return name;
    }

    [Fact]
    public async Task Five_failed_token_logins_lock_the_account_even_for_the_right_password()
    {
        const string password = "Right-Passw0rd-123";
        var user = await NewUser(password);
        using var c = app.Anonymous();
        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await c.PostAsJsonAsync("/api/v1/auth/token", new { username = user, password = "wrong" + i })).StatusCode);
        // The fifth failure is the one that locks.
        Assert.Equal((HttpStatusCode)423, (await c.PostAsJsonAsync("/api/v1/auth/token", new { username = user, password = "wrong4" })).StatusCode);
        var locked = await c.PostAsJsonAsync("/api/v1/auth/token", new { username = user, password });
        Assert.Equal((HttpStatusCode)423, locked.StatusCode);
        Assert.Equal("application/problem+json", locked.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Five_failed_form_logins_lock_the_account()
    {
        const string password = "Right-Passw0rd-456";
        var user = await NewUser(password);
        using var c = app.Anonymous();
        for (var i = 0; i < 5; i++)
            Assert.NotEqual(HttpStatusCode.Redirect, (await AccessTests.PostLogin(c, user, "wrong" + i)).StatusCode);
        var r = await AccessTests.PostLogin(c, user, password);
        Assert.NotEqual(HttpStatusCode.Redirect, r.StatusCode);
        using var api = app.Anonymous();
        Assert.Equal((HttpStatusCode)423, (await api.PostAsJsonAsync("/api/v1/auth/token", new { username = user, password })).StatusCode);
    }

    [Fact]
    public async Task A_token_from_one_instance_works_on_another_sharing_the_database()
    {
        var token = await app.Token("viewer");
        using var second = app.Provider == "Sqlite"
            ? (KaoheApp)new SecondInstance(((SqliteApp)app).DataDir)
            : new SecondPostgresInstance(((PostgresApp)app).ConnectionString);
        using var c = second.CreateClient();
        c.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/api/v1/units")).StatusCode);
    }

    private sealed class SecondInstance(string dataDir) : SqliteApp
    {
        protected override IDictionary<string, string?> DatabaseSettings => new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite", ["Kaohe:DataDir"] = dataDir,
        };

        // The first instance owns the directory.
        protected override void Dispose(bool disposing) { }
    }

    private sealed class SecondPostgresInstance(string connection) : KaoheApp
    {
        public override string Provider => "Postgres";
        protected override IDictionary<string, string?> DatabaseSettings => new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres", ["ConnectionStrings:Kaohe"] = connection,
            ["Kaohe:DataDir"] = Path.Combine(Path.GetTempPath(), "kaohe-second-" + Guid.NewGuid().ToString("N")[..8]),
        };
    }
}

/// <summary>Without Kaohe:AdminPassword, admin gets a generated password printed once: never a fixed default.</summary>
public sealed class AdminPasswordTests
{
    private sealed class NoAdminPassword : SqliteApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Kaohe:DemoPassword"] = DemoPassword,
            ["Kaohe:Demo"] = "false",
        };
    }

    private static async Task<string> StartAndReadPassword(NoAdminPassword app)
    {
        var console = Console.Out;
        var captured = new StringWriter();
        Console.SetOut(captured);
        try { _ = app.Services; }
        finally { Console.SetOut(console); }
        var m = System.Text.RegularExpressions.Regex.Match(captured.ToString(), @"initial password of admin: (\S+)");
        Assert.True(m.Success, "the generated admin password is printed");
        await Task.CompletedTask;
        return m.Groups[1].Value;
    }

    [Fact]
    public async Task Admin_gets_a_generated_password_that_works_and_differs_between_installations()
    {
        using var first = new NoAdminPassword();
        using var second = new NoAdminPassword();
        var p1 = await StartAndReadPassword(first);
        var p2 = await StartAndReadPassword(second);
        Assert.NotEqual(p1, p2);
        Assert.True(p1.Length >= 12);
        using var c = first.Anonymous();
        var ok = await c.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = p1 });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var wrong = await c.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = p2 });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }
}
