using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kaohe.Data;

public enum QuestionnaireStatus { Draft, Active, Archived }

/// <summary>
/// 群众满意度调查表 of one period, versioned: <see cref="Document"/> is the questionnaire (texts per
/// language, options and their points) as JSON. A change makes a new version; responses keep the
/// version they answered, so a tally always reads each response with its own questions.
/// </summary>
public sealed class SurveyQuestionnaire
{
    private SurveyQuestionnaire() { }

    public SurveyQuestionnaire(string periodId, string category, string indicatorId, int version, string title, string languagesJson, string document,
        string protectedClientKey, string createdBy, DateTimeOffset createdAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(periodId);
        ArgumentException.ThrowIfNullOrWhiteSpace(category);
        ArgumentException.ThrowIfNullOrWhiteSpace(indicatorId);
        ArgumentException.ThrowIfNullOrWhiteSpace(document);
        if (version < 1) throw new ArgumentOutOfRangeException(nameof(version));
        PeriodId = periodId;
        Category = category;
        IndicatorId = indicatorId;
        Version = version;
        Title = title;
        LanguagesJson = languagesJson;
        Document = document;
        ProtectedClientKey = protectedClientKey;
        CreatedBy = createdBy;
        CreatedAt = createdAt;
        Status = QuestionnaireStatus.Draft;
    }

    public int Id { get; private set; }
    public string PeriodId { get; private set; } = "";

    /// <summary>The subject category whose scheme has the survey leaf (e.g. urban).</summary>
    public string Category { get; private set; } = "";

    /// <summary>The scheme's <c>survey</c> leaf the tallies feed (e.g. U2.5 群众满意度).</summary>
    public string IndicatorId { get; private set; } = "";
    public int Version { get; private set; }
    public string Title { get; private set; } = "";

    /// <summary>JSON array of language codes, Chinese first (["zh","bo","en"]).</summary>
    public string LanguagesJson { get; private set; } = "[\"zh\"]";
    public string Document { get; private set; } = "";
    public QuestionnaireStatus Status { get; private set; }

    /// <summary>
    /// The key of the keyed hash of client addresses, encrypted by the data-protection key ring. Each
    /// questionnaire (so at least each period) has its own: hashes cannot be linked across periods.
    /// </summary>
    public string ProtectedClientKey { get; private set; } = "";
    public string CreatedBy { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }

    public void Activate() => Status = QuestionnaireStatus.Active;

    public void Archive() => Status = QuestionnaireStatus.Archived;
}

/// <summary>
/// 调查点: a place where questionnaires are handed out in a period (a prefecture seat or a sampled
/// county), the unit whose satisfaction it measures, and its quota of questionnaires.
/// </summary>
public sealed class SurveySite
{
    private SurveySite() { }

    public SurveySite(string periodId, string unitId, string place, string code, int quota, int order)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(periodId);
        ArgumentException.ThrowIfNullOrWhiteSpace(unitId);
        ArgumentException.ThrowIfNullOrWhiteSpace(place);
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        PeriodId = periodId;
        UnitId = unitId;
        Place = place;
        Code = code;
        SetQuota(quota);
        Order = order;
    }

    public int Id { get; private set; }
    public string PeriodId { get; private set; } = "";
    public string UnitId { get; private set; } = "";

    /// <summary>Place name as printed on the sheets (e.g. 拉萨市城关区, 当雄县).</summary>
    public string Place { get; private set; } = "";

    /// <summary>Short code printed beside each serial number (e.g. LS1).</summary>
    public string Code { get; private set; } = "";
    public int Quota { get; private set; }
    public int Order { get; private set; }

    /// <summary>Serial numbers of issued QR codes are consecutive per site; the next batch starts here.</summary>
    public int NextSerial { get; private set; } = 1;

    public void SetQuota(int quota)
    {
        if (quota is < 0 or > 100_000) throw new ArgumentOutOfRangeException(nameof(quota));
        Quota = quota;
    }

    public void Edit(string unitId, string place, int quota)
    {
        UnitId = unitId;
        Place = place;
        SetQuota(quota);
    }

    public int TakeSerials(int count)
    {
        var first = NextSerial;
        NextSerial += count;
        return first;
    }
}

/// <summary>
/// A batch of QR codes issued for one site. The codes are derived from the batch secret by HMAC,
/// so the office can reprint the sheets; the secret is kept encrypted with the application's
/// data-protection keys, and only hashes of the codes are stored.
/// </summary>
public sealed class SurveyBatch
{
    private SurveyBatch() { }

    public SurveyBatch(int siteId, int firstSerial, int count, int perSheet, string protectedSecret, string createdBy, DateTimeOffset createdAt)
    {
        if (count is < 1 or > 5000) throw new ArgumentOutOfRangeException(nameof(count));
        if (perSheet is < 1 or > 40) throw new ArgumentOutOfRangeException(nameof(perSheet));
        SiteId = siteId;
        FirstSerial = firstSerial;
        Count = count;
        PerSheet = perSheet;
        ProtectedSecret = protectedSecret;
        CreatedBy = createdBy;
        CreatedAt = createdAt;
    }

    public int Id { get; private set; }
    public int SiteId { get; private set; }
    public int FirstSerial { get; private set; }
    public int Count { get; private set; }
    public int PerSheet { get; private set; }
    public string ProtectedSecret { get; private set; } = "";
    public string CreatedBy { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
}

/// <summary>A single-use survey code: only its SHA-256 is kept.</summary>
public sealed class SurveyToken
{
    private SurveyToken() { }

    public SurveyToken(string tokenHash, int siteId, int batchId, int serial)
    {
        TokenHash = tokenHash;
        SiteId = siteId;
        BatchId = batchId;
        Serial = serial;
    }

    public long Id { get; private set; }
    public string TokenHash { get; private set; } = "";
    public int SiteId { get; private set; }
    public int BatchId { get; private set; }

    /// <summary>Serial number of the code within its site, printed under the code.</summary>
    public int Serial { get; private set; }

    /// <summary>Set once, by a conditional update (… WHERE UsedAt IS NULL): the claim of the token.</summary>
    public DateTimeOffset? UsedAt { get; private set; }

    public void MarkUsed(DateTimeOffset at)
    {
        if (UsedAt is not null) throw new InvalidOperationException("the code has already been used");
        UsedAt = at;
    }
}

public static class SurveyChannels
{
    public const string Web = "web";      // 扫码填写
    public const string Paper = "paper";  // 纸质问卷录入
}

/// <summary>
/// One answered questionnaire. Anonymous: no account, no address; at most a keyed hash of the client
/// address (HMAC with a secret of the period). One per token (unique index) and one per paper sheet
/// number of a site (unique index).
/// </summary>
public sealed class SurveyResponse
{
    private SurveyResponse() { }

    public SurveyResponse(int siteId, int questionnaireId, string answersJson, string channel, long? tokenId, string? paperSheet, string language,
        DateTimeOffset receivedAt, string? clientHash, string? enteredBy)
    {
        if (channel is not (SurveyChannels.Web or SurveyChannels.Paper)) throw new ArgumentOutOfRangeException(nameof(channel));
        if (channel == SurveyChannels.Web && tokenId is null) throw new ArgumentException("a web response needs its token", nameof(tokenId));
        if (channel == SurveyChannels.Paper && string.IsNullOrWhiteSpace(paperSheet)) throw new ArgumentException("a paper response needs its sheet number", nameof(paperSheet));
        SiteId = siteId;
        QuestionnaireId = questionnaireId;
        AnswersJson = answersJson;
        Channel = channel;
        TokenId = tokenId;
        PaperSheet = paperSheet?.Trim();
        Language = language;
        ReceivedAt = receivedAt;
        ClientHash = clientHash;
        EnteredBy = enteredBy;
    }

    public long Id { get; private set; }
    public int SiteId { get; private set; }
    public int QuestionnaireId { get; private set; }
    public string AnswersJson { get; private set; } = "{}";
    public string Channel { get; private set; } = SurveyChannels.Web;
    public long? TokenId { get; private set; }
    public string? PaperSheet { get; private set; }
    public string Language { get; private set; } = "zh";
    public DateTimeOffset ReceivedAt { get; private set; }
    public string? ClientHash { get; private set; }

    /// <summary>Who keyed in a paper questionnaire (an official, not the respondent).</summary>
    public string? EnteredBy { get; private set; }
}

/// <summary>
/// What the last 更新统计 of a period counted, so that /Surveys starts from it instead of reading every response
/// again (a million at national scale): the number of responses counted, the highest response id among them, a hash of
/// the questionnaire versions they were read with, and the counts per site and questionnaire version
/// (<see cref="CountsJson"/>: [{"site":1,"version":2,"counts":{"满意":3}}]). Responses are only ever added, so the
/// counts now are these plus the responses with a higher id, as long as the responses up to that id are still exactly
/// <see cref="Responses"/> of them. One row per period, replaced by each tally in the tallies' transaction.
/// </summary>
public sealed class SurveyTallyMark
{
    private SurveyTallyMark() { }

    public SurveyTallyMark(string periodId, int responses, long maxResponseId, string versions, string countsJson, DateTimeOffset countedAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(periodId);
        PeriodId = periodId;
        Mark(responses, maxResponseId, versions, countsJson, countedAt);
    }

    public string PeriodId { get; private set; } = "";
    public int Responses { get; private set; }
    public long MaxResponseId { get; private set; }

    /// <summary>SHA-256 (hex) of every questionnaire version's id and document at the time of counting.</summary>
    public string Versions { get; private set; } = "";
    public string CountsJson { get; private set; } = "[]";
    public DateTimeOffset CountedAt { get; private set; }

    public void Mark(int responses, long maxResponseId, string versions, string countsJson, DateTimeOffset countedAt)
    {
        if (responses < 0) throw new ArgumentOutOfRangeException(nameof(responses));
        ArgumentException.ThrowIfNullOrWhiteSpace(versions);
        ArgumentException.ThrowIfNullOrWhiteSpace(countsJson);
        Responses = responses;
        MaxResponseId = maxResponseId;
        Versions = versions;
        CountsJson = countsJson;
        CountedAt = countedAt;
    }
}

internal sealed class SurveyQuestionnaireConfiguration : IEntityTypeConfiguration<SurveyQuestionnaire>
{
    public void Configure(EntityTypeBuilder<SurveyQuestionnaire> b)
    {
        b.ToTable("SurveyQuestionnaires");
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.Category).HasMaxLength(32);
        b.Property(x => x.IndicatorId).HasMaxLength(64);
        b.Property(x => x.Title).HasMaxLength(200);
        b.Property(x => x.LanguagesJson).HasMaxLength(200);
        b.Property(x => x.ProtectedClientKey).HasMaxLength(1000);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.CreatedBy).HasMaxLength(100);
        b.HasIndex(x => new { x.PeriodId, x.Version }).IsUnique();
        b.HasOne<Period>().WithMany().HasForeignKey(x => x.PeriodId);
    }
}

internal sealed class SurveySiteConfiguration : IEntityTypeConfiguration<SurveySite>
{
    public void Configure(EntityTypeBuilder<SurveySite> b)
    {
        b.ToTable("SurveySites");
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.UnitId).HasMaxLength(64);
        b.Property(x => x.Place).HasMaxLength(100);
        b.Property(x => x.Code).HasMaxLength(16);
        b.HasIndex(x => new { x.PeriodId, x.Place }).IsUnique();
        b.HasIndex(x => new { x.PeriodId, x.Code }).IsUnique();
        b.HasOne<Period>().WithMany().HasForeignKey(x => x.PeriodId);
        b.HasOne<OrgUnit>().WithMany().HasForeignKey(x => x.UnitId);
    }
}

internal sealed class SurveyBatchConfiguration : IEntityTypeConfiguration<SurveyBatch>
{
    public void Configure(EntityTypeBuilder<SurveyBatch> b)
    {
        b.ToTable("SurveyBatches");
        b.Property(x => x.ProtectedSecret).HasMaxLength(1000);
        b.Property(x => x.CreatedBy).HasMaxLength(100);
        b.HasOne<SurveySite>().WithMany().HasForeignKey(x => x.SiteId);
    }
}

internal sealed class SurveyTokenConfiguration : IEntityTypeConfiguration<SurveyToken>
{
    public void Configure(EntityTypeBuilder<SurveyToken> b)
    {
        b.ToTable("SurveyTokens");
        b.Property(x => x.TokenHash).HasMaxLength(64);
        b.HasIndex(x => x.TokenHash).IsUnique();
        b.HasIndex(x => new { x.SiteId, x.Serial }).IsUnique();
        // The claim: EF writes UPDATE … WHERE Id = @id AND UsedAt IS NULL, so two submissions of one
        // code cannot both mark it used (the loser gets a concurrency failure, answered with 409).
        b.Property(x => x.UsedAt).IsConcurrencyToken();
        b.HasOne<SurveySite>().WithMany().HasForeignKey(x => x.SiteId);
        b.HasOne<SurveyBatch>().WithMany().HasForeignKey(x => x.BatchId);
    }
}

internal sealed class SurveyResponseConfiguration : IEntityTypeConfiguration<SurveyResponse>
{
    public void Configure(EntityTypeBuilder<SurveyResponse> b)
    {
        b.ToTable("SurveyResponses");
        b.Property(x => x.Channel).HasMaxLength(16);
        b.Property(x => x.PaperSheet).HasMaxLength(32);
        b.Property(x => x.Language).HasMaxLength(16);
        b.Property(x => x.ClientHash).HasMaxLength(64);
        b.Property(x => x.EnteredBy).HasMaxLength(100);
        // One response per code and one per paper sheet number of a site; NULLs (the other channel) never collide.
        b.HasIndex(x => x.TokenId).IsUnique();
        b.HasIndex(x => new { x.SiteId, x.PaperSheet }).IsUnique();
        // The progress of each site by channel (/Surveys) counts from this index alone: 0.1 s instead of
        // 3.7 s for a million responses on SQLite.
        b.HasIndex(x => new { x.SiteId, x.Channel });
        b.HasOne<SurveySite>().WithMany().HasForeignKey(x => x.SiteId);
        b.HasOne<SurveyQuestionnaire>().WithMany().HasForeignKey(x => x.QuestionnaireId);
        b.HasOne<SurveyToken>().WithMany().HasForeignKey(x => x.TokenId);
    }
}

internal sealed class SurveyTallyMarkConfiguration : IEntityTypeConfiguration<SurveyTallyMark>
{
    public void Configure(EntityTypeBuilder<SurveyTallyMark> b)
    {
        b.ToTable("SurveyTallyMarks");
        b.HasKey(x => x.PeriodId);
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.Versions).HasMaxLength(64);
        b.HasOne<Period>().WithMany().HasForeignKey(x => x.PeriodId);
    }
}
