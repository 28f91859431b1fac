using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace Kaohe.Web.Features.Rectification;

/// <summary>
/// Whose notification (站内提醒) one is, to read and mark read: the office its own (recipient <c>office</c>); a
/// unit's staff those of its unit and of its head (<c>unit:ID</c>, <c>head:ID</c>); nobody else. Beside it,
/// <see cref="VisibleTo"/>, the same rule for the inbox.
/// </summary>
public sealed class NotificationAuthorization : UnitResourceHandler<Notification>
{
    public override Task<bool> AllowsAsync(ClaimsPrincipal user, OperationAuthorizationRequirement operation, Notification notification, CancellationToken ct = default) =>
        Task.FromResult(operation == UnitOperations.Read && user.Role() switch
        {
            Roles.Office => notification.Recipient == "office",
            Roles.Unit => RecipientUnit(notification.Recipient) is { } unit && OwnUnit(user, unit),
            _ => false,
        });

    /// <summary>The unit a <c>unit:ID</c> or <c>head:ID</c> recipient names; null for the office.</summary>
    private static string? RecipientUnit(string recipient) =>
        recipient.StartsWith("unit:", StringComparison.Ordinal) || recipient.StartsWith("head:", StringComparison.Ordinal) ? recipient[5..] : null;

    /// <summary>The inbox of <paramref name="user"/>: <see cref="NotificationAuthorization"/>'s rule as a query.</summary>
    public static IQueryable<Notification> VisibleTo(IQueryable<Notification> all, ClaimsPrincipal user)
    {
        var role = user.Role();
        var unit = user.UnitId();
        if (role == Roles.Office) return all.Where(n => n.Recipient == "office");
        if (role == Roles.Unit && unit is not null)
        {
            string a = "unit:" + unit, b = "head:" + unit;
            return all.Where(n => n.Recipient == a || n.Recipient == b);
        }
        return all.Where(_ => false);
    }
}
