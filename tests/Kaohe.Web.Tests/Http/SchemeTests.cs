using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Scoring.FileFormat;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Http;

public sealed class SchemesOnSqlite(SqliteApp app) : SchemeTests(app), IClassFixture<SqliteApp>;
public sealed class SchemesOnPostgres(PostgresApp app) : SchemeTests(app), IClassFixture<PostgresApp>;

/// <summary>考核方案 through the API: the v1 JSON round-trip, all-or-nothing imports, versions.</summary>
public abstract class SchemeTests(KaoheApp app)
{
    [Fact]
    public async Task The_demo_schemes_are_browsable_and_valid_v1_scheme_documents()
    {
        using var c = await app.As("viewer");
        var list = await c.GetFromJsonAsync<JsonElement[]>("/api/v1/schemes");
        Assert.Equal(["affiliated", "divisions", "housing", "urban"], list!.Select(s => s.GetProperty("category").GetString()).Distinct().Order());
        foreach (var s in list!)
        {
            var json = await c.GetStringAsync($"/api/v1/schemes/{s.GetProperty("id").GetInt32()}");
            var read = V1File.ReadScheme(json);
            Assert.True(read.IsValid, string.Join("; ", read.Errors.Select(e => $"{e.Path}: {e.En}")));
        }
    }

    [Fact]
    public async Task A_scheme_round_trips_through_its_v1_json_without_loss()
    {
        using var c = await app.As("office");
        var source = (await c.GetFromJsonAsync<JsonElement[]>("/api/v1/schemes?category=urban"))!.First();
        var json = await c.GetStringAsync($"/api/v1/schemes/{source.GetProperty("id").GetInt32()}");
        var created = await c.PostAsJsonAsync("/api/v1/schemes", new
        {
            category = "urban", period = "2023-Q3", name = "城市管理考核方案（导入）", document = JsonDocument.Parse(json).RootElement,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var again = await c.GetStringAsync($"/api/v1/schemes/{id}");
        var a = V1File.ReadScheme(json);
        var b = V1File.ReadScheme(again);
        Assert.True(a.IsValid && b.IsValid);
        // Same tree and rules: written out for the same period, the two documents are identical.
        Assert.Equal(V1File.WriteScheme("p", a.Indicators!, a.Rules!), V1File.WriteScheme("p", b.Indicators!, b.Rules!));
        Assert.Equal(a.Rules!.Grades, b.Rules!.Grades);
        Assert.Equal(a.Rules with { Grades = null }, b.Rules with { Grades = null });
    }

    [Fact]
    public async Task A_bad_scheme_is_rejected_with_every_error_named_and_nothing_stored()
    {
        using var c = await app.As("office");
        var (schemes, audit) = await app.Db(async db => (await db.Schemes.CountAsync(), await db.AuditEntries.CountAsync()));
        const string bad = """
        {
          "version": 1, "period": "2023-Q2",
          "indicators": [
            { "id": "a", "name": "甲", "points": -5, "method": { "type": "direct" } },
            { "id": "a", "name": "乙", "points": 10, "method": { "type": "no-such-method" } },
            { "id": "c", "name": "丙", "points": 10, "children": [ { "id": "c1", "name": "丙一", "points": "ten", "method": { "type": "direct" } } ] }
          ]
        }
        """;
        var r = await c.PostAsJsonAsync("/api/v1/schemes", new { category = "housing", period = "2023-Q2", name = "坏方案", document = JsonDocument.Parse(bad).RootElement });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var body = await r.Content.ReadFromJsonAsync<JsonElement>();
        var paths = body.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains(paths, p => p.StartsWith("$.indicators[0]"));
        Assert.Contains(paths, p => p.StartsWith("$.indicators[1]"));
        Assert.Contains(paths, p => p.StartsWith("$.indicators[2].children[0]"));
        Assert.Equal((schemes, audit), await app.Db(async db => (await db.Schemes.CountAsync(), await db.AuditEntries.CountAsync())));
    }

    [Fact]
    public async Task An_active_scheme_is_never_edited_in_place_a_change_makes_a_new_version()
    {
        using var c = await app.As("office");
        var active = (await c.GetFromJsonAsync<JsonElement[]>("/api/v1/schemes?category=housing"))!.First(s => s.GetProperty("status").GetString() == "Active");
        var id = active.GetProperty("id").GetInt32();
        var json = await c.GetStringAsync($"/api/v1/schemes/{id}");
        var edit = await c.PutAsJsonAsync($"/api/v1/schemes/{id}/document", new { document = JsonDocument.Parse(json).RootElement, reason = "调整" });
        Assert.Equal(HttpStatusCode.BadRequest, edit.StatusCode);
        Assert.Equal(json, await c.GetStringAsync($"/api/v1/schemes/{id}"));

        var version = await c.PostAsync($"/api/v1/schemes/{id}/versions", null);
        Assert.Equal(HttpStatusCode.Created, version.StatusCode);
        var draft = await version.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Draft", draft.GetProperty("status").GetString());
        Assert.True(draft.GetProperty("version").GetInt32() > active.GetProperty("version").GetInt32());
        var draftId = draft.GetProperty("id").GetInt32();
        var edited = await c.PutAsJsonAsync($"/api/v1/schemes/{draftId}/document", new { document = JsonDocument.Parse(json).RootElement, reason = "新版本" });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var activated = await c.PostAsync($"/api/v1/schemes/{draftId}/activate", null);
        Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        var audit = await c.GetFromJsonAsync<JsonElement[]>($"/api/v1/audit?entityId={draftId}");
        Assert.NotEmpty(audit!);
    }

    [Fact]
    public async Task A_scheme_clones_into_another_period_as_a_draft()
    {
        using var c = await app.As("office");
        var source = (await c.GetFromJsonAsync<JsonElement[]>("/api/v1/schemes?category=divisions"))!.First();
        var r = await c.PostAsync($"/api/v1/schemes/{source.GetProperty("id").GetInt32()}/clone?period=2023-Q4", null);
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var clone = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("2023-Q4", clone.GetProperty("periodId").GetString());
        Assert.Equal("Draft", clone.GetProperty("status").GetString());
    }
}
