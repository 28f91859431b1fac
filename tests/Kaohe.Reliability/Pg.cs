using Kaohe.Data.Postgres;
using System.Diagnostics;
using Kaohe.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Kaohe.Reliability;

/// <summary>A fresh database on a PostgreSQL server, dropped at the end.</summary>
public sealed class PgDatabase : IAsyncDisposable
{
    private readonly string _server;

    private PgDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }

    public static async Task<PgDatabase> CreateAsync(string server)
    {
        var name = "kaohe_r_" + Guid.NewGuid().ToString("N")[..12];
        await using var conn = new NpgsqlConnection(server);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
        await cmd.ExecuteNonQueryAsync();
        return new PgDatabase(server, name);
    }

    public KaoheDbContext Db() =>
        new PostgresKaoheDbContext(new DbContextOptionsBuilder<PostgresKaoheDbContext>().UseNpgsql(ConnectionString).Options);

    public Task<NpgsqlConnection> OpenAsync() => OpenAsync(ConnectionString);

    /// <summary>An unpooled connection: it really closes when disposed, and survives no server restart by accident.</summary>
    public static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        return conn;
    }

    public Task<long> CountAsync(string sql) => CountAsync(ConnectionString, sql);

    public static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var conn = await OpenAsync(connectionString);
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var conn = new NpgsqlConnection(_server);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException) { }
    }
}

/// <summary>
/// Holds a lock from a test session so that the application's transaction stops at a known point,
/// with its rows written but not committed: the moment at which the tests pull the plug.
/// </summary>
public sealed class Gate : IAsyncDisposable
{
    private readonly NpgsqlConnection _conn;
    private readonly NpgsqlTransaction? _tx;

    private Gate(NpgsqlConnection conn, NpgsqlTransaction? tx)
    {
        _conn = conn;
        _tx = tx;
    }

    /// <summary>
    /// Blocks inserts into the audit trail (EXCLUSIVE still lets plain reads through). Every audited
    /// change saves its own rows first and the audit entries last, in one transaction, so the writer
    /// stops with its rows written and uncommitted.
    /// </summary>
    public static async Task<Gate> BlockAuditInsertsAsync(string connectionString)
    {
        var conn = await PgDatabase.OpenAsync(connectionString);
        var tx = await conn.BeginTransactionAsync();
        await using var cmd = new NpgsqlCommand("LOCK TABLE \"AuditLog\" IN EXCLUSIVE MODE", conn, tx);
        await cmd.ExecuteNonQueryAsync();
        return new Gate(conn, tx);
    }

    /// <summary>Takes the advisory lock that serialises audit appends: writers queue at the start of their transaction.</summary>
    public static async Task<Gate> HoldAuditAppendsAsync(string connectionString)
    {
        var conn = await PgDatabase.OpenAsync(connectionString);
        await using var cmd = new NpgsqlCommand("SELECT pg_advisory_lock(323757238373)", conn); // 0x4B616F6865, AuditLog's key
        await cmd.ExecuteNonQueryAsync();
        return new Gate(conn, null);
    }

    /// <summary>
    /// Waits until <paramref name="count"/> other sessions of this database are waiting for a lock,
    /// and returns the tables on which those sessions hold RowExclusiveLock (i.e. have written).
    /// </summary>
    public async Task<List<string>> WaitForWaitersAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            // Inside a transaction, pg_stat_activity is a snapshot taken at its first read: drop it
            // so that each poll sees the sessions as they are now.
            await using (var clear = new NpgsqlCommand("SELECT pg_stat_clear_snapshot()", _conn, _tx))
                await clear.ExecuteNonQueryAsync();
            await using (var cmd = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'", _conn, _tx))
            {
                if (Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) >= count)
                {
                    await using var tables = new NpgsqlCommand("""
                        SELECT DISTINCT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                        JOIN pg_stat_activity a ON a.pid = l.pid
                        WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.wait_event_type = 'Lock'
                          AND l.mode = 'RowExclusiveLock' AND l.granted AND c.relkind = 'r'
                        """, _conn, _tx);
                    var list = new List<string>();
                    await using var reader = await tables.ExecuteReaderAsync();
                    while (await reader.ReadAsync()) list.Add(reader.GetString(0));
                    return list;
                }
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"fewer than {count} sessions came to wait for the lock");
    }

    /// <summary>Cuts off the sessions waiting for the lock (pg_terminate_backend), as a network failure or a server restart would.</summary>
    public async Task<int> TerminateWaitersAsync()
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity " +
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'", _conn, _tx);
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (_tx is not null) await _tx.RollbackAsync();
        await _conn.DisposeAsync();
    }
}

/// <summary>
/// A PostgreSQL 15 server of the test's own (initdb in a temporary directory, its own port, fsync on),
/// so that restarting it disturbs no other test. Runs as the postgres user, as initdb requires.
/// </summary>
public sealed class OwnPostgres : IAsyncDisposable
{
    private static readonly string Bin = Environment.GetEnvironmentVariable("KAOHE_TEST_PG_BIN") is { Length: > 0 } bin ? bin : "/usr/lib/postgresql/15/bin";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kaohe-ownpg-" + Guid.NewGuid().ToString("N")[..8]);

    public int Port { get; } = AppProcess.FreePort();
    public string Server => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres";
    private string Data => Path.Combine(_dir, "data");

    public static async Task<OwnPostgres> StartAsync()
    {
        var pg = new OwnPostgres();
        Directory.CreateDirectory(pg._dir);
        await Run("chown", "postgres", pg._dir);
        await Run("runuser", "-u", "postgres", "--", $"{Bin}/initdb", "-D", pg.Data, "-A", "trust", "-U", "postgres");
        await pg.PgCtl("start");
        return pg;
    }

    private Task PgCtl(string verb, params string[] extra) =>
        Run(["runuser", "-u", "postgres", "--", $"{Bin}/pg_ctl", "-D", Data, "-l", Path.Combine(_dir, "log"), "-w", verb, .. extra,
            "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c max_connections=200"]);

    /// <summary><c>pg_ctl restart -m immediate</c>: every backend is cut off, then crash recovery on the way up.</summary>
    public Task RestartAsync() => PgCtl("restart", "-m", "immediate");

    /// <summary><c>pg_ctl stop -m immediate</c>: the server is gone until <see cref="StartAgainAsync"/>.</summary>
    public Task StopAsync() => PgCtl("stop", "-m", "immediate");

    public Task StartAgainAsync() => PgCtl("start");

    private static Task Run(params string[] args) => Run((IReadOnlyList<string>)args);

    private static async Task Run(IReadOnlyList<string> args)
    {
        var psi = new ProcessStartInfo(args[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args.Skip(1)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{string.Join(' ', args)} exited {p.ExitCode}: {await stdout}{await stderr}");
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await Run("runuser", "-u", "postgres", "--", $"{Bin}/pg_ctl", "-D", Data, "-m", "immediate", "-w", "stop");
        }
        catch (InvalidOperationException) { }
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
