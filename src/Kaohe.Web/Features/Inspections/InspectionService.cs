using Kaohe.Data;
using Kaohe.Scoring;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Infrastructure;

namespace Kaohe.Web.Features.Inspections;

public sealed record Outcome<T>(T? Value, Failure? Failure, bool Created = false)
{
    public static implicit operator Outcome<T>(Failure f) => new(default, f);
}

public sealed record ChecklistItem(string IndicatorId, string Aspect, string Name, double Points, double Deduction, string? Rule);

public sealed record SiteDto(string SiteId, string Name, string Kind, string PrefectureId, string UnitId, string UnitName);

public sealed record MemberDto(string InspectorId, string Name, string PrefectureId, string Bureau, string? UserName);

public sealed record GroupDto(int Id, string PeriodId, int Number, string Name, long? SampleDrawId, IReadOnlyList<MemberDto> Members, IReadOnlyList<SiteDto> Sites);

public sealed record DrawDto(long Id, string PeriodId, string Algorithm, string Seed, IReadOnlyDictionary<string, int> PerStratum, int Eligible,
    IReadOnlyList<SamplingCandidate> Drawn, string DrawnBy, DateTimeOffset DrawnAt, string? Reason, long? SupersededById);

public sealed record FindingRequest(string? ClientId, string? SiteId, string? IndicatorId, double? Points, string? Note,
    double? Latitude, double? Longitude, double? Accuracy, DateTimeOffset? ObservedAt);

public sealed record PhotoDto(long Id, string ClientId, string FileName, long Size, string Sha256, string Url);

public sealed record FindingDto(long Id, string ClientId, string Author, int GroupId, string SiteId, string UnitId, string IndicatorId, double Points, string? Note,
    double? Latitude, double? Longitude, double? Accuracy, DateTimeOffset ObservedAt, long FactId, IReadOnlyList<PhotoDto> Photos);

public sealed record SiteScore(string UnitId, string UnitName, double? Total, int? Rank, IReadOnlyDictionary<string, double> Leaves);

public sealed record SiteDetail(SiteDto Site, IReadOnlyList<FindingDto> Findings, double Deducted, SiteScore? Score);

/// <summary>
/// Assessment groups, sampling and on-site findings (issue 5, items 1–3). Pure rules live in
/// <see cref="GroupFormation"/> and <see cref="Sampling"/>; this class keeps them on record.
/// </summary>
public sealed partial class InspectionService(KaoheDbContext db, AuditLog audit, TimeProvider clock, IAttachmentStore store, ResultsStore results)
{
    /// <summary>The on-site checklist is the urban-management scheme's deduction leaves (实地抽样查看, seed §考核方式 1).</summary>
    public const string ChecklistCategory = "urban";
    public const string PhotoOwnerKind = "finding";
}
