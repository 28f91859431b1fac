using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kaohe.Data;

/// <summary>What a rule of the 加扣分 table does.</summary>
public enum AdjustmentRuleKind { Bonus, Deduction, Veto, FundUse }

/// <summary>
/// One row of a scheme's 加扣分 rule table (docs/adjustments.md): e.g. 受国家部委通报表扬 +2. It lives
/// beside the v1 scheme document of a category and period, because the v1 <c>rules</c> have no place
/// for it (the engine only sees the resulting adjustments and the caps). A bonus or deduction has
/// fixed <see cref="Points"/>, or a range <see cref="MinPoints"/>..<see cref="MaxPoints"/> the
/// office chooses within; a fund-use rule maps spending progress to points through <see cref="Bands"/>.
/// </summary>
public sealed class AdjustmentRule
{
    private AdjustmentRule() { }

    public AdjustmentRule(string category, string periodId, string code, AdjustmentRuleKind kind, string source, string nameZh, string nameEn,
        double points, double? minPoints = null, double? maxPoints = null, string? bands = null, int order = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(category);
        ArgumentException.ThrowIfNullOrWhiteSpace(periodId);
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        ArgumentException.ThrowIfNullOrWhiteSpace(nameZh);
        if (kind == AdjustmentRuleKind.Bonus && (points < 0 || minPoints < 0)) throw new ArgumentException("a bonus adds points", nameof(points));
        if (kind == AdjustmentRuleKind.Deduction && (points > 0 || maxPoints > 0)) throw new ArgumentException("a deduction takes points", nameof(points));
        if ((minPoints is null) != (maxPoints is null) || minPoints > maxPoints) throw new ArgumentException("a range needs min ≤ max", nameof(minPoints));
        if (kind == AdjustmentRuleKind.FundUse && string.IsNullOrWhiteSpace(bands)) throw new ArgumentException("a fund-use rule needs bands", nameof(bands));
        Category = category;
        PeriodId = periodId;
        Code = code;
        Kind = kind;
        Source = source;
        NameZh = nameZh;
        NameEn = nameEn;
        Points = points;
        MinPoints = minPoints;
        MaxPoints = maxPoints;
        Bands = bands;
        Order = order;
    }

    public int Id { get; private set; }
    public string Category { get; private set; } = "";
    public string PeriodId { get; private set; } = "";
    public string Code { get; private set; } = "";
    public AdjustmentRuleKind Kind { get; private set; }

    /// <summary>Who praised or criticised (国家部委, 自治区党委政府, ...), or who decides (考核办).</summary>
    public string Source { get; private set; } = "";
    public string NameZh { get; private set; } = "";
    public string NameEn { get; private set; } = "";
    public double Points { get; private set; }
    public double? MinPoints { get; private set; }
    public double? MaxPoints { get; private set; }

    /// <summary>Fund-use bands as JSON: <c>[{"min":35,"points":1}, ...]</c>, best first; the first band whose min the progress reaches applies.</summary>
    public string? Bands { get; private set; }
    public int Order { get; private set; }

    public bool HasRange => MinPoints is not null;
}

public enum AdjustmentEventStatus { Pending, Approved, Rejected }

/// <summary>
/// 加扣分 / 一票否决 / 资金使用绩效 event as the office records it, with its evidence (attachments
/// owned by <see cref="Key"/>). Bonuses, deductions and fund-use results are approved when recorded;
/// a veto waits for a second office account. An approved event becomes a <see cref="Fact"/>.
/// </summary>
public sealed class AdjustmentEvent
{
    private AdjustmentEvent() { }

    public AdjustmentEvent(string key, string periodId, string unitId, AdjustmentRule rule, double? points, double? spendingPercent, string reason,
        string? documentRef, string requestedBy, DateTimeOffset requestedAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestedBy);
        if (rule.Kind != AdjustmentRuleKind.Veto && points is null) throw new ArgumentException("an adjustment has points", nameof(points));
        Key = key;
        PeriodId = periodId;
        UnitId = unitId;
        RuleId = rule.Id;
        RuleCode = rule.Code;
        Kind = rule.Kind;
        Points = points;
        SpendingPercent = spendingPercent;
        Reason = reason;
        DocumentRef = documentRef;
        RequestedBy = requestedBy;
        RequestedAt = requestedAt;
        Status = AdjustmentEventStatus.Pending;
    }

    public long Id { get; private set; }

    /// <summary>Public id, known before the row is saved, so that evidence can point at the event in the same save.</summary>
    public string Key { get; private set; } = "";
    public string PeriodId { get; private set; } = "";
    public string UnitId { get; private set; } = "";
    public int RuleId { get; private set; }
    public string RuleCode { get; private set; } = "";
    public AdjustmentRuleKind Kind { get; private set; }
    public double? Points { get; private set; }
    public double? SpendingPercent { get; private set; }
    public string Reason { get; private set; } = "";

    /// <summary>文号 of the praise or criticism, or of the accident report.</summary>
    public string? DocumentRef { get; private set; }
    public AdjustmentEventStatus Status { get; private set; }
    public string RequestedBy { get; private set; } = "";
    public DateTimeOffset RequestedAt { get; private set; }
    public string? DecidedBy { get; private set; }
    public DateTimeOffset? DecidedAt { get; private set; }
    public string? DecisionNote { get; private set; }
    public long? FactId { get; private set; }

    /// <summary>Approves (the caller has checked who may) and links the fact the event became.</summary>
    public void Approve(string by, DateTimeOffset at, string? note, Fact fact)
    {
        if (Status != AdjustmentEventStatus.Pending) throw new InvalidOperationException("only a pending event can be decided");
        Status = AdjustmentEventStatus.Approved;
        DecidedBy = by;
        DecidedAt = at;
        DecisionNote = note;
        Fact = fact;
    }

    public void Reject(string by, DateTimeOffset at, string note)
    {
        if (Status != AdjustmentEventStatus.Pending) throw new InvalidOperationException("only a pending event can be decided");
        ArgumentException.ThrowIfNullOrWhiteSpace(note);
        Status = AdjustmentEventStatus.Rejected;
        DecidedBy = by;
        DecidedAt = at;
        DecisionNote = note;
    }

    public Fact? Fact { get; private set; }
}

internal sealed class AdjustmentRuleConfiguration : IEntityTypeConfiguration<AdjustmentRule>
{
    public void Configure(EntityTypeBuilder<AdjustmentRule> b)
    {
        b.ToTable("AdjustmentRules");
        b.Property(x => x.Category).HasMaxLength(32);
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.Code).HasMaxLength(64);
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Source).HasMaxLength(100);
        b.Property(x => x.NameZh).HasMaxLength(200);
        b.Property(x => x.NameEn).HasMaxLength(200);
        b.Property(x => x.Bands).HasMaxLength(2000);
        b.HasIndex(x => new { x.Category, x.PeriodId, x.Code }).IsUnique();
        b.HasOne<Period>().WithMany().HasForeignKey(x => x.PeriodId);
    }
}

internal sealed class AdjustmentEventConfiguration : IEntityTypeConfiguration<AdjustmentEvent>
{
    public void Configure(EntityTypeBuilder<AdjustmentEvent> b)
    {
        b.ToTable("AdjustmentEvents");
        b.Property(x => x.Key).HasMaxLength(40);
        b.HasIndex(x => x.Key).IsUnique();
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.UnitId).HasMaxLength(64);
        b.Property(x => x.RuleCode).HasMaxLength(64);
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Reason).HasMaxLength(1000);
        b.Property(x => x.DocumentRef).HasMaxLength(200);
        b.Property(x => x.RequestedBy).HasMaxLength(100);
        b.Property(x => x.DecidedBy).HasMaxLength(100);
        b.Property(x => x.DecisionNote).HasMaxLength(1000);
        b.HasIndex(x => new { x.PeriodId, x.UnitId });
        b.HasOne<Period>().WithMany().HasForeignKey(x => x.PeriodId);
        b.HasOne<OrgUnit>().WithMany().HasForeignKey(x => x.UnitId);
        b.HasOne<AdjustmentRule>().WithMany().HasForeignKey(x => x.RuleId);
        b.HasOne(x => x.Fact).WithMany().HasForeignKey(x => x.FactId);
    }
}
