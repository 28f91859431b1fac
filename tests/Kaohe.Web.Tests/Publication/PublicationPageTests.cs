using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Publication;

/// <summary>The pages of publication and appeals: who may open what, and the evidence shown in explanations.</summary>
public abstract class PublicationPageTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    [Fact]
    public async Task An_explanation_shows_each_facts_source_its_photo_and_its_audit_history()
    {
        var finding = await app.WithDb(db => db.Facts.AsNoTracking().Where(f => f.PeriodId == "2023-Q1" && f.Kind == FactKind.Finding && f.Source == FactSources.Inspection)
            .OrderBy(f => f.Id).FirstAsync());
        var (factId, unit, leaf) = (finding.Id, finding.UnitId, finding.IndicatorId!);
        long attachmentId;
        using (var scope = app.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
            var store = scope.ServiceProvider.GetRequiredService<IAttachmentStore>();
            var a = await store.SaveAsync(new MemoryStream(Png), "现场照片.png", "assessor1", "fact", factId.ToString());
            db.Attachments.Add(a);
            await db.SaveChangesAsync();
            attachmentId = a.Id;
        }
        using var office = await app.SignedIn("office");
        var html = await office.GetStringAsync($"/Results/Explain?period=2023-Q1&category=urban&unit={unit}&node={leaf}");
        Assert.Contains("实地考核", html);
        Assert.Contains($"href=\"/api/v1/attachments/{attachmentId}\"", html);
        Assert.Contains($"<img class=\"thumb\" src=\"/api/v1/attachments/{attachmentId}\"", html);
        Assert.Equal(HttpStatusCode.OK, (await office.GetAsync($"/api/v1/attachments/{attachmentId}")).StatusCode);

        // Every score of the ranking links to its explanation (the page shows the unit's ranking group).
        var results = await office.GetStringAsync($"/Results?period=2023-Q1&category=urban&unit={unit}");
        Assert.Contains($"/Results/Explain?period=2023-Q1&amp;category=urban&amp;unit={unit}&amp;node=U1", results);
    }

    [Fact]
    public async Task Units_and_viewers_are_refused_what_is_not_theirs()
    {
        using var unit = await app.SignedIn("unit-zj-lasa");
        Assert.NotEqual(HttpStatusCode.OK, (await unit.GetAsync("/Publication?period=2023-Q1")).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await unit.GetAsync("/Publication/Annual?year=2023")).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await unit.GetAsync("/Publication/Narrative?period=2023-Q1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await unit.GetAsync("/Results/Explain?period=2023-Q2&category=housing&unit=zj-nyingchi")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await unit.GetAsync("/Results/Explain?period=2023-Q3&category=housing&unit=zj-lasa")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await unit.GetAsync("/Results/Explain?period=2023-Q2&category=housing&unit=zj-lasa")).StatusCode);
        var mine = await unit.GetStringAsync("/Publication/Appeals?period=2023-Q2");
        Assert.Contains("申诉复核期进行中", mine);
        var i = mine.IndexOf("林芝市", StringComparison.Ordinal);
        Assert.True(i < 0, i < 0 ? "" : mine[Math.Max(0, i - 300)..Math.Min(mine.Length, i + 100)]);

        using var viewer = await app.SignedIn("viewer");
        var page = await viewer.GetStringAsync("/Publication?period=2023-Q3");
        Assert.DoesNotContain("handler=Skip", page);
        Assert.DoesNotContain("handler=Publish", page);
        var post = await viewer.PostAsync("/Publication?period=2023-Q3&handler=Skip", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["reason"] = "viewer tries",
            ["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(page),
        }));
        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        Assert.Contains("/Account/Denied", post.Headers.Location!.ToString());
        Assert.False(await app.WithDb(db => db.Set<ReviewWindow>().AnyAsync(w => w.PeriodId == "2023-Q3")));
    }

    [Fact]
    public async Task A_unit_appeals_through_the_page_with_evidence_that_the_office_can_download()
    {
        using var unit = await app.SignedIn("unit-zj-nyingchi");
        var form = await unit.GetStringAsync("/Publication/Appeals?period=2023-Q2");
        using var content = new MultipartFormDataContent
        {
            { new StringContent("A3"), "indicatorId" },
            { new StringContent("投资增速计算口径有误，附统计部门证明（页面测试）"), "reason" },
            { new StringContent(AppFixture.AntiForgeryToken(form)), "__RequestVerificationToken" },
            { new ByteArrayContent(Png), "files", "证明.png" },
        };
        var post = await unit.PostAsync("/Publication/Appeals?period=2023-Q2&handler=Submit", content);
        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        var appeal = await app.WithDb(db => db.Set<Appeal>().AsNoTracking().SingleAsync(a => a.Reason.Contains("页面测试")));
        Assert.Equal("zj-nyingchi", appeal.UnitId);
        var file = await app.WithDb(db => db.Attachments.AsNoTracking().SingleAsync(a => a.OwnerKind == "appeal" && a.OwnerId == appeal.Id.ToString()));
        using var office = await app.As("office");
        Assert.Equal(HttpStatusCode.OK, (await office.GetAsync($"/api/v1/attachments/{file.Id}")).StatusCode);
        using var other = await app.As("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/attachments/{file.Id}")).StatusCode);
        using var self = await app.As("unit-zj-nyingchi");
        Assert.Equal(HttpStatusCode.OK, (await self.GetAsync($"/api/v1/attachments/{file.Id}")).StatusCode);
        var html = await unit.GetStringAsync("/Publication/Appeals?period=2023-Q2");
        Assert.Contains("证明.png", html);
        Assert.Equal(1, await app.WithDb(db => db.AuditEntries.CountAsync(e => e.Action == "appeal.submit" && e.EntityId == appeal.Id.ToString())));
    }

    [Fact]
    public async Task The_office_sets_the_annual_weights_which_must_add_up_to_100_and_the_annual_result_follows()
    {
        using var office = await app.As("office");
        var bad = await office.PutAsJsonAsync("/api/v1/annual/2023/affiliated/weights", new { q1 = 25, q2 = 25, q3 = 25, q4 = 25, leadership = 5 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("leadership", await bad.Content.ReadAsStringAsync());
        var negative = await office.PutAsJsonAsync("/api/v1/annual/2023/affiliated/weights", new { q1 = -5, q2 = 35, q3 = 35, q4 = 35, leadership = 0 });
        Assert.Contains("\"q1\"", await negative.Content.ReadAsStringAsync());
        using var viewer = await app.As("viewer");
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsJsonAsync("/api/v1/annual/2023/affiliated/weights", new { q1 = 100, q2 = 0, q3 = 0, q4 = 0, leadership = 0 })).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await office.PutAsJsonAsync("/api/v1/annual/2023/affiliated/weights", new { q1 = 100, q2 = 0, q3 = 0, q4 = 0, leadership = 0 })).StatusCode);
        var annual = (await office.GetFromJsonAsync<JsonElement[]>("/api/v1/periods/2023/categories/affiliated/draft"))!;
        var q1 = (await office.GetFromJsonAsync<JsonElement[]>("/api/v1/periods/2023-Q1/categories/affiliated/draft"))!;
        foreach (var row in annual)
        {
            var unit = row.GetProperty("unit").GetString();
            var quarter = q1.Single(r => r.GetProperty("unit").GetString() == unit).GetProperty("total").GetDouble();
            Assert.Equal(Math.Min(quarter, 200), row.GetProperty("total").GetDouble() - row.GetProperty("adjustment").GetDouble(), 9);
        }
        Assert.Equal(1, await app.WithDb(db => db.AuditEntries.CountAsync(e => e.Action == "annual.weights" && e.EntityId == "2023-affiliated")));
    }
}

public sealed class PublicationPageTestsOnSqlite(SqliteApp app) : PublicationPageTests<SqliteApp>(app);

public sealed class PublicationPageTestsOnPostgres(PostgresApp app) : PublicationPageTests<PostgresApp>(app);
