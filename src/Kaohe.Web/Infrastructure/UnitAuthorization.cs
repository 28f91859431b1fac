using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace Kaohe.Web.Infrastructure;

/// <summary>
/// What a person may do to one unit-scoped resource (a rectification item, a fact, …), asked through
/// <see cref="IAuthorizationService"/> and answered by that resource's handler in its feature folder
/// (docs/architecture.md, "Authorization by resource"). Only the operations the code asks for.
/// </summary>
public static class UnitOperations
{
    /// <summary>See it (and its files).</summary>
    public static readonly OperationAuthorizationRequirement Read = new() { Name = nameof(Read) };

    /// <summary>Work on it as its own unit does, or the office for it (办理 a rectification item).</summary>
    public static readonly OperationAuthorizationRequirement Act = new() { Name = nameof(Act) };
}

/// <summary>
/// The base of every unit-scoped resource's handler. The rule is one method, <see cref="AllowsAsync"/>,
/// so that the handler's tests and its list filter (<c>VisibleTo</c>, beside it in the same file) can be
/// held to the same answers.
/// </summary>
public abstract class UnitResourceHandler<TResource> : AuthorizationHandler<OperationAuthorizationRequirement, TResource>
{
    protected sealed override async Task HandleRequirementAsync(AuthorizationHandlerContext context, OperationAuthorizationRequirement requirement, TResource resource)
    {
        if (await AllowsAsync(context.User, requirement, resource)) context.Succeed(requirement);
    }

    /// <summary>Whether <paramref name="user"/> may do <paramref name="operation"/> to <paramref name="resource"/>; false for an operation this resource does not know.</summary>
    public abstract Task<bool> AllowsAsync(ClaimsPrincipal user, OperationAuthorizationRequirement operation, TResource resource, CancellationToken ct = default);

    /// <summary>The person's account belongs to the resource's unit. The one comparison of a unit claim with a resource's unit.</summary>
    protected static bool OwnUnit(ClaimsPrincipal user, string resourceUnit) => user.UnitId() is { } unit && unit == resourceUnit;
}

public static class ResourceAuthorization
{
    /// <summary>Asks the resource's handler (pages and endpoints alike).</summary>
    public static async Task<bool> MayAsync(this IAuthorizationService authorization, ClaimsPrincipal user, object resource, OperationAuthorizationRequirement operation) =>
        (await authorization.AuthorizeAsync(user, resource, operation)).Succeeded;
}
