using System.Globalization;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Kaohe.Web.Features.Collection;

/// <summary>填报: a unit reporter fills its indicators with evidence, saves drafts and submits; the office may look at any unit's sheet.</summary>
[WritesPeriodInputs(PeriodInput.Data)]
[Authorize(Roles = $"{Roles.Unit},{Roles.Division},{Roles.Office}")]
public sealed class ReportModel(KaoheDbContext db, Reporting reporting, CollectionSheets sheets, IAuthorizationService authorization) : CollectionPage(db)
{
    [BindProperty(SupportsGet = true)] public string? Unit { get; set; }

    public ReportSheet? Sheet { get; private set; }
    /// <summary>The sheet is the person's own unit's (<see cref="UnitReportAuthorization"/>): the inputs are shown.</summary>
    public bool CanEdit { get; private set; }

    private string UnitId => User.Role() == Roles.Office ? Unit ?? "" : User.UnitId() ?? "";

    public async Task OnGetAsync() => await LoadAsync();

    private async Task LoadAsync()
    {
        await LoadPeriodsAsync();
        if (Period is null) return;
        if (User.Role() == Roles.Office && Unit is null)
        {
            Errors.Add(T("请从“进度”页选择一个单位", "Choose a unit from the progress board"));
            return;
        }
        var (sheet, e) = await reporting.SheetAsync(User, Period, UnitId, HttpContext.RequestAborted);
        if (e is not null) Fail(e);
        Sheet = sheet;
        CanEdit = sheet is not null && await authorization.MayAsync(User, new UnitReport(sheet.PeriodId, sheet.UnitId), UnitOperations.Act);
    }

    private static string T(string zh, string en) => Ui.T(zh, en);

    /// <summary>What the person typed, shown again when a save is refused (nothing was stored, nothing is lost from the form).</summary>
    public Dictionary<string, string?> TypedValues { get; private set; } = [];
    public Dictionary<string, string?> TypedTargets { get; private set; } = [];
    public Dictionary<string, string?> TypedMeasures { get; private set; } = [];

    public string ValueText(string id, double? stored) => TypedValues.TryGetValue(id, out var t) ? t ?? "" : CollectionPage.Num(stored);
    public string TargetText(string id, double? stored) => TypedTargets.TryGetValue(id, out var t) ? t ?? "" : CollectionPage.Num(stored);
    public string MeasureText(string id, double? stored) => TypedMeasures.TryGetValue(id, out var t) ? t ?? "" : CollectionPage.Num(stored);

    /// <summary>
    /// The form's <c>name[key]</c> fields. Read from the form itself: a bound dictionary with no such field (a sheet whose
    /// only open rows are base figures) falls back to every form field, the antiforgery token included.
    /// </summary>
    private Dictionary<string, string?> FormFields(string name) =>
        Request.Form.Where(kv => kv.Key.StartsWith(name + "[", StringComparison.Ordinal) && kv.Key.EndsWith(']'))
            .ToDictionary(kv => kv.Key[(name.Length + 1)..^1], kv => (string?)kv.Value.ToString(), StringComparer.Ordinal);

    /// <summary>The inputs ("v-A2", "t-A2", "m-M1") whose entry was refused, with the reason shown beside each.</summary>
    public Dictionary<string, string> Bad { get; } = new(StringComparer.Ordinal);
    /// <summary>How many rows of a refused sheet were valid: the page offers to save just those.</summary>
    public int ValidCount { get; private set; }

    /// <summary>The input a field path of <see cref="Reporting.SaveDraftsAsync"/> belongs to.</summary>
    private static string InputOf(string path) => path switch
    {
        _ when path.StartsWith("measures.", StringComparison.Ordinal) => "m-" + path["measures.".Length..].Split('.')[0],
        _ when path.EndsWith(".target", StringComparison.Ordinal) => "t-" + path[..^".target".Length],
        _ when path.EndsWith(".value", StringComparison.Ordinal) => "v-" + path[..^".value".Length],
        _ => "v-" + path,
    };

    /// <param name="keep">"valid" saves the rows without errors and leaves the rest; anything else saves all or nothing.</param>
    public async Task<IActionResult> OnPostSaveAsync(string? keep)
    {
        await LoadPeriodsAsync();
        var (values, targets, measures) = (FormFields("values"), FormFields("targets"), FormFields("measures"));
        var items = new List<(string, ReportValue, string)>();
        // Text that is not a number reaches the rules as NaN, so that the message names the row ("…须为数值").
        static double? Parse(string? s) => string.IsNullOrWhiteSpace(s) ? null
            : double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN;
        foreach (var (id, text) in values)
        {
            var t = targets.GetValueOrDefault(id);
            if (string.IsNullOrWhiteSpace(text) && string.IsNullOrWhiteSpace(t)) continue;
            items.Add((id, new ReportValue(Parse(text), Parse(t)), id));
        }
        foreach (var (id, text) in measures)
            if (!string.IsNullOrWhiteSpace(text)) items.Add((id, new ReportValue(Parse(text), null, Measure: true), "measures." + id));
        if (items.Count == 0) Errors.Add(T("没有填写任何数值", "Nothing was filled in"));
        else if (await reporting.SaveDraftsAsync(User, Period!, UnitId, items, HttpContext.RequestAborted, saveValid: keep == "valid") is { } e)
        {
            if (e.Saved is { Count: > 0 } saved)
                Message = T($"已保存 {saved.Count} 项草稿：{string.Join("；", saved.Select(x => x.Zh))}。下列有误的未保存。",
                    $"Saved {saved.Count} drafts: {string.Join("; ", saved.Select(x => x.En))}. Those below have errors and were not saved.");
            Errors.Add(T(e.Zh, e.En));
            Errors.AddRange(e.Fields is { Count: > 0 } ? e.Texts() : []);
            foreach (var (path, list) in e.Fields ?? new Dictionary<string, Message[]>())
                Bad[InputOf(path)] = string.Join("；", list.Select(x => T(x.Zh, x.En)));
            var badRows = Bad.Keys.Select(k => k[2..]).Distinct().Count();
            if (e.Status == 400 && e.Saved is null) ValidCount = Math.Max(0, items.Count - badRows);
            (TypedValues, TypedTargets, TypedMeasures) = (values, targets, measures);
        }
        else Message = T($"已保存 {items.Count} 项草稿", $"Saved {items.Count} drafts");
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostEvidenceAsync(string indicator, IFormFile? file)
    {
        await LoadPeriodsAsync();
        if (file is null) Errors.Add(T("请选择文件", "Choose a file"));
        else
        {
            try
            {
                await using var s = file.OpenReadStream();
                var (ev, e) = await reporting.AddEvidenceAsync(User, Period!, UnitId, indicator, s, file.FileName, HttpContext.RequestAborted);
                if (e is not null) Fail(e);
                else Message = T($"已上传佐证材料“{ev!.FileName}”", $"Uploaded evidence \"{ev!.FileName}\"");
            }
            catch (UploadRejectedException ex)
            {
                Errors.Add(Ui.T(ex.Zh, ex.En));
            }
        }
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostSubmitAsync()
    {
        await LoadPeriodsAsync();
        var (n, late, e) = await reporting.SubmitAsync(User, Period!, UnitId, HttpContext.RequestAborted);
        if (e is not null) Fail(e);
        else Message = late ? T($"已提交 {n} 项。已超过填报截止日期，本次提交标记为逾期。", $"Submitted {n} items. The deadline has passed: this submission is flagged late.")
            : T($"已提交 {n} 项，等待审核。", $"Submitted {n} items for verification.");
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostImportAsync(IFormFile? file)
    {
        await LoadPeriodsAsync();
        if (file is null) Errors.Add(T("请选择 .xlsx 文件", "Choose an .xlsx file"));
        else
        {
            await using var s = file.OpenReadStream();
            var (n, e) = await sheets.ImportAsync(User, Period!, "report", file.FileName, s, HttpContext.RequestAborted);
            if (e is not null) Fail(e);
            else Message = T($"已从 Excel 导入 {n} 项草稿", $"Imported {n} drafts from Excel");
        }
        await LoadAsync();
        return Page();
    }
}
