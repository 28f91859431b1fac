using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;

namespace Kaohe.Web.Tests.Http;

/// <summary>Sign-in is rate-limited per client address (Kaohe:LoginRateLimit per minute, 10 by default).</summary>
public sealed class RateLimitTests
{
    private sealed class StrictApp : SqliteApp
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Kaohe:LoginRateLimit", "3");
        }
    }

    [Fact]
    public async Task The_fourth_sign_in_attempt_within_a_minute_is_refused_with_429()
    {
        using var app = new StrictApp();
        using var c = app.Anonymous();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await c.PostAsJsonAsync("/api/v1/auth/token", new { username = "nobody", password = "x" })).StatusCode);
        var limited = await c.PostAsJsonAsync("/api/v1/auth/token", new { username = "office", password = KaoheApp.DemoPassword });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
    }
}
