using System.Globalization;
using Kaohe.Scoring;

namespace Kaohe.Web.Features.Schemes;

/// <summary>Reading cells by header name, and the errors that name the sheet, the row as Excel shows it and the column.</summary>
public static partial class SchemeXlsx
{
    /// <summary>One sheet's cells by column letter, with header names mapped to letters.</summary>
    private sealed class SheetReader(string sheet, IReadOnlyDictionary<string, string> letterOf, List<ValidationError> errors)
    {
        public int ErrorCount => errors.Count;

        public IReadOnlyDictionary<string, string> Letters => letterOf;

        public void Error(int row, string column, string zh, string en) =>
            errors.Add(new ValidationError($"{sheet}!{letterOf.GetValueOrDefault(column, "")}{row}",
                $"{sheet}!第{row}行 {column}: {zh}", $"sheet {sheet} row {row} column {column}: {en}"));

        public static string? RawText(object? v, bool trim = true) => v switch
        {
            null => null,
            string s => string.IsNullOrWhiteSpace(s) ? null : Unsafe(trim ? s.Trim() : s),
            double d => Num(d),
            IConvertible c when IsNumber(v) => Num(c.ToDouble(CultureInfo.InvariantCulture)),
            _ => Convert.ToString(v, CultureInfo.InvariantCulture),
        };

        private static bool IsNumber(object v) => v is byte or short or int or long or float or double or decimal;

        public object? Cell(IDictionary<string, object?> row, string column) =>
            letterOf.TryGetValue(column, out var letter) && row.TryGetValue(letter, out var v) ? v : null;

        /// <summary>Codes, method names and numbers are trimmed; names and rule texts are kept exactly, so that the round trip is lossless.</summary>
        public string? Text(IDictionary<string, object?> row, string column) => RawText(Cell(row, column), trim: !Verbatim.Contains(column));

        public double? Number(IDictionary<string, object?> row, int rowNo, string column, bool required = false)
        {
            var v = Cell(row, column);
            if (v is not null && IsNumber(v)) return ((IConvertible)v).ToDouble(CultureInfo.InvariantCulture);
            var t = RawText(v);
            if (t is null)
            {
                if (required) Error(rowNo, column, "必须填写数字", "a number is required");
                return null;
            }
            if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return d;
            Error(rowNo, column, $"\"{t}\" 不是数字", $"\"{t}\" is not a number");
            return null;
        }

        public int? Integer(IDictionary<string, object?> row, int rowNo, string column)
        {
            var d = Number(row, rowNo, column);
            if (d is null) return null;
            if (d != Math.Floor(d.Value) || d < int.MinValue || d > int.MaxValue)
            {
                Error(rowNo, column, $"\"{Num(d.Value)}\" 不是整数", $"\"{Num(d.Value)}\" is not a whole number");
                return null;
            }
            return (int)d.Value;
        }
    }

    /// <summary>Maps header names of the first row to column letters; reports missing required headers.</summary>
    private static Dictionary<string, string>? Headers(string sheet, List<IDictionary<string, object?>> rows, string[] required, List<ValidationError> errors)
    {
        var letterOf = new Dictionary<string, string>(StringComparer.Ordinal);
        if (rows.Count > 0)
            foreach (var (letter, v) in rows[0])
                if (SheetReader.RawText(v) is { } name) letterOf.TryAdd(name, letter);
        var missing = required.Where(c => !letterOf.ContainsKey(c)).ToArray();
        foreach (var c in missing)
            errors.Add(new ValidationError($"{sheet}!1:1", $"{sheet}!第1行: 缺少列“{c}”", $"sheet {sheet} row 1: column \"{c}\" is missing"));
        return missing.Length == 0 ? letterOf : null;
    }

    private static bool IsBlank(IDictionary<string, object?> row) => row.Values.All(v => SheetReader.RawText(v) is null);
}
