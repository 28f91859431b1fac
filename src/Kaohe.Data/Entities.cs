using Microsoft.AspNetCore.Identity;

namespace Kaohe.Data;

/// <summary>The roles of design.md. The UI shows their Chinese labels.</summary>
public static class Roles
{
    public const string Office = "office";          // 考核办
    public const string Division = "division";      // 评分处室
    public const string Leader = "leader";          // 厅领导
    public const string Assessor = "assessor";      // 考核组
    public const string Unit = "unit";              // 被考核单位
    public const string Viewer = "viewer";          // 查看
    public const string Platform = "platform";      // 外部平台 (API keys only)

    public static readonly string[] People = [Office, Division, Leader, Assessor, Unit, Viewer];
}

public sealed class AppUser : IdentityUser
{
    public string DisplayName { get; set; } = "";

    /// <summary>The unit the person belongs to (a division for division users, the unit for reporters).</summary>
    public string? UnitId { get; set; }

    public string Role { get; set; } = Roles.Viewer;

    /// <summary>For leaders: which rater of the leadership evaluation they are (principal / in-charge).</summary>
    public string? RaterId { get; set; }
}

public enum UnitKind { HousingBureau, UrbanManagementBureau, AffiliatedUnit, Division }

/// <summary>Whether a unit is a prefecture-level body, a seat district, the county towns of a prefecture, or a department body.</summary>
public enum UnitLevel { Prefecture, SeatDistrict, CountyTowns, Department }

/// <summary>被考核单位 (or a county/district of a prefecture when <see cref="IsCounty"/>).</summary>
public sealed class OrgUnit
{
    private OrgUnit() { }

    public OrgUnit(string id, string name, string nameEn, UnitKind kind, UnitLevel level, string? prefecture, string group)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Id = id;
        Name = name;
        NameEn = nameEn;
        Kind = kind;
        Level = level;
        Prefecture = prefecture;
        Group = group;
    }

    public string Id { get; private set; } = "";
    public string Name { get; private set; } = "";
    public string NameEn { get; private set; } = "";
    public UnitKind Kind { get; private set; }
    public UnitLevel Level { get; private set; }
    public string? Prefecture { get; private set; }

    /// <summary>Ranking group (分类考核排名).</summary>
    public string Group { get; private set; } = "";
}

/// <summary>A prefecture (地市) and its counties, for sampling and inspection.</summary>
public sealed class Prefecture
{
    private Prefecture() { }

    public Prefecture(string id, string name, string nameEn, string seat, int order)
    {
        Id = id;
        Name = name;
        NameEn = nameEn;
        Seat = seat;
        Order = order;
    }

    public string Id { get; private set; } = "";
    public string Name { get; private set; } = "";
    public string NameEn { get; private set; } = "";
    public string Seat { get; private set; } = "";
    public int Order { get; private set; }
}

public sealed class County
{
    private County() { }

    public County(string id, string name, string prefectureId)
    {
        Id = id;
        Name = name;
        PrefectureId = prefectureId;
    }

    public string Id { get; private set; } = "";
    public string Name { get; private set; } = "";
    public string PrefectureId { get; private set; } = "";
}

public enum PeriodKind { Quarter, Annual }

public enum PeriodStatus { Planned, Collecting, Review, Published }

/// <summary>考核期: a quarter (2023-Q1) or a year (2023).</summary>
public sealed class Period
{
    private Period() { }

    public Period(int year, int? quarter, DateOnly reportDeadline)
    {
        if (year is < 2000 or > 2100) throw new ArgumentOutOfRangeException(nameof(year));
        if (quarter is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(quarter));
        Year = year;
        Quarter = quarter;
        Kind = quarter is null ? PeriodKind.Annual : PeriodKind.Quarter;
        Id = quarter is null ? $"{year}" : $"{year}-Q{quarter}";
        ReportDeadline = reportDeadline;
        Status = PeriodStatus.Planned;
    }

    public string Id { get; private set; } = "";
    public int Year { get; private set; }
    public int? Quarter { get; private set; }
    public PeriodKind Kind { get; private set; }
    public DateOnly ReportDeadline { get; private set; }
    public PeriodStatus Status { get; private set; }

    public string Label(bool english) => Quarter is { } q
        ? english ? $"{Year} Q{q}" : $"{Year}年第{"一二三四"[q - 1]}季度"
        : english ? $"{Year} (annual)" : $"{Year}年度";

    public DateOnly StartsOn => Quarter is { } q ? new DateOnly(Year, 3 * q - 2, 1) : new DateOnly(Year, 1, 1);
    public DateOnly EndsOn => Quarter is { } q ? new DateOnly(Year, 3 * q, 1).AddMonths(1).AddDays(-1) : new DateOnly(Year, 12, 31);

    public void MoveTo(PeriodStatus status) => Status = status;

    public void SetDeadline(DateOnly deadline) => ReportDeadline = deadline;
}

public enum SchemeStatus { Draft, Active, Archived }

/// <summary>
/// 考核方案: a versioned indicator tree for one subject category and period, stored as the v1
/// scheme document (scoring-format.md) so that it round-trips exactly. An active scheme with data
/// is never edited in place: a change makes a new version.
/// </summary>
public sealed class Scheme
{
    private Scheme() { }

    public Scheme(string category, string periodId, int version, string name, string document, string ruleTextsJson, string createdBy, DateTimeOffset createdAt, int? basedOn = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(category);
        ArgumentException.ThrowIfNullOrWhiteSpace(document);
        if (version < 1) throw new ArgumentOutOfRangeException(nameof(version));
        Category = category;
        PeriodId = periodId;
        Version = version;
        Name = name;
        Document = document;
        RuleTextsJson = ruleTextsJson;
        CreatedBy = createdBy;
        CreatedAt = createdAt;
        BasedOnId = basedOn;
        Status = SchemeStatus.Draft;
    }

    public int Id { get; private set; }
    public string Category { get; private set; } = "";
    public string PeriodId { get; private set; } = "";
    public int Version { get; private set; }
    public string Name { get; private set; } = "";
    public SchemeStatus Status { get; private set; }

    /// <summary>The v1 scheme document: indicators and rules.</summary>
    public string Document { get; private set; } = "";

    /// <summary>评分细则 per indicator id, as a JSON object.</summary>
    public string RuleTextsJson { get; private set; } = "{}";

    public string CreatedBy { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? ActivatedAt { get; private set; }
    public int? BasedOnId { get; private set; }

    public void Edit(string document, string ruleTextsJson)
    {
        if (Status != SchemeStatus.Draft)
            throw new InvalidOperationException("an activated scheme is never edited in place; make a new version");
        Document = document;
        RuleTextsJson = ruleTextsJson;
    }

    public void Activate(DateTimeOffset at)
    {
        if (Status != SchemeStatus.Draft) throw new InvalidOperationException("only a draft can be activated");
        Status = SchemeStatus.Active;
        ActivatedAt = at;
    }

    public void Archive() => Status = SchemeStatus.Archived;
}

/// <summary>
/// What a fact holds. <see cref="Measure"/> is a base figure (基础数据) of a version 2 scheme: <c>IndicatorId</c> is then the
/// measure's id (e.g. <c>inv</c>) and the payload's value the figure in the measure's unit (万元, 个).
/// </summary>
public enum FactKind { Value, RaterScore, Finding, SurveyTally, Adjustment, Veto, Measure }

public enum FactStatus { Draft, Submitted, Verified, Returned }

/// <summary>Where a fact came from, shown in every view and explanation.</summary>
public static class FactSources
{
    public const string Report = "report";           // 单位填报
    public const string Division = "division";       // 处室评分
    public const string Leader = "leader";           // 领导评分
    public const string Inspection = "inspection";   // 实地考核
    public const string Survey = "survey";           // 满意度调查
    public const string Platform = "platform";       // 平台数据
    public const string Office = "office";           // 考核办
    public const string Demo = "demo";               // 演示数据
    public const string TargetLetter = "target-letter"; // 目标责任书（季度目标）
    public const string KeyTask = "key-task";         // 重点工作任务完成度
}

/// <summary>
/// A fact: one datum for the engine (a value, a rater's score, a finding, a survey tally, an
/// adjustment, a veto), with its provenance. <see cref="Payload"/> holds the datum as the v1 file
/// writes it (value, target, counts, findings, points, reason).
/// </summary>
public sealed class Fact
{
    private Fact() { }

    public Fact(string periodId, string unitId, string? indicatorId, FactKind kind, string payload, string source, string author, DateTimeOffset recordedAt,
        FactStatus status, string? rater = null, string? idempotencyKey = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(periodId);
        ArgumentException.ThrowIfNullOrWhiteSpace(unitId);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        if (kind is not (FactKind.Adjustment or FactKind.Veto)) ArgumentException.ThrowIfNullOrWhiteSpace(indicatorId);
        PeriodId = periodId;
        UnitId = unitId;
        IndicatorId = indicatorId;
        Kind = kind;
        Payload = payload;
        Source = source;
        Author = author;
        RecordedAt = recordedAt;
        Status = status;
        Rater = rater;
        IdempotencyKey = idempotencyKey;
    }

    public long Id { get; private set; }
    public string PeriodId { get; private set; } = "";
    public string UnitId { get; private set; } = "";
    public string? IndicatorId { get; private set; }
    public FactKind Kind { get; private set; }
    public string? Rater { get; private set; }
    public string Payload { get; private set; } = "{}";
    public string Source { get; private set; } = "";
    public string Author { get; private set; } = "";
    public DateTimeOffset RecordedAt { get; private set; }
    public FactStatus Status { get; private set; }
    public string? StatusReason { get; private set; }
    public string? IdempotencyKey { get; private set; }
    public List<Attachment> Evidence { get; private set; } = [];

    /// <summary>
    /// The period's change number of the last write of this fact (<see cref="ResultsRevision.Counter"/>):
    /// assigned in the writing transaction by <see cref="ResultsRevisionInterceptor"/>, so a reader that knows
    /// the counter it last saw finds every fact written since (the results store's incremental refresh).
    /// </summary>
    public long ChangeNo { get; private set; }

    public void Numbered(long changeNo) => ChangeNo = changeNo;

    public void Update(string payload, string author, DateTimeOffset at)
    {
        if (Status is FactStatus.Submitted or FactStatus.Verified)
            throw new InvalidOperationException("a submitted fact is locked");
        Payload = payload;
        Author = author;
        RecordedAt = at;
    }

    public void SetStatus(FactStatus status, string? reason = null)
    {
        if (status == FactStatus.Returned && string.IsNullOrWhiteSpace(reason))
            throw new ArgumentException("a return needs a reason", nameof(reason));
        Status = status;
        StatusReason = reason;
    }

    /// <summary>When the unit submitted it (填报提交); null for facts that never went through 填报.</summary>
    public DateTimeOffset? SubmittedAt { get; private set; }

    /// <summary>Submitted after the period's report deadline: flagged, never silently accepted.</summary>
    public bool Late { get; private set; }

    public string? ReviewedBy { get; private set; }
    public DateTimeOffset? ReviewedAt { get; private set; }

    /// <summary>Locks a draft or returned report for review.</summary>
    public void Submit(DateTimeOffset at, bool late)
    {
        if (Status is not (FactStatus.Draft or FactStatus.Returned))
            throw new InvalidOperationException("only a draft or a returned fact can be submitted");
        Status = FactStatus.Submitted;
        StatusReason = null;
        SubmittedAt = at;
        Late = late;
        ReviewedBy = null;
        ReviewedAt = null;
    }

    public void Verify(string by, DateTimeOffset at)
    {
        if (Status != FactStatus.Submitted) throw new InvalidOperationException("only a submitted fact can be verified");
        Status = FactStatus.Verified;
        StatusReason = null;
        ReviewedBy = by;
        ReviewedAt = at;
    }

    public void Return(string by, DateTimeOffset at, string reason)
    {
        if (Status != FactStatus.Submitted) throw new InvalidOperationException("only a submitted fact can be returned");
        SetStatus(FactStatus.Returned, reason);
        ReviewedBy = by;
        ReviewedAt = at;
    }

    /// <summary>A scorer's (division or leader) own score changes until scoring closes; it is never a unit's report.</summary>
    public void Rescore(string payload, string source, string author, DateTimeOffset at)
    {
        if (Source == FactSources.Report) throw new InvalidOperationException("a unit's report is changed through 填报, not rescored");
        Payload = payload;
        Source = source;
        Author = author;
        RecordedAt = at;
    }
}

/// <summary>佐证材料: an uploaded file, kept by its SHA-256.</summary>
public sealed class Attachment
{
    private Attachment() { }

    public Attachment(string fileName, string contentType, long size, string sha256, string storedName, string uploadedBy, DateTimeOffset uploadedAt,
        string ownerKind, string ownerId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ownerKind);
        OwnerKind = ownerKind;
        OwnerId = ownerId;
        FileName = fileName;
        ContentType = contentType;
        Size = size;
        Sha256 = sha256;
        StoredName = storedName;
        UploadedBy = uploadedBy;
        UploadedAt = uploadedAt;
    }

    public long Id { get; private set; }
    public long? FactId { get; private set; }

    /// <summary>What the file belongs to ("fact", "finding", "rectification", ...): decides who may download it (IAttachmentOwnerPolicy).</summary>
    public string OwnerKind { get; private set; } = "";
    public string OwnerId { get; private set; } = "";
    public string FileName { get; private set; } = "";
    public string ContentType { get; private set; } = "";
    public long Size { get; private set; }
    public string Sha256 { get; private set; } = "";
    public string StoredName { get; private set; } = "";
    public string UploadedBy { get; private set; } = "";
    public DateTimeOffset UploadedAt { get; private set; }

    /// <summary>Sets the owner once its id is known (e.g. a new fact saved in the same request).</summary>
    public void AssignOwner(string ownerKind, string ownerId)
    {
        OwnerKind = ownerKind;
        OwnerId = ownerId;
    }
}

public enum AssignmentKind { Division, Leader }

/// <summary>多方评: which scoring division scores which indicator for which unit, and which leader rates whom.</summary>
public sealed class Assignment
{
    private Assignment() { }

    public Assignment(string periodId, AssignmentKind kind, string assignee, string unitId, string indicatorId, string? rater = null)
    {
        PeriodId = periodId;
        Kind = kind;
        Assignee = assignee;
        UnitId = unitId;
        IndicatorId = indicatorId;
        Rater = rater;
    }

    public long Id { get; private set; }
    public string PeriodId { get; private set; } = "";
    public AssignmentKind Kind { get; private set; }

    /// <summary>The division's unit id, or the leader's user name.</summary>
    public string Assignee { get; private set; } = "";
    public string UnitId { get; private set; } = "";
    public string IndicatorId { get; private set; } = "";
    public string? Rater { get; private set; }
}

/// <summary>A published result, frozen (docs/snapshots.md). Never updated: a correction is a new version.</summary>
public sealed class PublishedSnapshot
{
    private PublishedSnapshot() { }

    public PublishedSnapshot(string key, string periodId, string category, int version, string document, string inputSha256, string resultSha256,
        string publishedBy, DateTimeOffset publishedAt, long? supersedes, string? changeNote)
    {
        Key = key;
        PeriodId = periodId;
        Category = category;
        Version = version;
        Document = document;
        InputSha256 = inputSha256;
        ResultSha256 = resultSha256;
        PublishedBy = publishedBy;
        PublishedAt = publishedAt;
        Supersedes = supersedes;
        ChangeNote = changeNote;
    }

    public long Id { get; private set; }
    public string Key { get; private set; } = "";
    public string PeriodId { get; private set; } = "";
    public string Category { get; private set; } = "";
    public int Version { get; private set; }
    public string Document { get; private set; } = "";
    public string InputSha256 { get; private set; } = "";
    public string ResultSha256 { get; private set; } = "";
    public string PublishedBy { get; private set; } = "";
    public DateTimeOffset PublishedAt { get; private set; }
    public long? Supersedes { get; private set; }
    public string? ChangeNote { get; private set; }
}

/// <summary>A platform's API key (智慧工地, 信息归集平台, 施工许可), limited to named indicators. Only the hash is kept.</summary>
public sealed class ApiKey
{
    private ApiKey() { }

    public ApiKey(string name, string prefix, string keyHash, string indicators, string createdBy, DateTimeOffset createdAt)
    {
        Name = name;
        Prefix = prefix;
        KeyHash = keyHash;
        Indicators = indicators;
        CreatedBy = createdBy;
        CreatedAt = createdAt;
    }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    public string Prefix { get; private set; } = "";
    public string KeyHash { get; private set; } = "";

    /// <summary>Comma-separated indicator ids the key may write.</summary>
    public string Indicators { get; private set; } = "";
    public string CreatedBy { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }

    public void Revoke(DateTimeOffset at) => RevokedAt = at;
}

/// <summary>
/// A session on the server: a bearer token issued by POST /api/v1/auth/token, or a browser's sign-in
/// (the cookie carries the hash, encrypted). Only the SHA-256 of the secret is kept, so any instance
/// checks it; deleting the row ends the session at once everywhere (sign-out, DELETE /api/v1/auth/token,
/// the office ending an account's sessions).
/// </summary>
public sealed class AccessToken
{
    public const string Bearer = "bearer", Cookie = "cookie";

    private AccessToken() { }

    public AccessToken(string tokenHash, string userId, DateTimeOffset expiresAt, string kind = Bearer, DateTimeOffset createdAt = default)
    {
        TokenHash = tokenHash;
        UserId = userId;
        ExpiresAt = expiresAt;
        Kind = kind;
        CreatedAt = createdAt;
    }

    public long Id { get; private set; }
    public string TokenHash { get; private set; } = "";
    public string UserId { get; private set; } = "";
    public DateTimeOffset ExpiresAt { get; private set; }
    public string Kind { get; private set; } = Bearer;
    public DateTimeOffset CreatedAt { get; private set; }
}

/// <summary>
/// Failed sign-ins of one user name from one client address (issue 17). Five in 15 minutes lock that
/// pair — not the account — for 15 minutes, so nobody can lock the office out by guessing from
/// elsewhere; the office is alerted. Kept for unknown names too, so that a locked name and an unknown
/// one answer alike.
/// </summary>
public sealed class SignInFailure
{
    private SignInFailure() { }

    public SignInFailure(string userName, string address, DateTimeOffset at)
    {
        UserName = userName;
        Address = address;
        FirstAt = at;
    }

    public long Id { get; private set; }

    /// <summary>The name as typed, upper-cased (Identity's normalised form).</summary>
    public string UserName { get; private set; } = "";
    public string Address { get; private set; } = "";
    public int Failures { get; private set; }
    public DateTimeOffset FirstAt { get; private set; }
    public DateTimeOffset? LockedUntil { get; private set; }

    public bool IsLocked(DateTimeOffset now) => LockedUntil > now;

    /// <summary>Counts a failure within <paramref name="window"/>; the <paramref name="max"/>-th locks the pair for <paramref name="lockFor"/> (true).</summary>
    public bool Fail(DateTimeOffset now, int max, TimeSpan window, TimeSpan lockFor)
    {
        if (now - FirstAt > window) (FirstAt, Failures) = (now, 0);
        if (++Failures < max) return false;
        (LockedUntil, Failures, FirstAt) = (now + lockFor, 0, now);
        return true;
    }
}

/// <summary>
/// One entry of the append-only, hash-chained audit trail: Hash = SHA-256(PreviousHash + canonical
/// content), so that changing or deleting any row breaks the chain from there on.
/// </summary>
public sealed class AuditEntry
{
    private AuditEntry() { }

    public AuditEntry(long sequence, DateTimeOffset at, string actor, string action, string entityType, string entityId, string? oldValue, string? newValue,
        string? reason, string previousHash)
    {
        Sequence = sequence;
        // Whole milliseconds: both PostgreSQL (µs) and the SQLite mapping (100 µs) keep them exactly,
        // so the hash survives the round trip through either database.
        At = new DateTimeOffset(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
        Actor = actor;
        Action = action;
        EntityType = entityType;
        EntityId = entityId;
        OldValue = oldValue;
        NewValue = newValue;
        Reason = reason;
        PreviousHash = previousHash;
        Hash = AuditChain.HashOf(this);
    }

    public long Id { get; private set; }
    public long Sequence { get; private set; }
    public DateTimeOffset At { get; private set; }
    public string Actor { get; private set; } = "";
    public string Action { get; private set; } = "";
    public string EntityType { get; private set; } = "";
    public string EntityId { get; private set; } = "";
    public string? OldValue { get; private set; }
    public string? NewValue { get; private set; }
    public string? Reason { get; private set; }
    public string PreviousHash { get; private set; } = "";
    public string Hash { get; private set; } = "";
}
