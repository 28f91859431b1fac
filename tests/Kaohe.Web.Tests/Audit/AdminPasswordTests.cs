using Kaohe.Data;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Audit;

/// <summary>An empty start (--no-demo) without Kaohe:AdminPassword: the admin password is generated, never a default, and must be changed at the first sign-in.</summary>
public sealed class GeneratedAdminPassword : IAsyncLifetime
{
    private sealed class EmptyApp : SqliteApp
    {
        protected override void Configure(IWebHostBuilder builder)
        {
            builder.UseSetting("Kaohe:AdminPassword", "");
            builder.UseSetting("Kaohe:Demo", "false");
        }
    }

    private readonly EmptyApp _app = new();

    public Task InitializeAsync() => _app.InitializeAsync();

    public Task DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task Without_configuration_the_admin_password_is_generated_and_the_database_starts_empty()
    {
        using var scope = _app.Factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var admin = await users.FindByNameAsync("admin");
        Assert.NotNull(admin);
        Assert.NotNull(admin!.PasswordHash);
        foreach (var guess in new[] { "admin", "Admin-pass-2023", "Demo-pass-2023", "password" })
            Assert.False(await users.CheckPasswordAsync(admin, guess));
        // Printed on the console, so one-time: admin sets its own at the first sign-in (MustChangePasswordTests).
        Assert.Contains(await users.GetClaimsAsync(admin), c => c.Type == Kaohe.Web.Infrastructure.MustChangePassword.ClaimType);
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        Assert.Equal(0, await db.Units.CountAsync());
        Assert.Equal(1, await db.Users.CountAsync());
    }
}
