using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kaohe.Data;
using Kaohe.Web.Features.Collection;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Collection;

/// <summary>
/// 进度 counts each unit's slots in the database (Progress.UnitPageAsync) and pages, sorts and filters there. Its
/// numbers must be those one gets by reading the facts: here recomputed in the test from every fact of the period,
/// after adding the cases that matter (a draft, a returned report replaced by a late submission, a value a platform
/// supplied, a platform value under a draft, a report on an indicator outside the unit's scheme).
/// </summary>
public abstract partial class ProgressCountsTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private const string Period = "2023-Q3";

    [GeneratedRegex("""<tr class="[^"]*" data-unit="([^"]+)">(.*?)</tr>""", RegexOptions.Singleline)]
    private static partial Regex UnitRow();

    [GeneratedRegex("""<td[^>]*>(.*?)</td>""", RegexOptions.Singleline)]
    private static partial Regex Cell();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tag();

    private sealed record Counts(int Expected, int Missing, int Drafts, int Returned, int Awaiting, int Late);

    /// <summary>The units' lines of a 进度 page: unit id → the numbers in its cells (an empty cell is 0).</summary>
    private static List<(string Unit, Counts Counts)> Lines(string html)
    {
        html = html[..html.IndexOf("处室评分", StringComparison.Ordinal)];
        return [.. UnitRow().Matches(html).Select(m =>
        {
            var cells = Cell().Matches(m.Groups[2].Value).Select(c => Tag().Replace(c.Groups[1].Value, "").Trim()).ToList();
            int N(int i) => cells[i].Length == 0 ? 0 : int.Parse(cells[i]);
            return (m.Groups[1].Value, new Counts(N(1), N(2), N(3), N(4), N(5), N(6)));
        })];
    }

    private static Fact Report(string unit, string indicator, FactStatus status) =>
        new(Period, unit, indicator, FactKind.Value, """{"value":1}""", FactSources.Report, "test", DateTimeOffset.UnixEpoch, status);

    [Fact]
    public async Task The_pages_counts_are_those_of_the_facts_and_the_filters_and_sorts_follow_them()
    {
        // The cases, on three units of the first category with unit-owned slots.
        var leaves = await app.WithDb(db => SchemeLeaves.LoadAsync(db, Period));
        // In the database's order of ids (its collation), the tie-breaker of every sort.
        var units = await app.WithDb(db => db.Units.AsNoTracking().OrderBy(u => u.Id).ToListAsync());
        var rank = units.Select((u, i) => (u.Id, i)).ToDictionary(x => x.Id, x => x.i);
        var (a, b) = await app.WithDb(async db =>
        {
            var kind = units.Select(u => u.Kind).Distinct()
                .First(k => leaves.Of(SchemeLeaves.CategoryOf(k) ?? "").Count(l => l.Owner == SlotOwner.Unit) >= 3);
            var slots = leaves.Of(SchemeLeaves.CategoryOf(kind)!).Where(l => l.Owner == SlotOwner.Unit).Select(l => l.Id).ToList();
            var (a, b) = (units.First(u => u.Kind == kind).Id, units.Last(u => u.Kind == kind).Id);
            // The platform's value must stand alone on a's third slot.
            db.Facts.RemoveRange(db.Facts.Where(f => f.PeriodId == Period && f.UnitId == a && f.IndicatorId == slots[2] && f.Source == FactSources.Report));
            db.Facts.Add(Report(a, slots[0], FactStatus.Draft));
            db.Facts.Add(Report(a, slots[1], FactStatus.Returned));
            db.Facts.Add(new Fact(Period, a, slots[2], FactKind.Value, """{"value":1}""", FactSources.Platform, "test", DateTimeOffset.UnixEpoch, FactStatus.Verified));
            db.Facts.Add(new Fact(Period, a, "not-a-slot", FactKind.Value, """{"value":1}""", FactSources.Report, "test", DateTimeOffset.UnixEpoch, FactStatus.Draft));
            db.Facts.Add(new Fact(Period, b, slots[0], FactKind.Value, """{"value":1}""", FactSources.Platform, "test", DateTimeOffset.UnixEpoch, FactStatus.Verified));
            db.Facts.Add(Report(b, slots[0], FactStatus.Draft));
            await db.SaveChangesAsync();
            // After the returned one, so the latest report of a's second slot is a late submission.
            var late = Report(a, slots[1], FactStatus.Draft);
            late.Submit(DateTimeOffset.UnixEpoch, late: true);
            db.Facts.Add(late);
            await db.SaveChangesAsync();
            return (a, b);
        });

        // The counts from the facts, read here without the page's query.
        var facts = await app.WithDb(db => db.Facts.AsNoTracking().Where(f => f.PeriodId == Period).ToListAsync());
        var expected = new Dictionary<string, Counts>();
        foreach (var u in units)
        {
            var category = SchemeLeaves.CategoryOf(u.Kind) ?? "";
            var slots = leaves.Of(category).Where(l => l.Owner == SlotOwner.Unit).Select(l => (l.Id, Figure: false))
                .Concat(leaves.MeasuresOf(category).Select(m => (m.Id, Figure: true))).ToList();
            if (slots.Count == 0) continue;
            var mine = facts.Where(f => f.UnitId == u.Id).ToList();
            var latest = slots.Select(s => mine.Where(f => f.Source == FactSources.Report && f.IndicatorId == s.Id
                    && (s.Figure ? f.Kind == FactKind.Measure : f.Kind is FactKind.Value or FactKind.RaterScore)).MaxBy(f => f.Id)).ToList();
            var missing = slots.Zip(latest).Count(x => x.Second is { } f
                ? f.Status is FactStatus.Draft or FactStatus.Returned
                : !mine.Any(o => o.IndicatorId == x.First.Id && o.Status is FactStatus.Submitted or FactStatus.Verified
                    && (x.First.Figure ? o.Kind == FactKind.Measure && o.Source != FactSources.Report : o.Kind == FactKind.Value && o.Source == FactSources.Platform)));
            expected[u.Id] = new Counts(slots.Count, missing, latest.Count(f => f?.Status == FactStatus.Draft), latest.Count(f => f?.Status == FactStatus.Returned),
                latest.Count(f => f?.Status == FactStatus.Submitted), latest.Count(f => f?.Late == true));
        }
        Assert.True(expected[a].Drafts >= 1 && expected[a].Late >= 1 && expected[a].Awaiting >= 1, $"{a}: {expected[a]}");
        Assert.True(expected[b].Drafts >= 1 && expected[b].Missing >= 1, $"{b}: {expected[b]}");

        using var office = await app.SignedIn("office");
        var all = new List<(string Unit, Counts Counts)>();
        for (var page = 1; ; page++)
        {
            var lines = Lines(await office.GetStringAsync($"/Collection/Progress?period={Period}&sort=id&size=200&page={page}"));
            all.AddRange(lines);
            if (lines.Count < 200) break;
        }
        Assert.Equal(expected.Keys.OrderBy(k => rank[k]), all.Select(l => l.Unit));
        Assert.All(all, l => Assert.Equal(expected[l.Unit], l.Counts));

        // The API's board counts with the page's query: the same numbers per unit, and each line names as many missing items as it counts.
        using var api = await app.As("office");
        var board = await api.GetFromJsonAsync<JsonElement>($"/api/v1/collection/{Period}/progress");
        var boardLines = board.GetProperty("units").EnumerateArray().ToList();
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), boardLines.Select(u => u.GetProperty("id").GetString()!));
        foreach (var u in boardLines)
        {
            int N(string name) => u.GetProperty(name).GetInt32();
            Assert.Equal(expected[u.GetProperty("id").GetString()!], new Counts(N("expected"), N("missing"), N("drafts"), N("returned"), N("awaiting"), N("late")));
            Assert.Equal(N("missing"), u.GetProperty("missingItems").GetArrayLength());
        }

        // The filters and sorts work on the same numbers.
        var late = Lines(await office.GetStringAsync($"/Collection/Progress?period={Period}&state=late&sort=id&size=200")).Select(l => l.Unit);
        Assert.Equal(expected.Where(e => e.Value.Late > 0).Select(e => e.Key).OrderBy(k => rank[k]), late);
        var complete = Lines(await office.GetStringAsync($"/Collection/Progress?period={Period}&state=complete&sort=id&size=200")).Select(l => l.Unit);
        Assert.Equal(expected.Where(e => e.Value is { Missing: 0, Drafts: 0, Returned: 0, Awaiting: 0 }).Select(e => e.Key).OrderBy(k => rank[k]), complete);
        var byMissing = Lines(await office.GetStringAsync($"/Collection/Progress?period={Period}&sort=-missing&size=200")).Select(l => l.Unit);
        Assert.Equal(expected.OrderByDescending(e => e.Value.Missing).ThenBy(e => rank[e.Key]).Select(e => e.Key).Take(200), byMissing);
        // The default order: most pending first.
        var first = Lines(await office.GetStringAsync($"/Collection/Progress?period={Period}&size=3")).Select(l => l.Unit);
        Assert.Equal(expected.OrderByDescending(e => e.Value.Missing + e.Value.Awaiting + e.Value.Returned).ThenBy(e => rank[e.Key]).Select(e => e.Key).Take(3), first);
    }

    [Fact]
    public async Task The_name_search_of_progress_and_units_ignores_case_on_every_database()
    {
        // A unit whose name has Latin letters (Chinese has no case), of a kind with slots to fill on 进度.
        var leaves = await app.WithDb(db => SchemeLeaves.LoadAsync(db, Period));
        await app.WithDb(async db =>
        {
            if (await db.Units.AnyAsync(u => u.Id == "zz-case")) return 0;
            var model = await db.Units.AsNoTracking().OrderBy(u => u.Id).FirstAsync(u => u.Kind == UnitKind.HousingBureau);
            Assert.NotEmpty(leaves.Of(SchemeLeaves.CategoryOf(model.Kind)!));
            db.Units.Add(new OrgUnit("zz-case", "Xyzzy 试点局", "Xyzzy Pilot Bureau", model.Kind, model.Level, model.Prefecture, model.Group));
            return await db.SaveChangesAsync();
        });
        using var office = await app.SignedIn("office");
        foreach (var q in new[] { "xyzzy 试点", "XYZZY", "Xyzzy", "ZZ-CASE" })
        {
            Assert.Equal(["zz-case"], Lines(await office.GetStringAsync($"/Collection/Progress?period={Period}&size=200&q={Uri.EscapeDataString(q)}")).Select(l => l.Unit));
            Assert.Contains("<code>zz-case</code>", await office.GetStringAsync($"/Units?q={Uri.EscapeDataString(q)}"));
        }
        // The English name and the group are searched too; a search that matches nothing finds nothing.
        Assert.Contains("<code>zz-case</code>", await office.GetStringAsync("/Units?q=PILOT%20bureau"));
        Assert.Empty(Lines(await office.GetStringAsync($"/Collection/Progress?period={Period}&size=200&q=xyzzyq")));
        Assert.DoesNotContain("<code>zz-case</code>", await office.GetStringAsync("/Units?q=xyzzyq"));
    }
}

public sealed class ProgressCountsTestsOnSqlite(SqliteApp app) : ProgressCountsTests<SqliteApp>(app);

public sealed class ProgressCountsTestsOnPostgres(PostgresApp app) : ProgressCountsTests<PostgresApp>(app);
