using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Access;

/// <summary>Who may reach what, on every provider: role × area, and attempts on other units' data.</summary>
public abstract class AccessTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    [Fact]
    public async Task A_visitor_gets_the_sign_in_page()
    {
        using var client = app.Anonymous();
        var home = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.StartsWith("/Account/Login", home.Headers.Location!.PathAndQuery);
        var login = await client.GetStringAsync("/Account/Login");
        Assert.Contains("登录", login);
    }

    [Fact]
    public async Task Every_api_endpoint_refuses_a_call_without_login_with_401()
    {
        var endpoints = app.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .ToList();
        Assert.True(endpoints.Count >= 10, $"only {endpoints.Count} API endpoints found");
        using var client = app.Anonymous();
        foreach (var e in endpoints)
        {
            var path = "/" + string.Join('/', e.RoutePattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
            {
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart l => l.Content,
                _ => "1",
            }))));
            foreach (var method in e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : JsonContent.Create(new { }) };
                var response = await client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} answered {(int)response.StatusCode} without a login");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }
    }

    [Fact]
    public async Task A_token_login_lists_the_demo_units()
    {
        using var client = await app.As("office");
        var units = await client.GetFromJsonAsync<JsonElement[]>("/api/v1/units");
        Assert.Equal(45, units!.Length);
        Assert.Contains(units, u => u.GetProperty("id").GetString() == "zj-nyingchi" && u.GetProperty("name").GetString() == "林芝市住房和城乡建设局");
    }

    [Fact]
    public async Task A_wrong_password_gets_401_with_a_message()
    {
        using var anon = app.Anonymous();
        var response = await anon.PostAsJsonAsync("/api/v1/auth/token", new { username = "viewer", password = "wrong-password" });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("用户名或密码错误", problem.GetProperty("detail").GetString());
    }

    public static TheoryData<string, string, string, int> Matrix() => new()
    {
        // role account, method, path, expected status
        { "office", "GET", "/api/v1/units", 200 }, { "division-scc", "GET", "/api/v1/units", 200 }, { "leader-principal", "GET", "/api/v1/units", 200 },
        { "assessor1", "GET", "/api/v1/units", 200 }, { "unit-zj-lasa", "GET", "/api/v1/units", 200 }, { "viewer", "GET", "/api/v1/units", 200 },
        { "unit-zj-lasa", "GET", "/api/v1/units/zj-lasa", 200 }, { "unit-zj-lasa", "GET", "/api/v1/units/zj-nyingchi", 404 },
        { "office", "GET", "/api/v1/schemes", 200 }, { "unit-zj-lasa", "GET", "/api/v1/schemes", 200 },
        { "office", "GET", "/api/v1/audit", 200 }, { "viewer", "GET", "/api/v1/audit", 403 }, { "division-scc", "GET", "/api/v1/audit", 403 },
        { "leader-principal", "GET", "/api/v1/audit", 403 }, { "unit-zj-lasa", "GET", "/api/v1/audit/verify", 403 }, { "assessor1", "GET", "/api/v1/audit", 403 },
        { "viewer", "POST", "/api/v1/schemes", 403 }, { "division-scc", "POST", "/api/v1/schemes/1/activate", 403 }, { "unit-zj-lasa", "POST", "/api/v1/schemes/1/versions", 403 },
        { "leader-principal", "PUT", "/api/v1/schemes/1/document", 403 }, { "assessor1", "POST", "/api/v1/schemes/1/clone", 403 },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task The_access_matrix_holds_for_every_role_and_area(string user, string method, string path, int expected)
    {
        using var client = await app.As(user);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : JsonContent.Create(new { }) };
        var response = await client.SendAsync(request);
        Assert.Equal(expected, (int)response.StatusCode);
    }

    public static TheoryData<string, string, int> Pages() => new()
    {
        { "office", "/Audit", 200 }, { "office", "/Accounts", 200 }, { "office", "/Results", 200 }, { "office", "/Schemes/New", 200 },
        { "viewer", "/Audit", 302 }, { "viewer", "/Accounts", 302 }, { "viewer", "/Results", 200 }, { "viewer", "/Schemes/New", 302 },
        { "unit-zj-lasa", "/Results", 302 }, { "unit-zj-lasa", "/Audit", 302 }, { "unit-zj-lasa", "/Units/Detail/zj-nyingchi", 404 },
        { "unit-zj-lasa", "/Units/Detail/zj-lasa", 200 }, { "division-scc", "/Accounts", 302 }, { "leader-principal", "/Results", 200 },
        { "assessor1", "/Results", 302 }, { "assessor1", "/", 200 },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Pages_are_open_only_to_the_roles_they_serve(string user, string path, int expected)
    {
        using var client = await app.SignedIn(user);
        var response = await client.GetAsync(path);
        Assert.Equal(expected, (int)response.StatusCode);
        if (expected == 302) Assert.StartsWith("/Account/Denied", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task A_unit_reporter_never_sees_another_units_data_even_by_guessing_ids()
    {
        var other = await app.WithDb(db => db.Facts.Where(f => f.UnitId == "zj-nyingchi").Select(f => f.Id).FirstAsync());
        var own = await app.WithDb(db => db.Facts.Where(f => f.UnitId == "zj-lasa").Select(f => f.Id).FirstAsync());
        using var client = await app.As("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/facts/{other}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/facts/{own}")).StatusCode);
        var facts = await client.GetFromJsonAsync<JsonElement[]>("/api/v1/facts?unit=zj-nyingchi");
        Assert.Empty(facts!);
        var all = await client.GetFromJsonAsync<JsonElement[]>("/api/v1/facts");
        Assert.NotEmpty(all!);
        Assert.All(all!, f => Assert.Equal("zj-lasa", f.GetProperty("unitId").GetString()));
    }

    [Fact]
    public async Task A_division_sees_only_the_units_and_indicators_assigned_to_it()
    {
        using var client = await app.As("division-scc");
        var facts = await client.GetFromJsonAsync<JsonElement[]>("/api/v1/facts?period=2023-Q1");
        Assert.NotEmpty(facts!);
        var assigned = await app.WithDb(db => db.Assignments.Where(a => a.Assignee == "scc").Select(a => a.UnitId + "/" + a.IndicatorId).ToListAsync());
        Assert.All(facts!, f => Assert.Contains(f.GetProperty("unitId").GetString() + "/" + f.GetProperty("indicatorId").GetString(), assigned));
        var other = await app.WithDb(db => db.Facts.Where(f => f.IndicatorId == "inv").Select(f => f.Id).FirstAsync());   // a base figure, reviewed by the office
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/facts/{other}")).StatusCode);
    }

    [Fact]
    public async Task A_leader_sees_only_their_own_sheet()
    {
        using var client = await app.As("leader-principal");
        var facts = await client.GetFromJsonAsync<JsonElement[]>("/api/v1/facts");
        Assert.NotEmpty(facts!);
        Assert.All(facts!, f => Assert.Equal("principal", f.GetProperty("rater").GetString()));
    }

    [Fact]
    public async Task A_platform_key_made_by_the_office_authenticates_reads_nothing_and_stops_when_revoked()
    {
        using var office = await app.As("office");
        var created = await office.PostAsJsonAsync("/api/v1/apikeys", new { name = "智慧工地平台", indicators = new[] { "C1" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var secret = body.GetProperty("secret").GetString()!;
        var id = body.GetProperty("key").GetProperty("id").GetInt32();
        var stored = await app.WithDb(db => db.ApiKeys.Where(k => k.Id == id).Select(k => k.KeyHash).FirstAsync());
        Assert.DoesNotContain(secret, stored);

        using var platform = app.Anonymous();
        platform.DefaultRequestHeaders.Add("X-Api-Key", secret);
        Assert.Equal(HttpStatusCode.Forbidden, (await platform.GetAsync("/api/v1/units")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await platform.GetAsync("/api/v1/facts")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await office.DeleteAsync($"/api/v1/apikeys/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await platform.GetAsync("/api/v1/units")).StatusCode);
    }

    [Fact]
    public async Task Only_the_office_manages_platform_keys()
    {
        using var viewer = await app.As("viewer");
        var response = await viewer.PostAsJsonAsync("/api/v1/apikeys", new { name = "x", indicators = new[] { "C1" } });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_form_post_without_the_anti_forgery_token_is_refused()
    {
        using var client = await app.SignedIn("office");
        var response = await client.PostAsync("/Schemes/New", new FormUrlEncodedContent(new Dictionary<string, string> { ["Category"] = "housing", ["Period"] = "2023-Q2", ["Document"] = "{}" }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Security_headers_are_sent_and_cookies_are_http_only()
    {
        using var client = app.Anonymous();
        var response = await client.GetAsync("/Account/Login");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.DoesNotContain("unsafe-inline", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.All(response.Headers.GetValues("Set-Cookie"), c => Assert.Contains("httponly", c, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Health_and_the_openapi_document_are_public()
    {
        using var client = app.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        var doc = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(doc.GetProperty("paths").TryGetProperty("/api/v1/units", out _));
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem_not_a_500()
    {
        using var client = await app.As("office");
        var response = await client.PostAsync("/api/v1/schemes", new StringContent("{\"category\": \"housing\", \"document\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}

public sealed class AccessTestsOnSqlite(SqliteApp app) : AccessTests<SqliteApp>(app);

public sealed class AccessTestsOnPostgres(PostgresApp app) : AccessTests<PostgresApp>(app);
