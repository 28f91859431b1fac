using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using MiniExcelLibs;

namespace Kaohe.Web.Features.Surveys;

public sealed record PaperRow(int Row, int SiteId, string SiteCode, string Sheet, SurveyAnswers Answers);

/// <summary>
/// The .xlsx of keyed-in paper questionnaires (纸质问卷录入表): sheet <c>纸质问卷</c>, one row per
/// questionnaire: 调查点编号, 问卷编号, then one column per question (Q1, Q2, …) holding the option as
/// printed (满意 / 基本满意 / 不满意 / 不了解) or blank. Import is all-or-nothing; every error names the
/// sheet, the row as Excel shows it and the column.
/// </summary>
public static class PaperXlsx
{
    public const string Sheet = "纸质问卷";
    public const string ColSite = "调查点编号", ColSheet = "问卷编号";
    public const long MaxBytes = 5 * 1024 * 1024;
    public const int MaxRows = 5000;

    public static string Header(int i, Question q) => $"Q{i + 1} {q.Text.In(Texts.Chinese)}";

    public static byte[] Template(Questionnaire q, IReadOnlyList<SurveySite> sites)
    {
        var rows = new List<Dictionary<string, object?>>();
        var example = sites.FirstOrDefault();
        var row = new Dictionary<string, object?> { [ColSite] = example?.Code ?? "LS-1", [ColSheet] = (example?.Code ?? "LS-1") + "-P001" };
        for (var i = 0; i < q.Questions.Count; i++) row[Header(i, q.Questions[i])] = q.Questions[i].Options[0].Id;
        // Site codes and option names are typed by the office: neutralise text a spreadsheet would run as a formula.
        rows.Add((Dictionary<string, object?>)Kaohe.Web.Features.Shared.ExcelSafe.Row(row));
        var help = new List<Dictionary<string, object?>>
        {
            new() { ["说明"] = "每行一份纸质问卷；问卷编号在同一调查点内不得重复（与二维码一样，每份只计一次）。" },
            new() { ["说明"] = "题目列填写所选选项：" + string.Join("、", q.Questions[0].Options.Select(o => o.Id)) + "；未作答留空。" },
            new() { ["说明"] = "调查点编号：" + string.Join("、", sites.Select(s => $"{s.Code}（{s.Place}）")) },
            new() { ["说明"] = "导入时全部检查，有任何错误则不导入任何一行，并指出错误所在的行和列。" },
        };
        using var ms = new MemoryStream();
        ms.SaveAs(new Dictionary<string, object> { [Sheet] = rows, ["说明"] = help });
        return ms.ToArray();
    }

    /// <summary>Reads and checks every row; returns the rows only when there is no error at all.</summary>
    public static (IReadOnlyList<PaperRow> Rows, IReadOnlyList<string> Errors) Read(Stream xlsx, Questionnaire q, IReadOnlyList<SurveySite> sites)
    {
        var errors = new List<string>();
        List<IDictionary<string, object?>> raw;
        byte[] bytes;
        using (var copy = new MemoryStream())
        {
            xlsx.CopyTo(copy);
            bytes = copy.ToArray();
        }
        if (XlsxGuard.Check(bytes) is { } refused) return ([], [$"{refused.Zh} / {refused.En}"]);
        xlsx = new MemoryStream(bytes, writable: false);
        try
        {
            if (!MiniExcel.GetSheetNames(xlsx).Contains(Sheet))
                return ([], [$"缺少工作表“{Sheet}” / the workbook has no sheet \"{Sheet}\""]);
            xlsx.Position = 0;
            raw = [.. xlsx.Query(useHeaderRow: false, sheetName: Sheet).Cast<IDictionary<string, object?>>()];
        }
        catch (Exception ex) when (XlsxGuard.IsUnreadable(ex))
        {
            return ([], ["文件不是有效的 .xlsx / the file is not a valid .xlsx"]);
        }
        if (raw.Count == 0) return ([], [$"{Sheet}: 工作表为空 / the sheet is empty"]);
        if (raw.Count - 1 > MaxRows) return ([], [$"{Sheet}: 最多 {MaxRows} 行 / at most {MaxRows} rows"]);
        static string Cell(IDictionary<string, object?> r, string col) => r.TryGetValue(col, out var v) ? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)?.Trim() ?? "" : "";

        var header = raw[0];
        var columns = header.Keys.ToList();
        string? Find(string name) => columns.FirstOrDefault(c => Cell(header, c) == name);
        var siteCol = Find(ColSite);
        var sheetCol = Find(ColSheet);
        if (siteCol is null) errors.Add($"{Sheet}!第 1 行：缺少列“{ColSite}” / row 1: column \"{ColSite}\" is missing");
        if (sheetCol is null) errors.Add($"{Sheet}!第 1 行：缺少列“{ColSheet}” / row 1: column \"{ColSheet}\" is missing");
        var questionCols = new Dictionary<string, Question>();
        for (var i = 0; i < q.Questions.Count; i++)
        {
            var prefix = $"Q{i + 1}";
            var col = columns.FirstOrDefault(c => Cell(header, c) is var h && (h == prefix || h.StartsWith(prefix + " ", StringComparison.Ordinal)));
            if (col is null) errors.Add($"{Sheet}!第 1 行：缺少第 {i + 1} 题的列“{prefix}” / row 1: column \"{prefix}\" of question {i + 1} is missing");
            else questionCols[col] = q.Questions[i];
        }
        if (errors.Count > 0) return ([], errors);

        var byCode = sites.ToDictionary(s => s.Code, StringComparer.OrdinalIgnoreCase);
        var seen = new Dictionary<(int, string), int>();
        var rows = new List<PaperRow>();
        for (var r = 1; r < raw.Count; r++)
        {
            var excelRow = r + 1;
            var row = raw[r];
            if (row.Values.All(v => string.IsNullOrWhiteSpace(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)))) continue;
            var code = Cell(row, siteCol!);
            var sheet = Cell(row, sheetCol!);
            SurveySite? site = null;
            if (code.Length == 0) errors.Add($"{Sheet}!{siteCol}{excelRow}（{ColSite}）：不能为空 / must not be empty");
            else if (!byCode.TryGetValue(code, out site)) errors.Add($"{Sheet}!{siteCol}{excelRow}（{ColSite}）：调查点“{code}”不存在 / no site \"{code}\"");
            if (sheet.Length == 0) errors.Add($"{Sheet}!{sheetCol}{excelRow}（{ColSheet}）：不能为空 / must not be empty");
            else if (sheet.Length > 32) errors.Add($"{Sheet}!{sheetCol}{excelRow}（{ColSheet}）：最多 32 个字符 / at most 32 characters");
            else if (site is not null && seen.TryGetValue((site.Id, sheet), out var first))
                errors.Add($"{Sheet}!{sheetCol}{excelRow}（{ColSheet}）：问卷编号 {sheet} 与第 {first} 行重复 / sheet {sheet} repeats row {first}");
            else if (site is not null) seen[(site.Id, sheet)] = excelRow;
            var answers = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (col, question) in questionCols)
            {
                var value = Cell(row, col);
                if (value.Length == 0) continue;
                if (!question.Options.Any(o => o.Id == value))
                    errors.Add($"{Sheet}!{col}{excelRow}（{Cell(header, col)}）：选项“{value}”不存在，应为 {string.Join("/", question.Options.Select(o => o.Id))} / no option \"{value}\"");
                else answers[question.Id] = value;
            }
            if (answers.Count == 0 && questionCols.Count > 0)
                errors.Add($"{Sheet}!第 {excelRow} 行：没有任何作答 / row {excelRow} answers no question");
            if (site is not null && sheet.Length is > 0 and <= 32) rows.Add(new PaperRow(excelRow, site.Id, site.Code, sheet, new SurveyAnswers(answers)));
        }
        if (rows.Count == 0 && errors.Count == 0) errors.Add($"{Sheet}: 没有数据行 / no data rows");
        return errors.Count > 0 ? ([], errors) : (rows, errors);
    }
}
