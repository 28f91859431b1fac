using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Collection;

/// <summary>
/// 审核 verifies a batch (issue 18, item 10: "审核 approves one item at a time"): every selected report or none, each
/// audited as a single verification is, and a stale item named by unit and indicator. The demo's 2023-Q3 holds six
/// submitted reports of 山南 (three values, three base figures); each test takes its own.
/// </summary>
public abstract class BatchVerifyTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private const string Period = "2023-Q3";

    private Task<List<long>> SubmittedAsync(FactKind kind) => app.WithDb(db => db.Facts.AsNoTracking()
        .Where(f => f.PeriodId == Period && f.Source == FactSources.Report && f.Status == FactStatus.Submitted && f.Kind == kind)
        .OrderBy(f => f.Id).Select(f => f.Id).ToListAsync());

    private Task<Dictionary<long, FactStatus>> StatusAsync(IEnumerable<long> ids) =>
        app.WithDb(db => db.Facts.AsNoTracking().Where(f => ids.Contains(f.Id)).ToDictionaryAsync(f => f.Id, f => f.Status));

    private Task<List<string>> VerifyEntriesAsync(IEnumerable<long> ids)
    {
        var keys = ids.Select(i => i.ToString()).ToList();
        return app.WithDb(db => db.AuditEntries.AsNoTracking().Where(e => e.Action == "report.verify" && keys.Contains(e.EntityId))
            .Select(e => e.EntityId + " " + e.Actor + " " + e.OldValue + "→" + e.NewValue).ToListAsync());
    }

    private async Task ReturnAsync(HttpClient office, long id) =>
        Assert.Equal(HttpStatusCode.NoContent, (await office.PostAsJsonAsync($"/api/v1/collection/facts/{id}/return", new { reason = "请补充佐证材料" })).StatusCode);

    [Fact]
    public async Task The_api_verifies_all_or_none_and_names_the_stale_report()
    {
        var ids = await SubmittedAsync(FactKind.Value);
        Assert.True(ids.Count >= 3, $"the demo has {ids.Count} submitted values in {Period}");
        var (a, b, c) = (ids[0], ids[1], ids[2]);
        using var office = await app.As("office");
        await ReturnAsync(office, c); // returned meanwhile, by someone else

        var refused = await office.PostAsJsonAsync("/api/v1/collection/facts/verify", new { ids = new[] { a, b, c } });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        var message = problem.GetProperty("errors").GetProperty("ids[2]")[0].GetString()!;
        var (unit, indicator) = await app.WithDb(db => db.Facts.Where(f => f.Id == c).Join(db.Units, f => f.UnitId, u => u.Id, (f, u) => new ValueTuple<string, string>(u.Name, f.IndicatorId!)).FirstAsync());
        Assert.Contains(unit, message);
        Assert.Contains($" · {indicator} ", message);
        Assert.Contains("已退回", message);
        Assert.Contains("本次未核验任何数据", message);
        Assert.Equal(FactStatus.Submitted, (await StatusAsync([a, b]))[a]);
        Assert.Equal(FactStatus.Submitted, (await StatusAsync([a, b]))[b]);
        Assert.Empty(await VerifyEntriesAsync([a, b, c]));

        var done = await office.PostAsJsonAsync("/api/v1/collection/facts/verify", new { ids = new[] { a, b } });
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal(2, (await done.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("verified").GetInt32());
        Assert.All((await StatusAsync([a, b])).Values, s => Assert.Equal(FactStatus.Verified, s));
        var entries = await VerifyEntriesAsync([a, b]);
        Assert.Equal([$"{a} office Submitted→Verified", $"{b} office Submitted→Verified"], entries.Order());
    }

    [Fact]
    public async Task A_wrong_batch_is_a_problem_naming_the_bad_id()
    {
        using var office = await app.As("office");
        var empty = await office.PostAsJsonAsync("/api/v1/collection/facts/verify", new { ids = Array.Empty<long>() });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.True((await empty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("ids", out _));

        // The other tests verify and return this class's reports in any order: this one only reads a report's status.
        var any = await app.WithDb(db => db.Facts.AsNoTracking().Where(f => f.PeriodId == Period && f.UnitId == "zj-shannan" && f.Source == FactSources.Report)
            .OrderBy(f => f.Id).Select(f => new { f.Id, f.Status }).FirstAsync());
        var unknown = await office.PostAsJsonAsync("/api/v1/collection/facts/verify", new { ids = new[] { 987654321L } });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("987654321", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("ids[0]")[0].GetString());

        // A unit reviews nothing.
        using var unit = await app.As("unit-zj-lasa");
        var own = await unit.PostAsJsonAsync("/api/v1/collection/facts/verify", new { ids = new[] { any.Id } });
        Assert.True(own.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden, own.StatusCode.ToString());
        Assert.Equal(any.Status, (await StatusAsync([any.Id]))[any.Id]);
    }

    [Fact]
    public async Task The_page_ticks_verifies_a_selection_and_refuses_a_stale_one_in_chinese()
    {
        var ids = await SubmittedAsync(FactKind.Measure);
        Assert.True(ids.Count >= 3, $"the demo has {ids.Count} submitted base figures in {Period}");
        using var office = await app.SignedIn("office");
        var page = await office.GetStringAsync($"/Collection/Verify?period={Period}");
        Assert.Contains("全选本页", page);
        Assert.Contains("核验所选", page);
        Assert.Contains("data-confirm=\"核验所选的 {n} 项填报数据", page);
        foreach (var id in ids) Assert.Contains($"name=\"ids\" value=\"{id}\" form=\"batch\"", page);

        HttpContent Form(string html, params long[] selected) => new FormUrlEncodedContent(
            selected.Select(i => new KeyValuePair<string, string>("ids", i.ToString()))
                .Append(new("__RequestVerificationToken", AppFixture.AntiForgeryToken(html))));

        var verified = await office.PostAsync($"/Collection/Verify?handler=Batch&period={Period}", Form(page, ids[0], ids[1]));
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        var after = await verified.Content.ReadAsStringAsync();
        Assert.Contains("已核验 2 项", after);
        Assert.All((await StatusAsync([ids[0], ids[1]])).Values, s => Assert.Equal(FactStatus.Verified, s));
        Assert.Equal(2, (await VerifyEntriesAsync([ids[0], ids[1]])).Count);

        using (var api = await app.As("office")) await ReturnAsync(api, ids[2]);
        var stale = await office.PostAsync($"/Collection/Verify?handler=Batch&period={Period}", Form(after, ids[2]));
        var html = WebUtility.HtmlDecode(await stale.Content.ReadAsStringAsync());
        var unit = await app.WithDb(db => db.Units.Where(u => u.Id == "zj-shannan").Select(u => u.Name).FirstAsync());
        Assert.Contains($"{unit} · ", html);
        Assert.Contains("本次未核验任何数据", html);
        Assert.DoesNotContain("ids[0]", html);
        Assert.Equal(FactStatus.Returned, (await StatusAsync([ids[2]]))[ids[2]]);
    }
}

public sealed class BatchVerifyTestsOnSqlite(BatchVerifyTestsOnSqlite.Fixture app) : BatchVerifyTests<BatchVerifyTestsOnSqlite.Fixture>(app)
{
    public sealed class Fixture : SqliteApp;
}

public sealed class BatchVerifyTestsOnPostgres(BatchVerifyTestsOnPostgres.Fixture app) : BatchVerifyTests<BatchVerifyTestsOnPostgres.Fixture>(app)
{
    public sealed class Fixture : PostgresApp;
}
