using System.Data.Common;
using Kaohe.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;

namespace Kaohe.Web.Features.Surveys;

/// <summary>
/// How the public submission path reaches the database without a DbContext: the provider and the
/// connection string of the application's context, read once. The hot path uses plain ADO.NET
/// (a pooled SQLite connection, an <see cref="NpgsqlDataSource"/> with automatic preparation) because
/// per-request EF Core overhead is a large share of a submission's cost (docs/surveys-throughput.md).
/// </summary>
public sealed class SurveyDatabase : IAsyncDisposable
{
    private static readonly DateTimeOffsetToBinaryConverter SqliteTime = new();
    private readonly NpgsqlDataSource? _pg;

    public SurveyDatabase(IServiceScopeFactory scopes)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        IsPostgres = db.IsPostgres;
        var cs = db.Database.GetConnectionString() ?? throw new InvalidOperationException("the database has no connection string");
        if (IsPostgres)
        {
            // Statements of the hot path are prepared on each physical connection once, not parsed per request.
            var b = new NpgsqlConnectionStringBuilder(cs);
            if (b.MaxAutoPrepare == 0) b.MaxAutoPrepare = 32;
            _pg = NpgsqlDataSource.Create(b.ConnectionString);
            ConnectionString = b.ConnectionString;
        }
        else ConnectionString = cs;
    }

    public bool IsPostgres { get; }
    public string ConnectionString { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        if (_pg is not null) return await _pg.OpenConnectionAsync(ct);
        var c = new SqliteConnection(ConnectionString);
        await c.OpenAsync(ct);
        return c;
    }

    /// <summary>A time as the column stores it: timestamptz on PostgreSQL, EF's binary ticks on SQLite.</summary>
    public object Time(DateTimeOffset at) => IsPostgres ? at.ToUniversalTime() : SqliteTime.ConvertToProvider(at)!;

    public static DbParameter Add(DbCommand cmd, string name, object? value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        cmd.Parameters.Add(p);
        return p;
    }

    public ValueTask DisposeAsync() => _pg?.DisposeAsync() ?? ValueTask.CompletedTask;
}
