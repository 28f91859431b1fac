using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Http;

public sealed class PagesOnSqlite(SqliteApp app) : PageTests(app), IClassFixture<SqliteApp>;
public sealed class PagesOnPostgres(PostgresApp app) : PageTests(app), IClassFixture<PostgresApp>;

/// <summary>The Razor Pages a signed-in person browses, scoped like the API.</summary>
public abstract class PageTests(KaoheApp app)
{
    private async Task<HttpClient> Browser(string user)
    {
        var c = app.Anonymous();
        var r = await AccessTests.PostLogin(c, user, KaoheApp.DemoPassword);
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        return c;
    }

    [Fact]
    public async Task Every_demo_scheme_page_shows_its_indicator_tree()
    {
        using var c = await Browser("office");
        var schemes = await app.Db(db => db.Schemes.AsNoTracking().ToListAsync());
        Assert.True(schemes.Count >= 4);
        foreach (var s in schemes)
        {
            var html = await c.GetStringAsync($"/Schemes/Detail/{s.Id}");
            var tree = V1File.ReadScheme(s.Document);
            Assert.True(tree.IsValid);
            foreach (var top in tree.Indicators!) Assert.Contains(System.Net.WebUtility.HtmlEncode(top.Name), html);
        }
    }

    [Fact]
    public async Task A_unit_reporter_guessing_another_units_page_gets_404()
    {
        using var c = await Browser("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/Units/Detail/zj-lasa")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync("/Units/Detail/zj-nyingchi")).StatusCode);
        var list = await c.GetStringAsync("/Units");
        Assert.DoesNotContain("林芝市住房和城乡建设局", list);
    }

    [Fact]
    public async Task The_english_switch_sets_a_cookie_and_pages_follow_it()
    {
        using var c = await Browser("office");
        var zh = await c.GetStringAsync("/Periods");
        Assert.Contains("2023", zh);
        Assert.Contains("考核", zh);
        var sw = await c.GetAsync("/lang?to=en&returnUrl=/Periods");
        Assert.Equal(HttpStatusCode.Redirect, sw.StatusCode);
        Assert.Equal("/Periods", sw.Headers.Location!.OriginalString);
        var en = await c.GetStringAsync("/Periods");
        Assert.Contains("lang=\"en", en);
        var back = await c.GetAsync("/lang?to=zh-CN&returnUrl=//evil.example");
        Assert.Equal("/", back.Headers.Location!.OriginalString);
    }
}
