using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace Kaohe.Web.Features.Publication;

/// <summary>
/// Who may read one appeal and its evidence (docs/visibility.md, "appeals"): the office, leaders and viewers
/// all; a unit its own. Beside it, <see cref="VisibleTo"/>, the same rule for a list. Deciding an appeal is the
/// office's route policy; submitting one is for the signed-in unit's own unit (<see cref="Appeals.SubmitAsync"/>).
/// </summary>
public sealed class AppealAuthorization : UnitResourceHandler<Appeal>
{
    public override Task<bool> AllowsAsync(ClaimsPrincipal user, OperationAuthorizationRequirement operation, Appeal appeal, CancellationToken ct = default) =>
        Task.FromResult(operation == UnitOperations.Read && user.Role() switch
        {
            Roles.Office or Roles.Leader or Roles.Viewer => true,
            Roles.Unit => OwnUnit(user, appeal.UnitId),
            _ => false,
        });

    /// <summary>The appeals <paramref name="user"/> may read: <see cref="AppealAuthorization"/>'s rule as a query.</summary>
    public static IQueryable<Appeal> VisibleTo(IQueryable<Appeal> q, ClaimsPrincipal user)
    {
        var unit = user.UnitId();
        return user.Role() switch
        {
            Roles.Office or Roles.Leader or Roles.Viewer => q,
            Roles.Unit => q.Where(a => a.UnitId == unit),
            _ => q.Where(_ => false),
        };
    }
}
