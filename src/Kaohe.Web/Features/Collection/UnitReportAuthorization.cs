using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace Kaohe.Web.Features.Collection;

/// <summary>One unit's 填报 of one period: its report sheet, its drafts, its evidence, its submission.</summary>
public sealed record UnitReport(string PeriodId, string UnitId);

/// <summary>
/// Who may read and who may fill in one unit's report (docs/visibility.md, "reports"). Read: the unit's own
/// accounts (a unit reporter, or a division, which is itself assessed as 机关处室 and reports its own common
/// indicators), and the office. Act (save drafts, evidence, submit): the unit's own accounts only; the office
/// looks but does not report for a unit. No list filter: only the office's progress board lists other units' sheets.
/// </summary>
public sealed class UnitReportAuthorization : UnitResourceHandler<UnitReport>
{
    public override Task<bool> AllowsAsync(ClaimsPrincipal user, OperationAuthorizationRequirement operation, UnitReport report, CancellationToken ct = default)
    {
        var own = user.Role() is Roles.Unit or Roles.Division && OwnUnit(user, report.UnitId);
        var allowed = operation == UnitOperations.Read ? own || user.Role() == Roles.Office
            : operation == UnitOperations.Act && own;
        return Task.FromResult(allowed);
    }
}
