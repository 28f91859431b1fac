using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;

namespace Kaohe.Web.Infrastructure;

/// <summary>
/// Cross-site request forgery on the API (issue 17): a page on another site could make a signed-in
/// person's browser send a write to <c>/api</c> with the sign-in cookie (SameSite=Strict stops most
/// browsers, not all, and not a sibling site). A write to the API authenticated by the cookie must
/// therefore (1) not come from a foreign <c>Origin</c>, and (2) carry the anti-forgery token in the
/// <c>X-CSRF-TOKEN</c> header, which a page of this site gets from <c>GET /api/v1/auth/antiforgery</c>
/// and no other site can read. Bearer tokens and API keys are exempt: a browser never sends them by itself.
/// </summary>
public static class CookieApiGuard
{
    public static IApplicationBuilder UseCookieApiGuard(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        var request = ctx.Request;
        if (!request.Path.StartsWithSegments("/api") || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
            || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method)
            || ctx.User.Identity is not { IsAuthenticated: true, AuthenticationType: var type } || type != IdentityConstants.ApplicationScheme)
        {
            await next();
            return;
        }
        if (request.Headers.Origin.ToString() is { Length: > 0 } origin && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            await Refuse(ctx, Ui.T($"拒绝来自其他站点（{origin}）的请求", $"a request from another site ({origin}) is refused"));
            return;
        }
        if (!await ctx.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(ctx))
        {
            await Refuse(ctx, Ui.T("缺少或无效的防伪令牌：以登录 Cookie 调用接口写入数据时，须在 X-CSRF-TOKEN 头中附上 GET /api/v1/auth/antiforgery 取得的令牌",
                "the anti-forgery token is missing or invalid: a write to the API signed in with the cookie must send the token of GET /api/v1/auth/antiforgery in the X-CSRF-TOKEN header"));
            return;
        }
        await next();
    });

    private static Task Refuse(HttpContext ctx, string detail)
    {
        ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Results.Problem(statusCode: 403, title: Ui.T("跨站请求被拒绝", "Cross-site request refused"), detail: detail).ExecuteAsync(ctx);
    }
}
