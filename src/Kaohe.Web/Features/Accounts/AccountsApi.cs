using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;

namespace Kaohe.Web.Features.Accounts;

public sealed record TokenRequest(string? Username, string? Password);

public sealed record TokenResponse(string Token, DateTimeOffset ExpiresAt);

public sealed record AntiforgeryToken(string HeaderName, string RequestToken);

public sealed record EndedSessions(string Account, int Ended);

public static class AccountsApi
{
    public static void MapAccountsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/auth/token", IssueToken).ProducesFailures(FailureKind.Invalid).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status423Locked).ProducesProblem(StatusCodes.Status429TooManyRequests).NotPeriodInputs("sign-in").AllowAnonymous().RequireRateLimiting(Auth.LoginRateLimit)
            .WithSummary("Sign in: returns a bearer token / 登录并获取令牌");
        api.MapDelete("/auth/token", RevokeToken).NotPeriodInputs("sign-out").RequireAuthorization(Policies.Staff)
            .WithSummary("注销本令牌（或本次登录）/ revoke this bearer token (or end this sign-in)");
        api.MapDelete("/accounts/{userName}/sessions", EndSessions).ProducesFailures(FailureKind.NotFound).NotPeriodInputs("ends sessions").RequireAuthorization(Policies.Office)
            .WithSummary("结束某账号的全部会话和令牌 / end every session and token of an account");
        api.MapPost("/accounts/{userName}/password", (string userName, AccountAdmin admin, CancellationToken ct) => Answer(admin.ResetPasswordAsync(userName, ct))).ProducesFailures(FailureKind.NotFound, FailureKind.Conflict)
            .NotPeriodInputs("resets a password").RequireAuthorization(Policies.Office)
            .WithSummary("重置密码：生成新密码（只返回这一次）并结束该账号全部会话 / reset the password to a generated one (returned once) and end every session");
        api.MapPost("/accounts/{userName}/disable", (string userName, AccountAdmin admin, ClaimsPrincipal by, CancellationToken ct) => Answer(admin.DisableAsync(userName, by, ct))).ProducesFailures(FailureKind.NotFound, FailureKind.Conflict)
            .NotPeriodInputs("disables an account").RequireAuthorization(Policies.Office)
            .WithSummary("停用账号：不能再登录，全部会话和令牌立即结束 / disable an account: it cannot sign in and every session and token ends at once");
        api.MapPost("/accounts/{userName}/enable", (string userName, AccountAdmin admin, CancellationToken ct) => Answer(admin.EnableAsync(userName, ct))).ProducesFailures(FailureKind.NotFound, FailureKind.Conflict)
            .NotPeriodInputs("enables an account").RequireAuthorization(Policies.Office)
            .WithSummary("启用已停用的账号 / enable a disabled account");
        // A page of this site that writes to the API with the sign-in cookie sends this token in X-CSRF-TOKEN (CookieApiGuard).
        api.MapGet("/auth/antiforgery", (HttpContext ctx, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery) =>
            {
                var tokens = antiforgery.GetAndStoreTokens(ctx);
                return TypedResults.Ok(new AntiforgeryToken(tokens.HeaderName ?? "X-CSRF-TOKEN", tokens.RequestToken ?? ""));
            }).RequireAuthorization(Policies.Staff)
            .WithSummary("防伪令牌：以登录 Cookie 写入时放在 X-CSRF-TOKEN 头 / the anti-forgery token a cookie-signed-in page sends in X-CSRF-TOKEN");
    }

    private static async Task<Results<Ok<AccountChange>, ProblemHttpResult>> Answer(Task<(AccountChange? Change, Failure? Refusal)> action)
    {
        var (change, refusal) = await action;
        return refusal is null ? TypedResults.Ok(change!) : refusal.ToProblem();
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueToken(TokenRequest request, SignInGuard guard, HttpContext http)
    {
        if (string.IsNullOrWhiteSpace(request.Username) || string.IsNullOrEmpty(request.Password))
            return Problems.BadRequest("请填写用户名和密码", "username and password are required",
                new Dictionary<string, string[]> { [string.IsNullOrWhiteSpace(request.Username) ? "username" : "password"] = [Ui.T("必填", "required")] });
        // An unknown name and a wrong password answer alike, after the same work; a locked (name, address) pair
        // answers 423 whether the name exists or not (SignInGuard).
        var outcome = await guard.CheckAsync(request.Username, request.Password, http.Connection.RemoteIpAddress, http.RequestAborted);
        switch (outcome.Verdict)
        {
            case SignInVerdict.Locked:
                return Problems.Problem(423, Ui.T("登录已锁定", "Sign-in locked"),
                    Ui.T("从此地址对该账号登录失败次数过多，此地址的登录已锁定 15 分钟", "too many failed sign-ins to this account from this address: sign-in from here is locked for 15 minutes"));
            case SignInVerdict.TooMany:
                http.Response.Headers.RetryAfter = "60";
                return Problems.Problem(429, Ui.T("请求过于频繁", "Too many requests"), Ui.T("此账号登录尝试过于频繁，请稍候一分钟再试", "too many sign-in attempts for this account: wait a minute"));
            case SignInVerdict.Failed:
                return Problems.Problem(401, Ui.T("登录失败", "Sign-in failed"), Ui.T("用户名或密码错误", "wrong username or password"));
        }
        var (token, row) = await guard.StartAsync(outcome.User!, AccessToken.Bearer, http.RequestAborted);
        return TypedResults.Ok(new TokenResponse(token, row.ExpiresAt));
    }

    /// <summary>Revokes the bearer token of the request (or ends the browser session that sent it): it stops working at once, on every instance.</summary>
    private static async Task<NoContent> RevokeToken(ClaimsPrincipal user, SignInGuard guard, CancellationToken ct)
    {
        await guard.EndAsync(user, ct);
        return TypedResults.NoContent();
    }

    /// <summary>The office ends every session of an account (browser sign-ins and bearer tokens), e.g. a lost phone.</summary>
    private static async Task<Results<Ok<EndedSessions>, ProblemHttpResult>> EndSessions(string userName, UserManager<AppUser> users, SignInGuard guard, CancellationToken ct)
    {
        var account = await users.FindByNameAsync(userName);
        if (account is null) return Problems.NotFound($"账号 {userName} 不存在", $"there is no account {userName}");
        return TypedResults.Ok(new EndedSessions(account.UserName!, await guard.EndAllAsync(account, ct)));
    }
}
