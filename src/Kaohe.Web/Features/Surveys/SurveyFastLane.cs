using System.Globalization;
using System.Text.Json;
using System.Threading.RateLimiting;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Http.Features;

namespace Kaohe.Web.Features.Surveys;

/// <summary>
/// The public web submission (<c>POST /api/v1/survey/{token}</c>) served at the front of the
/// pipeline. Measured on the bench (docs/surveys-throughput.md), the general pipeline — request
/// localization, status pages, routing over every page and API, authentication, authorization,
/// anti-forgery — cost several times a bare Kestrel request, for an endpoint that needs none of it:
/// it is anonymous, takes JSON, and answers 201 or a problem. This lane keeps what the endpoint does
/// need: the per-address rate limit (the same window as the other public survey requests, <see cref="SurveyRateLimit"/>), the security
/// headers, the language of the problem texts (<c>?lang=</c>, the language cookie, Accept-Language),
/// JSON errors naming their path, and a body size limit. <c>Kaohe:Survey:FastLane=false</c> turns it
/// off; the same handler is then reached through the mapped endpoint.
/// </summary>
public sealed class SurveyFastLane : IStartupFilter
{
    private const string Prefix = "/api/v1/survey/";
    private const long MaxBody = 64 * 1024;

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var config = app.ApplicationServices.GetRequiredService<IConfiguration>();
        if (config.GetValue("Kaohe:Survey:FastLane", true))
        {
            var limiter = app.ApplicationServices.GetRequiredService<SurveyRateLimit>();
            // A singleton, resolved once: the lane never touches RequestServices, so no request scope is created.
            var intake = app.ApplicationServices.GetRequiredService<SurveyIntake>();
            app.Use(async (ctx, nextMiddleware) =>
            {
                var path = ctx.Request.Path.Value;
                if (!HttpMethods.IsPost(ctx.Request.Method) || path is null || !path.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
                    || path.Length == Prefix.Length || path.IndexOf('/', Prefix.Length) >= 0)
                {
                    await nextMiddleware(ctx);
                    return;
                }
                await SubmitAsync(ctx, path[Prefix.Length..], limiter, intake);
            });
        }
        next(app);
    };

    private static async Task SubmitAsync(HttpContext ctx, string token, SurveyRateLimit limiter, SurveyIntake intake)
    {
        var h = ctx.Response.Headers;
        h["X-Content-Type-Options"] = "nosniff";
        h["X-Frame-Options"] = "DENY";
        h["Referrer-Policy"] = "same-origin";
        h["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'";
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = Language(ctx.Request) ? En : Zh;
        try
        {
            using var lease = limiter.Acquire(ctx);
            if (!lease.IsAcquired)
            {
                await Problems.Problem(StatusCodes.Status429TooManyRequests, Ui.T("请求过于频繁", "Too many requests"),
                    Ui.T("请稍后再提交", "please submit again in a minute")).ExecuteAsync(ctx);
                return;
            }
            if (!(ctx.Request.HasJsonContentType()))
            {
                await Problems.Problem(StatusCodes.Status415UnsupportedMediaType,
                    Ui.T("请以 application/json 提交", "send the answers as application/json")).ExecuteAsync(ctx);
                return;
            }
            if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = MaxBody;
            SurveySubmission? body;
            try
            {
                body = await JsonSerializer.DeserializeAsync<SurveySubmission>(ctx.Request.Body, SurveyDocuments.Json, ctx.RequestAborted);
            }
            catch (JsonException ex)
            {
                await Problems.BadRequest("请求内容不是有效的 JSON", "the body is not valid JSON",
                    new Dictionary<string, string[]> { [ex.Path ?? "$"] = [Ui.T("格式有误", "invalid")] }).ExecuteAsync(ctx);
                return;
            }
            catch (BadHttpRequestException ex)
            {
                await Problems.Problem(ex.StatusCode, Ui.T("请求内容过大或不完整", "the body is too large or incomplete")).ExecuteAsync(ctx);
                return;
            }
            if (body is null)
            {
                await Problems.BadRequest("请求内容为空", "the body is empty", new Dictionary<string, string[]> { ["$"] = [Ui.T("缺少内容", "missing")] }).ExecuteAsync(ctx);
                return;
            }
            var result = await intake.SubmitAsync(Uri.UnescapeDataString(token), new SurveyAnswers(body.Answers ?? []), body.Language ?? Texts.Chinese,
                ctx.Connection.RemoteIpAddress?.ToString(), ctx.RequestAborted);
            if (result.Outcome == SubmitOutcome.Stored)
            {
                // The common answer, written as bytes: the same 201 and body as SurveysApi.Answer's
                // TypedResults.Created, without resolving the JSON options (and a request scope) for it.
                ctx.Response.StatusCode = StatusCodes.Status201Created;
                ctx.Response.ContentType = "application/json; charset=utf-8";
                ctx.Response.ContentLength = Created.Length;
                await ctx.Response.Body.WriteAsync(Created, ctx.RequestAborted);
                return;
            }
            await SurveysApi.Answer(result).ExecuteAsync(ctx);
        }
        finally
        {
            CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = previous;
        }
    }

    private static readonly CultureInfo Zh = new(Ui.Chinese), En = new(Ui.English);

    private static readonly byte[] Created = "{\"received\":true}"u8.ToArray();

    /// <summary>True for English: <c>?lang=</c>, then the language cookie, then the first Accept-Language; Chinese otherwise.</summary>
    private static bool Language(HttpRequest r)
    {
        if (r.Query.TryGetValue("lang", out var q) && q.Count > 0) return q[0]!.StartsWith("en", StringComparison.OrdinalIgnoreCase);
        if (r.Cookies.TryGetValue(Ui.CultureCookie, out var c) && c is not null) return c.Contains("uic=en", StringComparison.OrdinalIgnoreCase);
        var accept = r.Headers.AcceptLanguage.ToString();
        return accept.StartsWith("en", StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>
/// The per-address limit of the public survey requests (<c>Kaohe:SurveyPerMinute</c>, 60 by default: a
/// crowd behind one carrier NAT at a site must still get through), one window per address shared by
/// the form, the questionnaire, the API and <see cref="SurveyFastLane"/>. It lives in each instance's
/// memory: it only guards against floods; single use is guaranteed by the database.
/// </summary>
public sealed class SurveyRateLimit(IConfiguration config) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address,
        _ => new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, config.GetValue("Kaohe:SurveyPerMinute", 60)), Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));

    public static string Key(HttpContext ctx) => ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    public RateLimitLease Acquire(HttpContext ctx) => _limiter.AttemptAcquire(Key(ctx));

    /// <summary>The address's window as a limiter for the rate-limiting middleware's policy.</summary>
    public RateLimiter For(string address) => new Shared(_limiter, address);

    public void Dispose() => _limiter.Dispose();

    /// <summary>A view of one address's window; the middleware may drop and dispose it, the window itself stays here.</summary>
    private sealed class Shared(PartitionedRateLimiter<string> limiter, string address) : RateLimiter
    {
        public override TimeSpan? IdleDuration => TimeSpan.MaxValue;

        public override RateLimiterStatistics? GetStatistics() => limiter.GetStatistics(address);

        protected override RateLimitLease AttemptAcquireCore(int permitCount) => limiter.AttemptAcquire(address, permitCount);

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
            limiter.AcquireAsync(address, permitCount, cancellationToken);
    }
}
