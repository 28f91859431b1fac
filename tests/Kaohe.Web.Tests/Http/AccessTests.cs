using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Kaohe.Web.Features.Demo;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Http;

public sealed class AccessOnSqlite(SqliteApp app) : AccessTests(app), IClassFixture<SqliteApp>;
public sealed class AccessOnPostgres(PostgresApp app) : AccessTests(app), IClassFixture<PostgresApp>;

/// <summary>Who may see and do what: sign-in, tokens, and the access matrix of every role × every area.</summary>
public abstract class AccessTests(KaoheApp app)
{
    public static readonly string[] DemoUsers = ["office", "division-scc", "leader-principal", "assessor1", "unit-zj-lasa", "viewer"];

    [Fact]
    public async Task A_visitor_is_sent_to_the_sign_in_page()
    {
        using var c = app.Anonymous();
        var home = await c.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.StartsWith("/Account/Login", home.Headers.Location!.PathAndQuery, StringComparison.OrdinalIgnoreCase);
        var login = await c.GetAsync(home.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var html = await login.Content.ReadAsStringAsync();
        Assert.Contains("登录", html);
        Assert.Contains("__RequestVerificationToken", html);
    }

    [Fact]
    public async Task Health_openapi_and_reference_are_public()
    {
        using var c = app.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/healthz")).StatusCode);
        var doc = await c.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(doc.GetProperty("paths").TryGetProperty("/api/v1/units", out _));
        var scalar = await c.GetAsync("/scalar");
        Assert.True(scalar.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect or HttpStatusCode.MovedPermanently, $"/scalar gave {scalar.StatusCode}");
    }

    [Fact]
    public async Task Every_api_endpoint_without_a_login_answers_401_with_problem_details()
    {
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.TrimStart('/').StartsWith("api/v1", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Route: e.RoutePattern.RawText!)))
            .Where(x => !x.Route.Contains("auth/token"))
            .Distinct().ToList();
        Assert.True(endpoints.Count >= 8, $"only {endpoints.Count} API endpoints found");
        using var c = app.Anonymous();
        foreach (var (method, route) in endpoints)
        {
            var path = "/" + System.Text.RegularExpressions.Regex.Replace(route.TrimStart('/'), @"\{[^}]+\}", "1");
            var req = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is "POST" or "PUT") req.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            var r = await c.SendAsync(req);
            Assert.True(r.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} without login gave {(int)r.StatusCode}");
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_bad_or_expired_token_is_401()
    {
        using var c = app.Anonymous();
        c.DefaultRequestHeaders.Authorization = new("Bearer", "not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await c.GetAsync("/api/v1/units")).StatusCode);
    }

    [Fact]
    public async Task A_token_login_lists_the_demo_units()
    {
        using var c = await app.As("office");
        var units = await c.GetFromJsonAsync<JsonElement[]>("/api/v1/units");
        var ids = units!.Select(u => u.GetProperty("id").GetString()).ToHashSet();
        Assert.Equal(DemoCatalog.All.Count, ids.Count);
        Assert.All(DemoCatalog.All, u => Assert.Contains(u.Id, ids));
        Assert.Contains(units!, u => u.GetProperty("name").GetString() == "拉萨市住房和城乡建设局");
    }

    [Fact]
    public async Task A_wrong_password_gets_401_naming_no_user()
    {
        using var c = app.Anonymous();
        var r = await c.PostAsJsonAsync("/api/v1/auth/token", new { username = "viewer", password = "wrong-password-1" });
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Unreadable_json_is_a_400_naming_the_field_not_a_500()
    {
        using var c = app.Anonymous();
        var r = await c.PostAsync("/api/v1/auth/token", new StringContent("{\"username\": [1,2], \"password\": 3", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var body = await r.Content.ReadAsStringAsync();
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Contains("username", body);
    }

    [Fact]
    public async Task Problem_details_speak_chinese_by_default_and_english_on_request()
    {
        using var zh = await app.As("unit-zj-lasa");
        using var en = await app.As("unit-zj-lasa", "en-US,en;q=0.9");
        var zhBody = await (await zh.GetAsync("/api/v1/units/zj-nyingchi")).Content.ReadFromJsonAsync<JsonElement>();
        var enBody = await (await en.GetAsync("/api/v1/units/zj-nyingchi")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", zhBody.GetProperty("detail").GetString()!);
        Assert.DoesNotMatch(@"\p{IsCJKUnifiedIdeographs}", enBody.GetProperty("detail").GetString()!);
        Assert.Contains("zj-nyingchi", enBody.GetProperty("detail").GetString()!);
    }

    public static TheoryData<string, string, string, int> Matrix()
    {
        // role, method, path, expected status. Reads of another unit by a unit reporter are 404 (its existence is not revealed);
        // office-only areas are 403 for everyone else.
        var d = new TheoryData<string, string, string, int>();
        foreach (var u in DemoUsers)
        {
            var office = u == "office";
            d.Add(u, "GET", "/api/v1/units", 200);
            d.Add(u, "GET", "/api/v1/periods", 200);
            d.Add(u, "GET", "/api/v1/schemes", 200);
            d.Add(u, "GET", "/api/v1/facts", 200);
            d.Add(u, "GET", "/api/v1/units/zj-lasa", 200);
            d.Add(u, "GET", "/api/v1/units/zj-nyingchi", u == "unit-zj-lasa" ? 404 : 200);
            d.Add(u, "GET", "/api/v1/audit", office ? 200 : 403);
            d.Add(u, "GET", "/api/v1/audit/verify", office ? 200 : 403);
            d.Add(u, "POST", "/api/v1/schemes", office ? 400 : 403);
            d.Add(u, "PUT", "/api/v1/schemes/1/document", office ? 400 : 403);
            d.Add(u, "POST", "/api/v1/schemes/1/activate", office ? 400 : 403);
            d.Add(u, "POST", "/api/v1/schemes/1/clone?period=2023-Q2", office ? 201 : 403);
            d.Add(u, "GET", "/Audit", office ? 200 : 403);
            d.Add(u, "GET", "/Accounts", office ? 200 : 403);
            d.Add(u, "GET", "/Schemes", 200);
            d.Add(u, "GET", "/Units", 200);
        }
        return d;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Each_role_reaches_only_its_areas(string user, string method, string path, int expected)
    {
        using var c = path.StartsWith("/api") ? await app.As(user) : await SignedInBrowser(user);
        var req = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT") req.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        var r = await c.SendAsync(req);
        var status = (int)r.StatusCode;
        // A page refused to a signed-in person redirects to the access-denied page.
        if (status == 302 && r.Headers.Location!.OriginalString.Contains("/Account/Denied", StringComparison.OrdinalIgnoreCase)) status = 403;
        Assert.True(expected == status, $"{user} {method} {path}: expected {expected}, got {status} {await r.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task A_unit_reporter_sees_only_its_own_unit_and_its_own_facts()
    {
        using var c = await app.As("unit-zj-lasa");
        var units = await c.GetFromJsonAsync<JsonElement[]>("/api/v1/units");
        Assert.Equal(["zj-lasa"], units!.Select(u => u.GetProperty("id").GetString()));
        var facts = await c.GetFromJsonAsync<JsonElement[]>("/api/v1/facts");
        Assert.All(facts!, f => Assert.Equal("zj-lasa", f.GetProperty("unitId").GetString()));
        var others = await c.GetFromJsonAsync<JsonElement[]>("/api/v1/facts?unit=zj-nyingchi");
        Assert.Empty(others!);
    }

    [Fact]
    public async Task Guessing_the_id_of_another_units_fact_finds_nothing()
    {
        var (other, own) = await app.Db(async db => (
            await db.Facts.Where(f => f.UnitId == "zj-nyingchi").Select(f => f.Id).FirstOrDefaultAsync(),
            await db.Facts.Where(f => f.UnitId == "zj-lasa").Select(f => f.Id).FirstOrDefaultAsync()));
        Assert.True(other > 0 && own > 0, "the demo has facts for both units");
        using var c = await app.As("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync($"/api/v1/facts/{other}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync($"/api/v1/facts/{own}")).StatusCode);
        // Walking the neighbouring ids finds only the unit's own facts.
        for (var id = Math.Max(1, other - 3); id <= other + 3; id++)
        {
            var r = await c.GetAsync($"/api/v1/facts/{id}");
            if (r.StatusCode == HttpStatusCode.OK)
                Assert.Equal("zj-lasa", (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("unitId").GetString());
            else Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }
    }

    [Fact]
    public async Task A_scoring_division_sees_only_facts_of_its_assigned_units_and_indicators()
    {
        var assigned = await app.Db(db => db.Assignments.Where(a => a.Assignee == "scc").Select(a => new { a.UnitId, a.IndicatorId, a.PeriodId }).ToListAsync());
        using var c = await app.As("division-scc");
        var facts = await c.GetFromJsonAsync<JsonElement[]>("/api/v1/facts");
        Assert.All(facts!, f => Assert.True(
            f.GetProperty("author").GetString() == "division-scc" ||
            assigned.Any(a => a.UnitId == f.GetProperty("unitId").GetString() && a.IndicatorId == f.GetProperty("indicatorId").GetString()),
            $"division-scc sees {f}"));
        var all = await app.Db(db => db.Facts.CountAsync());
        Assert.True(facts!.Length < all, "a division does not see every fact");
    }

    [Fact]
    public async Task A_viewer_cannot_change_a_scheme_by_guessing_its_id()
    {
        var id = await app.Db(db => db.Schemes.Select(s => s.Id).FirstAsync());
        var before = await app.Db(db => db.Schemes.Where(s => s.Id == id).Select(s => s.Document).FirstAsync());
        foreach (var user in DemoUsers.Where(u => u != "office"))
        {
            using var c = await app.As(user);
            var r = await c.PutAsync($"/api/v1/schemes/{id}/document", new StringContent("{\"document\":{}}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        }
        Assert.Equal(before, await app.Db(db => db.Schemes.Where(s => s.Id == id).Select(s => s.Document).FirstAsync()));
    }

    [Fact]
    public async Task A_form_post_without_the_antiforgery_token_is_refused()
    {
        using var c = app.Anonymous();
        var r = await c.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = "office", ["Password"] = KaoheApp.DemoPassword,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Null(r.Headers.Location);
    }

    [Fact]
    public async Task Signing_in_with_the_form_and_its_token_opens_the_home_page_naming_the_prefectures()
    {
        using var c = await SignedInBrowser("office");
        var home = await c.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        var html = await home.Content.ReadAsStringAsync();
        foreach (var p in DemoCatalog.Prefectures) Assert.Contains(p.Name[..2], html);
        Assert.Contains("虚构", html);
    }

    [Fact]
    public async Task A_signed_in_form_post_without_the_token_is_refused()
    {
        using var c = await SignedInBrowser("office");
        var r = await c.PostAsync("/Audit?handler=Verify", new FormUrlEncodedContent(new Dictionary<string, string>()));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
    }

    /// <summary>Signs in through the login form like a browser: fetch the page, post with its anti-forgery token, keep the cookie.</summary>
    protected async Task<HttpClient> SignedInBrowser(string user, string password = KaoheApp.DemoPassword)
    {
        var c = app.Anonymous();
        var r = await PostLogin(c, user, password);
        Assert.True(r.StatusCode == HttpStatusCode.Redirect, $"{user} sign-in gave {(int)r.StatusCode}");
        return c;
    }

    public static async Task<HttpResponseMessage> PostLogin(HttpClient c, string user, string password)
    {
        var page = await c.GetStringAsync("/Account/Login");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "the sign-in form carries an anti-forgery token");
        return await c.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = user, ["Password"] = password, ["__RequestVerificationToken"] = token,
        }));
    }
}
