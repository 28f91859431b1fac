using System.Globalization;
using Kaohe.Web.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Kaohe.Web.Features.Collection;

/// <summary>评分: a division's sheet of its assignments, entered in the table or pasted from a spreadsheet, or uploaded as .xlsx.</summary>
[WritesPeriodInputs(PeriodInput.Score)]
[Authorize(Roles = $"{Roles.Office},{Roles.Division}")]
public sealed class ScoreModel(KaoheDbContext db, Scoring scoring, CollectionSheets sheets) : CollectionPage(db)
{
    [BindProperty(SupportsGet = true)] public string? Division { get; set; }

    public ScoreSheet? Sheet { get; private set; }
    public bool CanEdit => User.Role() == Roles.Division && Sheet is { Closed: false };

    public async Task OnGetAsync() => await LoadAsync();

    private async Task LoadAsync()
    {
        await LoadPeriodsAsync();
        if (Period is null) return;
        if (User.Role() == Roles.Office && Division is null) { Errors.Add(Ui.T("请从“进度”页选择一个处室", "Choose a division from the progress board")); return; }
        var (sheet, e) = await scoring.DivisionSheetAsync(User, Period, Division, HttpContext.RequestAborted);
        if (e is not null) Fail(e);
        Sheet = sheet;
    }

    private static double? Parse(string? s) => double.TryParse(s?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;

    public async Task<IActionResult> OnPostAsync(Dictionary<string, string?> scores, string? paste)
    {
        await LoadPeriodsAsync();
        var inputs = new List<ScoreInput>();
        var parseErrors = new List<string>();
        if (!string.IsNullOrWhiteSpace(paste))
        {
            // Pasted from a spreadsheet: unit id, indicator id and score per line (tab, comma or spaces between).
            var lines = paste.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i < lines.Length; i++)
            {
                var cells = lines[i].Split(['\t', ',', ' '], StringSplitOptions.RemoveEmptyEntries);
                if (cells.Length < 3 || Parse(cells[^1]) is not { } v) { parseErrors.Add(Ui.T($"粘贴第 {i + 1} 行：须为“单位编码 指标编码 得分”", $"pasted line {i + 1}: expected \"unit indicator score\"")); continue; }
                inputs.Add(new ScoreInput(cells[0], cells[1], v));
            }
        }
        else
        {
            foreach (var (key, text) in scores)
            {
                if (string.IsNullOrWhiteSpace(text)) continue;
                var parts = key.Split('|');
                if (parts.Length != 2) continue;
                var v = Parse(text);
                if (v is null) { parseErrors.Add(Ui.T($"{parts[0]} {parts[1]}：“{text}”不是数字", $"{parts[0]} {parts[1]}: \"{text}\" is not a number")); continue; }
                inputs.Add(new ScoreInput(parts[0], parts[1], v));
            }
        }
        if (parseErrors.Count > 0) Errors.AddRange(parseErrors);
        else if (inputs.Count == 0) Errors.Add(Ui.T("没有填写任何分数", "No scores were entered"));
        else if (await scoring.SaveDivisionScoresAsync(User, Period!, inputs, HttpContext.RequestAborted) is { } e) Fail(e);
        else Message = Ui.T($"已保存 {inputs.Count} 项评分", $"Saved {inputs.Count} scores");
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
            var (n, e) = await sheets.ImportAsync(User, Period!, "scoring", file.FileName, s, HttpContext.RequestAborted);
            if (e is not null) Fail(e);
            else Message = Ui.T($"已从 Excel 导入 {n} 项评分", $"Imported {n} scores from Excel");
        }
        await LoadAsync();
        return Page();
    }
}
