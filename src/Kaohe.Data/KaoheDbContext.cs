using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Kaohe.Data;

/// <summary>
/// The application's database. Each provider has its own subclass and migrations set
/// (<c>SqliteKaoheDbContext</c> in Kaohe.Data.Sqlite, <c>PostgresKaoheDbContext</c> in Kaohe.Data.Postgres); handlers use this type.
/// </summary>
public abstract class KaoheDbContext(DbContextOptions options) : IdentityDbContext<AppUser>(options), IDataProtectionKeyContext
{
    public DbSet<OrgUnit> Units => Set<OrgUnit>();
    public DbSet<Prefecture> Prefectures => Set<Prefecture>();
    public DbSet<County> Counties => Set<County>();
    public DbSet<Period> Periods => Set<Period>();
    public DbSet<Scheme> Schemes => Set<Scheme>();
    public DbSet<Fact> Facts => Set<Fact>();
    public DbSet<Attachment> Attachments => Set<Attachment>();
    public DbSet<Assignment> Assignments => Set<Assignment>();
    public DbSet<PublishedSnapshot> Snapshots => Set<PublishedSnapshot>();
    public DbSet<RectificationItem> RectificationItems => Set<RectificationItem>();
    public DbSet<Milestone> Milestones => Set<Milestone>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<AccessToken> AccessTokens => Set<AccessToken>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<TargetLetter> TargetLetters => Set<TargetLetter>();
    public DbSet<TargetLetterVersion> TargetLetterVersions => Set<TargetLetterVersion>();
    public DbSet<TargetLetterChange> TargetLetterChanges => Set<TargetLetterChange>();
    public DbSet<MilestoneAssessment> MilestoneAssessments => Set<MilestoneAssessment>();
    public DbSet<DataProtectionKey> DataProtectionKeys { get; set; } = null!;

    public abstract bool IsPostgres { get; }

    /// <summary>
    /// Every context, however created, refuses what a database cannot store (issue 17) and writes its
    /// period's stage does not allow (issue 15), and bumps the results revision of what it changes (issue 9).
    /// </summary>
    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) =>
        optionsBuilder.AddInterceptors(StorableValuesGuard.Instance, StorableParametersGuard.Instance, PeriodStageGuard.Instance, ResultsRevisionInterceptor.Instance);

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(KaoheDbContext).Assembly);
    }
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<AppUser>
{
    public void Configure(EntityTypeBuilder<AppUser> b)
    {
        b.Property(x => x.DisplayName).HasMaxLength(100);
        b.Property(x => x.UnitId).HasMaxLength(64);
        b.Property(x => x.Role).HasMaxLength(32);
        b.Property(x => x.RaterId).HasMaxLength(64);
    }
}

internal sealed class UnitConfiguration : IEntityTypeConfiguration<OrgUnit>
{
    public void Configure(EntityTypeBuilder<OrgUnit> b)
    {
        b.ToTable("Units");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(64);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.NameEn).HasMaxLength(200);
        b.Property(x => x.Group).HasMaxLength(100);
        b.Property(x => x.Prefecture).HasMaxLength(64);
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(32);
        b.Property(x => x.Level).HasConversion<string>().HasMaxLength(32);
    }
}

internal sealed class PrefectureConfiguration : IEntityTypeConfiguration<Prefecture>
{
    public void Configure(EntityTypeBuilder<Prefecture> b)
    {
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(64);
        b.Property(x => x.Name).HasMaxLength(100);
    }
}

internal sealed class CountyConfiguration : IEntityTypeConfiguration<County>
{
    public void Configure(EntityTypeBuilder<County> b)
    {
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(100);
        b.Property(x => x.Name).HasMaxLength(100);
        b.HasOne<Prefecture>().WithMany().HasForeignKey(x => x.PrefectureId);
    }
}

internal sealed class PeriodConfiguration : IEntityTypeConfiguration<Period>
{
    public void Configure(EntityTypeBuilder<Period> b)
    {
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(16);
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Ignore(x => x.StartsOn);
        b.Ignore(x => x.EndsOn);
    }
}

internal sealed class SchemeConfiguration : IEntityTypeConfiguration<Scheme>
{
    public void Configure(EntityTypeBuilder<Scheme> b)
    {
        b.Property(x => x.Category).HasMaxLength(32);
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.CreatedBy).HasMaxLength(100);
        b.HasIndex(x => new { x.Category, x.PeriodId, x.Version }).IsUnique();
        b.HasOne<Period>().WithMany().HasForeignKey(x => x.PeriodId);
    }
}

internal sealed class FactConfiguration : IEntityTypeConfiguration<Fact>
{
    public void Configure(EntityTypeBuilder<Fact> b)
    {
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.UnitId).HasMaxLength(64);
        b.Property(x => x.IndicatorId).HasMaxLength(64);
        b.Property(x => x.Rater).HasMaxLength(64);
        b.Property(x => x.Source).HasMaxLength(32);
        b.Property(x => x.Author).HasMaxLength(100);
        b.Property(x => x.IdempotencyKey).HasMaxLength(200);
        b.Property(x => x.ReviewedBy).HasMaxLength(100);
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.HasIndex(x => new { x.PeriodId, x.UnitId, x.IndicatorId });
        b.HasIndex(x => new { x.PeriodId, x.ChangeNo });
        b.HasIndex(x => x.IdempotencyKey).IsUnique();
        b.HasOne<OrgUnit>().WithMany().HasForeignKey(x => x.UnitId);
        b.HasOne<Period>().WithMany().HasForeignKey(x => x.PeriodId);
        b.HasMany(x => x.Evidence).WithOne().HasForeignKey(x => x.FactId);
    }
}

internal sealed class AttachmentConfiguration : IEntityTypeConfiguration<Attachment>
{
    public void Configure(EntityTypeBuilder<Attachment> b)
    {
        b.Property(x => x.FileName).HasMaxLength(255);
        b.Property(x => x.ContentType).HasMaxLength(100);
        b.Property(x => x.Sha256).HasMaxLength(64);
        b.Property(x => x.StoredName).HasMaxLength(100);
        b.Property(x => x.UploadedBy).HasMaxLength(100);
        b.Property(x => x.OwnerKind).HasMaxLength(32);
        b.Property(x => x.OwnerId).HasMaxLength(64);
        b.HasIndex(x => new { x.OwnerKind, x.OwnerId });
        b.HasIndex(x => x.Sha256);   // the orphan sweep asks which files rows name
    }
}

internal sealed class AssignmentConfiguration : IEntityTypeConfiguration<Assignment>
{
    public void Configure(EntityTypeBuilder<Assignment> b)
    {
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Assignee).HasMaxLength(100);
        b.Property(x => x.UnitId).HasMaxLength(64);
        b.Property(x => x.IndicatorId).HasMaxLength(64);
        b.Property(x => x.Rater).HasMaxLength(64);
        b.HasIndex(x => new { x.PeriodId, x.Kind, x.Assignee, x.UnitId, x.IndicatorId }).IsUnique();
    }
}

internal sealed class SnapshotConfiguration : IEntityTypeConfiguration<PublishedSnapshot>
{
    public void Configure(EntityTypeBuilder<PublishedSnapshot> b)
    {
        b.ToTable("Snapshots");
        b.Property(x => x.Key).HasMaxLength(100);
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.Category).HasMaxLength(32);
        b.Property(x => x.InputSha256).HasMaxLength(64);
        b.Property(x => x.ResultSha256).HasMaxLength(64);
        b.Property(x => x.PublishedBy).HasMaxLength(100);
        b.HasIndex(x => new { x.PeriodId, x.Category, x.Version }).IsUnique();
    }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b)
    {
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Prefix).HasMaxLength(16);
        b.Property(x => x.KeyHash).HasMaxLength(64);
        b.Property(x => x.CreatedBy).HasMaxLength(100);
        b.HasIndex(x => x.KeyHash).IsUnique();
    }
}

internal sealed class AccessTokenConfiguration : IEntityTypeConfiguration<AccessToken>
{
    public void Configure(EntityTypeBuilder<AccessToken> b)
    {
        b.Property(x => x.TokenHash).HasMaxLength(64);
        b.Property(x => x.UserId).HasMaxLength(450);
        b.Property(x => x.Kind).HasMaxLength(16).HasDefaultValue(AccessToken.Bearer);
        b.HasIndex(x => x.TokenHash).IsUnique();
        b.HasIndex(x => x.UserId);
    }
}

internal sealed class SignInFailureConfiguration : IEntityTypeConfiguration<SignInFailure>
{
    public void Configure(EntityTypeBuilder<SignInFailure> b)
    {
        b.ToTable("SignInFailures");
        b.Property(x => x.UserName).HasMaxLength(256);
        b.Property(x => x.Address).HasMaxLength(64);
        b.HasIndex(x => new { x.UserName, x.Address }).IsUnique();
    }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("AuditLog");
        b.HasIndex(x => x.Sequence).IsUnique();
        b.Property(x => x.Actor).HasMaxLength(100);
        b.Property(x => x.Action).HasMaxLength(64);
        b.Property(x => x.EntityType).HasMaxLength(64);
        b.Property(x => x.EntityId).HasMaxLength(100);
        b.Property(x => x.PreviousHash).HasMaxLength(64);
        b.Property(x => x.Hash).HasMaxLength(64);
    }
}
