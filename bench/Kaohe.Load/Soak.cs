using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Kaohe.Load;

/// <summary>
/// The mixed load of bench/soak.sh (issue 17, item 9): survey answers, unit reports, division score
/// sheets and ranking reads through nginx, for a fixed time, while the script kills an instance and
/// restarts PostgreSQL. Every write carries a value of its own, so each can be looked for afterwards:
///
///   soak run    --url U --period P --codes FILE --body FILE --password PW --seconds S --ledger FILE
///   soak verify --postgres CS --period P --ledger FILE
///
/// run: workers write and read until S seconds have passed, then every write that got no 2xx is sent
/// again until it does (a survey code answered 409 on a resend was stored by the attempt whose answer
/// was lost); it prints requests and errors by kind and saves the ledger of acknowledged writes.
/// verify: what the database holds (survey responses of the bench period; the values of the audit
/// entries written with each report and score, in the same transaction as the change) against the
/// ledger: the two sets must be equal.
/// </summary>
internal static class Soak
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Task<int> RunAsync(string[] args) => args.FirstOrDefault() switch
    {
        "run" => Drive(args[1..]),
        "verify" => Verify(args[1..]),
        _ => Task.FromResult(1),
    };

    private sealed record Write(string Kind, string Key, string Value);

    private sealed class Tally
    {
        private readonly ConcurrentDictionary<string, long> _counts = new();

        public void Add(string kind, string outcome) => _counts.AddOrUpdate($"{kind} {outcome}", 1, (_, n) => n + 1);

        public void Print()
        {
            foreach (var kind in _counts.Keys.Select(k => k.Split(' ')[0]).Distinct().Order())
            {
                var mine = _counts.Where(kv => kv.Key.StartsWith(kind + " ", StringComparison.Ordinal)).OrderBy(kv => kv.Key).ToList();
                Console.WriteLine($"soak_{kind}_requests: {mine.Sum(kv => kv.Value)}");
                Console.WriteLine($"soak_{kind}_outcomes: " + string.Join(" ", mine.Select(kv => $"{kv.Key[(kind.Length + 1)..]}={kv.Value}")));
            }
        }
    }

    private static string Outcome(int status) => status switch
    {
        0 => "connection-error",
        >= 200 and < 300 => "2xx",
        _ => status.ToString(Inv),
    };

    private static HttpClient Client(string baseUrl, string? token = null)
    {
        var c = new HttpClient(new SocketsHttpHandler { UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = new Uri(baseUrl),
            Timeout = TimeSpan.FromSeconds(30),
        };
        if (token is not null) c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    private static async Task<int> Send(HttpClient c, Func<HttpRequestMessage> make)
    {
        try
        {
            using var r = await c.SendAsync(make());
            await r.Content.ReadAsByteArrayAsync();
            return (int)r.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return 0;
        }
    }

    /// <summary>Signs in (again and again while an instance or the database is down).</summary>
    private static async Task<HttpClient> SignIn(string baseUrl, string user, string password)
    {
        using var anon = Client(baseUrl);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var r = await anon.PostAsJsonAsync("/api/v1/auth/token", new { username = user, password });
                if (r.IsSuccessStatusCode) return Client(baseUrl, (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString());
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            if (attempt > 60) throw new InvalidOperationException($"cannot sign in as {user}");
            await Task.Delay(1000);
        }
    }

    private static string? Arg(string[] args, string name) => Bare.Arg(args, name);

    private static async Task<int> Drive(string[] args)
    {
        var url = Arg(args, "--url")!;
        var period = Arg(args, "--period")!;
        var password = Arg(args, "--password")!;
        var seconds = double.Parse(Arg(args, "--seconds") ?? "300", Inv);
        var ledgerFile = Arg(args, "--ledger")!;
        var codes = new ConcurrentQueue<string>(File.ReadAllLines(Arg(args, "--codes")!).Where(l => l.Length > 0));
        var body = File.ReadAllText(Arg(args, "--body")!);
        var tally = new Tally();
        var acknowledged = new ConcurrentBag<Write>();
        var unanswered = new ConcurrentQueue<(Write Write, Func<HttpClient> Client, Func<HttpRequestMessage> Make)>();
        var stop = Stopwatch.StartNew();
        bool Running() => stop.Elapsed.TotalSeconds < seconds;

        // Who writes what: each unit account its report cells, each division its assigned cells; one worker each, so a cell's writes are in order.
        string[] unitAccounts = ["unit-zj-lasa", "unit-zj-nyingchi", "unit-cg-lasa"];
        string[] divisions = ["division-scc", "division-zac"];
        var workers = new List<Task>();
        foreach (var account in unitAccounts)
        {
            var c = await SignIn(url, account, password);
            var sheet = await c.GetFromJsonAsync<JsonElement>($"/api/v1/collection/{period}/report");
            var cells = sheet.GetProperty("rows").EnumerateArray().Where(r => r.GetProperty("editable").GetBoolean())
                .Select(r => (Indicator: r.GetProperty("indicatorId").GetString()!, NeedsTarget: r.GetProperty("needsTarget").GetBoolean())).ToList();
            Console.Error.WriteLine($"[soak] {account}: {cells.Count} report cells");
            workers.Add(Task.Run(async () =>
            {
                for (var k = 1; Running() && cells.Count > 0; k++)
                {
                    var (indicator, needsTarget) = cells[k % cells.Count];
                    var value = (k * 0.001 + 1).ToString("R", Inv);
                    var write = new Write("report", $"{account}|{indicator}", value);
                    HttpRequestMessage Make() => new(HttpMethod.Put, $"/api/v1/collection/{period}/report/{indicator}")
                    {
                        Content = new StringContent($"{{\"value\":{value}{(needsTarget ? ",\"target\":100" : "")}}}", Encoding.UTF8, "application/json"),
                    };
                    var status = await Send(c, Make);
                    tally.Add("report", Outcome(status));
                    if (status is >= 200 and < 300) acknowledged.Add(write);
                    else if (status is 0 or >= 500) unanswered.Enqueue((write, () => c, Make));
                    else if (status is 401) c = await SignIn(url, account, password);
                }
            }));
        }
        foreach (var account in divisions)
        {
            var c = await SignIn(url, account, password);
            var sheet = await c.GetFromJsonAsync<JsonElement>($"/api/v1/collection/{period}/scoring");
            var cells = sheet.GetProperty("rows").EnumerateArray().Where(r => r.GetProperty("entry").GetBoolean())
                .Select(r => (Unit: r.GetProperty("unitId").GetString()!, Indicator: r.GetProperty("indicatorId").GetString()!,
                    Min: r.GetProperty("min").GetDouble(), Max: r.GetProperty("max").GetDouble())).ToList();
            Console.Error.WriteLine($"[soak] {account}: {cells.Count} score cells");
            workers.Add(Task.Run(async () =>
            {
                for (var k = 1; Running() && cells.Count > 0; k++)
                {
                    var (unit, indicator, min, max) = cells[k % cells.Count];
                    // A value of its own for each write of a cell (k grows by the number of cells between two writes of one).
                    var value = Math.Round(min + (max - min) * ((k / cells.Count) % 9973) / 9973.0, 6).ToString("R", Inv);
                    var write = new Write("score", $"{account}|{unit}|{indicator}", value);
                    HttpRequestMessage Make() => new(HttpMethod.Put, $"/api/v1/collection/{period}/scoring")
                    {
                        Content = new StringContent($"{{\"scores\":[{{\"unit\":\"{unit}\",\"indicator\":\"{indicator}\",\"value\":{value}}}]}}", Encoding.UTF8, "application/json"),
                    };
                    var status = await Send(c, Make);
                    tally.Add("score", Outcome(status));
                    if (status is >= 200 and < 300) acknowledged.Add(write);
                    else if (status is 0 or >= 500) unanswered.Enqueue((write, () => c, Make));
                    else if (status is 401) c = await SignIn(url, account, password);
                }
            }));
        }
        var surveyClient = Client(url);
        for (var w = 0; w < 8; w++)
            workers.Add(Task.Run(async () =>
            {
                while (Running() && codes.TryDequeue(out var code))
                {
                    var write = new Write("survey", code, "");
                    HttpRequestMessage Make() => new(HttpMethod.Post, $"/api/v1/survey/{code}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                    var status = await Send(surveyClient, Make);
                    tally.Add("survey", Outcome(status));
                    if (status is >= 200 and < 300) acknowledged.Add(write);
                    else if (status is 0 or >= 500) unanswered.Enqueue((write, () => surveyClient, Make));
                }
            }));
        var reader = await SignIn(url, "viewer", password);
        // Rankings that compute: the published quarter, the live draft of a quarter with its data (2023-Q3), and the margins of both.
        string[] reads = ["/api/v1/results/2023-Q1/housing", "/api/v1/results/2023-Q3/urban", "/api/v1/results/2023-Q3/housing",
            "/api/v1/insight/rankings?period=2023-Q1&category=urban&stability=false"];
        for (var w = 0; w < 2; w++)
            workers.Add(Task.Run(async () =>
            {
                for (var k = 0; Running(); k++)
                {
                    var status = await Send(reader, () => new HttpRequestMessage(HttpMethod.Get, reads[k % reads.Length]));
                    tally.Add("read", Outcome(status));
                    if (status == 401) reader = await SignIn(url, "viewer", password);
                }
            }));
        await Task.WhenAll(workers);
        Console.Error.WriteLine($"[soak] load done after {stop.Elapsed.TotalSeconds:F0} s; {unanswered.Count} writes without an answer, sent again");

        // Every write without an answer is sent again until it gets one: its outcome is then known.
        var resent = 0;
        while (unanswered.TryDequeue(out var u))
        {
            for (var attempt = 0; ; attempt++)
            {
                var status = await Send(u.Client(), u.Make);
                tally.Add("resend", Outcome(status));
                // A survey code already used: stored by the attempt whose answer was lost.
                if (status is >= 200 and < 300 || (u.Write.Kind == "survey" && status == 409)) { acknowledged.Add(u.Write); resent++; break; }
                if (status is >= 400 and < 500 || attempt > 120) { Console.Error.WriteLine($"[soak] resend of {u.Write} gave {status}"); break; }
                await Task.Delay(500);
            }
        }
        tally.Print();
        Console.WriteLine($"soak_resent_until_answered: {resent}");
        Console.WriteLine($"soak_seconds: {stop.Elapsed.TotalSeconds:F0}");
        foreach (var kind in new[] { "survey", "report", "score" })
            Console.WriteLine($"soak_{kind}_acknowledged: {acknowledged.Count(w => w.Kind == kind)}");
        await File.WriteAllTextAsync(ledgerFile, JsonSerializer.Serialize(acknowledged.ToList()));
        return 0;
    }

    private static async Task<int> Verify(string[] args)
    {
        var period = Arg(args, "--period")!;
        var ledger = JsonSerializer.Deserialize<List<Write>>(await File.ReadAllTextAsync(Arg(args, "--ledger")!))!;
        await using var db = new NpgsqlConnection(Arg(args, "--postgres"));
        await db.OpenAsync();
        async Task<List<string[]>> Query(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, db);
            cmd.Parameters.AddWithValue("p", period);
            await using var r = await cmd.ExecuteReaderAsync();
            var rows = new List<string[]>();
            while (await r.ReadAsync()) rows.Add([.. Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? "" : Convert.ToString(r.GetValue(i), Inv)!)]);
            return rows;
        }
        var failures = 0;
        void Figure(string name, object value) => Console.WriteLine($"soak_{name}: {value}");

        // Survey answers: the responses of the bench period, one per acknowledged code.
        var surveyStored = long.Parse((await Query("""
            SELECT COUNT(*) FROM "SurveyResponses" r JOIN "SurveySites" s ON s."Id" = r."SiteId" WHERE s."PeriodId" = '2031-Q1'
            """))[0][0], Inv);
        var surveyAcked = ledger.Count(w => w.Kind == "survey");
        Figure("survey_found", surveyStored);
        Figure("survey_lost", Math.Max(0, surveyAcked - surveyStored));
        if (surveyStored != surveyAcked) failures++;

        // Reports and scores: the values of the audit entries written with the change, per cell.
        var audit = await Query("""
            SELECT a."Action", f."UnitId", f."IndicatorId", a."Actor", a."NewValue" FROM "AuditLog" a
            JOIN "Facts" f ON a."EntityType" = 'fact' AND a."EntityId" = CAST(f."Id" AS text)
            WHERE f."PeriodId" = @p AND (a."Action" = 'report.draft' OR a."Action" LIKE '%.score')
            """);
        string ValueOf(string json) => JsonDocument.Parse(json).RootElement.GetProperty("value").GetDouble().ToString("R", Inv);
        var found = audit.Select(r => r[0] == "report.draft" ? new Write("report", $"{r[3]}|{r[2]}", ValueOf(r[4])) : new Write("score", $"{r[3]}|{r[1]}|{r[2]}", ValueOf(r[4])))
            .ToHashSet();
        foreach (var kind in new[] { "report", "score" })
        {
            var acked = ledger.Where(w => w.Kind == kind).ToHashSet();
            var stored = found.Where(w => w.Kind == kind).ToHashSet();
            Figure($"{kind}_acknowledged_distinct", acked.Count);
            Figure($"{kind}_found_distinct", stored.Count);
            Figure($"{kind}_lost", acked.Count(w => !stored.Contains(w)));
            Figure($"{kind}_found_not_acknowledged", stored.Count(w => !acked.Contains(w)));
            if (!acked.SetEquals(stored)) failures++;
        }
        Figure("verdict", failures == 0 ? "acknowledged = found" : $"{failures} kind(s) differ");
        return failures == 0 ? 0 : 3;
    }
}
