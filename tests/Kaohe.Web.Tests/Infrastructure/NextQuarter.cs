using Kaohe.Data;
using Kaohe.Web.Features.Periods;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Infrastructure;

public static class NextQuarter
{
    /// <summary>
    /// Opens 2024-Q1, the quarter after the demo's last, set up from 2023-Q4 and published (so collecting)
    /// through the service the office's page uses, unless already done; no data is in it yet.
    /// </summary>
    public static async Task<string> OpenAsync(this AppFixture app)
    {
        const string period = "2024-Q1";
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var setup = scope.ServiceProvider.GetRequiredService<PeriodSetup>();
        if (!await db.Periods.AnyAsync(p => p.Id == period)) Assert.Null((await setup.CreateNextAsync("2023-Q4", null)).Failure);
        if (await db.Periods.AnyAsync(p => p.Id == period && p.Status == PeriodStatus.Planned)) Assert.Null(await setup.PublishAsync(period));
        return period;
    }
}
