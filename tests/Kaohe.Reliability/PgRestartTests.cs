using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Surveys;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using static Kaohe.Reliability.Clients;

namespace Kaohe.Reliability;

/// <summary>
/// PostgreSQL restarted (<c>pg_ctl restart -m immediate</c>: every backend cut off, crash recovery)
/// in the middle of a burst of survey answers. The server is the test's own, so nothing else is
/// disturbed. Clients see errors or slow answers; every answer acknowledged with 2xx is stored; the
/// application recovers without being restarted.
/// </summary>
public sealed class PgRestartTests(ITestOutputHelper output)
{
    public const int Codes = 400;
    public const int Workers = 16;
    public const int RestartAfter = 100;

    private sealed record Attempt(string Code, int Phase, int? Status, string? ContentType, string? Error);

    [Fact]
    public async Task PostgreSQL_restarted_during_a_survey_burst_loses_no_acknowledged_answer_and_the_app_recovers_by_itself()
    {
        await using var pg = await OwnPostgres.StartAsync();
        await using var database = await PgDatabase.CreateAsync(pg.Server);
        var dataDir = Path.Combine(Path.GetTempPath(), "kaohe-pgrestart-" + Guid.NewGuid().ToString("N"));
        var app = new AppProcess("restart", AppProcess.PostgresEnv(database.ConnectionString, dataDir));
        try
        {
            await app.StartAsync();
            var site = (await SitesAsync(app.BaseUrl))[0];
            var codes = await IssueCodesAsync(app.BaseUrl, site, Codes);
            var answers = await AnswersAsync(app.BaseUrl, codes[0]);

            using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl), Timeout = TimeSpan.FromSeconds(90) };
            var attempts = new ConcurrentBag<Attempt>();
            async Task<Attempt> Send(string code, int phase)
            {
                try
                {
                    var r = await http.PostAsJsonAsync($"/api/v1/survey/{code}", new { answers, language = "zh" });
                    return new Attempt(code, phase, (int)r.StatusCode, r.Content.Headers.ContentType?.MediaType, null);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    return new Attempt(code, phase, null, null, e.GetType().Name);
                }
            }

            // Phase 1: the burst; after RestartAfter acknowledgements the server is restarted while the workers go on.
            var queue = new ConcurrentQueue<string>(codes);
            var acknowledged = 0;
            Task? restart = null;
            var restartLock = new object();
            var sentAfterRestart = 0;
            var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
            {
                while (queue.TryDequeue(out var code))
                {
                    var afterRestart = restart is not null;
                    var a = await Send(code, 1);
                    attempts.Add(a);
                    if (afterRestart) Interlocked.Increment(ref sentAfterRestart);
                    if (a.Status is >= 200 and < 300 && Interlocked.Increment(ref acknowledged) == RestartAfter)
                        lock (restartLock) restart ??= pg.RestartAsync();
                }
            })).ToArray();
            await Task.WhenAll(workers);
            Assert.NotNull(restart);
            await restart;
            Assert.True(sentAfterRestart > 0, "the restart came in the middle of the burst");

            // Phase 2: without restarting the application, every code not acknowledged is sent again.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                var probe = await Send(codes[0], 0);
                attempts.Add(probe);
                if (probe.Status is not (null or >= 500)) break;
                await Task.Delay(500);
            }
            var retry = codes.Except(attempts.Where(a => a.Status is >= 200 and < 300).Select(a => a.Code)).ToList();
            foreach (var chunk in retry.Chunk(Workers))
                foreach (var a in await Task.WhenAll(chunk.Select(c => Send(c, 2)))) attempts.Add(a);

            var phase1 = attempts.Where(a => a.Phase == 1).ToList();
            var phase2 = attempts.Where(a => a.Phase == 2).ToList();
            var acked = attempts.Where(a => a.Status is >= 200 and < 300).Select(a => a.Code).ToList();
            await using var db = database.Db();
            var hashes = codes.Select(SurveyTokens.Hash).ToList();
            var tokenIds = await db.Set<SurveyToken>().AsNoTracking().Where(t => hashes.Contains(t.TokenHash)).Select(t => new { t.Id, t.TokenHash }).ToListAsync();
            var storedIds = (await db.Set<SurveyResponse>().AsNoTracking().Where(r => r.TokenId != null).Select(r => r.TokenId!.Value).ToListAsync()).ToHashSet();
            var storedCodes = codes.Where(c => tokenIds.Any(t => t.TokenHash == SurveyTokens.Hash(c) && storedIds.Contains(t.Id))).ToHashSet();
            var lost = acked.Count(c => !storedCodes.Contains(c));
            string Describe(IEnumerable<Attempt> list) => string.Join(", ", list.GroupBy(a => a.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? a.Error)
                .OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"));
            output.WriteLine($"phase 1 (burst, restart after {RestartAfter} acknowledged): {phase1.Count} requests, {sentAfterRestart} sent after the restart began: {Describe(phase1)}");
            output.WriteLine($"phase 2 (resend the unacknowledged, app not restarted): {phase2.Count} requests: {Describe(phase2)}");
            output.WriteLine($"acknowledged {acked.Count} distinct {acked.Distinct().Count()}, stored {storedCodes.Count}, lost {lost}");
            output.WriteLine("5xx content types: " + string.Join(", ", attempts.Where(a => a.Status >= 500).Select(a => a.ContentType ?? "none").Distinct()));
            // The application must survive the database's restart by itself (a background loop that let an exception out stopped it once).
            if (!app.IsRunning) output.WriteLine("the application exited; its last output:\n" + string.Join('\n', app.Output.Split('\n').TakeLast(60)));
            Assert.True(app.IsRunning, "the application is still running after the database restart");

            Assert.Equal(0, lost);
            Assert.Equal(acked.Count, acked.Distinct().Count());
            // A code is stored once, and only ever because an answer was sent: stored = acknowledged + those whose 2xx was lost on the wire (then 409 on resending).
            Assert.All(storedCodes.Except(acked), c => Assert.Contains(attempts, a => a.Code == c && a.Status == 409));
            // Recovered: after the resend every code is stored.
            Assert.Equal(Codes, storedCodes.Count);
            Assert.All(phase2, a => Assert.True(a.Status is 201 or 409, $"{a.Code}: {a.Status} {a.Error}"));
            Assert.All(attempts.Where(a => a.Status is >= 400 and < 500), a => Assert.Equal(409, a.Status));
            Assert.True((await AuditChain.VerifyAsync(db)).Ok);
        }
        finally
        {
            await app.DisposeAsync();
            try { Directory.Delete(dataDir, true); } catch (IOException) { }
        }
    }
}
