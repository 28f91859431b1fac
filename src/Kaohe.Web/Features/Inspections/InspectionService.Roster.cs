using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Inspections;

/// <summary>The sites that may be sampled, and the roster of inspectors with the accounts they sign in with.</summary>
public sealed partial class InspectionService
{
    /// <summary>A seat city is scored for the bureau's seat district, a county for the bureau's county towns (地(市)政府所在区 / 所属县城).</summary>
    public static string UnitOf(SiteKind kind, string prefectureId) => kind == SiteKind.SeatCity ? $"cg-{prefectureId}-seat" : $"cg-{prefectureId}-county";

    public async Task<IReadOnlyList<SamplingCandidate>> EligibleAsync(CancellationToken ct = default) =>
        [.. (await db.Counties.AsNoTracking().ToListAsync(ct)).OrderBy(c => c.Id, StringComparer.Ordinal).Select(c => new SamplingCandidate(c.Id, c.Name, c.PrefectureId))];

    private async Task<List<InspectionSite>> SitesForAsync(string periodId, IReadOnlyList<SamplingCandidate> drawn, CancellationToken ct)
    {
        var prefectures = await db.Prefectures.AsNoTracking().OrderBy(p => p.Order).ToListAsync(ct);
        return
        [
            .. prefectures.Select(p => new InspectionSite(periodId, $"{p.Id}:seat", p.Name + p.Seat, p.Id, SiteKind.SeatCity, UnitOf(SiteKind.SeatCity, p.Id))),
            .. drawn.Select(c => new InspectionSite(periodId, c.Id, c.Name, c.Stratum, SiteKind.County, UnitOf(SiteKind.County, c.Stratum))),
        ];
    }

    public Task<List<Inspector>> RosterAsync(CancellationToken ct = default) =>
        db.Set<Inspector>().AsNoTracking().OrderBy(i => i.PrefectureId).ThenBy(i => i.Id).ToListAsync(ct);

    /// <summary>Adds an official of a prefecture's bureau to the roster (id: prefecture-n).</summary>
    public async Task<Outcome<MemberDto>> AddInspectorAsync(string? name, string? prefectureId, string? bureau, string? userName, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100)
            return new Failure(FailureKind.Invalid, "name：姓名为 1–100 个字", "name: 1–100 characters", "name");
        var prefecture = await db.Prefectures.AsNoTracking().FirstOrDefaultAsync(p => p.Id == prefectureId, ct);
        if (prefecture is null) return new Failure(FailureKind.Invalid, $"prefectureId：地市“{prefectureId}”不存在", $"prefectureId: no prefecture \"{prefectureId}\"", "prefectureId");
        if (!string.IsNullOrWhiteSpace(userName) && !await db.Users.AnyAsync(u => u.UserName == userName && u.Role == Roles.Assessor, ct))
            return new Failure(FailureKind.Invalid, $"userName：{userName} 不是考核组账号", $"userName: {userName} is not an assessor account", "userName");
        if (!string.IsNullOrWhiteSpace(userName) && await db.Set<Inspector>().FirstOrDefaultAsync(i => i.UserName == userName, ct) is { } other)
            return new Failure(FailureKind.Conflict, $"userName：账号 {userName} 已关联考核人员 {other.Name}", $"userName: {userName} is already linked to {other.Name}", "userName");
        var ids = await db.Set<Inspector>().Where(i => i.PrefectureId == prefecture.Id).Select(i => i.Id).ToListAsync(ct);
        var n = ids.Count + 1;
        while (ids.Contains($"{prefecture.Id}-{n}")) n++;
        var inspector = new Inspector($"{prefecture.Id}-{n}", name.Trim(), prefecture.Id,
            string.IsNullOrWhiteSpace(bureau) ? $"{prefecture.Name}城市管理局" : bureau.Trim()[..Math.Min(200, bureau.Trim().Length)], string.IsNullOrWhiteSpace(userName) ? null : userName);
        db.Add(inspector);
        audit.Record("inspector.add", "inspector", inspector.Id, null, Member(inspector));
        await audit.SaveAsync(ct);
        return new(Member(inspector), null, Created: true);
    }

    public async Task<Outcome<MemberDto>> LinkAccountAsync(string inspectorId, string? userName, CancellationToken ct = default)
    {
        var inspector = await db.Set<Inspector>().FirstOrDefaultAsync(i => i.Id == inspectorId, ct);
        if (inspector is null) return new Failure(FailureKind.NotFound, $"考核人员 {inspectorId} 不存在", $"inspector {inspectorId} does not exist", "inspectorId");
        if (!string.IsNullOrWhiteSpace(userName) && !await db.Users.AnyAsync(u => u.UserName == userName && u.Role == Roles.Assessor, ct))
            return new Failure(FailureKind.Invalid, $"userName：{userName} 不是考核组账号", $"userName: {userName} is not an assessor account", "userName");
        if (!string.IsNullOrWhiteSpace(userName) && await db.Set<Inspector>().FirstOrDefaultAsync(i => i.UserName == userName && i.Id != inspectorId, ct) is { } other)
            return new Failure(FailureKind.Conflict, $"userName：账号 {userName} 已关联考核人员 {other.Name}", $"userName: {userName} is already linked to {other.Name}", "userName");
        var old = inspector.UserName;
        inspector.LinkAccount(userName);
        audit.Record("inspector.link", "inspector", inspector.Id, new { userName = old }, new { userName = inspector.UserName });
        await audit.SaveAsync(ct);
        return new(Member(inspector), null);
    }

    private static MemberDto Member(Inspector i) => new(i.Id, i.Name, i.PrefectureId, i.Bureau, i.UserName);
}
