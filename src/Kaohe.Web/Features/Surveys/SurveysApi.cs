using System.Security.Claims;
using System.Threading.RateLimiting;
using Kaohe.Data;
using Kaohe.Web.Features.Jobs;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Surveys;

public sealed record SurveySubmission(Dictionary<string, string>? Answers, string? Language);

public sealed record PaperSubmission(int Site, string? Sheet, Dictionary<string, string>? Answers);

public sealed record PublicQuestion(string Id, string Text, IReadOnlyList<PublicOption> Options);

public sealed record PublicOption(string Id, string Text);

public sealed record PublicQuestionnaire(string Language, IReadOnlyList<string> Languages, string Title, string Intro, string Place, IReadOnlyList<PublicQuestion> Questions);

/// <summary>The answer to a stored paper questionnaire: <c>{"received": true}</c>.</summary>
public sealed record PaperReceived(bool Received);

public sealed record ProgressDto(string PeriodId, int Quota, int Received, int Web, int Paper, IReadOnlyList<SiteProgress> Sites);

public static class SurveysApi
{
    public const string RateLimit = "survey";

    /// <summary>Roles that may follow the progress: the office, the assessment groups handing out codes, leaders and viewers.</summary>
    public static readonly string[] ProgressRoles = [Roles.Office, Roles.Assessor, Roles.Leader, Roles.Viewer];

    public static IServiceCollection AddSurveys(this IServiceCollection services)
    {
        services.AddScoped<SurveyService>();
        services.AddJob<SurveyTallyJob>(SurveyTallyJob.JobKind);
        services.AddSingleton<SurveyCountsCache>();
        // The public submission path (docs/surveys-throughput.md): raw reads, cached questionnaire, one group-committing writer.
        services.AddSingleton<SurveyDatabase>();
        services.AddSingleton<SurveyCache>();
        services.AddSingleton<SurveyWriter>();
        services.AddSingleton<SurveyIntake>();
        services.AddTransient<IStartupFilter, SurveyFastLane>();
        services.Configure<Microsoft.AspNetCore.OpenApi.OpenApiOptions>("v1", o => o.AddDocumentTransformer(SurveyFastLane.DescribeAsync));
        // Public endpoints are limited per client address, one window shared with the fast lane (SurveyRateLimit).
        services.AddSingleton<SurveyRateLimit>();
        services.Configure<RateLimiterOptions>(o => o.AddPolicy(RateLimit, ctx =>
            RateLimitPartition.Get(SurveyRateLimit.Key(ctx), key => ctx.RequestServices.GetRequiredService<SurveyRateLimit>().For(key))));
        return services;
    }

    /// <summary>Answers are raw material: the tallies written from them (更新统计) are the period's input.</summary>
    private const string Responses = "survey responses; the tallies are the input";

    public static void MapSurveysApi(this RouteGroupBuilder api)
    {
        api.MapGet("/survey/{token}", Questionnaire).ProducesFailures(FailureKind.NotFound, FailureKind.Conflict).AllowAnonymous().RequireRateLimiting(RateLimit)
            .WithSummary("公众：取得二维码对应的问卷 / public: the questionnaire of a code");
        // POST /survey/{token} (the answers) is served by SurveyFastLane before routing, its one door; the lane
        // describes itself in the OpenAPI document.
        api.MapGet("/surveys/progress", Progress).ProducesFailures(FailureKind.NotFound).RequireAuthorization(p => p.RequireRole(ProgressRoles))
            .WithSummary("各调查点完成进度 / progress against the quotas");
        api.MapPost("/surveys/tallies", Tallies).ProducesFailures(FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).WritesPeriodInputs(PeriodInput.Data)
            .WithSummary("更新统计：由答卷重算满意度统计数据 / recompute the survey facts from the responses");
        api.MapPost("/surveys/paper", Paper).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(p => p.RequireRole(Roles.Office, Roles.Assessor)).NotPeriodInputs(Responses)
            .WithSummary("录入纸质问卷（每个调查点的问卷编号只能录入一次）/ key in a paper questionnaire (one per sheet number of a site)");
    }

    private static async Task<Results<Ok<PublicQuestionnaire>, ProblemHttpResult>> Questionnaire(string token, string? lang, SurveyService surveys, CancellationToken ct)
    {
        var found = await surveys.FindAsync(token, ct);
        if (found is not { } f) return Problems.NotFound("二维码无效", "unknown code");
        if (f.Survey is null) return Problems.NotFound("本期问卷尚未发布", "the questionnaire of this period is not published");
        if (f.Token.UsedAt is not null) return Problems.Conflict("此二维码已使用过，感谢您的参与", "this code has already been used; thank you for taking part");
        var q = f.Survey.Questionnaire;
        var l = lang is not null && q.Languages.Contains(lang) ? lang : Texts.Chinese;
        return TypedResults.Ok(new PublicQuestionnaire(l, q.Languages, q.Title.In(l), q.Intro.In(l), f.Site.Place,
            [.. q.Questions.Select(x => new PublicQuestion(x.Id, x.Text.In(l), [.. x.Options.Select(o => new PublicOption(o.Id, o.Text.In(l)))]))]));
    }

    /// <summary>"answers.roads: 中文 / English" → { "answers.roads": ["中文" or "English"] }.</summary>
    public static Dictionary<string, string[]> Errors(IEnumerable<string> errors) => errors
        .Select(e => e.Split(": ", 2))
        .GroupBy(p => p[0], p => p.Length > 1 ? Localize(p[1]) : p[0])
        .ToDictionary(g => g.Key, g => g.ToArray());

    public static string Localize(string bilingual) =>
        bilingual.Split(" / ", 2) is [var zh, var en] ? Ui.T(zh, en) : bilingual;

    private static async Task<Results<Ok<ProgressDto>, ProblemHttpResult>> Progress(string? period, SurveyService surveys, KaoheDbContext db, CancellationToken ct)
    {
        period ??= await DefaultPeriodAsync(db, ct);
        if (period is null || !await db.Periods.AnyAsync(p => p.Id == period, ct)) return Problems.NotFound($"考核期 {period} 不存在", $"period {period} does not exist");
        var sites = await surveys.ProgressAsync(period, ct);
        return TypedResults.Ok(new ProgressDto(period, sites.Sum(s => s.Quota), sites.Sum(s => s.Received), sites.Sum(s => s.Web), sites.Sum(s => s.Paper), sites));
    }

    private static async Task<Results<Ok<TallyResult>, ProblemHttpResult>> Tallies(string? period, SurveyService surveys, KaoheDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        period ??= await DefaultPeriodAsync(db, ct);
        if (period is null || !await db.Periods.AnyAsync(p => p.Id == period, ct)) return Problems.NotFound($"考核期 {period} 不存在", $"period {period} does not exist");
        var result = await surveys.RecomputeAsync(period, user.Identity?.Name ?? "office", ct);
        return result is null ? Problems.NotFound("本期没有启用的问卷", "no active questionnaire in this period") : TypedResults.Ok(result);
    }

    private static async Task<Results<Created<PaperReceived>, ProblemHttpResult>> Paper(PaperSubmission body, SurveyService surveys, ClaimsPrincipal user, CancellationToken ct)
    {
        var result = await surveys.AddPaperAsync(body.Site, body.Sheet ?? "", new SurveyAnswers(body.Answers ?? []), user.Identity?.Name ?? "", ct);
        return result.Outcome switch
        {
            SubmitOutcome.Stored => TypedResults.Created((string?)null, new PaperReceived(true)),
            SubmitOutcome.UnknownSite => Problems.NotFound("调查点不存在", "no such site"),
            SubmitOutcome.NoQuestionnaire => Problems.NotFound("本期问卷尚未发布", "the questionnaire of this period is not published"),
            SubmitOutcome.DuplicateSheet => Problems.Problem(StatusCodes.Status409Conflict, Ui.T("该编号的纸质问卷已录入", "this paper sheet has already been entered"), Errors(result.Errors)),
            _ => Problems.BadRequest("问卷填写有误", "the answers are invalid", Errors(result.Errors)),
        };
    }

    /// <summary>The period being collected (or the latest quarter with a questionnaire).</summary>
    public static async Task<string?> DefaultPeriodAsync(KaoheDbContext db, CancellationToken ct = default) =>
        await db.Set<SurveyQuestionnaire>().AsNoTracking().Where(q => q.Status == QuestionnaireStatus.Active)
            .OrderByDescending(q => q.PeriodId).Select(q => q.PeriodId).FirstOrDefaultAsync(ct)
        ?? await Features.Periods.CurrentPeriod.CollectingAsync(db, ct);
}
