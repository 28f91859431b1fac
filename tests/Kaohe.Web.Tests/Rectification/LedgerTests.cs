using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Rectification;
using Kaohe.Web.Infrastructure;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Rectification;

/// <summary>Raising items (from deductions, inspection findings with photos, criticised rankings, by hand), recurrence, merge and split.</summary>
public abstract class LedgerTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture, IClockedApp
{
    private const string Api = "/api/v1/rectification";

    private static async Task<List<ItemDto>> Items(HttpClient c, string query = "")
    {
        var r = await c.GetAsync($"{Api}/items{query}");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return (await r.Content.ReadFromJsonAsync<List<ItemDto>>())!;
    }

    [Fact]
    public async Task The_demo_ledger_of_Q1_has_items_from_every_source_in_every_state()
    {
        using var office = await app.As("office");
        var items = await Items(office, "?period=2023-Q1");
        foreach (var source in new[] { ItemSources.Deduction, ItemSources.Inspection, ItemSources.Ranking })
            Assert.Contains(items, i => i.Source == source);
        foreach (var status in new[] { "Open", "InProgress", "SubmittedForVerification", "Closed" })
            Assert.Contains(items, i => i.Status == status);
        foreach (var due in new[] { "Overdue", "ClosedOnTime", "ClosedLate", "DueSoon", "OnTrack" })
            Assert.Contains(items, i => i.DeadlineState == due);
        Assert.Contains(items, i => i.Status == "InProgress" && i.ReturnReason is not null);
        Assert.Contains(items, i => i.Roadmap.Count >= 2 && i.Roadmap.Any(m => m.DoneAt is not null));
    }

    [Fact]
    public async Task Raising_again_raises_nothing_new_and_every_finding_has_exactly_one_item()
    {
        using var office = await app.As("office");
        var r = await office.PostAsync($"{Api}/raise?period=2023-Q1", null);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var result = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, result.GetProperty("total").GetInt32());
        var (findings, itemsFromFacts, rankings) = await app.WithDb(async db => (
            await db.Facts.CountAsync(f => f.PeriodId == "2023-Q1" && f.Kind == FactKind.Finding),
            await db.Set<RectificationItem>().Where(i => i.PeriodId == "2023-Q1" && i.SourceRef!.StartsWith("fact:")).Select(i => i.SourceRef).Distinct().CountAsync(),
            await db.Set<RectificationItem>().CountAsync(i => i.PeriodId == "2023-Q1" && i.SourceKind == ItemSources.Ranking)));
        Assert.Equal(findings, itemsFromFacts);
        Assert.True(rankings >= 8, $"{rankings}"); // at least the bottom 2 of each of the four categories (通报批评)

        using var unit = await app.As("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.Forbidden, (await unit.PostAsync($"{Api}/raise?period=2023-Q1", null)).StatusCode);
        var bad = await office.PostAsync($"{Api}/raise?period=2031-Q9", null);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("period", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_inspection_finding_raises_an_item_carrying_its_photos_linked_to_the_same_problem_last_quarter()
    {
        // An assessor's finding in Q3 (the quarter being collected; Q2 is in review and takes none) on an indicator where cg-lasa already had an item in Q1.
        var (factId, photoId, indicator) = await NewFinding("cg-lasa", FactSources.Inspection, "2023-Q3");
        using var office = await app.As("office");
        var raised = await (await office.PostAsync($"{Api}/raise?period=2023-Q3", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(raised.GetProperty("fromInspections").GetInt32() >= 1);
        Assert.True(raised.GetProperty("recurrences").GetInt32() >= 1);

        var item = (await Items(office, "?period=2023-Q3&unit=cg-lasa")).Single(i => i.FactId == factId);
        Assert.Equal(ItemSources.Inspection, item.Source);
        Assert.True(item.RequiresReinspection);
        Assert.Equal($"fact:{factId}", item.SourceRef);
        var detail = (await office.GetFromJsonAsync<ItemDetailDto>($"{Api}/items/{item.Id}"))!;
        Assert.Contains(detail.SourcePhotos, p => p.Id == photoId);

        // Recurrence: linked to the Q1 item of the same unit and indicator, and flagged in supervision.
        var pred = (await office.GetFromJsonAsync<ItemDetailDto>($"{Api}/items/{item.PredecessorId}"))!.Item;
        Assert.Equal("2023-Q1", pred.PeriodId);
        Assert.Equal("cg-lasa", pred.UnitId);
        Assert.Equal(indicator, pred.IndicatorId);
        var sup = await office.GetFromJsonAsync<JsonElement>($"{Api}/supervision?period=2023-Q3");
        Assert.Contains(sup.GetProperty("recurrences").EnumerateArray(), r => r.GetProperty("id").GetInt64() == item.Id && r.GetProperty("predecessorId").GetInt64() == pred.Id);

        // The unit sees its item and downloads the finding's photo; another unit sees neither.
        using var own = await app.As("unit-cg-lasa");
        Assert.Equal(HttpStatusCode.OK, (await own.GetAsync($"{Api}/items/{item.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await own.GetAsync($"/api/v1/attachments/{photoId}")).StatusCode);
        using var other = await app.As("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"{Api}/items/{item.Id}")).StatusCode);
        Assert.DoesNotContain(await Items(other), i => i.UnitId != "zj-lasa");
    }

    [Fact]
    public async Task A_deduction_from_a_report_raises_a_deduction_item()
    {
        var (factId, _, _) = await NewFinding("zj-", FactSources.Office, "2023-Q3");
        using var office = await app.As("office");
        var raised = await (await office.PostAsync($"{Api}/raise?period=2023-Q3", null)).Content.ReadFromJsonAsync<JsonElement>();
        // The demo's Q3 has deductions of its own; the new finding is among those raised, and a second run raises nothing.
        Assert.True(raised.GetProperty("fromDeductions").GetInt32() >= 1);
        var again = await (await office.PostAsync($"{Api}/raise?period=2023-Q3", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, again.GetProperty("fromDeductions").GetInt32());
        var item = (await Items(office, "?period=2023-Q3")).Single(i => i.FactId == factId);
        Assert.Equal(ItemSources.Deduction, item.Source);
        Assert.False(item.RequiresReinspection);
        Assert.Contains("测试发现的问题", item.Problem);
    }

    [Fact]
    public async Task The_office_raises_an_item_by_hand_and_a_unit_may_not()
    {
        using var office = await app.As("office");
        var body = new
        {
            unitId = "zj-lasa", periodId = "2023-Q1", problem = "农民工工资专户管理不规范", severity = "serious", responsiblePerson = "副局长 格桑",
            deadline = "2026-08-31", roadmap = new[] { new { title = "排查全部在建项目", due = "2026-07-15" } }
        };
        var created = await office.PostAsJsonAsync($"{Api}/items", body);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var item = (await created.Content.ReadFromJsonAsync<ItemDto>())!;
        Assert.Equal(ItemSources.Manual, item.Source);
        Assert.Single(item.Roadmap);

        using var unit = await app.As("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.Forbidden, (await unit.PostAsJsonAsync($"{Api}/items", body)).StatusCode);
        var bad = await office.PostAsJsonAsync($"{Api}/items", body with { severity = "huge" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("severity", out _));
        Assert.True(await app.WithDb(db => db.AuditEntries.AnyAsync(e => e.Action == "rectification.create" && e.EntityId == item.Id.ToString())));
    }

    [Fact]
    public async Task The_office_merges_duplicates_and_splits_a_broad_item()
    {
        using var office = await app.As("office");
        async Task<long> Make(string problem) => (await (await office.PostAsJsonAsync($"{Api}/items", new
        {
            unitId = "zj-nyingchi", periodId = "2023-Q1", problem, severity = "general", responsiblePerson = "副局长 扎西", deadline = "2026-09-30",
        })).Content.ReadFromJsonAsync<ItemDto>())!.Id;
        var a = await Make("施工现场扬尘治理不到位");
        var b = await Make("施工现场扬尘治理不到位（重复录入）");
        var merged = await office.PostAsJsonAsync($"{Api}/merge", new { targetId = a, itemIds = new[] { b } });
        Assert.Equal(HttpStatusCode.OK, merged.StatusCode);
        var bAfter = (await office.GetFromJsonAsync<ItemDetailDto>($"{Api}/items/{b}"))!.Item;
        Assert.Equal("Merged", bAfter.Status);
        Assert.Equal(a, bAfter.MergedIntoId);
        Assert.Contains($"#{b}", (await office.GetFromJsonAsync<ItemDetailDto>($"{Api}/items/{a}"))!.Item.Problem);
        // A merged item cannot be merged again; a unit may not merge.
        Assert.Equal(HttpStatusCode.Conflict, (await office.PostAsJsonAsync($"{Api}/merge", new { targetId = a, itemIds = new[] { b } })).StatusCode);
        using var unit = await app.As("unit-zj-nyingchi");
        Assert.Equal(HttpStatusCode.Forbidden, (await unit.PostAsJsonAsync($"{Api}/merge", new { targetId = a, itemIds = new[] { b } })).StatusCode);

        var broad = await Make("安全生产和工程质量管理存在多方面问题");
        var split = await office.PostAsJsonAsync($"{Api}/items/{broad}/split", new { problems = new[] { "安全生产检查流于形式", "工程质量监督抽检不足" } });
        Assert.Equal(HttpStatusCode.OK, split.StatusCode);
        var ids = (await split.Content.ReadFromJsonAsync<long[]>())!;
        Assert.Equal(2, ids.Length);
        var part = (await office.GetFromJsonAsync<ItemDetailDto>($"{Api}/items/{ids[1]}"))!.Item;
        Assert.Equal(broad, part.SplitFromId);
        Assert.Equal("Open", part.Status);
        var one = await office.PostAsJsonAsync($"{Api}/items/{ids[0]}/split", new { problems = new[] { "只有一个" } });
        Assert.Equal(HttpStatusCode.BadRequest, one.StatusCode);
        Assert.Contains("problems", await one.Content.ReadAsStringAsync());
    }

    /// <summary>A verified Finding fact on a deduction leaf of the unit's scheme, with a photo owned by the fact.</summary>
    private async Task<(long FactId, long PhotoId, string Indicator)> NewFinding(string unitPrefix, string source, string period)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var store = scope.ServiceProvider.GetRequiredService<IAttachmentStore>();
        // Any indicator the unit already had a Q1 finding on (so that recurrence can be checked).
        var candidates = db.Facts.Where(f => f.PeriodId == "2023-Q1" && f.Kind == FactKind.Finding);
        candidates = unitPrefix.EndsWith('-') ? candidates.Where(f => f.UnitId.StartsWith(unitPrefix)) : candidates.Where(f => f.UnitId == unitPrefix);
        var q1 = await candidates.OrderBy(f => f.Id).FirstAsync();
        var (unitId, indicator) = (q1.UnitId, q1.IndicatorId!);
        var fact = new Fact(period, unitId, indicator, FactKind.Finding, new FactPayload(Points: 0.5, Note: "测试发现的问题").ToJson(), source,
            source == FactSources.Inspection ? "assessor1" : "office", app.Clock.GetUtcNow(), FactStatus.Verified);
        db.Facts.Add(fact);
        await db.SaveChangesAsync();
        var photo = await store.SaveAsync(new MemoryStream(Clocked.Png), "photo.png", "assessor1", "fact", fact.Id.ToString());
        fact.Evidence.Add(photo);
        await db.SaveChangesAsync();
        return (fact.Id, photo.Id, indicator);
    }
}

public sealed class LedgerTestsOnSqlite(RectSqlite app) : LedgerTests<RectSqlite>(app);

public sealed class LedgerTestsOnPostgres(RectPostgres app) : LedgerTests<RectPostgres>(app);
