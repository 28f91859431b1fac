using System.Security.Claims;
using System.Text.Json;
using Kaohe.Scoring;
using Kaohe.Web.Data;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Inspections;

/// <summary>An expected failure: HTTP status, message in both languages, and the field or row it is about.</summary>
public sealed record InspectionFailure(int Status, string Zh, string En, string? Field = null, IReadOnlyList<string>? Details = null);

public sealed record Outcome<T>(T? Value, InspectionFailure? Failure, bool Created = false)
{
    public static implicit operator Outcome<T>(InspectionFailure f) => new(default, f);
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
public sealed class InspectionService(KaoheDbContext db, AuditLog audit, TimeProvider clock, IAttachmentStore store, ResultsStore results)
{
    /// <summary>The on-site checklist is the urban-management scheme's deduction leaves (实地抽样查看, seed §考核方式 1).</summary>
    public const string ChecklistCategory = "urban";
    public const string PhotoOwnerKind = "finding";

    // ------------------------------------------------------------------ sites and roster

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
            return new InspectionFailure(400, "name：姓名为 1–100 个字", "name: 1–100 characters", "name");
        var prefecture = await db.Prefectures.AsNoTracking().FirstOrDefaultAsync(p => p.Id == prefectureId, ct);
        if (prefecture is null) return new InspectionFailure(400, $"prefectureId：地市“{prefectureId}”不存在", $"prefectureId: no prefecture \"{prefectureId}\"", "prefectureId");
        if (!string.IsNullOrWhiteSpace(userName) && !await db.Users.AnyAsync(u => u.UserName == userName && u.Role == Roles.Assessor, ct))
            return new InspectionFailure(400, $"userName：{userName} 不是考核组账号", $"userName: {userName} is not an assessor account", "userName");
        if (!string.IsNullOrWhiteSpace(userName) && await db.Set<Inspector>().FirstOrDefaultAsync(i => i.UserName == userName, ct) is { } other)
            return new InspectionFailure(409, $"userName：账号 {userName} 已关联考核人员 {other.Name}", $"userName: {userName} is already linked to {other.Name}", "userName");
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
        if (inspector is null) return new InspectionFailure(404, $"考核人员 {inspectorId} 不存在", $"inspector {inspectorId} does not exist", "inspectorId");
        if (!string.IsNullOrWhiteSpace(userName) && !await db.Users.AnyAsync(u => u.UserName == userName && u.Role == Roles.Assessor, ct))
            return new InspectionFailure(400, $"userName：{userName} 不是考核组账号", $"userName: {userName} is not an assessor account", "userName");
        if (!string.IsNullOrWhiteSpace(userName) && await db.Set<Inspector>().FirstOrDefaultAsync(i => i.UserName == userName && i.Id != inspectorId, ct) is { } other)
            return new InspectionFailure(409, $"userName：账号 {userName} 已关联考核人员 {other.Name}", $"userName: {userName} is already linked to {other.Name}", "userName");
        var old = inspector.UserName;
        inspector.LinkAccount(userName);
        audit.Record("inspector.link", "inspector", inspector.Id, new { userName = old }, new { userName = inspector.UserName });
        await audit.SaveAsync(ct);
        return new(Member(inspector), null);
    }

    private static MemberDto Member(Inspector i) => new(i.Id, i.Name, i.PrefectureId, i.Bureau, i.UserName);

    // ------------------------------------------------------------------ sampling

    public static DrawDto Dto(SamplingDraw d) => new(d.Id, d.PeriodId, d.Algorithm, d.Seed,
        JsonSerializer.Deserialize<Dictionary<string, int>>(d.PerStratumJson) ?? [],
        (JsonSerializer.Deserialize<List<SamplingCandidate>>(d.EligibleJson) ?? []).Count,
        JsonSerializer.Deserialize<List<SamplingCandidate>>(d.ResultJson) ?? [], d.DrawnBy, d.DrawnAt, d.Reason, d.SupersededById);

    public Task<List<SamplingDraw>> DrawsAsync(string periodId, CancellationToken ct = default) =>
        db.Set<SamplingDraw>().AsNoTracking().Where(d => d.PeriodId == periodId).OrderByDescending(d => d.Id).ToListAsync(ct);

    public Task<SamplingDraw?> CurrentDrawAsync(string periodId, CancellationToken ct = default) =>
        db.Set<SamplingDraw>().AsNoTracking().Where(d => d.PeriodId == periodId && d.SupersededById == null).OrderByDescending(d => d.Id).FirstOrDefaultAsync(ct);

    /// <summary>
    /// Draws the period's sample (two counties per prefecture by default, seed §考核方式 1: 14 counties).
    /// An earlier draw stays on record, marked as superseded by this one.
    /// </summary>
    public async Task<Outcome<DrawDto>> DrawAsync(string periodId, string? seed, int? perPrefecture, string? reason, string by, CancellationToken ct = default)
    {
        if (!await db.Periods.AnyAsync(p => p.Id == periodId, ct))
            return new InspectionFailure(400, $"period：考核期 {periodId} 不存在", $"period: {periodId} does not exist", "period");
        if (perPrefecture is < 1 or > 20)
            return new InspectionFailure(400, "perPrefecture：每个地市抽取 1–20 个县", "perPrefecture: draw 1–20 counties per prefecture", "perPrefecture");
        if (seed is not null && (seed.Length is 0 or > 200 || string.IsNullOrWhiteSpace(seed)))
            return new InspectionFailure(400, "seed：种子为 1–200 个字符", "seed: the seed has 1–200 characters", "seed");
        if (await db.Set<InspectionFinding>().AnyAsync(f => f.PeriodId == periodId, ct))
            return new InspectionFailure(409, "period：本期实地考核已开始（已有考核记录），不能重新抽样", "period: on-site inspection has started (there are findings); the sample cannot be drawn again", "period");
        var previous = await db.Set<SamplingDraw>().Where(d => d.PeriodId == periodId && d.SupersededById == null).ToListAsync(ct);
        if (previous.Count > 0 && string.IsNullOrWhiteSpace(reason))
            return new InspectionFailure(400, "reason：重新抽样须说明理由（原抽样结果保留备查）", "reason: drawing again needs a reason (the earlier draw stays on record)", "reason");
        var eligible = await EligibleAsync(ct);
        var perStratum = Sampling.Uniform(eligible, perPrefecture ?? Sampling.DefaultPerStratum);
        var result = Sampling.Draw(eligible, perStratum, seed ?? Sampling.NewSeed());
        var draw = new SamplingDraw(periodId, result.Algorithm, result.Seed, JsonSerializer.Serialize(perStratum), JsonSerializer.Serialize(eligible),
            JsonSerializer.Serialize(result.Drawn), by, clock.GetUtcNow(), string.IsNullOrWhiteSpace(reason) ? null : reason.Trim());
        db.Add(draw);
        foreach (var p in previous) p.SupersedeWith(draw);
        audit.Record("sampling.draw", "sampling-draw", () => draw.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            previous.Count > 0 ? new { superseded = previous.Select(p => p.Id) } : null,
            new { draw.PeriodId, draw.Algorithm, draw.Seed, drawn = result.Drawn.Select(c => c.Id) }, draw.Reason);
        await audit.SaveAsync(ct);
        return new(Dto(draw), null, Created: true);
    }

    /// <summary>Draws again from what was recorded and says whether the same counties come out.</summary>
    public static (bool Matches, IReadOnlyList<SamplingCandidate> Redrawn) Verify(SamplingDraw d)
    {
        var eligible = JsonSerializer.Deserialize<List<SamplingCandidate>>(d.EligibleJson) ?? [];
        var per = JsonSerializer.Deserialize<Dictionary<string, int>>(d.PerStratumJson) ?? [];
        var recorded = JsonSerializer.Deserialize<List<SamplingCandidate>>(d.ResultJson) ?? [];
        var again = d.Algorithm == Sampling.Algorithm ? Sampling.Draw(eligible, per, d.Seed).Drawn : [];
        return (again.Select(c => c.Id).SequenceEqual(recorded.Select(c => c.Id)), again);
    }

    // ------------------------------------------------------------------ groups

    public async Task<List<GroupDto>> GroupsAsync(string periodId, CancellationToken ct = default)
    {
        var groups = await db.Set<InspectionGroup>().AsNoTracking().Where(g => g.PeriodId == periodId)
            .Include(g => g.Members).ThenInclude(m => m.Inspector).Include(g => g.Sites).OrderBy(g => g.Number).ToListAsync(ct);
        var units = await db.Units.AsNoTracking().Where(u => u.Kind == UnitKind.UrbanManagementBureau).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        return [.. groups.Select(g => Dto(g, units))];
    }

    private static GroupDto Dto(InspectionGroup g, IReadOnlyDictionary<string, string> units) => new(g.Id, g.PeriodId, g.Number, g.Name, g.SampleDrawId,
        [.. g.Members.Where(m => m.Inspector is not null).OrderBy(m => m.Inspector!.PrefectureId).ThenBy(m => m.InspectorId).Select(m => Member(m.Inspector!))],
        [.. g.Sites.OrderBy(s => s.Kind).ThenBy(s => s.PrefectureId).ThenBy(s => s.SiteId, StringComparer.Ordinal)
            .Select(s => new SiteDto(s.SiteId, s.Name, s.Kind == SiteKind.SeatCity ? "seat" : "county", s.PrefectureId, s.UnitId, units.GetValueOrDefault(s.UnitId, s.UnitId)))]);

    /// <summary>
    /// Forms the period's groups automatically from the roster, the seat cities and the current draw,
    /// with the avoidance rule (回避). Groups that already have findings are never re-formed.
    /// </summary>
    public async Task<Outcome<List<GroupDto>>> FormAsync(string periodId, int? groupCount, string by, CancellationToken ct = default)
    {
        if (!await db.Periods.AnyAsync(p => p.Id == periodId, ct))
            return new InspectionFailure(400, $"period：考核期 {periodId} 不存在", $"period: {periodId} does not exist", "period");
        if (groupCount is < 2 or > 10)
            return new InspectionFailure(400, "groups：考核组数为 2–10", "groups: 2–10 groups", "groups");
        var draw = await CurrentDrawAsync(periodId, ct);
        if (draw is null) return new InspectionFailure(409, "请先抽样：本期还没有抽取县（区）", "Draw the sample first: this period has no sampled counties", "period");
        if (await db.Set<InspectionFinding>().AnyAsync(f => f.PeriodId == periodId, ct))
            return new InspectionFailure(409, "本期已有实地考核记录，不能重新组队；请手工调整成员", "This period already has on-site findings; groups cannot be re-formed, change members by hand", "period");
        var sites = await SitesForAsync(periodId, Dto(draw).Drawn, ct);
        var roster = await RosterAsync(ct);
        var formed = GroupFormation.Form([.. roster.Select(i => new Official(i.Id, i.Name, i.PrefectureId))],
            [.. sites.Select(s => new Site(s.SiteId, s.Name, s.PrefectureId))], groupCount ?? GroupFormation.DefaultGroupCount);
        if (!formed.Ok)
            return new InspectionFailure(409, "无法按回避要求组队：" + string.Join("；", formed.Problems), "Groups cannot be formed under the avoidance rule: " + string.Join("; ", formed.Problems), "roster", formed.Problems);
        var old = await db.Set<InspectionGroup>().Where(g => g.PeriodId == periodId).Include(g => g.Members).Include(g => g.Sites).ToListAsync(ct);
        // Removed and added in one save: EF orders the deletes before the inserts that reuse their unique (period, site/official) keys.
        db.RemoveRange(old);
        var bySite = sites.ToDictionary(s => s.SiteId);
        var created = new List<InspectionGroup>();
        var number = 0;
        foreach (var g in formed.Groups)
        {
            var group = new InspectionGroup(periodId, ++number, g.Name, draw.Id, by, clock.GetUtcNow());
            group.Members.AddRange(g.Members.Select(m => new InspectionGroupMember(periodId, m.Id)));
            group.Sites.AddRange(g.Sites.Select(s => bySite[s.Id]));
            db.Add(group);
            created.Add(group);
        }
        audit.Record("inspection-groups.form", "period", periodId, old.Count > 0 ? new { groups = old.Count } : null,
            new { draw = draw.Id, groups = formed.Groups.Select(g => new { g.Name, members = g.Members.Select(m => m.Id), sites = g.Sites.Select(s => s.Id) }) });
        await audit.SaveAsync(ct);
        return new(await GroupsAsync(periodId, ct), null, Created: true);
    }

    /// <summary>
    /// A manual change: moves an official into a group (or out of every group when <paramref name="toGroupId"/> is null),
    /// or a site into a group. Refused, naming each conflict, if it would break the avoidance rule.
    /// </summary>
    public async Task<Outcome<List<GroupDto>>> MoveAsync(string periodId, string? inspectorId, string? siteId, int? toGroupId, string? reason, CancellationToken ct = default)
    {
        var groups = await db.Set<InspectionGroup>().Where(g => g.PeriodId == periodId)
            .Include(g => g.Members).ThenInclude(m => m.Inspector).Include(g => g.Sites).OrderBy(g => g.Number).ToListAsync(ct);
        if (groups.Count == 0) return new InspectionFailure(404, $"考核期 {periodId} 还没有考核组", $"period {periodId} has no groups", "period");
        var target = toGroupId is null ? null : groups.FirstOrDefault(g => g.Id == toGroupId);
        if (toGroupId is not null && target is null) return new InspectionFailure(404, $"groupId：考核组 {toGroupId} 不存在", $"groupId: group {toGroupId} does not exist", "groupId");
        // The groups as they would be after the change, checked before anything is stored.
        var planned = groups.ToDictionary(g => g.Id, g => (Members: g.Members.Select(m => new Official(m.InspectorId, m.Inspector!.Name, m.Inspector.PrefectureId)).ToList(),
            Sites: g.Sites.Select(s => new Site(s.SiteId, s.Name, s.PrefectureId)).ToList()));
        object change;
        if (inspectorId is not null)
        {
            var inspector = await db.Set<Inspector>().FirstOrDefaultAsync(i => i.Id == inspectorId, ct);
            if (inspector is null) return new InspectionFailure(404, $"inspectorId：考核人员 {inspectorId} 不存在", $"inspectorId: inspector {inspectorId} does not exist", "inspectorId");
            foreach (var p in planned.Values) p.Members.RemoveAll(m => m.Id == inspectorId);
            if (target is not null) planned[target.Id].Members.Add(new Official(inspector.Id, inspector.Name, inspector.PrefectureId));
            change = new { inspectorId, toGroup = target?.Name };
        }
        else if (siteId is not null && target is not null)
        {
            var site = groups.SelectMany(g => g.Sites).FirstOrDefault(s => s.SiteId == siteId);
            if (site is null) return new InspectionFailure(404, $"siteId：点位 {siteId} 不在本期考核组中", $"siteId: site {siteId} is not in this period's groups", "siteId");
            foreach (var p in planned.Values) p.Sites.RemoveAll(s => s.Id == siteId);
            planned[target.Id].Sites.Add(new Site(site.SiteId, site.Name, site.PrefectureId));
            change = new { siteId, toGroup = target.Name };
        }
        else return new InspectionFailure(400, "须指明考核人员（inspectorId）或点位（siteId）及目标考核组", "name an inspectorId, or a siteId and a target group", "inspectorId");

        var conflicts = GroupFormation.Check(groups.Select(g => new AssessmentGroup(g.Name, planned[g.Id].Members, planned[g.Id].Sites)));
        if (conflicts.Count > 0)
            return new InspectionFailure(409, "违反回避要求，未作调整：" + string.Join("；", conflicts.Select(c => c.Zh)),
                "Refused, the avoidance rule would be broken: " + string.Join("; ", conflicts.Select(c => c.En)), inspectorId is not null ? "inspectorId" : "siteId",
                [.. conflicts.Select(c => Ui.T(c.Zh, c.En))]);

        if (inspectorId is not null)
        {
            var member = groups.SelectMany(g => g.Members).FirstOrDefault(m => m.InspectorId == inspectorId);
            if (member is not null && target is not null) member.MoveTo(target);
            else if (member is not null) db.Remove(member);
            else if (target is not null) target.Members.Add(new InspectionGroupMember(periodId, inspectorId));
        }
        else groups.SelectMany(g => g.Sites).First(s => s.SiteId == siteId).MoveTo(target!);
        audit.Record("inspection-groups.change", "period", periodId, null, change, reason);
        await audit.SaveAsync(ct);
        return new(await GroupsAsync(periodId, ct), null);
    }

    // ------------------------------------------------------------------ the assessor's side

    /// <summary>
    /// The groups the signed-in assessor serves in (through the roster entry linked to their account) in periods not yet
    /// published: the period being collected first (the earliest quarter collecting data, when a later one is open too),
    /// then the other collecting ones, then the rest newest first.
    /// </summary>
    public async Task<List<GroupDto>> MyGroupsAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        var name = user.Identity?.Name ?? "";
        var ids = await db.Set<InspectionGroupMember>().AsNoTracking()
            .Where(m => m.Inspector!.UserName == name).Select(m => m.GroupId).ToListAsync(ct);
        var periodIds = await db.Set<InspectionGroup>().AsNoTracking().Where(g => ids.Contains(g.Id)).Select(g => g.PeriodId).Distinct().ToListAsync(ct);
        var periods = await db.Periods.AsNoTracking().Where(p => periodIds.Contains(p.Id) && p.Status != PeriodStatus.Published).ToListAsync(ct);
        var all = new List<GroupDto>();
        var ordered = periods.Where(p => p.Status == PeriodStatus.Collecting).OrderBy(p => p.Id, StringComparer.Ordinal)
            .Concat(periods.Where(p => p.Status != PeriodStatus.Collecting).OrderByDescending(p => p.Id, StringComparer.Ordinal));
        foreach (var p in ordered)
            all.AddRange((await GroupsAsync(p.Id, ct)).Where(g => ids.Contains(g.Id)));
        return all;
    }

    /// <summary>May the user work on (assessor member) or see (office, members) the group? Anyone else is told it does not exist.</summary>
    public async Task<InspectionGroup?> GroupForAsync(ClaimsPrincipal user, int groupId, bool write, CancellationToken ct = default)
    {
        var group = await db.Set<InspectionGroup>().AsNoTracking().Include(g => g.Sites).FirstOrDefaultAsync(g => g.Id == groupId, ct);
        if (group is null) return null;
        if (!write && user.Role() == Roles.Office) return group;
        if (user.Role() != Roles.Assessor) return null;
        var name = user.Identity?.Name ?? "";
        return await db.Set<InspectionGroupMember>().AnyAsync(m => m.GroupId == groupId && m.Inspector!.UserName == name, ct) ? group : null;
    }

    /// <summary>The checklist: every deduction leaf of the period's active urban-management scheme, with the deduction per finding from its rule.</summary>
    public async Task<IReadOnlyList<ChecklistItem>> ChecklistAsync(string periodId, CancellationToken ct = default)
    {
        var scheme = await db.Schemes.AsNoTracking()
            .Where(s => s.PeriodId == periodId && s.Category == ChecklistCategory && s.Status == SchemeStatus.Active)
            .OrderByDescending(s => s.Version).FirstOrDefaultAsync(ct);
        if (scheme is null) return [];
        var tree = SchemeService.Parse(scheme);
        if (!tree.IsValid) return [];
        var rules = SchemeService.RuleTexts(scheme);
        var items = new List<ChecklistItem>();
        void Walk(IEnumerable<Indicator> nodes, string aspect)
        {
            foreach (var n in nodes)
            {
                if (n.IsLeaf && n.Method is DeductionMethod d)
                    items.Add(new ChecklistItem(n.Id, aspect, n.Name, n.Points, d.PerFinding ?? d.MaxDeduction ?? n.Points, rules.GetValueOrDefault(n.Id)));
                else Walk(n.ChildList, aspect.Length == 0 ? n.Name : aspect);
            }
        }
        Walk(tree.Indicators!, "");
        return items;
    }

    private static FindingDto Dto(InspectionFinding f) => new(f.Id, f.ClientId, f.Author, f.GroupId, f.SiteId, f.UnitId, f.IndicatorId, f.Points, f.Note,
        f.Latitude, f.Longitude, f.Accuracy, f.ObservedAt, f.FactId,
        [.. f.Photos.OrderBy(p => p.Id).Select(p => new PhotoDto(p.Id, p.ClientId, p.Attachment?.FileName ?? "", p.Attachment?.Size ?? 0, p.Attachment?.Sha256 ?? "",
            $"/api/v1/attachments/{p.AttachmentId}"))]);

    private Task<InspectionFinding?> FindingAsync(string author, string clientId, CancellationToken ct) =>
        db.Set<InspectionFinding>().AsNoTracking().Include(f => f.Photos).ThenInclude(p => p.Attachment)
            .FirstOrDefaultAsync(f => f.Author == author && f.ClientId == clientId, ct);

    /// <summary>
    /// Findings and photos are data of the urban-management subjects: a stage that takes no data
    /// (Data/PeriodStages.cs) refuses them up front with the stage problem (a resend of a stored one is still answered).
    /// </summary>
    private Task EnsureOpenAsync(string periodId, CancellationToken ct) => PeriodStages.EnsureAsync(db, periodId, ChecklistCategory, PeriodInput.Data, ct);

    private static bool ValidClientId(string? id) => id is { Length: >= 8 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>
    /// Stores a finding sent from the phone and the <c>deduction</c> fact it becomes. Sending the same
    /// client id again answers with the stored finding (Created = false) and stores nothing.
    /// </summary>
    public async Task<Outcome<FindingDto>> RecordFindingAsync(ClaimsPrincipal user, InspectionGroup group, FindingRequest r, CancellationToken ct = default)
    {
        var author = user.Identity?.Name ?? "";
        if (!ValidClientId(r.ClientId))
            return new InspectionFailure(400, "clientId：须为 8–64 位字母、数字或连字符（客户端生成的 UUID）", "clientId: 8–64 letters, digits or hyphens (a client-generated UUID)", "clientId");
        if (await FindingAsync(author, r.ClientId!, ct) is { } existing)
            return existing.GroupId == group.Id ? new Outcome<FindingDto>(Dto(existing), null)
                : (Outcome<FindingDto>)new InspectionFailure(409, "clientId：该编号已用于另一考核组的记录", "clientId: already used for a finding of another group", "clientId");
        await EnsureOpenAsync(group.PeriodId, ct);
        var site = group.Sites.FirstOrDefault(s => s.SiteId == r.SiteId);
        if (site is null)
            return new InspectionFailure(400, $"siteId：点位“{r.SiteId}”不属于{group.Name}", $"siteId: \"{r.SiteId}\" is not a site of {group.Name}", "siteId");
        var item = (await ChecklistAsync(group.PeriodId, ct)).FirstOrDefault(i => i.IndicatorId == r.IndicatorId);
        if (item is null)
            return new InspectionFailure(400, $"indicatorId：“{r.IndicatorId}”不是实地考核扣分项", $"indicatorId: \"{r.IndicatorId}\" is not an on-site deduction item", "indicatorId");
        var points = r.Points ?? item.Deduction;
        if (!(points > 0) || points > item.Deduction)
            return new InspectionFailure(400, $"points：{item.Name} 每处问题扣分须在 0–{item.Deduction:0.##} 分之间（评分细则：{item.Rule}）",
                $"points: a finding under {item.IndicatorId} deducts more than 0 and at most {item.Deduction:0.##}", "points");
        if (r.Note is { Length: > 2000 }) return new InspectionFailure(400, "note：说明最多 2000 字", "note: at most 2000 characters", "note");
        if (r.Latitude is < -90 or > 90 || r.Latitude is { } la && !double.IsFinite(la))
            return new InspectionFailure(400, "latitude：纬度须在 −90 至 90 之间", "latitude: between −90 and 90", "latitude");
        if (r.Longitude is < -180 or > 180 || r.Longitude is { } lo && !double.IsFinite(lo))
            return new InspectionFailure(400, "longitude：经度须在 −180 至 180 之间", "longitude: between −180 and 180", "longitude");
        if (r.Accuracy is < 0) return new InspectionFailure(400, "accuracy：精度不能为负", "accuracy: must not be negative", "accuracy");
        var now = clock.GetUtcNow();
        var observed = r.ObservedAt ?? now;
        if (observed > now.AddHours(1)) return new InspectionFailure(400, "observedAt：时间晚于当前时间", "observedAt: later than now", "observedAt");

        var note = string.IsNullOrWhiteSpace(r.Note) ? null : r.Note.Trim();
        var fact = new Fact(group.PeriodId, site.UnitId, item.IndicatorId, FactKind.Finding,
            new FactPayload(Points: points, Note: $"{site.Name}：{note ?? item.Name}").ToJson(), FactSources.Inspection, author, now, FactStatus.Submitted,
            idempotencyKey: $"inspection:{author}:{r.ClientId}");
        var finding = new InspectionFinding(r.ClientId!, author, group.Id, site, item.IndicatorId, points, note, r.Latitude, r.Longitude, r.Accuracy, observed, now, fact);
        db.Add(finding);
        audit.Record("inspection.finding", "inspection-finding", () => finding.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
            new { finding.ClientId, group = group.Name, site.SiteId, site.UnitId, item.IndicatorId, points, fact = "new" });
        try
        {
            await audit.SaveAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same finding arrived twice at once: the other request stored it; answer with that one.
            db.ChangeTracker.Clear();
            var stored = await FindingAsync(author, r.ClientId!, ct);
            if (stored is null) throw;
            return new(Dto(stored), null);
        }
        return new(Dto(finding), null, Created: true);
    }

    /// <summary>Stores one photo of one of the assessor's findings; the same photo client id again answers with the stored photo.</summary>
    public async Task<Outcome<PhotoDto>> AddPhotoAsync(ClaimsPrincipal user, InspectionGroup group, string findingClientId, string photoClientId, string? fileName,
        Stream content, CancellationToken ct = default)
    {
        var author = user.Identity?.Name ?? "";
        if (!ValidClientId(photoClientId))
            return new InspectionFailure(400, "photoClientId：须为 8–64 位字母、数字或连字符", "photoClientId: 8–64 letters, digits or hyphens", "photoClientId");
        var finding = await db.Set<InspectionFinding>().Include(f => f.Photos).ThenInclude(p => p.Attachment)
            .FirstOrDefaultAsync(f => f.Author == author && f.ClientId == findingClientId && f.GroupId == group.Id, ct);
        if (finding is null)
            return new InspectionFailure(404, $"findingClientId：未找到您的记录 {findingClientId}，请先上传该记录", $"findingClientId: no finding {findingClientId} of yours; send the finding first", "findingClientId");
        if (finding.Photos.FirstOrDefault(p => p.ClientId == photoClientId) is { } stored) return new(PhotoDtoOf(stored), null);
        await EnsureOpenAsync(group.PeriodId, ct);
        var name = string.IsNullOrWhiteSpace(fileName) ? $"{photoClientId}.jpg" : fileName;
        // Refused before it is stored: checked after, a PDF stayed in the store without a row (issue 17).
        if (!UploadRules.IsImage(name))
            return new InspectionFailure(415, "照片须为 JPEG、PNG 或 WebP 图片", "a photo must be a JPEG, PNG or WebP image", "file");
        var attachment = await store.SaveAsync(content, name, author, PhotoOwnerKind, finding.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        var photo = new InspectionPhoto(photoClientId, attachment);
        finding.Photos.Add(photo);
        // The photo is the fact's evidence too (佐证材料), so the fact links to its photos.
        var fact = await db.Facts.Include(f => f.Evidence).FirstAsync(f => f.Id == finding.FactId, ct);
        fact.Evidence.Add(attachment);
        audit.Record("inspection.photo", "inspection-finding", finding.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
            new { photoClientId, attachment.FileName, attachment.Size, attachment.Sha256 });
        try
        {
            await audit.SaveAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            var again = await db.Set<InspectionPhoto>().AsNoTracking().Include(p => p.Attachment)
                .FirstOrDefaultAsync(p => p.FindingId == finding.Id && p.ClientId == photoClientId, ct);
            if (again is null) throw;
            return new(PhotoDtoOf(again), null);
        }
        return new(PhotoDtoOf(photo), null, Created: true);
    }

    private static PhotoDto PhotoDtoOf(InspectionPhoto p) =>
        new(p.Id, p.ClientId, p.Attachment?.FileName ?? "", p.Attachment?.Size ?? 0, p.Attachment?.Sha256 ?? "", $"/api/v1/attachments/{p.AttachmentId}");

    public async Task<List<FindingDto>> FindingsAsync(int groupId, string? siteId, CancellationToken ct = default)
    {
        var q = db.Set<InspectionFinding>().AsNoTracking().Include(f => f.Photos).ThenInclude(p => p.Attachment).Where(f => f.GroupId == groupId);
        if (siteId is not null) q = q.Where(f => f.SiteId == siteId);
        return [.. (await q.OrderBy(f => f.Id).ToListAsync(ct)).Select(Dto)];
    }

    /// <summary>A site's findings and, from the engine, the score of the unit the site belongs to after them.</summary>
    public async Task<SiteDetail?> SiteAsync(InspectionGroup group, string siteId, CancellationToken ct = default)
    {
        var site = group.Sites.FirstOrDefault(s => s.SiteId == siteId);
        if (site is null) return null;
        var findings = await FindingsAsync(group.Id, siteId, ct);
        var units = await db.Units.AsNoTracking().Where(u => u.Id == site.UnitId).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        SiteScore? score = null;
        var view = await results.CurrentAsync(db, group.PeriodId, ChecklistCategory, ct);
        if (view is { Scored: true } && view.ByUnit.TryGetValue(site.UnitId, out var u))
        {
            var leaves = (await ChecklistAsync(group.PeriodId, ct)).Select(i => i.IndicatorId).Where(u.Scores.ContainsKey).ToDictionary(id => id, id => u.Scores[id]);
            score = new SiteScore(u.Id, u.Name, u.RoundedTotal, u.Rank, leaves);
        }
        return new SiteDetail(Dto(group, units).Sites.First(s => s.SiteId == siteId), findings, findings.Sum(f => f.Points), score);
    }
}
