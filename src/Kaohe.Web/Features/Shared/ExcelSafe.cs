namespace Kaohe.Web.Features.Shared;

/// <summary>
/// Neutralises text that a spreadsheet would run as a formula (CSV/formula injection): a cell that
/// starts with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or carriage return gets a leading apostrophe.
/// Every export of the application passes its text cells through here.
/// </summary>
public static class ExcelSafe
{
    public static string? Text(string? value) =>
        value is { Length: > 0 } && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;

    /// <summary>Neutralises every string value of a row; numbers and dates pass unchanged.</summary>
    public static IDictionary<string, object?> Row(IDictionary<string, object?> row)
    {
        foreach (var key in row.Keys.ToArray())
            if (row[key] is string s) row[key] = Text(s);
        return row;
    }
}
