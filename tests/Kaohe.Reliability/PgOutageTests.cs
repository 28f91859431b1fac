using System.Net;
using System.Net.Http.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Surveys;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using static Kaohe.Reliability.Clients;

namespace Kaohe.Reliability;

/// <summary>
/// PostgreSQL gone for longer than EF's retries last (three, about 15 s in all) while the background
/// loops run every second: the reminder job and the job runner meet the outage on their own, with no
/// request involved. Once, an exception of the retry strategy (RetryLimitExceededException, none of the
/// database exceptions the loops caught) left a loop's ExecuteAsync and stopped the whole application.
/// Now: the process stays up, says so in a 503 problem, and serves again when the database is back.
/// </summary>
public sealed class PgOutageTests(ITestOutputHelper output)
{
    public static readonly TimeSpan Outage = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task The_application_outlives_a_database_outage_longer_than_its_retries_and_serves_again_after_it()
    {
        await using var pg = await OwnPostgres.StartAsync();
        await using var database = await PgDatabase.CreateAsync(pg.Server);
        var dataDir = Path.Combine(Path.GetTempPath(), "kaohe-pgoutage-" + Guid.NewGuid().ToString("N"));
        var app = new AppProcess("outage", AppProcess.PostgresEnv(database.ConnectionString, dataDir,
            ("Kaohe__Rectification__ReminderIntervalSeconds", "1"), ("Kaohe__Jobs__PollSeconds", "1")));
        try
        {
            await app.StartAsync();
            var site = (await SitesAsync(app.BaseUrl))[0];
            var codes = await IssueCodesAsync(app.BaseUrl, site, 2);
            var answers = await AnswersAsync(app.BaseUrl, codes[0]);
            using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl), Timeout = TimeSpan.FromSeconds(90) };

            await pg.StopAsync();
            var down = DateTime.UtcNow;
            HttpResponseMessage? health = null;
            while (DateTime.UtcNow - down < Outage)
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
                Assert.True(app.IsRunning, $"the application exited {(DateTime.UtcNow - down).TotalSeconds:F0} s into the outage:\n" + Tail(app.Output));
                health?.Dispose();
                health = await http.GetAsync("/healthz");
            }
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health!.StatusCode);
            Assert.Equal("application/problem+json", health.Content.Headers.ContentType?.MediaType);
            var answered = await http.PostAsJsonAsync($"/api/v1/survey/{codes[0]}", new { answers, language = "zh" });
            output.WriteLine($"during the outage: /healthz {(int)health.StatusCode}, an answer {(int)answered.StatusCode}");
            Assert.True((int)answered.StatusCode >= 500, "an answer sent while the database is down is not acknowledged");

            await pg.StartAgainAsync();
            var up = DateTime.UtcNow;
            HttpStatusCode status;
            do
            {
                await Task.Delay(500);
                status = (await http.GetAsync("/healthz")).StatusCode;
            } while (status != HttpStatusCode.OK && DateTime.UtcNow - up < TimeSpan.FromSeconds(60));
            Assert.Equal(HttpStatusCode.OK, status);
            output.WriteLine($"serving again {(DateTime.UtcNow - up).TotalSeconds:F1} s after the database came back");

            // Both codes are answered now (the first was never stored), and the application is the same process.
            foreach (var code in codes)
                Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync($"/api/v1/survey/{code}", new { answers, language = "zh" })).StatusCode);
            await using var db = database.Db();
            var hashes = codes.Select(SurveyTokens.Hash).ToList();
            var tokenIds = await db.Set<SurveyToken>().Where(t => hashes.Contains(t.TokenHash)).Select(t => t.Id).ToListAsync();
            Assert.Equal(2, await db.Set<SurveyResponse>().CountAsync(r => r.TokenId != null && tokenIds.Contains(r.TokenId.Value)));
            Assert.True(app.IsRunning);
            Assert.Contains("it will be retried", app.Output);   // the reminder loop met the outage and went on
        }
        finally
        {
            await app.DisposeAsync();
            try { Directory.Delete(dataDir, true); } catch (IOException) { }
        }
    }

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(20));
}
