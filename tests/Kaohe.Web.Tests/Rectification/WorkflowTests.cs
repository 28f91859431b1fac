using Kaohe.Data;
using Kaohe.Web.Features.Rectification;

namespace Kaohe.Web.Tests.Rectification;

public class WorkflowTests
{
    [Fact]
    public void The_full_workflow_including_a_return_ends_verified_closed()
    {
        var s = ItemStatus.Open;
        s = Step(s, ItemAction.Start, Actor.Unit);
        s = Step(s, ItemAction.RecordProgress, Actor.Unit);
        s = Step(s, ItemAction.Submit, Actor.Unit);
        s = Step(s, ItemAction.Return, Actor.Office, "照片未显示人行道修复后的情况");
        Assert.Equal(ItemStatus.InProgress, s);
        s = Step(s, ItemAction.Submit, Actor.Unit);
        s = Step(s, ItemAction.Verify, Actor.Office);
        Assert.Equal(ItemStatus.Closed, s);
    }

    [Fact]
    public void Only_the_office_closes_an_item()
    {
        var (ok, error) = Workflow.Apply(ItemStatus.SubmittedForVerification, ItemAction.Verify, Actor.Unit);
        Assert.Null(ok);
        Assert.Contains("被考核单位不能执行“核验销号”", error!.Value.Zh);
    }

    [Fact]
    public void A_return_without_a_reason_is_refused()
    {
        var (ok, error) = Workflow.Apply(ItemStatus.SubmittedForVerification, ItemAction.Return, Actor.Office, reason: " ");
        Assert.Null(ok);
        Assert.Equal("a return needs a reason", error!.Value.En);
    }

    [Fact]
    public void An_inspection_finding_needs_a_reinspection_photo_before_closing()
    {
        var (denied, error) = Workflow.Apply(ItemStatus.SubmittedForVerification, ItemAction.Verify, Actor.Office, requiresReinspection: true);
        Assert.Null(denied);
        Assert.Contains("复查照片", error!.Value.Zh);
        var (ok, _) = Workflow.Apply(ItemStatus.SubmittedForVerification, ItemAction.Verify, Actor.Office, requiresReinspection: true, hasReinspectionPhoto: true);
        Assert.Equal(ItemStatus.Closed, ok!.To);
    }

    private static ItemStatus Step(ItemStatus s, ItemAction a, Actor actor, string? reason = null)
    {
        var (ok, error) = Workflow.Apply(s, a, actor, reason);
        Assert.True(ok is not null, error?.En);
        return ok!.To;
    }
}

public class DeadlineTests
{
    private static readonly ReminderSettings Settings = new();
    private static readonly DateOnly Deadline = new(2023, 5, 31);
    private static DateTimeOffset Beijing(int month, int day, int hour = 9) => new(2023, month, day, hour, 0, 0, TimeSpan.FromHours(8));

    [Theory]
    [InlineData(5, 1, DeadlineState.OnTrack)]
    [InlineData(5, 25, DeadlineState.DueSoon)]
    [InlineData(5, 31, DeadlineState.DueSoon)]
    [InlineData(6, 1, DeadlineState.Overdue)]
    public void Items_are_on_track_due_soon_or_overdue_by_the_deadline_in_Beijing_time(int month, int day, DeadlineState expected) =>
        Assert.Equal(expected, Deadlines.State(Deadline, Beijing(month, day), null, Settings));

    [Fact]
    public void Closing_after_the_last_day_is_closed_late()
    {
        Assert.Equal(DeadlineState.ClosedOnTime, Deadlines.State(Deadline, Beijing(7, 1), Beijing(5, 31, 23), Settings));
        Assert.Equal(DeadlineState.ClosedLate, Deadlines.State(Deadline, Beijing(7, 1), Beijing(6, 1, 8), Settings));
    }

    [Fact]
    public void Reminders_come_due_before_the_deadline_and_escalate_after_it()
    {
        Assert.Empty(Deadlines.Due(1, Deadline, Beijing(5, 20), closed: false, Settings));
        Assert.Equal(["1:before:7"], Deadlines.Due(1, Deadline, Beijing(5, 25), false, Settings).Select(r => r.Key));
        // Only the latest moment that has come: one reminder per item and run, not "7 days" and "1 day" together.
        Assert.Equal(["1:before:1"], Deadlines.Due(1, Deadline, Beijing(5, 31), false, Settings).Select(r => r.Key));
        Assert.Equal(["1:overdue:1"], Deadlines.Due(1, Deadline, Beijing(6, 2), false, Settings).Select(r => r.Key));
        Assert.Equal(["1:overdue:7"], Deadlines.Due(1, Deadline, Beijing(6, 9), false, Settings).Select(r => r.Key));
        Assert.Empty(Deadlines.Due(1, Deadline, Beijing(6, 9), closed: true, Settings));
    }

    [Fact]
    public void A_deadline_long_past_gets_no_more_reminders()
    {
        Assert.Equal(["1:overdue:7"], Deadlines.Due(1, Deadline, Beijing(8, 29), false, Settings).Select(r => r.Key));   // 89 days
        Assert.Empty(Deadlines.Due(1, Deadline, Beijing(9, 1), false, Settings));                                       // 92 days
        Assert.Empty(Deadlines.Due(1, Deadline, Beijing(5, 31).AddYears(3), false, Settings));
        Assert.Equal(["1:overdue:7"], Deadlines.Due(1, Deadline, Beijing(5, 31).AddYears(3), false, Settings with { MaxOverdueDays = 2000 }).Select(r => r.Key));
    }

    [Fact]
    public void A_deadline_day_ends_at_midnight_in_the_offices_time_zone()
    {
        var kathmandu = TimeZoneInfo.FindSystemTimeZoneById("Asia/Kathmandu");   // UTC+05:45
        var s = Settings with { Zone = kathmandu };
        // 00:30 of 1 June in Beijing is 22:15 of 31 May in Kathmandu: still the deadline day there.
        var justAfterBeijingMidnight = new DateTimeOffset(2023, 6, 1, 0, 30, 0, TimeSpan.FromHours(8));
        Assert.Equal(DeadlineState.Overdue, Deadlines.State(Deadline, justAfterBeijingMidnight, null, Settings));
        Assert.Equal(DeadlineState.DueSoon, Deadlines.State(Deadline, justAfterBeijingMidnight, null, s));
        Assert.Equal(new DateTimeOffset(2023, 6, 1, 0, 0, 0, new TimeSpan(5, 45, 0)), Deadlines.EndOf(Deadline, kathmandu));
    }

    [Fact]
    public void Offsets_are_configurable()
    {
        var s = new ReminderSettings(DueSoonDays: 3, BeforeDays: [3], OverdueDays: [2]);
        Assert.Equal(DeadlineState.OnTrack, Deadlines.State(Deadline, Beijing(5, 25), null, s));
        Assert.Equal(["1:before:3"], Deadlines.Due(1, Deadline, Beijing(5, 29), false, s).Select(r => r.Key));
    }

    [Fact]
    public void Supervision_counts_the_on_time_closure_rate_and_the_average_days_to_close()
    {
        var raised = Beijing(4, 20);
        SupervisedItem[] items =
        [
            new("zj-lasa", "实地考核", ItemStatus.Closed, Deadline, raised, Beijing(5, 10)),     // 20 days, on time
            new("zj-lasa", "扣分", ItemStatus.Closed, Deadline, raised, Beijing(6, 9)),          // 50 days, late
            new("zj-nagqu", "通报批评", ItemStatus.InProgress, Deadline, raised, null),          // overdue on 1 July
            new("zj-nagqu", "扣分", ItemStatus.Merged, Deadline, raised, null),                  // not counted
        ];
        var f = Supervision.Figures(items, Beijing(7, 1), Deadlines.ChinaStandardTime);
        Assert.Equal(3, f.Total);
        Assert.Equal(0.5, f.OnTimeClosureRate);
        Assert.Equal(35, f.AverageDaysToClose!.Value, 6);
        Assert.Equal(1, f.Overdue);
    }
}
