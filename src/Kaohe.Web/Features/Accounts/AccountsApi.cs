using Kaohe.Web.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace Kaohe.Web.Features.Accounts;

public sealed record TokenRequest(string? Username, string? Password);

public sealed record TokenResponse(string Token, DateTimeOffset ExpiresAt);

public sealed record AntiforgeryToken(string HeaderName, string RequestToken);

public static class AccountsApi
{
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(8);

    public static void MapAccountsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/auth/token", IssueToken).AllowAnonymous().RequireRateLimiting(Auth.LoginRateLimit)
            .WithSummary("Sign in: returns a bearer token / 登录并获取令牌");
        // A page of this site that writes to the API with the sign-in cookie sends this token in X-CSRF-TOKEN (CookieApiGuard).
        api.MapGet("/auth/antiforgery", (HttpContext ctx, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery) =>
            {
                var tokens = antiforgery.GetAndStoreTokens(ctx);
                return TypedResults.Ok(new AntiforgeryToken(tokens.HeaderName ?? "X-CSRF-TOKEN", tokens.RequestToken ?? ""));
            }).RequireAuthorization(Policies.Staff)
            .WithSummary("防伪令牌：以登录 Cookie 写入时放在 X-CSRF-TOKEN 头 / the anti-forgery token a cookie-signed-in page sends in X-CSRF-TOKEN");
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueToken(
        TokenRequest request, UserManager<AppUser> users, SignInManager<AppUser> signIn, KaoheDbContext db, TimeProvider clock)
    {
        if (string.IsNullOrWhiteSpace(request.Username) || string.IsNullOrEmpty(request.Password))
            return Problems.BadRequest("请填写用户名和密码", "username and password are required",
                new Dictionary<string, string[]> { [string.IsNullOrWhiteSpace(request.Username) ? "username" : "password"] = [Ui.T("必填", "required")] });
        var user = await users.FindByNameAsync(request.Username.Trim());
        if (user is null)
            return Problems.Problem(401, Ui.T("登录失败", "Sign-in failed"), Ui.T("用户名或密码错误", "wrong username or password"));
        var result = await signIn.CheckPasswordSignInAsync(user, request.Password, lockoutOnFailure: true);
        if (result.IsLockedOut)
            return Problems.Problem(423, Ui.T("账号已锁定", "Account locked"), Ui.T("多次登录失败，账号已暂时锁定，请 15 分钟后再试", "too many failed sign-ins: the account is locked for 15 minutes"));
        if (!result.Succeeded)
            return Problems.Problem(401, Ui.T("登录失败", "Sign-in failed"), Ui.T("用户名或密码错误", "wrong username or password"));
        var token = Auth.NewSecret();
        var expires = clock.GetUtcNow() + TokenLifetime;
        db.AccessTokens.Add(new AccessToken(Auth.Hash(token), user.Id, expires));
        await db.SaveChangesAsync();
        return TypedResults.Ok(new TokenResponse(token, expires));
    }
}
