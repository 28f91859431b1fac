using Kaohe.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Kaohe.Web.Tests.Rectification;

/// <summary>An application whose clock the test moves (a real <see cref="FakeTimeProvider"/>, injected as the app's TimeProvider); the reminder loop is off, tests run the job.</summary>
public interface IClockedApp
{
    FakeTimeProvider Clock { get; }
    WebApplicationFactory<Program> Factory { get; }
}

internal static class Clocked
{
    /// <summary>A fixed start (not "now"): the demo's open items get deadlines relative to it.</summary>
    public static FakeTimeProvider NewClock() => new(new DateTimeOffset(2026, 6, 1, 1, 0, 0, TimeSpan.Zero));

    public static void Configure(IWebHostBuilder b, FakeTimeProvider clock)
    {
        b.UseSetting("Kaohe:Rectification:ReminderIntervalSeconds", "0");
        b.ConfigureServices(s => s.AddSingleton<TimeProvider>(clock));
    }

    public static T Service<T>(this WebApplicationFactory<Program> f, out IServiceScope scope) where T : notnull
    {
        scope = f.Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<T>();
    }

    /// <summary>A 1×1 PNG (the upload check reads the first bytes).</summary>
    public static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");
}

public class RectSqlite : SqliteApp, IClockedApp
{
    public FakeTimeProvider Clock { get; } = Clocked.NewClock();
    protected override void Configure(IWebHostBuilder builder) => Clocked.Configure(builder, Clock);
}

public class RectPostgres : PostgresApp, IClockedApp
{
    public FakeTimeProvider Clock { get; } = Clocked.NewClock();
    protected override void Configure(IWebHostBuilder builder) => Clocked.Configure(builder, Clock);
}
