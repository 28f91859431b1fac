using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Inspections;

/// <summary>
/// Who may read one inspection finding and its photos: the office, and the members of the group that made it
/// (the unit inspected sees the finding as a fact, through <see cref="Kaohe.Web.Features.Facts.FactAuthorization"/>). Beside it,
/// <see cref="VisibleTo"/>, the same rule for a list.
/// </summary>
public sealed class InspectionFindingAuthorization(KaoheDbContext db) : UnitResourceHandler<InspectionFinding>
{
    public override async Task<bool> AllowsAsync(ClaimsPrincipal user, OperationAuthorizationRequirement operation, InspectionFinding finding, CancellationToken ct = default) =>
        operation == UnitOperations.Read && user.Role() switch
        {
            Roles.Office => true,
            // Group membership is in the database: the list filter's own query, for this one finding.
            Roles.Assessor => await VisibleTo(db, db.Set<InspectionFinding>().AsNoTracking().Where(f => f.Id == finding.Id), user).AnyAsync(ct),
            _ => false,
        };

    /// <summary>The findings <paramref name="user"/> may read: <see cref="InspectionFindingAuthorization"/>'s rule as a query.</summary>
    public static IQueryable<InspectionFinding> VisibleTo(KaoheDbContext db, IQueryable<InspectionFinding> findings, ClaimsPrincipal user)
    {
        var name = user.Identity?.Name ?? "";
        return user.Role() switch
        {
            Roles.Office => findings,
            Roles.Assessor => findings.Where(f => db.Set<InspectionGroupMember>().Any(m => m.GroupId == f.GroupId && m.Inspector!.UserName == name)),
            _ => findings.Where(_ => false),
        };
    }
}
