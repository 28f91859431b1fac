using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kaohe.Data;

/// <summary>
/// The office's bounds for the robustness analysis of a period's rankings (issue 6, item 2): how far
/// weights and rater scores may move (± share), how many perturbed computations, with which seed,
/// and below how many points a margin at the commend/criticise cut counts as a close call.
/// </summary>
public sealed class RobustnessSetting
{
    private RobustnessSetting() { }

    public RobustnessSetting(string periodId, double weightShare, double raterShare, int samples, int seed, double closeCallPoints, string updatedBy, DateTimeOffset updatedAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(periodId);
        PeriodId = periodId;
        Change(weightShare, raterShare, samples, seed, closeCallPoints, updatedBy, updatedAt);
    }

    public const int MaxSamples = 2000;

    public string PeriodId { get; private set; } = "";
    public double WeightShare { get; private set; }
    public double RaterShare { get; private set; }
    public int Samples { get; private set; }
    public int Seed { get; private set; }
    public double CloseCallPoints { get; private set; }
    public string UpdatedBy { get; private set; } = "";
    public DateTimeOffset UpdatedAt { get; private set; }

    public void Change(double weightShare, double raterShare, int samples, int seed, double closeCallPoints, string updatedBy, DateTimeOffset updatedAt)
    {
        if (weightShare is < 0 or > 0.5) throw new ArgumentOutOfRangeException(nameof(weightShare));
        if (raterShare is < 0 or > 0.5) throw new ArgumentOutOfRangeException(nameof(raterShare));
        if (samples is < 0 or > MaxSamples) throw new ArgumentOutOfRangeException(nameof(samples));
        if (closeCallPoints is < 0 or > 10) throw new ArgumentOutOfRangeException(nameof(closeCallPoints));
        WeightShare = weightShare;
        RaterShare = raterShare;
        Samples = samples;
        Seed = seed;
        CloseCallPoints = closeCallPoints;
        UpdatedBy = updatedBy;
        UpdatedAt = updatedAt;
    }
}

/// <summary>
/// A what-if sandbox (测算沙盘): a stored draft copy of a scheme document whose weights and method
/// parameters the office changes to see how the ranking would move. It never affects results; only
/// an explicit "save as new scheme version" creates a (draft) scheme through SchemeService.
/// </summary>
public sealed class WhatIfSandbox
{
    private WhatIfSandbox() { }

    public WhatIfSandbox(string periodId, string category, int baseSchemeId, string name, string document, string createdBy, DateTimeOffset createdAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(periodId);
        ArgumentException.ThrowIfNullOrWhiteSpace(category);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(document);
        PeriodId = periodId;
        Category = category;
        BaseSchemeId = baseSchemeId;
        Name = name;
        Document = document;
        CreatedBy = createdBy;
        CreatedAt = createdAt;
        UpdatedAt = createdAt;
    }

    public long Id { get; private set; }
    public string PeriodId { get; private set; } = "";
    public string Category { get; private set; } = "";
    public int BaseSchemeId { get; private set; }
    public string Name { get; private set; } = "";

    /// <summary>The sandbox's v1 scheme document (indicators and rules).</summary>
    public string Document { get; private set; } = "";
    public string CreatedBy { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>The scheme version this sandbox was saved as, if it was.</summary>
    public int? SavedAsSchemeId { get; private set; }

    public void Edit(string name, string document, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(document);
        Name = name;
        Document = document;
        UpdatedAt = at;
    }

    public void SavedAs(int schemeId, DateTimeOffset at)
    {
        SavedAsSchemeId = schemeId;
        UpdatedAt = at;
    }
}

public enum PracticeStatus { Submitted, Curated, Rejected }

/// <summary>
/// 经验做法: a good practice submitted by a commended unit (通报表扬并作经验交流). The office curates it into
/// the library every unit can read, and the bulletin quotes the curated ones.
/// </summary>
public sealed class Practice
{
    private Practice() { }

    public Practice(string periodId, string unitId, string title, string body, string submittedBy, DateTimeOffset submittedAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(periodId);
        ArgumentException.ThrowIfNullOrWhiteSpace(unitId);
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        ArgumentException.ThrowIfNullOrWhiteSpace(body);
        PeriodId = periodId;
        UnitId = unitId;
        Title = title;
        Body = body;
        SubmittedBy = submittedBy;
        SubmittedAt = submittedAt;
        Status = PracticeStatus.Submitted;
    }

    public long Id { get; private set; }
    public string PeriodId { get; private set; } = "";
    public string UnitId { get; private set; } = "";
    public string Title { get; private set; } = "";
    public string Body { get; private set; } = "";
    public string Tags { get; private set; } = "";
    public PracticeStatus Status { get; private set; }
    public string SubmittedBy { get; private set; } = "";
    public DateTimeOffset SubmittedAt { get; private set; }
    public string? CuratedBy { get; private set; }
    public DateTimeOffset? CuratedAt { get; private set; }
    public string? CuratorNote { get; private set; }

    public void Curate(bool accept, string title, string body, string tags, string? note, string by, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        ArgumentException.ThrowIfNullOrWhiteSpace(body);
        Status = accept ? PracticeStatus.Curated : PracticeStatus.Rejected;
        Title = title;
        Body = body;
        Tags = tags;
        CuratorNote = note;
        CuratedBy = by;
        CuratedAt = at;
    }
}

/// <summary>
/// 剖析原因: a criticised unit's analysis of causes and its commitments (表态发言). Each commitment opens
/// a rectification item (source kind "criticism", source ref <see cref="SourceRef"/>). One per unit and period.
/// </summary>
public sealed class CauseAnalysis
{
    private CauseAnalysis() { }

    public CauseAnalysis(string periodId, string unitId, string category, string causes, string commitments, string submittedBy, DateTimeOffset submittedAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(periodId);
        ArgumentException.ThrowIfNullOrWhiteSpace(unitId);
        ArgumentException.ThrowIfNullOrWhiteSpace(causes);
        PeriodId = periodId;
        UnitId = unitId;
        Category = category;
        Causes = causes;
        Commitments = commitments;
        SubmittedBy = submittedBy;
        SubmittedAt = submittedAt;
    }

    public long Id { get; private set; }
    public string PeriodId { get; private set; } = "";
    public string UnitId { get; private set; } = "";
    public string Category { get; private set; } = "";
    public string Causes { get; private set; } = "";

    /// <summary>The commitments as JSON: [{ problem, responsiblePerson, deadline, indicatorId }].</summary>
    public string Commitments { get; private set; } = "[]";

    public string SubmittedBy { get; private set; } = "";
    public DateTimeOffset SubmittedAt { get; private set; }

    /// <summary>What the rectification items opened by this analysis carry as their source reference.</summary>
    public string SourceRef => RefOf(PeriodId, UnitId);

    public static string RefOf(string periodId, string unitId) => $"cause-analysis:{periodId}:{unitId}";
}

/// <summary>点评: a leader's comment on a unit's result; the unit sees it.</summary>
public sealed class LeaderComment
{
    private LeaderComment() { }

    public LeaderComment(string periodId, string unitId, string author, string authorName, string rater, string text, DateTimeOffset createdAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(periodId);
        ArgumentException.ThrowIfNullOrWhiteSpace(unitId);
        ArgumentException.ThrowIfNullOrWhiteSpace(rater);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        PeriodId = periodId;
        UnitId = unitId;
        Author = author;
        AuthorName = authorName;
        Rater = rater;
        Text = text;
        CreatedAt = createdAt;
    }

    public long Id { get; private set; }
    public string PeriodId { get; private set; } = "";
    public string UnitId { get; private set; } = "";
    public string Author { get; private set; } = "";
    public string AuthorName { get; private set; } = "";

    /// <summary>principal (厅主要领导) or in-charge (分管领导).</summary>
    public string Rater { get; private set; } = "";
    public string Text { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
}

internal sealed class RobustnessSettingConfiguration : IEntityTypeConfiguration<RobustnessSetting>
{
    public void Configure(EntityTypeBuilder<RobustnessSetting> b)
    {
        b.ToTable("InsightRobustnessSettings");
        b.HasKey(x => x.PeriodId);
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.UpdatedBy).HasMaxLength(100);
        b.HasOne<Period>().WithMany().HasForeignKey(x => x.PeriodId);
    }
}

internal sealed class WhatIfSandboxConfiguration : IEntityTypeConfiguration<WhatIfSandbox>
{
    public void Configure(EntityTypeBuilder<WhatIfSandbox> b)
    {
        b.ToTable("InsightWhatIfSandboxes");
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.Category).HasMaxLength(32);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.CreatedBy).HasMaxLength(100);
        b.HasOne<Period>().WithMany().HasForeignKey(x => x.PeriodId);
        b.HasOne<Scheme>().WithMany().HasForeignKey(x => x.BaseSchemeId);
        b.HasIndex(x => new { x.PeriodId, x.Category });
    }
}

internal sealed class PracticeConfiguration : IEntityTypeConfiguration<Practice>
{
    public void Configure(EntityTypeBuilder<Practice> b)
    {
        b.ToTable("InsightPractices");
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.UnitId).HasMaxLength(64);
        b.Property(x => x.Title).HasMaxLength(200);
        b.Property(x => x.Body).HasMaxLength(8000);
        b.Property(x => x.Tags).HasMaxLength(200);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.SubmittedBy).HasMaxLength(100);
        b.Property(x => x.CuratedBy).HasMaxLength(100);
        b.Property(x => x.CuratorNote).HasMaxLength(1000);
        b.HasOne<OrgUnit>().WithMany().HasForeignKey(x => x.UnitId);
        b.HasOne<Period>().WithMany().HasForeignKey(x => x.PeriodId);
        b.HasIndex(x => new { x.Status, x.PeriodId });
    }
}

internal sealed class CauseAnalysisConfiguration : IEntityTypeConfiguration<CauseAnalysis>
{
    public void Configure(EntityTypeBuilder<CauseAnalysis> b)
    {
        b.ToTable("InsightCauseAnalyses");
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.UnitId).HasMaxLength(64);
        b.Property(x => x.Category).HasMaxLength(32);
        b.Property(x => x.Causes).HasMaxLength(8000);
        b.Property(x => x.Commitments).HasMaxLength(16000);
        b.Property(x => x.SubmittedBy).HasMaxLength(100);
        b.HasOne<OrgUnit>().WithMany().HasForeignKey(x => x.UnitId);
        b.HasOne<Period>().WithMany().HasForeignKey(x => x.PeriodId);
        b.HasIndex(x => new { x.PeriodId, x.UnitId }).IsUnique();
        b.Ignore(x => x.SourceRef);
    }
}

internal sealed class LeaderCommentConfiguration : IEntityTypeConfiguration<LeaderComment>
{
    public void Configure(EntityTypeBuilder<LeaderComment> b)
    {
        b.ToTable("InsightLeaderComments");
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.UnitId).HasMaxLength(64);
        b.Property(x => x.Author).HasMaxLength(100);
        b.Property(x => x.AuthorName).HasMaxLength(100);
        b.Property(x => x.Rater).HasMaxLength(32);
        b.Property(x => x.Text).HasMaxLength(4000);
        b.HasOne<OrgUnit>().WithMany().HasForeignKey(x => x.UnitId);
        b.HasOne<Period>().WithMany().HasForeignKey(x => x.PeriodId);
        b.HasIndex(x => new { x.PeriodId, x.UnitId });
    }
}
