using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kaohe.Data;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Deploy;

/// <summary>An application configured for single sign-on against the in-test OpenID provider.</summary>
public interface IOidcApp
{
    TestIdentityProvider Idp { get; }
}

/// <summary>
/// Single sign-on (issue 21) through a real OpenID provider: the authorization-code flow with PKCE,
/// driven the way a browser would (redirects followed one by one, each site with its own cookies).
/// </summary>
public abstract partial class SingleSignOnTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture, IOidcApp
{
    [Fact]
    public async Task Sign_in_through_the_provider_maps_to_the_existing_account_with_its_role()
    {
        var (browser, landed) = await SignInThroughProviderAsync("office", "/Audit");
        Assert.Equal("/Audit", landed);
        // The office's own page opens: the session carries the account's role.
        var audit = await browser.App.GetAsync("/Audit");
        Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
        var display = await app.WithDb(db => db.Users.Where(u => u.UserName == "office").Select(u => u.DisplayName).SingleAsync());
        Assert.Contains(display, await audit.Content.ReadAsStringAsync());
        Assert.Contains(Kaohe.Web.Infrastructure.Labels.Role(Roles.Office, english: false), await audit.Content.ReadAsStringAsync());

        // A unit's reporter signed in the same way gets the reporter's rights, not the office's.
        var (reporter, _) = await SignInThroughProviderAsync("unit-zj-lasa", "/");
        var denied = await reporter.App.GetAsync("/Audit");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.Equal("/Account/Denied", denied.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task A_claim_that_names_no_account_is_refused_with_a_message_and_creates_nothing()
    {
        var before = await app.WithDb(db => db.Users.CountAsync());
        var (browser, landed) = await SignInThroughProviderAsync("someone-unknown", "/Audit");
        Assert.StartsWith("/Account/Login?sso=unmatched", landed);
        var page = await browser.App.GetStringAsync(landed);
        Assert.Contains("您的统一身份认证账号没有对应的本系统账号，无法登录。请联系考核办开通或关联账号。", page);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.App.GetAsync("/Audit")).StatusCode);
        Assert.Equal(before, await app.WithDb(db => db.Users.CountAsync()));
        Assert.False(await app.WithDb(db => db.Users.AnyAsync(u => u.UserName == "someone-unknown")));
    }

    [Fact]
    public async Task A_disabled_account_is_refused()
    {
        await app.WithDb(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.UserName == "viewer");
            user.LockoutEnd = DateTimeOffset.UtcNow.AddYears(100);
            await db.SaveChangesAsync();
            return 0;
        });
        try
        {
            var (browser, landed) = await SignInThroughProviderAsync("viewer", "/");
            Assert.StartsWith("/Account/Login?sso=disabled", landed);
            Assert.Contains("已停用", await browser.App.GetStringAsync(landed));
            Assert.Equal(HttpStatusCode.Redirect, (await browser.App.GetAsync("/Units")).StatusCode);
        }
        finally
        {
            await app.WithDb(async db =>
            {
                var user = await db.Users.SingleAsync(u => u.UserName == "viewer");
                user.LockoutEnd = null;
                return await db.SaveChangesAsync();
            });
        }
    }

    [Fact]
    public async Task An_account_the_office_reset_signs_in_through_the_provider_without_being_sent_to_change_its_password()
    {
        using var office = await app.As("office");
        var reset = await office.PostAsync("/api/v1/accounts/division-zac/password", null);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        var password = (await reset.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("password").GetString()!;

        var (browser, landed) = await SignInThroughProviderAsync("division-zac", "/Collection/Score?period=2023-Q3");
        Assert.Equal("/Collection/Score?period=2023-Q3", landed);
        var page = await browser.App.GetAsync(landed);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.App.GetAsync("/")).StatusCode);

        // The one-time password itself still only opens 修改密码.
        using var local = await app.SignedIn("division-zac", password);
        var home = await local.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.StartsWith("/Account/ChangePassword", home.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Sign_out_ends_the_single_sign_on_session()
    {
        var (browser, _) = await SignInThroughProviderAsync("office", "/Audit");
        var userId = await app.WithDb(db => db.Users.Where(u => u.UserName == "office").Select(u => u.Id).SingleAsync());
        var sessionsBefore = await app.WithDb(db => db.AccessTokens.CountAsync(t => t.UserId == userId && t.Kind == AccessToken.Cookie));
        var page = await browser.App.GetStringAsync("/Audit");
        var signOut = await browser.App.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(page),
        }));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(sessionsBefore - 1, await app.WithDb(db => db.AccessTokens.CountAsync(t => t.UserId == userId && t.Kind == AccessToken.Cookie)));
        var after = await browser.App.GetAsync("/Audit");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Equal("/Account/Login", after.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task The_sign_in_page_offers_the_provider_and_keeps_the_password_form()
    {
        using var anon = app.Anonymous();
        var page = await anon.GetStringAsync("/Account/Login");
        Assert.Contains("统一身份认证登录", page);
        Assert.Contains("name=\"Password\"", page);
        // The break-glass account still signs in with its password.
        using var admin = await app.SignedIn("admin");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/Audit")).StatusCode);
    }

    private sealed record Browser(HttpClient App, HttpClient Provider);

    /// <summary>Clicks 统一身份认证登录, signs in at the provider as <paramref name="user"/>, and follows the flow back; returns where it landed.</summary>
    private async Task<(Browser Browser, string Landed)> SignInThroughProviderAsync(string user, string returnUrl)
    {
        var browser = new Browser(
            app.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }),
            new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }));
        var login = await browser.App.GetStringAsync("/Account/Login?ReturnUrl=" + Uri.EscapeDataString(returnUrl));
        var href = WebUtility.HtmlDecode(SsoLink().Match(login).Groups[1].Value);
        Assert.StartsWith("/Account/Sso", href);
        var next = new Uri(app.Factory.Server.BaseAddress, href);
        for (var hop = 0; hop < 12; hop++)
        {
            var atProvider = next.Authority == app.Idp.Address.Authority;
            var client = atProvider ? browser.Provider : browser.App;
            if (atProvider && next.AbsolutePath == "/login") next = new Uri(next + "&user=" + Uri.EscapeDataString(user));
            var response = await client.GetAsync(next);
            if (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther)
            {
                var location = response.Headers.Location!;
                if (!atProvider && !location.IsAbsoluteUri) return (browser, location.OriginalString);
                next = location.IsAbsoluteUri ? location : new Uri(next, location);
                continue;
            }
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(atProvider, "the provider answered a page instead of redirecting: " + await response.Content.ReadAsStringAsync());
            // The callback's page moves on by itself (a same-site navigation, so the SameSite=Strict cookie goes with it).
            var refresh = Refresh().Match(await response.Content.ReadAsStringAsync());
            Assert.True(refresh.Success, "no refresh to the return address");
            return (browser, WebUtility.HtmlDecode(refresh.Groups[1].Value));
        }
        throw new InvalidOperationException("too many redirects");
    }

    [GeneratedRegex("id=\"sso\" href=\"([^\"]+)\"")]
    private static partial Regex SsoLink();

    [GeneratedRegex("http-equiv=\"refresh\" content=\"0;url=([^\"]+)\"")]
    private static partial Regex Refresh();
}

public sealed class SqliteOidcApp : SqliteApp, IOidcApp
{
    public TestIdentityProvider Idp { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Idp = await OidcSettings.StartAsync(Settings);
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Idp.DisposeAsync();
    }
}

public sealed class PostgresOidcApp : PostgresApp, IOidcApp
{
    public TestIdentityProvider Idp { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Idp = await OidcSettings.StartAsync(Settings);
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Idp.DisposeAsync();
    }
}

internal static class OidcSettings
{
    public static async Task<TestIdentityProvider> StartAsync(Dictionary<string, string> settings)
    {
        // The in-process test server answers as http://localhost: the provider sends the code back there.
        var provider = await TestIdentityProvider.StartAsync(new Uri("http://localhost/signin-oidc"));
        settings["Kaohe:Oidc:Authority"] = provider.Address.ToString();
        settings["Kaohe:Oidc:ClientId"] = TestIdentityProvider.ClientId;
        settings["Kaohe:Oidc:ClientSecret"] = TestIdentityProvider.ClientSecret;
        settings["Kaohe:Oidc:RequireHttpsMetadata"] = "false";
        return provider;
    }
}

public sealed class SqliteSingleSignOnTests(SqliteOidcApp app) : SingleSignOnTests<SqliteOidcApp>(app);
public sealed class PostgresSingleSignOnTests(PostgresOidcApp app) : SingleSignOnTests<PostgresOidcApp>(app);
