using Kaohe.Data;
using Kaohe.Web.Features.Rectification;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Rectification;

/// <summary>
/// The ledger counts deadlines in the office's time zone (Kaohe:TimeZone), not at a fixed UTC+8 (issue 18): an office
/// at Asia/Kathmandu (UTC+05:45) still has 2 h 15 min of the deadline day left when Beijing's midnight has passed.
/// </summary>
public sealed class OfficeZoneDeadlineTests(OfficeZoneDeadlineTests.Kathmandu app) : IClassFixture<OfficeZoneDeadlineTests.Kathmandu>
{
    public sealed class Kathmandu : RectSqlite
    {
        protected override void Configure(IWebHostBuilder builder)
        {
            base.Configure(builder);
            builder.UseSetting("Kaohe:TimeZone", "Asia/Kathmandu");
        }
    }

    [Fact]
    public async Task An_item_is_not_overdue_before_midnight_of_its_deadline_day_in_the_offices_zone()
    {
        using var scope = app.Factory.Services.CreateScope();
        var ledger = scope.ServiceProvider.GetRequiredService<Ledger>();
        var zone = scope.ServiceProvider.GetRequiredService<OfficeTime>().Zone;
        Assert.Equal("Asia/Kathmandu", zone.Id);
        var deadline = ledger.Today.AddDays(3);
        var (item, error) = await ledger.CreateAsync(new Ledger.NewItem("zj-lasa", "2023-Q1", "项目审批时限超出承诺", Severities.General, "副局长 格桑", deadline));
        Assert.Null(error);

        // 00:30 of the next day in Beijing: 22:15 of the deadline day in Kathmandu.
        var beijingMidnight = new DateTimeOffset(deadline.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8));
        app.Clock.SetUtcNow(beijingMidnight.AddMinutes(30).ToUniversalTime());
        Assert.Equal(deadline, ledger.Today);
        Assert.Equal(DeadlineState.DueSoon, ledger.StateOf(item!));

        app.Clock.SetUtcNow(Deadlines.EndOf(deadline, zone).AddMinutes(1).ToUniversalTime());
        Assert.Equal(DeadlineState.Overdue, ledger.StateOf(item!));
    }
}
