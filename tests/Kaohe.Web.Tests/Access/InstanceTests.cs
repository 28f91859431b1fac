using System.Net;
using System.Net.Http.Json;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Kaohe.Web.Tests.Access;

/// <summary>Two instances on one PostgreSQL: sign-ins made through one are honoured by the other.</summary>
public sealed class TwoInstancesOnPostgres(PostgresApp app) : IClassFixture<PostgresApp>
{
    [Fact]
    public async Task A_bearer_token_issued_by_one_instance_works_on_the_other()
    {
        using var first = await app.As("viewer");
        var token = first.DefaultRequestHeaders.Authorization!;
        await using var second = new WebApplicationFactory<Program>().WithWebHostBuilder(b => CopySettings(b));
        using var client = second.CreateClient();
        client.DefaultRequestHeaders.Authorization = token;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/units")).StatusCode);
    }

    [Fact]
    public async Task A_cookie_sign_in_on_one_instance_is_valid_on_the_other_because_the_keys_live_in_the_database()
    {
        using var first = await app.SignedIn("office");
        var response = await first.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookies = app.LastCookies;
        await using var second = new WebApplicationFactory<Program>().WithWebHostBuilder(b => CopySettings(b));
        using var client = second.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Add("Cookie", cookies);
        var home = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("考核办", await home.Content.ReadAsStringAsync());
    }

    private void CopySettings(IWebHostBuilder b)
    {
        foreach (var (key, value) in app.Settings) b.UseSetting(key, value);
        b.UseSetting("Kaohe:DataDir", Path.Combine(Path.GetTempPath(), "kaohe-second-" + Guid.NewGuid().ToString("N")));
    }
}

public sealed class SignInRateLimit : IAsyncLifetime
{
    private sealed class LimitedApp : SqliteApp
    {
        protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Kaohe:LoginAttemptsPerMinute", "3");
    }

    private readonly LimitedApp _app = new();

    public Task InitializeAsync() => _app.InitializeAsync();

    public Task DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task Sign_in_attempts_beyond_the_limit_answer_429()
    {
        using var client = _app.Anonymous();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
            statuses.Add((await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "viewer", password = "wrong" })).StatusCode);
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }
}
