using System.Diagnostics;
using Kaohe.Data;

namespace Kaohe.Reliability;

/// <summary>
/// One instance on a fresh PostgreSQL database of the test server, with its attachment directory on
/// a small tmpfs of its own (so that the tests can fill it up or make it read-only). The tests kill
/// it and start it again; it is left running after each test.
/// </summary>
public sealed class PgApp : IAsyncLifetime
{
    public const long AttachmentsBytes = 4 * 1024 * 1024;

    public PgDatabase Database { get; private set; } = null!;
    public AppProcess App { get; private set; } = null!;
    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "kaohe-pgfault-" + Guid.NewGuid().ToString("N"));
    public string AttachmentsDir => Path.Combine(DataDir, "attachments");

    /// <summary>Why the tmpfs could not be mounted (the attachment tests then fail, naming it), or null.</summary>
    public string? MountError { get; private set; }

    public string BaseUrl => App.BaseUrl;

    public Dictionary<string, string> Env() => AppProcess.PostgresEnv(Database.ConnectionString, DataDir);

    public async Task InitializeAsync()
    {
        Database = await PgDatabase.CreateAsync(Cluster.Server);
        Directory.CreateDirectory(AttachmentsDir);
        MountError = await Mount("-t", "tmpfs", "-o", $"size={AttachmentsBytes}", "tmpfs", AttachmentsDir);
        App = new AppProcess("pg", Env());
        await App.StartAsync();
    }

    public KaoheDbContext Db() => Database.Db();

    /// <summary>A test that failed half-way may have left the process killed.</summary>
    public async Task EnsureRunningAsync()
    {
        if (!App.IsRunning) await RestartAsync();
    }

    /// <summary>Starts the application again after a kill.</summary>
    public async Task RestartAsync()
    {
        await App.KillAsync();
        App = new AppProcess("pg", Env());
        await App.StartAsync();
    }

    public static async Task<string?> Mount(params string[] args)
    {
        var psi = new ProcessStartInfo("mount") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            var err = await p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            return p.ExitCode == 0 ? null : $"mount {string.Join(' ', args)}: {err}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return "mount: " + e.Message;
        }
    }

    public async Task DisposeAsync()
    {
        if (App is not null) await App.DisposeAsync();
        if (MountError is null)
        {
            await Mount("-o", "remount,rw", AttachmentsDir);
            Umount();
        }
        if (Database is not null) await Database.DisposeAsync();
        try { Directory.Delete(DataDir, true); } catch (IOException) { }
    }

    private void Umount()
    {
        using var p = Process.Start(new ProcessStartInfo("umount", ["-l", AttachmentsDir]) { UseShellExecute = false, RedirectStandardError = true })!;
        p.WaitForExit();
    }
}
