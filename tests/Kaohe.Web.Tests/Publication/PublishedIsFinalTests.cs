using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Publication;

/// <summary>
/// Issue 15's first reproduction, on both databases: the demo's 2023-Q1 is published, so a unit can no
/// longer change or submit its report there and a division can no longer return one; each answers the
/// stage problem (409) naming the period and its stage, nothing is stored, and the published results,
/// their explanations and the draft stay readable and unchanged.
/// </summary>
public abstract class PublishedIsFinalTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private const string Q1 = "2023-Q1";

    private static async Task AssertStageRefusal(HttpResponseMessage r)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Conflict, $"{(int)r.StatusCode} {body}");
        var p = JsonSerializer.Deserialize<JsonElement>(body);
        Assert.Equal(Problems.StageCode, p.GetProperty("code").GetString());
        Assert.Equal(Q1, p.GetProperty("period").GetString());
        Assert.Equal(nameof(PeriodStage.Published), p.GetProperty("stage").GetString());
        var detail = p.GetProperty("detail").GetString()!;
        Assert.Contains("2023年第一季度", detail);
        Assert.Contains("已公布", detail);
        Assert.Contains("申诉", detail);
    }

    /// <summary>What the published quarter holds: its facts (id, status, payload) and the audit trail's length.</summary>
    private Task<(string Facts, int Audit)> StateAsync() => app.WithDb(async db =>
    {
        var facts = await db.Facts.AsNoTracking().Where(f => f.PeriodId == Q1).OrderBy(f => f.Id).Select(f => new { f.Id, f.Status, f.Payload, f.Evidence.Count }).ToListAsync();
        return (string.Join("\n", facts.Select(f => $"{f.Id} {f.Status} {f.Payload} {f.Count}")), await db.AuditEntries.CountAsync());
    });

    [Fact]
    public async Task A_published_report_cannot_be_changed_submitted_or_returned_and_the_published_results_stay_readable()
    {
        using var office = await app.As("office");
        var snapshots = await office.GetFromJsonAsync<JsonElement>($"/api/v1/snapshots?period={Q1}");
        var urban = snapshots.EnumerateArray().Single(s => s.GetProperty("category").GetString() == "urban").GetProperty("id").GetInt64();
        var housing = snapshots.EnumerateArray().Single(s => s.GetProperty("category").GetString() == "housing").GetProperty("id").GetInt64();
        var urbanBefore = await office.GetStringAsync($"/api/v1/snapshots/{urban}");
        var draftBefore = await office.GetStringAsync($"/api/v1/periods/{Q1}/categories/urban/draft");
        var before = await StateAsync();

        // As unit-cg-lasa: a draft of U1.5, then the submission.
        using var unit = await app.As("unit-cg-lasa");
        await AssertStageRefusal(await unit.PutAsJsonAsync($"/api/v1/collection/{Q1}/report/U1.5", new { value = 0 }));
        await AssertStageRefusal(await unit.PostAsync($"/api/v1/collection/{Q1}/report/submit", null));

        // As division-scc: a report of the published quarter that is assigned to it (found by query, not by id).
        var fact = await app.WithDb(db => db.Facts.Where(f => f.PeriodId == Q1 && f.Source == FactSources.Report && f.Kind == FactKind.Value
                && db.Assignments.Any(a => a.PeriodId == Q1 && a.Kind == AssignmentKind.Division && a.Assignee == "scc" && a.UnitId == f.UnitId && a.IndicatorId == f.IndicatorId))
            .OrderBy(f => f.Id).Select(f => f.Id).FirstAsync());
        using var scc = await app.As("division-scc");
        await AssertStageRefusal(await scc.PostAsJsonAsync($"/api/v1/collection/facts/{fact}/return", new { reason = "数据与台账不符" }));
        await AssertStageRefusal(await scc.PostAsync($"/api/v1/collection/facts/{fact}/verify", null));

        // Nothing was stored, and what was published reads as before: the snapshot, no change since, the explanations, the draft.
        Assert.Equal(before, await StateAsync());
        Assert.Equal(urbanBefore, await office.GetStringAsync($"/api/v1/snapshots/{urban}"));
        foreach (var id in new[] { urban, housing })
            Assert.Empty((await office.GetFromJsonAsync<JsonElement>($"/api/v1/snapshots/{id}/changes")).EnumerateArray());
        Assert.Equal(draftBefore, await office.GetStringAsync($"/api/v1/periods/{Q1}/categories/urban/draft"));
        var explain = await office.GetAsync($"/api/v1/results/{Q1}/urban/units/cg-lasa/explain?node=U1.5");
        Assert.Equal(HttpStatusCode.OK, explain.StatusCode);
        var unitExplain = await unit.GetAsync($"/api/v1/results/{Q1}/urban/units/cg-lasa/explain");
        Assert.Equal(HttpStatusCode.OK, unitExplain.StatusCode);
        var housingExplain = await office.GetAsync($"/api/v1/results/{Q1}/housing/units/zj-lasa/explain");
        Assert.Equal(HttpStatusCode.OK, housingExplain.StatusCode);
    }

    [Fact]
    public async Task The_report_page_says_why_and_saves_nothing()
    {
        using var client = await app.SignedIn("unit-cg-lasa");
        var token = AppFixture.AntiForgeryToken(await client.GetStringAsync($"/Collection/Report?period={Q1}"));
        var before = await StateAsync();
        var save = await client.PostAsync($"/Collection/Report?handler=Save&period={Q1}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["values[U1.5]"] = "0", ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, save.StatusCode);
        Assert.Equal($"/Collection/Report?period={Q1}", save.Headers.Location!.OriginalString);
        var page = await client.GetStringAsync(save.Headers.Location!.OriginalString);
        Assert.Contains("data-stage-refused", page);
        Assert.Contains("2023年第一季度地市城管局考核已公布，数据不能再修改（只有采纳的申诉可以更正）", page);
        Assert.Equal(before, await StateAsync());
        // Shown once: the next visit has no message.
        Assert.DoesNotContain("data-stage-refused", await client.GetStringAsync($"/Collection/Report?period={Q1}"));
    }
}

public sealed class PublishedIsFinalTestsOnSqlite(SqliteApp app) : PublishedIsFinalTests<SqliteApp>(app);

public sealed class PublishedIsFinalTestsOnPostgres(PostgresApp app) : PublishedIsFinalTests<PostgresApp>(app);
