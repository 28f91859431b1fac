using Kaohe.Data;
using Kaohe.Web.Features.Collection;
using Kaohe.Web.Features.Publication;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Surveys;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Jobs;

/// <summary>我的任务: the user's background jobs (the office sees everyone's), and where long work is started.</summary>
[NotPeriodInputs("an output (bulletin, workbook, recomputed results) of the inputs")]
public sealed class IndexModel(KaoheDbContext db, JobService jobs) : PageModel
{
    public List<JobDto> Jobs { get; private set; } = [];
    public List<string> Periods { get; private set; } = [];
    public string? Period { get; private set; }
    public List<string> Errors { get; } = [];
    public bool CanReadResults { get; private set; }

    public async Task OnGetAsync(string? period) => await LoadAsync(period);

    private async Task LoadAsync(string? period)
    {
        var ct = HttpContext.RequestAborted;
        Periods = await db.Periods.AsNoTracking().OrderBy(p => p.Year).ThenBy(p => p.Quarter == null).ThenBy(p => p.Quarter).Select(p => p.Id).ToListAsync(ct);
        Period = period is not null && Periods.Contains(period) ? period : await Features.Periods.CurrentPeriod.CollectingAsync(db, ct) ?? Periods.LastOrDefault();
        Jobs = await jobs.ListAsync(User, 50, ct);
        CanReadResults = Period is not null && await ResultReaders.MayReadBulletinAsync(User, Period, db, ct);
    }

    [WritesPeriodInputs(PeriodInput.Data)]
    [WritesPeriodInputs(PeriodInput.Score)]
    public async Task<IActionResult> OnPostImportAsync(string? period, IFormFile? file)
    {
        if (User.Role() != Roles.Office) return Forbid();
        if (file is null || file.Length == 0) Errors.Add(Ui.T("请选择要导入的 .xlsx 文件", "choose the .xlsx file to import"));
        else if (!file.FileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase)) Errors.Add(Ui.T($"“{file.FileName}”不是 .xlsx 文件", $"\"{file.FileName}\" is not an .xlsx file"));
        else if (XlsxGuard.Check(file) is { } refused) Errors.Add(Ui.T(refused.Zh, refused.En));
        if (period is null || !await db.Periods.AnyAsync(p => p.Id == period)) Errors.Add(Ui.T("请选择考核期", "choose a period"));
        if (Errors.Count > 0)
        {
            await LoadAsync(period);
            return Page();
        }
        try
        {
            var job = await jobs.StartAsync(User, FactImport.JobKind, period, file, HttpContext.RequestAborted);
            return Redirect($"/Jobs/{job.Id}");
        }
        catch (UploadRejectedException e)
        {
            Errors.Add(Ui.T(e.Zh, e.En));
            await LoadAsync(period);
            return Page();
        }
    }

    public Task<IActionResult> OnPostBulletinAsync(string? period) => StartAsync(BulletinJob.JobKind, period);

    public Task<IActionResult> OnPostWorkbookAsync(string? period) => StartAsync(ScoresWorkbookJob.JobKind, period);

    public Task<IActionResult> OnPostRecomputeAsync(string? period) =>
        User.Role() == Roles.Office ? StartAsync(RecomputeJob.JobKind, period) : Task.FromResult<IActionResult>(Forbid());

    /// <summary>更新满意度测评统计: the office only; joins the period's tally job if one is queued or running.</summary>
    [WritesPeriodInputs(PeriodInput.Data)]
    public async Task<IActionResult> OnPostTalliesAsync(string? period, [FromServices] Surveys.SurveyService surveys)
    {
        if (User.Role() != Roles.Office) return Forbid();
        if (period is null || !await db.Periods.AnyAsync(p => p.Id == period)) Errors.Add(Ui.T("请选择考核期", "choose a period"));
        else if (await surveys.ActiveAsync(period, HttpContext.RequestAborted) is null) Errors.Add(Ui.T($"{period} 没有启用的满意度测评问卷", $"no active survey questionnaire in {period}"));
        if (Errors.Count > 0)
        {
            await LoadAsync(period);
            return Page();
        }
        var job = await jobs.StartOrJoinAsync(User, SurveyTallyJob.JobKind, period!, HttpContext.RequestAborted);
        return Redirect($"/Jobs/{job.Id}");
    }

    private async Task<IActionResult> StartAsync(string kind, string? period)
    {
        if (period is null || !await db.Periods.AnyAsync(p => p.Id == period))
        {
            Errors.Add(Ui.T("请选择考核期", "choose a period"));
            await LoadAsync(period);
            return Page();
        }
        if (!await ResultReaders.MayReadBulletinAsync(User, period, db, HttpContext.RequestAborted)) return Forbid();
        var job = await jobs.StartAsync(User, kind, period, null, HttpContext.RequestAborted);
        return Redirect($"/Jobs/{job.Id}");
    }
}
