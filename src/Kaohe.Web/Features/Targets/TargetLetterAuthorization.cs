using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace Kaohe.Web.Features.Targets;

/// <summary>
/// Who may read one target letter (and its milestone evidence) and who may acknowledge it (docs/visibility.md,
/// "target letters"). Read: the office every letter, drafts too; leaders and viewers issued letters; a unit or a
/// division its own issued letters; a division also the issued letters with a key task it assesses. Act (签收):
/// the letter's own unit's accounts, once issued. Beside it, <see cref="TargetLetterVisibility.VisibleTo"/>, the
/// same rule for a list, less the assessed letters (who assesses a task is inside the letter's text, which a query
/// cannot read: the division's list adds them with <see cref="TargetLettersApi.AssignedToAsync"/>).
/// </summary>
public sealed class TargetLetterAuthorization(KaoheDbContext db) : UnitResourceHandler<TargetLetter>
{
    public override async Task<bool> AllowsAsync(ClaimsPrincipal user, OperationAuthorizationRequirement operation, TargetLetter letter, CancellationToken ct = default)
    {
        var issued = letter.Version > 0;
        if (operation == UnitOperations.Act) return issued && user.Role() is Roles.Unit or Roles.Division && OwnUnit(user, letter.UnitId);
        if (operation != UnitOperations.Read) return false;
        return user.Role() switch
        {
            Roles.Office => true,
            Roles.Leader or Roles.Viewer => issued,
            Roles.Unit => issued && OwnUnit(user, letter.UnitId),
            Roles.Division => issued && (OwnUnit(user, letter.UnitId)
                || (await TargetLetterService.IssuedContentAsync(db, letter, ct)).Tasks.Any(t => OwnUnit(user, t.Assessor))),
            _ => false,
        };
    }
}

/// <summary>Who may assess a key task's milestones (Act): the office, and the division the task names as its assessor.</summary>
public sealed class KeyTaskAuthorization : UnitResourceHandler<LetterTask>
{
    public override Task<bool> AllowsAsync(ClaimsPrincipal user, OperationAuthorizationRequirement operation, LetterTask task, CancellationToken ct = default) =>
        Task.FromResult(operation == UnitOperations.Act && (user.Role() == Roles.Office || (user.Role() == Roles.Division && OwnUnit(user, task.Assessor))));
}

public static class TargetLetterVisibility
{
    /// <summary>The letters <paramref name="user"/> may read, as a query: <see cref="TargetLetterAuthorization"/>'s rule less the letters a division assesses a task of.</summary>
    public static IQueryable<TargetLetter> VisibleTo(this IQueryable<TargetLetter> letters, ClaimsPrincipal user)
    {
        var unit = user.UnitId();
        return user.Role() switch
        {
            Roles.Office => letters,
            Roles.Leader or Roles.Viewer => letters.Where(l => l.Version > 0),
            Roles.Unit or Roles.Division => letters.Where(l => l.Version > 0 && l.UnitId == unit),
            _ => letters.Where(_ => false),
        };
    }
}
