using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Audit;

/// <summary>
/// 审计日志 as an assessment official reads it (issue 18, item 5): actions in words, entities by name, old → new as
/// field changes, filtered and paged on the server; office only.
/// </summary>
public abstract partial class AuditPageTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    /// <summary>The visible text of each row of the page's table, one string per cell.</summary>
    private static List<string[]> Rows(string html)
    {
        var start = html.IndexOf("<tbody>", StringComparison.Ordinal);
        Assert.True(start >= 0, "the audit page has no table");
        var body = html[start..html.IndexOf("</tbody>", start, StringComparison.Ordinal)];
        return [.. RowPattern().Matches(body).Select(r => CellPattern().Matches(r.Groups[1].Value)
            .Select(c => WebUtility.HtmlDecode(TagPattern().Replace(c.Groups[1].Value, " ")).Trim()).ToArray())];
    }

    [Fact]
    public async Task The_demos_audit_page_shows_words_not_codes_or_json()
    {
        var actions = await app.WithDb(db => db.AuditEntries.Select(e => e.Action).Distinct().ToListAsync());
        using var office = await app.SignedIn("office");
        var html = await office.GetStringAsync("/Audit");
        var rows = Rows(html);
        Assert.Equal(50, rows.Count);
        foreach (var row in rows)
        {
            var visible = string.Join(" | ", row.Take(7)); // the hash column is a hash
            Assert.False(visible.Contains('{') || visible.Contains('}'), "JSON on the audit page: " + visible);
            foreach (var code in actions.Concat(Labels.AuditActions.Keys))
                Assert.False(Regex.IsMatch(visible, $@"(?<![\w.-]){Regex.Escape(code)}(?![\w-])"), $"raw action code {code} on the audit page: {visible}");
        }
        Assert.Contains("生成整改事项", html);
        Assert.Contains("北京时间", html);
        Assert.Contains("校验哈希链", html);
    }

    [Fact]
    public async Task A_verified_value_reads_as_a_status_change_of_a_named_unit_and_indicator()
    {
        var fact = await app.WithDb(db => db.Facts.AsNoTracking()
            .Where(f => f.Status == FactStatus.Submitted && f.Source == FactSources.Report && f.Kind == FactKind.Value)
            .OrderBy(f => f.Id).Select(f => new { f.Id, f.UnitId, f.IndicatorId, f.PeriodId }).FirstAsync());
        var unit = await app.WithDb(db => db.Units.Where(u => u.Id == fact.UnitId).Select(u => u.Name).FirstAsync());
        using (var api = await app.As("office"))
            Assert.Equal(HttpStatusCode.NoContent, (await api.PostAsync($"/api/v1/collection/facts/{fact.Id}/verify", null)).StatusCode);

        using var office = await app.SignedIn("office");
        var rows = Rows(await office.GetStringAsync("/Audit?Kind=report.verify"));
        var row = Assert.Single(rows);
        Assert.Equal("核验数据", row[3]);
        Assert.StartsWith($"{unit} · {fact.IndicatorId} ", row[4]);
        Assert.Contains("2023年", row[4]);
        Assert.Equal("状态：已提交 → 已核验", row[5]);
    }

    [Fact]
    public async Task Filtering_by_a_unit_shows_only_that_units_entries_paged_on_the_server()
    {
        var unit = await app.WithDb(db => db.Units.Where(u => u.Id == "zj-lasa").Select(u => u.Name).FirstAsync());
        var all = await app.WithDb(db => db.AuditEntries.CountAsync());
        using var office = await app.SignedIn("office");
        var html = await office.GetStringAsync("/Audit?Unit=zj-lasa");
        var total = int.Parse(TotalPattern().Match(html).Groups[1].Value);
        Assert.InRange(total, 1, all - 1);
        var rows = Rows(html);
        Assert.Equal(Math.Min(total, 50), rows.Count);
        foreach (var row in rows)
            Assert.True(row[4].StartsWith(unit, StringComparison.Ordinal) || row[4].Contains($"（{unit}）", StringComparison.Ordinal), $"an entry of another unit: {string.Join(" | ", row)}");

        // The same filter through the API, and a second page of it that starts where the first ended.
        using var api = await app.As("office");
        var first = await api.GetFromJsonAsync<JsonElement>("/api/v1/audit?unit=zj-lasa&take=50");
        Assert.Equal(rows.Count, first.GetArrayLength());
        Assert.Equal(rows[0][0], first[0].GetProperty("sequence").GetInt64().ToString());
        if (total > 50)
        {
            var next = Rows(await office.GetStringAsync("/Audit?Unit=zj-lasa&P=1"));
            Assert.True(long.Parse(next[0][0]) < long.Parse(rows[^1][0]));
        }

        // Another unit's entries are not in this unit's list.
        var other = await app.WithDb(db => db.Units.Where(u => u.Id == "zj-nagqu").Select(u => u.Name).FirstAsync());
        Assert.DoesNotContain(rows, r => r[4].StartsWith(other, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Only_the_office_reads_the_audit_trail()
    {
        foreach (var user in new[] { "unit-zj-lasa", "division-scc", "leader-principal", "assessor1", "viewer" })
        {
            using var page = await app.SignedIn(user);
            var r = await page.GetAsync("/Audit");
            Assert.True(r.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect, $"{user} got {r.StatusCode} for /Audit");
            using var api = await app.As(user);
            Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/api/v1/audit?unit=zj-lasa")).StatusCode);
        }
    }

    [GeneratedRegex(@"<tr>(.*?)</tr>", RegexOptions.Singleline)] private static partial Regex RowPattern();
    [GeneratedRegex(@"<td[^>]*>(.*?)</td>", RegexOptions.Singleline)] private static partial Regex CellPattern();
    [GeneratedRegex(@"<[^>]+>")] private static partial Regex TagPattern();
    [GeneratedRegex(@"共 (\d+) 条")] private static partial Regex TotalPattern();
}

public sealed class AuditPageTestsOnSqlite(AuditPageTestsOnSqlite.Fixture app) : AuditPageTests<AuditPageTestsOnSqlite.Fixture>(app)
{
    public sealed class Fixture : SqliteApp;
}

public sealed class AuditPageTestsOnPostgres(AuditPageTestsOnPostgres.Fixture app) : AuditPageTests<AuditPageTestsOnPostgres.Fixture>(app)
{
    public sealed class Fixture : PostgresApp;
}
