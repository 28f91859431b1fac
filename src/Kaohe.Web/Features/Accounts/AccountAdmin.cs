using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Accounts;

/// <summary>The outcome of an account action: the account, a generated password (reset only, shown once) and how many sessions ended.</summary>
public sealed record AccountChange(string Account, bool Disabled, int SessionsEnded, string? Password = null);

/// <summary>
/// The office's reset, disable and enable of an account (issue 18), for the 账号 page and the API alike.
/// A disabled account keeps its data and history but cannot sign in: its lockout end is set to
/// <see cref="DisabledUntil"/>, which SignInGuard, the cookie check and the token handler already refuse,
/// and every session and token it holds ends in the same request. Each action is audited.
/// </summary>
public sealed class AccountAdmin(KaoheDbContext db, UserManager<AppUser> users, SignInGuard guard, AuditLog audit)
{
    /// <summary>The lockout end that marks an account disabled; far enough that no clock reaches it, short of the types' maximum
    /// (PostgreSQL would store <see cref="DateTimeOffset.MaxValue"/> as infinity).</summary>
    public static readonly DateTimeOffset DisabledUntil = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static bool IsDisabled(AppUser u) => u.LockoutEnd is { } end && end >= DisabledUntil;

    /// <summary>A new generated password (the old one stops working) and the end of every session, so a lost device signs out too.</summary>
    public async Task<(AccountChange? Change, Failure? Refusal)> ResetPasswordAsync(string userName, CancellationToken ct = default)
    {
        var user = await users.FindByNameAsync(userName);
        if (user is null) return (null, Missing(userName));
        var password = Passwords.New();
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var result = await users.ResetPasswordAsync(user, token, password);
        if (!result.Succeeded)
            return (null, new Failure(FailureKind.Conflict, "密码未能重置：" + string.Join("；", result.Errors.Select(e => e.Description)),
                "the password was not reset: " + string.Join("; ", result.Errors.Select(e => e.Description))));
        // The office has seen the new password: its owner sets their own at the next sign-in.
        await MustChangePassword.MarkAsync(users, user);
        var ended = await db.AccessTokens.Where(t => t.UserId == user.Id).ExecuteDeleteAsync(ct);
        audit.Record("account.reset-password", "user", user.UserName!, null, new { sessionsEnded = ended });
        await audit.SaveAsync(ct);
        return (new(user.UserName!, IsDisabled(user), ended, password), null);
    }

    /// <summary>Disables an account and ends its sessions at once. The office may not disable itself, nor the last office account that can sign in.</summary>
    public async Task<(AccountChange? Change, Failure? Refusal)> DisableAsync(string userName, ClaimsPrincipal by, CancellationToken ct = default)
    {
        var user = await users.FindByNameAsync(userName);
        if (user is null) return (null, Missing(userName));
        if (user.Id == by.FindFirstValue(ClaimTypes.NameIdentifier))
            return (null, new Failure(FailureKind.Conflict, "不能停用自己正在使用的账号", "you cannot disable the account you are signed in with"));
        if (IsDisabled(user)) return (new(user.UserName!, true, 0), null);
        if (user.Role == Roles.Office)
        {
            var otherOffice = await db.Users.Where(u => u.Role == Roles.Office && u.Id != user.Id).Select(u => u.LockoutEnd).ToListAsync(ct);
            if (!otherOffice.Any(end => end is null || end < DisabledUntil))
                return (null, new Failure(FailureKind.Conflict, $"账号 {user.UserName} 是最后一个可用的考核办账号，不能停用",
                    $"{user.UserName} is the last office account that can sign in; it cannot be disabled"));
        }
        var before = user.LockoutEnd;
        user.LockoutEnd = DisabledUntil;
        await users.UpdateAsync(user);
        await users.UpdateSecurityStampAsync(user);
        var ended = await db.AccessTokens.Where(t => t.UserId == user.Id).ExecuteDeleteAsync(ct);
        audit.Record("account.disable", "user", user.UserName!, new { disabled = false, lockoutEnd = before }, new { disabled = true, sessionsEnded = ended });
        await audit.SaveAsync(ct);
        return (new(user.UserName!, true, ended), null);
    }

    /// <summary>Enables a disabled account: it signs in again with its password (reset it too when the person has left).</summary>
    public async Task<(AccountChange? Change, Failure? Refusal)> EnableAsync(string userName, CancellationToken ct = default)
    {
        var user = await users.FindByNameAsync(userName);
        if (user is null) return (null, Missing(userName));
        if (!IsDisabled(user)) return (new(user.UserName!, false, 0), null);
        user.LockoutEnd = null;
        await users.UpdateAsync(user);
        await users.ResetAccessFailedCountAsync(user);
        await guard.UnlockAsync(user, ct);
        audit.Record("account.enable", "user", user.UserName!, new { disabled = true }, new { disabled = false });
        await audit.SaveAsync(ct);
        return (new(user.UserName!, false, 0), null);
    }

    private static Failure Missing(string userName) =>
        new Failure(FailureKind.NotFound, $"账号 {userName} 不存在", $"there is no account {userName}");
}
