using System.Text.RegularExpressions;
using Kaohe.Web.Tests.Infrastructure;

namespace Kaohe.Web.Tests.Collection;

/// <summary>
/// Period pickers open on the newest quarter that is collecting (issue 18, item 9): once 2024-Q1 opens, 填报 no
/// longer opens on 2023-Q3 (all verified, past its deadline), nor do 评分, 进度, 审核, 考核结果 or the analyses;
/// a period chosen stays chosen.
/// </summary>
public abstract partial class PeriodPickerTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    [GeneratedRegex("<option value=\"([^\"]+)\" selected=\"selected\"")]
    private static partial Regex Selected();

    [Theory]
    [InlineData("unit-zj-lasa", "/Collection/Report")]
    [InlineData("division-scc", "/Collection/Score")]
    [InlineData("office", "/Collection/Progress")]
    [InlineData("office", "/Collection/Verify")]
    [InlineData("office", "/Results")]
    [InlineData("office", "/Insight/Ranking")]
    [InlineData("leader-principal", "/Insight/Overview")]
    public async Task Without_a_choice_the_page_opens_on_the_newest_collecting_quarter(string user, string path)
    {
        var period = await app.OpenAsync();
        using var client = await app.SignedIn(user);
        var html = await client.GetStringAsync(path);
        Assert.Equal(period, Selected().Match(html).Groups[1].Value);
        Assert.Equal("2023-Q3", Selected().Match(await client.GetStringAsync(path + "?period=2023-Q3")).Groups[1].Value);
    }
}

public sealed class PeriodPickerTestsOnSqlite(SqliteApp app) : PeriodPickerTests<SqliteApp>(app);

public sealed class PeriodPickerTestsOnPostgres(PostgresApp app) : PeriodPickerTests<PostgresApp>(app);
