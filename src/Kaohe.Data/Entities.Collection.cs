using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kaohe.Data;

/// <summary>
/// The office's closing of scoring (评分结束) for a period: from then on divisions and leaders can no
/// longer change their scores, and leaders may see each other's sheets. At most one per period.
/// </summary>
public sealed class ScoringClosure
{
    private ScoringClosure() { }

    public ScoringClosure(string periodId, string closedBy, DateTimeOffset closedAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(periodId);
        ArgumentException.ThrowIfNullOrWhiteSpace(closedBy);
        PeriodId = periodId;
        ClosedBy = closedBy;
        ClosedAt = closedAt;
    }

    public long Id { get; private set; }
    public string PeriodId { get; private set; } = "";
    public string ClosedBy { get; private set; } = "";
    public DateTimeOffset ClosedAt { get; private set; }
}

internal sealed class ScoringClosureConfiguration : IEntityTypeConfiguration<ScoringClosure>
{
    public void Configure(EntityTypeBuilder<ScoringClosure> b)
    {
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.ClosedBy).HasMaxLength(100);
        b.HasIndex(x => x.PeriodId).IsUnique();
        b.HasOne<Period>().WithMany().HasForeignKey(x => x.PeriodId);
    }
}
