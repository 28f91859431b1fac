using System.Globalization;
using System.Text.Json;
using System.Threading.RateLimiting;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Kaohe.Web.Features.Surveys;

/// <summary>
/// The public web submission (<c>POST /api/v1/survey/{token}</c>), the one door of a JSON answer, served at
/// the front of the pipeline. Measured on the bench (docs/surveys-throughput.md), the general pipeline —
/// request localization, status pages, routing over every page and API, authentication, authorization,
/// anti-forgery — cost several times a bare Kestrel request, for an endpoint that needs none of it: it is
/// anonymous, takes JSON, and answers 201 or a problem. This lane keeps what the endpoint does need: the
/// per-address rate limit (the same window as the other public survey requests, <see cref="SurveyRateLimit"/>),
/// the security headers, the language of the problem texts (<c>?lang=</c>, the language cookie,
/// Accept-Language), JSON errors naming their path, and a body size limit. No mapped endpoint stands behind
/// it (there was one, reached only with the lane switched off, so never in production); the lane puts its
/// operation into the OpenAPI document itself (<see cref="DescribeAsync"/>). The phone's form (/s/{token},
/// <see cref="PublicModel"/>) takes the same answers through the same <see cref="SurveyIntake"/>.
/// </summary>
public sealed class SurveyFastLane : IStartupFilter
{
    private const string Prefix = "/api/v1/survey/";

    /// <summary>The lane's route, as a mapped endpoint's pattern would read (the OpenAPI document, the access matrix).</summary>
    public const string Pattern = Prefix + "{token}";
    private const long MaxBody = 64 * 1024;

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
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
                // The common answer, written as bytes ({"received":true}), without resolving the JSON
                // options (and a request scope) for it.
                ctx.Response.StatusCode = StatusCodes.Status201Created;
                ctx.Response.ContentType = "application/json; charset=utf-8";
                ctx.Response.ContentLength = Created.Length;
                await ctx.Response.Body.WriteAsync(Created, ctx.RequestAborted);
                return;
            }
            await Answer(result).ExecuteAsync(ctx);
        }
        finally
        {
            CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = previous;
        }
    }

    /// <summary>The answer to a submission that was not stored: a problem in the user's language.</summary>
    private static ProblemHttpResult Answer(SubmitResult result) => result.Outcome switch
    {
        SubmitOutcome.UnknownToken => Problems.NotFound("二维码无效", "unknown code"),
        SubmitOutcome.NoQuestionnaire => Problems.NotFound("本期问卷尚未发布", "the questionnaire of this period is not published"),
        SubmitOutcome.Invalid => Problems.BadRequest("问卷填写有误", "the answers are invalid", SurveysApi.Errors(result.Errors)),
        SubmitOutcome.Unavailable => Problems.Problem(StatusCodes.Status503ServiceUnavailable, Ui.T("暂时无法保存", "Not stored"),
            Ui.T("系统繁忙，问卷未保存，请稍后重新提交", "the system is busy and the answers were not stored; please submit again")),
        _ => Problems.Conflict("此二维码已使用过，感谢您的参与", "this code has already been used; thank you for taking part"),
    };

    /// <summary>
    /// The lane's operation in the OpenAPI document (beside the questionnaire's GET of the same path): the
    /// body, the 201, and every problem the lane answers, as the mapped endpoints' metadata would give them.
    /// </summary>
    public static async Task DescribeAsync(OpenApiDocument doc, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        doc.Paths ??= [];
        if (!doc.Paths.TryGetValue(Pattern, out var existing) || existing is not OpenApiPathItem item)
            doc.Paths[Pattern] = item = new OpenApiPathItem();
        item.Operations ??= [];
        var problem = await context.GetOrCreateSchemaAsync(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), null, ct);
        OpenApiResponse Problem(string description) => new()
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = problem } },
        };
        item.Operations[HttpMethod.Post] = new OpenApiOperation
        {
            Tags = new HashSet<OpenApiTagReference> { new("Kaohe.Web") },
            Summary = "公众：提交问卷（每个二维码只能提交一次，重复提交返回 409）/ public: answer once per code (409 when used)",
            Description = "匿名；每个地址每分钟限次（Kaohe:SurveyPerMinute）/ anonymous; limited per address and minute (Kaohe:SurveyPerMinute)",
            Parameters = [new OpenApiParameter { Name = "token", In = ParameterLocation.Path, Required = true, Schema = new OpenApiSchema { Type = JsonSchemaType.String } }],
            RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(SurveySubmission), null, ct) },
                },
            },
            Responses = new OpenApiResponses
            {
                ["201"] = new OpenApiResponse
                {
                    Description = "已保存 / stored",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new()
                        {
                            Schema = new OpenApiSchema
                            {
                                Type = JsonSchemaType.Object,
                                Properties = new Dictionary<string, IOpenApiSchema> { ["received"] = new OpenApiSchema { Type = JsonSchemaType.Boolean } },
                            },
                        },
                    },
                },
                ["400"] = Problem("问卷填写有误或请求不是有效的 JSON（errors 按路径）/ invalid answers or JSON (errors by path)"),
                ["404"] = Problem("二维码无效或本期问卷尚未发布 / unknown code, or no published questionnaire"),
                ["409"] = Problem("此二维码已使用过 / the code has been used"),
                ["413"] = Problem("请求内容过大 / body too large"),
                ["415"] = Problem("须以 application/json 提交 / send application/json"),
                ["429"] = Problem("请求过于频繁 / too many requests"),
                ["503"] = Problem("系统繁忙，未保存 / busy, not stored: submit again"),
            },
        };
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
