using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Rectification;

/// <summary>
/// Who may do what to one rectification item (docs/visibility.md, "rectification items"), and beside it,
/// <see cref="VisibleTo"/>, the same rule for a list. Read: the office, leaders and viewers all; a unit its
/// own; an assessor the inspection items it may re-inspect. Act (the workflow, the roadmap): the office,
/// and a unit on its own items.
/// </summary>
public sealed class RectificationItemAuthorization(KaoheDbContext db) : UnitResourceHandler<RectificationItem>
{
    public override async Task<bool> AllowsAsync(ClaimsPrincipal user, OperationAuthorizationRequirement operation, RectificationItem item, CancellationToken ct = default)
    {
        if (operation == UnitOperations.Read)
            return user.Role() switch
            {
                Roles.Office or Roles.Leader or Roles.Viewer => true,
                Roles.Unit => OwnUnit(user, item.UnitId),
                // Which groups inspected which units is in the database: the list filter's own query, for this one item.
                Roles.Assessor => await VisibleTo(db, db.Set<RectificationItem>().AsNoTracking().Where(i => i.Id == item.Id), user).AnyAsync(ct),
                _ => false,
            };
        if (operation == UnitOperations.Act)
            return user.Role() switch
            {
                Roles.Office => true,
                Roles.Unit => OwnUnit(user, item.UnitId),
                _ => false,
            };
        return false;
    }

    /// <summary>
    /// Who reads which items (docs/security.md, "Who reads rectification items"): the office, leaders and
    /// viewers all; a unit its own; an assessor the inspection items of the units their groups inspected
    /// in that period (a site of one of their groups scores the unit — for a 地市综合 unit, any site of its
    /// prefecture — or one of their groups made the finding) — the items they may re-inspect, and no other group's (issue 17: every assessor read every
    /// inspection item, and could upload another group's re-inspection photo).
    /// </summary>
    public static IQueryable<RectificationItem> VisibleTo(KaoheDbContext db, IQueryable<RectificationItem> items, ClaimsPrincipal user)
    {
        var unit = user.UnitId();
        var name = user.Identity?.Name ?? "";
        var groups = db.Set<InspectionGroupMember>().Where(m => m.Inspector!.UserName == name).Select(m => m.GroupId);
        return user.Role() switch
        {
            Roles.Office or Roles.Leader or Roles.Viewer => items,
            Roles.Unit => items.Where(i => i.UnitId == unit),
            // A site scores its own unit and, for the prefecture-wide (地市综合) unit, its prefecture's.
            Roles.Assessor => items.Where(i => i.SourceKind == ItemSources.Inspection
                && (db.Set<InspectionSite>().Any(s => s.PeriodId == i.PeriodId && groups.Contains(s.GroupId)
                        && (s.UnitId == i.UnitId || db.Units.Any(u => u.Id == i.UnitId && u.Level == UnitLevel.Prefecture && u.Prefecture == s.PrefectureId)))
                    || db.Set<InspectionFinding>().Any(f => f.FactId == i.FactId && groups.Contains(f.GroupId)))),
            _ => items.Where(_ => false),
        };
    }
}
