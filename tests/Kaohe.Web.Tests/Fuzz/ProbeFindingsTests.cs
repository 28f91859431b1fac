using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kaohe.Data;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Kaohe.Web.Tests.Fuzz;

/// <summary>
/// The 500s a black-box probe of a running instance reached (issue 17), each as a fixed case, and the
/// mechanism behind each as a walk over every endpoint it could reach: a malformed multipart body, a
/// number that is not finite, a NUL in any text, a return address with control characters, a damaged
/// workbook. Each must be a 4xx problem naming what is wrong, and nothing is stored.
/// </summary>
public abstract class ProbeFindingsTests<TApp>(TApp app, ITestOutputHelper output) : IClassFixture<TApp> where TApp : AppFixture
{
    /// <summary>A multipart body whose file name holds a bare quote: .NET's multipart reader throws InvalidDataException on it.</summary>
    internal static HttpContent MalformedMultipart()
    {
        const string boundary = "kaohe-probe";
        var body = $"--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nx\r\n"
                   + $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"b.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n"
                   + $"--{boundary}--\r\n";
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary}");
        return content;
    }

    private static async Task AssertProblem(HttpResponseMessage r, int status, string? mentions = null)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True((int)r.StatusCode == status, $"{r.RequestMessage?.Method} {r.RequestMessage?.RequestUri?.PathAndQuery} → {(int)r.StatusCode}: {Outcomes.Head(body)}");
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        if (mentions is not null) Assert.Contains(mentions, body);
    }

    [Fact]
    public async Task A_multipart_body_with_a_quote_in_a_file_name_gets_a_400_from_the_endpoints_that_read_forms_by_hand()
    {
        using var office = await app.As("office");
        using var unit = await app.As("unit-zj-lasa");
        using var assessor = await app.As("assessor1");
        var item = await app.WithDb(db => db.Set<RectificationItem>().Where(i => i.UnitId == "zj-lasa").Select(i => i.Id).FirstAsync());
        var before = await RowCounts.OfAsync(app);
        foreach (var (client, path) in new[]
                 {
                     (unit, $"/api/v1/rectification/items/{item}/actions"), (assessor, $"/api/v1/rectification/items/{item}/reinspection"),
                     (office, "/api/v1/adjustments"), (office, "/api/v1/schemes/import"),
                     (unit, "/api/v1/collection/2023-Q1/report/xlsx"), (office, "/api/v1/jobs/fact-import?period=2023-Q1"),
                 })
            await AssertProblem(await client.PostAsync(path, MalformedMultipart()), 400);
        Assert.Equal(before, await RowCounts.OfAsync(app));
    }

    /// <summary>The mechanism: every write operation of the API, as an account it admits, gets the same body.</summary>
    [Fact]
    public async Task A_malformed_multipart_body_is_never_a_500_on_any_write_operation()
    {
        var outcomes = new Outcomes();
        await foreach (var (method, path, client) in Reachable())
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = MalformedMultipart() };
            await outcomes.CheckAsync($"{method} {path}", await client.SendAsync(request), api: true);
        }
        output.WriteLine(outcomes.Summary);
        outcomes.AssertNone();
    }

    [Theory]
    [InlineData("{\"enabled\":true,\"pointsPerItem\":\"NaN\",\"cap\":2}", "pointsPerItem")]
    [InlineData("{\"enabled\":true,\"pointsPerItem\":0.5,\"cap\":1e400}", "cap")]
    [InlineData("{\"enabled\":true,\"pointsPerItem\":\"1e400\",\"cap\":2}", "pointsPerItem")]
    [InlineData("{\"enabled\":true,\"pointsPerItem\":0.5,\"cap\":\"-Infinity\"}", "cap")]
    public async Task A_number_that_is_not_finite_is_a_400_naming_the_field_and_nothing_is_stored(string body, string field)
    {
        using var office = await app.As("office");
        var audit = await app.WithDb(db => db.AuditEntries.CountAsync());
        var r = await office.PutAsync("/api/v1/rectification/policies/housing", new StringContent(body, Encoding.UTF8, "application/json"));
        await AssertProblem(r, 400, field);
        Assert.Equal(audit, await app.WithDb(db => db.AuditEntries.CountAsync()));
    }

    [Fact]
    public async Task A_what_if_change_whose_results_overflow_is_a_400_and_nothing_is_stored()
    {
        using var office = await app.As("office");
        var changes = new { points = new Dictionary<string, double> { ["A1"] = 1e308, ["A2"] = 1e308 }, normalize = false };
        await AssertProblem(await office.PostAsJsonAsync("/api/v1/insight/whatif/preview", new { period = "2023-Q1", category = "housing", changes }), 400);
        var created = await office.PostAsJsonAsync("/api/v1/insight/whatif", new { period = "2023-Q1", category = "housing", name = "溢出" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var audit = await app.WithDb(db => db.AuditEntries.CountAsync());
        await AssertProblem(await office.PutAsJsonAsync($"/api/v1/insight/whatif/{id}", new { changes }), 400);
        await AssertProblem(await office.PutAsJsonAsync($"/api/v1/insight/whatif/{id}", new { changes = new { points = new Dictionary<string, double> { ["A1"] = 1e308 } } }), 400);
        Assert.Equal(audit, await app.WithDb(db => db.AuditEntries.CountAsync()));
    }

    [Theory]
    [InlineData("/a%01b")]
    [InlineData("/%09/example.com")]
    [InlineData("/%0d%0aSet-Cookie:x=1")]
    public async Task A_return_address_with_control_characters_goes_home(string returnUrl)
    {
        using var anon = app.Anonymous();
        var r = await anon.GetAsync($"/lang?to=en&returnUrl={returnUrl}");
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Equal("/", r.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_nul_in_the_period_of_a_what_if_sandbox_is_a_400_naming_the_field()
    {
        using var office = await app.As("office");
        var r = await office.PostAsJsonAsync("/api/v1/insight/whatif", new { period = "2023\u0000Q1", category = "housing", name = "x" });
        await AssertProblem(r, 400, "period");
    }

    /// <summary>
    /// The mechanism: every text of every write operation's body, one at a time, and every query value of
    /// the read operations, gets a NUL (which PostgreSQL cannot store or compare) or a lone
    /// surrogate (which is not UTF-8). The answer is a 4xx problem or a 2xx; on both databases alike.
    /// </summary>
    [Fact]
    public async Task Unstorable_text_in_any_input_is_never_a_500()
    {
        using var anon = app.Anonymous();
        var (_, doc) = await JsonApiFuzzTests<TApp>.OperationsAsync(anon);
        var schemas = doc.GetProperty("components").TryGetProperty("schemas", out var sc) ? sc : default;
        var outcomes = new Outcomes();
        string[] texts = ["a\u0000b", "\uD800x"];
        await foreach (var (method, path, client) in Reachable())
        {
            var template = doc.GetProperty("paths").EnumerateObject().First(p => JsonApiFuzzTests<TApp>.Fill(p.Name) == path.Split('?')[0]);
            var op = template.Value.GetProperty(method.ToLowerInvariant());
            var rnd = new Random(17);
            var valid = op.TryGetProperty("requestBody", out var rb) && rb.TryGetProperty("content", out var c) && c.TryGetProperty("application/json", out var j)
                        && j.TryGetProperty("schema", out var s) ? JsonApiFuzzTests<TApp>.Generate(s, schemas, rnd, 0) as JsonObject : null;
            foreach (var key in valid?.Select(kv => kv.Key).ToList() ?? [])
                foreach (var text in texts)
                {
                    var body = (JsonObject)valid!.DeepClone();
                    body[key] = text;
                    using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
                    await outcomes.CheckAsync($"{method} {template.Name} with {key} = {Escape(text)}", await client.SendAsync(request), api: true);
                }
        }
        using var office = await app.As("office");
        foreach (var path in doc.GetProperty("paths").EnumerateObject().Where(p => p.Value.TryGetProperty("get", out _)).Select(p => p.Name))
        {
            var get = doc.GetProperty("paths").GetProperty(path).GetProperty("get");
            var query = get.TryGetProperty("parameters", out var ps)
                ? string.Join("&", ps.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => $"{p.GetProperty("name").GetString()}=a%00b"))
                : "";
            // A NUL in the path itself never reaches the application: the server refuses the request line.
            if (query.Length > 0)
                await outcomes.CheckAsync($"GET {path} with NUL in its query", await office.GetAsync(JsonApiFuzzTests<TApp>.Fill(path) + "?" + query), api: true);
        }
        output.WriteLine(outcomes.Summary);
        outcomes.AssertNone();
    }

    private static string Escape(string s) => string.Concat(s.Select(ch => ch < ' ' || char.IsSurrogate(ch) ? $"\\u{(int)ch:X4}" : ch.ToString()));

    [Fact]
    public async Task The_workbook_the_fuzz_found_damaged_is_a_400_naming_the_file()
    {
        // XlsxImportFuzzTestsOnSqlite of a fresh clone: the scheme template with one byte flipped (seed -16537) → 500.
        using var office = await app.As("office");
        var importer = XlsxImporters.All().Single(i => i.Name == "scheme import");
        var template = await importer.Template(office);
        var (bytes, what) = Workbooks.Mutate(template, new Random(-16537));
        output.WriteLine(what);
        var before = await RowCounts.OfAsync(app);
        var r = await importer.Post(office, bytes);
        Assert.True((int)r.StatusCode is 400 or 201, $"{(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
        if (r.StatusCode == HttpStatusCode.BadRequest)
        {
            await AssertProblem(r, 400, "file");
            Assert.Equal(before, await RowCounts.OfAsync(app));
        }
    }

    /// <summary>Every write operation of the OpenAPI document with the first account it does not refuse outright.</summary>
    private async IAsyncEnumerable<(string Method, string Path, HttpClient Client)> Reachable()
    {
        using var anon = app.Anonymous();
        var (ops, _) = await JsonApiFuzzTests<TApp>.OperationsAsync(anon);
        using var office = await app.As("office");
        var key = await office.PostAsJsonAsync("/api/v1/apikeys", new { name = "probe", indicators = new[] { "C1" } });
        var platform = app.Anonymous();
        platform.DefaultRequestHeaders.Add("X-Api-Key", (await key.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString());
        var clients = new List<HttpClient> { platform };
        foreach (var a in new[] { "office", "unit-zj-lasa", "division-scc", "leader-principal", "assessor1", "viewer" }) clients.Add(await app.As(a));
        try
        {
            foreach (var op in ops)
            {
                var path = JsonApiFuzzTests<TApp>.Fill(op.Template);
                foreach (var c in clients)
                {
                    using var probe = await c.SendAsync(new HttpRequestMessage(new HttpMethod(op.Method), path) { Content = JsonContent.Create(new { }) });
                    if (probe.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) continue;
                    yield return (op.Method, path, c);
                    break;
                }
            }
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }
}

public sealed class ProbeFindingsTestsOnSqlite(SqliteApp app, ITestOutputHelper output) : ProbeFindingsTests<SqliteApp>(app, output);

public sealed class ProbeFindingsTestsOnPostgres(PostgresApp app, ITestOutputHelper output) : ProbeFindingsTests<PostgresApp>(app, output);
