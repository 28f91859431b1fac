using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Account;

/// <summary>
/// A one-time password (the office's reset, a new account, admin's printed first password) only opens the way to a
/// new password (issue 18): every page leads to 修改密码, the API answers 403 with a problem saying so, and after the
/// change the same session reaches its pages and a token its API.
/// </summary>
public abstract class MustChangePasswordTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private const string User = "leader-incharge";

    private static FormUrlEncodedContent Form(string html, params (string Key, string Value)[] fields) =>
        new(fields.Select(f => KeyValuePair.Create(f.Key, f.Value)).Append(KeyValuePair.Create("__RequestVerificationToken", AppFixture.AntiForgeryToken(html))));

    [Fact]
    public async Task After_a_reset_the_person_must_set_a_new_password_before_any_page_or_api_call()
    {
        using var office = await app.As("office");
        var reset = await office.PostAsync($"/api/v1/accounts/{User}/password", null);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        var oneTime = (await reset.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("password").GetString()!;

        // Pages: every one leads to 修改密码, keeping where the person was going.
        using var browser = await app.SignedIn(User, oneTime);
        var home = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal("/Account/ChangePassword", home.Headers.Location!.OriginalString);
        var results = await browser.GetAsync("/Results?period=2023-Q1");
        Assert.Equal(HttpStatusCode.Redirect, results.StatusCode);
        Assert.StartsWith("/Account/ChangePassword?returnUrl=%2FResults", results.Headers.Location!.OriginalString);

        // The API, by the cookie and by a token: 403 with a problem that says why.
        using var token = await app.As(User, oneTime);
        foreach (var client in new[] { browser, token })
        {
            var api = await client.GetAsync("/api/v1/results/2023-Q1/housing/progress");
            Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
            Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
            var problem = await api.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("修改", problem.GetProperty("detail").GetString());
            Assert.True(problem.GetProperty("mustChangePassword").GetBoolean());
        }

        // Refusals name the field: the wrong current password, a new one that breaks the rules, two that differ.
        var page = await browser.GetStringAsync("/Account/ChangePassword");
        Assert.Contains("一次性初始密码", page);
        var wrong = await (await browser.PostAsync("/Account/ChangePassword", Form(page, ("CurrentPassword", "not-the-password-1A"), ("NewPassword", "Lhasa-2024-office"), ("ConfirmPassword", "Lhasa-2024-office")))).Content.ReadAsStringAsync();
        Assert.Contains("当前密码不正确", wrong);
        var weak = await (await browser.PostAsync("/Account/ChangePassword", Form(page, ("CurrentPassword", oneTime), ("NewPassword", "short"), ("ConfirmPassword", "short")))).Content.ReadAsStringAsync();
        Assert.Contains("新密码至少 10 位", weak);
        var differ = await (await browser.PostAsync("/Account/ChangePassword", Form(page, ("CurrentPassword", oneTime), ("NewPassword", "Lhasa-2024-office"), ("ConfirmPassword", "Lhasa-2024-offic")))).Content.ReadAsStringAsync();
        Assert.Contains("两次输入的新密码不一致", differ);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/")).StatusCode);

        var done = await browser.PostAsync("/Account/ChangePassword?returnUrl=%2FResults", Form(page, ("CurrentPassword", oneTime), ("NewPassword", "Lhasa-2024-office"), ("ConfirmPassword", "Lhasa-2024-office")));
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal("/Results", done.Headers.Location!.OriginalString);

        // The same session now reaches its pages and the API; so does the token it had.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/auth/antiforgery")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await token.GetAsync("/api/v1/auth/antiforgery")).StatusCode);
        using var again = await app.SignedIn(User, "Lhasa-2024-office");
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/")).StatusCode);
        Assert.Contains("account.change-password", await app.WithDb(db => db.AuditEntries.Where(a => a.EntityId == User).Select(a => a.Action).ToListAsync()));
    }

    [Fact]
    public async Task An_account_with_its_own_password_is_not_asked_to_change_it()
    {
        using var browser = await app.SignedIn("viewer");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).StatusCode);
        using var token = await app.As("viewer");
        Assert.Equal(HttpStatusCode.OK, (await token.GetAsync("/api/v1/auth/antiforgery")).StatusCode);
    }
}

public sealed class MustChangePasswordTestsOnSqlite(SqliteApp app) : MustChangePasswordTests<SqliteApp>(app);

public sealed class MustChangePasswordTestsOnPostgres(PostgresApp app) : MustChangePasswordTests<PostgresApp>(app);
