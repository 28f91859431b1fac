using System.Net;
using Microsoft.AspNetCore.Diagnostics;

namespace Kaohe.Web.Infrastructure;

/// <summary>
/// What a person's browser gets instead of a bare status (issue 18): a page in the user's language that
/// says what happened, what to do next, and links back. The API (and any client that does not ask for
/// HTML) keeps its ProblemDetails. The page is written here, not through Razor and the layout, so that it
/// renders even when the failure was the database or the layout itself.
/// </summary>
public static class ErrorPages
{
    /// <summary>A page request: outside the API and its explorer, from a client that asks for HTML.</summary>
    public static bool IsPageRequest(HttpRequest request) =>
        !request.Path.StartsWithSegments("/api") && !request.Path.StartsWithSegments("/openapi") && !request.Path.StartsWithSegments(ApiExplorerPolicy.Path)
        && request.Headers.Accept.Any(a => a is not null && a.Contains("text/html", StringComparison.OrdinalIgnoreCase));

    /// <summary>Status-code pages: HTML for a page request, the framework's ProblemDetails for everything else.</summary>
    public static async Task StatusCodeAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        if (IsPageRequest(http.Request))
        {
            await WriteAsync(http, http.Response.StatusCode);
            return;
        }
        var status = http.Response.StatusCode;
        if (http.RequestServices.GetService<IProblemDetailsService>() is { } problems
            && await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = { Status = status } }))
            return;
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync($"Status Code: {status}");
    }

    /// <summary>The last resort of the exception handler (after <see cref="BadRequests"/>): a page for a person, a problem for a client.</summary>
    public static async Task UnhandledAsync(HttpContext http)
    {
        if (IsPageRequest(http.Request))
        {
            await WriteAsync(http, StatusCodes.Status500InternalServerError);
            return;
        }
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = StatusCodes.Status500InternalServerError, Title = Ui.T("服务器内部错误", "Internal server error") },
            Exception = http.Features.Get<IExceptionHandlerFeature>()?.Error,
        });
    }

    /// <summary>The page's title, what happened, and the next step, for each status a person may meet.</summary>
    public static (string Title, string What, string Next) Text(int status, PathString path, bool? english = null)
    {
        string T(string zh, string en) => english ?? Ui.IsEnglish ? en : zh;
        return status switch
        {
            StatusCodes.Status403Forbidden => (T("无权访问", "Access denied"),
                T("您的角色或所属单位不能查看此页面。", "Your role or unit may not see this page."),
                T("请从首页进入您有权使用的功能；如确需权限，请联系考核办。", "Start from the home page, which lists what you may use; if you need access, ask the assessment office.")),
            StatusCodes.Status404NotFound => (T("页面不存在", "Page not found"),
                T("找不到您要访问的页面或记录：地址可能有误，或该记录已不存在、不属于您的单位。", "The page or record you asked for does not exist, no longer exists, or does not belong to your unit."),
                T("请检查地址，或从首页和导航栏重新进入。", "Check the address, or start again from the home page and the navigation.")),
            StatusCodes.Status429TooManyRequests when path.StartsWithSegments("/s") => (T("请求过于频繁", "Too many requests"),
                T("您在一分钟内提交的请求太多。", "Too many requests in one minute."),
                T("请稍候一分钟，再刷新本页面或重新扫码。", "Please wait a minute, then reload this page or scan the code again.")),
            StatusCodes.Status429TooManyRequests when path.StartsWithSegments("/Account/Login") => (T("登录尝试过于频繁", "Too many sign-in attempts"),
                T("从本机发出的登录尝试在一分钟内太多，已暂时停止受理。", "Too many sign-in attempts from this computer in one minute; they are paused."),
                T("请稍候一分钟再登录；如忘记密码，请联系考核办重置。", "Wait a minute, then sign in again; if you forgot your password, ask the assessment office to reset it.")),
            StatusCodes.Status429TooManyRequests => (T("请求过于频繁", "Too many requests"),
                T("一分钟内的请求太多，已暂时停止受理。", "Too many requests in one minute; they are paused."),
                T("请稍候一分钟，再刷新本页面。", "Wait a minute, then reload this page.")),
            >= 500 => (T("系统出错", "Something went wrong"),
                T("处理您的请求时系统出错，本次操作可能没有完成。错误已记录。", "The system failed while handling your request; it may not have been completed. The error was logged."),
                T("请返回上一页检查数据是否已保存，再重试一次；如仍出错，请联系考核办并说明时间和操作。", "Go back, check whether your data was saved, and try once more; if it fails again, tell the assessment office the time and what you did.")),
            _ => (T("请求未完成", "Request not completed"),
                T("无法完成此请求。", "This request could not be completed."),
                T("请返回上一页重试，或从首页重新进入。", "Go back and try again, or start again from the home page.")),
        };
    }

    public static async Task WriteAsync(HttpContext http, int status)
    {
        var (title, what, next) = Text(status, http.Request.Path);
        var response = http.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        if (status == StatusCodes.Status429TooManyRequests) response.Headers.RetryAfter = "60";
        var signedIn = http.User.Identity?.IsAuthenticated == true;
        // A citizen with a QR code may read neither language of the browser's choice: the survey's page says it in both.
        var survey = http.Request.Path.StartsWithSegments("/s");
        var back = Back(http.Request);
        string E(string s) => WebUtility.HtmlEncode(s);
        var links = new List<string>();
        if (back is not null) links.Add($"<a class=\"btn secondary\" href=\"{E(back)}\">{E(Ui.T("返回上一页", "Back"))}</a>");
        if (survey)
        { }   // the public survey: a citizen has no home page here, only the page and the code
        else if (signedIn || !http.Request.Path.StartsWithSegments("/Account/Login"))
            links.Add($"<a class=\"btn\" href=\"/\">{E(Ui.T("返回首页", "Home page"))}</a>");
        if (!signedIn && status is StatusCodes.Status403Forbidden or StatusCodes.Status404NotFound)
            links.Add($"<a class=\"btn secondary\" href=\"/Account/Login\">{E(Ui.T("登录", "Sign in"))}</a>");
        var html = $"""
            <!DOCTYPE html>
            <html lang="{(Ui.IsEnglish ? "en" : "zh-CN")}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{E(title)} · {E(Ui.T("考核", "Kaohe"))}</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/css/site.css"></head>
            <body><header class="topbar"><a class="brand" href="/"><span class="seal">考</span><span class="brand-text"><strong>{E(Ui.T("目标责任考核系统", "Target-Responsibility Assessment"))}</strong></span></a></header>
            <main class="page"><div class="card error-page" data-status="{status}">
            <h1>{E(title)}</h1>
            <p>{E(what)}</p>
            <p><strong>{E(Ui.T("下一步：", "Next: "))}</strong>{E(next)}</p>
            <p class="actions">{string.Join(" ", links)}</p>
            {(survey && !Ui.IsEnglish ? $"<p lang=\"en\">{E(Text(status, http.Request.Path, english: true).What)} {E(Text(status, http.Request.Path, english: true).Next)}</p>" : "")}
            <p class="muted small">{E(Ui.T("错误代码", "Status"))} {status}</p>
            </div></main></body></html>
            """;
        await response.WriteAsync(html, http.RequestAborted);
    }

    /// <summary>The page the person came from, if it is one of ours (never another site's address) and not this one.</summary>
    private static string? Back(HttpRequest request)
    {
        if (!Uri.TryCreate(request.Headers.Referer.ToString(), UriKind.Absolute, out var referer)) return null;
        if (!string.Equals(referer.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)) return null;
        var local = referer.PathAndQuery;
        return local == request.Path + request.QueryString || !local.StartsWith('/') || local.StartsWith("//", StringComparison.Ordinal) ? null : local;
    }
}
