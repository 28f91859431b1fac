using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit.Abstractions;

namespace Kaohe.Web.Tests.Fuzz;

/// <summary>
/// Every POST/PUT/PATCH operation of the OpenAPI document gets bodies generated from its schema and then
/// damaged (fields dropped, nulled, retyped; huge strings; deep nesting; invalid UTF-8; number overflow;
/// not JSON at all), sent by an account the endpoint accepts. Never a 500; a 4xx is a ProblemDetails.
/// </summary>
public abstract class JsonApiFuzzTests<TApp>(TApp app, ITestOutputHelper output) : IClassFixture<TApp> where TApp : AppFixture
{
    /// <summary>Cases per operation per run (<see cref="FuzzRuns"/>).</summary>
    protected virtual int CasesPerOperation => 20;

    /// <summary>How many of the fixed runs ./test.sh makes.</summary>
    protected virtual int FixedRuns => 2;

    private static readonly string[] Accounts = ["office", "unit-zj-lasa", "division-scc", "division-zac", "leader-principal", "assessor1", "viewer"];

    internal sealed record Operation(string Method, string Template, JsonElement? Schema);

    /// <summary>Path parameters filled with ids that exist in the demo where there are any.</summary>
    internal static string Fill(string template) => System.Text.RegularExpressions.Regex.Replace(template, "{([^}:]+)[^}]*}", m => m.Groups[1].Value switch
    {
        // The quarter being collected: a published one refuses every write before reading it (docs/stages.md).
        "period" => "2023-Q3",
        "category" => "housing",
        "indicator" => "A1",
        "sheet" => "report",
        "year" => "2023",
        "token" => "no-such-token",
        "id" or "groupId" => "1",
        _ => "x",
    });

    internal static async Task<(List<Operation> Ops, JsonElement Doc)> OperationsAsync(HttpClient anon)
    {
        var doc = await anon.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var ops = new List<Operation>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
            foreach (var op in path.Value.EnumerateObject())
            {
                var method = op.Name.ToUpperInvariant();
                if (method is not ("POST" or "PUT" or "PATCH")) continue;
                JsonElement? schema = op.Value.TryGetProperty("requestBody", out var rb) && rb.TryGetProperty("content", out var c) && c.TryGetProperty("application/json", out var j)
                    && j.TryGetProperty("schema", out var s) ? s : null;
                ops.Add(new(method, path.Name, schema));
            }
        return (ops, doc);
    }

    /// <summary>
    /// Found by the fuzz (a drawn case, so only now and then): a NUL in a text a request looks something up by.
    /// PostgreSQL cannot compare it at all and used to answer a 500; both databases now answer a 400.
    /// </summary>
    [Fact]
    public async Task A_nul_character_in_a_looked_up_text_is_a_400_not_a_500()
    {
        using var office = await app.As("office");
        foreach (var (path, body) in new (string, object)[]
                 {
                     ("/api/v1/inspections/groups/form", new { period = "2023-Q3\u0000" }),
                     ("/api/v1/inspections/draws", new { period = "\u0000", seed = "x" }),
                 })
        {
            var r = await office.PostAsJsonAsync(path, body);
            Assert.True((int)r.StatusCode is >= 400 and < 500, $"{path}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Generated_and_mutated_bodies_for_every_write_operation_never_get_a_500()
    {
        using var anon = app.Anonymous();
        var (ops, doc) = await OperationsAsync(anon);
        Assert.True(ops.Count >= 30, $"only {ops.Count} write operations in the OpenAPI document");
        var schemas = doc.GetProperty("components").TryGetProperty("schemas", out var sc) ? sc : default;

        using var office = await app.As("office");
        var key = await office.PostAsJsonAsync("/api/v1/apikeys", new { name = "fuzz", indicators = new[] { "C1" } });
        var secret = (await key.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        var platform = app.Anonymous();
        platform.DefaultRequestHeaders.Add("X-Api-Key", secret);
        var clients = new Dictionary<string, HttpClient> { ["platform"] = platform };
        foreach (var a in Accounts) clients[a] = await app.As(a);

        var outcomes = new Outcomes();
        // Which account each operation is fuzzed as: the first the endpoint does not refuse outright (the fuzz is about parsing, as an authorised caller).
        var reachable = new List<(Operation Op, string Path, HttpClient Client)>();
        foreach (var op in ops)
        {
            var path = Fill(op.Template);
            foreach (var (name, c) in clients)
            {
                using var probe = await c.SendAsync(new HttpRequestMessage(new HttpMethod(op.Method), path) { Content = JsonContent.Create(new { }) });
                await outcomes.CheckAsync($"{op.Method} {op.Template} probe as {name}", probe, api: true);
                if (probe.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)) { reachable.Add((op, path, c)); break; }
            }
        }
        var runs = FuzzRuns.Seeds(FixedRuns);
        foreach (var run in runs)
        {
            // Every case of the run comes from this one generator, in the document's order of operations: the run seed replays it all.
            var draw = new Random(run);
            foreach (var (op, path, client) in reachable)
                for (var i = 0; i < CasesPerOperation; i++)
                {
                    var rnd = new Random(draw.Next());
                    var kind = draw.Next(0, 18);
                    var valid = op.Schema is { } s ? Generate(s, schemas, rnd, 0) : new JsonObject();
                    var (content, what) = Damage(valid, kind, rnd);
                    using var request = new HttpRequestMessage(new HttpMethod(op.Method), path) { Content = content };
                    using var response = await client.SendAsync(request);
                    await outcomes.CheckAsync($"{op.Method} {op.Template}: {what}", response, api: true, FuzzRuns.Replay(run));
                }
        }
        output.WriteLine($"runs {string.Join(", ", runs)}: {outcomes.Summary}");
        foreach (var c in clients.Values) c.Dispose();
        outcomes.AssertNone();
        Assert.True(reachable.Count >= 30, $"only {reachable.Count} operations were reachable by some account");
        Assert.True(outcomes.Cases >= reachable.Count * CasesPerOperation * runs.Count);
    }

    private static JsonElement Resolve(JsonElement schema, JsonElement schemas)
    {
        for (var i = 0; i < 10 && schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var r); i++)
            schema = schemas.GetProperty(r.GetString()!.Split('/')[^1]);
        return schema;
    }

    private static string[] Types(JsonElement schema) => !schema.TryGetProperty("type", out var t) ? []
        : t.ValueKind == JsonValueKind.Array ? [.. t.EnumerateArray().Select(x => x.GetString()!)] : [t.GetString()!];

    /// <summary>A body that follows the schema, with plausible values (demo ids, periods, small numbers).</summary>
    internal static JsonNode? Generate(JsonElement schema, JsonElement schemas, Random rnd, int depth)
    {
        schema = Resolve(schema, schemas);
        if (depth > 6 || schema.ValueKind != JsonValueKind.Object) return null;
        foreach (var combo in new[] { "oneOf", "anyOf", "allOf" })
            if (schema.TryGetProperty(combo, out var options) && options.GetArrayLength() > 0)
            {
                var choices = options.EnumerateArray().Where(o => !Types(Resolve(o, schemas)).SequenceEqual(["null"])).ToList();
                if (choices.Count > 0) return Generate(choices[rnd.Next(choices.Count)], schemas, rnd, depth + 1);
            }
        if (schema.TryGetProperty("enum", out var en) && en.GetArrayLength() > 0)
            return JsonNode.Parse(en[rnd.Next(en.GetArrayLength())].GetRawText());
        var types = Types(schema).Where(t => t != "null").ToArray();
        var type = types.Length > 0 ? types[rnd.Next(types.Length)] : schema.TryGetProperty("properties", out _) ? "object" : "string";
        switch (type)
        {
            case "object":
                var o = new JsonObject();
                if (schema.TryGetProperty("properties", out var props))
                    foreach (var p in props.EnumerateObject()) o[p.Name] = Generate(p.Value, schemas, rnd, depth + 1) ?? Plausible(p.Name, rnd);
                return o;
            case "array":
                var a = new JsonArray();
                var n = rnd.Next(4);
                for (var i = 0; i < n; i++) a.Add(schema.TryGetProperty("items", out var items) ? Generate(items, schemas, rnd, depth + 1) : JsonValue.Create(i));
                return a;
            case "integer": return JsonValue.Create(rnd.Next(0, 5));
            case "number": return JsonValue.Create(Math.Round(rnd.NextDouble() * 100, 2));
            case "boolean": return JsonValue.Create(rnd.Next(2) == 0);
            default:
                var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
                return format switch
                {
                    "date-time" => JsonValue.Create("2023-03-31T00:00:00Z"),
                    "date" => JsonValue.Create("2023-03-31"),
                    _ => JsonValue.Create(new[] { "2023-Q1", "zj-lasa", "A1", "housing", "principal", "拉萨", "满意", "C1", "scc", "" }[rnd.Next(10)]),
                };
        }
    }

    private static JsonNode Plausible(string name, Random rnd) => name.ToLowerInvariant() switch
    {
        "period" or "periodid" => "2023-Q3",
        "unit" or "unitid" => "zj-lasa",
        "indicator" or "indicatorid" => "A1",
        _ => JsonValue.Create(rnd.Next(3))!,
    };

    private static readonly string[] Hostile = ["", " ", "=1+1", "\u0000", "\uD83D\uDE00", "拉萨", "<script>", "../../x", "NaN", "-Infinity", "2023-Q9", "9999-12-31T23:59:59Z", "0001-01-01"];

    private static (HttpContent Content, string What) Damage(JsonNode? valid, int kind, Random rnd)
    {
        static StringContent Json(string s) => new(s, Encoding.UTF8, "application/json");
        var props = valid is JsonObject o ? o.Select(kv => kv.Key).ToList() : [];
        string Pick() => props[rnd.Next(props.Count)];
        JsonNode? Clone() => valid?.DeepClone();
        switch (kind)
        {
            case 0: case 1: return (Json(valid?.ToJsonString() ?? "null"), "valid by schema");
            case 2 when props.Count > 0: { var c = (JsonObject)Clone()!; var p = Pick(); c.Remove(p); return (Json(c.ToJsonString()), $"{p} dropped"); }
            case 3 when props.Count > 0: { var c = (JsonObject)Clone()!; var p = Pick(); c[p] = null; return (Json(c.ToJsonString()), $"{p} null"); }
            case 4 when props.Count > 0:
            {
                var c = (JsonObject)Clone()!; var p = Pick();
                JsonNode?[] wrong = [JsonValue.Create(true), JsonValue.Create(-1), JsonValue.Create(1.5), JsonValue.Create("x"), new JsonArray(), new JsonObject(), new JsonArray(JsonValue.Create(1), null)];
                c[p] = wrong[rnd.Next(wrong.Length)]; return (Json(c.ToJsonString()), $"{p} retyped");
            }
            case 5 when props.Count > 0: { var c = (JsonObject)Clone()!; var p = Pick(); c[p] = new string('考', 200_000); return (Json(c.ToJsonString()), $"{p} 200k characters"); }
            case 6 when props.Count > 0: { var c = (JsonObject)Clone()!; var p = Pick(); c[p] = Hostile[rnd.Next(Hostile.Length)]; return (Json(c.ToJsonString()), $"{p} hostile text"); }
            case 7 when props.Count > 0:
            {
                var text = valid!.ToJsonString();
                var p = Pick();
                var at = text.IndexOf($"\"{p}\":", StringComparison.Ordinal) + p.Length + 3;
                var end = at;
                var depth = 0;
                while (end < text.Length && (depth > 0 || (text[end] != ',' && text[end] != '}'))) { depth += text[end] is '[' or '{' ? 1 : text[end] is ']' or '}' ? -1 : 0; end++; }
                string[] numbers = ["1e400", "-1e400", "99999999999999999999999", "-0", "1.5e-400", "2147483648", "-9223372036854775809"];
                return (Json(text[..at] + numbers[rnd.Next(numbers.Length)] + text[end..]), $"{p} overflowing number");
            }
            case 8: return (Json(new string('[', 5000) + new string(']', 5000)), "5000 nested arrays");
            case 9: return (Json(string.Concat(Enumerable.Repeat("{\"a\":", 3000)) + "1" + new string('}', 3000)), "3000 nested objects");
            case 10:
            {
                var b = Encoding.UTF8.GetBytes(valid?.ToJsonString() ?? "{}").ToList();
                var quote = b.IndexOf((byte)'"');
                b.InsertRange(quote < 0 ? 0 : quote + 1, new byte[] { 0xC3, 0x28, 0xFF, 0xB5 });
                var content = new ByteArrayContent([.. b]);
                content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
                return (content, "invalid UTF-8");
            }
            case 11: return (Json(""), "empty body");
            case 12: return (Json(new[] { "null", "[]", "42", "\"s\"", "true" }[rnd.Next(5)]), "not an object");
            case 13: { var t = valid?.ToJsonString() ?? "{}"; return (Json(t[..rnd.Next(t.Length)]), "truncated"); }
            case 14: { var b = new byte[rnd.Next(1, 200)]; rnd.NextBytes(b); var c = new ByteArrayContent(b); c.Headers.ContentType = new("application/json"); return (c, "random bytes"); }
            case 15: return (new StringContent(valid?.ToJsonString() ?? "{}", Encoding.UTF8, "text/plain"), "wrong content type");
            case 16 when valid is JsonObject:
            {
                var c = (JsonObject)Clone()!;
                c["$type"] = "System.IO.FileInfo"; c["__proto__"] = new JsonObject(); c[new string('k', 1000)] = 1;
                return (Json(c.ToJsonString()), "stray members");
            }
            default:
                return (Json(valid is JsonObject ? $"[{valid.ToJsonString()},{valid.ToJsonString()}]" : "{\"a\":" + (valid?.ToJsonString() ?? "null") + "}"), "wrapped");
        }
    }
}

public sealed class JsonApiFuzzTestsOnSqlite(SqliteApp app, ITestOutputHelper output) : JsonApiFuzzTests<SqliteApp>(app, output);

public sealed class JsonApiFuzzTestsOnPostgres(PostgresApp app, ITestOutputHelper output) : JsonApiFuzzTests<PostgresApp>(app, output)
{
    protected override int CasesPerOperation => 4;
    protected override int FixedRuns => 1;
}

/// <summary>Bodies over Kestrel's limit (30 MB by default) get a 413 ProblemDetails: on a real Kestrel, since the test server has no limit.</summary>
public sealed class OversizedBodyTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Json_and_upload_bodies_over_the_server_limit_get_a_413_problem()
    {
        await using var kestrel = app.Factory.WithWebHostBuilder(b => b.UseSetting("urls", "http://127.0.0.1:0"));
        kestrel.UseKestrel(0);
        kestrel.StartServer();
        using var office = await app.As("office");
        using var unit = await app.As("unit-zj-lasa");
        // Wait for the server's answer to "Expect: 100-continue" however busy the machine is, rather than start writing.
        using var client = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(2) }) { BaseAddress = kestrel.ClientOptions.BaseAddress };

        var big = new byte[31 * 1024 * 1024];
        Array.Fill(big, (byte)' ');
        big[0] = (byte)'{';
        big[^1] = (byte)'}';
        var json = new ByteArrayContent(big);
        json.Headers.ContentType = new("application/json");
        using var r1 = new HttpRequestMessage(HttpMethod.Post, "/api/v1/schemes") { Content = json };
        r1.Headers.Authorization = office.DefaultRequestHeaders.Authorization;
        // Kestrel answers as soon as the declared length is over the limit and closes the connection;
        // with 100-continue the client waits for that answer instead of writing into a closed socket.
        r1.Headers.ExpectContinue = true;
        var a = await client.SendAsync(r1);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, a.StatusCode);
        Assert.Equal("application/problem+json", a.Content.Headers.ContentType?.MediaType);

        using var r2 = new HttpRequestMessage(HttpMethod.Post, "/api/v1/collection/2023-Q3/report/xlsx") { Content = XlsxImporters.File(big, "file") };
        r2.Headers.Authorization = unit.DefaultRequestHeaders.Authorization;
        r2.Headers.ExpectContinue = true;
        var b = await client.SendAsync(r2);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, b.StatusCode);
        Assert.Equal("application/problem+json", b.Content.Headers.ContentType?.MediaType);
        Assert.Contains("过大", await b.Content.ReadAsStringAsync());
    }
}
