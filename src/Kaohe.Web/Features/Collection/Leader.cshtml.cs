using System.Globalization;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Kaohe.Web.Features.Collection;

/// <summary>厅领导班子总体评价: a leader rates every assigned unit and division; the office closes scoring.</summary>
[WritesPeriodInputs(PeriodInput.Score)]
[Authorize(Roles = $"{Roles.Office},{Roles.Leader}")]
public sealed class LeaderModel(KaoheDbContext db, Scoring scoring, CollectionSheets sheets) : CollectionPage(db)
{
    [BindProperty(SupportsGet = true)] public string? Leader { get; set; }

    public LeaderSheet? Sheet { get; private set; }
    public bool CanEdit => User.Role() == Roles.Leader && Sheet is { Closed: false };

    public async Task OnGetAsync() => await LoadAsync();

    private async Task LoadAsync()
    {
        await LoadPeriodsAsync();
        if (Period is null) return;
        if (User.Role() == Roles.Office && Leader is null) { Errors.Add(Ui.T("请从“进度”页选择一位厅领导", "Choose a leader from the progress board")); return; }
        var (sheet, e) = await scoring.LeaderSheetAsync(User, Period, Leader, HttpContext.RequestAborted);
        if (e is not null) Fail(e);
        Sheet = sheet;
    }

    public async Task<IActionResult> OnPostAsync(Dictionary<string, string?> scores)
    {
        await LoadPeriodsAsync();
        var inputs = new List<ScoreInput>();
        foreach (var (unit, text) in scores)
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) { Errors.Add(Ui.T($"{unit}：“{text}”不是数字", $"{unit}: \"{text}\" is not a number")); continue; }
            inputs.Add(new ScoreInput(unit, null, v));
        }
        if (Errors.Count == 0)
        {
            if (inputs.Count == 0) Errors.Add(Ui.T("没有填写任何评价分", "No ratings were entered"));
            else if (await scoring.SaveLeaderScoresAsync(User, Period!, inputs, HttpContext.RequestAborted) is { } e) Fail(e);
            else Message = Ui.T($"已保存 {inputs.Count} 个单位的评价", $"Saved ratings of {inputs.Count} units");
        }
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostImportAsync(IFormFile? file)
    {
        await LoadPeriodsAsync();
        if (file is null) Errors.Add(Ui.T("请选择 .xlsx 文件", "Choose an .xlsx file"));
        else
        {
            await using var s = file.OpenReadStream();
            var (n, e) = await sheets.ImportAsync(User, Period!, "leader", file.FileName, s, HttpContext.RequestAborted);
            if (e is not null) Fail(e);
            else Message = Ui.T($"已从 Excel 导入 {n} 项评价", $"Imported {n} ratings from Excel");
        }
        await LoadAsync();
        return Page();
    }
}
