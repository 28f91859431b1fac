using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Rectification;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Access;

/// <summary>
/// Cross-site request forgery on the API (issue 17, item 5). The probe's case: a multipart
/// <c>POST /api/v1/rectification/items/{id}/actions</c> with the sign-in cookie, <c>Origin: http://evil.example</c>
/// and no anti-forgery token answered 200. A write with the cookie now needs a same-site origin and the
/// token of <c>GET /api/v1/auth/antiforgery</c> in <c>X-CSRF-TOKEN</c>; bearer tokens and API keys are exempt.
/// </summary>
public abstract class CookieApiWriteTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private async Task<long> NewItem()
    {
        using var office = await app.As("office");
        var r = await office.PostAsJsonAsync("/api/v1/rectification/items", new
        {
            unitId = "zj-lasa", periodId = "2023-Q1", problem = "跨站请求测试：施工围挡不规范", severity = "general", responsiblePerson = "副局长", deadline = "2026-08-31",
        });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private static HttpRequestMessage Start(long item, string? origin, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/rectification/items/{item}/actions")
        {
            Content = new MultipartFormDataContent { { new StringContent("start"), "action" } },
        };
        if (origin is not null) request.Headers.Add("Origin", origin);
        if (token is not null) request.Headers.Add("X-CSRF-TOKEN", token);
        return request;
    }

    private Task<ItemStatus> StatusOf(long item) => app.WithDb(db => db.Set<RectificationItem>().Where(i => i.Id == item).Select(i => i.Status).FirstAsync());

    [Fact]
    public async Task A_cookie_write_from_another_site_or_without_the_token_is_refused_and_with_both_it_is_done()
    {
        var item = await NewItem();
        using var browser = await app.SignedIn("unit-zj-lasa");

        var evil = await browser.SendAsync(Start(item, "http://evil.example", null));
        Assert.Equal(HttpStatusCode.Forbidden, evil.StatusCode);
        Assert.Equal("application/problem+json", evil.Content.Headers.ContentType?.MediaType);
        Assert.Contains("evil.example", await evil.Content.ReadAsStringAsync());
        var noToken = await browser.SendAsync(Start(item, null, null));
        Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);
        Assert.Contains("X-CSRF-TOKEN", await noToken.Content.ReadAsStringAsync());
        var badToken = await browser.SendAsync(Start(item, "http://localhost", "forged"));
        Assert.Equal(HttpStatusCode.Forbidden, badToken.StatusCode);
        // A valid token does not make a foreign origin acceptable.
        var token = (await browser.GetFromJsonAsync<JsonElement>("/api/v1/auth/antiforgery")).GetProperty("requestToken").GetString();
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.SendAsync(Start(item, "http://evil.example", token))).StatusCode);
        Assert.Equal(ItemStatus.Open, await StatusOf(item));

        var done = await browser.SendAsync(Start(item, "http://localhost", token));
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal(ItemStatus.InProgress, await StatusOf(item));
    }

    [Fact]
    public async Task Bearer_tokens_and_api_keys_are_not_asked_for_the_token()
    {
        var item = await NewItem();
        using var unit = await app.As("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.OK, (await unit.SendAsync(Start(item, "http://evil.example", null))).StatusCode);

        using var office = await app.As("office");
        var key = await office.PostAsJsonAsync("/api/v1/apikeys", new { name = "跨站测试", indicators = new[] { "C2" } });
        using var platform = app.Anonymous();
        platform.DefaultRequestHeaders.Add("X-Api-Key", (await key.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString());
        var push = new HttpRequestMessage(HttpMethod.Post, "/api/v1/facts") { Content = JsonContent.Create(new { period = "2023-Q1" }) };
        push.Headers.Add("Origin", "http://evil.example");
        // Refused for its content (no records), not as a forgery.
        Assert.Equal(HttpStatusCode.BadRequest, (await platform.SendAsync(push)).StatusCode);
    }
}

public sealed class CookieApiWriteTestsOnSqlite(SqliteApp app) : CookieApiWriteTests<SqliteApp>(app);

public sealed class CookieApiWriteTestsOnPostgres(PostgresApp app) : CookieApiWriteTests<PostgresApp>(app);
