using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Rectification;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Rectification;

/// <summary>The workflow through the API, as the unit and the office work it: evidence, a return with a reason, verification, re-inspection, refusals, audit.</summary>
public abstract class WorkflowApiTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture, IClockedApp
{
    private const string Api = "/api/v1/rectification";

    private async Task<ItemDto> NewItem(string unit = "zj-lasa")
    {
        using var office = await app.As("office");
        var r = await office.PostAsJsonAsync($"{Api}/items", new
        {
            unitId = unit, periodId = "2023-Q1", problem = "建筑工地安全防护措施落实不到位", severity = "general", responsiblePerson = "副局长 格桑", deadline = "2026-08-31",
        });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        return (await r.Content.ReadFromJsonAsync<ItemDto>())!;
    }

    private static Task<HttpResponseMessage> Act(HttpClient c, long id, object body) => c.PostAsJsonAsync($"{Api}/items/{id}/actions", body);

    private static async Task<HttpResponseMessage> Progress(HttpClient c, long id, long milestoneId, string note, byte[] file, string fileName)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent("progress"), "action" },
            { new StringContent(note), "note" },
            { new StringContent(milestoneId.ToString()), "milestoneId" },
            { new ByteArrayContent(file), "file", fileName },
        };
        return await c.PostAsync($"{Api}/items/{id}/actions", form);
    }

    [Fact]
    public async Task The_unit_works_an_item_the_office_returns_it_with_a_reason_then_verifies_it_closed()
    {
        var item = await NewItem();
        using var unit = await app.As("unit-zj-lasa");
        using var office = await app.As("office");

        // The unit plans its roadmap and starts.
        Assert.Equal(HttpStatusCode.OK, (await unit.PostAsJsonAsync($"{Api}/items/{item.Id}/milestones", new { title = "全面排查在建工地", due = "2026-07-01" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Act(unit, item.Id, new { action = "start" })).StatusCode);
        var detail = (await unit.GetFromJsonAsync<ItemDetailDto>($"{Api}/items/{item.Id}"))!;
        var milestone = detail.Item.Roadmap.Single();

        // Progress against the milestone with evidence (佐证材料).
        var progress = await Progress(unit, item.Id, milestone.Id, "已排查在建工地42个", Clocked.Png, "排查记录.png");
        Assert.Equal(HttpStatusCode.OK, progress.StatusCode);
        detail = (await progress.Content.ReadFromJsonAsync<ItemDetailDto>())!;
        Assert.NotNull(detail.Item.Roadmap.Single().DoneAt);
        var evidence = Assert.Single(detail.Evidence);
        Assert.Contains(detail.Timeline, e => e.Kind == "progress" && e.MilestoneId == milestone.Id && e.Evidence.Contains(evidence.Id));
        Assert.Equal(HttpStatusCode.OK, (await unit.GetAsync($"/api/v1/attachments/{evidence.Id}")).StatusCode);
        using (var other = await app.As("unit-zj-nyingchi"))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/attachments/{evidence.Id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await Act(other, item.Id, new { action = "submit" })).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await Act(unit, item.Id, new { action = "submit" })).StatusCode);
        // The unit cannot close its own item; a return needs a reason.
        var selfClose = await Act(unit, item.Id, new { action = "verify" });
        Assert.Equal(HttpStatusCode.Conflict, selfClose.StatusCode);
        var noReason = await Act(office, item.Id, new { action = "return" });
        Assert.Equal(HttpStatusCode.Conflict, noReason.StatusCode);
        Assert.True((await noReason.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("reason", out _));

        Assert.Equal(HttpStatusCode.OK, (await Act(office, item.Id, new { action = "return", reason = "照片未显示整改后的现场情况" })).StatusCode);
        var returned = (await unit.GetFromJsonAsync<ItemDetailDto>($"{Api}/items/{item.Id}"))!.Item;
        Assert.Equal("InProgress", returned.Status);
        Assert.Equal("照片未显示整改后的现场情况", returned.ReturnReason);

        Assert.Equal(HttpStatusCode.OK, (await Act(unit, item.Id, new { action = "submit", note = "已补充现场照片" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Act(office, item.Id, new { action = "verify" })).StatusCode);
        var closed = (await office.GetFromJsonAsync<ItemDetailDto>($"{Api}/items/{item.Id}"))!;
        Assert.Equal("Closed", closed.Item.Status);
        Assert.Equal("ClosedOnTime", closed.Item.DeadlineState);
        Assert.Equal(["raise", "milestone", "start", "progress", "submit", "return", "submit", "verify"], closed.Timeline.Select(e => e.Kind).ToArray());

        // Every step is in the audit trail.
        var actions = await app.WithDb(db => db.AuditEntries.Where(e => e.EntityType == "rectification" && e.EntityId == item.Id.ToString())
            .OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync());
        Assert.Equal(["rectification.create", "rectification.milestone", "rectification.start", "rectification.progress", "rectification.submit",
            "rectification.return", "rectification.submit", "rectification.verify"], actions);
    }

    [Fact]
    public async Task An_inspection_item_closes_only_after_an_assessors_reinspection_photo()
    {
        using var office = await app.As("office");
        var item = (await office.GetFromJsonAsync<List<ItemDto>>($"{Api}/items?period=2023-Q1&source=inspection&status=Open&unit=cg-lasa"))!.First();
        Assert.True(item.RequiresReinspection);
        using var cg = await app.As("unit-cg-lasa");
        Assert.Equal(HttpStatusCode.OK, (await Act(cg, item.Id, new { action = "submit", note = "已修复" })).StatusCode);
        var refused = await Act(office, item.Id, new { action = "verify" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("复查照片", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        // A unit may not upload the re-inspection photo; an assessor may, and only a photo: a PDF is refused and leaves no file behind.
        using (var form = Photo()) Assert.Equal(HttpStatusCode.Forbidden, (await cg.PostAsync($"{Api}/items/{item.Id}/reinspection", form)).StatusCode);
        using var assessor = await app.As("assessor1");
        var files = app.AttachmentFiles();
        using (var pdf = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.4 复查"u8.ToArray()), "file", "复查.pdf" } })
            Assert.Equal(HttpStatusCode.BadRequest, (await assessor.PostAsync($"{Api}/items/{item.Id}/reinspection", pdf)).StatusCode);
        Assert.Equal(files, app.AttachmentFiles());
        using (var form = Photo()) Assert.Equal(HttpStatusCode.OK, (await assessor.PostAsync($"{Api}/items/{item.Id}/reinspection", form)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Act(office, item.Id, new { action = "verify" })).StatusCode);

        static MultipartFormDataContent Photo() => new()
        {
            { new StringContent("复查：人行道已修复"), "note" },
            { new ByteArrayContent(Clocked.Png), "file", "复查照片.png" },
        };
    }

    [Fact]
    public async Task Wrong_steps_are_4xx_problems_naming_the_field()
    {
        var item = await NewItem();
        using var unit = await app.As("unit-zj-lasa");
        var unknown = await Act(unit, item.Id, new { action = "teleport" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.True((await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("action", out _));
        var empty = await Act(unit, item.Id, new { action = "progress" });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        var badMilestone = await Act(unit, item.Id, new { action = "progress", note = "x", milestoneId = 999999 });
        Assert.Equal(HttpStatusCode.BadRequest, badMilestone.StatusCode);
        Assert.Contains("milestoneId", await badMilestone.Content.ReadAsStringAsync());
        // A text longer than its column (found by the JSON fuzz as a 500 on PostgreSQL): 400 naming the field, nothing stored.
        var milestones = await app.WithDb(db => db.Set<Milestone>().CountAsync());
        var longTitle = await unit.PostAsJsonAsync($"{Api}/items/{item.Id}/milestones", new { title = new string('查', 200_000), due = "2026-07-01" });
        Assert.Equal(HttpStatusCode.BadRequest, longTitle.StatusCode);
        var longBody = await longTitle.Content.ReadAsStringAsync();
        Assert.True(JsonDocument.Parse(longBody).RootElement.GetProperty("errors").TryGetProperty("title", out _), longBody);
        Assert.Equal(milestones, await app.WithDb(db => db.Set<Milestone>().CountAsync()));
        // U+0000, which PostgreSQL's text cannot hold (a 500 there before): a 400 on both databases, nothing stored.
        var nul = await unit.PostAsJsonAsync($"{Api}/items/{item.Id}/milestones", new { title = "全面\u0000排查", due = "2026-07-01" });
        Assert.Equal(HttpStatusCode.BadRequest, nul.StatusCode);
        Assert.Contains("U+0000", await nul.Content.ReadAsStringAsync());
        Assert.Equal(milestones, await app.WithDb(db => db.Set<Milestone>().CountAsync()));
        var badJson = await unit.PostAsync($"{Api}/items/{item.Id}/actions", new StringContent("{\"action\": [", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        using var viewer = await app.As("viewer");
        Assert.Equal(HttpStatusCode.Forbidden, (await Act(viewer, item.Id, new { action = "start" })).StatusCode);
        using var anon = app.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anon.GetAsync($"{Api}/items")).StatusCode);
        using var division = await app.As("division-scc");
        Assert.Empty((await division.GetFromJsonAsync<List<ItemDto>>($"{Api}/items"))!);
        Assert.Equal(HttpStatusCode.Forbidden, (await unit.GetAsync($"{Api}/supervision")).StatusCode);
    }
}

public sealed class WorkflowApiTestsOnSqlite(RectSqlite app) : WorkflowApiTests<RectSqlite>(app);

public sealed class WorkflowApiTestsOnPostgres(RectPostgres app) : WorkflowApiTests<RectPostgres>(app);
