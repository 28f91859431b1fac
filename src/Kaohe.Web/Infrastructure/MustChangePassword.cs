using System.Security.Claims;
using Kaohe.Data;
using Microsoft.AspNetCore.Identity;

namespace Kaohe.Web.Infrastructure;

/// <summary>
/// A one-time password — admin's printed on the first start, one the office generates for a new account or a reset —
/// has been seen by someone other than its owner (the console, the office), so it only opens the way to a new password
/// (issue 18): until the person sets one, every page leads to 修改密码 and the API answers 403 with a problem saying so.
/// The mark is an Identity user claim (AspNetUserClaims), so it needs no column: Identity puts it into the sign-in cookie,
/// and <see cref="TokenHandler"/> into a bearer token's principal.
/// </summary>
public static class MustChangePassword
{
    public const string ClaimType = "kaohe:must-change-password";
    public const string PagePath = "/Account/ChangePassword";

    /// <summary>
    /// A session signed in with the one-time password. A person signed in through single sign-on never typed it: the
    /// organisation's provider vouched for them, so they are not sent to set a local password they do not use (the mark
    /// stays, and the password form still demands the change).
    /// </summary>
    public static bool Applies(ClaimsPrincipal user) => user.HasClaim(c => c.Type == ClaimType) && !user.HasClaim(Oidc.MethodClaim, Oidc.Method);

    /// <summary>Marks the account: its next sign-in must set a new password.</summary>
    public static async Task MarkAsync(UserManager<AppUser> users, AppUser user)
    {
        if ((await users.GetClaimsAsync(user)).Any(c => c.Type == ClaimType)) return;
        var result = await users.AddClaimAsync(user, new Claim(ClaimType, "1"));
        if (!result.Succeeded) throw new InvalidOperationException("cannot mark the password as one-time: " + string.Join("; ", result.Errors.Select(e => e.Description)));
    }

    public static async Task ClearAsync(UserManager<AppUser> users, AppUser user)
    {
        var marks = (await users.GetClaimsAsync(user)).Where(c => c.Type == ClaimType).ToList();
        if (marks.Count > 0) await users.RemoveClaimsAsync(user, marks);
    }

    /// <summary>After authentication: a marked session reaches only 修改密码 and sign-out.</summary>
    public static IApplicationBuilder UseMustChangePassword(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        if (!Applies(ctx.User))
        {
            await next();
            return;
        }
        var path = ctx.Request.Path;
        if (path.StartsWithSegments(PagePath) || path.StartsWithSegments("/Account/Logout") || path.StartsWithSegments("/Account/Login")
            || path.StartsWithSegments("/Error") || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/lang")
            || (path.StartsWithSegments("/api/v1/auth/token") && HttpMethods.IsDelete(ctx.Request.Method)))
        {
            await next();
            return;
        }
        if (path.StartsWithSegments("/api"))
        {
            ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
            await Results.Problem(statusCode: 403, title: Ui.T("须先修改初始密码", "Change your password first"),
                detail: Ui.T($"此账号使用的是一次性初始密码（由管理员生成或重置），修改密码前不能调用接口：请在网页 {PagePath} 设置新密码后重新获取令牌",
                    $"this account has a one-time password (generated or reset by an administrator) and cannot use the API until it is changed: set a new password on the page {PagePath}, then get a new token"),
                extensions: new Dictionary<string, object?> { ["mustChangePassword"] = true }).ExecuteAsync(ctx);
            return;
        }
        var back = path.ToString() + ctx.Request.QueryString;
        ctx.Response.Redirect(HttpMethods.IsGet(ctx.Request.Method) && back is not ("" or "/") ? $"{PagePath}?returnUrl={Uri.EscapeDataString(back)}" : PagePath);
    });
}
