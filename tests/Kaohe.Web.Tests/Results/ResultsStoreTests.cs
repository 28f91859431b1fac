using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DocumentFormat.OpenXml.Packaging;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;
using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Rectification;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Results;

/// <summary>
/// The results store (issue 15): the draft is refreshed from the facts changed since, and equals a
/// plain reading of the database after every change; publication freezes the revision the office
/// reviewed and refuses a stale one; published results are read as stored, without scoring; the
/// ledger and the bulletin follow the published ranking.
/// </summary>
public abstract class ResultsStoreTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private ResultsStore Store => app.Factory.Services.GetRequiredService<ResultsStore>();

    private static async Task<JsonElement> Json(HttpResponseMessage r)
    {
        Assert.True(r.IsSuccessStatusCode, $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        return await r.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<(string? Revision, JsonElement Rows)> DraftAsync(HttpClient office, string period, string category)
    {
        using var r = await office.GetAsync($"/api/v1/periods/{period}/categories/{category}/draft");
        return (r.Headers.ETag?.Tag.Trim('"'), await Json(r));
    }

    /// <summary>Skips the period's review window (once per fixture: the tests of a class share the database).</summary>
    private static async Task SkipReviewAsync(HttpClient office, string period, string reason)
    {
        var r = await office.PostAsJsonAsync($"/api/v1/periods/{period}/review/skip", new { reason });
        Assert.True(r.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.Conflict, $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    private static Dictionary<string, double> Totals(JsonElement rows, string key = "unit") =>
        rows.EnumerateArray().ToDictionary(u => u.GetProperty(key).GetString()!, u => u.GetProperty("total").GetDouble());

    /// <summary>
    /// Writes a unit's new value for a leaf (the first value leaf it has when none is named) as a correction
    /// would: the counted one returned, the new one submitted, in a transaction as AuditLog writes (or without one).
    /// </summary>
    private Task<string> CorrectAsync(string period, string unit, string? leaf, Func<double, double> change, bool transaction = true) => app.WithDb(async db =>
    {
        async Task<string> Write()
        {
            var counted = await db.Facts.Where(f => f.PeriodId == period && f.UnitId == unit && (leaf == null || f.IndicatorId == leaf) && f.Kind == FactKind.Value
                && FactStatuses.Counted.Contains(f.Status)).OrderBy(f => f.IndicatorId).ThenBy(f => f.Id).FirstAsync();
            var payload = FactPayload.Parse(counted.Payload);
            counted.SetStatus(FactStatus.Returned, "测试：更正");
            db.Facts.Add(new Fact(period, unit, counted.IndicatorId, FactKind.Value, (payload with { Value = change(payload.Value!.Value) }).ToJson(), counted.Source, "office",
                DateTimeOffset.UtcNow, FactStatus.Submitted));
            await db.SaveChangesAsync();
            return counted.IndicatorId!;
        }
        if (!transaction) return await Write();
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync();
            var written = await Write();
            await tx.CommitAsync();
            return written;
        });
    });

    private async Task AssertEqualsReferenceAsync(string period, string category)
    {
        var (view, reference) = await app.WithDb(async db => (await Store.DraftAsync(db, period, category), await new ReferenceBuilder(db).BuildAsync(period, category)));
        Assert.NotNull(view?.Assessment);
        Assert.Equal(KaoheFile.Write(reference!.Assessment), KaoheFile.Write(view.Assessment));
        var whole = Engine.Score(reference.Assessment).Result!;
        Assert.Equal(whole.Units.Select(u => (u.Id, u.Total, u.Rank, u.Commended, u.Criticized, u.Grade)),
            view.Units.Select(u => (u.Id, u.Total, u.Rank, u.Commended, u.Criticized, u.Grade)));
    }

    [Fact]
    public async Task After_changes_through_every_path_the_draft_equals_a_plain_reading_and_only_facts_changes_are_applied_incrementally()
    {
        const string period = "2023-Q3", category = "urban";
        using var office = await app.As("office");
        await AssertEqualsReferenceAsync(period, category);
        var refreshes = Store.Refreshes;

        // A value corrected in a transaction (as AuditLog writes), in a one-unit and a three-unit group.
        await CorrectAsync(period, "cg-lasa", null, v => v * 0.5);
        await AssertEqualsReferenceAsync(period, category);
        Assert.Equal(refreshes + 1, Store.Refreshes);

        // An adjustment, a veto and a finding, through the office's adjustment API and the database.
        await app.WithDb(db => db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync();
            db.Facts.Add(new Fact(period, "cg-nyingchi", null, FactKind.Veto, new FactPayload(Reason: "测试：一票否决").ToJson(), FactSources.Office, "office", DateTimeOffset.UtcNow, FactStatus.Verified));
            db.Facts.Add(new Fact(period, "cg-lasa", null, FactKind.Adjustment, new FactPayload(Points: -1.5, Reason: "测试：扣分").ToJson(), FactSources.Office, "office", DateTimeOffset.UtcNow, FactStatus.Verified));
            var n = await db.SaveChangesAsync();
            await tx.CommitAsync();
            return n;
        }));
        await AssertEqualsReferenceAsync(period, category);
        Assert.Equal(refreshes + 2, Store.Refreshes);

        // A save without a transaction of its own: the period is read again (a structural change), still equal.
        await CorrectAsync(period, "cg-shannan", null, v => v * 0.99, transaction: false);
        await AssertEqualsReferenceAsync(period, category);
        Assert.Equal(refreshes + 2, Store.Refreshes);

        // A fact of another category of the same period: the urban draft is served as it was, under the new revision.
        var before = await app.WithDb(db => Store.DraftAsync(db, period, category));
        await CorrectAsync(period, "zj-lasa", null, v => v * 0.9);
        var after = await app.WithDb(db => Store.DraftAsync(db, period, category));
        Assert.NotEqual(before!.Version, after!.Version);
        Assert.Same(before.Units, after.Units);
        await AssertEqualsReferenceAsync(period, "housing");
    }

    /// <summary>Writes a unit's new figure of a measure as a correction would: the counted one returned, the new one submitted.</summary>
    private Task CorrectMeasureAsync(string period, string unit, string measure, Func<double, double> change) => app.WithDb(db =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync();
            var counted = await db.Facts.Where(f => f.PeriodId == period && f.UnitId == unit && f.IndicatorId == measure && f.Kind == FactKind.Measure
                && FactStatuses.Counted.Contains(f.Status)).OrderByDescending(f => f.Id).FirstAsync();
            counted.SetStatus(FactStatus.Returned, "测试：更正");
            db.Facts.Add(new Fact(period, unit, measure, FactKind.Measure, new FactPayload(Value: change(FactPayload.Parse(counted.Payload).Value!.Value)).ToJson(),
                FactSources.Report, "office", DateTimeOffset.UtcNow, FactStatus.Submitted));
            var n = await db.SaveChangesAsync();
            await tx.CommitAsync();
            return n;
        }));

    [Fact]
    public async Task A_version_2_category_is_scored_whole_and_one_units_figure_moves_every_units_region_share()
    {
        const string period = "2023-Q4", category = "housing";
        using var office = await app.As("office");
        await UseFormulasAsync(office, period);
        // Two ranking groups (阿里 ranked on its own for this test): a sum() still covers every unit of the category.
        Task<int> Regroup(string group) => app.WithDb(async db =>
        {
            var ngari = await db.Units.FirstAsync(u => u.Id == "zj-ngari");
            db.Entry(ngari).Property(u => u.Group).CurrentValue = group;
            return await db.SaveChangesAsync();
        });
        var housingGroup = await app.WithDb(db => db.Units.Where(u => u.Id == "zj-ngari").Select(u => u.Group).SingleAsync());
        await Regroup("测试：单独排名");
        try
        {
            await VersionTwoAsync(period, category);
        }
        finally
        {
            await Regroup(housingGroup);
        }
    }

    /// <summary>
    /// A new version of the housing scheme whose five quantitative indicators are formulas over the bureaus' base figures
    /// (the demo stores them as measures): checked on import, a formula that does not parse is named with its position.
    /// </summary>
    private static async Task UseFormulasAsync(HttpClient office, string period)
    {
        var schemes = await office.GetFromJsonAsync<JsonElement[]>($"/api/v1/schemes?period={period}&category=housing");
        var active = schemes!.Single(s => s.GetProperty("status").GetString() == "Active");
        var read = KaoheFile.ReadScheme(await office.GetStringAsync($"/api/v1/schemes/{active.GetProperty("id").GetInt32()}"));
        Assert.Equal(2, read.Version);
        var formulas = new Dictionary<string, string>
        {
            ["A1"] = "inv / plan", ["A2"] = "inv / sum(inv)", ["A3"] = "(inv - inv_ly) / inv_ly", ["A4"] = "(inv - inv_ly) / (sum(inv) - sum(inv_ly))", ["A5"] = "started / due",
        };
        Indicator Change(Indicator n) => n.IsLeaf
            ? formulas.TryGetValue(n.Id, out var f) ? n with { Formula = f, ValueDecimals = 4, Method = n.Method is RatioMethod ? new RatioMethod(Target: 1.0) : n.Method } : n
            : n with { Children = [.. n.ChildList.Select(Change)] };
        var indicators = read.Indicators!.Select(Change).ToList();
        var document = JsonDocument.Parse(KaoheFile.WriteScheme(period, indicators, read.Rules!, read.Measures)).RootElement;

        var broken = JsonDocument.Parse(KaoheFile.WriteScheme(period, indicators, read.Rules!, read.Measures).Replace("inv / plan", "inv / (plan")).RootElement;
        var refused = await office.PostAsJsonAsync("/api/v1/schemes", new { category = "housing", period, name = "公式有误", document = broken });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadAsStringAsync();
        Assert.Contains("formula", problem);
        Assert.Contains("11", problem);   // the position where "inv / (plan" ends without its ")"

        var created = await Json(await office.PostAsJsonAsync("/api/v1/schemes", new { category = "housing", period, name = "计算指标（测试）", document }));
        var activated = await office.PostAsync($"/api/v1/schemes/{created.GetProperty("id").GetInt32()}/activate", null);
        Assert.True(activated.IsSuccessStatusCode, await activated.Content.ReadAsStringAsync());
    }

    private async Task VersionTwoAsync(string period, string category)
    {
        await AssertEqualsReferenceAsync(period, category);
        var before = await app.WithDb(db => Store.DraftAsync(db, period, category));
        Assert.Equal(2, before!.Assessment!.Version);
        Assert.NotEmpty(before.Assessment.Data);
        var refreshes = Store.Refreshes;

        // One bureau's completed investment doubles: the region total moves, so every bureau's share (A2 = inv / sum(inv)) moves too,
        // in the other ranking group as well.
        await CorrectMeasureAsync(period, "zj-ngari", "inv", v => v * 2);
        await AssertEqualsReferenceAsync(period, category);
        Assert.Equal(refreshes + 1, Store.Refreshes);
        var after = await app.WithDb(db => Store.DraftAsync(db, period, category));
        Assert.All(after!.Units, u => Assert.NotEqual(before.ByUnit[u.Id].Values["A2"], u.Values["A2"]));
        Assert.True(after.ByUnit["zj-ngari"].Values["A2"] > before.ByUnit["zj-ngari"].Values["A2"]);
        Assert.Equal(before.ByUnit["zj-lasa"].Values["A1"], after.ByUnit["zj-lasa"].Values["A1"]);

        // A plan of 0 is named with the unit and blocks only this category.
        await CorrectMeasureAsync(period, "zj-lasa", "plan", _ => 0);
        var blocked = await app.WithDb(db => Store.DraftAsync(db, period, category));
        Assert.False(blocked!.Scored);
        Assert.Contains(blocked.Errors, e => e.Path.Contains("formula", StringComparison.Ordinal) && (e.Zh + e.En).Contains("zj-lasa", StringComparison.Ordinal));
        Assert.True((await app.WithDb(db => Store.DraftAsync(db, period, "urban")))!.Scored);
        await CorrectMeasureAsync(period, "zj-lasa", "plan", _ => 60000);
        await AssertEqualsReferenceAsync(period, category);
    }

    [Fact]
    public async Task Publication_freezes_the_reviewed_revision_and_a_stale_one_is_refused_with_what_changed()
    {
        const string period = "2023-Q4", category = "affiliated";
        using var office = await app.As("office");
        await SkipReviewAsync(office, period, "测试：按所审核版本公布");
        var (reviewed, rows) = await DraftAsync(office, period, category);
        Assert.NotNull(reviewed);

        var missing = await office.PostAsJsonAsync($"/api/v1/periods/{period}/categories/{category}/publish", new { });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("revision", await missing.Content.ReadAsStringAsync());

        // After the review, a unit's value changes: publishing what was reviewed is refused and names the change.
        var unit = rows.EnumerateArray().First().GetProperty("unit").GetString()!;
        var name = await app.WithDb(db => db.Units.Where(u => u.Id == unit).Select(u => u.Name).SingleAsync());
        var leaf = await CorrectAsync(period, unit, null, v => v * 0.9);
        var stale = await office.PostAsJsonAsync($"/api/v1/periods/{period}/categories/{category}/publish", new { revision = reviewed });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var problem = await stale.Content.ReadAsStringAsync();
        Assert.Contains(name, problem);
        Assert.Contains(leaf, problem);
        Assert.Equal(0, await app.WithDb(db => db.Snapshots.CountAsync(s => s.PeriodId == period && s.Category == category)));

        // Reviewed again: published, and the published numbers are the reviewed ones.
        var (current, reviewedRows) = await DraftAsync(office, period, category);
        Assert.NotEqual(reviewed, current);
        var created = await office.PostAsJsonAsync($"/api/v1/periods/{period}/categories/{category}/publish", new { revision = current });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ranking = await Json(await office.GetAsync($"/api/v1/results/{period}/{category}"));
        Assert.Equal("published", ranking.GetProperty("source").GetString());
        var published = new Dictionary<string, double>();
        foreach (var g in ranking.GetProperty("groups").EnumerateArray())
        {
            var page = await Json(await office.GetAsync($"/api/v1/results/{period}/{category}?group={Uri.EscapeDataString(g.GetProperty("name").GetString()!)}"));
            foreach (var u in page.GetProperty("units").EnumerateArray()) published[u.GetProperty("id").GetString()!] = u.GetProperty("total").GetDouble();
        }
        var expected = Totals(reviewedRows).ToDictionary(kv => kv.Key, kv => Rounding.HalfAwayFromZero(kv.Value, 2));
        Assert.Equal(expected.OrderBy(kv => kv.Key), published.OrderBy(kv => kv.Key));
    }

    [Fact]
    public async Task A_write_racing_the_publication_after_its_check_makes_it_a_409_and_nothing_is_published()
    {
        const string period = "2023-Q3", category = "affiliated";
        using var office = await app.As("office");
        await SkipReviewAsync(office, period, "测试：公布时数据变动");
        var (revision, rows) = await DraftAsync(office, period, category);
        var unit = rows.EnumerateArray().First().GetProperty("unit").GetString()!;
        var hooks = app.Factory.Services.GetRequiredService<Kaohe.Web.Features.Publication.PublicationHooks>();
        // The write lands after the publication compared the revision and before it saves.
        hooks.BeforeSave = async (p, c) => { if (p == period && c == category) await CorrectAsync(period, unit, null, v => v * 0.8); };
        try
        {
            var raced = await office.PostAsJsonAsync($"/api/v1/periods/{period}/categories/{category}/publish", new { revision });
            Assert.Equal(HttpStatusCode.Conflict, raced.StatusCode);
            Assert.Contains(await app.WithDb(db => db.Units.Where(u => u.Id == unit).Select(u => u.Name).SingleAsync()), await raced.Content.ReadAsStringAsync());
        }
        finally
        {
            hooks.BeforeSave = null;
        }
        Assert.Equal(0, await app.WithDb(db => db.Snapshots.CountAsync(s => s.PeriodId == period && s.Category == category)));
        var (current, _) = await DraftAsync(office, period, category);
        Assert.Equal(HttpStatusCode.Created, (await office.PostAsJsonAsync($"/api/v1/periods/{period}/categories/{category}/publish", new { revision = current })).StatusCode);
    }

    [Fact]
    public async Task Two_publications_of_one_category_at_once_give_one_snapshot_and_a_409()
    {
        const string period = "2023-Q3", category = "divisions";
        using var office = await app.As("office");
        await SkipReviewAsync(office, period, "测试：同时公布");
        var (revision, _) = await DraftAsync(office, period, category);
        using var second = await app.As("office");
        var both = await Task.WhenAll(
            office.PostAsJsonAsync($"/api/v1/periods/{period}/categories/{category}/publish", new { revision }),
            second.PostAsJsonAsync($"/api/v1/periods/{period}/categories/{category}/publish", new { revision }));
        Assert.True(both.Select(r => r.StatusCode).Order().SequenceEqual([HttpStatusCode.Created, HttpStatusCode.Conflict]),
            string.Join(" | ", await Task.WhenAll(both.Select(async r => $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}"))));
        var loser = both.Single(r => r.StatusCode == HttpStatusCode.Conflict);
        Assert.Equal("application/problem+json", loser.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, await app.WithDb(db => db.Snapshots.CountAsync(s => s.PeriodId == period && s.Category == category)));
    }

    [Fact]
    public async Task Published_results_are_read_as_stored_without_the_engine_on_a_fresh_instance()
    {
        using var office = await app.As("office");
        var expected = await Json(await office.GetAsync("/api/v1/results/2023-Q1/housing"));
        // A second instance on the same database: nothing cached, its own engine, whose calls are counted.
        await using var fresh = app.Factory.WithWebHostBuilder(_ => { });
        var engine = fresh.Services.GetRequiredService<ResultsEngine>();
        using var client = fresh.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = office.DefaultRequestHeaders.Authorization;

        var read = await Json(await client.GetAsync("/api/v1/results/2023-Q1/housing"));
        Assert.Equal("published", read.GetProperty("source").GetString());
        Assert.Equal(expected.GetProperty("units").GetRawText(), read.GetProperty("units").GetRawText());
        var snapshot = await app.WithDb(db => db.Snapshots.Where(s => s.PeriodId == "2023-Q1" && s.Category == "urban").Select(s => s.Id).SingleAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/results/2023-Q1/urban")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/periods/2023-Q1/scores.xlsx")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/periods/2023-Q1/bulletin.docx")).StatusCode);
        Assert.Equal(0, engine.Calls);

        // The counter counts: a draft is scored.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/results/2023-Q3/housing")).StatusCode);
        Assert.True(engine.Calls > 0);
        _ = snapshot;
    }

    [Fact]
    public async Task An_accepted_appeal_on_a_published_category_publishes_a_new_version_at_once()
    {
        const string period = "2023-Q1", category = "urban", unit = "cg-lasa";
        using var office = await app.As("office");
        var v1 = await app.WithDb(db => db.Snapshots.AsNoTracking().Where(s => s.PeriodId == period && s.Category == category).OrderByDescending(s => s.Version).FirstAsync());
        var opened = await office.PostAsJsonAsync($"/api/v1/periods/{period}/review/open", new { closesOn = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(7)) });
        Assert.True(opened.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.Conflict, $"{(int)opened.StatusCode}");
        var fact = await app.WithDb(db => db.Facts.AsNoTracking().Where(f => f.PeriodId == period && f.UnitId == unit && f.Kind == FactKind.Value
            && f.Source == FactSources.Report && FactStatuses.Counted.Contains(f.Status)).OrderBy(f => f.Id).FirstAsync());
        using var reporter = await app.As("unit-cg-lasa");
        var appeal = await Json(await reporter.PostAsJsonAsync("/api/v1/appeals", new { period, category, indicatorId = fact.IndicatorId, factId = fact.Id, reason = "测试：公布后申诉，数据录入有误" }));
        var old = FactPayload.Parse(fact.Payload).Value!.Value;
        var decided = await office.PostAsJsonAsync($"/api/v1/appeals/{appeal.GetProperty("id").GetInt64()}/decision",
            new { accept = true, decision = "经核实予以更正（测试）", value = old * 0.5 });
        Assert.Equal(HttpStatusCode.NoContent, decided.StatusCode);

        var latest = await app.WithDb(db => db.Snapshots.AsNoTracking().Where(s => s.PeriodId == period && s.Category == category).OrderByDescending(s => s.Version).FirstAsync());
        Assert.Equal(v1.Version + 1, latest.Version);
        Assert.Equal(v1.Id, latest.Supersedes);
        Assert.StartsWith($"申诉 {appeal.GetProperty("id").GetInt64()} 采纳", latest.ChangeNote);
        Assert.Contains($"{unit}/{fact.IndicatorId}", latest.ChangeNote);
        var ranking = await Json(await office.GetAsync($"/api/v1/results/{period}/{category}?unit={unit}"));
        Assert.Equal(latest.Key, ranking.GetProperty("snapshotKey").GetString());
        Assert.Empty(SnapshotFile.Verify(latest.Document).Problems);
    }

    [Fact]
    public async Task A_tampered_stored_result_is_not_shown()
    {
        // The stored result of a snapshot is checked against its recorded SHA-256 when it is read.
        using var office = await app.As("office");
        var id = await app.WithDb(db => db.Snapshots.Where(s => s.PeriodId == "2023-Q1" && s.Category == "affiliated").OrderByDescending(s => s.Version).Select(s => s.Id).FirstAsync());
        await app.WithDb(async db =>
        {
            var doc = await db.Snapshots.Where(s => s.Id == id).Select(s => s.Document).SingleAsync();
            var tampered = doc.Replace("\"rank\": 1,", "\"rank\": 2,", StringComparison.Ordinal);
            Assert.NotEqual(doc, tampered);
            return await db.Database.ExecuteSqlRawAsync("UPDATE \"Snapshots\" SET \"Document\" = {0} WHERE \"Id\" = {1}", tampered, id);
        });
        await using var fresh = app.Factory.WithWebHostBuilder(_ => { });
        using var client = fresh.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = office.DefaultRequestHeaders.Authorization;
        var ranking = await Json(await client.GetAsync("/api/v1/results/2023-Q1/affiliated"));
        Assert.Empty(ranking.GetProperty("units").EnumerateArray());
        Assert.Contains("SHA-256", ranking.GetProperty("errors").GetRawText());
    }

    [Fact]
    public async Task The_ledger_raises_criticism_only_from_a_published_ranking_and_the_bulletin_reads_the_ledger()
    {
        const string period = "2023-Q3", category = "housing";
        using var office = await app.As("office");
        var prefix = $"ranking:{period}:{category}:";
        Assert.Equal(HttpStatusCode.OK, (await office.PostAsync($"/api/v1/rectification/raise?period={period}", null)).StatusCode);
        Assert.Equal(0, await app.WithDb(db => db.Set<RectificationItem>().CountAsync(i => i.SourceRef!.StartsWith(prefix))));

        await SkipReviewAsync(office, period, "测试：台账读取公布结果");
        var (revision, rows) = await DraftAsync(office, period, category);
        Assert.Equal(HttpStatusCode.Created, (await office.PostAsJsonAsync($"/api/v1/periods/{period}/categories/{category}/publish", new { revision })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await office.PostAsync($"/api/v1/rectification/raise?period={period}", null)).StatusCode);
        var criticised = rows.EnumerateArray().Where(u => u.GetProperty("criticized").GetBoolean()).Select(u => u.GetProperty("unit").GetString()!).Order().ToList();
        Assert.NotEmpty(criticised);
        var raised = await app.WithDb(db => db.Set<RectificationItem>().Where(i => i.SourceRef!.StartsWith(prefix)).Select(i => i.UnitId).ToListAsync());
        Assert.Equal(criticised, raised.Order().ToList());

        // The bulletin's rectification section counts the ledger's items of the period and names the criticised units' items.
        var (count, closed, names) = await app.WithDb(async db => (
            await db.Set<RectificationItem>().CountAsync(i => i.PeriodId == period && i.Status != ItemStatus.Merged),
            await db.Set<RectificationItem>().CountAsync(i => i.PeriodId == period && i.Status == ItemStatus.Closed),
            await db.Units.Where(u => criticised.Contains(u.Id)).Select(u => u.Name).ToListAsync()));
        using var docx = await office.GetAsync($"/api/v1/periods/{period}/bulletin.docx");
        using var ms = new MemoryStream(await docx.Content.ReadAsByteArrayAsync());
        using var doc = WordprocessingDocument.Open(ms, false);
        var text = string.Concat(doc.MainDocumentPart!.Document.Body!.Descendants<DocumentFormat.OpenXml.Wordprocessing.Text>().Select(t => t.Text));
        Assert.Contains($"本期考核发现的问题已全部列入问题整改台账，共{count}项，已整改销号{closed}项", text);
        Assert.All(names, n => Assert.Contains($"{n}：地市住建局考核排名第", text));
    }
}

public sealed class ResultsStoreTestsOnSqlite(SqliteApp app) : ResultsStoreTests<SqliteApp>(app);

public sealed class ResultsStoreTestsOnPostgres(PostgresApp app) : ResultsStoreTests<PostgresApp>(app);
