using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Surveys;

/// <summary>纸质问卷: keyed in one by one, or imported from .xlsx; one per sheet number of a site, like a QR code.</summary>
[NotPeriodInputs("survey responses; the tallies are the input")]
[Authorize(Roles = "office,assessor")]
public sealed class PaperModel(KaoheDbContext db, SurveyService surveys) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Period { get; set; }
    [TempData] public string? Message { get; set; }
    public List<string> Errors { get; private set; } = [];
    public ActiveSurvey? Survey { get; private set; }
    public IReadOnlyList<SurveySite> Sites { get; private set; } = [];
    public int? LastSite { get; private set; }
    public int PaperCount { get; private set; }

    private async Task LoadAsync(CancellationToken ct)
    {
        Period ??= await SurveysApi.DefaultPeriodAsync(db, ct);
        Survey = Period is null ? null : await surveys.ActiveAsync(Period, ct);
        Sites = await db.Set<SurveySite>().AsNoTracking().Where(s => s.PeriodId == Period).OrderBy(s => s.Order).ToListAsync(ct);
        var ids = Sites.Select(s => s.Id).ToList();
        PaperCount = await db.Set<SurveyResponse>().CountAsync(r => ids.Contains(r.SiteId) && r.Channel == SurveyChannels.Paper, ct);
    }

    public async Task OnGetAsync(int? site, CancellationToken ct)
    {
        await LoadAsync(ct);
        LastSite = site;
    }

    public async Task<IActionResult> OnPostAsync(int site, string? sheet, CancellationToken ct)
    {
        await LoadAsync(ct);
        LastSite = site;
        if (Survey is null || Sites.All(s => s.Id != site))
        {
            Errors.Add(Ui.T("site：请选择调查点", "site: choose a site"));
            return Page();
        }
        var answers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var q in Survey.Questionnaire.Questions)
            if (Request.Form.TryGetValue("a_" + q.Id, out var v) && !string.IsNullOrEmpty(v)) answers[q.Id] = v.ToString();
        var result = await surveys.AddPaperAsync(site, sheet ?? "", new SurveyAnswers(answers), User.Identity?.Name ?? "", ct);
        if (result.Outcome != SubmitOutcome.Stored)
        {
            Errors = [.. result.Errors.Select(SurveysApi.Localize)];
            if (Errors.Count == 0) Errors.Add(Ui.T("未能录入", "Not stored"));
            Response.StatusCode = result.Outcome == SubmitOutcome.DuplicateSheet ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest;
            return Page();
        }
        Message = Ui.T($"已录入纸质问卷 {sheet}", $"Paper questionnaire {sheet} stored");
        return RedirectToPage(new { period = Period, site });
    }

    public async Task<IActionResult> OnPostImportAsync(IFormFile? upload, CancellationToken ct)
    {
        await LoadAsync(ct);
        if (Period is null || upload is null || upload.Length == 0)
        {
            Errors.Add(Ui.T("file：请选择 .xlsx 文件", "file: choose an .xlsx file"));
            return Page();
        }
        if (upload.Length > PaperXlsx.MaxBytes || !upload.FileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase))
        {
            Errors.Add(Ui.T($"file：须为不超过 {PaperXlsx.MaxBytes / 1024 / 1024} MB 的 .xlsx 文件", $"file: must be an .xlsx of at most {PaperXlsx.MaxBytes / 1024 / 1024} MB"));
            return Page();
        }
        using var ms = new MemoryStream();
        await upload.CopyToAsync(ms, ct);
        ms.Position = 0;
        var (stored, errors) = await surveys.ImportPaperAsync(Period, ms, User.Identity?.Name ?? "", ct);
        if (errors.Count > 0)
        {
            Errors = [.. errors.Select(SurveysApi.Localize)];
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        Message = Ui.T($"已导入 {stored} 份纸质问卷", $"Imported {stored} paper questionnaires");
        return RedirectToPage(new { period = Period });
    }

    public async Task<IActionResult> OnGetTemplateAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (Survey is null) return NotFound();
        return File(PaperXlsx.Template(Survey.Questionnaire, Sites), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"纸质问卷录入表-{Period}.xlsx");
    }
}
