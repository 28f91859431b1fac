using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Surveys;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using static Kaohe.Reliability.Clients;

namespace Kaohe.Reliability;

/// <summary>Two instances behind nginx on one PostgreSQL: sessions, anti-forgery and results do not depend on which instance answers.</summary>
public sealed partial class ScaleOutTests(Cluster cluster, ITestOutputHelper output) : IClassFixture<Cluster>
{
    [Fact]
    public async Task A_sign_in_made_on_one_instance_is_honoured_by_the_other()
    {
        var jar = new CookieContainer();
        using var onA = Browser(cluster.A.BaseUrl, jar);
        await SignInAsync(onA, "office");
        // The same cookies, sent to the other instance: the data-protection keys live in the database.
        using var onB = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(cluster.B.BaseUrl) };
        var request = new HttpRequestMessage(HttpMethod.Get, "/Audit");
        request.Headers.Add("Cookie", jar.GetCookieHeader(new Uri(cluster.A.BaseUrl)));
        var response = await onB.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // And a bearer token issued by B works on A.
        using var anonB = new HttpClient { BaseAddress = new Uri(cluster.B.BaseUrl) };
        var token = (await (await anonB.PostAsJsonAsync("/api/v1/auth/token", new { username = "viewer", password = Cluster.DemoPassword }))
            .Content.ReadFromJsonAsync<TokenBody>())!.Token;
        using var apiA = new HttpClient { BaseAddress = new Uri(cluster.A.BaseUrl) };
        apiA.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await apiA.GetAsync("/api/v1/units")).StatusCode);
    }

    [Fact]
    public async Task Through_nginx_a_session_survives_requests_alternating_between_instances()
    {
        // Round-robin: the login page and its post land on different instances, so the
        // anti-forgery token of one is checked by the other.
        using var client = Browser(cluster.Proxy.BaseUrl);
        for (var attempt = 0; attempt < 4; attempt++) await SignInAsync(client, attempt % 2 == 0 ? "office" : "viewer");
        await SignInAsync(client, "office");
        for (var i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Audit")).StatusCode);
    }

    [Fact]
    public async Task The_rankings_read_the_same_from_both_instances()
    {
        var tables = new List<string>();
        foreach (var instance in new[] { cluster.A, cluster.B })
        {
            using var client = Browser(instance.BaseUrl);
            await SignInAsync(client, "office");
            var html = await client.GetStringAsync("/Results");
            var table = Table().Matches(html).Select(m => WebUtility.HtmlDecode(Tags().Replace(m.Value, " "))).ToList();
            Assert.NotEmpty(table);
            Assert.Contains("拉萨市住房和城乡建设局", string.Concat(table));
            tables.Add(Regex.Replace(string.Join("\n", table), @"\s+", " "));
        }
        Assert.Equal(tables[0], tables[1]);
    }

    public const int SurveyCodes = 300;
    public const int DoubleTaps = 40;

    [Fact]
    public async Task A_burst_of_survey_answers_and_platform_batches_over_both_instances_stores_exactly_what_was_acknowledged()
    {
        await Periods.EnsureFreshAsync(cluster.Db, cluster.Proxy.BaseUrl);
        var site = (await SitesAsync(cluster.Proxy.BaseUrl))[0];
        var codes = await IssueCodesAsync(cluster.Proxy.BaseUrl, site, SurveyCodes);
        var answers = await AnswersAsync(cluster.Proxy.BaseUrl, codes[0]);
        using var platform = await PlatformAsync(cluster.Proxy.BaseUrl, "智慧工地平台", [.. Periods.PlatformIndicators.Select(i => i.Indicator)]);
        var apiKey = platform.DefaultRequestHeaders.GetValues("X-Api-Key").Single();

        // Every unit × indicator once, in batches of two records; each batch is sent twice at the same time (a retry racing the original).
        var records = Periods.HousingUnits.SelectMany(u => Periods.PlatformIndicators.Select(i => new
        {
            key = $"burst-{u}-{i.Indicator}", unit = u, indicator = i.Indicator, value = i.Value, target = i.Target, observedAt = "2024-03-31T18:00:00+08:00",
        })).ToList();
        var batches = records.Chunk(2).Select(c => new { period = Periods.Fresh, records = c }).ToList();

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32 }) { BaseAddress = new Uri(cluster.Proxy.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        var surveyStatus = new ConcurrentBag<(string Code, HttpStatusCode Status)>();
        var batchStatus = new ConcurrentBag<(int Batch, HttpStatusCode Status)>();
        var work = new List<Func<Task>>();
        foreach (var code in codes)
            work.Add(async () => surveyStatus.Add((code, (await http.PostAsJsonAsync($"/api/v1/survey/{code}", new { answers, language = "zh" })).StatusCode)));
        foreach (var code in codes.Take(DoubleTaps)) // the double tap: the same answer sent twice
            work.Add(async () => surveyStatus.Add((code, (await http.PostAsJsonAsync($"/api/v1/survey/{code}", new { answers, language = "zh" })).StatusCode)));
        for (var b = 0; b < batches.Count; b++)
            for (var copy = 0; copy < 2; copy++)
            {
                var index = b;
                work.Add(async () =>
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/facts") { Content = JsonContent.Create(batches[index]) };
                    request.Headers.Add("X-Api-Key", apiKey);
                    batchStatus.Add((index, (await http.SendAsync(request)).StatusCode));
                });
            }
        var shuffled = work.OrderBy(_ => Random.Shared.Next()).ToList();
        using var gate = new SemaphoreSlim(32);
        await Task.WhenAll(shuffled.Select(async w =>
        {
            await gate.WaitAsync();
            try { await w(); }
            finally { gate.Release(); }
        }));

        var surveyAcknowledged = surveyStatus.Where(s => (int)s.Status is >= 200 and < 300).Select(s => s.Code).ToList();
        var surveyRefused = surveyStatus.Where(s => (int)s.Status is < 200 or >= 300).GroupBy(s => s.Status).ToDictionary(g => g.Key, g => g.Count());
        var batchesAcknowledged = batchStatus.Where(s => s.Status == HttpStatusCode.OK).Select(s => s.Batch).Distinct().ToList();
        var recordsAcknowledged = batchesAcknowledged.SelectMany(b => batches[b].records.Select(r => r.key)).ToHashSet();

        await using var db = cluster.Db();
        var hashes = codes.Select(SurveyTokens.Hash).ToList();
        var tokens = await db.Set<SurveyToken>().AsNoTracking().Where(t => hashes.Contains(t.TokenHash)).ToListAsync();
        var tokenIds = tokens.Select(t => t.Id).ToList();
        var responses = await db.Set<SurveyResponse>().AsNoTracking().Where(r => r.TokenId != null && tokenIds.Contains(r.TokenId.Value)).ToListAsync();
        var platformFacts = await db.Facts.AsNoTracking().Where(f => f.PeriodId == Periods.Fresh && f.IdempotencyKey != null && f.IdempotencyKey.Contains(":burst-")).ToListAsync();
        var audit = await AuditChain.VerifyAsync(db);

        output.WriteLine($"survey: {surveyStatus.Count} requests ({SurveyCodes} codes + {DoubleTaps} double taps), {surveyAcknowledged.Count} acknowledged (2xx), " +
                         $"refused {string.Join(", ", surveyRefused.Select(kv => $"{(int)kv.Key}×{kv.Value}"))}, {responses.Count} stored");
        output.WriteLine($"platform: {batchStatus.Count} batch requests ({batches.Count} batches × 2), {batchStatus.Count(s => s.Status == HttpStatusCode.OK)} answered 200, " +
                         $"{recordsAcknowledged.Count} records acknowledged, {platformFacts.Count} facts stored");
        output.WriteLine($"audit chain: {audit.Entries} entries, ok={audit.Ok}");

        // Each code is acknowledged at most once (the double tap is told 409), every acknowledged one is stored, and nothing else is.
        Assert.Equal(surveyAcknowledged.Count, surveyAcknowledged.Distinct().Count());
        Assert.Equal(SurveyCodes, surveyAcknowledged.Count);
        Assert.Equal(surveyAcknowledged.Count, responses.Count);
        Assert.Equal(responses.Count, responses.Select(r => r.TokenId).Distinct().Count());
        Assert.Equal(responses.Count, tokens.Count(t => t.UsedAt is not null));
        Assert.All(surveyStatus.Where(s => (int)s.Status >= 300), s => Assert.Equal(HttpStatusCode.Conflict, s.Status));

        // Both copies of every batch are answered 200 (the second like a retry), and each record is stored once.
        Assert.All(batchStatus, s => Assert.Equal(HttpStatusCode.OK, s.Status));
        Assert.Equal(records.Count, recordsAcknowledged.Count);
        Assert.Equal(recordsAcknowledged.Count, platformFacts.Count);
        Assert.Equal(platformFacts.Count, platformFacts.Select(f => f.IdempotencyKey).Distinct().Count());
        Assert.True(recordsAcknowledged.SetEquals(platformFacts.Select(f => f.IdempotencyKey![(f.IdempotencyKey!.IndexOf(":burst-", StringComparison.Ordinal) + 1)..])));

        Assert.True(audit.Ok, audit.Reason);
    }

    [Fact]
    public async Task Two_instances_publishing_the_same_result_at_once_make_one_snapshot_and_the_other_is_told_409()
    {
        const string period = "2023-Q4", category = "housing";
        using var office = await BearerAsync(cluster.Proxy.BaseUrl, "office");
        var skipped = await office.PostAsJsonAsync($"/api/v1/periods/{period}/review/skip", new { reason = "可靠性测试：同时公布 / reliability test" });
        Assert.Equal(HttpStatusCode.NoContent, skipped.StatusCode);
        var token = office.DefaultRequestHeaders.Authorization!.Parameter;
        var revision = await RevisionAsync(office, period, category);

        // Both requests are let in together: they queue on the audit lock inside their transactions,
        // each having read that nothing is published yet, and are released at the same moment.
        HttpResponseMessage[] responses;
        await using (var hold = await Gate.HoldAuditAppendsAsync(cluster.ConnectionString))
        {
            var publications = new[] { cluster.A, cluster.B }.Select(async instance =>
            {
                using var client = new HttpClient { BaseAddress = new Uri(instance.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return await client.PostAsJsonAsync($"/api/v1/periods/{period}/categories/{category}/publish", new { revision });
            }).ToArray();
            await hold.WaitForWaitersAsync(2, TimeSpan.FromSeconds(60));
            await hold.DisposeAsync();
            responses = await Task.WhenAll(publications);
        }

        var statuses = responses.Select(r => r.StatusCode).OrderBy(s => s).ToArray();
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], statuses);
        var loser = responses.Single(r => r.StatusCode == HttpStatusCode.Conflict);
        Assert.Equal("application/problem+json", loser.Content.Headers.ContentType?.MediaType);
        var problem = await loser.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(409, problem.GetProperty("status").GetInt32());
        output.WriteLine($"publication race: {string.Join(", ", responses.Select(r => (int)r.StatusCode))}; loser: {problem.GetProperty("detail").GetString()}");

        await using var db = cluster.Db();
        var snapshots = await db.Snapshots.AsNoTracking().Where(s => s.PeriodId == period && s.Category == category).ToListAsync();
        Assert.Single(snapshots);
        Assert.Equal(1, snapshots[0].Version);
        Assert.Equal(1, await db.AuditEntries.CountAsync(e => e.Action == "snapshot.publish" && e.EntityId == snapshots[0].Key));
        Assert.True((await AuditChain.VerifyAsync(db)).Ok);
    }

    [Fact]
    public async Task A_fact_written_through_one_instance_reaches_the_others_live_ranking_with_the_same_numbers()
    {
        const string period = "2023-Q3", category = "housing", unit = "zj-nagqu";
        using var officeB = await BearerAsync(cluster.B.BaseUrl, "office");
        using var officeA = await BearerAsync(cluster.A.BaseUrl, "office");
        async Task<string> RowsAsync(HttpClient c) => (await c.GetFromJsonAsync<JsonElement>($"/api/v1/results/{period}/{category}")).GetProperty("units").GetRawText();
        var before = await RowsAsync(officeB);

        // The ranking page of instance B listens to B's events.
        using var listen = new HttpClient { BaseAddress = new Uri(cluster.B.BaseUrl), Timeout = Timeout.InfiniteTimeSpan };
        listen.DefaultRequestHeaders.Authorization = officeB.DefaultRequestHeaders.Authorization;
        using var stream = await listen.GetAsync($"/api/v1/results/{period}/{category}/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        async Task<string> NextEventAsync(CancellationToken ct)
        {
            while (true)
            {
                var line = await reader.ReadLineAsync(ct) ?? throw new EndOfStreamException("the event stream ended");
                if (line.StartsWith("data: ", StringComparison.Ordinal)) return JsonDocument.Parse(line[6..]).RootElement.GetProperty("version").GetString()!;
            }
        }
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var first = await NextEventAsync(bounded.Token);

        // A scoring division saves a rating through instance A (营商环境评价, rated by 建筑市场监管处 and 房地产市场监管处).
        using var division = await BearerAsync(cluster.A.BaseUrl, "division-scc");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var sent = await division.PutAsJsonAsync($"/api/v1/collection/{period}/scoring", new { scores = new[] { new { unit, indicator = "B2", value = 12.5 } } });
        Assert.True(sent.IsSuccessStatusCode, $"{(int)sent.StatusCode} {await sent.Content.ReadAsStringAsync()}");
        var next = await NextEventAsync(bounded.Token);
        var seenAfter = watch.Elapsed;
        Assert.NotEqual(first, next);
        output.WriteLine($"a fact written through A was announced by B's event stream {seenAfter.TotalMilliseconds:0} ms after it was sent (B reads the revision every second)");

        // B's ranking now shows it, with exactly A's numbers.
        var onB = await RowsAsync(officeB);
        Assert.NotEqual(before, onB);
        Assert.Equal(await RowsAsync(officeA), onB);
    }

    [GeneratedRegex(@"Created (\d+) rectification reminders")]
    private static partial Regex RemindersCreated();

    [Fact]
    public async Task Both_instances_run_the_reminder_job_and_each_reminder_is_recorded_once()
    {
        // Both instances run the job every second (Kaohe:Rectification:ReminderIntervalSeconds=1) on the same due items.
        await using var db = cluster.Db();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        int count = -1, stableFor = 0;
        while (DateTime.UtcNow < deadline && stableFor < 4)
        {
            await Task.Delay(1000);
            var now = await db.Set<Notification>().CountAsync(n => n.Key.StartsWith("rem:"));
            stableFor = now == count && now > 0 ? stableFor + 1 : 0;
            count = now;
        }
        Assert.True(count > 0, "the demo's rectification ledger has reminders due");
        var duplicates = await db.Set<Notification>().GroupBy(n => new { n.Key, n.Recipient }).Where(g => g.Count() > 1).CountAsync();
        Assert.Equal(0, duplicates);
        int Created(AppProcess p) => RemindersCreated().Matches(p.Output).Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        var (a, b) = (Created(cluster.A), Created(cluster.B));
        output.WriteLine($"reminders: {count} stored; created by A {a}, by B {b}");
        // What the instances say they created adds up to what is stored: no run created a reminder twice, none failed on the unique index.
        Assert.Equal(count, a + b);
        Assert.DoesNotContain("The reminder run failed", cluster.A.Output + cluster.B.Output);
    }

    [GeneratedRegex("<table[\\s\\S]*?</table>")]
    private static partial Regex Table();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    private sealed record TokenBody(string Token);
}
