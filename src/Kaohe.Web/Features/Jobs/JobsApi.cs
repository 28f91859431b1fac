using System.Security.Claims;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Attachments;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Collection;
using Kaohe.Web.Features.Publication;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Surveys;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Jobs;

/// <summary>A job just queued: its id, its page and its status (the response of 202 Accepted, whose Location is the job's API).</summary>
public sealed record JobStarted(string Id, string Url, string Status);

public sealed record JobDto(string Id, string Kind, string KindName, string Status, string StatusName, string Owner, string? PeriodId,
    long Done, long Total, int? Percent, string? Message, string? Error, IReadOnlyDictionary<string, string[]>? Errors,
    string? ResultUrl, string? ResultName, string? Link, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string Url)
{
    public bool Finished => Status is nameof(JobStatus.Succeeded) or nameof(JobStatus.Failed);
}

/// <summary>Starting jobs and reading them back, scoped to who may see them: a user their own jobs, the office every job.</summary>
public sealed class JobService(KaoheDbContext db, AuditLog audit, TimeProvider clock, JobRunner runner, IAttachmentStore store)
{
    public IQueryable<Job> VisibleTo(ClaimsPrincipal user)
    {
        var jobs = db.Set<Job>().AsNoTracking();
        if (user.Role() == Roles.Office) return jobs;
        var name = user.Identity?.Name ?? "\u0000";
        return jobs.Where(j => j.Owner == name);
    }

    public async Task<JobDto?> GetAsync(ClaimsPrincipal user, string id, CancellationToken ct = default)
    {
        var job = await VisibleTo(user).FirstOrDefaultAsync(j => j.Id == id, ct);
        return job is null ? null : await DtoAsync(job, ct);
    }

    public async Task<List<JobDto>> ListAsync(ClaimsPrincipal user, int take = 50, CancellationToken ct = default)
    {
        var jobs = await VisibleTo(user).OrderByDescending(j => j.CreatedAt).Take(take).ToListAsync(ct);
        var list = new List<JobDto>();
        foreach (var j in jobs) list.Add(await DtoAsync(j, ct));
        return list;
    }

    private async Task<JobDto> DtoAsync(Job j, CancellationToken ct)
    {
        // A job running in this process reports fresher progress than its row (written with each heartbeat).
        var live = j.Status == JobStatus.Running ? runner.Live(j.Id) : null;
        var done = live?.Done ?? j.Done;
        var total = live?.Total ?? j.Total;
        var message = live?.Message ?? j.Message;
        var percent = j.Status == JobStatus.Succeeded ? 100 : total > 0 ? (int)Math.Min(100, done * 100 / total) : (int?)null;
        var result = j.ResultAttachmentId is { } aid ? await db.Attachments.AsNoTracking().Where(a => a.Id == aid).Select(a => a.FileName).FirstOrDefaultAsync(ct) : null;
        var errors = j.Errors is null ? null : JsonSerializer.Deserialize<Dictionary<string, string[]>>(j.Errors);
        return new JobDto(j.Id, j.Kind, Labels.JobKind(j.Kind), j.Status.ToString(), Labels.Of(j.Status), j.Owner, j.PeriodId, done, total, percent, message, j.Error, errors,
            j.ResultAttachmentId is { } id ? $"/api/v1/attachments/{id}" : null, result, j.ResultLink, j.CreatedAt, j.StartedAt, j.FinishedAt, $"/Jobs/{j.Id}");
    }

    /// <summary>Queues a job; <paramref name="upload"/> (an import's file) is stored first as an attachment of the job.</summary>
    public async Task<Job> StartAsync(ClaimsPrincipal user, string kind, string? period, IFormFile? upload = null, CancellationToken ct = default)
    {
        // Jobs that write period inputs are refused up front when the stage does not allow them (the job checks again when it runs).
        if (kind == FactImport.JobKind && period is not null) await FactImport.EnsureOpenAsync(db, period, ct);
        if (kind == SurveyTallyJob.JobKind && period is not null) await SurveyService.EnsureTalliesOpenAsync(db, period, ct);
        var job = new Job(kind, user.Identity?.Name ?? "", user.Role(), period, null, clock.GetUtcNow());
        if (upload is not null)
        {
            await using var s = upload.OpenReadStream();
            var a = await store.SaveAsync(s, upload.FileName, job.Owner, JobAttachmentPolicy.Kind, job.Id, ct);
            db.Attachments.Add(a);
            await audit.SaveAsync(ct); // the attachment's id goes into the job's input
            db.Entry(job).Property(j => j.Input).CurrentValue = JsonSerializer.Serialize(new FactImport.Input(a.Id, a.FileName));
            audit.Record("job.upload", "attachment", a.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null, new { a.FileName, a.Size, a.Sha256, job = job.Id });
        }
        db.Set<Job>().Add(job);
        audit.Record("job.start", "job", job.Id, null, new { job.Kind, job.PeriodId, job.Owner });
        await audit.SaveAsync(ct);
        runner.Wake(job.Id);
        return job;
    }

    /// <summary>
    /// A job of this kind and period that is queued or running (on any instance), or else a new one:
    /// two clicks on 更新统计 share one job instead of writing the tallies twice at once.
    /// </summary>
    public async Task<Job> StartOrJoinAsync(ClaimsPrincipal user, string kind, string period, CancellationToken ct = default)
    {
        if (kind == SurveyTallyJob.JobKind) await SurveyService.EnsureTalliesOpenAsync(db, period, ct);
        var running = await db.Set<Job>().AsNoTracking()
            .Where(j => j.Kind == kind && j.PeriodId == period && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running))
            .OrderBy(j => j.CreatedAt).FirstOrDefaultAsync(ct);
        return running ?? await StartAsync(user, kind, period, null, ct);
    }
}

/// <summary>A job's files (its result, an import's upload): the job's owner, and the office.</summary>
public sealed class JobAttachmentPolicy : IAttachmentOwnerPolicy
{
    public const string Kind = "job";

    public string OwnerKind => Kind;

    public Task<bool> CanReadAsync(ClaimsPrincipal user, string ownerId, KaoheDbContext db, CancellationToken ct)
    {
        var name = user.Identity?.Name ?? "\u0000";
        return db.Set<Job>().AsNoTracking().AnyAsync(j => j.Id == ownerId && j.Owner == name, ct);
    }
}

public static class JobsApi
{
    public static IServiceCollection AddJobs(this IServiceCollection services)
    {
        services.AddSingleton<JobKinds>();
        services.AddOptions<JobOptions>().BindConfiguration("Kaohe:Jobs");
        services.AddSingleton<JobRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<JobRunner>());
        services.AddScoped<JobService>();
        services.AddScoped<IAttachmentOwnerPolicy, JobAttachmentPolicy>();
        return services;
    }

    private const string Output = "an output (bulletin, workbook, recomputed results) of the inputs";

    public static void MapJobsApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/jobs").RequireAuthorization(Policies.Staff);
        g.MapGet("/", async (ClaimsPrincipal user, JobService jobs, CancellationToken ct) => TypedResults.Ok(await jobs.ListAsync(user, 50, ct)))
            .WithSummary("我的任务（考核办可见全部）/ my jobs (the office sees all)");
        g.MapGet("/{id}", Get).ProducesFailures(FailureKind.NotFound).WithSummary("任务进度 / a job's progress");
        g.MapPost("/fact-import", StartImport).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound, FailureKind.Conflict).DisableAntiforgery().RequireAuthorization(Policies.Office)
            .WritesPeriodInputs(PeriodInput.Data).WritesPeriodInputs(PeriodInput.Score)
            .WithSummary("批量导入数据（.xlsx，“批量导入”表：单位编码、指标编码、数值、目标值；后台任务）/ bulk import of values (background job)");
        g.MapGet("/fact-import/template", Template).ProducesFile(BulletinDownloads.Xlsx).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound).RequireAuthorization(Policies.Office)
            .WithSummary("批量导入模板；filled=true 时填入本期现有数据 / the bulk import template, optionally filled with the period's current values");
        g.MapPost("/bulletin", (string? period, ClaimsPrincipal user, JobService jobs, KaoheDbContext db, CancellationToken ct) => StartOutput(BulletinJob.JobKind, period, user, jobs, db, ct)).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound).NotPeriodInputs(Output)
            .WithSummary("在后台生成考核通报 .docx / generate the bulletin in the background");
        g.MapPost("/scores-workbook", (string? period, ClaimsPrincipal user, JobService jobs, KaoheDbContext db, CancellationToken ct) => StartOutput(ScoresWorkbookJob.JobKind, period, user, jobs, db, ct)).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound).NotPeriodInputs(Output)
            .WithSummary("在后台生成全部得分 .xlsx / generate the scores workbook in the background");
        g.MapPost("/recompute", (string? period, ClaimsPrincipal user, JobService jobs, KaoheDbContext db, CancellationToken ct) => StartOutput(RecomputeJob.JobKind, period, user, jobs, db, ct)).ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.NotFound).NotPeriodInputs(Output)
            .RequireAuthorization(Policies.Office).WithSummary("在后台重新计算各类别考核结果 / recompute every category's results in the background");
        g.MapPost("/survey-tallies", StartSurveyTallies).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).WritesPeriodInputs(PeriodInput.Data)
            .WithSummary("在后台更新满意度测评统计（已有进行中的同期任务时返回该任务）/ update the survey tallies in the background (joins a queued or running one of the period)");
    }

    private static async Task<Results<Ok<JobDto>, ProblemHttpResult>> Get(string id, ClaimsPrincipal user, JobService jobs, CancellationToken ct) =>
        await jobs.GetAsync(user, id, ct) is { } dto ? TypedResults.Ok(dto) : Problems.NotFound($"任务 {id} 不存在或无权查看", $"job {id} does not exist or is not yours");

    private static Accepted<JobStarted> Accepted(Job job) => TypedResults.Accepted($"/api/v1/jobs/{job.Id}", new JobStarted(job.Id, $"/Jobs/{job.Id}", job.Status.ToString()));

    private static async Task<ProblemHttpResult?> CheckPeriodAsync(string? period, KaoheDbContext db, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(period))
            return Problems.BadRequest("须指定考核期", "a period is required", new Dictionary<string, string[]> { ["period"] = [Ui.T("须填写考核期，如 2023-Q1", "a period such as 2023-Q1 is required")] });
        if (!await db.Periods.AnyAsync(p => p.Id == period, ct)) return Problems.NotFound($"考核期 {period} 不存在", $"period {period} does not exist");
        return null;
    }

    private static async Task<Results<Accepted<JobStarted>, ProblemHttpResult>> StartImport(string? period, IFormFile? file, ClaimsPrincipal user, JobService jobs, KaoheDbContext db, CancellationToken ct)
    {
        if (await CheckPeriodAsync(period, db, ct) is { } bad) return bad;
        if (file is null || file.Length == 0)
            return Problems.BadRequest("请选择 .xlsx 文件", "choose an .xlsx file", new Dictionary<string, string[]> { ["file"] = [Ui.T("请选择 .xlsx 文件", "choose an .xlsx file")] });
        if (!file.FileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase))
            return Problems.BadRequest("只能导入 .xlsx 文件", "only .xlsx files can be imported",
                new Dictionary<string, string[]> { ["file"] = [Ui.T($"“{file.FileName}”不是 .xlsx 文件", $"\"{file.FileName}\" is not an .xlsx file")] });
        // A damaged or inflating workbook is refused here, before it is stored and queued (the job then streams it).
        if (XlsxGuard.Check(file) is { } refused)
            return Problems.BadRequest(refused.Zh, refused.En, new Dictionary<string, string[]> { ["file"] = [Ui.T(refused.Zh, refused.En)] });
        var job = await jobs.StartAsync(user, FactImport.JobKind, period, file, ct);
        return Accepted(job);
    }

    private static async Task<Results<Accepted<JobStarted>, ProblemHttpResult>> StartSurveyTallies(string? period, ClaimsPrincipal user, JobService jobs, SurveyService surveys, KaoheDbContext db, CancellationToken ct)
    {
        if (await CheckPeriodAsync(period, db, ct) is { } bad) return bad;
        if (await surveys.ActiveAsync(period!, ct) is null) return Problems.NotFound($"period：{period} 没有启用的问卷", $"period: no active questionnaire in {period}");
        return Accepted(await jobs.StartOrJoinAsync(user, SurveyTallyJob.JobKind, period!, ct));
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Template(string? period, bool? filled, int? max, KaoheDbContext db, FactImport import, CancellationToken ct)
    {
        if (await CheckPeriodAsync(period, db, ct) is { } bad) return bad;
        if (max is <= 0) return Problems.BadRequest("max 须为正整数", "max must be a positive number", new Dictionary<string, string[]> { ["max"] = [Ui.T("须为正整数", "must be positive")] });
        var file = new FileStream(Path.Combine(Path.GetTempPath(), "kaohe-" + Guid.NewGuid().ToString("N")), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);
        await import.WriteTemplateAsync(file, period!, filled == true, max, ct);
        file.Position = 0;
        return TypedResults.File(file, BulletinDownloads.Xlsx, $"批量导入-{period}.xlsx");
    }

    /// <summary>The bulletin and the workbook go to whoever may download them (staff who read results; units once the period is published).</summary>

    private static async Task<Results<Accepted<JobStarted>, ProblemHttpResult>> StartOutput(string kind, string? period, ClaimsPrincipal user, JobService jobs, KaoheDbContext db, CancellationToken ct)
    {
        if (await CheckPeriodAsync(period, db, ct) is { } bad) return bad;
        if (!await ResultReaders.MayReadBulletinAsync(user, period!, db, ct)) return Problems.Forbidden("通报公布前无权生成", "the bulletin is not issued yet");
        return Accepted(await jobs.StartAsync(user, kind, period, null, ct));
    }
}
