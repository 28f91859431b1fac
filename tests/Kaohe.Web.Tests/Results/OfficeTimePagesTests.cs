using System.Globalization;
using System.Net;
using Kaohe.Data;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Results;

/// <summary>
/// 考核结果, 结果解释, 考核方案 and 待审核 show stored times in the office's zone (Asia/Shanghai by default), not the UTC
/// they are stored in (issue 18, item 10: "10:30" on one page was 18:30 in the audit log). The times come from the
/// database, so nothing here reads the clock.
/// </summary>
public abstract class OfficeTimePagesTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    private static string Office(DateTimeOffset t) => t.ToOffset(Beijing).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string Utc(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static void ShowsOfficeTime(string html, DateTimeOffset t, string page)
    {
        Assert.NotEqual(Office(t), Utc(t));
        Assert.True(html.Contains(Office(t), StringComparison.Ordinal), $"{page} does not show {Office(t)} (office time of {t:O})");
        Assert.False(html.Contains(Utc(t), StringComparison.Ordinal), $"{page} shows {Utc(t)}, the UTC time");
    }

    [Fact]
    public async Task Results_explanations_and_schemes_show_times_in_the_offices_zone()
    {
        var (snapshot, scheme) = await app.WithDb(async db => (
            await db.Snapshots.AsNoTracking().Where(s => s.PeriodId == "2023-Q1" && s.Category == "housing").OrderBy(s => s.Id).Select(s => new { s.PublishedAt }).FirstAsync(),
            await db.Schemes.AsNoTracking().Where(s => s.PeriodId == "2023-Q1" && s.Category == "housing").Select(s => new { s.Id, s.CreatedAt, s.ActivatedAt }).FirstAsync()));
        using var office = await app.SignedIn("office");

        var results = await office.GetStringAsync("/Results?period=2023-Q1&category=housing");
        ShowsOfficeTime(results, snapshot.PublishedAt, "考核结果");
        Assert.Contains("北京时间", results);

        var explain = await office.GetAsync("/Results/Explain?period=2023-Q1&category=housing&unit=zj-lasa");
        Assert.Equal(HttpStatusCode.OK, explain.StatusCode);
        ShowsOfficeTime(await explain.Content.ReadAsStringAsync(), snapshot.PublishedAt, "结果解释");

        var list = await office.GetStringAsync("/Schemes");
        ShowsOfficeTime(list, scheme.CreatedAt, "考核方案");
        var detail = await office.GetStringAsync($"/Schemes/Detail/{scheme.Id}");
        ShowsOfficeTime(detail, scheme.CreatedAt, "方案详情");
        if (scheme.ActivatedAt is { } activated) ShowsOfficeTime(detail, activated, "方案详情 启用于");
    }
}

public sealed class OfficeTimePagesTestsOnSqlite(SqliteApp app) : OfficeTimePagesTests<SqliteApp>(app);

public sealed class OfficeTimePagesTestsOnPostgres(PostgresApp app) : OfficeTimePagesTests<PostgresApp>(app);
