using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Scoring;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Collection;

/// <summary>
/// docs/visibility.md, "Derived indicators": on its 填报 sheet a unit sees at once an indicator derived from its own figures
/// (A1 = inv / plan), and one that depends on the region's (A2 = inv / sum(inv)) only once the office opens the review.
/// </summary>
public abstract class DerivedVisibilityTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    // A quarter the demo fills from Q1's data and leaves collecting; this class's database is its own, so it may open the review.
    private const string Period = "2023-Q4";

    private static async Task<JsonElement> Json(HttpResponseMessage r)
    {
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        return await r.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static Dictionary<string, JsonElement> Derived(JsonElement sheet) =>
        sheet.GetProperty("derived").EnumerateArray().ToDictionary(d => d.GetProperty("indicatorId").GetString()!);

    [Fact]
    public async Task A_unit_sees_its_own_figures_ratio_while_collecting_and_the_regional_share_once_the_review_opens()
    {
        using var unit = await app.As("unit-zj-lasa");
        var sheet = await Json(await unit.GetAsync($"/api/v1/collection/{Period}/report"));
        // Nobody is asked for a derived indicator.
        Assert.DoesNotContain(sheet.GetProperty("rows").EnumerateArray(), r => r.GetProperty("indicatorId").GetString() is "A1" or "A2" or "A3" or "A4" or "A5");
        var figures = sheet.GetProperty("measures").EnumerateArray().ToDictionary(m => m.GetProperty("measureId").GetString()!, m => m.GetProperty("value").GetDouble());
        var derived = Derived(sheet);
        Assert.Equal(["A1", "A2", "A3", "A4", "A5"], derived.Keys);

        Assert.True(derived["A1"].GetProperty("shown").GetBoolean());
        Assert.Equal(Rounding.HalfAwayFromZero(figures["inv"] / figures["plan"], 4), derived["A1"].GetProperty("value").GetDouble());
        Assert.Equal(Rounding.HalfAwayFromZero(figures["started"] / figures["due"], 4), derived["A5"].GetProperty("value").GetDouble());
        foreach (var regional in new[] { "A2", "A4" })
        {
            Assert.False(derived[regional].GetProperty("shown").GetBoolean());
            Assert.Equal(JsonValueKind.Null, derived[regional].GetProperty("value").ValueKind);
        }
        var page = await unit.GetStringAsync($"/Collection/Report?period={Period}");
        Assert.Contains("inv / sum(inv)", page);
        Assert.Contains("申诉复核期显示", page);

        using var office = await app.As("office");
        var opened = await office.PostAsJsonAsync($"/api/v1/periods/{Period}/review/open", new { closesOn = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(7)) });
        Assert.Equal(HttpStatusCode.NoContent, opened.StatusCode);

        var reviewed = Derived(await Json(await unit.GetAsync($"/api/v1/collection/{Period}/report")));
        var draft = await app.WithDb(db => app.Factory.Services.GetRequiredService<ResultsStore>().DraftAsync(db, Period, "housing"));
        Assert.True(draft!.Scored);
        foreach (var leaf in new[] { "A1", "A2", "A3", "A4", "A5" })
        {
            Assert.True(reviewed[leaf].GetProperty("shown").GetBoolean(), leaf);
            Assert.Equal(draft.ByUnit["zj-lasa"].Values[leaf], reviewed[leaf].GetProperty("value").GetDouble());
        }
        Assert.Equal(derived["A1"].GetProperty("value").GetDouble(), reviewed["A1"].GetProperty("value").GetDouble());
        Assert.DoesNotContain("申诉复核期显示", await unit.GetStringAsync($"/Collection/Report?period={Period}"));
    }

    /// <summary>The published 2023-Q1 explains a derived indicator with its figures put in, as published tables do.</summary>
    [Fact]
    public async Task The_explanation_of_a_derived_indicator_shows_the_formula_with_the_bureaus_figures()
    {
        using var unit = await app.SignedIn("unit-zj-lasa");
        var a1 = await unit.GetStringAsync("/Results/Explain?period=2023-Q1&category=housing&unit=zj-lasa&node=A1");
        Assert.Contains("inv / plan", a1);
        Assert.Contains("1.2661 = 78500 ÷ 62000", a1);       // 拉萨: 7.85亿 of a 6.2亿 plan, in 万元
        var a2 = await unit.GetStringAsync("/Results/Explain?period=2023-Q1&category=housing&unit=zj-lasa&node=A2");
        Assert.Contains("78500 ÷ 232700", a2);               // the region's 23.27亿元
    }
}

public sealed class DerivedVisibilityTestsOnSqlite(SqliteApp app) : DerivedVisibilityTests<SqliteApp>(app);

public sealed class DerivedVisibilityTestsOnPostgres(PostgresApp app) : DerivedVisibilityTests<PostgresApp>(app);
