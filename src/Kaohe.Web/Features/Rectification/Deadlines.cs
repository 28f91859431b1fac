using Kaohe.Data;
namespace Kaohe.Web.Features.Rectification;

/// <summary>How an item stands against its deadline (时间表).</summary>
public enum DeadlineState { OnTrack, DueSoon, Overdue, ClosedOnTime, ClosedLate }

/// <summary>
/// The office's reminder settings; offsets in days (configurable, these are defaults). <paramref name="MaxOverdueDays"/>:
/// past this many days after its deadline an open item gets no more reminders (issue 18: items three years overdue were
/// reminded every run); the overdue list (督促指导) still shows it. <paramref name="Zone"/>: the office's time zone
/// (<c>Kaohe:TimeZone</c>, OfficeTime), in which a deadline day ends; UTC+8 when none is given.
/// </summary>
public sealed record ReminderSettings(int DueSoonDays = 7, IReadOnlyList<int>? BeforeDays = null, IReadOnlyList<int>? OverdueDays = null,
    int MaxOverdueDays = 90, TimeZoneInfo? Zone = null)
{
    public TimeZoneInfo TimeZone => Zone ?? Deadlines.ChinaStandardTime;

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
    /// <summary>UTC+8, for settings made without the office's zone (the pure tests).</summary>
    public static readonly TimeZoneInfo ChinaStandardTime = TimeZoneInfo.CreateCustomTimeZone("UTC+8", TimeSpan.FromHours(8), "UTC+8", "UTC+8");

    /// <summary>Dates are compared in the office's time zone: a deadline of 5 May ends at 24:00 of 5 May there.</summary>
    public static DateTimeOffset EndOf(DateOnly day, TimeZoneInfo zone)
    {
        var midnight = day.AddDays(1).ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(midnight, zone.GetUtcOffset(midnight));
    }

    /// <summary>
    /// The first deadline day whose end (<see cref="EndOf"/>) has not yet passed at <paramref name="now"/>: an open item
    /// is overdue exactly when its deadline is before it (<see cref="State"/>), which a query can compare in the database.
    /// </summary>
    public static DateOnly FirstNotPast(DateTimeOffset now, TimeZoneInfo zone)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        return now > EndOf(today.AddDays(-1), zone) ? today : today.AddDays(-1);
    }

    public static DeadlineState State(DateOnly deadline, DateTimeOffset now, DateTimeOffset? closedAt, ReminderSettings settings)
    {
        var end = EndOf(deadline, settings.TimeZone);
        if (closedAt is { } c) return c <= end ? DeadlineState.ClosedOnTime : DeadlineState.ClosedLate;
        if (now > end) return DeadlineState.Overdue;
        return end - now <= TimeSpan.FromDays(settings.DueSoonDays) ? DeadlineState.DueSoon : DeadlineState.OnTrack;
    }

    /// <summary>
    /// The one reminder of an open item that is due by <paramref name="now"/>, if any: the latest whose moment has come
    /// (7 days overdue, not also 1 day overdue when both moments have passed, issue 18), and none once the deadline
    /// is more than <see cref="ReminderSettings.MaxOverdueDays"/> past. Each is stored once by its key, so an item gets
    /// one reminder per moment however often the job runs.
    /// </summary>
    public static IEnumerable<DueReminder> Due(long itemId, DateOnly deadline, DateTimeOffset now, bool closed, ReminderSettings settings)
    {
        if (closed) yield break;
        var end = EndOf(deadline, settings.TimeZone);
        if (now <= end)
        {
            var before = settings.Before.Distinct().Where(d => now >= end - TimeSpan.FromDays(d)).Order().Take(1);
            foreach (var d in before) yield return new DueReminder(itemId, ReminderKind.BeforeDeadline, d, end - TimeSpan.FromDays(d));
            yield break;
        }
        if (now > end + TimeSpan.FromDays(settings.MaxOverdueDays)) yield break;
        var overdue = settings.Overdue.Distinct().Where(d => now >= end + TimeSpan.FromDays(d)).OrderDescending().Take(1);
        foreach (var d in overdue) yield return new DueReminder(itemId, ReminderKind.OverdueEscalation, d, end + TimeSpan.FromDays(d));
    }
}

/// <summary>A closed or open item, as supervision (督促指导) counts it.</summary>
public sealed record SupervisedItem(string Unit, string Source, ItemStatus Status, DateOnly Deadline, DateTimeOffset RaisedAt, DateTimeOffset? ClosedAt);

public sealed record SupervisionFigures(int Total, int Closed, int ClosedOnTime, int Overdue, double? OnTimeClosureRate, double? AverageDaysToClose);

public static class Supervision
{
    public static SupervisionFigures Figures(IEnumerable<SupervisedItem> items, DateTimeOffset now, TimeZoneInfo zone)
    {
        var list = items.Where(i => i.Status != ItemStatus.Merged).ToList();
        var closed = list.Where(i => i.ClosedAt is not null).ToList();
        var onTime = closed.Count(i => i.ClosedAt <= Deadlines.EndOf(i.Deadline, zone));
        var overdue = list.Count(i => i.ClosedAt is null && now > Deadlines.EndOf(i.Deadline, zone));
        return new SupervisionFigures(list.Count, closed.Count, onTime, overdue,
            closed.Count == 0 ? null : (double)onTime / closed.Count,
            closed.Count == 0 ? null : closed.Average(i => (i.ClosedAt!.Value - i.RaisedAt).TotalDays));
    }
}
