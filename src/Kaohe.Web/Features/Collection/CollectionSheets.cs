using System.Globalization;
using System.Security.Claims;
using System.Text.RegularExpressions;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Features.Shared;
using Kaohe.Web.Infrastructure;
using MiniExcelLibs;

namespace Kaohe.Web.Features.Collection;

/// <summary>
/// The .xlsx templates of the three sheets (填报 for a unit, 评分 for a division, 领导评价 for a leader):
/// pre-filled with units and indicators, data validation on the cells to fill, and imported back all
/// or nothing with every error naming sheet, row, column and reason. The upload checks (size,
/// .xlsx only, no formula cells) are the scheme importer's (<see cref="SchemeXlsx"/>).
/// </summary>
public sealed partial class CollectionSheets(Reporting reporting, Scoring scoring)
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    public const string ReportSheetName = "填报", ScoreSheetName = "评分", LeaderSheetName = "领导评价";

    private const string CUnit = "单位编码", CUnitName = "单位名称", CIndicator = "指标编码", CIndicatorName = "指标名称", CPoints = "分值",
        CKind = "计分方法", CRule = "评分细则", CValue = "数值", CTarget = "目标值", CStatus = "状态", CReported = "单位填报值", CReportedTarget = "填报目标值",
        CComputed = "计算得分", CRange = "评分范围", CScore = "得分", CRating = "评价分",
        CMeasureUnit = "计量单位", CLastYear = "去年同期", MeasureKind = "基础数据";

    // The base figures (基础数据) of a version 2 scheme follow the leaves as rows of kind 基础数据, with their unit and last year's figure.
    private static readonly string[] ReportColumns = [CIndicator, CIndicatorName, CPoints, CKind, CRule, CValue, CTarget, CStatus, CMeasureUnit, CLastYear];
    private static readonly string[] ScoreColumns = [CUnit, CUnitName, CIndicator, CIndicatorName, CKind, CRule, CReported, CReportedTarget, CComputed, CRange, CScore];
    private static readonly string[] LeaderColumns = [CUnit, CUnitName, CIndicator, CIndicatorName, CRule, CRating];

    private static string Letter(string[] columns, string column) => ((char)('A' + Array.IndexOf(columns, column))).ToString();

    public async Task<(byte[]? Bytes, string Name, Failure? Error)> ExportAsync(ClaimsPrincipal user, string period, string sheet, string? unit, CancellationToken ct)
    {
        switch (sheet)
        {
            case "report":
            {
                var (s, e) = await reporting.SheetAsync(user, period, unit ?? user.UnitId() ?? "", ct);
                if (e is not null) return (null, "", e);
                static string StatusText(string status) => status == "Missing" ? "未填报" : Labels.Of(Enum.TryParse<FactStatus>(status, out var st) ? st : FactStatus.Draft);
                var rows = s!.Rows.Select(r => Row(ReportColumns, r.IndicatorId, r.Name, r.Points, r.Kind, r.Rule, r.Value, r.Target, StatusText(r.Status), null, null))
                    .Concat(s.Measures.Select(m => Row(ReportColumns, m.MeasureId, m.Name, null, MeasureKind, m.Count ? $"{m.Unit}，整数，不能为负" : $"{m.Unit}，不能为负",
                        m.Value, null, m.Letter?.Label ?? StatusText(m.Status), m.Unit, m.LastYear))).ToList();
                var validations = new List<(string Range, double? Min, double? Max, string Prompt)>();
                for (var i = 0; i < s.Rows.Count; i++)
                {
                    validations.Add(($"{Letter(ReportColumns, CValue)}{i + 2}", s.Rows[i].Kind == "ratio" ? 0 : null, null, "填写数值（数字）"));
                    if (s.Rows[i].NeedsTarget) validations.Add(($"{Letter(ReportColumns, CTarget)}{i + 2}", 0, null, "填写目标值（大于 0 的数字）"));
                }
                for (var i = 0; i < s.Measures.Count; i++)
                    validations.Add(($"{Letter(ReportColumns, CValue)}{s.Rows.Count + i + 2}", 0, null, $"填写{s.Measures[i].Name}（{s.Measures[i].Unit}，不能为负数）"));
                return (Build(ReportSheetName, ReportColumns, rows, validations), $"填报-{s.UnitId}-{period}.xlsx", null);
            }
            case "scoring":
            {
                var (s, e) = await scoring.DivisionSheetAsync(user, period, unit, ct);
                if (e is not null) return (null, "", e);
                var rows = s!.Rows.Select(r => Row(ScoreColumns, r.UnitId, r.UnitName, r.IndicatorId, r.IndicatorName, r.Kind, r.Rule, r.ReportedValue, r.ReportedTarget,
                    r.Computed is { } c ? Math.Round(c, 4) : null, r.Entry ? $"{r.Min:0.##}–{r.Max:0.##}" : "（计算得分，无需填写）", r.Score)).ToList();
                var validations = s.Rows.Select((r, i) => (r, i)).Where(x => x.r.Entry)
                    .Select(x => ($"{Letter(ScoreColumns, CScore)}{x.i + 2}", (double?)x.r.Min, (double?)x.r.Max, $"填写 {x.r.Min:0.##}–{x.r.Max:0.##} 之间的分数")).ToList();
                return (Build(ScoreSheetName, ScoreColumns, rows, validations), $"评分-{s.Assignee}-{period}.xlsx", null);
            }
            case "leader":
            {
                var (s, e) = await scoring.LeaderSheetAsync(user, period, unit, ct);
                if (e is not null) return (null, "", e);
                var rows = s!.Rows.Select(r => Row(LeaderColumns, r.UnitId, r.UnitName, r.IndicatorId, r.IndicatorName, r.Rule, r.Score)).ToList();
                var validations = s.Rows.Select((r, i) => ($"{Letter(LeaderColumns, CRating)}{i + 2}", (double?)0, (double?)100, "填写 0–100 之间的评价分")).ToList();
                return (Build(LeaderSheetName, LeaderColumns, rows, validations), $"领导评价-{s.Leader}-{period}.xlsx", null);
            }
            default:
                return (null, "", Failure.NotFound($"没有名为 {sheet} 的表（report、scoring、leader）", $"there is no sheet {sheet} (report, scoring, leader)"));
        }
    }

    private static Dictionary<string, object?> Row(string[] columns, params object?[] values)
    {
        var row = new Dictionary<string, object?>();
        for (var i = 0; i < columns.Length; i++) row[columns[i]] = values[i] is string s ? ExcelSafe.Text(s) : values[i];
        return row;
    }

    /// <summary>Writes the sheet with MiniExcel, then adds decimal data validation on the cells to fill (MiniExcel writes none).</summary>
    private static byte[] Build(string sheetName, string[] columns, List<Dictionary<string, object?>> rows, List<(string Range, double? Min, double? Max, string Prompt)> validations)
    {
        using var ms = new MemoryStream();
        ms.SaveAs(new Dictionary<string, object> { [sheetName] = rows.Count > 0 ? rows : [columns.ToDictionary(c => c, _ => (object?)null)] });
        if (validations.Count == 0) return ms.ToArray();
        using (var doc = SpreadsheetDocument.Open(ms, true))
        {
            var part = doc.WorkbookPart!.WorksheetParts.First();
            var ws = part.Worksheet;
            var dvs = new DataValidations();
            foreach (var (range, min, max, prompt) in validations)
            {
                var dv = new DataValidation
                {
                    Type = DataValidationValues.Decimal,
                    AllowBlank = true,
                    ShowErrorMessage = true,
                    ShowInputMessage = true,
                    ErrorTitle = "数值有误",
                    Error = prompt,
                    Prompt = prompt,
                    SequenceOfReferences = new ListValue<StringValue> { InnerText = range },
                };
                if (min is not null && max is not null)
                {
                    dv.Operator = DataValidationOperatorValues.Between;
                    dv.Append(new Formula1(min.Value.ToString(CultureInfo.InvariantCulture)), new Formula2(max.Value.ToString(CultureInfo.InvariantCulture)));
                }
                else if (min is not null)
                {
                    dv.Operator = DataValidationOperatorValues.GreaterThanOrEqual;
                    dv.Append(new Formula1(min.Value.ToString(CultureInfo.InvariantCulture)));
                }
                else
                {
                    dv.Operator = DataValidationOperatorValues.Between;
                    dv.Append(new Formula1("-1E+300"), new Formula2("1E+300"));
                }
                dvs.Append(dv);
            }
            dvs.Count = (uint)validations.Count;
            // Schema order: dataValidations follows sheetData (and the elements that may follow it).
            OpenXmlElement anchor = ws.GetFirstChild<SheetData>()!;
            foreach (var after in ws.Elements().Where(e => e is SheetCalculationProperties or SheetProtection or ProtectedRanges or Scenarios or AutoFilter or SortState
                         or DataConsolidate or CustomSheetViews or MergeCells or PhoneticProperties or ConditionalFormatting))
                anchor = after;
            ws.InsertAfter(dvs, anchor);
            ws.Save();
        }
        return ms.ToArray();
    }

    /// <summary>Imports a sheet, all or nothing. Every error names the sheet, the row as Excel shows it, the column and the reason.</summary>
    public async Task<(int Count, Failure? Error)> ImportAsync(ClaimsPrincipal user, string period, string sheet, string fileName, Stream content, CancellationToken ct)
    {
        var (name, columns) = sheet switch
        {
            "report" => (ReportSheetName, ReportColumns),
            "scoring" => (ScoreSheetName, ScoreColumns),
            "leader" => (LeaderSheetName, LeaderColumns),
            _ => ("", Array.Empty<string>()),
        };
        if (name == "") return (0, Failure.NotFound($"没有名为 {sheet} 的表（report、scoring、leader）", $"there is no sheet {sheet} (report, scoring, leader)"));
        // The period's stage before the upload is read (the services check again, and the guard at SaveChanges).
        if (sheet == "report") await reporting.EnsureOpenAsync(period, user.UnitId() ?? "", ct);
        else if (sheet == "scoring" && user.Role() == Roles.Division) await scoring.EnsureOpenAsync(period, AssignmentKind.Division, user.UnitId() ?? "", ct);
        else if (sheet == "leader" && user.Role() == Roles.Leader) await scoring.EnsureOpenAsync(period, AssignmentKind.Leader, user.Identity?.Name ?? "", ct);
        var fileErrors = new List<ValidationError>();
        if (!fileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase))
            return (0, Failure.Invalid($"“{fileName}”不是 .xlsx 文件，请上传从本系统下载的 .xlsx 模板", $"\"{fileName}\" is not an .xlsx file: upload the .xlsx template downloaded from here", "file"));
        var bytes = SchemeXlsx.ReadLimited(content, fileErrors);
        if (bytes is not null) SchemeXlsx.CheckPackage(bytes, fileErrors);
        if (fileErrors.Count > 0) return (0, FromErrors(fileErrors));

        List<IDictionary<string, object?>> rows;
        try
        {
            using var ms = new MemoryStream(bytes!, writable: false);
            if (!ms.GetSheetNames().Contains(name))
                return (0, Failure.Invalid($"工作簿中没有名为“{name}”的工作表，请使用本系统下载的模板", $"the workbook has no sheet named \"{name}\"; use the template downloaded from here", "file"));
            ms.Position = 0;
            rows = [.. ms.Query(useHeaderRow: false, sheetName: name).Cast<IDictionary<string, object?>>()];
        }
        catch (Exception ex) when (XlsxGuard.IsUnreadable(ex))
        {
            return (0, Failure.Invalid("无法读取工作簿内容，请确认文件是 Excel 保存的 .xlsx", "the workbook's content cannot be read: make sure it is an .xlsx saved by Excel", "file"));
        }
        var errors = new Dictionary<string, Message[]>();
        void Err(int row, string column, string zh, string en) =>
            errors[$"{name}!{Letter(columns, column)}{row}"] = [($"{name}!第{row}行 {column}: {zh}", $"sheet {name} row {row} column {column}: {en}")];
        // 计量单位 and 去年同期 are shown, never read: a template from before they were added still imports.
        if (rows.Count == 0 || columns.Except([CMeasureUnit, CLastYear]).Any(c => !rows[0].Values.Select(v => v?.ToString()?.Trim()).Contains(c)))
            return (0, Failure.Invalid($"“{name}”表的第 1 行须是模板的列名：{string.Join("、", columns)}", $"row 1 of sheet \"{name}\" must hold the template's headers", "file"));
        var letterOf = rows[0].Where(kv => kv.Value?.ToString()?.Trim() is { } h && columns.Contains(h)).ToDictionary(kv => kv.Value!.ToString()!.Trim(), kv => kv.Key);
        string? Text(IDictionary<string, object?> r, string c) => r.TryGetValue(letterOf[c], out var v) && v is not null && v.ToString()!.Trim() is { Length: > 0 } t ? t : null;
        double? Number(IDictionary<string, object?> r, int rowNo, string c, out bool bad)
        {
            bad = false;
            if (!r.TryGetValue(letterOf[c], out var v) || v is null) return null;
            if (v is double or int or long or decimal or float) return Convert.ToDouble(v, CultureInfo.InvariantCulture);
            var t = v.ToString()!.Trim();
            if (t.Length == 0) return null;
            if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return d;
            bad = true;
            Err(rowNo, c, $"“{t}”不是数字", $"\"{t}\" is not a number");
            return null;
        }

        // Row numbers of the items handed to the service, to locate its errors (items[i] / scores[i]).
        var rowOf = new List<int>();
        Failure? result;
        if (sheet == "report")
        {
            var items = new List<(string, ReportValue, string)>();
            var current = (await reporting.SheetAsync(user, period, user.UnitId() ?? "", ct)).Sheet;
            for (var i = 1; i < rows.Count; i++)
            {
                var r = rows[i];
                var no = i + 1;
                var indicator = Text(r, CIndicator);
                var value = Number(r, no, CValue, out var b1);
                var target = Number(r, no, CTarget, out var b2);
                if (indicator is null) { if (value is not null || target is not null) Err(no, CIndicator, "须填写指标编码", "an indicator id is required"); continue; }
                if (b1 || b2) continue;
                var row = current?.Rows.FirstOrDefault(x => x.IndicatorId == indicator);
                if (value is null && target is null) continue;
                // A row of kind 基础数据 is a base figure of the sheet's measures (a leaf of the same id keeps its row).
                if (row is null && Text(r, CKind) == MeasureKind && current?.Measures.FirstOrDefault(x => x.MeasureId == indicator) is { } figure)
                {
                    if (figure is { Editable: false } && figure.Value == value && target is null) continue;
                    items.Add((indicator, new ReportValue(value, target, Measure: true), $"items[{rowOf.Count}]"));
                    rowOf.Add(no);
                    continue;
                }
                // A locked (submitted) row exported as is goes back unchanged: not an error, nothing to save.
                if (row is { Editable: false } && row.Value == value && row.Target == target) continue;
                items.Add((indicator, new ReportValue(value, target), $"items[{rowOf.Count}]"));
                rowOf.Add(no);
            }
            if (items.Count == 0 && errors.Count == 0) return (0, Failure.Invalid("表中没有填写任何数据", "the sheet holds no data to import", "file"));
            // With bad cells, the rows that parsed are still checked (not saved), so that one upload names every problem.
            result = items.Count == 0 ? null : await reporting.SaveDraftsAsync(user, period, user.UnitId() ?? "", items, ct, dryRun: errors.Count > 0);
        }
        else
        {
            var valueColumn = sheet == "scoring" ? CScore : CRating;
            var scores = new List<ScoreInput>();
            for (var i = 1; i < rows.Count; i++)
            {
                var r = rows[i];
                var no = i + 1;
                var unit = Text(r, CUnit);
                var indicator = Text(r, CIndicator);
                var value = Number(r, no, valueColumn, out var bad);
                if (bad || value is null) continue;
                if (unit is null) { Err(no, CUnit, "须填写单位编码", "a unit id is required"); continue; }
                scores.Add(new ScoreInput(unit, indicator, value));
                rowOf.Add(no);
            }
            if (scores.Count == 0 && errors.Count == 0) return (0, Failure.Invalid("表中没有填写任何分数", "the sheet holds no scores to import", "file"));
            var dryRun = errors.Count > 0;
            result = scores.Count == 0 ? null : sheet == "scoring"
                ? await scoring.SaveDivisionScoresAsync(user, period, scores, ct, dryRun)
                : await scoring.SaveLeaderScoresAsync(user, period, scores, ct, dryRun);
        }
        if (result is null && errors.Count == 0) return (rowOf.Count, null);
        result ??= Failure.Invalid("", "");
        if (result.Fields is null && result.Zh.Length > 0) return (0, result);
        // Translate the service's JSON paths into sheet/row/column.
        foreach (var (key, messages) in result.Fields ?? new Dictionary<string, Message[]>())
        {
            var m = ItemPath().Match(key);
            if (!m.Success) { errors[key] = messages; continue; }
            var no = rowOf[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)];
            var column = m.Groups[2].Value switch
            {
                "value" => sheet == "report" ? CValue : sheet == "scoring" ? CScore : CRating,
                "target" => CTarget,
                "indicator" => CIndicator,
                _ => sheet == "report" ? CIndicator : CUnit,
            };
            foreach (var (zh, en) in messages) Err(no, column, zh, en);
        }
        return (0, new Failure(result.Kind == FailureKind.Forbidden ? FailureKind.Forbidden : FailureKind.Invalid, $"Excel 有误（{errors.Count} 处），未导入任何内容",
            $"The workbook has {errors.Count} errors; nothing was imported", errors));
    }

    private static Failure FromErrors(List<ValidationError> errors) =>
        Failure.Validation("文件未导入：" + string.Join("；", errors.Select(e => e.Zh)), "The file was not imported: " + string.Join("; ", errors.Select(e => e.En)), errors);

    [GeneratedRegex(@"^(?:items|scores)\[(\d+)\](?:\.(\w+))?$")]
    private static partial Regex ItemPath();
}
