using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Scoring.FileFormat;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Account;

/// <summary>
/// Sessions beyond one request: the user's language in errors and pages, sign-ins that hold across
/// two instances sharing one database, rate limits on sign-in, and scheme pages a person browses.
/// </summary>
public abstract class SessionTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    [Fact]
    public async Task Problems_are_in_chinese_by_default_and_in_english_when_asked()
    {
        using var zh = await app.As("unit-zj-lasa");
        using var en = await app.As("unit-zj-lasa");
        en.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-US,en;q=0.9");
        var zhBody = await (await zh.GetAsync("/api/v1/units/zj-nyingchi")).Content.ReadFromJsonAsync<JsonElement>();
        var enBody = await (await en.GetAsync("/api/v1/units/zj-nyingchi")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", zhBody.GetProperty("detail").GetString()!);
        Assert.DoesNotMatch(@"\p{IsCJKUnifiedIdeographs}", enBody.GetProperty("detail").GetString()!);
        Assert.Contains("zj-nyingchi", enBody.GetProperty("detail").GetString()!);

        // Also the 400 for unreadable JSON, which the exception handler writes on the way out of the pipeline.
        using var anon = app.Anonymous();
        anon.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        var bad = await anon.PostAsync("/api/v1/auth/token", new StringContent("{\"username\": [1", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var badBody = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.DoesNotMatch(@"\p{IsCJKUnifiedIdeographs}", badBody.GetProperty("detail").GetString()!);
        Assert.Contains("username", badBody.GetProperty("detail").GetString()!);
    }

    [Fact]
    public async Task A_token_and_a_sign_in_cookie_from_one_instance_work_on_another_sharing_the_database()
    {
        using var tokenClient = await app.As("viewer");
        using var cookieClient = await app.SignedIn("office");
        // The second instance: same configuration, same database, its own process state.
        await using var second = app.Factory.WithWebHostBuilder(_ => { });
        using var c = second.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

        var bearer = new HttpRequestMessage(HttpMethod.Get, "/api/v1/units");
        bearer.Headers.Authorization = tokenClient.DefaultRequestHeaders.Authorization;
        Assert.Equal(HttpStatusCode.OK, (await c.SendAsync(bearer)).StatusCode);

        // The cookie is protected with data-protection keys kept in the database, so the other instance reads it.
        var first = await cookieClient.GetAsync("/Audit");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var page = new HttpRequestMessage(HttpMethod.Get, "/Audit");
        page.Headers.Add("Cookie", await CookieHeader());
        Assert.Equal(HttpStatusCode.OK, (await c.SendAsync(page)).StatusCode);

        async Task<string> CookieHeader()
        {
            // Sign in again on the first instance and keep the raw Set-Cookie values.
            using var raw = app.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
            var login = await raw.GetAsync("/Account/Login");
            var html = await login.Content.ReadAsStringAsync();
            var afCookie = string.Join("; ", login.Headers.GetValues("Set-Cookie").Select(v => v.Split(';')[0]));
            var post = new HttpRequestMessage(HttpMethod.Post, "/Account/Login")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["Username"] = "office", ["Password"] = AppFixture.DemoPassword, ["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(html),
                }),
            };
            post.Headers.Add("Cookie", afCookie);
            var signedIn = await raw.SendAsync(post);
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
            return string.Join("; ", signedIn.Headers.GetValues("Set-Cookie").Select(v => v.Split(';')[0]));
        }
    }

    [Fact]
    public async Task Every_demo_scheme_page_shows_its_indicator_tree()
    {
        using var c = await app.SignedIn("viewer");
        var schemes = await app.WithDb(db => db.Schemes.AsNoTracking().ToListAsync());
        Assert.True(schemes.Count >= 4);
        foreach (var s in schemes)
        {
            var html = await c.GetStringAsync($"/Schemes/Detail/{s.Id}");
            var tree = KaoheFile.ReadScheme(s.Document);
            Assert.True(tree.IsValid);
            foreach (var top in tree.Indicators!) Assert.Contains(WebUtility.HtmlEncode(top.Name), html);
        }
    }

    [Fact]
    public async Task The_english_switch_sets_a_cookie_that_pages_follow_and_never_redirects_away()
    {
        using var c = await app.SignedIn("office");
        Assert.Contains("lang=\"zh", await c.GetStringAsync("/Periods"));
        var sw = await c.GetAsync("/lang?to=en&returnUrl=/Periods");
        Assert.Equal(HttpStatusCode.Redirect, sw.StatusCode);
        Assert.Equal("/Periods", sw.Headers.Location!.OriginalString);
        Assert.Contains("lang=\"en", await c.GetStringAsync("/Periods"));
        foreach (var evil in new[] { "//evil.example", "https://evil.example/", "/\\evil.example" })
        {
            var back = await c.GetAsync($"/lang?to=zh-CN&returnUrl={Uri.EscapeDataString(evil)}");
            Assert.Equal("/", back.Headers.Location!.OriginalString);
        }
    }
}

public sealed class SessionTestsOnSqlite(SqliteApp app) : SessionTests<SqliteApp>(app);

public sealed class SessionTestsOnPostgres(PostgresApp app) : SessionTests<PostgresApp>(app);

/// <summary>Sign-in is rate-limited per client address (Kaohe:LoginAttemptsPerMinute, 10 by default).</summary>
public sealed class LoginRateLimitTests(LoginRateLimitTests.Strict app) : IClassFixture<LoginRateLimitTests.Strict>
{
    public sealed class Strict : SqliteApp
    {
        protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Kaohe:LoginAttemptsPerMinute", "3");
    }

    [Fact]
    public async Task The_fourth_sign_in_attempt_within_a_minute_is_refused_with_429()
    {
        using var c = app.Anonymous();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await c.PostAsJsonAsync("/api/v1/auth/token", new { username = "nobody", password = "x" })).StatusCode);
        var limited = await c.PostAsJsonAsync("/api/v1/auth/token", new { username = "office", password = AppFixture.DemoPassword });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
    }
}
