using System.Globalization;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Collection;

/// <summary>评分: a division's sheet of its assignments, entered in the table or pasted from a spreadsheet, or uploaded as .xlsx.</summary>
[WritesPeriodInputs(PeriodInput.Score)]
[Authorize(Roles = $"{Roles.Office},{Roles.Division}")]
public sealed class ScoreModel(KaoheDbContext db, Scoring scoring, CollectionSheets sheets) : CollectionPage(db)
{
    [BindProperty(SupportsGet = true)] public string? Division { get; set; }

    public ScoreSheet? Sheet { get; private set; }
    /// <summary>The division of the sheet by name (the sheet holds its id, "scc").</summary>
    public string? AssigneeName { get; private set; }
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
        var english = Ui.IsEnglish;
        if (sheet is not null)
            AssigneeName = await Db.Units.Where(u => u.Id == sheet.Assignee).Select(u => english ? u.NameEn : u.Name).FirstOrDefaultAsync() ?? sheet.Assignee;
    }

    private static double? Parse(string? s) => double.TryParse(s?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;

    /// <summary>What the person typed, shown again after a save with errors so that nothing typed is lost.</summary>
    public Dictionary<string, string?> Typed { get; private set; } = [];
    public string? Paste { get; private set; }
    /// <summary>The boxes ("unit|indicator") whose entry was refused, with the reason shown beside each.</summary>
    public Dictionary<string, string> Bad { get; } = new(StringComparer.Ordinal);
    /// <summary>How many rows of a refused sheet were valid: the page offers to save just those.</summary>
    public int ValidCount { get; private set; }

    public string ScoreText(ScoreRow r) => Typed.TryGetValue(Key(r.UnitId, r.IndicatorId), out var t) ? t ?? "" : CollectionPage.Num(r.Score);
    public static string Key(string unit, string indicator) => $"{unit}|{indicator}";

    /// <param name="keep">"valid" saves the rows without errors and leaves the rest; anything else saves all or nothing.</param>
    public async Task<IActionResult> OnPostAsync(Dictionary<string, string?> scores, string? paste, string? keep)
    {
        await LoadPeriodsAsync();
        var inputs = new List<ScoreInput>();
        var keys = new List<string>();
        var notNumbers = new List<(string Key, string Text)>();
        if (!string.IsNullOrWhiteSpace(paste))
        {
            // Pasted from a spreadsheet: unit id, indicator id and score per line (tab, comma or spaces between).
            var lines = paste.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i < lines.Length; i++)
            {
                var cells = lines[i].Split(['\t', ',', ' '], StringSplitOptions.RemoveEmptyEntries);
                if (cells.Length < 3 || Parse(cells[^1]) is not { } v) { Errors.Add(Ui.T($"粘贴第 {i + 1} 行：须为“单位编码 指标编码 得分”", $"pasted line {i + 1}: expected \"unit indicator score\"")); continue; }
                inputs.Add(new ScoreInput(cells[0], cells[1], v));
                keys.Add(Key(cells[0], cells[1]));
            }
        }
        else
        {
            foreach (var (key, text) in scores)
            {
                if (string.IsNullOrWhiteSpace(text)) continue;
                var parts = key.Split('|');
                if (parts.Length != 2) continue;
                if (Parse(text) is not { } v) { notNumbers.Add((key, text)); continue; }
                inputs.Add(new ScoreInput(parts[0], parts[1], v));
                keys.Add(key);
            }
        }
        var saveValid = keep == "valid";
        if (Errors.Count > 0 && !saveValid) { }
        else if (inputs.Count == 0 && notNumbers.Count == 0) Errors.Add(Ui.T("没有填写任何分数", "No scores were entered"));
        else if (notNumbers.Count > 0 && !saveValid)
            // Not a number: the sheet is refused before the rules run; the rows that are numbers are checked too, so every mistake shows at once.
            await CheckAsync(inputs, keys);
        else if (inputs.Count > 0 && await scoring.SaveDivisionScoresAsync(User, Period!, inputs, HttpContext.RequestAborted, saveValid: saveValid) is { } e)
        {
            Mark(e, keys);
            if (e.Saved is { Count: > 0 } saved)
                Message = Ui.T($"已保存 {saved.Count} 项：{string.Join("；", saved.Select(x => x.Zh))}。下列有误的评分未保存。",
                    $"Saved {saved.Count}: {string.Join("; ", saved.Select(x => x.En))}. The scores below have errors and were not saved.");
            else if (e.Status == 400) ValidCount = Math.Max(0, inputs.Count - (e.Errors?.Count ?? 0));
        }
        else if (inputs.Count > 0)
            Message = Ui.T($"已保存 {inputs.Count} 项评分", $"Saved {inputs.Count} scores");
        await LoadAsync();
        var names = Sheet?.Rows.ToDictionary(r => Key(r.UnitId, r.IndicatorId), r => $"{r.UnitName} · {r.IndicatorId} {r.IndicatorName}") ?? [];
        foreach (var (key, text) in notNumbers)
        {
            var what = names.GetValueOrDefault(key) ?? key.Replace('|', ' ');
            var msg = Ui.T($"{what}：“{text}”不是数字", $"{what}: \"{text}\" is not a number");
            Errors.Add(msg);
            Bad[key] = msg;
        }
        if (Errors.Count > 0 || Bad.Count > 0)
        {
            // Keep every box as typed, saved rows included (their text is what was stored).
            Typed = new Dictionary<string, string?>(scores, StringComparer.Ordinal);
            Paste = paste;
        }
        return Page();
    }

    /// <summary>Runs the rules without saving, so that a sheet refused for a non-number also shows its out-of-range rows.</summary>
    private async Task CheckAsync(List<ScoreInput> inputs, List<string> keys)
    {
        if (inputs.Count == 0) return;
        if (await scoring.SaveDivisionScoresAsync(User, Period!, inputs, HttpContext.RequestAborted, dryRun: true) is { } e)
        {
            Mark(e, keys);
            if (e.Status == 400) ValidCount = Math.Max(0, inputs.Count - (e.Errors?.Count ?? 0));
        }
        else ValidCount = inputs.Count;
    }

    /// <summary>Lists the messages (each names its unit and indicator) and marks the boxes they belong to: "scores[i]…" is the i-th input.</summary>
    private void Mark(Failure e, List<string> keys)
    {
        if (e.Fields is not { Count: > 0 } errors) { Errors.Add(Ui.T(e.Zh, e.En)); return; }
        Errors.Add(Ui.T(e.Zh, e.En));
        foreach (var (path, list) in errors)
        {
            var text = string.Join("；", list.Select(x => Ui.T(x.Zh, x.En)));
            Errors.Add(text);
            if (path.StartsWith("scores[", StringComparison.Ordinal) && path.IndexOf(']') is var close and > 7
                && int.TryParse(path[7..close], NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < keys.Count)
                Bad[keys[i]] = text;
        }
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
