using System.Globalization;
using Kaohe.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.E2E;

/// <summary>An office whose Kaohe:TimeZone is Asia/Kathmandu (UTC+05:45: no whole-hour offset can pass for it).</summary>
public sealed class KathmanduFixture : BrowserFixture
{
    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Kaohe:TimeZone", "Asia/Kathmandu");
}

/// <summary>Times are shown in the office's time zone, named where they stand (issue 18 item 10).</summary>
public sealed class TimeZoneJourneyTests(KathmanduFixture app) : IClassFixture<KathmanduFixture>
{
    [Fact]
    public async Task The_audit_log_shows_each_entry_in_the_offices_time_zone_and_names_it()
    {
        var page = await app.SignedIn("office", BrowserFixture.Desktop);
        await page.GotoAsync(app.BaseUrl + "/Audit");
        Assert.Contains("Asia/Kathmandu", await page.InnerTextAsync("thead"));
        var row = page.Locator("tbody tr").First;
        var sequence = long.Parse(await row.Locator("td").Nth(0).InnerTextAsync(), CultureInfo.InvariantCulture);
        var shown = (await row.Locator("td").Nth(1).InnerTextAsync()).Trim();

        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var at = (await db.AuditEntries.AsNoTracking().FirstAsync(e => e.Sequence == sequence)).At;
        Assert.Equal(at.ToOffset(new TimeSpan(5, 45, 0)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), shown);
        await page.Context.CloseAsync();
    }
}
