using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Inspections;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Inspections;

/// <summary>
/// Groups, sampling and the phone's sync over HTTP, on both databases: the office's side against the demo's inspected
/// (and published) 2023-Q1 groups, the phone's against the groups of the quarter being collected.
/// </summary>
public abstract class InspectionApiTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private const string Period = InspectionsDemo.Period;
    private const string Collecting = InspectionsDemo.CollectingPeriod;

    private sealed record Mine(List<GroupDto> Groups, Dictionary<string, List<ChecklistItem>> Checklists);

    private async Task<(HttpClient Client, GroupDto Group, List<ChecklistItem> Checklist)> Assessor(string user = "assessor1")
    {
        var client = await app.As(user);
        var mine = (await client.GetFromJsonAsync<Mine>("/api/v1/inspections/mine"))!;
        // The period being collected comes first (other tests may form groups of later periods); the published 2023-Q1 is not listed.
        var group = mine.Groups[0];
        Assert.Equal(Collecting, group.PeriodId);
        Assert.DoesNotContain(mine.Groups, g => g.PeriodId == Period);
        return (client, group, mine.Checklists[group.PeriodId]);
    }

    private static object Finding(string clientId, SiteDto site, ChecklistItem item, double? points = null, string note = "人行道破损") =>
        new { clientId, siteId = site.SiteId, indicatorId = item.IndicatorId, points = points ?? item.Deduction, note, latitude = 29.65, longitude = 91.13, accuracy = 15.0, observedAt = "2023-03-21T04:00:00Z" };

    private static ByteArrayContent Jpeg(string tag)
    {
        var content = new ByteArrayContent(TinyJpeg.Create(32, 24, tag));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        return content;
    }

    [Fact]
    public async Task The_demo_has_three_groups_that_respect_the_avoidance_rule_and_cover_the_seat_cities_and_14_sampled_counties()
    {
        using var office = await app.As("office");
        var groups = (await office.GetFromJsonAsync<List<GroupDto>>($"/api/v1/inspections/groups?period={Period}"))!;
        Assert.Equal(3, groups.Count);
        Assert.Equal(7, groups.Sum(g => g.Sites.Count(s => s.Kind == "seat")));
        Assert.Equal(14, groups.Sum(g => g.Sites.Count(s => s.Kind == "county")));
        Assert.Equal(14, groups.Sum(g => g.Members.Count));
        foreach (var g in groups)
            Assert.DoesNotContain(g.Members, m => g.Sites.Any(s => s.PrefectureId == m.PrefectureId));
        Assert.All(groups.SelectMany(g => g.Sites), s => Assert.Equal(s.Kind == "seat" ? $"cg-{s.PrefectureId}-seat" : $"cg-{s.PrefectureId}-county", s.UnitId));
    }

    [Fact]
    public async Task The_recorded_draw_is_drawn_again_identically_and_drawing_again_keeps_the_earlier_draw()
    {
        using var office = await app.As("office");
        var draws = (await office.GetFromJsonAsync<List<DrawDto>>($"/api/v1/inspections/draws?period=2023-Q2"))!;
        Assert.Empty(draws);
        var first = await office.PostAsJsonAsync("/api/v1/inspections/draws", new { period = "2023-Q2", seed = "seed-q2" });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var d1 = (await first.Content.ReadFromJsonAsync<DrawDto>())!;
        Assert.Equal(14, d1.Drawn.Count);
        Assert.All(d1.Drawn.GroupBy(c => c.Stratum), g => Assert.Equal(2, g.Count()));
        Assert.Equal(Sampling.Algorithm, d1.Algorithm);

        var verify = await office.GetFromJsonAsync<JsonElement>($"/api/v1/inspections/draws/{d1.Id}/verify");
        Assert.True(verify.GetProperty("matches").GetBoolean());

        // Without a reason, drawing again is refused and names the field.
        var noReason = await office.PostAsJsonAsync("/api/v1/inspections/draws", new { period = "2023-Q2" });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.True((await noReason.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("reason", out _));

        var again = await office.PostAsJsonAsync("/api/v1/inspections/draws", new { period = "2023-Q2", seed = "seed-q2", reason = "核对：同一种子再抽一次" });
        var d2 = (await again.Content.ReadFromJsonAsync<DrawDto>())!;
        Assert.Equal(d1.Drawn.Select(c => c.Id), d2.Drawn.Select(c => c.Id));
        draws = (await office.GetFromJsonAsync<List<DrawDto>>($"/api/v1/inspections/draws?period=2023-Q2"))!;
        Assert.Equal(2, draws.Count);
        Assert.Equal(d2.Id, draws.Single(d => d.Id == d1.Id).SupersededById);
        Assert.Null(draws.Single(d => d.Id == d2.Id).SupersededById);

        // A tampered record no longer re-draws the same sample.
        await app.WithDb(db => db.Database.ExecuteSqlAsync($"UPDATE \"SamplingDraws\" SET \"Seed\" = 'other' WHERE \"Id\" = {d1.Id}"));
        verify = await office.GetFromJsonAsync<JsonElement>($"/api/v1/inspections/draws/{d1.Id}/verify");
        Assert.False(verify.GetProperty("matches").GetBoolean());
    }

    [Fact]
    public async Task A_manual_move_that_breaks_the_avoidance_rule_is_refused_and_names_the_conflict()
    {
        using var office = await app.As("office");
        var groups = (await office.GetFromJsonAsync<List<GroupDto>>($"/api/v1/inspections/groups?period={Period}"))!;
        var target = groups[0];
        var intruder = groups.Skip(1).SelectMany(g => g.Members).First(m => target.Sites.Any(s => s.PrefectureId == m.PrefectureId));
        var response = await office.PostAsJsonAsync("/api/v1/inspections/groups/move", new { period = Period, inspectorId = intruder.InspectorId, toGroupId = target.Id });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(intruder.Name, problem.GetProperty("detail").GetString());
        Assert.Contains("回避", problem.GetProperty("detail").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("inspectorId", out _));
        // Nothing changed.
        var after = (await office.GetFromJsonAsync<List<GroupDto>>($"/api/v1/inspections/groups?period={Period}"))!;
        Assert.DoesNotContain(after[0].Members, m => m.InspectorId == intruder.InspectorId);

        // A move that keeps the rule is made.
        var fine = groups.Skip(1).SelectMany(g => g.Members).First(m => target.Sites.All(s => s.PrefectureId != m.PrefectureId) && m.UserName is null);
        var ok = await office.PostAsJsonAsync("/api/v1/inspections/groups/move", new { period = Period, inspectorId = fine.InspectorId, toGroupId = target.Id, reason = "工作量平衡" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        after = (await ok.Content.ReadFromJsonAsync<List<GroupDto>>())!;
        Assert.Contains(after[0].Members, m => m.InspectorId == fine.InspectorId);
    }

    [Fact]
    public async Task A_finding_sent_twice_is_stored_once_and_becomes_one_submitted_deduction_fact()
    {
        var (client, group, checklist) = await Assessor();
        var site = group.Sites[0];
        var item = checklist[0];
        var id = Guid.NewGuid().ToString();
        var first = await client.PostAsJsonAsync($"/api/v1/inspections/groups/{group.Id}/findings", Finding(id, site, item));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var second = await client.PostAsJsonAsync($"/api/v1/inspections/groups/{group.Id}/findings", Finding(id, site, item));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var a = (await first.Content.ReadFromJsonAsync<FindingDto>())!;
        var b = (await second.Content.ReadFromJsonAsync<FindingDto>())!;
        Assert.Equal(a.Id, b.Id);
        Assert.Equal(a.FactId, b.FactId);

        var (findings, fact) = await app.WithDb(async db => (
            await db.Set<InspectionFinding>().CountAsync(f => f.ClientId == id),
            await db.Facts.AsNoTracking().SingleAsync(f => f.Id == a.FactId)));
        Assert.Equal(1, findings);
        Assert.Equal(FactKind.Finding, fact.Kind);
        Assert.Equal(FactStatus.Submitted, fact.Status);
        Assert.Equal(FactSources.Inspection, fact.Source);
        Assert.Equal(site.UnitId, fact.UnitId);
        Assert.Equal(item.IndicatorId, fact.IndicatorId);
        Assert.Equal(item.Deduction, Kaohe.Data.FactPayload.Parse(fact.Payload).Points);
    }

    [Fact]
    public async Task The_same_finding_sent_concurrently_is_stored_once()
    {
        var (client, group, checklist) = await Assessor();
        var id = Guid.NewGuid().ToString();
        var body = Finding(id, group.Sites[1], checklist[1]);
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.PostAsJsonAsync($"/api/v1/inspections/groups/{group.Id}/findings", body)));
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, r.StatusCode.ToString()));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(1, await app.WithDb(db => db.Set<InspectionFinding>().CountAsync(f => f.ClientId == id)));
        Assert.Equal(1, await app.WithDb(db => db.Facts.CountAsync(f => f.IdempotencyKey == $"inspection:assessor1:{id}")));
    }

    [Fact]
    public async Task An_upload_cut_off_midway_resumes_and_stores_each_photo_once_linked_to_the_fact()
    {
        var (client, group, checklist) = await Assessor();
        var id = Guid.NewGuid().ToString();
        var created = await client.PostAsJsonAsync($"/api/v1/inspections/groups/{group.Id}/findings", Finding(id, group.Sites[0], checklist[2]));
        var finding = (await created.Content.ReadFromJsonAsync<FindingDto>())!;
        string Url(string photo) => $"/api/v1/inspections/groups/{group.Id}/findings/{id}/photos/{photo}?fileName=site.jpg";
        // First attempt: the first photo arrives, then the connection drops before the second.
        Assert.Equal(HttpStatusCode.Created, (await client.PutAsync(Url("photo-0001"), Jpeg("one"))).StatusCode);
        // Resume: the phone sends everything not confirmed, including the first photo again.
        var again = await client.PutAsync(Url("photo-0001"), Jpeg("one"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PutAsync(Url("photo-0002"), Jpeg("two"))).StatusCode);
        // And the finding itself again, as after a lost response.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/api/v1/inspections/groups/{group.Id}/findings", Finding(id, group.Sites[0], checklist[2]))).StatusCode);

        var photos = await app.WithDb(db => db.Set<InspectionPhoto>().AsNoTracking().Include(p => p.Attachment).Where(p => p.FindingId == finding.Id).ToListAsync());
        Assert.Equal(["photo-0001", "photo-0002"], photos.Select(p => p.ClientId).Order());
        Assert.All(photos, p => Assert.Equal(finding.FactId, p.Attachment!.FactId));
        Assert.All(photos, p => Assert.Equal("finding", p.Attachment!.OwnerKind));

        // The group's assessor and the office may download a photo; another group's assessor and a unit may not.
        var url = $"/api/v1/attachments/{photos[0].AttachmentId}";
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(url)).StatusCode);
        using var office = await app.As("office");
        Assert.Equal(HttpStatusCode.OK, (await office.GetAsync(url)).StatusCode);
        using var other = await app.As("assessor2");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(url)).StatusCode);
        using var unit = await app.As("unit-cg-lasa");
        Assert.Equal(HttpStatusCode.NotFound, (await unit.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task A_photo_that_is_not_an_image_is_refused()
    {
        var (client, group, checklist) = await Assessor();
        var id = Guid.NewGuid().ToString();
        await client.PostAsJsonAsync($"/api/v1/inspections/groups/{group.Id}/findings", Finding(id, group.Sites[0], checklist[0]));
        var files = app.AttachmentFiles();
        var html = new ByteArrayContent("<html><script>alert(1)</script>"u8.ToArray());
        var response = await client.PutAsync($"/api/v1/inspections/groups/{group.Id}/findings/{id}/photos/photo-bad-1?fileName=x.jpg", html);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var pdf = new ByteArrayContent("%PDF-1.4 test"u8.ToArray());
        response = await client.PutAsync($"/api/v1/inspections/groups/{group.Id}/findings/{id}/photos/photo-bad-2?fileName=x.pdf", pdf);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        // Nothing of either refusal stays in the store (the PDF did, without a row: issue 17).
        Assert.Equal(files, app.AttachmentFiles());
    }

    [Theory]
    [InlineData("indicatorId", "U2.5")]      // the survey leaf is not an on-site deduction item
    [InlineData("indicatorId", "nope")]
    [InlineData("points", "9")]
    [InlineData("points", "-1")]
    [InlineData("siteId", "other-group")]
    [InlineData("clientId", "x")]
    [InlineData("latitude", "95")]
    public async Task A_bad_finding_is_a_problem_naming_the_field(string field, string value)
    {
        var (client, group, checklist) = await Assessor();
        var (_, otherGroup, _) = await Assessor("assessor2");
        var item = checklist[0];
        var body = new Dictionary<string, object?>
        {
            ["clientId"] = Guid.NewGuid().ToString(), ["siteId"] = group.Sites[0].SiteId, ["indicatorId"] = item.IndicatorId,
            ["points"] = item.Deduction, ["latitude"] = 29.6, ["longitude"] = 91.1,
        };
        body[field] = field switch
        {
            "points" or "latitude" => double.Parse(value, System.Globalization.CultureInfo.InvariantCulture),
            "siteId" => otherGroup.Sites[0].SiteId,
            _ => value,
        };
        var response = await client.PostAsJsonAsync($"/api/v1/inspections/groups/{group.Id}/findings", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Another_groups_assessor_and_other_roles_cannot_work_the_group()
    {
        var (_, group, checklist) = await Assessor();
        var body = Finding(Guid.NewGuid().ToString(), group.Sites[0], checklist[0]);
        using var other = await app.As("assessor2");
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsJsonAsync($"/api/v1/inspections/groups/{group.Id}/findings", body)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/inspections/groups/{group.Id}/findings")).StatusCode);
        using var office = await app.As("office");
        Assert.Equal(HttpStatusCode.Forbidden, (await office.PostAsJsonAsync($"/api/v1/inspections/groups/{group.Id}/findings", body)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await office.GetAsync($"/api/v1/inspections/groups/{group.Id}/findings")).StatusCode);
        using var unit = await app.As("unit-cg-lasa");
        Assert.Equal(HttpStatusCode.Forbidden, (await unit.GetAsync("/api/v1/inspections/mine")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await unit.PostAsJsonAsync("/api/v1/inspections/draws", new { period = Period })).StatusCode);
        using var assessor = await app.As("assessor1");
        Assert.Equal(HttpStatusCode.Forbidden, (await assessor.PostAsJsonAsync("/api/v1/inspections/groups/form", new { period = Period })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync("/api/v1/inspections/mine")).StatusCode);
    }

    [Fact]
    public async Task A_finding_lowers_the_score_of_the_sites_unit()
    {
        var (client, group, checklist) = await Assessor("assessor3");
        var site = group.Sites[0];
        var before = (await client.GetFromJsonAsync<SiteDetail>($"/api/v1/inspections/groups/{group.Id}/sites/{Uri.EscapeDataString(site.SiteId)}"))!;
        var item = checklist.First(i => before.Score!.Leaves[i.IndicatorId] >= i.Deduction);
        await client.PostAsJsonAsync($"/api/v1/inspections/groups/{group.Id}/findings", Finding(Guid.NewGuid().ToString(), site, item));
        var after = (await client.GetFromJsonAsync<SiteDetail>($"/api/v1/inspections/groups/{group.Id}/sites/{Uri.EscapeDataString(site.SiteId)}"))!;
        Assert.Equal(before.Findings.Count + 1, after.Findings.Count);
        Assert.Equal(before.Score!.Leaves[item.IndicatorId] - item.Deduction, after.Score!.Leaves[item.IndicatorId], 6);
    }

    [Fact]
    public async Task The_field_page_is_for_assessors_and_the_groups_page_for_the_office()
    {
        using var assessor = await app.SignedIn("assessor1");
        var field = await assessor.GetAsync("/Inspections/Field");
        Assert.Equal(HttpStatusCode.OK, field.StatusCode);
        var html = await field.Content.ReadAsStringAsync();
        Assert.Contains("实地考核", html);
        Assert.Contains("/js/inspections-field.js", html);
        Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)[^>]*>", html);
        Assert.Equal(HttpStatusCode.Redirect, (await assessor.GetAsync("/Inspections")).StatusCode);

        using var office = await app.SignedIn("office");
        // The page opens on the newest quarter being collected (2023-Q4 here, PeriodPickerTests); the demo drew and formed
        // the groups of 2023-Q3, and the inspected 2023-Q1 is one choice away.
        var groups = await office.GetAsync($"/Inspections?period={Collecting}");
        Assert.Equal(HttpStatusCode.OK, groups.StatusCode);
        var page = await groups.Content.ReadAsStringAsync();
        Assert.Contains(InspectionsDemo.CollectingSeed, page);
        Assert.Contains("第三考核组", page);
        page = await office.GetStringAsync($"/Inspections?period={Period}");
        Assert.Contains(InspectionsDemo.Seed, page);
        Assert.Contains("第三考核组", page);
        Assert.Equal(HttpStatusCode.Redirect, (await office.GetAsync("/Inspections/Field")).StatusCode);
        using var unit = await app.SignedIn("unit-cg-lasa");
        Assert.Equal(HttpStatusCode.Redirect, (await unit.GetAsync("/Inspections")).StatusCode);

        // The service worker may serve the field page although it lives under /js/.
        var sw = await app.Anonymous().GetAsync("/js/inspection-sw.js");
        Assert.Equal("/Inspections/Field", sw.Headers.GetValues("Service-Worker-Allowed").Single());
    }

    [Fact]
    public async Task Only_an_assessor_account_can_be_linked_to_an_official()
    {
        using var office = await app.As("office");
        var roster = (await office.GetFromJsonAsync<List<MemberDto>>("/api/v1/inspections/inspectors"))!;
        Assert.Equal(14, roster.Count);
        Assert.Equal(3, roster.Count(r => r.UserName is not null));
        var free = roster.First(r => r.UserName is null);
        var bad = await office.PutAsJsonAsync($"/api/v1/inspections/inspectors/{free.InspectorId}/account", new { userName = "unit-cg-lasa" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("userName", out _));
        var missing = await office.PutAsJsonAsync("/api/v1/inspections/inspectors/nobody/account", new { userName = "assessor1" });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var taken = await office.PutAsJsonAsync($"/api/v1/inspections/inspectors/{free.InspectorId}/account", new { userName = "assessor1" });
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);

        // A new official joins the roster; a bad prefecture is named.
        var noPrefecture = await office.PostAsJsonAsync("/api/v1/inspections/inspectors", new { name = "米玛", prefectureId = "atlantis" });
        Assert.Equal(HttpStatusCode.BadRequest, noPrefecture.StatusCode);
        Assert.True((await noPrefecture.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("prefectureId", out _));
        var added = await office.PostAsJsonAsync("/api/v1/inspections/inspectors", new { name = "米玛", prefectureId = "ngari" });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var member = (await added.Content.ReadFromJsonAsync<MemberDto>())!;
        Assert.Equal("ngari-3", member.InspectorId);
        Assert.Equal("阿里地区城市管理局", member.Bureau);
        using var assessor = await app.As("assessor1");
        Assert.Equal(HttpStatusCode.Forbidden, (await assessor.PostAsJsonAsync("/api/v1/inspections/inspectors", new { name = "x", prefectureId = "ngari" })).StatusCode);
    }

    [Fact]
    public async Task Groups_are_formed_from_the_current_draw_and_formed_again_after_drawing_again()
    {
        using var office = await app.As("office");
        const string period = "2023-Q4";
        Assert.Equal(HttpStatusCode.Conflict, (await office.PostAsJsonAsync("/api/v1/inspections/groups/form", new { period })).StatusCode);
        await office.PostAsJsonAsync("/api/v1/inspections/draws", new { period, seed = "q3-a" });
        var first = await office.PostAsJsonAsync("/api/v1/inspections/groups/form", new { period });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var groupsA = (await first.Content.ReadFromJsonAsync<List<GroupDto>>())!;
        var drawB = (await (await office.PostAsJsonAsync("/api/v1/inspections/draws", new { period, seed = "q3-b", reason = "县（区）名单更新" })).Content.ReadFromJsonAsync<DrawDto>())!;
        var second = await office.PostAsJsonAsync("/api/v1/inspections/groups/form", new { period });
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        var groupsB = (await second.Content.ReadFromJsonAsync<List<GroupDto>>())!;
        Assert.Equal(3, groupsB.Count);
        Assert.All(groupsB, g => Assert.Equal(drawB.Id, g.SampleDrawId));
        Assert.Equal(drawB.Drawn.Select(c => c.Id).Order(StringComparer.Ordinal),
            groupsB.SelectMany(g => g.Sites).Where(s => s.Kind == "county").Select(s => s.SiteId).Order(StringComparer.Ordinal));
        var roster = (await office.GetFromJsonAsync<List<MemberDto>>("/api/v1/inspections/inspectors"))!;
        Assert.Equal(roster.Select(r => r.InspectorId).Order(), groupsB.SelectMany(g => g.Members).Select(m => m.InspectorId).Order());
        Assert.DoesNotContain(groupsA.Select(g => g.Id), id => groupsB.Any(g => g.Id == id));
    }

    [Fact]
    public async Task The_sample_is_not_drawn_again_once_findings_exist()
    {
        using var office = await app.As("office");
        var response = await office.PostAsJsonAsync("/api/v1/inspections/draws", new { period = Period, reason = "试试" });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var draws = (await office.GetFromJsonAsync<List<DrawDto>>($"/api/v1/inspections/draws?period={Period}"))!;
        Assert.Equal(InspectionsDemo.Seed, Assert.Single(draws).Seed);
    }

    [Fact]
    public async Task A_published_period_takes_no_new_findings_or_photos()
    {
        using var office = await app.As("office");
        var q1 = (await office.GetFromJsonAsync<List<GroupDto>>($"/api/v1/inspections/groups?period={Period}"))!;
        var group = q1.Single(g => g.Members.Any(m => m.UserName == "assessor1"));
        var (client, _, checklist) = await Assessor();
        var id = Guid.NewGuid().ToString();
        var before = await app.WithDb(db => db.Facts.CountAsync(f => f.PeriodId == Period));
        var response = await client.PostAsJsonAsync($"/api/v1/inspections/groups/{group.Id}/findings", Finding(id, group.Sites[0], checklist[0]));
        await AssertPublished(response);
        Assert.Equal(before, await app.WithDb(db => db.Facts.CountAsync(f => f.PeriodId == Period)));

        // Nor a further photo of one of the demo's findings there.
        var demo = await app.WithDb(db => db.Set<InspectionFinding>().AsNoTracking().FirstAsync(f => f.GroupId == group.Id && f.Author == "assessor1"));
        var photo = await client.PutAsync($"/api/v1/inspections/groups/{group.Id}/findings/{demo.ClientId}/photos/photo-late-1?fileName=late.jpg", Jpeg("late"));
        await AssertPublished(photo);
    }

    /// <summary>The stage guard's problem (docs/stages.md): 409 naming the published period.</summary>
    private static async Task AssertPublished(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("period-stage", problem.GetProperty("code").GetString());
        Assert.Equal((Period, "Published"), (problem.GetProperty("period").GetString(), problem.GetProperty("stage").GetString()));
        Assert.Contains("已公布", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Groups_with_findings_are_not_formed_again()
    {
        using var office = await app.As("office");
        var response = await office.PostAsJsonAsync("/api/v1/inspections/groups/form", new { period = Period });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }
}

public sealed class InspectionApiTestsOnSqlite(InspectionApiTestsOnSqlite.Fixture app) : InspectionApiTests<InspectionApiTestsOnSqlite.Fixture>(app)
{
    public sealed class Fixture : SqliteApp;
}

public sealed class InspectionApiTestsOnPostgres(InspectionApiTestsOnPostgres.Fixture app) : InspectionApiTests<InspectionApiTestsOnPostgres.Fixture>(app)
{
    public sealed class Fixture : PostgresApp;
}
