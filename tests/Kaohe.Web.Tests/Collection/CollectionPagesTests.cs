using System.Net;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Collection;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Collection;

/// <summary>
/// The collection pages through a signed-in browser-like client: who sees which page (on 2023-Q3, the
/// quarter being collected, which holds the demo's collection story), and a correction submitted through the 填报 form.
/// </summary>
public abstract class CollectionPagesTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    [Theory]
    [InlineData("unit-cg-lasa", "/Collection/Report?period=2023-Q3", "U1.5")]
    [InlineData("division-zac", "/Collection/Score?period=2023-Q3", "C3")]
    [InlineData("division-scc", "/Collection/Verify?period=2023-Q3", "待审核")]
    [InlineData("leader-principal", "/Collection/Leader?period=2023-Q3", "厅领导班子总体评价")]
    [InlineData("office", "/Collection/Progress?period=2023-Q3", CollectionDemo.ReturnedUnit)]
    [InlineData("office", "/Collection/Assignments?period=2023-Q3&assignee=zac", "C3")]
    [InlineData("office", "/Collection/Verify?period=2023-Q3", "山南")]
    public async Task Each_role_opens_its_sheet_with_the_demo_in_it(string user, string url, string expected)
    {
        using var client = await app.SignedIn(user);
        var r = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var html = await r.Content.ReadAsStringAsync();
        if (expected != "待审核") Assert.Contains(expected, html);
        Assert.Contains("/Collection/", html);
    }

    [Theory]
    [InlineData("leader-principal", "/Collection/Report")]
    [InlineData("unit-zj-lasa", "/Collection/Score")]
    [InlineData("unit-zj-lasa", "/Collection/Progress")]
    [InlineData("division-zac", "/Collection/Leader")]
    [InlineData("division-zac", "/Collection/Assignments")]
    [InlineData("viewer", "/Collection/Verify")]
    public async Task Other_roles_are_refused(string user, string url)
    {
        using var client = await app.SignedIn(user);
        var r = await client.GetAsync(url);
        Assert.True(r.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect, $"{user} {url}: {r.StatusCode}");
        if (r.StatusCode == HttpStatusCode.Redirect) Assert.Contains("/Account/Denied", r.Headers.Location!.ToString());
    }

    [Fact]
    public async Task A_correction_submitted_through_the_form_replaces_the_verified_value_and_the_results_still_compute()
    {
        using var client = await app.SignedIn("unit-cg-lasa");
        var replaced = await app.WithDb(db => db.Facts.SingleAsync(f => f.PeriodId == "2023-Q3" && f.UnitId == "cg-lasa" && f.IndicatorId == "U1.5" && f.Status == FactStatus.Verified));
        var page = await client.GetStringAsync("/Collection/Report?period=2023-Q3");
        var token = AppFixture.AntiForgeryToken(page);
        var save = await client.PostAsync("/Collection/Report?handler=Save&period=2023-Q3", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["values[U1.5]"] = "0.97",
            ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.OK, save.StatusCode);
        Assert.Contains("已保存 1 项草稿", await save.Content.ReadAsStringAsync());
        var submit = await client.PostAsync("/Collection/Report?handler=Submit&period=2023-Q3", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Contains("已提交 1 项", await submit.Content.ReadAsStringAsync());
        var facts = await app.WithDb(db => db.Facts.Where(f => f.PeriodId == "2023-Q3" && f.UnitId == "cg-lasa" && f.IndicatorId == "U1.5").OrderBy(f => f.Id).ToListAsync());
        Assert.Equal([FactStatus.Returned, FactStatus.Submitted], facts.Select(f => f.Status));
        Assert.Equal(0.97, FactPayload.Parse(facts[1].Payload).Value);
        // The log says the verified value was superseded by the correction (its status before the change, not after).
        var supersede = await app.WithDb(db => db.AuditEntries.SingleAsync(e => e.Action == "report.supersede" && e.EntityId == replaced.Id.ToString()));
        Assert.Contains(nameof(FactStatus.Verified), supersede.OldValue);
        Assert.DoesNotContain(nameof(FactStatus.Returned), supersede.OldValue);
        Assert.Contains(facts[1].Id.ToString(), supersede.NewValue);
        var outcome = await app.WithDb(async db => Engine.Score((await new ReferenceBuilder(db).BuildAsync("2023-Q3", "urban"))!.Assessment));
        Assert.Empty(outcome.Errors);
        Assert.Equal(2 * 0.97, outcome.Result!["cg-lasa"].Scores["U1.5"], 9);
    }
}

public sealed class CollectionPagesTestsOnSqlite(SqliteApp app) : CollectionPagesTests<SqliteApp>(app);

public sealed class CollectionPagesTestsOnPostgres(PostgresApp app) : CollectionPagesTests<PostgresApp>(app);
