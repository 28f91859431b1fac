using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Kaohe.Data;

/// <summary>
/// Streams the rows of a projected EF query through the provider's own data reader, on the command EF
/// generates (so the SQL, the parameters and the table names stay EF's). For reads of tens or hundreds
/// of thousands of rows at national scale, where EF's materialisation costs several microseconds a row
/// and keeping every row until the end makes the collector copy them all: each row is handed to
/// <paramref name="row"/> while the reader is on it, in the order of the projection's columns.
/// </summary>
public static class DbRows
{
    public static async Task ForEachAsync<T>(KaoheDbContext db, IQueryable<T> projection, Action<DbDataReader> row, CancellationToken ct = default)
    {
        await using var cmd = projection.CreateDbCommand();
        var opened = db.Database.GetDbConnection().State != System.Data.ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync(ct);
        try
        {
            cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) row(reader);
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The string of a column, or null.</summary>
    public static string? StringOrNull(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>One shared instance per distinct string (ids repeat on every row).</summary>
    public sealed class Strings
    {
        private readonly Dictionary<string, string> _kept = new(StringComparer.Ordinal);

        public string? Shared(string? s)
        {
            if (s is null) return null;
            if (_kept.TryGetValue(s, out var kept)) return kept;
            _kept[s] = s;
            return s;
        }
    }
}
