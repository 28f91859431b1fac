using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Account;

/// <summary>The real password hasher, counting its verifications: equal work is a count here, never a time.</summary>
public sealed class CountingHasher : IPasswordHasher<AppUser>
{
    private readonly PasswordHasher<AppUser> _inner = new();
    private int _verifications;

    public int Verifications => _verifications;

    public string HashPassword(AppUser user, string password) => _inner.HashPassword(user, password);

    public PasswordVerificationResult VerifyHashedPassword(AppUser user, string hashedPassword, string providedPassword)
    {
        Interlocked.Increment(ref _verifications);
        return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }

    /// <summary>
    /// The settings of these tests: the counting hasher, bearer tokens that live 30 minutes, and Identity's
    /// security-stamp check on every request (in production every 30 minutes), so that each request rebuilds
    /// the principal as the check does.
    /// </summary>
    public static void Configure(IWebHostBuilder b)
    {
        b.UseSetting("Kaohe:SignIn:TokenHours", "0.5");
        b.ConfigureTestServices(s =>
        {
            s.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.Zero);
            s.AddSingleton<CountingHasher>();
            s.AddSingleton<IPasswordHasher<AppUser>>(sp => sp.GetRequiredService<CountingHasher>());
        });
    }
}

/// <summary>
/// Sign-in and sessions (issue 17, item 6): equal work for every name; failures lock a (name, address)
/// pair, never the account, and alert the office; sign-out, token revocation and the office's "end all"
/// take effect at once, also for a copied cookie; the token lifetime is configured.
/// </summary>
public abstract class SignInTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private static Task<HttpResponseMessage> Token(HttpClient c, string user, string password) =>
        c.PostAsJsonAsync("/api/v1/auth/token", new { username = user, password });

    [Fact]
    public async Task Five_failures_from_one_address_lock_that_address_only_and_the_office_is_alerted()
    {
        // A real Kestrel, so that two clients have two addresses.
        await using var kestrel = app.Factory.WithWebHostBuilder(b => b.UseSetting("urls", "http://127.0.0.1:0"));
        kestrel.UseKestrel(0);
        kestrel.StartServer();
        using var guesser = ClientAddress.From("127.0.0.2", kestrel.ClientOptions.BaseAddress);
        using var colleague = ClientAddress.From("127.0.0.3", kestrel.ClientOptions.BaseAddress);
        using var before = await app.As("office2");

        for (var i = 0; i < 4; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await Token(guesser, "office", "wrong-" + i)).StatusCode);
        var fifth = await Token(guesser, "office", "wrong-5");
        Assert.Equal(HttpStatusCode.Locked, fifth.StatusCode);
        Assert.Equal("application/problem+json", fifth.Content.Headers.ContentType?.MediaType);
        // From there even the right password is refused; from elsewhere the office signs in (five guesses used to lock it out for 15 minutes).
        Assert.Equal(HttpStatusCode.Locked, (await Token(guesser, "office", AppFixture.DemoPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Token(colleague, "office", AppFixture.DemoPassword)).StatusCode);
        Assert.False(await app.WithDb(db => db.Users.AnyAsync(u => u.UserName == "office" && u.LockoutEnd != null)));

        // The office hears of it, and the audit trail has it, naming the address.
        var alert = await app.WithDb(db => db.Set<Notification>().Where(n => n.Recipient == "office" && n.Key.StartsWith("signin-lock:")).ToListAsync());
        Assert.Contains(alert, n => n.Body.Contains("127.0.0.2") && n.Title.Contains("office"));
        Assert.True(await app.WithDb(db => db.AuditEntries.AnyAsync(e => e.Action == "signin.lock" && e.EntityId == "OFFICE" && e.NewValue!.Contains("127.0.0.2"))));
        using var office2 = before;
        var notes = await office2.GetStringAsync("/api/v1/notifications");
        Assert.Contains("127.0.0.2", notes);

        // An unknown name locks the same way and answers word for word the same: a lock tells nothing.
        for (var i = 0; i < 4; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await Token(guesser, "no-such-account", "wrong-" + i)).StatusCode);
        var unknown = await Token(guesser, "no-such-account", "wrong-5");
        Assert.Equal(HttpStatusCode.Locked, unknown.StatusCode);
        Assert.Equal(Detail(await fifth.Content.ReadFromJsonAsync<JsonElement>()), Detail(await unknown.Content.ReadFromJsonAsync<JsonElement>()));

        // The office lifts the lock on the account page.
        using var page = await app.SignedIn("office2");
        var html = await page.GetStringAsync("/Accounts");
        Assert.Contains("127.0.0.2", html);
        var id = await app.WithDb(db => db.Users.Where(u => u.UserName == "office").Select(u => u.Id).FirstAsync());
        var unlock = await page.PostAsync($"/Accounts?handler=Unlock&id={id}", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(html) }));
        Assert.Equal(HttpStatusCode.OK, unlock.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Token(guesser, "office", AppFixture.DemoPassword)).StatusCode);

        static string? Detail(JsonElement p) => p.GetProperty("detail").GetString();
    }

    [Fact]
    public async Task An_unknown_name_costs_the_same_password_verification_as_a_known_one()
    {
        var hasher = app.Factory.Services.GetRequiredService<CountingHasher>();
        using var anon = app.Anonymous();
        foreach (var (user, what) in new[] { ("nobody-at-all", "unknown name"), ("viewer", "known name, wrong password") })
        {
            var count = hasher.Verifications;
            var r = await Token(anon, user, "Wrong-pass-2023");
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Equal("用户名或密码错误", (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
            Assert.True(hasher.Verifications - count == 1, $"{what}: {hasher.Verifications - count} verifications");
        }
        // The form too.
        using var browser = app.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var login = await browser.GetStringAsync("/Account/Login");
        var before = hasher.Verifications;
        await browser.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Username"] = "nobody-at-all", ["Password"] = "Wrong-pass-2023", ["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(login),
        }));
        Assert.Equal(1, hasher.Verifications - before);
    }

    /// <summary>Signs in through the form and returns the raw Cookie header, as a thief copying it would have it.</summary>
    private async Task<string> CookieOf(string user)
    {
        using var raw = app.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var login = await raw.GetAsync("/Account/Login");
        var af = string.Join("; ", login.Headers.GetValues("Set-Cookie").Select(v => v.Split(';')[0]));
        var post = new HttpRequestMessage(HttpMethod.Post, "/Account/Login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Username"] = user, ["Password"] = AppFixture.DemoPassword, ["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(await login.Content.ReadAsStringAsync()),
            }),
        };
        post.Headers.Add("Cookie", af);
        var signedIn = await raw.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return af + "; " + string.Join("; ", signedIn.Headers.GetValues("Set-Cookie").Select(v => v.Split(';')[0]));
    }

    private async Task<HttpStatusCode> With(string cookie, string path)
    {
        using var raw = app.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return (await raw.SendAsync(request)).StatusCode;
    }

    /// <summary>The security-stamp check rebuilds the principal (and re-issues the cookie): the session must go with it.</summary>
    [Fact]
    public async Task A_sign_in_survives_the_security_stamp_check_rebuilding_it()
    {
        using var browser = await app.SignedIn("leader-principal");
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/Periods")).StatusCode);
    }

    [Fact]
    public async Task Signing_out_ends_the_session_and_a_cookie_copied_before_stops_working()
    {
        var cookie = await CookieOf("leader-incharge");
        Assert.Equal(HttpStatusCode.OK, await With(cookie, "/Periods"));
        using var raw = app.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var page = new HttpRequestMessage(HttpMethod.Get, "/Periods");
        page.Headers.Add("Cookie", cookie);
        var html = await (await raw.SendAsync(page)).Content.ReadAsStringAsync();
        var logout = new HttpRequestMessage(HttpMethod.Post, "/Account/Logout")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(html) }),
        };
        logout.Headers.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.Redirect, (await raw.SendAsync(logout)).StatusCode);
        // The browser dropped its cookie; the copy is refused too, on pages and on the API.
        Assert.Equal(HttpStatusCode.Redirect, await With(cookie, "/Periods"));
        Assert.Equal(HttpStatusCode.Unauthorized, await With(cookie, "/api/v1/units"));
    }

    [Fact]
    public async Task A_token_is_revoked_by_its_holder_or_by_the_office_with_every_session_and_lives_as_configured()
    {
        using var anon = app.Anonymous();
        async Task<(HttpClient Client, DateTimeOffset Expires)> Fresh(string user)
        {
            var body = await (await Token(anon, user, AppFixture.DemoPassword)).Content.ReadFromJsonAsync<JsonElement>();
            var c = app.Anonymous();
            c.DefaultRequestHeaders.Authorization = new("Bearer", body.GetProperty("token").GetString());
            return (c, body.GetProperty("expiresAt").GetDateTimeOffset());
        }
        var (mine, expires) = await Fresh("assessor2");
        Assert.Equal(HttpStatusCode.OK, (await mine.GetAsync("/api/v1/units")).StatusCode);
        // Kaohe:SignIn:TokenHours = 0.5: the row says so, as stored (no clock is read here).
        var row = await app.WithDb(db => db.AccessTokens.AsNoTracking().SingleAsync(t => t.ExpiresAt == expires));
        Assert.Equal(TimeSpan.FromMinutes(30), row.ExpiresAt - row.CreatedAt);
        Assert.Equal(HttpStatusCode.NoContent, (await mine.DeleteAsync("/api/v1/auth/token")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await mine.GetAsync("/api/v1/units")).StatusCode);

        // The office ends every session of an account: its tokens and its browser sign-ins.
        var (phone, _) = await Fresh("unit-zj-nyingchi");
        var (laptop, _) = await Fresh("unit-zj-nyingchi");
        var cookie = await CookieOf("unit-zj-nyingchi");
        Assert.Equal(HttpStatusCode.OK, await With(cookie, "/api/v1/units/zj-nyingchi"));
        using var office = await app.As("office");
        var ended = await office.DeleteAsync("/api/v1/accounts/unit-zj-nyingchi/sessions");
        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        Assert.True((await ended.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ended").GetInt32() >= 3);
        Assert.Equal(HttpStatusCode.Unauthorized, (await phone.GetAsync("/api/v1/units/zj-nyingchi")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await laptop.GetAsync("/api/v1/units/zj-nyingchi")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await With(cookie, "/api/v1/units/zj-nyingchi"));
        Assert.True(await app.WithDb(db => db.AuditEntries.AnyAsync(e => e.Action == "sessions.end" && e.EntityId == "unit-zj-nyingchi")));
        Assert.Equal(HttpStatusCode.NotFound, (await office.DeleteAsync("/api/v1/accounts/no-such-account/sessions")).StatusCode);
        phone.Dispose();
        laptop.Dispose();
    }
}

public sealed class SignInTestsOnSqlite(SignInTestsOnSqlite.Fixture app) : SignInTests<SignInTestsOnSqlite.Fixture>(app)
{
    public sealed class Fixture : SqliteApp
    {
        protected override void Configure(IWebHostBuilder builder) => CountingHasher.Configure(builder);
    }
}

public sealed class SignInTestsOnPostgres(SignInTestsOnPostgres.Fixture app) : SignInTests<SignInTestsOnPostgres.Fixture>(app)
{
    public sealed class Fixture : PostgresApp
    {
        protected override void Configure(IWebHostBuilder builder) => CountingHasher.Configure(builder);
    }
}
