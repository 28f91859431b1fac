using Kaohe.Data;
using Kaohe.Web.Features.Rectification;
using Kaohe.Web.Infrastructure;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Rectification;

/// <summary>Reminders at the right moments under a moved clock, once each, also with two instances racing on one database.</summary>
public abstract class ReminderTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture, IClockedApp
{
    private async Task<long> NewItem(IServiceProvider services, DateOnly deadline, string unit = "zj-lasa")
    {
        using var scope = services.CreateScope();
        var ledger = scope.ServiceProvider.GetRequiredService<Ledger>();
        var (item, error) = await ledger.CreateAsync(new Ledger.NewItem(unit, "2023-Q1", "项目审批时限超出承诺", Severities.General, "副局长 格桑", deadline));
        Assert.Null(error);
        return item!.Id;
    }

    private OfficeTime Office => app.Factory.Services.GetRequiredService<OfficeTime>();

    private DateOnly Today => Office.Date(app.Clock.GetUtcNow());

    private DateTimeOffset EndOf(DateOnly deadline) => Deadlines.EndOf(deadline, Office.Zone);

    private void MoveTo(DateTimeOffset at) => app.Clock.SetUtcNow(at.ToUniversalTime());

    private Task<List<Notification>> NotificationsOf(params long[] items) =>
        app.WithDb(db => db.Set<Notification>().AsNoTracking().Where(n => n.ItemId != null && items.Contains(n.ItemId.Value)).OrderBy(n => n.Id).ToListAsync());

    [Fact]
    public async Task The_responsible_person_is_reminded_before_the_deadline_and_the_head_and_office_after_it_each_once()
    {
        var deadline = Today.AddDays(10);
        var id = await NewItem(app.Factory.Services, deadline);
        var job = app.Factory.Services.GetRequiredService<ReminderJob>();
        var end = EndOf(deadline);

        await job.RunOnceAsync();
        Assert.Empty(await NotificationsOf(id));

        MoveTo(end.AddDays(-7).AddMinutes(1));
        await job.RunOnceAsync();
        await job.RunOnceAsync();
        var n = Assert.Single(await NotificationsOf(id));
        Assert.Equal("unit:zj-lasa", n.Recipient);
        Assert.Equal($"rem:{id}:before:7", n.Key);
        Assert.Contains("副局长 格桑", n.Body);

        MoveTo(end.AddDays(-1).AddMinutes(1));
        await job.RunOnceAsync();
        Assert.Equal([$"rem:{id}:before:7", $"rem:{id}:before:1"], (await NotificationsOf(id)).Select(x => x.Key).ToArray());

        // Overdue: escalated to the unit's head and to the office, not to the responsible person again.
        MoveTo(end.AddDays(1).AddMinutes(1));
        await job.RunOnceAsync();
        var overdue = (await NotificationsOf(id)).Where(x => x.Key == $"rem:{id}:overdue:1").Select(x => x.Recipient).Order().ToArray();
        Assert.Equal(["head:zj-lasa", "office"], overdue);
        MoveTo(end.AddDays(7).AddMinutes(1));
        await job.RunOnceAsync();
        await job.RunOnceAsync();
        Assert.Equal(6, (await NotificationsOf(id)).Count);

        // SMTP is not configured: in-app only, no email attempted.
        Assert.Equal(0, job.EmailAttempts);
        Assert.All(await NotificationsOf(id), x => Assert.Null(x.EmailClaimedAt));
    }

    [Fact]
    public async Task An_overdue_item_gets_one_reminder_a_day_and_none_once_its_deadline_is_long_past()
    {
        var job = app.Factory.Services.GetRequiredService<ReminderJob>();
        var recent = Today.AddDays(2);
        var id = await NewItem(app.Factory.Services, recent);
        // The job was off for the whole first week: it catches up with one escalation, the latest, not "1 day" and "7 days" at once.
        MoveTo(EndOf(recent).AddDays(8));
        await job.RunOnceAsync();
        Assert.Equal([$"rem:{id}:overdue:7", $"rem:{id}:overdue:7"], (await NotificationsOf(id)).Select(x => x.Key).ToArray());

        var old = Today.AddDays(2);
        var stale = await NewItem(app.Factory.Services, old);
        MoveTo(EndOf(old).AddDays(91));   // beyond Kaohe:Rectification:ReminderMaxOverdueDays (90)
        await job.RunOnceAsync();
        Assert.Empty(await NotificationsOf(stale));
    }

    [Fact]
    public async Task A_closed_item_is_not_reminded()
    {
        var deadline = Today.AddDays(3);
        var id = await NewItem(app.Factory.Services, deadline);
        await app.WithDb(async db =>
        {
            var item = await db.Set<RectificationItem>().SingleAsync(i => i.Id == id);
            item.MoveTo(ItemStatus.Closed, app.Clock.GetUtcNow());
            return await db.SaveChangesAsync();
        });
        MoveTo(EndOf(deadline).AddDays(-1).AddMinutes(1));
        await app.Factory.Services.GetRequiredService<ReminderJob>().RunOnceAsync();
        Assert.Empty(await NotificationsOf(id));
    }

    [Fact]
    public async Task Two_instances_racing_on_one_database_send_no_reminder_twice()
    {
        await using var second = app.Factory.WithWebHostBuilder(_ => { });
        var jobs = new[] { app.Factory.Services.GetRequiredService<ReminderJob>(), second.Services.GetRequiredService<ReminderJob>() };
        Assert.NotSame(jobs[0], jobs[1]);
        var deadline = Today.AddDays(2);
        var ids = new List<long>();
        for (var k = 0; k < 6; k++) ids.Add(await NewItem(k % 2 == 0 ? app.Factory.Services : second.Services, deadline, k % 2 == 0 ? "zj-lasa" : "zj-nyingchi"));

        // Past the deadline by more than a week: each item owes one escalation (7 days, the latest) to two recipients.
        MoveTo(EndOf(deadline).AddDays(8));
        for (var round = 0; round < 3; round++)
            await Task.WhenAll(Enumerable.Range(0, 6).Select(k => Task.Run(() => jobs[k % 2].RunOnceAsync())));

        var all = await NotificationsOf([.. ids]);
        Assert.Equal(ids.Count * 2, all.Count);
        Assert.All(all, x => Assert.EndsWith(":overdue:7", x.Key));
        Assert.Equal(all.Count, all.Select(x => (x.Key, x.Recipient)).Distinct().Count());
    }
}

public sealed class ReminderTestsOnSqlite(RectSqlite app) : ReminderTests<RectSqlite>(app);

public sealed class ReminderTestsOnPostgres(RectPostgres app) : ReminderTests<RectPostgres>(app);
