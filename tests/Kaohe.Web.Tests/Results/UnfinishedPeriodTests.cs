using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Web.Features.Insight;
using Kaohe.Web.Features.Publication;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Results;

/// <summary>
/// A period still collecting shows who is missing what — unit names, indicator names, counts — with a
/// link to 进度, never the engine's raw lines (<c>$.values 缺少数据：单位 "zj-nagqu" …</c>) (issue 18, item 3).
/// </summary>
public abstract class UnfinishedPeriodTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    [Fact]
    public async Task The_results_page_of_an_empty_quarter_summarises_the_missing_data_by_unit_and_links_to_progress()
    {
        var period = await app.OpenAsync();
        await app.WithDb(async db =>
        {
            // Computed once here, so that the page reads the result rather than its progress.
            var view = await app.Factory.Services.GetRequiredService<ResultsStore>().DraftAsync(db, period, "housing");
            Assert.NotNull(view);
            Assert.False(view.Scored);
            Assert.True(view.Errors.Count > 20, $"only {view.Errors.Count} errors");
            return 0;
        });

        using var office = await app.SignedIn("office");
        var html = await office.GetStringAsync($"/Results?period={period}&category=housing");
        Assert.DoesNotContain("$.values", html);
        Assert.DoesNotContain("$.data", html);
        Assert.DoesNotContain("缺少数据：单位", html);
        Assert.DoesNotContain("&quot;zj-", html);
        Assert.Contains($"href=\"/Collection/Progress?period={period}\"", html);
        // Seven prefecture bureaus, each by name, with its count and the indicators by name.
        Assert.Matches(@"7 个单位共缺少 \d+ 项数据", html);
        Assert.Contains("拉萨市住房和城乡建设局", html);
        Assert.Contains("那曲市住房和城乡建设局", html);
        Assert.Contains("营商环境评价（建筑市场监管处评分）", html);
        Assert.DoesNotContain(">zj-lasa<", html);
    }

    /// <summary>The summary the analysis pages show in place of the engine's lines (一页通, 排名分差, 沙盘推演).</summary>
    private static void Summarises(string html, string period, string page)
    {
        Assert.True(html.Contains("数据尚不完整", StringComparison.Ordinal), $"{page}: no summary");
        Assert.Matches(@"7 个单位共缺少 \d+ 项数据", html);
        Assert.Contains("拉萨市住房和城乡建设局", html);
        Assert.Contains("B2 营商环境评价", html);
        Assert.Contains($"href=\"/Collection/Progress?period={period}\"", html);
        Assert.False(html.Contains("$.values", StringComparison.Ordinal) || html.Contains("$.data", StringComparison.Ordinal), $"{page} shows JSON paths");
        Assert.DoesNotContain("缺少数据：单位", html);
    }

    [Fact]
    public async Task The_analysis_pages_of_an_empty_quarter_summarise_the_missing_data_by_unit_and_indicator()
    {
        var period = await app.OpenAsync();
        using var office = await app.SignedIn("office");
        Summarises(await office.GetStringAsync($"/Insight/Overview?period={period}&category=housing"), period, "一页通");
        Summarises(await office.GetStringAsync($"/Insight/Ranking?period={period}&category=housing"), period, "排名分差");

        using var scope = app.Factory.Services.CreateScope();
        var (sandbox, failure) = await scope.ServiceProvider.GetRequiredService<WhatIfService>().CreateAsync(period, "housing", "空季度沙盘");
        Assert.Null(failure);
        var edit = await office.GetStringAsync($"/Insight/WhatIf/Edit/{sandbox!.Id}");
        Summarises(edit, period, "沙盘推演");
        Assert.DoesNotContain("调整有误", edit);      // nothing is wrong with the sandbox itself
    }

    [Fact]
    public async Task The_annual_page_of_an_unfinished_year_says_what_is_missing_without_json_paths()
    {
        // 2024 with its first quarter open and empty: the year cannot be computed.
        await app.OpenAsync();
        await app.WithDb(async db =>
        {
            if (!db.Periods.Any(p => p.Id == "2024")) db.Periods.Add(new Kaohe.Data.Period(2024, null, new DateOnly(2025, 1, 15)));
            return await db.SaveChangesAsync();
        });
        using var api = await app.As("office");
        var weights = await api.PutAsJsonAsync("/api/v1/annual/2024/housing/weights", new { q1 = 23.75, q2 = 23.75, q3 = 23.75, q4 = 23.75, leadership = 5 });
        Assert.True(weights.IsSuccessStatusCode, await weights.Content.ReadAsStringAsync());

        using var office = await app.SignedIn("office");
        var html = await office.GetStringAsync("/Publication/Annual?year=2024&category=housing");
        var main = html[html.IndexOf("<main", StringComparison.Ordinal)..];
        Assert.True(main.Contains("数据尚不完整", StringComparison.Ordinal), main);
        Assert.DoesNotContain("<code>$.", main);
        Assert.DoesNotContain("$.values", main);
    }

    [Fact]
    public async Task Publishing_an_unfinished_quarter_is_refused_naming_the_units_and_indicators_in_chinese_and_english()
    {
        var period = await app.OpenAsync();
        using var office = await app.As("office");
        var skip = await office.PostAsJsonAsync($"/api/v1/periods/{period}/review/skip", new { reason = "测试：空季度直接公布" });
        Assert.True(skip.IsSuccessStatusCode || skip.StatusCode == HttpStatusCode.Conflict, $"skip: {skip.StatusCode} {await skip.Content.ReadAsStringAsync()}");
        var revision = await app.WithDb(async db => (await app.Factory.Services.GetRequiredService<ResultsStore>().DraftAsync(db, period, "housing"))!.Revision!.ToString());

        foreach (var (lang, unit, says) in new[] { ("zh", "拉萨市住房和城乡建设局缺少", "个单位共缺少"), ("en", "拉萨市住房和城乡建设局 lacks", "units lack") })
        {
            var response = await office.PostAsJsonAsync($"/api/v1/periods/{period}/categories/housing/publish?lang={lang}", new { revision });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            var detail = problem.GetProperty("detail").GetString()!;
            Assert.Contains(unit, detail);
            Assert.Contains(says, detail);
            Assert.Contains("B2 营商环境评价", detail);
            Assert.DoesNotContain("$.", detail);
            Assert.True(problem.GetProperty("errors").TryGetProperty("period", out _), problem.ToString());
        }
        Assert.False(await app.WithDb(db => Task.FromResult(db.Snapshots.Any(s => s.PeriodId == period))));
    }
}

public sealed class UnfinishedPeriodTestsOnSqlite(SqliteApp app) : UnfinishedPeriodTests<SqliteApp>(app);

public sealed class UnfinishedPeriodTestsOnPostgres(PostgresApp app) : UnfinishedPeriodTests<PostgresApp>(app);
