using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Facts;

/// <summary>
/// Who may read one fact, and with it its evidence (docs/visibility.md, "facts"); beside it,
/// <see cref="FactVisibility.VisibleTo"/>, the same rule for a list. The office everything; a viewer what
/// has been submitted; a unit reporter only its own unit; a division only the units and indicators assigned
/// to it (and what it wrote); a leader and an assessor only what they wrote themselves.
/// </summary>
public sealed class FactAuthorization(KaoheDbContext db) : UnitResourceHandler<Fact>
{
    public override async Task<bool> AllowsAsync(ClaimsPrincipal user, OperationAuthorizationRequirement operation, Fact fact, CancellationToken ct = default)
    {
        if (operation != UnitOperations.Read) return false;
        var name = user.Identity?.Name ?? "";
        return user.Role() switch
        {
            Roles.Office => true,
            Roles.Viewer => FactStatuses.Counted.Contains(fact.Status),
            Roles.Unit => OwnUnit(user, fact.UnitId),
            // The assignments are in the database: the list filter's own query, for this one fact.
            Roles.Division => fact.Author == name || await db.Facts.AsNoTracking().Where(f => f.Id == fact.Id).VisibleTo(user, db).AnyAsync(ct),
            Roles.Leader or Roles.Assessor => fact.Author == name,
            _ => false,
        };
    }
}

public static class FactVisibility
{
    /// <summary>The facts <paramref name="user"/> may read: <see cref="FactAuthorization"/>'s rule as a query.</summary>
    public static IQueryable<Fact> VisibleTo(this IQueryable<Fact> facts, ClaimsPrincipal user, KaoheDbContext db)
    {
        var name = user.Identity?.Name ?? "";
        var unit = user.UnitId();
        return user.Role() switch
        {
            Roles.Office => facts,
            Roles.Viewer => facts.Where(f => FactStatuses.Counted.Contains(f.Status)),
            Roles.Unit => facts.Where(f => f.UnitId == unit),
            Roles.Division => facts.Where(f => f.Author == name || db.Assignments.Any(a =>
                a.Kind == AssignmentKind.Division && a.Assignee == unit && a.PeriodId == f.PeriodId && a.UnitId == f.UnitId && a.IndicatorId == f.IndicatorId)),
            Roles.Leader or Roles.Assessor => facts.Where(f => f.Author == name),
            _ => facts.Where(_ => false),
        };
    }
}
