namespace Kaohe.Web.Features.Rectification;

/// <summary>How an item stands against its deadline (时间表).</summary>
public enum DeadlineState { OnTrack, DueSoon, Overdue, ClosedOnTime, ClosedLate }

/// <summary>The office's reminder settings; offsets in days (configurable, these are defaults).</summary>
public sealed record ReminderSettings(int DueSoonDays = 7, IReadOnlyList<int>? BeforeDays = null, IReadOnlyList<int>? OverdueDays = null)
{
    /// <summary>Remind the responsible person 7 and 1 days before the deadline.</summary>
    public IReadOnlyList<int> Before => BeforeDays ?? [7, 1];

    /// <summary>Escalate to the unit's head and the office 1 and 7 days after it.</summary>
    public IReadOnlyList<int> Overdue => OverdueDays ?? [1, 7];
}

public enum ReminderKind { BeforeDeadline, OverdueEscalation }

/// <summary>
/// One reminder that is due. <see cref="Key"/> identifies it for good (item, kind, offset): the job
/// stores it with a unique constraint, so two instances racing never send it twice.
/// </summary>
public sealed record DueReminder(long ItemId, ReminderKind Kind, int OffsetDays, DateTimeOffset DueAt)
{
    public string Key => $"{ItemId}:{(Kind == ReminderKind.BeforeDeadline ? "before" : "overdue")}:{OffsetDays}";
}

public static class Deadlines
{
    /// <summary>Dates are compared in the department's time zone (UTC+8): a deadline of 5 May ends at 24:00 Beijing time.</summary>
    public static readonly TimeSpan Zone = TimeSpan.FromHours(8);

    public static DateTimeOffset EndOf(DateOnly day) => new(day.AddDays(1).ToDateTime(TimeOnly.MinValue), Zone);

    public static DeadlineState State(DateOnly deadline, DateTimeOffset now, DateTimeOffset? closedAt, ReminderSettings settings)
    {
        var end = EndOf(deadline);
        if (closedAt is { } c) return c <= end ? DeadlineState.ClosedOnTime : DeadlineState.ClosedLate;
        if (now > end) return DeadlineState.Overdue;
        return end - now <= TimeSpan.FromDays(settings.DueSoonDays) ? DeadlineState.DueSoon : DeadlineState.OnTrack;
    }

    /// <summary>Every reminder of an open item whose moment has come by <paramref name="now"/>.</summary>
    public static IEnumerable<DueReminder> Due(long itemId, DateOnly deadline, DateTimeOffset now, bool closed, ReminderSettings settings)
    {
        if (closed) yield break;
        var end = EndOf(deadline);
        foreach (var d in settings.Before.Distinct())
        {
            var at = end - TimeSpan.FromDays(d);
            if (now >= at && now <= end) yield return new DueReminder(itemId, ReminderKind.BeforeDeadline, d, at);
        }
        foreach (var d in settings.Overdue.Distinct())
        {
            var at = end + TimeSpan.FromDays(d);
            if (now >= at) yield return new DueReminder(itemId, ReminderKind.OverdueEscalation, d, at);
        }
    }
}

/// <summary>A closed or open item, as supervision (督促指导) counts it.</summary>
public sealed record SupervisedItem(string Unit, string Source, ItemStatus Status, DateOnly Deadline, DateTimeOffset RaisedAt, DateTimeOffset? ClosedAt);

public sealed record SupervisionFigures(int Total, int Closed, int ClosedOnTime, int Overdue, double? OnTimeClosureRate, double? AverageDaysToClose);

public static class Supervision
{
    public static SupervisionFigures Figures(IEnumerable<SupervisedItem> items, DateTimeOffset now)
    {
        var list = items.Where(i => i.Status != ItemStatus.Merged).ToList();
        var closed = list.Where(i => i.ClosedAt is not null).ToList();
        var onTime = closed.Count(i => i.ClosedAt <= Deadlines.EndOf(i.Deadline));
        var overdue = list.Count(i => i.ClosedAt is null && now > Deadlines.EndOf(i.Deadline));
        return new SupervisionFigures(list.Count, closed.Count, onTime, overdue,
            closed.Count == 0 ? null : (double)onTime / closed.Count,
            closed.Count == 0 ? null : closed.Average(i => (i.ClosedAt!.Value - i.RaisedAt).TotalDays));
    }
}
