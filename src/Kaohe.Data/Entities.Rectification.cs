using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kaohe.Data;

/// <summary>Where a rectification item (整改事项) stands.</summary>
public enum ItemStatus
{
    Open,                   // 待整改
    InProgress,             // 整改中
    SubmittedForVerification, // 待核验
    Closed,                 // 已销号
    Merged,                 // 已合并 into another item
}

/// <summary>Where a rectification item came from.</summary>
public static class ItemSources
{
    public const string Deduction = "deduction";    // 扣分问题 (a Finding fact from a report, platform or the office)
    public const string Inspection = "inspection";  // 实地考核发现的问题 (a Finding fact from an inspection, with photos)
    public const string Ranking = "ranking";        // 通报批评 (bottom of a classified ranking)
    public const string Manual = "manual";          // 考核办录入
    public const string Split = "split";            // 拆分自另一事项
    public const string Criticism = "criticism";    // 剖析原因与整改承诺 (a criticised unit's cause analysis, Features/Insight)

    public static readonly string[] All = [Deduction, Inspection, Ranking, Manual, Split, Criticism];
}

/// <summary>Severity of a problem (问题等级).</summary>
public static class Severities
{
    public const string General = "general";   // 一般
    public const string Serious = "serious";   // 较重
    public const string Major = "major";       // 严重

    public static readonly string[] All = [General, Serious, Major];
}

/// <summary>
/// 问题整改台账 item: one weakness with its responsible person, timetable and roadmap
/// (责任人、时间表、路线图). The workflow's rules are <see cref="Workflow"/>; this entity only keeps
/// its state consistent.
/// </summary>
public sealed class RectificationItem
{
    private RectificationItem() { }

    public RectificationItem(string unitId, string periodId, string problem, string sourceKind, string? sourceRef, string? indicatorId, string severity,
        string responsiblePerson, DateOnly deadline, DateTimeOffset raisedAt, string raisedBy, long? factId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(unitId);
        ArgumentException.ThrowIfNullOrWhiteSpace(periodId);
        ArgumentException.ThrowIfNullOrWhiteSpace(problem);
        ArgumentException.ThrowIfNullOrWhiteSpace(responsiblePerson);
        if (!ItemSources.All.Contains(sourceKind)) throw new ArgumentOutOfRangeException(nameof(sourceKind));
        if (!Severities.All.Contains(severity)) throw new ArgumentOutOfRangeException(nameof(severity));
        UnitId = unitId;
        PeriodId = periodId;
        Problem = problem;
        SourceKind = sourceKind;
        SourceRef = sourceRef;
        IndicatorId = indicatorId;
        Severity = severity;
        ResponsiblePerson = responsiblePerson;
        Deadline = deadline;
        RaisedAt = raisedAt;
        RaisedBy = raisedBy;
        FactId = factId;
        Status = ItemStatus.Open;
        // An inspection finding is closed only on an assessor's re-inspection photo (复查照片) unless the office waives it.
        RequiresReinspection = sourceKind == ItemSources.Inspection;
    }

    public long Id { get; private set; }
    public string UnitId { get; private set; } = "";
    public string PeriodId { get; private set; } = "";
    public string Problem { get; private set; } = "";
    public string SourceKind { get; private set; } = "";

    /// <summary>What the item points back at: "fact:123", "ranking:2023-Q1:housing", "item:7".</summary>
    public string? SourceRef { get; private set; }

    /// <summary>The finding fact the item was raised from (its photos are the fact's attachments).</summary>
    public long? FactId { get; private set; }
    public string? IndicatorId { get; private set; }
    public string Severity { get; private set; } = "";
    public string ResponsiblePerson { get; private set; } = "";
    public DateOnly Deadline { get; private set; }
    public ItemStatus Status { get; private set; }
    public DateTimeOffset RaisedAt { get; private set; }
    public string RaisedBy { get; private set; } = "";
    public DateTimeOffset? SubmittedAt { get; private set; }
    public DateTimeOffset? ClosedAt { get; private set; }
    public string? ReturnReason { get; private set; }
    public bool RequiresReinspection { get; private set; }

    /// <summary>The same problem (unit and indicator) found in an earlier period: this item is a recurrence (屡改屡犯).</summary>
    public long? PredecessorId { get; private set; }
    public long? MergedIntoId { get; private set; }
    public long? SplitFromId { get; private set; }
    public List<Milestone> Roadmap { get; private set; } = [];

    public bool IsRecurrence => PredecessorId is not null;

    public void Plan(string responsiblePerson, DateOnly deadline, string severity, bool requiresReinspection)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(responsiblePerson);
        if (!Severities.All.Contains(severity)) throw new ArgumentOutOfRangeException(nameof(severity));
        ResponsiblePerson = responsiblePerson;
        Deadline = deadline;
        Severity = severity;
        RequiresReinspection = requiresReinspection;
    }

    public void Describe(string problem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(problem);
        Problem = problem;
    }

    /// <summary>Moves to a status that <see cref="Workflow.Apply"/> allowed.</summary>
    public void MoveTo(ItemStatus to, DateTimeOffset at, string? reason = null)
    {
        var from = Status;
        Status = to;
        if (to == ItemStatus.SubmittedForVerification) SubmittedAt = at;
        if (to == ItemStatus.Closed) ClosedAt = at;
        if (from == ItemStatus.Closed && to != ItemStatus.Closed) ClosedAt = null;
        if (from == ItemStatus.SubmittedForVerification && to == ItemStatus.InProgress) ReturnReason = reason;
    }

    /// <summary>For the demo, whose data is from 2023 while its clock is real time: when the item was raised.</summary>
    public void Backdate(DateTimeOffset raisedAt) => RaisedAt = raisedAt;

    public void MergeInto(long targetId) => MergedIntoId = targetId;

    public void LinkPredecessor(long id) => PredecessorId = id;

    public void MarkSplitFrom(long id) => SplitFromId = id;
}

/// <summary>A dated step of an item's roadmap (路线图).</summary>
public sealed class Milestone
{
    private Milestone() { }

    public Milestone(string title, DateOnly due)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        Title = title;
        Due = due;
    }

    public long Id { get; private set; }
    public long RectificationItemId { get; private set; }
    public string Title { get; private set; } = "";
    public DateOnly Due { get; private set; }
    public DateTimeOffset? DoneAt { get; private set; }

    public void Complete(DateTimeOffset at) => DoneAt ??= at;
}

/// <summary>
/// One step in an item's history (整改进展): raised, started, progress against a milestone with
/// evidence, submitted, returned with a reason, verified, re-inspected, merged, split, planned.
/// </summary>
public sealed class RectificationEvent
{
    private RectificationEvent() { }

    public RectificationEvent(long itemId, string kind, string note, string by, DateTimeOffset at, long? milestoneId = null)
    {
        ItemId = itemId;
        Kind = kind;
        Note = note;
        By = by;
        At = at;
        MilestoneId = milestoneId;
    }

    public long Id { get; private set; }
    public long ItemId { get; private set; }
    public string Kind { get; private set; } = "";
    public long? MilestoneId { get; private set; }
    public string Note { get; private set; } = "";
    public string By { get; private set; } = "";
    public DateTimeOffset At { get; private set; }

    /// <summary>Comma-separated ids of the attachments (佐证材料, 复查照片) uploaded with this step.</summary>
    public string? Evidence { get; private set; }

    public void SetEvidence(string ids) => Evidence = ids;

    public IEnumerable<long> EvidenceIds => (Evidence ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse);
}

/// <summary>
/// An in-app notification (and, when SMTP is configured, an email). The reminder job stores each
/// (item, reminder key, recipient) once: the unique index is the last line against two instances
/// sending the same reminder.
/// </summary>
public sealed class Notification
{
    private Notification() { }

    public Notification(string recipient, long? itemId, string key, string title, string body, DateTimeOffset createdAt)
    {
        Recipient = recipient;
        ItemId = itemId;
        Key = key;
        Title = title;
        Body = body;
        CreatedAt = createdAt;
    }

    public long Id { get; private set; }

    /// <summary>"office", or "unit:ID" (the unit's staff and its responsible person), or "head:ID" (the unit's head).</summary>
    public string Recipient { get; private set; } = "";
    public long? ItemId { get; private set; }
    public string Key { get; private set; } = "";
    public string Title { get; private set; } = "";
    public string Body { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? ReadAt { get; private set; }

    /// <summary>Set when an instance claimed the email of this notification (at most once).</summary>
    public DateTimeOffset? EmailClaimedAt { get; private set; }
    public string? EmailResult { get; private set; }

    public void MarkRead(DateTimeOffset at) => ReadAt ??= at;

    public void RecordEmail(string result) => EmailResult = result;
}

/// <summary>
/// The office's setting per subject category: overdue rectification items cost points in the next
/// period (v1 rules have no place for it, see docs/rectification.md). Off unless enabled.
/// </summary>
public sealed class RectificationPolicy
{
    private RectificationPolicy() { }

    public RectificationPolicy(string category, bool enabled, double pointsPerItem, double cap)
    {
        Category = category;
        Set(enabled, pointsPerItem, cap);
    }

    public string Category { get; private set; } = "";
    public bool Enabled { get; private set; }
    public double PointsPerItem { get; private set; }
    public double Cap { get; private set; }

    public void Set(bool enabled, double pointsPerItem, double cap)
    {
        if (pointsPerItem < 0 || cap < 0) throw new ArgumentOutOfRangeException(nameof(pointsPerItem));
        Enabled = enabled;
        PointsPerItem = pointsPerItem;
        Cap = cap;
    }
}

internal sealed class RectificationConfiguration : IEntityTypeConfiguration<RectificationItem>
{
    public void Configure(EntityTypeBuilder<RectificationItem> b)
    {
        b.Property(x => x.UnitId).HasMaxLength(64);
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.Problem).HasMaxLength(2000);
        b.Property(x => x.SourceKind).HasMaxLength(32);
        b.Property(x => x.SourceRef).HasMaxLength(100);
        b.Property(x => x.IndicatorId).HasMaxLength(64);
        b.Property(x => x.Severity).HasMaxLength(16);
        b.Property(x => x.ResponsiblePerson).HasMaxLength(100);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(32);
        b.Property(x => x.RaisedBy).HasMaxLength(100);
        b.Property(x => x.ReturnReason).HasMaxLength(1000);
        b.Ignore(x => x.IsRecurrence);
        b.HasMany(x => x.Roadmap).WithOne().HasForeignKey(x => x.RectificationItemId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<OrgUnit>().WithMany().HasForeignKey(x => x.UnitId);
        b.HasOne<Period>().WithMany().HasForeignKey(x => x.PeriodId);
        b.HasIndex(x => new { x.PeriodId, x.UnitId, x.Status });
        // One item per raising source (a finding fact, a criticised ranking): raising twice adds nothing.
        b.HasIndex(x => x.SourceRef).IsUnique();
    }
}

internal sealed class MilestoneConfiguration : IEntityTypeConfiguration<Milestone>
{
    public void Configure(EntityTypeBuilder<Milestone> b) => b.Property(x => x.Title).HasMaxLength(300);
}

internal sealed class RectificationEventConfiguration : IEntityTypeConfiguration<RectificationEvent>
{
    public void Configure(EntityTypeBuilder<RectificationEvent> b)
    {
        b.ToTable("RectificationEvents");
        b.Property(x => x.Kind).HasMaxLength(32);
        b.Property(x => x.Note).HasMaxLength(2000);
        b.Property(x => x.By).HasMaxLength(100);
        b.Property(x => x.Evidence).HasMaxLength(500);
        b.Ignore(x => x.EvidenceIds);
        b.HasIndex(x => x.ItemId);
        b.HasOne<RectificationItem>().WithMany().HasForeignKey(x => x.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> b)
    {
        b.ToTable("Notifications");
        b.Property(x => x.Recipient).HasMaxLength(100);
        b.Property(x => x.Key).HasMaxLength(100);
        b.Property(x => x.Title).HasMaxLength(300);
        b.Property(x => x.Body).HasMaxLength(2000);
        b.Property(x => x.EmailResult).HasMaxLength(300);
        b.HasIndex(x => new { x.Key, x.Recipient }).IsUnique();
        b.HasIndex(x => new { x.Recipient, x.ReadAt });
    }
}

internal sealed class RectificationPolicyConfiguration : IEntityTypeConfiguration<RectificationPolicy>
{
    public void Configure(EntityTypeBuilder<RectificationPolicy> b)
    {
        b.ToTable("RectificationPolicies");
        b.HasKey(x => x.Category);
        b.Property(x => x.Category).HasMaxLength(32);
    }
}
