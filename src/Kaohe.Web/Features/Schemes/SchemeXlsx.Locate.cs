using System.Globalization;
using Kaohe.Scoring;

namespace Kaohe.Web.Features.Schemes;

/// <summary>Where in the workbook an engine validation error (a JSON path) is: sheet, row and column.</summary>
public static partial class SchemeXlsx
{
    /// <summary>The column of 指标 that holds a property of the engine's JSON path (longest first).</summary>
    private static readonly KeyValuePair<string, string>[] ColumnOfProperty =
    [
        new(".method.satisfactory", CSatisfactory), new(".method.unallowable", CUnallowable), new(".method.direction", CDirection),
        new(".method.base", CBase), new(".method.span", CSpan), new(".method.clamp", CClamp), new(".method.ratioDecimals", CRatioDecimals),
        new(".method.target", CTarget), new(".method.cap", CCap), new(".method.threshold", CThreshold), new(".method.stepBelow", CStepBelow),
        new(".method.stepAbove", CStepAbove), new(".method.maxAbove", CMaxAbove), new(".method.step", CStep), new(".method.perFinding", CPerFinding),
        new(".method.maxDeduction", CMaxDeduction), new(".method.levels", CLevels), new(".method.raters", CRaters), new(".method.options", COptions),
        new(".method", CKind), new(".formula", CFormula), new(".valueDecimals", CValueDecimals), new(".points", CPoints), new(".children", CPoints), new(".id", CId), new(".name", CName),
    ];

    /// <summary>Puts the sheet and row of the workbook in front of an engine validation error.</summary>
    private static ValidationError Locate(ValidationError e, IReadOnlyDictionary<string, int> rowOfPath, IReadOnlyDictionary<string, string> indicatorLetters,
        IReadOnlyDictionary<string, int> ruleRows, IReadOnlyList<int> measureRows)
    {
        if (e.Path.StartsWith("$.measures[", StringComparison.Ordinal) && e.Path.IndexOf(']') is var close and > 0
            && int.TryParse(e.Path["$.measures[".Length..close], CultureInfo.InvariantCulture, out var mi) && mi < measureRows.Count)
            return new ValidationError($"{MeasuresSheet}!{measureRows[mi]}:{measureRows[mi]}", $"{MeasuresSheet}!第{measureRows[mi]}行: {e.Zh}", $"sheet {MeasuresSheet} row {measureRows[mi]}: {e.En}");
        var node = rowOfPath.Keys.Where(p => e.Path == p || e.Path.StartsWith(p + ".", StringComparison.Ordinal) || e.Path.StartsWith(p + "[", StringComparison.Ordinal))
            .OrderByDescending(p => p.Length).FirstOrDefault();
        if (node is not null)
        {
            var row = rowOfPath[node];
            var rest = e.Path[node.Length..];
            var column = ColumnOfProperty.FirstOrDefault(kv => rest == kv.Key || rest.StartsWith(kv.Key + ".", StringComparison.Ordinal) || rest.StartsWith(kv.Key + "[", StringComparison.Ordinal)).Value;
            if (column is not null && indicatorLetters.TryGetValue(column, out var letter))
                return new ValidationError($"{IndicatorSheet}!{letter}{row}", $"{IndicatorSheet}!第{row}行 {column}: {e.Zh}", $"sheet {IndicatorSheet} row {row} column {column}: {e.En}");
            return new ValidationError($"{IndicatorSheet}!{row}:{row}", $"{IndicatorSheet}!第{row}行: {e.Zh}", $"sheet {IndicatorSheet} row {row}: {e.En}");
        }
        if (e.Path.StartsWith("$.rules.", StringComparison.Ordinal))
        {
            var rest = e.Path["$.rules.".Length..];
            var grade = ruleRows.Keys.Where(k => k.StartsWith("grades[", StringComparison.Ordinal) && rest.StartsWith(k, StringComparison.Ordinal)).FirstOrDefault();
            if (grade is not null)
                return new ValidationError($"{GradesSheet}!{ruleRows[grade]}:{ruleRows[grade]}", $"{GradesSheet}!第{ruleRows[grade]}行: {e.Zh}", $"sheet {GradesSheet} row {ruleRows[grade]}: {e.En}");
            var key = ruleRows.Keys.FirstOrDefault(k => rest.StartsWith(k, StringComparison.Ordinal));
            if (key is not null)
                return new ValidationError($"{RulesSheet}!{ruleRows[key]}:{ruleRows[key]}", $"{RulesSheet}!第{ruleRows[key]}行: {e.Zh}", $"sheet {RulesSheet} row {ruleRows[key]}: {e.En}");
        }
        return e;
    }
}
