using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;

namespace Kaohe.Reliability;

/// <summary>Faults: the process killed with SIGKILL in the middle of writing. Nothing acknowledged is lost, nothing is half-written.</summary>
public sealed class FaultTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kaohe-fault-" + Guid.NewGuid().ToString("N"));
    private AppProcess _app = null!;

    private Dictionary<string, string> Env() => new()
    {
        ["Database__Provider"] = "Sqlite",
        ["Kaohe__DataDir"] = _dataDir,
        ["Kaohe__DemoPassword"] = Cluster.DemoPassword,
        ["Kaohe__AdminPassword"] = Cluster.AdminPassword,
        ["Kaohe__LoginAttemptsPerMinute"] = "1000000",
        ["Kaohe__SignIn__AttemptsPerAccountPerMinute"] = "1000000",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    public async Task InitializeAsync()
    {
        _app = new AppProcess("sqlite", Env());
        await _app.StartAsync();
    }

    [Fact]
    public async Task SQLite_killed_mid_write_keeps_its_integrity_and_every_acknowledged_write()
    {
        // Eight writers issue tokens (each one a committed row) as fast as they can; the process is
        // killed while they run. Every token answered with 200 must work after the restart.
        var acknowledged = new ConcurrentBag<string>();
        using var cts = new CancellationTokenSource();
        using var http = new HttpClient { BaseAddress = new Uri(_app.BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
        var writers = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            while (!cts.IsCancellationRequested)
            {
                try
                {
                    var r = await http.PostAsJsonAsync("/api/v1/auth/token", new { username = i % 2 == 0 ? "viewer" : "office", password = Cluster.DemoPassword }, cts.Token);
                    if (r.StatusCode == HttpStatusCode.OK) acknowledged.Add((await r.Content.ReadFromJsonAsync<TokenBody>(cts.Token))!.Token);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException or IOException) { }
            }
        })).ToArray();
        while (acknowledged.Count < 150) await Task.Delay(20);
        await _app.KillAsync();
        await cts.CancelAsync();
        await Task.WhenAll(writers);
        Assert.True(acknowledged.Count >= 150);

        var db = Path.Combine(_dataDir, "kaohe.db");
        await using (var c = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA integrity_check;";
            Assert.Equal("ok", await cmd.ExecuteScalarAsync() as string);
        }

        await _app.StartAsync();
        using var check = new HttpClient { BaseAddress = new Uri(_app.BaseUrl) };
        var lost = 0;
        foreach (var token in acknowledged)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/periods");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if ((await check.SendAsync(request)).StatusCode != HttpStatusCode.OK) lost++;
        }
        output.WriteLine($"SQLite killed after {acknowledged.Count} acknowledged writes by 8 writers: integrity_check ok, lost {lost}");
        Assert.Equal(0, lost);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dataDir, true); } catch (IOException) { }
    }

    private sealed record TokenBody(string Token);
}
