using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace Kaohe.Web.Features.Adjustments;

/// <summary>
/// Who may read one adjustment or veto and its evidence (docs/visibility.md, "adjustments and vetoes"): the office
/// everything; a unit its own approved events; leaders and viewers approved events; others nothing. Beside it,
/// <see cref="AdjustmentVisibility.VisibleTo"/>, the same rule for a list. Recording and deciding are the office's route policy.
/// </summary>
public sealed class AdjustmentAuthorization : UnitResourceHandler<AdjustmentEvent>
{
    public override Task<bool> AllowsAsync(ClaimsPrincipal user, OperationAuthorizationRequirement operation, AdjustmentEvent e, CancellationToken ct = default) =>
        Task.FromResult(operation == UnitOperations.Read && user.Role() switch
        {
            Roles.Office => true,
            Roles.Unit => OwnUnit(user, e.UnitId) && e.Status == AdjustmentEventStatus.Approved,
            Roles.Leader or Roles.Viewer => e.Status == AdjustmentEventStatus.Approved,
            _ => false,
        });
}

public static class AdjustmentVisibility
{
    /// <summary>The events <paramref name="user"/> may read: <see cref="AdjustmentAuthorization"/>'s rule as a query.</summary>
    public static IQueryable<AdjustmentEvent> VisibleTo(this IQueryable<AdjustmentEvent> events, ClaimsPrincipal user)
    {
        var unit = user.UnitId();
        return user.Role() switch
        {
            Roles.Office => events,
            Roles.Unit => events.Where(e => e.UnitId == unit && e.Status == AdjustmentEventStatus.Approved),
            Roles.Leader or Roles.Viewer => events.Where(e => e.Status == AdjustmentEventStatus.Approved),
            _ => events.Where(_ => false),
        };
    }
}
