using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kaohe.Reliability;

/// <summary>
/// One instance of the application as its own operating-system process (<c>dotnet Kaohe.Web.dll</c>),
/// as production runs it, so that tests can kill it with SIGKILL and start it again.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Dictionary<string, string> _env;
    private readonly StringBuilder _output = new();
    private Process? _process;

    public AppProcess(string name, Dictionary<string, string> env)
    {
        Name = name;
        _env = env;
        Port = FreePort();
    }

    public string Name { get; }
    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public bool IsRunning => _process is { HasExited: false };
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Kaohe.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Kaohe.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The application's own build output, in the configuration these tests were built in.</summary>
    public static string WebDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            var dll = Path.Combine(RepoRoot, "src", "Kaohe.Web", "bin", configuration, "net10.0", "Kaohe.Web.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build the solution first (./test.sh does)");
        }
    }

    /// <summary>The settings of one instance on a PostgreSQL database: its data directory, the demo, quiet logs and no login or survey limits in the way of a burst.</summary>
    public static Dictionary<string, string> PostgresEnv(string connectionString, string dataDir, params (string Key, string Value)[] extra)
    {
        var env = new Dictionary<string, string>
        {
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__Kaohe"] = connectionString,
            ["Kaohe__DataDir"] = dataDir,
            ["Kaohe__DemoPassword"] = Cluster.DemoPassword,
            ["Kaohe__AdminPassword"] = Cluster.AdminPassword,
            ["Kaohe__LoginAttemptsPerMinute"] = "1000000",
            ["Kaohe__SignIn__AttemptsPerAccountPerMinute"] = "1000000",
            ["Kaohe__SurveyPerMinute"] = "1000000",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (k, v) in extra) env[k] = v;
        return env;
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Starts the process and waits until /healthz answers (migrations and the demo load happen before Kestrel listens).</summary>
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo("dotnet", [WebDll, "--urls", BaseUrl])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(WebDll)!,
        };
        foreach (var (k, v) in _env) psi.Environment[k] = v;
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + Name);
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(300));
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await http.GetAsync(BaseUrl + "/healthz")).IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{Name} did not answer /healthz:\n{Output}");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing — what a power cut or the OOM killer does.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }
}
