using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Inspections;

/// <summary>Forming the cross-prefecture groups (交叉考核) and moving an inspector or a site between them, with a reason.</summary>
public sealed partial class InspectionService
{
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
            return new Failure(FailureKind.Invalid, $"period：考核期 {periodId} 不存在", $"period: {periodId} does not exist", "period");
        if (groupCount is < 2 or > 10)
            return new Failure(FailureKind.Invalid, "groups：考核组数为 2–10", "groups: 2–10 groups", "groups");
        var draw = await CurrentDrawAsync(periodId, ct);
        if (draw is null) return new Failure(FailureKind.Conflict, "请先抽样：本期还没有抽取县（区）", "Draw the sample first: this period has no sampled counties", "period");
        if (await db.Set<InspectionFinding>().AnyAsync(f => f.PeriodId == periodId, ct))
            return new Failure(FailureKind.Conflict, "本期已有实地考核记录，不能重新组队；请手工调整成员", "This period already has on-site findings; groups cannot be re-formed, change members by hand", "period");
        var sites = await SitesForAsync(periodId, Dto(draw).Drawn, ct);
        var roster = await RosterAsync(ct);
        var formed = GroupFormation.Form([.. roster.Select(i => new Official(i.Id, i.Name, i.PrefectureId))],
            [.. sites.Select(s => new Site(s.SiteId, s.Name, s.PrefectureId))], groupCount ?? GroupFormation.DefaultGroupCount);
        if (!formed.Ok)
            return new Failure(FailureKind.Conflict, "无法按回避要求组队：" + string.Join("；", formed.Problems), "Groups cannot be formed under the avoidance rule: " + string.Join("; ", formed.Problems),
                new Dictionary<string, Message[]> { ["roster"] = [.. formed.Problems.Select(p => new Message(p, p))] });
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
        if (groups.Count == 0) return new Failure(FailureKind.NotFound, $"考核期 {periodId} 还没有考核组", $"period {periodId} has no groups", "period");
        var target = toGroupId is null ? null : groups.FirstOrDefault(g => g.Id == toGroupId);
        if (toGroupId is not null && target is null) return new Failure(FailureKind.NotFound, $"groupId：考核组 {toGroupId} 不存在", $"groupId: group {toGroupId} does not exist", "groupId");
        // The groups as they would be after the change, checked before anything is stored.
        var planned = groups.ToDictionary(g => g.Id, g => (Members: g.Members.Select(m => new Official(m.InspectorId, m.Inspector!.Name, m.Inspector.PrefectureId)).ToList(),
            Sites: g.Sites.Select(s => new Site(s.SiteId, s.Name, s.PrefectureId)).ToList()));
        object change;
        if (inspectorId is not null)
        {
            var inspector = await db.Set<Inspector>().FirstOrDefaultAsync(i => i.Id == inspectorId, ct);
            if (inspector is null) return new Failure(FailureKind.NotFound, $"inspectorId：考核人员 {inspectorId} 不存在", $"inspectorId: inspector {inspectorId} does not exist", "inspectorId");
            foreach (var p in planned.Values) p.Members.RemoveAll(m => m.Id == inspectorId);
            if (target is not null) planned[target.Id].Members.Add(new Official(inspector.Id, inspector.Name, inspector.PrefectureId));
            change = new { inspectorId, toGroup = target?.Name };
        }
        else if (siteId is not null && target is not null)
        {
            var site = groups.SelectMany(g => g.Sites).FirstOrDefault(s => s.SiteId == siteId);
            if (site is null) return new Failure(FailureKind.NotFound, $"siteId：点位 {siteId} 不在本期考核组中", $"siteId: site {siteId} is not in this period's groups", "siteId");
            foreach (var p in planned.Values) p.Sites.RemoveAll(s => s.Id == siteId);
            planned[target.Id].Sites.Add(new Site(site.SiteId, site.Name, site.PrefectureId));
            change = new { siteId, toGroup = target.Name };
        }
        else return new Failure(FailureKind.Invalid, "须指明考核人员（inspectorId）或点位（siteId）及目标考核组", "name an inspectorId, or a siteId and a target group", "inspectorId");

        var conflicts = GroupFormation.Check(groups.Select(g => new AssessmentGroup(g.Name, planned[g.Id].Members, planned[g.Id].Sites)));
        if (conflicts.Count > 0)
            return new Failure(FailureKind.Conflict, "违反回避要求，未作调整：" + string.Join("；", conflicts.Select(c => c.Zh)),
                "Refused, the avoidance rule would be broken: " + string.Join("; ", conflicts.Select(c => c.En)),
                new Dictionary<string, Message[]> { [inspectorId is not null ? "inspectorId" : "siteId"] = [.. conflicts.Select(c => new Message(c.Zh, c.En))] });

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
}
