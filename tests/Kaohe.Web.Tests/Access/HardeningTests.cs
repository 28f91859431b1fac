using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Kaohe.Web.Tests.Access;

/// <summary>
/// The cookies' flags, the headers' policy, and the audit trail behind every kind of change: on both
/// databases. (Failed sign-ins, locks and sessions: SignInTests.)
/// </summary>
public abstract class HardeningTests<TApp>(TApp app, ITestOutputHelper output) : IClassFixture<TApp> where TApp : AppFixture
{
    [Fact]
    public async Task Every_cookie_is_http_only_and_same_site()
    {
        using var client = app.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var cookies = new List<string>();
        var login = await client.GetAsync("/Account/Login");
        cookies.AddRange(login.Headers.GetValues("Set-Cookie"));
        var html = await login.Content.ReadAsStringAsync();
        var post = new HttpRequestMessage(HttpMethod.Post, "/Account/Login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["Username"] = "viewer", ["Password"] = AppFixture.DemoPassword, ["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(html) }),
        };
        post.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => c.Split(';')[0])));
        var signedIn = await client.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        cookies.AddRange(signedIn.Headers.GetValues("Set-Cookie"));
        cookies.AddRange((await client.GetAsync("/lang?to=en&returnUrl=/")).Headers.GetValues("Set-Cookie"));

        Assert.Contains(cookies, c => c.StartsWith("kaohe-af", StringComparison.Ordinal));    // anti-forgery
        Assert.Contains(cookies, c => c.StartsWith("kaohe=", StringComparison.Ordinal));      // sign-in
        Assert.Contains(cookies, c => c.StartsWith("kaohe-lang", StringComparison.Ordinal));  // language
        Assert.All(cookies, c =>
        {
            Assert.Contains("httponly", c, StringComparison.OrdinalIgnoreCase);
            Assert.Matches("(?i)samesite=(strict|lax)", c);
        });
    }

    [Theory]
    [InlineData("/Account/Login")]
    [InlineData("/api/v1/units")]
    [InlineData("/s/no-such-token")]
    [InlineData("/scalar/")]               // the API explorer: served without a CSP before issue 17
    [InlineData("/scalar/scalar.js")]
    public async Task Security_headers_forbid_inline_script_framing_sniffing_and_referrer_leaks(string path)
    {
        using var client = app.Anonymous();
        var r = await client.GetAsync(path);
        var csp = r.Headers.GetValues("Content-Security-Policy").Single();
        var script = csp.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src ", StringComparison.Ordinal));
        Assert.DoesNotContain("'unsafe-inline'", script);
        Assert.DoesNotContain("'unsafe-eval'", script);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("object-src 'none'", csp);
        Assert.Equal("nosniff", r.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", r.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains(r.Headers.GetValues("Referrer-Policy").Single(), new[] { "same-origin", "no-referrer", "strict-origin-when-cross-origin" });
    }

    /// <summary>
    /// One valid change per feature area; each must add audit entries, and the chain must verify after
    /// all of them (through the API and the kaohe verify-audit command).
    /// </summary>
    [Fact]
    public async Task Every_kind_of_change_leaves_an_audit_entry_and_the_chain_verifies()
    {
        using var office = await app.As("office");
        using var leader = await app.As("leader-principal");
        using var nyingchi = await app.As("unit-zj-nyingchi");
        var scheme = await office.GetFromJsonAsync<JsonElement>("/api/v1/schemes/1");
        var document = scheme.TryGetProperty("document", out var d) ? d : scheme;
        var assignment = await app.WithDb(db => db.Assignments.Where(a => a.PeriodId == "2023-Q1").Select(a => a.Id).FirstAsync());
        var calls = new (string Area, HttpClient Client, string Method, string Path, object? Body)[]
        {
            ("api keys", office, "POST", "/api/v1/apikeys", new { name = "审计测试平台", indicators = new[] { "C1" } }),
            ("schemes", office, "POST", "/api/v1/schemes", new { category = "housing", period = "2023-Q3", name = "审计测试方案", document }),
            ("collection", office, "DELETE", $"/api/v1/collection/assignments/{assignment}", null),
            ("rectification", office, "POST", "/api/v1/rectification/items", new { unitId = "zj-lasa", periodId = "2023-Q1", problem = "审计测试：安全防护不到位", severity = "general", responsiblePerson = "副局长", deadline = "2026-08-31" }),
            ("insight robustness", office, "PUT", "/api/v1/insight/robustness/2023-Q1", new { weightShare = 0.05, raterShare = 0.05, samples = 60, seed = 7, closeCallPoints = 2.0 }),
            ("insight what-if", office, "POST", "/api/v1/insight/whatif", new { period = "2023-Q1", category = "housing", name = "审计测试" }),
            ("insight practices", nyingchi, "POST", "/api/v1/insight/practices", new { period = "2023-Q1", title = "审计测试做法", body = "委托第三方开展消防审查验收" }),
            ("insight comments", leader, "POST", "/api/v1/insight/comments", new { period = "2023-Q1", unit = "zj-lasa", text = "审计测试点评" }),
        };
        var failures = new List<string>();
        var succeeded = new List<string>();
        foreach (var (area, client, method, path, body) in calls)
        {
            var before = await app.WithDb(db => db.AuditEntries.CountAsync());
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await client.SendAsync(request);
            var after = await app.WithDb(db => db.AuditEntries.CountAsync());
            output.WriteLine($"{area}: {method} {path} → {(int)response.StatusCode}, audit {before} → {after}");
            if (!response.IsSuccessStatusCode) { failures.Add($"{area}: {method} {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}"); continue; }
            succeeded.Add(area);
            if (after <= before) failures.Add($"{area}: {method} {path} changed data without an audit entry");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(calls.Length, succeeded.Count);
        var verify = await office.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify");
        Assert.True(verify.GetProperty("ok").GetBoolean(), verify.ToString());
        Assert.Equal(0, app.VerifyAuditWithCli(out var stderr));
        Assert.Equal("", stderr.Trim());
    }
}

public sealed class HardeningTestsOnSqlite(SqliteApp app, ITestOutputHelper output) : HardeningTests<SqliteApp>(app, output);

public sealed class HardeningTestsOnPostgres(PostgresApp app, ITestOutputHelper output) : HardeningTests<PostgresApp>(app, output);

/// <summary>The public survey is limited per client address (Kaohe:SurveyPerMinute): past it, a 429 a person can read.</summary>
public sealed class SurveyRateLimitTests(SurveyRateLimitTests.Strict app) : IClassFixture<SurveyRateLimitTests.Strict>
{
    public sealed class Strict : SqliteApp
    {
        protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Kaohe:SurveyPerMinute", "3");
    }

    [Fact]
    public async Task Past_the_limit_the_api_gets_a_429_problem_and_the_page_a_bilingual_429_page()
    {
        using var c = app.Anonymous();
        for (var i = 0; i < 3; i++)
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await c.GetAsync("/api/v1/survey/no-such-token")).StatusCode);
        var api = await c.GetAsync("/api/v1/survey/no-such-token");
        Assert.Equal(HttpStatusCode.TooManyRequests, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        var problem = await api.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Contains("稍候", problem.GetProperty("detail").GetString());
        Assert.True(api.Headers.Contains("Retry-After"));

        var page = await c.GetAsync("/s/no-such-token");
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("请求过于频繁", html);
        Assert.Contains("Too many requests", html);
        Assert.Contains("<meta name=\"viewport\"", html);
    }
}
