using System.Data.Common;
using Kaohe.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace Kaohe.Generate;

/// <summary>
/// Inserts many rows of one entity type fast, with the table and column mapping (and value
/// conversions) taken from the EF model, so the rows are exactly what EF would write: on SQLite a
/// prepared INSERT reused inside one transaction, on PostgreSQL binary COPY.
/// </summary>
public static class BulkInsert
{
    public static async Task<long> RunAsync<T>(KaoheDbContext db, IEnumerable<T> rows, Action<long>? progress = null, CancellationToken ct = default) where T : class
    {
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped");
        var table = entity.GetTableName()!;
        var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
        var columns = entity.GetProperties()
            .Where(p => p.ValueGenerated == ValueGenerated.Never || !p.IsPrimaryKey())
            .Where(p => p.PropertyInfo is not null || p.FieldInfo is not null)
            .Select(p => (Name: p.GetColumnName(store)!, Get: Getter(p)))
            .ToArray();
        var conn = db.Database.GetDbConnection();
        if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync(ct);
        long n = 0;
        if (conn is NpgsqlConnection pg)
        {
            var copy = $"COPY \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) FROM STDIN (FORMAT BINARY)";
            await using var importer = await pg.BeginBinaryImportAsync(copy, ct);
            // Completing a COPY of a million rows checks every unique index at the end: far beyond the 30 s command timeout on a busy machine.
            importer.Timeout = TimeSpan.FromMinutes(30);
            foreach (var row in rows)
            {
                // Cancelled: disposing the importer without completing it aborts the COPY, none of its rows stay.
                if (n % 1000 == 0) ct.ThrowIfCancellationRequested();
                await importer.StartRowAsync();
                foreach (var c in columns)
                {
                    var v = c.Get(row);
                    if (v is null) await importer.WriteNullAsync();
                    else await importer.WriteAsync(v);
                }
                if (++n % 10_000 == 0) progress?.Invoke(n);
            }
            await importer.CompleteAsync(ct);
        }
        else
        {
            var sqlite = (SqliteConnection)conn;
            await using var tx = (SqliteTransaction)await sqlite.BeginTransactionAsync(ct);
            await using var cmd = sqlite.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i))})";
            var parameters = columns.Select((_, i) => cmd.Parameters.Add(new SqliteParameter("$p" + i, null))).ToArray();
            cmd.Prepare();
            foreach (var row in rows)
            {
                if (n % 1000 == 0) ct.ThrowIfCancellationRequested(); // the transaction rolls back
                for (var i = 0; i < columns.Length; i++) parameters[i].Value = columns[i].Get(row) ?? DBNull.Value;
                await cmd.ExecuteNonQueryAsync();
                if (++n % 10_000 == 0) progress?.Invoke(n);
            }
            await tx.CommitAsync(ct);
        }
        progress?.Invoke(n);
        return n;
    }

    /// <summary>The value as the database stores it: the CLR value through the property's value converter, if it has one.</summary>
    private static Func<object, object?> Getter(IProperty p)
    {
        var converter = p.GetTypeMapping().Converter;
        Func<object, object?> raw = p.PropertyInfo is { } pi ? pi.GetValue : p.FieldInfo!.GetValue;
        return converter is null ? raw : o => raw(o) is { } v ? converter.ConvertToProvider(v) : null;
    }
}
