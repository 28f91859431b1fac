using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kaohe.Data;

/// <summary>An official of a prefecture's bureau on the roster for assessment groups (考核人员), optionally linked to an assessor account.</summary>
public sealed class Inspector
{
    private Inspector() { }

    public Inspector(string id, string name, string prefectureId, string bureau, string? userName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefectureId);
        Id = id;
        Name = name;
        PrefectureId = prefectureId;
        Bureau = bureau;
        UserName = userName;
    }

    public string Id { get; private set; } = "";
    public string Name { get; private set; } = "";
    public string PrefectureId { get; private set; } = "";
    public string Bureau { get; private set; } = "";

    /// <summary>The assessor account that acts for this official on the phone, if any.</summary>
    public string? UserName { get; private set; }

    public void LinkAccount(string? userName) => UserName = string.IsNullOrWhiteSpace(userName) ? null : userName;
}

/// <summary>
/// 抽样: one recorded draw of sampled counties, with everything needed to draw it again (seed,
/// algorithm, eligible list, counts per prefecture). "Draw again" supersedes a draw, never deletes it.
/// </summary>
public sealed class SamplingDraw
{
    private SamplingDraw() { }

    public SamplingDraw(string periodId, string algorithm, string seed, string perStratumJson, string eligibleJson, string resultJson,
        string drawnBy, DateTimeOffset drawnAt, string? reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(periodId);
        ArgumentException.ThrowIfNullOrWhiteSpace(seed);
        PeriodId = periodId;
        Algorithm = algorithm;
        Seed = seed;
        PerStratumJson = perStratumJson;
        EligibleJson = eligibleJson;
        ResultJson = resultJson;
        DrawnBy = drawnBy;
        DrawnAt = drawnAt;
        Reason = reason;
    }

    public long Id { get; private set; }
    public string PeriodId { get; private set; } = "";
    public string Algorithm { get; private set; } = "";
    public string Seed { get; private set; } = "";

    /// <summary>JSON object: prefecture id → how many counties were drawn from it.</summary>
    public string PerStratumJson { get; private set; } = "{}";

    /// <summary>JSON array of the candidates [{id,name,stratum}] the draw chose from.</summary>
    public string EligibleJson { get; private set; } = "[]";

    /// <summary>JSON array of the drawn candidates, in drawing order.</summary>
    public string ResultJson { get; private set; } = "[]";
    public string DrawnBy { get; private set; } = "";
    public DateTimeOffset DrawnAt { get; private set; }
    public string? Reason { get; private set; }
    public long? SupersededById { get; private set; }
    public SamplingDraw? SupersededBy { get; private set; }

    public void SupersedeWith(SamplingDraw next)
    {
        if (SupersededById is not null || SupersededBy is not null) throw new InvalidOperationException("a draw is superseded once");
        SupersededBy = next;
    }
}

public enum SiteKind { SeatCity, County }

/// <summary>考核组: a numbered group of a period, its members and the sites it inspects.</summary>
public sealed class InspectionGroup
{
    private InspectionGroup() { }

    public InspectionGroup(string periodId, int number, string name, long? sampleDrawId, string formedBy, DateTimeOffset formedAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(periodId);
        PeriodId = periodId;
        Number = number;
        Name = name;
        SampleDrawId = sampleDrawId;
        FormedBy = formedBy;
        FormedAt = formedAt;
    }

    public int Id { get; private set; }
    public string PeriodId { get; private set; } = "";
    public int Number { get; private set; }
    public string Name { get; private set; } = "";
    public long? SampleDrawId { get; private set; }
    public string FormedBy { get; private set; } = "";
    public DateTimeOffset FormedAt { get; private set; }
    public List<InspectionGroupMember> Members { get; private set; } = [];
    public List<InspectionSite> Sites { get; private set; } = [];
}

public sealed class InspectionGroupMember
{
    private InspectionGroupMember() { }

    public InspectionGroupMember(string periodId, string inspectorId)
    {
        PeriodId = periodId;
        InspectorId = inspectorId;
    }

    public long Id { get; private set; }
    public int GroupId { get; private set; }

    /// <summary>Repeated from the group so that an official serves in one group per period (unique index).</summary>
    public string PeriodId { get; private set; } = "";
    public string InspectorId { get; private set; } = "";
    public Inspector? Inspector { get; private set; }

    public void MoveTo(InspectionGroup group) => GroupId = group.Id;
}

/// <summary>A site a group inspects: a prefecture seat city or a sampled county, scored for the urban-management subject it belongs to.</summary>
public sealed class InspectionSite
{
    private InspectionSite() { }

    public InspectionSite(string periodId, string siteId, string name, string prefectureId, SiteKind kind, string unitId)
    {
        PeriodId = periodId;
        SiteId = siteId;
        Name = name;
        PrefectureId = prefectureId;
        Kind = kind;
        UnitId = unitId;
    }

    public long Id { get; private set; }
    public int GroupId { get; private set; }
    public string PeriodId { get; private set; } = "";

    /// <summary>"lasa:seat" for a seat city, "lasa:林周县" (the county's id) for a county.</summary>
    public string SiteId { get; private set; } = "";
    public string Name { get; private set; } = "";
    public string PrefectureId { get; private set; } = "";
    public SiteKind Kind { get; private set; }

    /// <summary>The assessed unit whose score the site's findings deduct from (cg-lasa-seat, cg-lasa-county).</summary>
    public string UnitId { get; private set; } = "";

    public void MoveTo(InspectionGroup group) => GroupId = group.Id;
}

/// <summary>
/// 实地考核发现: one deduction found on site by an assessor, received from the phone with the
/// client's id (so a resend stores nothing new), and the <see cref="Fact"/> it became for the engine.
/// </summary>
public sealed class InspectionFinding
{
    private InspectionFinding() { }

    public InspectionFinding(string clientId, string author, int groupId, InspectionSite site, string indicatorId, double points, string? note,
        double? latitude, double? longitude, double? accuracy, DateTimeOffset observedAt, DateTimeOffset receivedAt, Fact fact)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        ArgumentException.ThrowIfNullOrWhiteSpace(author);
        if (!(points > 0)) throw new ArgumentOutOfRangeException(nameof(points));
        ClientId = clientId;
        Author = author;
        GroupId = groupId;
        PeriodId = site.PeriodId;
        SiteId = site.SiteId;
        UnitId = site.UnitId;
        IndicatorId = indicatorId;
        Points = points;
        Note = note;
        Latitude = latitude;
        Longitude = longitude;
        Accuracy = accuracy;
        ObservedAt = observedAt;
        ReceivedAt = receivedAt;
        Fact = fact;
    }

    public long Id { get; private set; }
    public string ClientId { get; private set; } = "";
    public string Author { get; private set; } = "";
    public int GroupId { get; private set; }
    public string PeriodId { get; private set; } = "";
    public string SiteId { get; private set; } = "";
    public string UnitId { get; private set; } = "";
    public string IndicatorId { get; private set; } = "";
    public double Points { get; private set; }
    public string? Note { get; private set; }
    public double? Latitude { get; private set; }
    public double? Longitude { get; private set; }
    public double? Accuracy { get; private set; }
    public DateTimeOffset ObservedAt { get; private set; }
    public DateTimeOffset ReceivedAt { get; private set; }
    public long FactId { get; private set; }
    public Fact? Fact { get; private set; }
    public List<InspectionPhoto> Photos { get; private set; } = [];
}

/// <summary>A photo of a finding, uploaded on its own with the client's id so that an interrupted upload resumes without duplicates.</summary>
public sealed class InspectionPhoto
{
    private InspectionPhoto() { }

    public InspectionPhoto(string clientId, Attachment attachment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        ClientId = clientId;
        Attachment = attachment;
    }

    public long Id { get; private set; }
    public long FindingId { get; private set; }
    public string ClientId { get; private set; } = "";
    public long AttachmentId { get; private set; }
    public Attachment? Attachment { get; private set; }
}

internal sealed class InspectorConfiguration : IEntityTypeConfiguration<Inspector>
{
    public void Configure(EntityTypeBuilder<Inspector> b)
    {
        b.ToTable("Inspectors");
        b.Property(x => x.Id).HasMaxLength(64);
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.PrefectureId).HasMaxLength(64);
        b.Property(x => x.Bureau).HasMaxLength(200);
        b.Property(x => x.UserName).HasMaxLength(256);
        b.HasIndex(x => x.UserName);
        b.HasOne<Prefecture>().WithMany().HasForeignKey(x => x.PrefectureId);
    }
}

internal sealed class SamplingDrawConfiguration : IEntityTypeConfiguration<SamplingDraw>
{
    public void Configure(EntityTypeBuilder<SamplingDraw> b)
    {
        b.ToTable("SamplingDraws");
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.Algorithm).HasMaxLength(100);
        b.Property(x => x.Seed).HasMaxLength(200);
        b.Property(x => x.DrawnBy).HasMaxLength(100);
        b.Property(x => x.Reason).HasMaxLength(500);
        b.HasIndex(x => x.PeriodId);
        b.HasOne(x => x.SupersededBy).WithMany().HasForeignKey(x => x.SupersededById);
        b.HasOne<Period>().WithMany().HasForeignKey(x => x.PeriodId);
    }
}

internal sealed class InspectionGroupConfiguration : IEntityTypeConfiguration<InspectionGroup>
{
    public void Configure(EntityTypeBuilder<InspectionGroup> b)
    {
        b.ToTable("InspectionGroups");
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.FormedBy).HasMaxLength(100);
        b.HasIndex(x => new { x.PeriodId, x.Number }).IsUnique();
        b.HasMany(x => x.Members).WithOne().HasForeignKey(x => x.GroupId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(x => x.Sites).WithOne().HasForeignKey(x => x.GroupId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Period>().WithMany().HasForeignKey(x => x.PeriodId);
        b.HasOne<SamplingDraw>().WithMany().HasForeignKey(x => x.SampleDrawId);
    }
}

internal sealed class InspectionGroupMemberConfiguration : IEntityTypeConfiguration<InspectionGroupMember>
{
    public void Configure(EntityTypeBuilder<InspectionGroupMember> b)
    {
        b.ToTable("InspectionGroupMembers");
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.InspectorId).HasMaxLength(64);
        b.HasIndex(x => new { x.PeriodId, x.InspectorId }).IsUnique();
        b.HasOne(x => x.Inspector).WithMany().HasForeignKey(x => x.InspectorId);
    }
}

internal sealed class InspectionSiteConfiguration : IEntityTypeConfiguration<InspectionSite>
{
    public void Configure(EntityTypeBuilder<InspectionSite> b)
    {
        b.ToTable("InspectionSites");
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.SiteId).HasMaxLength(100);
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.PrefectureId).HasMaxLength(64);
        b.Property(x => x.UnitId).HasMaxLength(64);
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        b.HasIndex(x => new { x.PeriodId, x.SiteId }).IsUnique();
    }
}

internal sealed class InspectionFindingConfiguration : IEntityTypeConfiguration<InspectionFinding>
{
    public void Configure(EntityTypeBuilder<InspectionFinding> b)
    {
        b.ToTable("InspectionFindings");
        b.Property(x => x.ClientId).HasMaxLength(64);
        b.Property(x => x.Author).HasMaxLength(100);
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.SiteId).HasMaxLength(100);
        b.Property(x => x.UnitId).HasMaxLength(64);
        b.Property(x => x.IndicatorId).HasMaxLength(64);
        b.Property(x => x.Note).HasMaxLength(2000);
        // A resend of the same finding by the same assessor is the same row, also under concurrency.
        b.HasIndex(x => new { x.Author, x.ClientId }).IsUnique();
        b.HasIndex(x => new { x.GroupId, x.SiteId });
        b.HasOne<InspectionGroup>().WithMany().HasForeignKey(x => x.GroupId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.Fact).WithMany().HasForeignKey(x => x.FactId);
        b.HasMany(x => x.Photos).WithOne().HasForeignKey(x => x.FindingId);
    }
}

internal sealed class InspectionPhotoConfiguration : IEntityTypeConfiguration<InspectionPhoto>
{
    public void Configure(EntityTypeBuilder<InspectionPhoto> b)
    {
        b.ToTable("InspectionPhotos");
        b.Property(x => x.ClientId).HasMaxLength(64);
        b.HasIndex(x => new { x.FindingId, x.ClientId }).IsUnique();
        b.HasOne(x => x.Attachment).WithMany().HasForeignKey(x => x.AttachmentId);
    }
}
