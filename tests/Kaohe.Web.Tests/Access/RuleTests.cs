using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Rectification;
using Kaohe.Web.Tests.Infrastructure;
using Kaohe.Web.Tests.Rectification;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Access;

/// <summary>
/// Rules the probe found too loose (issue 17, item 7): an assessor of another group could read every
/// inspection item and upload its re-inspection photo, and the office could assign a division to score itself.
/// </summary>
public abstract class RuleTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    /// <summary>The assessors whose groups inspected the unit in the period: a site of theirs scores it (or, for a 地市综合 unit, lies in its prefecture).</summary>
    private Task<List<string>> InspectorsOf(string unit, string period) => app.WithDb(async db =>
    {
        var u = await db.Units.AsNoTracking().FirstAsync(x => x.Id == unit);
        var sites = await db.Set<InspectionSite>().AsNoTracking().Where(s => s.PeriodId == period).ToListAsync();
        var groups = sites.Where(s => s.UnitId == unit || (u.Level == UnitLevel.Prefecture && s.PrefectureId == u.Prefecture)).Select(s => s.GroupId).ToHashSet();
        return await db.Set<InspectionGroupMember>().Where(m => groups.Contains(m.GroupId) && m.Inspector!.UserName != null)
            .Select(m => m.Inspector!.UserName!).Distinct().ToListAsync();
    });

    [Fact]
    public async Task An_assessor_reads_and_reinspects_only_the_inspection_items_of_their_own_groups()
    {
        using var office = await app.As("office");
        var item = (await office.GetFromJsonAsync<List<ItemDto>>("/api/v1/rectification/items?period=2023-Q1&source=inspection&unit=cg-lasa"))!.First();
        var inside = await InspectorsOf(item.UnitId, item.PeriodId);
        var member = Assert.Single(inside, n => n.StartsWith("assessor", StringComparison.Ordinal));
        var outsider = new[] { "assessor1", "assessor2", "assessor3" }.First(a => !inside.Contains(a));

        using var own = await app.As(member);
        using var other = await app.As(outsider);
        Assert.Contains((await own.GetFromJsonAsync<List<ItemDto>>("/api/v1/rectification/items?source=inspection"))!, i => i.Id == item.Id);
        var seen = (await other.GetFromJsonAsync<List<ItemDto>>("/api/v1/rectification/items?source=inspection"))!;
        Assert.DoesNotContain(seen, i => i.Id == item.Id);
        // What the other group's assessor does see is their own groups' units, each one.
        foreach (var i in seen) Assert.Contains(outsider, await InspectorsOf(i.UnitId, i.PeriodId));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/rectification/items/{item.Id}")).StatusCode);

        // The probe's case: another group's re-inspection photo. Refused, and nothing is stored.
        var events = await app.WithDb(db => db.Set<RectificationEvent>().CountAsync(e => e.ItemId == item.Id));
        var files = app.AttachmentFiles();
        using var photo = new MultipartFormDataContent { { new StringContent("复查"), "note" }, { new ByteArrayContent(Clocked.Png), "file", "复查照片.png" } };
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/api/v1/rectification/items/{item.Id}/reinspection", photo)).StatusCode);
        Assert.Equal(events, await app.WithDb(db => db.Set<RectificationEvent>().CountAsync(e => e.ItemId == item.Id)));
        Assert.Equal(files, app.AttachmentFiles());
    }

    [Fact]
    public async Task A_division_is_never_assigned_to_score_itself()
    {
        using var office = await app.As("office");
        var self = await office.PostAsJsonAsync("/api/v1/collection/2023-Q1/assignments", new { kind = "division", assignee = "scc", unit = "scc", indicator = "P2.1" });
        Assert.Equal(HttpStatusCode.BadRequest, self.StatusCode);
        var problem = await self.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("assignee", out _), problem.ToString());
        Assert.False(await app.WithDb(db => db.Assignments.AnyAsync(a => a.Assignee == "scc" && a.UnitId == "scc")));
        // Another division may score it.
        var other = await office.PostAsJsonAsync("/api/v1/collection/2023-Q1/assignments", new { kind = "division", assignee = "bgs", unit = "scc", indicator = "P2.1" });
        Assert.True(other.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, $"{(int)other.StatusCode}: {await other.Content.ReadAsStringAsync()}");
    }
}

public sealed class RuleTestsOnSqlite(SqliteApp app) : RuleTests<SqliteApp>(app);

public sealed class RuleTestsOnPostgres(PostgresApp app) : RuleTests<PostgresApp>(app);
