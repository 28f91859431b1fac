using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kaohe.Data;

/// <summary>Where a target letter is: 草稿, 已下达, 已签收, 变更待审批.</summary>
public enum TargetLetterStatus { Draft, Issued, Acknowledged, ChangePending }

/// <summary>
/// 目标责任书: what the office asks of one unit for one year — per measure of the category's scheme an
/// annual target broken down by quarter, and the key tasks (重点工作任务) with a milestone per quarter.
/// <see cref="Content"/> holds the current text as JSON (Features/Targets/LetterContent); every issue
/// keeps its text as a <see cref="TargetLetterVersion"/>, which is what the unit saw and acknowledged.
/// </summary>
public sealed class TargetLetter
{
    private TargetLetter() { }

    public TargetLetter(int year, string category, string unitId, string content, string createdBy, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(category);
        ArgumentException.ThrowIfNullOrWhiteSpace(unitId);
        Year = year;
        Category = category;
        UnitId = unitId;
        Content = content;
        CreatedBy = createdBy;
        UpdatedAt = at;
        Status = TargetLetterStatus.Draft;
    }

    public int Id { get; private set; }
    public int Year { get; private set; }
    public string Category { get; private set; } = "";
    public string UnitId { get; private set; } = "";
    public TargetLetterStatus Status { get; private set; }

    /// <summary>The current text: the draft being edited, or the last issued version.</summary>
    public string Content { get; private set; } = "{}";

    /// <summary>The last issued version (0: never issued).</summary>
    public int Version { get; private set; }
    public string CreatedBy { get; private set; } = "";
    public DateTimeOffset UpdatedAt { get; private set; }
    public int? AcknowledgedVersion { get; private set; }
    public string? AcknowledgedBy { get; private set; }
    public DateTimeOffset? AcknowledgedAt { get; private set; }

    /// <summary>The office edits the text. Once the unit has acknowledged, only an approved change does (<see cref="Reissue"/>).</summary>
    public void Edit(string content, DateTimeOffset at)
    {
        if (Status is not (TargetLetterStatus.Draft or TargetLetterStatus.Issued)) throw new InvalidOperationException("an acknowledged letter changes only through an approved change");
        Content = content;
        UpdatedAt = at;
        Status = TargetLetterStatus.Draft;
    }

    public TargetLetterVersion Issue(string by, DateTimeOffset at)
    {
        if (Status != TargetLetterStatus.Draft) throw new InvalidOperationException("only a draft is issued");
        Version++;
        Status = TargetLetterStatus.Issued;
        UpdatedAt = at;
        return new TargetLetterVersion(this, Version, Content, by, at, null, null);
    }

    public void Acknowledge(string by, DateTimeOffset at)
    {
        if (Status != TargetLetterStatus.Issued) throw new InvalidOperationException("only an issued letter is acknowledged");
        Status = TargetLetterStatus.Acknowledged;
        AcknowledgedVersion = Version;
        AcknowledgedBy = by;
        AcknowledgedAt = at;
    }

    public void ChangeRequested()
    {
        if (Status != TargetLetterStatus.Acknowledged) throw new InvalidOperationException("a change is requested of an acknowledged letter");
        Status = TargetLetterStatus.ChangePending;
    }

    public void ChangeRejected() => Status = TargetLetterStatus.Acknowledged;

    /// <summary>An approved change: a new version, which the unit acknowledges again.</summary>
    public TargetLetterVersion Reissue(TargetLetterChange change, string approvedBy, DateTimeOffset at)
    {
        if (Status != TargetLetterStatus.ChangePending) throw new InvalidOperationException("no change is pending");
        Version++;
        Content = change.Content;
        Status = TargetLetterStatus.Issued;
        UpdatedAt = at;
        return new TargetLetterVersion(this, Version, Content, change.RequestedBy, at, approvedBy, change.Reason);
    }
}

/// <summary>One issued text of a letter, kept as issued.</summary>
public sealed class TargetLetterVersion
{
    private TargetLetterVersion() { }

    public TargetLetterVersion(TargetLetter letter, int version, string content, string issuedBy, DateTimeOffset issuedAt, string? approvedBy, string? changeReason)
    {
        Letter = letter;
        Version = version;
        Content = content;
        IssuedBy = issuedBy;
        IssuedAt = issuedAt;
        ApprovedBy = approvedBy;
        ChangeReason = changeReason;
    }

    public long Id { get; private set; }
    public int LetterId { get; private set; }
    public TargetLetter? Letter { get; private set; }
    public int Version { get; private set; }
    public string Content { get; private set; } = "{}";
    public string IssuedBy { get; private set; } = "";
    public DateTimeOffset IssuedAt { get; private set; }

    /// <summary>The second office account that approved the change this version came from; null for an issue before 签收.</summary>
    public string? ApprovedBy { get; private set; }
    public string? ChangeReason { get; private set; }
}

public enum TargetChangeStatus { Pending, Approved, Rejected }

/// <summary>A change to an acknowledged letter: requested by one office account, decided by another (as a veto is).</summary>
public sealed class TargetLetterChange
{
    private TargetLetterChange() { }

    public TargetLetterChange(int letterId, int fromVersion, string content, string reason, string requestedBy, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        LetterId = letterId;
        FromVersion = fromVersion;
        Content = content;
        Reason = reason;
        RequestedBy = requestedBy;
        RequestedAt = at;
        Status = TargetChangeStatus.Pending;
    }

    public long Id { get; private set; }
    public int LetterId { get; private set; }
    public int FromVersion { get; private set; }
    public string Content { get; private set; } = "{}";
    public string Reason { get; private set; } = "";
    public TargetChangeStatus Status { get; private set; }
    public string RequestedBy { get; private set; } = "";
    public DateTimeOffset RequestedAt { get; private set; }
    public string? DecidedBy { get; private set; }
    public DateTimeOffset? DecidedAt { get; private set; }
    public string? DecisionNote { get; private set; }

    public void Decide(bool approve, string by, DateTimeOffset at, string? note)
    {
        if (Status != TargetChangeStatus.Pending) throw new InvalidOperationException("only a pending change is decided");
        Status = approve ? TargetChangeStatus.Approved : TargetChangeStatus.Rejected;
        DecidedBy = by;
        DecidedAt = at;
        DecisionNote = note;
    }
}

/// <summary>How a key task's quarter milestone came out, as the assigned division judges it.</summary>
public enum MilestoneOutcome { Done, Partly, NotDone }

/// <summary>Points per milestone outcome (完成 / 基本完成 / 未完成), set on the letter.</summary>
public sealed record OutcomePoints(double Done = 100, double Partly = 60, double NotDone = 0)
{
    public double Of(MilestoneOutcome o) => o switch { MilestoneOutcome.Done => Done, MilestoneOutcome.Partly => Partly, _ => NotDone };
}

/// <summary>
/// The assessment of one key task's milestone in one quarter (完成 / 基本完成 / 未完成), with evidence
/// (attachments owned by <see cref="Key"/>). The latest assessment stands; the points come from the letter.
/// </summary>
public sealed class MilestoneAssessment
{
    private MilestoneAssessment() { }

    public MilestoneAssessment(string key, int letterId, string taskId, int quarter)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        if (quarter is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(quarter));
        Key = key;
        LetterId = letterId;
        TaskId = taskId;
        Quarter = quarter;
    }

    public long Id { get; private set; }
    public string Key { get; private set; } = "";
    public int LetterId { get; private set; }
    public string TaskId { get; private set; } = "";
    public int Quarter { get; private set; }
    public MilestoneOutcome Outcome { get; private set; }
    public double Points { get; private set; }
    public string? Note { get; private set; }
    public string AssessedBy { get; private set; } = "";
    public DateTimeOffset AssessedAt { get; private set; }

    public void Assess(MilestoneOutcome outcome, double points, string? note, string by, DateTimeOffset at)
    {
        Outcome = outcome;
        Points = points;
        Note = note;
        AssessedBy = by;
        AssessedAt = at;
    }
}

internal sealed class TargetLetterConfiguration : IEntityTypeConfiguration<TargetLetter>
{
    public void Configure(EntityTypeBuilder<TargetLetter> b)
    {
        b.ToTable("TargetLetters");
        b.Property(x => x.Category).HasMaxLength(32);
        b.Property(x => x.UnitId).HasMaxLength(64);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.CreatedBy).HasMaxLength(100);
        b.Property(x => x.AcknowledgedBy).HasMaxLength(100);
        b.HasIndex(x => new { x.Year, x.Category, x.UnitId }).IsUnique();
        b.HasOne<OrgUnit>().WithMany().HasForeignKey(x => x.UnitId);
    }
}

internal sealed class TargetLetterVersionConfiguration : IEntityTypeConfiguration<TargetLetterVersion>
{
    public void Configure(EntityTypeBuilder<TargetLetterVersion> b)
    {
        b.ToTable("TargetLetterVersions");
        b.Property(x => x.IssuedBy).HasMaxLength(100);
        b.Property(x => x.ApprovedBy).HasMaxLength(100);
        b.Property(x => x.ChangeReason).HasMaxLength(1000);
        b.HasIndex(x => new { x.LetterId, x.Version }).IsUnique();
        b.HasOne(x => x.Letter).WithMany().HasForeignKey(x => x.LetterId);
    }
}

internal sealed class TargetLetterChangeConfiguration : IEntityTypeConfiguration<TargetLetterChange>
{
    public void Configure(EntityTypeBuilder<TargetLetterChange> b)
    {
        b.ToTable("TargetLetterChanges");
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Reason).HasMaxLength(1000);
        b.Property(x => x.RequestedBy).HasMaxLength(100);
        b.Property(x => x.DecidedBy).HasMaxLength(100);
        b.Property(x => x.DecisionNote).HasMaxLength(1000);
        b.HasIndex(x => x.LetterId);
        b.HasOne<TargetLetter>().WithMany().HasForeignKey(x => x.LetterId);
    }
}

internal sealed class MilestoneAssessmentConfiguration : IEntityTypeConfiguration<MilestoneAssessment>
{
    public void Configure(EntityTypeBuilder<MilestoneAssessment> b)
    {
        b.ToTable("MilestoneAssessments");
        b.Property(x => x.Key).HasMaxLength(40);
        b.HasIndex(x => x.Key).IsUnique();
        b.Property(x => x.TaskId).HasMaxLength(32);
        b.Property(x => x.Outcome).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Note).HasMaxLength(1000);
        b.Property(x => x.AssessedBy).HasMaxLength(100);
        b.HasIndex(x => new { x.LetterId, x.TaskId, x.Quarter }).IsUnique();
        b.HasOne<TargetLetter>().WithMany().HasForeignKey(x => x.LetterId);
    }
}
