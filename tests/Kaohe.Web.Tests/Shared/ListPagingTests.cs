using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kaohe.Data;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Shared;

/// <summary>
/// Issue 18: the long lists page, sort and filter on the server (Features/Shared/Paging.cs). The demo's lists are
/// short, so the tests ask for small pages (size=3…): a page shows at most its size, page 2 the rows that follow,
/// a filter narrows what the server counts, and the order is the database's own order of the sort key.
/// </summary>
public abstract partial class ListPagingTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    [GeneratedRegex("""<tr><td(?: class="mono">|><code>)([^<]+)(?:</code>)?</td>""")]
    private static partial Regex MonoFirstCell();

    [GeneratedRegex("""共 (\d+) 条""")]
    private static partial Regex TotalRows();

    [GeneratedRegex("""<a href="/Rectification/Item\?id=(\d+)">[^<]+</a></td><td>""")]
    private static partial Regex OverdueItem();

    [GeneratedRegex("""<tr class="[^"]*" data-unit="([^"]+)">""")]
    private static partial Regex ProgressUnitId();

    private static List<string> Ids(string html) => [.. MonoFirstCell().Matches(html).Select(m => m.Groups[1].Value)];

    private static int Total(string html) => int.Parse(TotalRows().Match(html).Groups[1].Value);

    [Fact]
    public async Task Units_page_in_the_database_order_and_page_two_shows_the_next_rows()
    {
        using var office = await app.SignedIn("office");
        var expected = await app.WithDb(db => db.Units.OrderBy(u => u.Name).ThenBy(u => u.Id).Select(u => u.Id).ToListAsync());
        Assert.True(expected.Count > 8, "the demo has more units than two small pages");

        var first = await office.GetStringAsync("/Units?sort=name&size=4");
        var second = await office.GetStringAsync("/Units?sort=name&size=4&page=2");
        Assert.Equal(expected[..4], Ids(first));
        Assert.Equal(expected[4..8], Ids(second));
        Assert.Equal(expected.Count, Total(first));
        Assert.Contains($"第 2 / {(expected.Count + 3) / 4} 页", second);
        // The pager's links keep the sort and the size.
        Assert.Contains("href=\"/Units?sort=name&amp;size=4&amp;page=3\"", second);

        var descending = Ids(await office.GetStringAsync("/Units?sort=-name&size=200"));
        Assert.Equal(await app.WithDb(db => db.Units.OrderByDescending(u => u.Name).ThenBy(u => u.Id).Select(u => u.Id).ToListAsync()), descending);

        // A page past the last shows the last page, not an empty list.
        Assert.Equal(Ids(await office.GetStringAsync($"/Units?sort=name&size=4&page={(expected.Count + 3) / 4}")), Ids(await office.GetStringAsync("/Units?sort=name&size=4&page=999")));
    }

    [Fact]
    public async Task Units_filters_narrow_on_the_server()
    {
        using var office = await app.SignedIn("office");
        var housing = await app.WithDb(db => db.Units.Where(u => u.Kind == UnitKind.HousingBureau).OrderBy(u => u.Id).Select(u => u.Id).ToListAsync());
        var html = await office.GetStringAsync("/Units?kind=HousingBureau&sort=id&size=200");
        Assert.Equal(housing, Ids(html));
        Assert.Equal(housing.Count, Total(html));

        var lasa = await app.WithDb(db => db.Units.Where(u => u.Prefecture == "lasa" && u.Kind == UnitKind.UrbanManagementBureau).OrderBy(u => u.Id).Select(u => u.Id).ToListAsync());
        Assert.NotEmpty(lasa);
        Assert.Equal(lasa, Ids(await office.GetStringAsync("/Units?kind=UrbanManagementBureau&prefecture=lasa&sort=id")));

        var text = Ids(await office.GetStringAsync("/Units?q=nyingchi&sort=id&size=200"));
        Assert.NotEmpty(text);
        Assert.All(text, id => Assert.Contains("nyingchi", id));
        // A filtered list's pager keeps the filter.
        Assert.Contains("kind=HousingBureau", await office.GetStringAsync("/Units?kind=HousingBureau&size=2"));

        using var unit = await app.SignedIn("unit-zj-lasa");
        Assert.Equal(["zj-lasa"], Ids(await unit.GetStringAsync("/Units")));
    }

    [Fact]
    public async Task Accounts_page_and_filter_by_role()
    {
        using var office = await app.SignedIn("office");
        var users = await app.WithDb(db => db.Users.OrderBy(u => u.UserName).ThenBy(u => u.Id).Select(u => u.UserName!).ToListAsync());
        Assert.True(users.Count > 6);
        var first = await office.GetStringAsync("/Accounts?sort=user&size=3");
        var second = await office.GetStringAsync("/Accounts?sort=user&size=3&page=2");
        Assert.Equal(users[..3], Ids(first));
        Assert.Equal(users[3..6], Ids(second));
        Assert.Equal(users.Count, Total(first));

        var divisions = await app.WithDb(db => db.Users.Where(u => u.Role == Roles.Division).OrderBy(u => u.UserName).ThenBy(u => u.Id).Select(u => u.UserName!).ToListAsync());
        Assert.True(divisions.Count > 1 && divisions.Count < users.Count);
        var filtered = await office.GetStringAsync("/Accounts?role=division&sort=user&size=1&page=2");
        Assert.Equal(divisions[1..2], Ids(filtered));
        Assert.Equal(divisions.Count, Total(filtered));
        Assert.Contains("role=division", filtered[filtered.IndexOf("class=\"pager\"", StringComparison.Ordinal)..]);
    }

    [Fact]
    public async Task Supervision_overdue_list_pages_in_deadline_order()
    {
        using var office = await app.As("office");
        // What the ledger says is overdue (Ledger.StateOf, not the page's query).
        var overdue = (await office.GetFromJsonAsync<JsonElement>("/api/v1/rectification/items")).EnumerateArray()
            .Where(i => i.GetProperty("status").GetString() != "Merged" && i.GetProperty("deadlineState").GetString() == "Overdue")
            .Select(o => (Id: o.GetProperty("id").GetInt64(), Deadline: DateOnly.Parse(o.GetProperty("deadline").GetString()!))).ToList();
        Assert.True(overdue.Count >= 3, "the demo has overdue items");
        var expected = overdue.OrderBy(o => o.Deadline).ThenBy(o => o.Id).Select(o => o.Id.ToString()).ToList();

        using var page = await app.SignedIn("office");
        string Section(string html) => html[html.IndexOf("id=\"overdue\"", StringComparison.Ordinal)..html.IndexOf("id=\"recurrences\"", StringComparison.Ordinal)];
        List<string> Items(string html) => [.. OverdueItem().Matches(Section(html)).Select(m => m.Groups[1].Value)];
        var first = await page.GetStringAsync("/Rectification/Supervision?size=2");
        var second = await page.GetStringAsync("/Rectification/Supervision?size=2&page=2");
        Assert.Equal(expected[..2], Items(first));
        Assert.Equal(expected[2..Math.Min(4, expected.Count)], Items(second));
        Assert.Equal(overdue.Count, Total(Section(first)));
        var byId = Items(await page.GetStringAsync("/Rectification/Supervision?sort=-id&size=200"));
        Assert.Equal(overdue.Select(o => o.Id).OrderDescending().Select(i => i.ToString()), byId);
    }

    [Fact]
    public async Task Progress_pages_and_filters_the_units_lines()
    {
        using var office = await app.SignedIn("office");
        List<string> UnitLines(string html) => [.. ProgressUnitId().Matches(html[..html.IndexOf("处室评分", StringComparison.Ordinal)]).Select(m => m.Groups[1].Value)];
        var all = await office.GetStringAsync("/Collection/Progress?period=2023-Q1&sort=id&size=200");
        var total = Total(all);
        var ids = UnitLines(all);
        Assert.True(total > 4);
        Assert.Equal(total, ids.Count);
        Assert.Equal(ids[..2], UnitLines(await office.GetStringAsync("/Collection/Progress?period=2023-Q1&sort=id&size=2")));
        Assert.Equal(ids[2..4], UnitLines(await office.GetStringAsync("/Collection/Progress?period=2023-Q1&sort=id&size=2&page=2")));
        Assert.Equal(Enumerable.Reverse(ids), UnitLines(await office.GetStringAsync("/Collection/Progress?period=2023-Q1&sort=-id&size=200")));

        var complete = await office.GetStringAsync("/Collection/Progress?period=2023-Q1&state=complete&size=200");
        var pending = await office.GetStringAsync("/Collection/Progress?period=2023-Q1&state=pending&size=200");
        Assert.Equal(total, Total(complete) + Total(pending));
        var housing = UnitLines(await office.GetStringAsync("/Collection/Progress?period=2023-Q1&kind=HousingBureau&size=200"));
        Assert.NotEmpty(housing);
        Assert.All(housing, id => Assert.StartsWith("zj-", id));
        Assert.True(housing.Count < total);
    }
}

public sealed class ListPagingTestsOnSqlite(SqliteApp app) : ListPagingTests<SqliteApp>(app);

public sealed class ListPagingTestsOnPostgres(PostgresApp app) : ListPagingTests<PostgresApp>(app);
