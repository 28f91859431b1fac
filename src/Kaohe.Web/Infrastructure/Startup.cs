using Kaohe.Data;
using Kaohe.Web.Features.Demo;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Infrastructure;

public static class Startup
{
    /// <summary>
    /// Creates the database and applies migrations, creates <c>admin</c> (password from
    /// <c>Kaohe:AdminPassword</c>, otherwise generated and printed once), and on a fresh database loads
    /// the demo unless <c>Kaohe:Demo</c> is false (<c>--no-demo</c>).
    /// </summary>
    public static async Task InitializeKaoheAsync(this WebApplication app)
    {
        // A wrong Kaohe:TimeZone stops the start with a message, not the first page that shows a time.
        _ = app.Services.GetRequiredService<OfficeTime>();
        using var scope = app.Services.CreateScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<KaoheDbContext>();
        var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Kaohe.Startup");
        await DatabaseSchema.MigrateAsync(db);

        var users = sp.GetRequiredService<UserManager<AppUser>>();
        var fresh = !await db.Users.AnyAsync();
        if (await users.FindByNameAsync("admin") is null)
        {
            var configured = app.Configuration["Kaohe:AdminPassword"];
            var password = string.IsNullOrEmpty(configured) ? Passwords.New() : configured;
            var admin = new AppUser { UserName = "admin", DisplayName = "系统管理员（考核办）", Role = Roles.Office, LockoutEnabled = true };
            var created = await users.CreateAsync(admin, password);
            if (!created.Succeeded)
                throw new InvalidOperationException("cannot create admin: " + string.Join("; ", created.Errors.Select(e => e.Description)));
            if (string.IsNullOrEmpty(configured))
            {
                // Printed on the console, so seen by whoever started the service: admin sets its own at first sign-in.
                await MustChangePassword.MarkAsync(users, admin);
                Console.WriteLine();
                Console.WriteLine("==================================================================");
                Console.WriteLine($"  管理员账号 admin 的初始密码 / initial password of admin: {password}");
                Console.WriteLine("  只显示这一次，请妥善保存 / shown only this once: keep it safe");
                Console.WriteLine("==================================================================");
                Console.WriteLine();
            }
            log.LogInformation("Created the admin account");
        }

        var demo = app.Configuration.GetValue("Kaohe:Demo", true);
        if (demo && fresh)
        {
            var seeder = ActivatorUtilities.CreateInstance<DemoSeeder>(sp);
            await seeder.SeedAsync(app.Configuration["Kaohe:DemoPassword"], Database.DataDir(app.Configuration));
            log.LogInformation("Loaded the demo data");
        }
    }
}
