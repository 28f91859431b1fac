using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Audit;

/// <summary>Each test class gets its own database: these tests tamper with rows.</summary>
public abstract class AuditTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    [Fact]
    public async Task The_audit_chain_verifies_and_detects_a_modified_row()
    {
        using var client = await app.As("office");
        var ok = await client.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify");
        Assert.True(ok.GetProperty("ok").GetBoolean());
        Assert.True(ok.GetProperty("entries").GetInt64() >= 2);

        Assert.Equal(0, app.VerifyAuditWithCli(out _));

        await app.WithDb(db => db.Database.ExecuteSqlRawAsync("UPDATE \"AuditLog\" SET \"Reason\" = 'changed quietly' WHERE \"Sequence\" = 2"));
        var broken = await client.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify");
        Assert.False(broken.GetProperty("ok").GetBoolean());
        Assert.Equal(2, broken.GetProperty("brokenAtSequence").GetInt64());
        Assert.Equal(Kaohe.Cli.VerifyAudit.Broken, app.VerifyAuditWithCli(out var stderr));
        Assert.Contains("entry 2", stderr);
    }

    [Fact]
    public async Task A_deleted_row_breaks_the_chain_too()
    {
        var entries = await app.WithDb(db => db.AuditEntries.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync());
        var withGap = entries.Where(e => e.Sequence != 1).ToList();
        var check = AuditChain.Verify(withGap);
        Assert.False(check.Ok);
    }

    [Fact]
    public async Task Repeated_failed_logins_lock_the_account()
    {
        using (var scope = app.Factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            await users.CreateAsync(new AppUser { UserName = "lock-me", Role = Roles.Viewer, DisplayName = "t", LockoutEnabled = true }, "Right-pass-12345");
        }
        using var anon = app.Anonymous();
        for (var i = 0; i < 5; i++)
            await anon.PostAsJsonAsync("/api/v1/auth/token", new { username = "lock-me", password = "wrong" });
        var locked = await anon.PostAsJsonAsync("/api/v1/auth/token", new { username = "lock-me", password = "Right-pass-12345" });
        Assert.Equal((HttpStatusCode)423, locked.StatusCode);
        Assert.Contains("锁定", await locked.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_admin_password_comes_from_configuration_and_no_fixed_default_works()
    {
        using var anon = app.Anonymous();
        foreach (var guess in new[] { "admin", "password", "123456", "Admin123!", "" })
        {
            var r = await anon.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = guess });
            Assert.NotEqual(HttpStatusCode.OK, r.StatusCode);
        }
        using var admin = await app.As("admin");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/audit")).StatusCode);
    }
}

public sealed class AuditTestsOnSqlite(AuditTestsOnSqlite.Fixture app) : AuditTests<AuditTestsOnSqlite.Fixture>(app)
{
    public sealed class Fixture : SqliteApp;
}

public sealed class AuditTestsOnPostgres(AuditTestsOnPostgres.Fixture app) : AuditTests<AuditTestsOnPostgres.Fixture>(app)
{
    public sealed class Fixture : PostgresApp;
}
