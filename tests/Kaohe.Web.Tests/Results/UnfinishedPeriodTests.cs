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
}

public sealed class UnfinishedPeriodTestsOnSqlite(SqliteApp app) : UnfinishedPeriodTests<SqliteApp>(app);

public sealed class UnfinishedPeriodTestsOnPostgres(PostgresApp app) : UnfinishedPeriodTests<PostgresApp>(app);
