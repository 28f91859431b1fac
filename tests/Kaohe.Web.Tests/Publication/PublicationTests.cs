using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocumentFormat.OpenXml.Packaging;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Publication;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MiniExcelLibs;

namespace Kaohe.Web.Tests.Publication;

/// <summary>
/// Appeals, publication, snapshots, the bulletin and the annual roll-up over HTTP, on the demo.
/// Tests that change data each use their own category or period so that they do not depend on order.
/// </summary>
public abstract class PublicationTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private static async Task<JsonElement> Json(HttpResponseMessage r) => await r.Content.ReadFromJsonAsync<JsonElement>();

    private async Task<JsonElement> Snapshot(HttpClient client, string period, string category) =>
        (await client.GetFromJsonAsync<JsonElement[]>($"/api/v1/snapshots?period={period}&category={category}"))!.OrderBy(s => s.GetProperty("version").GetInt32()).Last();

    private static int Verify(string json, out string stdout, out string stderr)
    {
        var path = Path.Combine(Path.GetTempPath(), $"kaohe-snapshot-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        var o = new StringWriter();
        var e = new StringWriter();
        try { return Kaohe.Cli.Program.Run(["verify", path], new StringReader(""), o, e); }
        finally
        {
            stdout = o.ToString();
            stderr = e.ToString();
            File.Delete(path);
        }
    }

    /// <summary>Publishes as the office does: against the revision of the draft it just reviewed (the draft's ETag).</summary>
    internal static async Task<HttpResponseMessage> PublishAsync(HttpClient office, string period, string category, string? changeNote = null)
    {
        using var draft = await office.GetAsync($"/api/v1/periods/{period}/categories/{category}/draft");
        var revision = draft.Headers.ETag?.Tag.Trim('"');
        return await office.PostAsJsonAsync($"/api/v1/periods/{period}/categories/{category}/publish", new { revision, changeNote });
    }

    /// <summary>
    /// Changes a stored, verified fact's value directly, as an accepted appeal's correction does: in a
    /// published period that is the only change the stage guard lets through (docs/stages.md).
    /// </summary>
    private Task<long> ChangeValue(string period, string unit, string indicator, double delta) => app.WithDb(async db =>
    {
        using var correction = PeriodStages.CorrectionByAppeal(db, 0, period, unit);
        var f = await db.Facts.Where(x => x.PeriodId == period && x.UnitId == unit && x.IndicatorId == indicator && x.Kind == FactKind.Value).OrderBy(x => x.Id).FirstAsync();
        var p = FactPayload.Parse(f.Payload);
        var status = f.Status;
        f.SetStatus(FactStatus.Draft);
        f.Update((p with { Value = p.Value!.Value + delta }).ToJson(), "test", DateTimeOffset.UnixEpoch);
        f.SetStatus(status);
        await db.SaveChangesAsync();
        return f.Id;
    });

    [Fact]
    public async Task The_bulletins_weaknesses_count_each_indicators_findings_units_and_notes_and_the_deductions()
    {
        // The source reads the findings and adjustments in one streamed pass; the reference below is the
        // plain reading of the same rule over whole facts.
        var nonEmpty = 0;
        foreach (var period in new[] { "2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4" })
        {
            var (actual, expected) = await app.WithDb(async db =>
            {
                var got = await new DeductionRectificationSource(db).GetAsync(period);
                var facts = await db.Facts.AsNoTracking().Where(f => f.PeriodId == period && FactStatuses.Counted.Contains(f.Status)
                    && (f.Kind == FactKind.Finding || f.Kind == FactKind.Adjustment)).OrderBy(f => f.Id).ToListAsync();
                var names = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.Name);
                var leafNames = new Dictionary<string, string>();
                foreach (var scheme in await db.Schemes.AsNoTracking().Where(x => x.PeriodId == period && x.Status == SchemeStatus.Active).ToListAsync())
                    foreach (var n in Flatten(Kaohe.Web.Features.Schemes.SchemeService.Parse(scheme).Indicators ?? [])) leafNames.TryAdd(n.Id, n.Name);
                var lines = new List<string>();
                foreach (var g in facts.Where(f => f.Kind == FactKind.Finding).GroupBy(f => f.IndicatorId ?? "").OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
                {
                    var units = g.Select(f => names[f.UnitId]).Distinct().ToList();
                    var notes = g.Select(f => FactPayload.Parse(f.Payload).Note).Where(n => !string.IsNullOrWhiteSpace(n) && !n!.StartsWith("问题 ", StringComparison.Ordinal)).Distinct().Take(3).ToList();
                    lines.Add($"{leafNames.GetValueOrDefault(g.Key, g.Key)}：发现问题{g.Count()}处，涉及{string.Join("、", units.Take(5))}{(units.Count > 5 ? $"等{units.Count}个单位" : "")}"
                        + (notes.Count > 0 ? $"（如{string.Join("；", notes)}）" : "") + "。");
                }
                var deductions = facts.Where(f => f.Kind == FactKind.Adjustment && (FactPayload.Parse(f.Payload).Points ?? 0) < 0).ToList();
                if (deductions.Count > 0)
                {
                    // By kind (the rule's name, before "（source）：") and unit; the deductions' own texts are not quoted.
                    var units = deductions.Select(f => names[f.UnitId]).Distinct().ToList();
                    var kinds = deductions.Select(f => FactPayload.Parse(f.Payload).Reason ?? "").Select(r => r.Split('（', '：')[0].Trim()).Where(k => k.Length is > 0 and <= 30).Distinct().Take(5).ToList();
                    lines.Add($"扣分事项：共{deductions.Count}项，涉及{string.Join("、", units.Take(5))}{(units.Count > 5 ? $"等{units.Count}个单位" : "")}"
                        + (kinds.Count > 0 ? $"（{string.Join("、", kinds)}）" : "") + "。");
                }
                return (got.Weaknesses, lines);
            });
            Assert.Equal(expected, actual);
            if (actual.Count > 0) nonEmpty++;
        }
        Assert.True(nonEmpty > 0, "the demo has findings in at least one quarter");

        static IEnumerable<Indicator> Flatten(IEnumerable<Indicator> nodes) => nodes.SelectMany(n => Flatten(n.ChildList).Prepend(n));
    }

    [Fact]
    public async Task The_published_demo_snapshot_verifies_with_the_CLI_and_its_file_matches_the_input_hash()
    {
        using var client = await app.As("viewer");
        var list = await client.GetFromJsonAsync<JsonElement[]>("/api/v1/snapshots?period=2023-Q1");
        Assert.Equal(["affiliated", "divisions", "housing", "urban"], list!.Select(s => s.GetProperty("category").GetString()).Distinct().Order());
        var housing = await Snapshot(client, "2023-Q1", "housing");
        var json = await client.GetStringAsync(housing.GetProperty("url").GetString());
        Assert.Equal(0, Verify(json, out _, out var err));
        Assert.Equal("", err);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("office", doc.RootElement.GetProperty("publishedBy").GetString());
        Assert.True(doc.RootElement.GetProperty("result").GetProperty("units").GetArrayLength() == 7);

        var file = await client.GetByteArrayAsync(housing.GetProperty("fileUrl").GetString());
        Assert.Equal(housing.GetProperty("inputSha256").GetString(), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file)));

        // A tampered copy fails, naming what differs.
        Assert.NotEqual(0, Verify(json.Replace("\"zj-lasa\"", "\"zj-lhasa\""), out _, out var tampered));
        Assert.Contains("$.", tampered);

        // The housing scheme derives its indicators from base figures: the snapshot is version 2 and carries them,
        // so a changed figure in its data no longer gives the published result.
        var input = doc.RootElement.GetProperty("input");
        Assert.Equal(2, input.GetProperty("kaohe").GetInt32());
        Assert.Equal(2, doc.RootElement.GetProperty("result").GetProperty("kaohe").GetInt32());
        Assert.Equal(35, input.GetProperty("data").GetArrayLength());
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        var figure = node["input"]!["data"]!.AsArray().First(d => (string?)d!["unit"] == "zj-nyingchi" && (string?)d!["measure"] == "inv")!;
        figure["value"] = (double)figure["value"]! + 1000;
        Assert.NotEqual(0, Verify(node.ToJsonString(), out _, out var changedFigure));
        Assert.Contains("$.", changedFigure);
    }

    [Fact]
    public async Task A_fact_changed_after_publication_leaves_the_snapshot_intact_and_is_shown_as_changed()
    {
        using var client = await app.As("office");
        var before = await Snapshot(client, "2023-Q1", "urban");
        var id = before.GetProperty("id").GetInt64();
        var stored = await app.WithDb(db => db.Snapshots.AsNoTracking().SingleAsync(s => s.Id == id));
        var unit = "cg-lasa";
        var fact = await app.WithDb(db => db.Facts.Where(f => f.PeriodId == "2023-Q1" && f.UnitId == unit && f.Kind == FactKind.Value).Select(f => f.IndicatorId!).FirstAsync());
        var factId = await ChangeValue("2023-Q1", unit, fact, -0.5);

        var after = await app.WithDb(db => db.Snapshots.AsNoTracking().SingleAsync(s => s.Id == id));
        Assert.Equal(stored.Document, after.Document);
        Assert.Equal(stored.ResultSha256, after.ResultSha256);
        Assert.Equal(0, Verify(await client.GetStringAsync($"/api/v1/snapshots/{id}"), out _, out _));

        var changes = await client.GetFromJsonAsync<JsonElement[]>($"/api/v1/snapshots/{id}/changes");
        var change = Assert.Single(changes!, c => c.GetProperty("key").GetString() == $"{unit}/{fact}");
        Assert.Contains(factId, change.GetProperty("factIds").EnumerateArray().Select(x => x.GetInt64()));
        Assert.NotEqual(change.GetProperty("published").GetString(), change.GetProperty("current").GetString());

        using var page = await app.SignedIn("office");
        var html = await page.GetStringAsync($"/Results/Explain?period=2023-Q1&category=urban&unit={unit}&node={fact}");
        Assert.Contains("公布后已变动", html);
        var list = await page.GetStringAsync($"/Publication/Snapshot?id={id}");
        Assert.Contains($"{unit}/{fact}", list);

        using var unitClient = await app.As("unit-cg-lasa");
        Assert.Equal(HttpStatusCode.Forbidden, (await unitClient.GetAsync($"/api/v1/snapshots/{id}/changes")).StatusCode);
    }

    [Fact]
    public async Task A_correction_publishes_a_new_version_naming_what_changed_and_never_touches_the_old_row()
    {
        using var office = await app.As("office");
        var v1 = await Snapshot(office, "2023-Q1", "affiliated");
        var v1Id = v1.GetProperty("id").GetInt64();
        var v1Row = await app.WithDb(db => db.Snapshots.AsNoTracking().SingleAsync(s => s.Id == v1Id));

        var nothing = await PublishAsync(office, "2023-Q1", "affiliated", "无变化的更正");
        Assert.Equal(HttpStatusCode.Conflict, nothing.StatusCode);

        var (unit, indicator) = await app.WithDb(async db =>
        {
            var affiliated = await db.Units.Where(u => u.Kind == UnitKind.AffiliatedUnit).Select(u => u.Id).ToListAsync();
            var f = await db.Facts.Where(f => f.PeriodId == "2023-Q1" && f.Kind == FactKind.Value && affiliated.Contains(f.UnitId)).OrderBy(f => f.Id).FirstAsync();
            return (f.UnitId, f.IndicatorId!);
        });
        await ChangeValue("2023-Q1", unit, indicator, -1);

        var noReason = await PublishAsync(office, "2023-Q1", "affiliated");
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.True((await Json(noReason)).GetProperty("errors").TryGetProperty("changeNote", out _));

        var created = await PublishAsync(office, "2023-Q1", "affiliated", "佐证材料复核后更正数据");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var v2 = await Json(created);
        Assert.Equal(2, v2.GetProperty("version").GetInt32());
        Assert.Equal(v1Id, v2.GetProperty("supersedes").GetInt64());
        var note = v2.GetProperty("changeNote").GetString()!;
        Assert.StartsWith("佐证材料复核后更正数据", note);
        Assert.Contains($"{unit}/{indicator}", note);

        var json = await office.GetStringAsync(v2.GetProperty("url").GetString());
        Assert.Equal(0, Verify(json, out _, out _));
        Assert.Contains("\"supersedes\": \"2023-Q1-affiliated-v1\"", json);

        var again = await app.WithDb(db => db.Snapshots.AsNoTracking().SingleAsync(s => s.Id == v1Id));
        Assert.Equal(v1Row.Document, again.Document);
        Assert.Equal(v1Row.InputSha256, again.InputSha256);
        Assert.Equal(v1Row.PublishedAt, again.PublishedAt);
        var audit = await app.WithDb(db => db.AuditEntries.AsNoTracking().Where(e => e.Action == "snapshot.correct" && e.EntityId == "2023-Q1-affiliated-v2").CountAsync());
        Assert.Equal(1, audit);
    }

    [Fact]
    public async Task An_accepted_appeal_corrects_the_fact_changes_the_draft_and_is_audited()
    {
        using var unit = await app.As("unit-zj-lasa");
        var mine = await unit.GetFromJsonAsync<JsonElement[]>("/api/v1/periods/2023-Q2/categories/housing/draft");
        var row = Assert.Single(mine!);
        Assert.Equal("zj-lasa", row.GetProperty("unit").GetString());
        var before = row.GetProperty("scores").GetProperty("A5").GetDouble();

        var appeals = await unit.GetFromJsonAsync<JsonElement[]>("/api/v1/appeals?period=2023-Q2");
        Assert.All(appeals!, a => Assert.Equal("zj-lasa", a.GetProperty("unitId").GetString()));
        var pending = appeals!.Single(a => a.GetProperty("status").GetString() == "Pending" && a.GetProperty("indicatorId").GetString() == "A5");
        var appealId = pending.GetProperty("id").GetInt64();
        var factId = pending.GetProperty("factId").GetInt64();
        var old = await app.WithDb(db => db.Facts.AsNoTracking().SingleAsync(f => f.Id == factId));
        var oldValue = FactPayload.Parse(old.Payload).Value!.Value;

        Assert.Equal(HttpStatusCode.Forbidden, (await unit.PostAsJsonAsync($"/api/v1/appeals/{appealId}/decision", new { accept = true, decision = "自己采纳" })).StatusCode);

        using var office = await app.As("office");
        var noDecision = await office.PostAsJsonAsync($"/api/v1/appeals/{appealId}/decision", new { accept = true, value = oldValue + 1 });
        Assert.Equal(HttpStatusCode.BadRequest, noDecision.StatusCode);
        Assert.True((await Json(noDecision)).GetProperty("errors").TryGetProperty("decision", out _));
        // Longer than its column: a 400 naming the field, not the database's refusal as a 500 (found by the JSON fuzz on PostgreSQL).
        var tooLong = await office.PostAsJsonAsync($"/api/v1/appeals/{appealId}/decision", new { accept = false, decision = new string('驳', 4001) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.True((await Json(tooLong)).GetProperty("errors").TryGetProperty("decision", out _));

        var ok = await office.PostAsJsonAsync($"/api/v1/appeals/{appealId}/decision", new { accept = true, decision = "经核实复工报告属实，予以更正。", value = oldValue + 1 });
        Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);

        var after = Assert.Single((await unit.GetFromJsonAsync<JsonElement[]>("/api/v1/periods/2023-Q2/categories/housing/draft"))!);
        Assert.True(after.GetProperty("scores").GetProperty("A5").GetDouble() > before, "the corrected start rate raises the score");
        var decided = (await unit.GetFromJsonAsync<JsonElement[]>("/api/v1/appeals?period=2023-Q2"))!.Single(a => a.GetProperty("id").GetInt64() == appealId);
        Assert.Equal("Accepted", decided.GetProperty("status").GetString());
        Assert.Equal("经核实复工报告属实，予以更正。", decided.GetProperty("decision").GetString());

        var entry = await app.WithDb(db => db.AuditEntries.AsNoTracking().SingleAsync(e => e.Action == "fact.correct" && e.EntityId == factId.ToString()));
        Assert.Contains($"appeal {appealId}", entry.Reason);
        Assert.Contains(oldValue.ToString(System.Globalization.CultureInfo.InvariantCulture), entry.OldValue);
        Assert.Equal(0, app.VerifyAuditWithCli(out _));
        using (var page = await app.SignedIn("unit-zj-lasa"))
        {
            var html = await page.GetStringAsync("/Results/Explain?period=2023-Q2&category=housing&unit=zj-lasa&node=A5");
            Assert.Contains("fact.correct", html);           // the fact's audit history, visible to the unit
            Assert.Contains("经核实复工报告属实", html);
        }

        var twice = await office.PostAsJsonAsync($"/api/v1/appeals/{appealId}/decision", new { accept = false, decision = "再次处理" });
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
    }

    [Fact]
    public async Task Appeals_are_refused_outside_the_window_for_other_units_facts_and_from_staff()
    {
        using var unit = await app.As("unit-zj-lasa");
        var closed = await unit.PostAsJsonAsync("/api/v1/appeals", new { period = "2023-Q1", indicatorId = "A1", reason = "排名有误" });
        Assert.Equal(HttpStatusCode.Conflict, closed.StatusCode);

        var other = await app.WithDb(db => db.Facts.Where(f => f.PeriodId == "2023-Q2" && f.UnitId == "zj-nyingchi").Select(f => f.Id).FirstAsync());
        var foreign = await unit.PostAsJsonAsync("/api/v1/appeals", new { period = "2023-Q2", factId = other, reason = "替别人申诉" });
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.True((await Json(foreign)).GetProperty("errors").TryGetProperty("factId", out _));

        var noReason = await unit.PostAsJsonAsync("/api/v1/appeals", new { period = "2023-Q2", indicatorId = "A1", reason = " " });
        Assert.True((await Json(noReason)).GetProperty("errors").TryGetProperty("reason", out _));

        // A1 投资任务完成率 is derived from the completed investment (inv / plan): the appeal names that base figure.
        var own = await app.WithDb(db => db.Facts.Where(f => f.PeriodId == "2023-Q2" && f.UnitId == "zj-lasa" && f.IndicatorId == "inv").Select(f => f.Id).FirstAsync());
        var fine = await unit.PostAsJsonAsync("/api/v1/appeals", new { period = "2023-Q2", indicatorId = "A1", factId = own, reason = "投资完成额漏报一个项目" });
        Assert.Equal(HttpStatusCode.Created, fine.StatusCode);

        using var viewer = await app.As("viewer");
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/v1/appeals", new { period = "2023-Q2", reason = "x" })).StatusCode);
        using var nyingchi = await app.As("unit-zj-nyingchi");
        var theirs = await nyingchi.GetFromJsonAsync<JsonElement[]>("/api/v1/appeals?period=2023-Q2");
        Assert.DoesNotContain(theirs!, a => a.GetProperty("unitId").GetString() != "zj-nyingchi");
        Assert.Contains(theirs!, a => a.GetProperty("status").GetString() == "Rejected" && a.GetProperty("decision").GetString()!.Length > 0);
        var otherDraft = await nyingchi.GetFromJsonAsync<JsonElement[]>("/api/v1/periods/2023-Q2/categories/urban/draft");
        Assert.Empty(otherDraft!);   // a unit sees no one else's draft
    }

    [Fact]
    public async Task Publication_is_for_the_office_only_after_the_window_closes_or_is_skipped_with_a_reason()
    {
        using var unit = await app.As("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.Forbidden, (await unit.PostAsJsonAsync("/api/v1/periods/2023-Q3/categories/housing/publish", new { })).StatusCode);
        using var viewer = await app.As("viewer");
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/v1/periods/2023-Q3/review/skip", new { reason = "x" })).StatusCode);

        using var office = await app.As("office");
        Assert.Equal(HttpStatusCode.Conflict, (await PublishAsync(office, "2023-Q3", "housing")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await PublishAsync(office, "2023-Q2", "housing")).StatusCode);
        var noReason = await office.PostAsJsonAsync("/api/v1/periods/2023-Q3/review/skip", new { reason = "" });
        Assert.True((await Json(noReason)).GetProperty("errors").TryGetProperty("reason", out _));
        var longReason = await office.PostAsJsonAsync("/api/v1/periods/2023-Q3/review/skip", new { reason = new string('理', 2001) });
        Assert.Equal(HttpStatusCode.BadRequest, longReason.StatusCode);
        Assert.True((await Json(longReason)).GetProperty("errors").TryGetProperty("reason", out _));
        Assert.Equal(HttpStatusCode.NoContent, (await office.PostAsJsonAsync("/api/v1/periods/2023-Q3/review/skip", new { reason = "本季度数据经处室联审，无需复核（测试）" })).StatusCode);
        var created = await PublishAsync(office, "2023-Q3", "housing");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var s = await Json(created);
        Assert.Equal(0, Verify(await office.GetStringAsync(s.GetProperty("url").GetString()), out _, out _));

        Assert.Equal(HttpStatusCode.BadRequest, (await office.PostAsJsonAsync("/api/v1/periods/2023-Q4/review/open", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await office.PostAsJsonAsync("/api/v1/periods/2031-Q4/review/skip", new { reason = "x" })).StatusCode);
    }

    [Fact]
    public async Task The_bulletin_docx_opens_with_the_OpenXml_SDK_and_names_each_categorys_commended_and_criticised_units()
    {
        using var office = await app.As("office");
        var response = await office.GetAsync("/api/v1/periods/2023-Q1/bulletin.docx");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(BulletinDownloads.Docx, response.Content.Headers.ContentType!.MediaType);
        using var ms = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        using var doc = WordprocessingDocument.Open(ms, false);
        var text = string.Concat(doc.MainDocumentPart!.Document.Body!.Descendants<DocumentFormat.OpenXml.Wordprocessing.Text>().Select(t => t.Text));
        Assert.Contains("关于2023年第一季度目标责任考核情况的通报", text);

        var published = await app.WithDb(async db => (await db.Snapshots.AsNoTracking().Where(s => s.PeriodId == "2023-Q1").ToListAsync())
            .GroupBy(s => s.Category).Select(g => g.OrderBy(s => s.Version).Last()).Select(s => (s.Category, Result: Engine.Score(Snapshots.Input(s)!).Result!)).ToList());
        Assert.Equal(4, published.Count);
        foreach (var (category, result) in published)
        {
            var name = Kaohe.Data.Categories.Name(category, false);
            var ordered = result.Units.GroupBy(u => u.Group).SelectMany(g => g.OrderBy(u => u.Rank)).ToList();
            var commended = ordered.Where(u => u.Commended).Select(u => u.Name).ToList();
            var criticized = ordered.Where(u => u.Criticized).Select(u => u.Name).ToList();
            Assert.NotEmpty(commended);
            Assert.NotEmpty(criticized);
            Assert.Contains($"{name}：对考核排名靠前的{string.Join("、", commended)}予以通报表扬", text);
            Assert.Contains($"对考核排名靠后的{string.Join("、", criticized)}予以通报批评", text);
        }
        Assert.Contains("存在的短板弱项", text);
        Assert.Contains("责任人、时间表、路线图", text);

        var xlsx = await office.GetAsync("/api/v1/periods/2023-Q1/scores.xlsx");
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        using var xs = new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync());
        var rows = xs.Query(useHeaderRow: true, sheetName: "总表").ToList();
        Assert.Equal(published.Sum(p => p.Result.Units.Count), rows.Count);

        // The bulletin is issued to all units once the period is published, not before.
        using var unit = await app.As("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.OK, (await unit.GetAsync("/api/v1/periods/2023-Q1/bulletin.docx")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await unit.GetAsync("/api/v1/periods/2023-Q4/bulletin.docx")).StatusCode);
    }

    /// <summary>
    /// The bulletin is written tag by tag (OfficialDocument, issue 20), so nothing but its text checks that every block
    /// arrived: the demo's 2023-Q1 bulletin, block by block (a paragraph's text; a table row's cells joined by "|"), is what
    /// the published results say (ranks, names, totals at rankDecimals half away from zero, grades, notes, commended and
    /// criticised units per category) around the period's narrative, in the order of the official layout.
    /// </summary>
    [Fact]
    public async Task The_streamed_bulletin_of_the_demo_reads_block_by_block_as_its_published_results_and_narrative()
    {
        using var office = await app.As("office");
        using var ms = new MemoryStream(await office.GetByteArrayAsync("/api/v1/periods/2023-Q1/bulletin.docx"));
        using var doc = WordprocessingDocument.Open(ms, false);
        var blocks = new List<string>();
        foreach (var block in doc.MainDocumentPart!.Document.Body!.ChildElements)
        {
            if (block is DocumentFormat.OpenXml.Wordprocessing.Paragraph p) blocks.Add(p.InnerText);
            else if (block is DocumentFormat.OpenXml.Wordprocessing.Table t)
                blocks.AddRange(t.Elements<DocumentFormat.OpenXml.Wordprocessing.TableRow>().Select(r => string.Join("|", r.Elements<DocumentFormat.OpenXml.Wordprocessing.TableCell>().Select(c => c.InnerText))));
        }

        BulletinContent content;
        using (var scope = app.Factory.Services.CreateScope())
            content = (await scope.ServiceProvider.GetRequiredService<Bulletins>().ContentAsync("2023-Q1"))!;
        var snapshots = await app.WithDb(db => db.Snapshots.AsNoTracking().Where(s => s.PeriodId == "2023-Q1").ToListAsync());
        var published = Kaohe.Data.Categories.All
            .Select(c => snapshots.Where(s => s.Category == c.Code).OrderBy(s => s.Version).LastOrDefault())
            .OfType<PublishedSnapshot>()
            .Select(s => (Name: Kaohe.Data.Categories.Name(s.Category, false), Input: Snapshots.Input(s)!))
            .Select(x => (x.Name, x.Input.Rules.RankDecimals, Groups: Engine.Score(x.Input).Result!.Units.GroupBy(u => u.Group).Select(g => g.OrderBy(u => u.Rank).ToList()).ToList()))
            .ToList();
        Assert.Equal(4, published.Count);

        var expected = new List<string> { content.Issuer, content.DocumentNumber, "", content.Title, content.Addressees + "：" };
        expected.AddRange(content.Overview);
        expected.Add("一、考核结果");
        var sub = 0;
        foreach (var (name, decimals, groups) in published)
        {
            expected.Add($"（{Kaohe.Web.Features.Shared.OfficialDocument.Numeral(++sub)}）{name}");
            foreach (var g in groups)
            {
                if (groups.Count > 1 || g[0].Group != name) expected.Add($"{g[0].Group}：");
                expected.Add("名次|单位|得分|等次|备注");
                expected.AddRange(g.Select(u => string.Join("|", u.Rank, u.Name,
                    Rounding.HalfAwayFromZero(u.Total, decimals).ToString("F" + decimals, System.Globalization.CultureInfo.InvariantCulture), u.Grade ?? "",
                    string.Join("、", new[] { u.Commended ? "通报表扬" : null, u.Criticized ? "通报批评" : null, u.Vetoed ? "一票否决" : null }.OfType<string>()))));
            }
        }
        expected.Add("二、通报表扬和通报批评");
        foreach (var (name, _, groups) in published)
        {
            string Names(Func<UnitResult, bool> which) => groups.SelectMany(g => g.Where(which)).Select(u => u.Name).ToList() is { Count: > 0 } n ? string.Join("、", n) : "（无）";
            expected.Add($"{name}：对考核排名靠前的{Names(u => u.Commended)}予以通报表扬，并作经验交流；对考核排名靠后的{Names(u => u.Criticized)}予以通报批评，并作表态发言，深刻剖析原因。");
            if (groups.Any(g => g.Any(u => u.Vetoed))) expected.Add($"{Names(u => u.Vetoed)}因发生重大事故实行年度考核“一票否决”。");
        }
        var section = 2;
        Assert.NotEmpty(content.GoodPractices);
        Assert.NotEmpty(content.Weaknesses);
        expected.Add($"{Kaohe.Web.Features.Shared.OfficialDocument.Numeral(++section)}、好经验好做法");
        expected.AddRange(content.GoodPractices.Select(g => $"{g.Unit}：{g.Text}"));
        expected.Add($"{Kaohe.Web.Features.Shared.OfficialDocument.Numeral(++section)}、存在的短板弱项");
        expected.AddRange(content.Weaknesses.Select((w, i) => $"{i + 1}. {w}"));
        expected.Add($"{Kaohe.Web.Features.Shared.OfficialDocument.Numeral(++section)}、整改要求");
        expected.AddRange(content.Rectification);
        expected.AddRange(["", content.Issuer, $"{content.Date.Year}年{content.Date.Month}月{content.Date.Day}日"]);

        Assert.True(published.Sum(p => p.Groups.Sum(g => g.Count)) >= 30);
        for (var i = 0; i < Math.Min(expected.Count, blocks.Count); i++)
            Assert.True(expected[i] == blocks[i], $"block {i}: expected “{expected[i]}”, the document says “{blocks[i]}”");
        Assert.Equal(expected.Count, blocks.Count);
    }

    [Fact]
    public async Task The_office_edits_the_narrative_and_the_bulletin_uses_it()
    {
        using var page = await app.SignedIn("office");
        var form = await page.GetStringAsync("/Publication/Narrative?period=2023-Q4");
        Assert.Contains("通报", form);
        var post = await page.PostAsync("/Publication/Narrative?period=2023-Q4", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["DocumentNumber"] = "藏建考〔2023〕9号",
            ["Overview"] = "第四季度考核总体平稳（编辑后的概述）。",
            ["GoodPractices"] = "林芝市住房和城乡建设局：推行“一码通办”施工许可。",
            ["Weaknesses"] = "个别项目安全防护不到位。",
            ["Rectification"] = "限期一个月整改到位。",
            ["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(form),
        }));
        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        using var office = await app.As("office");
        using var ms = new MemoryStream(await office.GetByteArrayAsync("/api/v1/periods/2023-Q4/bulletin.docx"));
        using var doc = WordprocessingDocument.Open(ms, false);
        var text = string.Concat(doc.MainDocumentPart!.Document.Body!.Descendants<DocumentFormat.OpenXml.Wordprocessing.Text>().Select(t => t.Text));
        Assert.Contains("第四季度考核总体平稳（编辑后的概述）。", text);
        Assert.Contains("推行“一码通办”施工许可", text);
        Assert.Contains("藏建考〔2023〕9号", text);
        Assert.Equal(1, await app.WithDb(db => db.AuditEntries.CountAsync(e => e.Action == "bulletin.narrative" && e.EntityId == "2023-Q4")));

        using var viewerPage = await app.SignedIn("viewer");
        var denied = await viewerPage.GetAsync("/Publication/Narrative?period=2023-Q4");
        Assert.NotEqual(HttpStatusCode.OK, denied.StatusCode);
    }

    [Fact]
    public async Task The_annual_result_follows_the_configured_weights_the_leaders_rating_the_capped_adjustments_and_the_veto()
    {
        using var office = await app.As("office");
        var annual = (await office.GetFromJsonAsync<JsonElement[]>("/api/v1/periods/2023/categories/divisions/draft"))!;
        var facts = await app.WithDb(db => db.Facts.AsNoTracking().Where(f => f.PeriodId == "2023").ToListAsync());
        var setting = await app.WithDb(db => db.Set<AnnualSetting>().AsNoTracking().SingleAsync(s => s.Year == 2023 && s.Category == "divisions"));
        Assert.Equal(95, setting.Quarters.Sum(), 9);
        Assert.Equal(5, setting.Leadership, 9);
        var quarters = new Dictionary<string, JsonElement[]>();
        for (var q = 1; q <= 4; q++)
            quarters[$"Q{q}"] = (await office.GetFromJsonAsync<JsonElement[]>($"/api/v1/periods/2023-Q{q}/categories/divisions/draft"))!;
        foreach (var row in annual)
        {
            var unit = row.GetProperty("unit").GetString()!;
            var expected = 0.0;
            for (var q = 1; q <= 4; q++)
                expected += setting.Quarters[q - 1] * Math.Min(quarters[$"Q{q}"].Single(r => r.GetProperty("unit").GetString() == unit).GetProperty("total").GetDouble(), 200) / 100;
            var ratings = facts.Where(f => f.UnitId == unit && f.IndicatorId == ResultsStore.LeadershipLeaf).ToDictionary(f => f.Rater!, f => FactPayload.Parse(f.Payload).Value!.Value);
            expected += setting.Leadership * (0.5 * ratings["principal"] + 0.5 * ratings["in-charge"]) / 100;
            var actual = row.GetProperty("total").GetDouble() - row.GetProperty("adjustment").GetDouble();
            Assert.True(Math.Abs(expected - actual) < 1e-9, $"{unit}: expected {expected}, got {actual}");
        }

        var housing = (await office.GetFromJsonAsync<JsonElement[]>("/api/v1/periods/2023/categories/housing/draft"))!;
        var ngari = housing.Single(r => r.GetProperty("unit").GetString() == "zj-ngari");
        Assert.True(ngari.GetProperty("vetoed").GetBoolean());
        Assert.Equal("不合格", ngari.GetProperty("grade").GetString());
        Assert.False(ngari.GetProperty("commended").GetBoolean());
        var nyingchi = housing.Single(r => r.GetProperty("unit").GetString() == "zj-nyingchi");
        Assert.Equal(2, nyingchi.GetProperty("adjustment").GetDouble(), 9);
        Assert.Equal(2, housing.Count(r => r.GetProperty("commended").GetBoolean()));
    }

    [Fact]
    public async Task A_veto_recorded_on_a_quarter_vetoes_the_annual_result_too()
    {
        using var office = await app.As("office");
        var before = (await office.GetFromJsonAsync<JsonElement[]>("/api/v1/periods/2023/categories/urban/draft"))!;
        var best = before.OrderBy(r => r.GetProperty("rank").GetInt32()).First().GetProperty("unit").GetString()!;
        Assert.True(before.Single(r => r.GetProperty("unit").GetString() == best).GetProperty("commended").GetBoolean());
        await app.WithDb(async db =>
        {
            db.Facts.Add(new Fact("2023-Q3", best, null, FactKind.Veto, new FactPayload(Reason: "发生重大生产安全事故（测试）").ToJson(), FactSources.Office, "office",
                DateTimeOffset.UnixEpoch, FactStatus.Verified));
            return await db.SaveChangesAsync();
        });
        var after = (await office.GetFromJsonAsync<JsonElement[]>("/api/v1/periods/2023/categories/urban/draft"))!;
        var vetoed = after.Single(r => r.GetProperty("unit").GetString() == best);
        Assert.True(vetoed.GetProperty("vetoed").GetBoolean());
        Assert.False(vetoed.GetProperty("commended").GetBoolean());
        Assert.Equal("不合格", vetoed.GetProperty("grade").GetString());

        using var page = await app.SignedIn("office");
        var html = await page.GetStringAsync("/Publication/Annual?year=2023&category=urban");
        Assert.Contains("一票否决", html);
        Assert.Contains("23.75", html);
    }
}

public sealed class PublicationTestsOnSqlite(SqliteApp app) : PublicationTests<SqliteApp>(app);

public sealed class PublicationTestsOnPostgres(PostgresApp app) : PublicationTests<PostgresApp>(app);
