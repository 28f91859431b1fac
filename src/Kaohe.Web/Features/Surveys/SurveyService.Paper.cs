using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Facts;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Surveys;

/// <summary>Paper questionnaires: one keyed in, or a workbook of them imported all or nothing.</summary>
public sealed partial class SurveyService
{
    /// <summary>Keys in one paper questionnaire. Its sheet number is unique per site, as a code is.</summary>
    public async Task<SubmitResult> AddPaperAsync(int siteId, string sheet, SurveyAnswers answers, string enteredBy, CancellationToken ct = default)
    {
        var site = await db.Set<SurveySite>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == siteId, ct);
        if (site is null) return SubmitResult.Of(SubmitOutcome.UnknownSite, "site: 调查点不存在 / no such site");
        var survey = await ActiveAsync(site.PeriodId, ct);
        if (survey is null) return SubmitResult.Of(SubmitOutcome.NoQuestionnaire);
        sheet = (sheet ?? "").Trim();
        if (sheet.Length is 0 or > 32) return SubmitResult.Of(SubmitOutcome.Invalid, "sheet: 请填写纸质问卷编号（最多 32 个字符）/ the sheet number is required (at most 32 characters)");
        var errors = SurveyTally.Check(survey.Questionnaire, answers);
        if (errors.Count > 0) return new SubmitResult(SubmitOutcome.Invalid, errors);
        if (await db.Set<SurveyResponse>().AnyAsync(r => r.SiteId == siteId && r.PaperSheet == sheet, ct))
            return SubmitResult.Of(SubmitOutcome.DuplicateSheet, $"sheet: 编号 {sheet} 的纸质问卷已录入 / paper sheet {sheet} has already been entered");
        var response = new SurveyResponse(siteId, survey.Row.Id, SurveyDocuments.AnswersJson(answers), SurveyChannels.Paper, null, sheet, Texts.Chinese, clock.GetUtcNow(), null, enteredBy);
        db.Add(response);
        audit.Record("survey.paper", "survey-response", () => response.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
            new { site = site.Code, sheet, answers = answers.OptionByQuestion });
        try
        {
            await audit.SaveAsync(ct);
        }
        catch (DbUpdateException ex) when (IsClaimConflict(ex))
        {
            db.ChangeTracker.Clear();
            return SubmitResult.Of(SubmitOutcome.DuplicateSheet, $"sheet: 编号 {sheet} 的纸质问卷已录入 / paper sheet {sheet} has already been entered");
        }
        return SubmitResult.Stored;
    }

    /// <summary>Imports paper questionnaires from .xlsx: all rows or none, errors naming sheet, row and column.</summary>
    public async Task<(int Stored, IReadOnlyList<string> Errors)> ImportPaperAsync(string periodId, Stream xlsx, string enteredBy, CancellationToken ct = default)
    {
        var survey = await ActiveAsync(periodId, ct);
        if (survey is null) return (0, ["本期没有启用的问卷 / no active questionnaire in this period"]);
        var sites = await db.Set<SurveySite>().AsNoTracking().Where(s => s.PeriodId == periodId).ToListAsync(ct);
        var (rows, errors) = PaperXlsx.Read(xlsx, survey.Questionnaire, sites);
        if (errors.Count > 0) return (0, errors);
        var siteIds = sites.Select(s => s.Id).ToList();
        var entered = (await db.Set<SurveyResponse>().AsNoTracking().Where(r => siteIds.Contains(r.SiteId) && r.PaperSheet != null)
            .Select(r => new { r.SiteId, r.PaperSheet }).ToListAsync(ct)).Select(x => (x.SiteId, x.PaperSheet!)).ToHashSet();
        var duplicates = rows.Where(r => entered.Contains((r.SiteId, r.Sheet)))
            .Select(r => $"{PaperXlsx.Sheet}!第 {r.Row} 行（{PaperXlsx.ColSheet}）：{r.SiteCode} 的问卷编号 {r.Sheet} 已录入 / sheet {r.Sheet} of {r.SiteCode} has already been entered").ToList();
        if (duplicates.Count > 0) return (0, duplicates);
        var now = clock.GetUtcNow();
        foreach (var r in rows)
            db.Add(new SurveyResponse(r.SiteId, survey.Row.Id, SurveyDocuments.AnswersJson(r.Answers), SurveyChannels.Paper, null, r.Sheet, Texts.Chinese, now, null, enteredBy));
        audit.Record("survey.paper-import", "survey-questionnaire", periodId, null,
            new { count = rows.Count, sheets = rows.Select(r => $"{r.SiteCode}/{r.Sheet}").ToArray() });
        try
        {
            await audit.SaveAsync(ct);
        }
        catch (DbUpdateException ex) when (IsClaimConflict(ex))
        {
            db.ChangeTracker.Clear();
            return (0, ["有问卷编号刚被他人录入，未导入任何一行，请重试 / a sheet number was just entered by someone else; nothing was imported, please retry"]);
        }
        return (rows.Count, []);
    }
}
