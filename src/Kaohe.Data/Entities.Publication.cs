using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kaohe.Data;

public enum ReviewState { Open, Closed, Skipped }

/// <summary>
/// 申诉复核期: the window before publication in which units see their draft and may appeal. One per
/// period; opening it moves the period to Review. Publication needs it closed, or skipped with a reason.
/// </summary>
public sealed class ReviewWindow
{
    private ReviewWindow() { }

    public ReviewWindow(string periodId, DateOnly opensOn, DateOnly closesOn, string openedBy, DateTimeOffset openedAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(periodId);
        if (closesOn < opensOn) throw new ArgumentException("the window closes before it opens", nameof(closesOn));
        PeriodId = periodId;
        OpensOn = opensOn;
        ClosesOn = closesOn;
        OpenedBy = openedBy;
        OpenedAt = openedAt;
        State = ReviewState.Open;
    }

    public static ReviewWindow Skip(string periodId, string reason, string by, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var today = DateOnly.FromDateTime(at.UtcDateTime);
        return new ReviewWindow(periodId, today, today, by, at) { State = ReviewState.Skipped, Reason = reason, ClosedAt = at, ClosedBy = by };
    }

    public string PeriodId { get; private set; } = "";
    public DateOnly OpensOn { get; private set; }
    public DateOnly ClosesOn { get; private set; }
    public ReviewState State { get; private set; }
    public string OpenedBy { get; private set; } = "";
    public DateTimeOffset OpenedAt { get; private set; }
    public string? ClosedBy { get; private set; }
    public DateTimeOffset? ClosedAt { get; private set; }

    /// <summary>Why the window was skipped.</summary>
    public string? Reason { get; private set; }

    public bool AllowsPublication => State is ReviewState.Closed or ReviewState.Skipped;

    public void Close(string by, DateTimeOffset at)
    {
        if (State != ReviewState.Open) throw new InvalidOperationException("the window is not open");
        State = ReviewState.Closed;
        ClosedBy = by;
        ClosedAt = at;
    }

    /// <summary>Opens the window again (e.g. after a correction); a new closing date.</summary>
    public void Reopen(DateOnly closesOn, string by, DateTimeOffset at)
    {
        State = ReviewState.Open;
        ClosesOn = closesOn;
        OpenedBy = by;
        OpenedAt = at;
        ClosedAt = null;
        ClosedBy = null;
        Reason = null;
    }
}

public enum AppealStatus { Pending, Accepted, Rejected }

/// <summary>申诉: a unit contests one score of its draft, with reasons and evidence (attachments of owner kind "appeal").</summary>
public sealed class Appeal
{
    private Appeal() { }

    public Appeal(string periodId, string category, string unitId, string? indicatorId, long? factId, string reason, string submittedBy, DateTimeOffset submittedAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(periodId);
        ArgumentException.ThrowIfNullOrWhiteSpace(unitId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        PeriodId = periodId;
        Category = category;
        UnitId = unitId;
        IndicatorId = indicatorId;
        FactId = factId;
        Reason = reason;
        SubmittedBy = submittedBy;
        SubmittedAt = submittedAt;
        Status = AppealStatus.Pending;
    }

    public long Id { get; private set; }
    public string PeriodId { get; private set; } = "";
    public string Category { get; private set; } = "";
    public string UnitId { get; private set; } = "";

    /// <summary>The contested score: an indicator node (null = the total or an adjustment).</summary>
    public string? IndicatorId { get; private set; }

    /// <summary>The contested fact, when the unit names one.</summary>
    public long? FactId { get; private set; }
    public string Reason { get; private set; } = "";
    public string SubmittedBy { get; private set; } = "";
    public DateTimeOffset SubmittedAt { get; private set; }
    public AppealStatus Status { get; private set; }
    public string? Decision { get; private set; }
    public string? DecidedBy { get; private set; }
    public DateTimeOffset? DecidedAt { get; private set; }

    public void Decide(bool accept, string decision, string by, DateTimeOffset at)
    {
        if (Status != AppealStatus.Pending) throw new InvalidOperationException("the appeal is already decided");
        ArgumentException.ThrowIfNullOrWhiteSpace(decision);
        Status = accept ? AppealStatus.Accepted : AppealStatus.Rejected;
        Decision = decision;
        DecidedBy = by;
        DecidedAt = at;
    }
}

/// <summary>The office's narrative paragraphs of a period's 考核通报, edited before generation (one paragraph per line).</summary>
public sealed class BulletinNarrative
{
    private BulletinNarrative() { }

    public BulletinNarrative(string periodId) => PeriodId = periodId;

    public string PeriodId { get; private set; } = "";
    public string DocumentNumber { get; set; } = "";
    public string Overview { get; set; } = "";
    public string GoodPractices { get; set; } = "";
    public string Weaknesses { get; set; } = "";
    public string Rectification { get; set; } = "";
    public string UpdatedBy { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// 年终考核 weights of one category and year (docs/annual.md): the v1 scheme has no place for them.
/// Weights are points of the annual total (they add up to 100).
/// </summary>
public sealed class AnnualSetting
{
    private AnnualSetting() { }

    public AnnualSetting(int year, string category, double q1, double q2, double q3, double q4, double leadership)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(category);
        Year = year;
        Category = category;
        Set(q1, q2, q3, q4, leadership);
    }

    public int Year { get; private set; }
    public string Category { get; private set; } = "";
    public double Q1 { get; private set; }
    public double Q2 { get; private set; }
    public double Q3 { get; private set; }
    public double Q4 { get; private set; }

    /// <summary>厅领导班子年度总体评价 (principal and in-charge leader 50% each), rated on the annual period.</summary>
    public double Leadership { get; private set; }

    public double[] Quarters => [Q1, Q2, Q3, Q4];

    public void Set(double q1, double q2, double q3, double q4, double leadership)
    {
        double[] all = [q1, q2, q3, q4, leadership];
        if (all.Any(w => w < 0 || double.IsNaN(w))) throw new ArgumentOutOfRangeException(nameof(q1), "weights are not negative");
        if (Math.Abs(all.Sum() - 100) > 1e-9) throw new ArgumentException("the weights add up to 100", nameof(q1));
        (Q1, Q2, Q3, Q4, Leadership) = (q1, q2, q3, q4, leadership);
    }
}

internal sealed class ReviewWindowConfiguration : IEntityTypeConfiguration<ReviewWindow>
{
    public void Configure(EntityTypeBuilder<ReviewWindow> b)
    {
        b.ToTable("ReviewWindows");
        b.HasKey(x => x.PeriodId);
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.State).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.OpenedBy).HasMaxLength(100);
        b.Property(x => x.ClosedBy).HasMaxLength(100);
        b.Property(x => x.Reason).HasMaxLength(2000);
    }
}

internal sealed class AppealConfiguration : IEntityTypeConfiguration<Appeal>
{
    public void Configure(EntityTypeBuilder<Appeal> b)
    {
        b.ToTable("Appeals");
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.Category).HasMaxLength(32);
        b.Property(x => x.UnitId).HasMaxLength(64);
        b.Property(x => x.IndicatorId).HasMaxLength(64);
        b.Property(x => x.Reason).HasMaxLength(4000);
        b.Property(x => x.Decision).HasMaxLength(4000);
        b.Property(x => x.SubmittedBy).HasMaxLength(100);
        b.Property(x => x.DecidedBy).HasMaxLength(100);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.HasIndex(x => new { x.PeriodId, x.UnitId });
    }
}

internal sealed class BulletinNarrativeConfiguration : IEntityTypeConfiguration<BulletinNarrative>
{
    public void Configure(EntityTypeBuilder<BulletinNarrative> b)
    {
        b.ToTable("BulletinNarratives");
        b.HasKey(x => x.PeriodId);
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.DocumentNumber).HasMaxLength(100);
        b.Property(x => x.UpdatedBy).HasMaxLength(100);
    }
}

internal sealed class AnnualSettingConfiguration : IEntityTypeConfiguration<AnnualSetting>
{
    public void Configure(EntityTypeBuilder<AnnualSetting> b)
    {
        b.ToTable("AnnualSettings");
        b.HasKey(x => new { x.Year, x.Category });
        b.Property(x => x.Category).HasMaxLength(32);
        b.Ignore(x => x.Quarters);
    }
}
