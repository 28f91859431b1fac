using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Accounts;

/// <summary>
/// The office resets, disables and enables accounts (issue 18, item 10): a disabled account cannot sign
/// in by the form or the API, and the sessions it held end at once; each action is audited.
/// </summary>
public abstract partial class AccountAdminTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    [Fact]
    public async Task A_disabled_account_loses_its_sessions_at_once_and_cannot_sign_in_until_enabled()
    {
        using var token = await app.As("assessor3");
        using var browser = await app.SignedIn("assessor3");
        Assert.Equal(HttpStatusCode.OK, (await token.GetAsync("/api/v1/auth/antiforgery")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).StatusCode);

        using var office = await app.As("office");
        var disabled = await office.PostAsync("/api/v1/accounts/assessor3/disable", null);
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        var body = await disabled.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("disabled").GetBoolean());
        Assert.True(body.GetProperty("sessionsEnded").GetInt32() >= 2);

        // Both sessions end in the same moment, not at their expiry.
        Assert.Equal(HttpStatusCode.Unauthorized, (await token.GetAsync("/api/v1/auth/antiforgery")).StatusCode);
        var page = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Contains("/Account/Login", page.Headers.Location!.OriginalString);

        // The right password no longer signs in, by the API nor by the form.
        using var anon = app.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anon.PostAsJsonAsync("/api/v1/auth/token", new { username = "assessor3", password = AppFixture.DemoPassword })).StatusCode);
        await Assert.ThrowsAsync<InvalidOperationException>(() => app.SignedIn("assessor3"));

        var audited = await app.WithDb(db => db.AuditEntries.Where(a => a.EntityId == "assessor3").Select(a => a.Action).ToListAsync());
        Assert.Contains("account.disable", audited);

        Assert.Equal(HttpStatusCode.OK, (await office.PostAsync("/api/v1/accounts/assessor3/enable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anon.PostAsJsonAsync("/api/v1/auth/token", new { username = "assessor3", password = AppFixture.DemoPassword })).StatusCode);
        using var again = await app.SignedIn("assessor3");
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/")).StatusCode);
        Assert.Contains("account.enable", await app.WithDb(db => db.AuditEntries.Where(a => a.EntityId == "assessor3").Select(a => a.Action).ToListAsync()));
    }

    [Fact]
    public async Task The_office_cannot_disable_itself_and_others_cannot_disable_anyone()
    {
        using var office = await app.As("office");
        var self = await office.PostAsync("/api/v1/accounts/office/disable", null);
        Assert.Equal(HttpStatusCode.Conflict, self.StatusCode);
        Assert.Contains("自己", (await self.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, (await office.GetAsync("/api/v1/auth/antiforgery")).StatusCode);

        using var division = await app.As("division-zac");
        Assert.Equal(HttpStatusCode.Forbidden, (await division.PostAsync("/api/v1/accounts/assessor2/disable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await division.PostAsync("/api/v1/accounts/assessor2/password", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await office.PostAsync("/api/v1/accounts/nobody-here/disable", null)).StatusCode);

        // The page offers 停用 for others, never for the account that is signed in.
        using var page = await app.SignedIn("office2");
        var html = await page.GetStringAsync("/Accounts");
        var ids = await app.WithDb(db => db.Users.Where(u => u.UserName == "office" || u.UserName == "office2").ToDictionaryAsync(u => u.UserName!, u => u.Id));
        Assert.Contains($"/Accounts?id={ids["office"]}&amp;handler=Disable", html);
        Assert.DoesNotContain($"/Accounts?id={ids["office2"]}&amp;handler=Disable", html);
    }

    [Fact]
    public async Task A_reset_on_the_accounts_page_shows_a_new_password_once_and_the_old_one_and_its_sessions_stop_working()
    {
        using var viewer = await app.As("viewer");
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/auth/antiforgery")).StatusCode);

        using var office = await app.SignedIn("office");
        var form = await office.GetStringAsync("/Accounts");
        var id = await app.WithDb(db => db.Users.Where(u => u.UserName == "viewer").Select(u => u.Id).SingleAsync());
        var reset = await office.PostAsync($"/Accounts?id={id}&handler=Reset", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(form),
        }));
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        var html = await reset.Content.ReadAsStringAsync();
        var password = NewPassword().Match(html).Groups[1].Value;
        Assert.Equal(16, password.Length);
        Assert.DoesNotContain(password, await office.GetStringAsync("/Accounts"));   // shown once

        Assert.Equal(HttpStatusCode.Unauthorized, (await viewer.GetAsync("/api/v1/auth/antiforgery")).StatusCode);
        using var anon = app.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anon.PostAsJsonAsync("/api/v1/auth/token", new { username = "viewer", password = AppFixture.DemoPassword })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anon.PostAsJsonAsync("/api/v1/auth/token", new { username = "viewer", password })).StatusCode);
        Assert.Contains("account.reset-password", await app.WithDb(db => db.AuditEntries.Where(a => a.EntityId == "viewer").Select(a => a.Action).ToListAsync()));
        // The audit entry never holds the password.
        Assert.DoesNotContain(await app.WithDb(db => db.AuditEntries.Select(a => a.NewValue ?? "").ToListAsync()), v => v.Contains(password));
    }

    /// <summary>
    /// 新建账号 does not list every unit (3,000 at national scale): the unit field suggests at most 20 as the office
    /// types, by name or code; a full name typed without the suggestions is resolved to its unit; a name that is
    /// no unit is refused with the field named, and the form keeps what was typed.
    /// </summary>
    [Fact]
    public async Task The_create_form_finds_units_as_the_office_types_and_resolves_a_typed_name()
    {
        using var office = await app.SignedIn("office");
        var form = await office.GetStringAsync("/Accounts");
        var units = await app.WithDb(db => db.Units.CountAsync());
        Assert.True(Regex.Count(form, "<option ") < units, $"the accounts page lists {Regex.Count(form, "<option ")} options for {units} units");
        Assert.Contains("data-search=\"/Accounts?handler=Units\"", form);

        var lasa = await app.WithDb(db => db.Units.Where(u => u.Id == "zj-lasa").Select(u => u.Name).SingleAsync());
        var found = await office.GetFromJsonAsync<JsonElement>("/Accounts?handler=Units&q=" + Uri.EscapeDataString(lasa[..2]));
        var ids = found.EnumerateArray().Select(u => u.GetProperty("id").GetString()).ToList();
        Assert.Contains("zj-lasa", ids);
        Assert.All(found.EnumerateArray(), u => Assert.True(u.GetProperty("name").GetString()!.Contains(lasa[..2]) || u.GetProperty("id").GetString()!.StartsWith(lasa[..2], StringComparison.Ordinal)));
        var byCode = await office.GetFromJsonAsync<JsonElement>("/Accounts?handler=Units&q=zj-");
        Assert.InRange(byCode.GetArrayLength(), 1, 20);
        Assert.All(byCode.EnumerateArray(), u => Assert.StartsWith("zj-", u.GetProperty("id").GetString()));

        // Typed without the suggestions: the full name is resolved to the unit's code.
        var created = await office.PostAsync("/Accounts?handler=Create", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(form),
            ["UserName"] = "picker-unit", ["DisplayName"] = "填报员", ["Role"] = "unit", ["UnitId"] = lasa,
        }));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal("zj-lasa", await app.WithDb(db => db.Users.Where(u => u.UserName == "picker-unit").Select(u => u.UnitId).SingleAsync()));

        // A name that is no unit: refused, the field named, what was typed kept.
        var refused = await office.PostAsync("/Accounts?handler=Create", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(form),
            ["UserName"] = "picker-none", ["DisplayName"] = "无此单位", ["Role"] = "unit", ["UnitId"] = "不存在的住建局",
        }));
        var html = await refused.Content.ReadAsStringAsync();
        Assert.Contains("所属单位：没有名称或编号为“不存在的住建局”的单位", html);
        Assert.Contains("value=\"picker-none\"", html);
        Assert.Contains("value=\"不存在的住建局\"", html);
        Assert.False(await app.WithDb(db => db.Users.AnyAsync(u => u.UserName == "picker-none")));

        using var division = await app.SignedIn("division-zac");
        Assert.NotEqual(HttpStatusCode.OK, (await division.GetAsync("/Accounts?handler=Units&q=zj-")).StatusCode);
    }

    [GeneratedRegex("密码已重置[^<]*<code>([^<]+)</code>")]
    private static partial Regex NewPassword();
}

public sealed class AccountAdminTestsOnSqlite(SqliteApp app) : AccountAdminTests<SqliteApp>(app);

public sealed class AccountAdminTestsOnPostgres(PostgresApp app) : AccountAdminTests<PostgresApp>(app);
