using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Kaohe.Web.Tests.Access;

/// <summary>
/// The generated access matrix: every endpoint of the route table (minimal APIs and Razor pages) and of
/// the OpenAPI document × every demo role, every unit account, a platform key and an anonymous caller.
/// The roles an endpoint admits are derived from its authorization metadata and must fall within a
/// hand-written expectation per area (so a missing [Authorize] or a too-wide policy fails); every caller
/// outside them must be refused. Unit accounts are also sent at other units' objects by real ids, and
/// what a unit reads must not name another unit.
/// </summary>
public sealed class MatrixTests(SqliteApp app, ITestOutputHelper output) : IClassFixture<SqliteApp>
{
    private const string Anonymous = "anonymous", Platform = "platform";

    /// <summary>Callers: demo accounts (role), unit accounts, a platform key and nobody.</summary>
    private static readonly (string Account, string Role, string? Unit)[] Callers =
    [
        ("office", Roles.Office, null), ("division-scc", Roles.Division, null), ("leader-principal", Roles.Leader, null),
        ("assessor1", Roles.Assessor, null), ("viewer", Roles.Viewer, null),
        ("unit-zj-lasa", Roles.Unit, "zj-lasa"), ("unit-zj-nyingchi", Roles.Unit, "zj-nyingchi"), ("unit-cg-lasa", Roles.Unit, "cg-lasa"),
        (Platform, Roles.Platform, null), (Anonymous, Anonymous, null),
    ];

    private static readonly string[] People = Roles.People;
    private static readonly string[] OfficeOnly = [Roles.Office];

    /// <summary>
    /// The hand-written expectation, by area (longest matching prefix wins): the widest set of callers any
    /// endpoint under it may admit. Written from the seed's roles, not read from the code.
    /// </summary>
    private static readonly (string Prefix, string[] MayAdmit)[] Expected =
    [
        ("/api/v1/auth/token", [Anonymous, .. People, Platform]),
        ("/api/v1/survey/", [Anonymous, .. People, Platform]),                 // the public questionnaire (QR code)
        ("/s/", [Anonymous, .. People, Platform]),                             // the public questionnaire page
        ("/Account/Login", [Anonymous, .. People, Platform]),
        ("/Account/Denied", [Anonymous, .. People, Platform]),
        ("/Account/Sso", [Anonymous, .. People, Platform]),                   // single sign-on's start: a redirect to the provider (404 when off)
        ("/Error", [Anonymous, .. People, Platform]),
        ("/openapi", [Anonymous, .. People, Platform]),
        ("/healthz", [Anonymous, .. People, Platform]),
        ("/lang", [Anonymous, .. People, Platform]),
        ("/scalar", [Anonymous, .. People, Platform]),
        ("/api/v1/facts#POST", [Roles.Platform]),                               // platforms push data with a key
        ("/api/v1/audit", OfficeOnly), ("/Audit", OfficeOnly),
        ("/api/v1/apikeys", OfficeOnly), ("/Platform", OfficeOnly),
        ("/Accounts", OfficeOnly), ("/api/v1/accounts", OfficeOnly),
        ("/Schemes/New", OfficeOnly), ("/Schemes/Edit", OfficeOnly),
        ("/Adjustments", OfficeOnly),
        ("/Targets/Edit", OfficeOnly),
        ("/Inspections/Field", [Roles.Assessor]),
        ("/Inspections", OfficeOnly),
        ("/api/v1/inspections", [Roles.Office, Roles.Assessor]),
        ("/api/v1/inspections/draws/", People),                                 // anyone may re-draw a recorded sample and compare
        ("/Insight/WhatIf", OfficeOnly),
        ("/Collection/Assignments", OfficeOnly), ("/Collection/Progress", OfficeOnly),
        ("/Collection/Score", [Roles.Office, Roles.Division]), ("/Collection/Verify", [Roles.Office, Roles.Division]),
        ("/Collection/Leader", [Roles.Office, Roles.Leader]),
        ("/Surveys/Paper", [Roles.Office, Roles.Assessor]),
        ("/Surveys/Print", OfficeOnly), ("/Surveys/Questionnaire", OfficeOnly), ("/Surveys/Sites", OfficeOnly),
        ("/Publication/Narrative", OfficeOnly),
        ("/", People),                                                          // everything else: people only, never a key or nobody
    ];

    /// <summary>
    /// Routes whose metadata admits all staff while the handler narrows it (to the members of an
    /// inspection group): the walk below still requires every caller outside the area's list to be refused,
    /// with a 404 accepted as the handler's refusal.
    /// </summary>
    private static readonly string[] HandlerChecks = ["/api/v1/inspections/groups/{groupId:int}/findings", "/api/v1/inspections/groups/{groupId:int}/sites/{siteId}"];

    private static string[] MayAdmit(string path, string method)
    {
        var best = Expected.Where(e => e.Prefix.Contains('#')
                ? path.Equals(e.Prefix.Split('#')[0], StringComparison.OrdinalIgnoreCase) && method == e.Prefix.Split('#')[1]
                : path.StartsWith(e.Prefix, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(e => e.Prefix.Contains('#') ? 1000 : e.Prefix.Length).First();
        return best.MayAdmit;
    }

    private sealed record Route(string Method, string Pattern, string Path, bool Page, HashSet<string> Admits, bool HandlerChecked, bool Form);

    /// <summary>Who the endpoint's metadata admits: the combined policy's role and authentication requirements.</summary>
    private async Task<List<Route>> RoutesAsync()
    {
        var provider = app.Factory.Services.GetRequiredService<IAuthorizationPolicyProvider>();
        var fallback = await provider.GetFallbackPolicyAsync();
        var routes = new List<Route>();
        foreach (var e in app.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = e.RoutePattern.RawText ?? "";
            if (pattern.StartsWith("/_", StringComparison.Ordinal)) continue;
            var page = e.Metadata.Any(m => m is Microsoft.AspNetCore.Mvc.Abstractions.ActionDescriptor);
            var policy = e.Metadata.GetMetadata<IAllowAnonymous>() is not null ? null
                : await AuthorizationPolicy.CombineAsync(provider, e.Metadata.GetOrderedMetadata<IAuthorizeData>(), e.Metadata.GetOrderedMetadata<AuthorizationPolicy>()) ?? fallback;
            var admits = new HashSet<string>();
            foreach (var (_, role, _) in Callers)
            {
                if (policy is null) { admits.Add(role); continue; }
                var ok = policy.Requirements.All(r => r switch
                {
                    RolesAuthorizationRequirement rr => rr.AllowedRoles.Contains(role),
                    DenyAnonymousAuthorizationRequirement => role != Anonymous,
                    _ => role != Anonymous,   // any other requirement needs a signed-in caller at least
                });
                if (ok) admits.Add(role);
            }
            var methods = e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? (page ? ["GET", "POST"] : ["GET"]);
            foreach (var m in methods)
            {
                var path = "/" + string.Join('/', e.RoutePattern.PathSegments.Select(s => string.Concat(s.Parts.Select(Part))));
                var handlerChecked = HandlerChecks.Contains(pattern);
                // Routing answers 415 before authorization when the content type does not fit: send forms to form endpoints.
                var form = e.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.ContentTypes.Contains("multipart/form-data") == true;
                routes.Add(new(m, pattern, path, page, handlerChecked ? [.. admits.Intersect(MayAdmit(path, m))] : admits, handlerChecked, form));
            }
        }
        // The survey answer is served before routing (SurveyFastLane, its one door), anonymous by design: it is a
        // route of the matrix all the same.
        routes.Add(new("POST", Kaohe.Web.Features.Surveys.SurveyFastLane.Pattern, "/api/v1/survey/unknown-code", false,
            [.. Callers.Select(c => c.Role)], false, false));
        return [.. routes.DistinctBy(r => (r.Method, r.Path))];
    }

    private string Part(RoutePatternPart p) => p switch
    {
        RoutePatternLiteralPart l => l.Content,
        RoutePatternParameterPart { Name: "period" } => "2023-Q1",
        RoutePatternParameterPart { Name: "category" } => "housing",
        RoutePatternParameterPart { Name: "sheet" } => "report",
        RoutePatternParameterPart { Name: "year" } => "2023",
        RoutePatternParameterPart { Name: "indicator" } => "A1",
        RoutePatternParameterPart { Name: "token" } => "no-such-token",
        RoutePatternParameterPart { Name: "id", IsOptional: true } => "",
        RoutePatternParameterPart { Name: "id" } pp when pp.ParameterPolicies.Count == 0 => "zj-nyingchi",   // string ids are units
        _ => "1",
    };

    private readonly Dictionary<string, HttpClient> _api = [], _pages = [];

    private async Task<HttpClient> ClientAsync(string account, bool page)
    {
        var cache = page ? _pages : _api;
        if (cache.TryGetValue(account, out var c)) return c;
        if (account == Anonymous) c = app.Anonymous();
        else if (account == Platform)
        {
            using var office = await app.As("office");
            var key = await office.PostAsJsonAsync("/api/v1/apikeys", new { name = "matrix", indicators = new[] { "C1" } });
            c = app.Anonymous();
            c.DefaultRequestHeaders.Add("X-Api-Key", (await key.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString());
        }
        else c = page ? await app.SignedIn(account) : await app.As(account);
        return cache[account] = c;
    }

    private static bool Refused(HttpResponseMessage r, bool page, bool handlerChecked = false) =>
        r.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || (handlerChecked && r.StatusCode == HttpStatusCode.NotFound)
        || (page && r.StatusCode == HttpStatusCode.Redirect && r.Headers.Location?.OriginalString is { } l
            && (l.Contains("/Account/Denied", StringComparison.Ordinal) || l.Contains("/Account/Login", StringComparison.Ordinal)));

    [Fact]
    public async Task Every_endpoint_admits_only_the_roles_its_area_expects()
    {
        var routes = await RoutesAsync();
        Assert.True(routes.Count >= 100, $"only {routes.Count} routes");
        var wrong = routes
            .Select(r => (r, extra: r.Admits.Except(MayAdmit(r.Path, r.Method)).ToList()))
            .Where(x => x.extra.Count > 0)
            .Select(x => $"{x.r.Method} {x.r.Pattern} admits {string.Join(",", x.extra)} beyond its area's {string.Join(",", MayAdmit(x.r.Path, x.r.Method))}")
            .ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task The_openapi_document_lists_no_operation_missing_from_the_route_table()
    {
        using var anon = app.Anonymous();
        var doc = await anon.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var routes = (await RoutesAsync()).Select(r => (r.Method, Pattern: Normalise(r.Pattern))).ToHashSet();
        var missing = new List<string>();
        var count = 0;
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
            foreach (var op in path.Value.EnumerateObject())
            {
                count++;
                if (!routes.Contains((op.Name.ToUpperInvariant(), Normalise(path.Name)))) missing.Add($"{op.Name} {path.Name}");
            }
        Assert.True(count >= 80, $"only {count} operations");
        Assert.True(missing.Count == 0, string.Join("\n", missing));
        static string Normalise(string p) => System.Text.RegularExpressions.Regex.Replace(p.TrimEnd('/'), "{([^}:?]+)[^}]*}", "{$1}").ToLowerInvariant();
    }

    [Fact]
    public async Task Every_caller_outside_an_endpoints_roles_is_refused()
    {
        var routes = await RoutesAsync();
        var failures = new List<string>();
        var calls = 0;
        foreach (var (account, role, unit) in Callers)
            foreach (var r in routes)
            {
                if (r.Admits.Contains(role)) continue;   // admitted callers are checked by the feature tests and the cross-unit walk below
                var client = await ClientAsync(account, r.Page);
                using var request = new HttpRequestMessage(new HttpMethod(r.Method), r.Path)
                {
                    Content = r.Method == "GET" || r.Method == "DELETE" ? null
                        : r.Page ? new FormUrlEncodedContent([])
                        : r.Form ? new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "file", "x.xlsx" } }
                        : JsonContent.Create(new { }),
                };
                using var response = await client.SendAsync(request);
                calls++;
                if (!Refused(response, r.Page, r.HandlerChecked))
                    failures.Add($"{role}{(unit is null ? "" : " of " + unit)} ({account}): {r.Method} {r.Path} answered {(int)response.StatusCode}");
            }
        output.WriteLine($"{calls} refused calls checked over {routes.Count} routes × {Callers.Length} callers");
        Assert.True(calls >= 500, $"only {calls} calls");
        Assert.True(failures.Count == 0, $"{failures.Count} of {calls} calls were not refused:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task Admitted_callers_reading_any_endpoint_never_get_a_500()
    {
        var routes = (await RoutesAsync()).Where(r => r.Method == "GET").ToList();
        var failures = new List<string>();
        var calls = 0;
        foreach (var (account, role, _) in Callers)
            foreach (var r in routes.Where(r => r.Admits.Contains(role)))
            {
                // Headers first: the results event stream (text/event-stream) never ends, and its status is all there is to check.
                using var response = await (await ClientAsync(account, r.Page)).GetAsync(r.Path, HttpCompletionOption.ResponseHeadersRead);
                if (response.Content.Headers.ContentType?.MediaType != "text/event-stream") await response.Content.LoadIntoBufferAsync();
                calls++;
                if ((int)response.StatusCode >= 500) failures.Add($"{account}: GET {r.Path} answered {(int)response.StatusCode}");
            }
        output.WriteLine($"{calls} admitted reads");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>Unit accounts sent at another unit's objects by real ids: never a 2xx, and the other unit is never named.</summary>
    [Fact]
    public async Task A_unit_account_gets_nothing_of_another_unit_by_real_ids()
    {
        var (fact, rect, adjustment) = await app.WithDb(async db => (
            await db.Facts.Where(f => f.UnitId == "zj-nyingchi").Select(f => f.Id).FirstAsync(),
            await db.RectificationItems.Where(i => i.UnitId == "zj-nyingchi").Select(i => (long?)i.Id).FirstOrDefaultAsync(),
            await db.Set<AdjustmentEvent>().Where(a => a.UnitId == "zj-nyingchi").Select(a => (long?)a.Id).FirstOrDefaultAsync()));
        var name = await app.WithDb(db => db.Units.Where(u => u.Id == "zj-nyingchi").Select(u => u.Name).FirstAsync());
        var targets = new List<(string Method, string Path, bool Page)>
        {
            ("GET", $"/api/v1/facts/{fact}", false), ("POST", $"/api/v1/collection/facts/{fact}/verify", false), ("POST", $"/api/v1/collection/facts/{fact}/return", false),
            ("GET", "/api/v1/units/zj-nyingchi", false), ("GET", "/Units/Detail/zj-nyingchi", true), ("GET", "/api/v1/facts?unit=zj-nyingchi", false),
        };
        if (rect is { } ri)
            targets.AddRange([("GET", $"/api/v1/rectification/items/{ri}", false), ("POST", $"/api/v1/rectification/items/{ri}/actions", false),
                ("POST", $"/api/v1/rectification/items/{ri}/milestones", false), ("GET", $"/Rectification/Item/{ri}", true)]);
        if (adjustment is { } ai) targets.Add(("GET", $"/api/v1/adjustments/{ai}", false));

        var failures = new List<string>();
        foreach (var account in new[] { "unit-zj-lasa", "unit-cg-lasa" })
            foreach (var (method, path, page) in targets)
            {
                var client = await ClientAsync(account, page);
                using var request = new HttpRequestMessage(new HttpMethod(method), path)
                {
                    Content = method == "GET" ? null : JsonContent.Create(new { action = "submit", reason = "x", note = "x", title = "x", due = "2023-06-30" }),
                };
                using var response = await client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (response.IsSuccessStatusCode && !(path.Contains('?') && body.Trim() == "[]"))
                    failures.Add($"{account}: {method} {path} answered {(int)response.StatusCode}");
                if (body.Contains(name, StringComparison.Ordinal))
                    failures.Add($"{account}: {method} {path} names {name}");
            }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>What a unit reads about itself (its facts, report sheet, ledger, appeals, notifications) never names another unit.</summary>
    [Fact]
    public async Task What_a_unit_reads_never_names_another_unit()
    {
        // Other assessed bureaus; the divisions that score a unit (scc, fdc, ...) rightly appear on its facts as raters.
        var others = await app.WithDb(async db =>
        {
            var raters = await db.Assignments.Select(a => a.Assignee).Distinct().ToListAsync();
            return await db.Units.Where(u => u.Id != "zj-lasa" && !raters.Contains(u.Id)).Select(u => new { u.Id, u.Name }).ToListAsync();
        });
        using var client = await app.As("unit-zj-lasa");
        string[] scoped =
        [
            "/api/v1/facts", "/api/v1/facts?period=2023-Q1", "/api/v1/collection/2023-Q1/report", "/api/v1/rectification/items", "/api/v1/notifications",
            "/api/v1/appeals", "/api/v1/adjustments", "/api/v1/insight/cause-analyses",
        ];
        var failures = new List<string>();
        var read = 0;
        foreach (var path in scoped)
        {
            using var response = await client.GetAsync(path);
            if (!response.IsSuccessStatusCode) continue;
            read++;
            var body = await response.Content.ReadAsStringAsync();
            foreach (var o in others)
                if (body.Contains($"\"{o.Id}\"", StringComparison.Ordinal) || body.Contains(o.Name, StringComparison.Ordinal))
                    failures.Add($"GET {path} names {o.Id} {o.Name}");
        }
        Assert.True(read >= 5, $"only {read} unit-scoped lists answered");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }
}
