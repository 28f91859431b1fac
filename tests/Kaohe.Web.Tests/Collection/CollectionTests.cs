using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Kaohe.Demo;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Collection;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;

namespace Kaohe.Web.Tests.Collection;

/// <summary>The collection workflows over HTTP, on both databases: 填报, 审核, 多方评, 领导评价, 进度 and the .xlsx sheets.</summary>
public abstract class CollectionTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    // The leaves a housing bureau reports a value for: A1–A5 are derived from its base figures by formula (DemoSchemes), nobody reports them.
    private static readonly string[] HousingReportLeaves = ["B1", "C2", "D1", "E1"];

    private static async Task<JsonElement> Json(HttpResponseMessage r) => await r.Content.ReadFromJsonAsync<JsonElement>();

    // The demo fills every quarter of 2023 (Q1 published, Q2 in review, Q3 and Q4 copied from Q1): the
    // tests that report, assign or close scoring from scratch use quarters of 2024 they create themselves.
    private const string ReportPeriod = "2024-Q2";

    // The demo's quarter being collected (2023-Q1 is published and takes no writes, docs/stages.md): it holds the
    // collection story (docs/collection.md) and Q1's data, copied.
    private const string Collecting = CollectionDemo.StoryPeriod;
    private const string LeaderPeriod = "2024-Q3";
    private const string TemplatePeriod = "2024-Q4";

    /// <summary>
    /// Creates the period if the demo has none (collecting, nothing in it), activates a copy of the 2023-Q1
    /// scheme of a category for it (once per fixture) and sets its deadline.
    /// </summary>
    private async Task PrepareAsync(string period, string category, DateOnly deadline)
    {
        await app.WithDb(async db =>
        {
            if (await db.Periods.AnyAsync(p => p.Id == period)) return 0;
            var created = new Period(int.Parse(period[..4], System.Globalization.CultureInfo.InvariantCulture), period[^1] - '0', deadline);
            created.MoveTo(PeriodStatus.Collecting);
            db.Periods.Add(created);
            return await db.SaveChangesAsync();
        });
        var active = await app.WithDb(db => db.Schemes.AnyAsync(s => s.PeriodId == period && s.Category == category && s.Status == SchemeStatus.Active));
        if (!active)
        {
            using var office = await app.As("office");
            var id = await app.WithDb(db => db.Schemes.Where(s => s.Category == category && s.PeriodId == "2023-Q1").Select(s => s.Id).FirstAsync());
            var clone = await office.PostAsync($"/api/v1/schemes/{id}/clone?period={period}", null);
            Assert.Equal(HttpStatusCode.Created, clone.StatusCode);
            var newId = (await Json(clone)).GetProperty("id").GetInt32();
            Assert.True((await office.PostAsync($"/api/v1/schemes/{newId}/activate", null)).IsSuccessStatusCode);
        }
        await app.WithDb(async db =>
        {
            var p = await db.Periods.SingleAsync(x => x.Id == period);
            p.SetDeadline(deadline);
            return await db.SaveChangesAsync();
        });
    }

    // The housing scheme is version 2: its bureaus also report base figures (万元, 个), which a submission needs too.
    private static readonly string[] HousingMeasures = ["inv", "plan", "inv_ly", "started", "due"];

    private static object AllDrafts(Func<string, double> value) => new
    {
        items = HousingReportLeaves.Select(i => new { indicator = (string?)i, measure = (string?)null, value = value(i), target = i is "E1" ? 10 : (double?)null })
            .Concat(HousingMeasures.Select(m => new { indicator = (string?)null, measure = (string?)m, value = 10.0, target = (double?)null })).ToArray(),
    };

    private static byte[] Pdf(string text) => System.Text.Encoding.ASCII.GetBytes($"%PDF-1.4\n% {text}\n%%EOF\n");

    [Fact]
    public async Task A_report_goes_draft_submit_return_resubmit_verify_with_evidence_seen_only_by_those_who_may()
    {
        await PrepareAsync(ReportPeriod, "housing", new DateOnly(2100, 1, 1));
        using var unit = await app.As("unit-zj-lasa");
        var sheet = await Json(await unit.GetAsync($"/api/v1/collection/{ReportPeriod}/report"));
        Assert.Equal(HousingReportLeaves, sheet.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("indicatorId").GetString()));
        Assert.All(sheet.GetProperty("rows").EnumerateArray(), r => Assert.Equal("Missing", r.GetProperty("status").GetString()));

        // A ratio without a fixed target needs the unit's target; the error names the field.
        var bad = await unit.PutAsJsonAsync($"/api/v1/collection/{ReportPeriod}/report/E1", new { value = 8 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await Json(bad)).GetProperty("errors").TryGetProperty("target", out _));
        // Submitting with nothing filled in is refused and names what is missing.
        var early = await unit.PostAsync($"/api/v1/collection/{ReportPeriod}/report/submit", null);
        Assert.Equal(HttpStatusCode.BadRequest, early.StatusCode);
        Assert.True((await Json(early)).GetProperty("errors").TryGetProperty("E1", out _));

        Assert.Equal(HttpStatusCode.NoContent, (await unit.PutAsJsonAsync($"/api/v1/collection/{ReportPeriod}/report", AllDrafts(_ => 0.9))).StatusCode);
        var pdf = Pdf("B1 evidence");
        var upload = new MultipartFormDataContent { { new ByteArrayContent(pdf) { Headers = { ContentType = new MediaTypeHeaderValue("application/pdf") } }, "file", "B1-佐证.pdf" } };
        var ev = await unit.PostAsync($"/api/v1/collection/{ReportPeriod}/report/B1/evidence", upload);
        Assert.Equal(HttpStatusCode.Created, ev.StatusCode);
        var evidence = await Json(ev);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(pdf)), evidence.GetProperty("sha256").GetString());

        var submit = await unit.PostAsync($"/api/v1/collection/{ReportPeriod}/report/submit", null);
        Assert.Equal(HttpStatusCode.OK, submit.StatusCode);
        var submitted = await Json(submit);
        Assert.Equal(HousingReportLeaves.Length + HousingMeasures.Length, submitted.GetProperty("submitted").GetInt32());
        Assert.False(submitted.GetProperty("late").GetBoolean());
        // Locked once submitted.
        Assert.Equal(HttpStatusCode.BadRequest, (await unit.PutAsJsonAsync($"/api/v1/collection/{ReportPeriod}/report", new { items = new[] { new { measure = "inv", value = 1.0 } } })).StatusCode);
        // A derived indicator is nobody's to report.
        Assert.Equal(HttpStatusCode.BadRequest, (await unit.PutAsJsonAsync($"/api/v1/collection/{ReportPeriod}/report/A1", new { value = 1.0 })).StatusCode);

        var facts = await app.WithDb(db => db.Facts.Where(f => f.PeriodId == ReportPeriod && f.UnitId == "zj-lasa").ToDictionaryAsync(f => f.IndicatorId!, f => f.Id));
        using var office = await app.As("office");
        var noReason = await office.PostAsJsonAsync($"/api/v1/collection/facts/{facts["inv"]}/return", new { reason = " " });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.True((await Json(noReason)).GetProperty("errors").TryGetProperty("reason", out _));
        Assert.Equal(HttpStatusCode.NoContent, (await office.PostAsJsonAsync($"/api/v1/collection/facts/{facts["inv"]}/return", new { reason = "投资完成额与统计报表不一致" })).StatusCode);

        sheet = await Json(await unit.GetAsync($"/api/v1/collection/{ReportPeriod}/report"));
        var inv = sheet.GetProperty("measures").EnumerateArray().Single(r => r.GetProperty("measureId").GetString() == "inv");
        Assert.Equal("Returned", inv.GetProperty("status").GetString());
        Assert.Equal("投资完成额与统计报表不一致", inv.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await unit.PutAsJsonAsync($"/api/v1/collection/{ReportPeriod}/report", new { items = new[] { new { measure = "inv", value = 11.5 } } })).StatusCode);
        var resubmit = await unit.PostAsync($"/api/v1/collection/{ReportPeriod}/report/submit", null);
        Assert.Equal(1, (await Json(resubmit)).GetProperty("submitted").GetInt32());

        // A division verifies only what is assigned to it.
        using var scc = await app.As("division-scc");
        Assert.Equal(HttpStatusCode.Forbidden, (await scc.PostAsync($"/api/v1/collection/facts/{facts["B1"]}/verify", null)).StatusCode);
        var assign = await office.PostAsJsonAsync($"/api/v1/collection/{ReportPeriod}/assignments", new { kind = "division", assignee = "scc", unit = "zj-lasa", indicator = "B1" });
        Assert.Equal(HttpStatusCode.Created, assign.StatusCode);
        var queue = await Json(await scc.GetAsync($"/api/v1/collection/{ReportPeriod}/verification"));
        Assert.Equal(["B1"], queue.EnumerateArray().Select(r => r.GetProperty("indicatorId").GetString()));
        Assert.Equal(HttpStatusCode.NoContent, (await scc.PostAsync($"/api/v1/collection/facts/{facts["B1"]}/verify", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await scc.PostAsync($"/api/v1/collection/facts/{facts["inv"]}/verify", null)).StatusCode);
        foreach (var row in (await Json(await office.GetAsync($"/api/v1/collection/{ReportPeriod}/verification"))).EnumerateArray().Where(r => r.GetProperty("unitId").GetString() == "zj-lasa"))
            Assert.Equal(HttpStatusCode.NoContent, (await office.PostAsync($"/api/v1/collection/facts/{row.GetProperty("factId").GetInt64()}/verify", null)).StatusCode);
        var statuses = await app.WithDb(db => db.Facts.Where(f => f.PeriodId == ReportPeriod && f.UnitId == "zj-lasa").Select(f => new { f.Status, f.ReviewedBy }).ToListAsync());
        Assert.All(statuses, s => Assert.Equal(FactStatus.Verified, s.Status));
        Assert.Contains(statuses, s => s.ReviewedBy == "division-scc");
        var actions = await app.WithDb(db => db.AuditEntries.Where(e => e.EntityType == "fact" && e.EntityId == facts["inv"].ToString()).OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync());
        Assert.Equal(["report.draft", "report.submit", "report.return", "report.draft", "report.submit", "report.verify"], actions);

        // Evidence: the unit, the office and the assigned division download it as an attachment; another unit gets 404.
        var url = evidence.GetProperty("url").GetString()!;
        foreach (var who in new[] { "unit-zj-lasa", "office", "division-scc" })
        {
            using var c = await app.As(who);
            var r = await c.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("attachment", r.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal("nosniff", r.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal(pdf, await r.Content.ReadAsByteArrayAsync());
        }
        using var other = await app.As("unit-zj-nyingchi");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync($"/api/v1/collection/{ReportPeriod}/report?unit=zj-lasa")).StatusCode);
    }

    [Fact]
    public async Task Base_figures_are_on_the_sheet_with_last_years_figure_checked_by_the_rules_and_flagged_for_the_reviewer()
    {
        const string lastYear = "2024-Q1", period = "2025-Q1";
        await PrepareAsync(lastYear, "housing", new DateOnly(2100, 1, 1));
        await PrepareAsync(period, "housing", new DateOnly(2100, 1, 1));
        // Last year's same quarter: a verified investment of 1000 万元 (and a returned one, which does not count).
        await app.WithDb(async db =>
        {
            db.Facts.Add(new Fact(lastYear, "zj-lasa", "inv", FactKind.Measure, new FactPayload(Value: 1000).ToJson(), FactSources.Report, "unit-zj-lasa", DateTimeOffset.UtcNow, FactStatus.Verified));
            db.Facts.Add(new Fact(lastYear, "zj-lasa", "plan", FactKind.Measure, new FactPayload(Value: 777).ToJson(), FactSources.Report, "unit-zj-lasa", DateTimeOffset.UtcNow, FactStatus.Returned));
            return await db.SaveChangesAsync();
        });
        using var unit = await app.As("unit-zj-lasa");
        var sheet = await Json(await unit.GetAsync($"/api/v1/collection/{period}/report"));
        var measures = sheet.GetProperty("measures").EnumerateArray().ToDictionary(m => m.GetProperty("measureId").GetString()!);
        Assert.Equal(HousingMeasures, measures.Keys);
        Assert.Equal("季度完成投资", measures["inv"].GetProperty("name").GetString());
        Assert.Equal("万元", measures["inv"].GetProperty("unit").GetString());
        Assert.Equal("个", measures["started"].GetProperty("unit").GetString());
        Assert.Equal(1000, measures["inv"].GetProperty("lastYear").GetDouble());
        Assert.Equal(JsonValueKind.Null, measures["plan"].GetProperty("lastYear").ValueKind);
        Assert.All(measures.Values, m => Assert.Equal("Missing", m.GetProperty("status").GetString()));

        // A negative investment and a fraction of a project are refused, each naming the measure in Chinese; nothing is stored.
        var bad = await unit.PutAsJsonAsync($"/api/v1/collection/{period}/report", new
        {
            items = new object[]
        {
            new { measure = "inv", value = -5.0 }, new { measure = "started", value = 2.5 }, new { measure = "nope", value = 1.0 }, new { measure = "plan", value = 900.0 },
        }
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await Json(bad)).GetProperty("errors");
        Assert.Contains("季度完成投资不能为负数", errors.GetProperty("items[0].value")[0].GetString());
        Assert.Contains("已开（复）工重点项目数是计数（个），须为整数", errors.GetProperty("items[1].value")[0].GetString());
        Assert.Contains("nope", errors.GetProperty("items[2]")[0].GetString());
        Assert.False(errors.TryGetProperty("items[3].value", out _));
        Assert.Equal(0, await app.WithDb(db => db.Facts.CountAsync(f => f.PeriodId == period && f.Kind == FactKind.Measure)));

        // Five times last year's figure is taken, and flagged for the reviewer.
        Assert.Equal(HttpStatusCode.NoContent, (await unit.PutAsJsonAsync($"/api/v1/collection/{period}/report", new
        {
            items = new object[]
        {
            new { measure = "inv", value = 5000.0 }, new { measure = "plan", value = 4000.0 }, new { measure = "inv_ly", value = 1000.0 },
            new { measure = "started", value = 3.0 }, new { measure = "due", value = 4.0 },
        }
        })).StatusCode);
        sheet = await Json(await unit.GetAsync($"/api/v1/collection/{period}/report"));
        measures = sheet.GetProperty("measures").EnumerateArray().ToDictionary(m => m.GetProperty("measureId").GetString()!);
        Assert.Equal(5000, measures["inv"].GetProperty("value").GetDouble());
        Assert.Equal("Draft", measures["inv"].GetProperty("status").GetString());
        Assert.True(measures["inv"].GetProperty("unusual").GetBoolean());
        Assert.False(measures["plan"].GetProperty("unusual").GetBoolean());

        // The .xlsx template lists the measures with their unit and last year's figure; a fraction of a project uploaded is named by cell.
        var template = await unit.GetByteArrayAsync($"/api/v1/collection/{period}/report/xlsx");
        using (var ms = new MemoryStream(template))
        {
            var row = ms.Query(useHeaderRow: true, sheetName: "填报").Cast<IDictionary<string, object?>>().Single(r => (string?)r["指标编码"] == "inv");
            Assert.Equal("基础数据", row["计分方法"]);
            Assert.Equal("万元", row["计量单位"]);
            Assert.Equal(1000.0, Convert.ToDouble(row["去年同期"], System.Globalization.CultureInfo.InvariantCulture));
        }
        var fraction = Edit(template, "填报", rows => rows.Single(r => (string?)r["指标编码"] == "due")["数值"] = 4.5);
        var refused = await unit.PostAsync($"/api/v1/collection/{period}/report/xlsx", Xlsx(fraction));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var cell = (await Json(refused)).GetProperty("errors").EnumerateObject().Single();
        Assert.StartsWith("填报!F", cell.Name);
        Assert.Contains("应开（复）工重点项目数是计数（个），须为整数", cell.Value[0].GetString());
        Assert.Equal(4, await app.WithDb(db => db.Facts.Where(f => f.PeriodId == period && f.IndicatorId == "due").Select(f => f.Payload).ToListAsync()
            .ContinueWith(t => FactPayload.Parse(t.Result.Single()).Value)));

        // Submitted with the leaves, the figure reaches the office's queue with last year's figure and the flag.
        Assert.Equal(HttpStatusCode.NoContent, (await unit.PutAsJsonAsync($"/api/v1/collection/{period}/report",
            new { items = HousingReportLeaves.Select(i => new { indicator = i, value = 0.9, target = i is "E1" ? 10 : (double?)null }).ToArray() })).StatusCode);
        Assert.Equal(HousingReportLeaves.Length + HousingMeasures.Length,
            (await Json(await unit.PostAsync($"/api/v1/collection/{period}/report/submit", null))).GetProperty("submitted").GetInt32());
        using var office = await app.As("office");
        var queued = (await Json(await office.GetAsync($"/api/v1/collection/{period}/verification"))).EnumerateArray()
            .Single(r => r.GetProperty("unitId").GetString() == "zj-lasa" && r.GetProperty("indicatorId").GetString() == "inv");
        Assert.True(queued.GetProperty("isMeasure").GetBoolean());
        Assert.Equal("万元", queued.GetProperty("measureUnit").GetString());
        Assert.Equal(1000, queued.GetProperty("lastYear").GetDouble());
        Assert.True(queued.GetProperty("unusual").GetBoolean());
        Assert.Equal(HttpStatusCode.NoContent, (await office.PostAsync($"/api/v1/collection/facts/{queued.GetProperty("factId").GetInt64()}/verify", null)).StatusCode);
        // Locked once submitted.
        Assert.Equal(HttpStatusCode.BadRequest, (await unit.PutAsJsonAsync($"/api/v1/collection/{period}/report", new { items = new[] { new { measure = "inv", value = 1200.0 } } })).StatusCode);
    }

    [Fact]
    public async Task A_submission_after_the_deadline_is_accepted_but_flagged_late_on_the_board()
    {
        await PrepareAsync(ReportPeriod, "housing", new DateOnly(2023, 7, 10));
        using var unit = await app.As("unit-zj-nyingchi");
        Assert.Equal(HttpStatusCode.NoContent, (await unit.PutAsJsonAsync($"/api/v1/collection/{ReportPeriod}/report", AllDrafts(_ => 1.2))).StatusCode);
        var sheet = await Json(await unit.GetAsync($"/api/v1/collection/{ReportPeriod}/report"));
        Assert.True(sheet.GetProperty("pastDeadline").GetBoolean());
        var submit = await Json(await unit.PostAsync($"/api/v1/collection/{ReportPeriod}/report/submit", null));
        Assert.True(submit.GetProperty("late").GetBoolean());
        Assert.True(await app.WithDb(db => db.Facts.Where(f => f.PeriodId == ReportPeriod && f.UnitId == "zj-nyingchi").AllAsync(f => f.Late && f.Status == FactStatus.Submitted)));
        using var office = await app.As("office");
        var board = await Json(await office.GetAsync($"/api/v1/collection/{ReportPeriod}/progress"));
        var row = board.GetProperty("units").EnumerateArray().Single(r => r.GetProperty("id").GetString() == "zj-nyingchi");
        Assert.Equal(HousingReportLeaves.Length + HousingMeasures.Length, row.GetProperty("late").GetInt32());
        Assert.Equal(HousingReportLeaves.Length + HousingMeasures.Length, row.GetProperty("awaiting").GetInt32());
        Assert.Contains($"/Collection/Report?period={ReportPeriod}&unit=zj-nyingchi", row.GetProperty("link").GetString());
    }

    [Fact]
    public async Task A_division_scores_its_assignments_and_is_refused_on_others_and_out_of_range()
    {
        using var zac = await app.As("division-zac");
        var sheet = await Json(await zac.GetAsync($"/api/v1/collection/{Collecting}/scoring"));
        var rows = sheet.GetProperty("rows").EnumerateArray().ToList();
        Assert.All(rows, r => Assert.StartsWith("C", r.GetProperty("indicatorId").GetString()));
        var c3 = rows.Single(r => r.GetProperty("unitId").GetString() == "zj-lasa" && r.GetProperty("indicatorId").GetString() == "C3");
        Assert.True(c3.GetProperty("entry").GetBoolean());
        Assert.Equal(8, c3.GetProperty("max").GetDouble());
        var c2 = rows.Single(r => r.GetProperty("unitId").GetString() == "zj-lasa" && r.GetProperty("indicatorId").GetString() == "C2");
        Assert.False(c2.GetProperty("entry").GetBoolean());
        Assert.Equal(JsonValueKind.Number, c2.GetProperty("computed").ValueKind);
        Assert.Equal(JsonValueKind.Number, c2.GetProperty("reportedValue").ValueKind);

        var before = await app.WithDb(db => db.Facts.Where(f => f.PeriodId == Collecting && f.IndicatorId == "C3").Select(f => f.Payload).ToListAsync());
        var outOfRange = await zac.PutAsJsonAsync($"/api/v1/collection/{Collecting}/scoring", new { scores = new[] { new { unit = "zj-lasa", indicator = "C3", value = 7.5 }, new { unit = "zj-xigaze", indicator = "C3", value = 9.0 } } });
        Assert.Equal(HttpStatusCode.BadRequest, outOfRange.StatusCode);
        var message = (await Json(outOfRange)).GetProperty("errors").GetProperty("scores[1].value")[0].GetString();
        Assert.Contains("0–8", message);
        var notMine = await zac.PutAsJsonAsync($"/api/v1/collection/{Collecting}/scoring", new { scores = new[] { new { unit = "zj-lasa", indicator = "C3", value = 7.5 }, new { unit = "zj-lasa", indicator = "B2", value = 80.0 } } });
        Assert.Equal(HttpStatusCode.Forbidden, notMine.StatusCode);
        Assert.True((await Json(notMine)).GetProperty("errors").TryGetProperty("scores[1]", out _));
        Assert.Equal(before, await app.WithDb(db => db.Facts.Where(f => f.PeriodId == Collecting && f.IndicatorId == "C3").Select(f => f.Payload).ToListAsync()));

        Assert.Equal(HttpStatusCode.NoContent, (await zac.PutAsJsonAsync($"/api/v1/collection/{Collecting}/scoring", new { scores = new[] { new { unit = "zj-lasa", indicator = "C3", value = 7.5 } } })).StatusCode);
        var result = await Compute("housing");
        Assert.Equal(7.5, result["zj-lasa"].Scores["C3"], 9);
        // Another division cannot see this sheet; a unit has none.
        using var scc = await app.As("division-scc");
        Assert.Equal(HttpStatusCode.Forbidden, (await scc.GetAsync($"/api/v1/collection/{Collecting}/scoring?division=zac")).StatusCode);
        using var unit = await app.As("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.Forbidden, (await unit.PutAsJsonAsync($"/api/v1/collection/{Collecting}/scoring", new { scores = new[] { new { unit = "zj-lasa", indicator = "C3", value = 8 } } })).StatusCode);
    }

    private Task<AssessmentResult> Compute(string category) => app.WithDb(async db =>
    {
        var built = await new ReferenceBuilder(db).BuildAsync(Collecting, category);
        var outcome = Engine.Score(built!.Assessment);
        Assert.Empty(outcome.Errors);
        return outcome.Result!;
    });

    [Fact]
    public async Task The_two_leaders_ratings_reach_the_engine_at_fifty_fifty()
    {
        using var principal = await app.As("leader-principal");
        using var inCharge = await app.As("leader-incharge");
        var sheet = await Json(await principal.GetAsync($"/api/v1/collection/{Collecting}/leader"));
        Assert.Equal(0.5, sheet.GetProperty("weight").GetDouble());
        Assert.Contains(sheet.GetProperty("rows").EnumerateArray(), r => r.GetProperty("unitId").GetString() == "jky");
        Assert.Equal(HttpStatusCode.NoContent, (await principal.PutAsJsonAsync($"/api/v1/collection/{Collecting}/leader", new { scores = new[] { new { unit = "jky", value = 80 } } })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await inCharge.PutAsJsonAsync($"/api/v1/collection/{Collecting}/leader", new { scores = new[] { new { unit = "jky", value = 90 } } })).StatusCode);
        var result = await Compute("affiliated");
        Assert.Equal(30 * (0.5 * 80 + 0.5 * 90) / 100, result["jky"].Scores["P3"], 9);
        var bad = await principal.PutAsJsonAsync($"/api/v1/collection/{Collecting}/leader", new { scores = new[] { new { unit = "jky", value = 101 } } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await Json(bad)).GetProperty("errors").TryGetProperty("scores[0].value", out _));
    }

    [Fact]
    public async Task Leaders_see_only_their_own_sheet_until_the_office_closes_scoring()
    {
        await PrepareAsync(LeaderPeriod, "affiliated", new DateOnly(2100, 1, 1));
        using var office = await app.As("office");
        foreach (var leader in new[] { "leader-principal", "leader-incharge" })
        {
            var r = await office.PostAsJsonAsync($"/api/v1/collection/{LeaderPeriod}/assignments", new { kind = "leader", assignee = leader, unit = "zjzx", indicator = "P3" });
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }
        using var principal = await app.As("leader-principal");
        using var inCharge = await app.As("leader-incharge");
        await principal.PutAsJsonAsync($"/api/v1/collection/{LeaderPeriod}/leader", new { scores = new[] { new { unit = "zjzx", value = 88 } } });
        await inCharge.PutAsJsonAsync($"/api/v1/collection/{LeaderPeriod}/leader", new { scores = new[] { new { unit = "zjzx", value = 92 } } });
        var own = (await Json(await principal.GetAsync($"/api/v1/collection/{LeaderPeriod}/leader"))).GetProperty("rows")[0];
        Assert.Equal(88, own.GetProperty("score").GetDouble());
        Assert.Empty(own.GetProperty("others").EnumerateObject());
        Assert.Equal(HttpStatusCode.Forbidden, (await principal.GetAsync($"/api/v1/collection/{LeaderPeriod}/leader?leader=leader-incharge")).StatusCode);
        var visible = await Json(await principal.GetAsync($"/api/v1/facts?period={LeaderPeriod}&unit=zjzx"));
        Assert.All(visible.EnumerateArray(), x => Assert.Equal("leader-principal", x.GetProperty("author").GetString()));

        Assert.Equal(HttpStatusCode.Forbidden, (await principal.PostAsync($"/api/v1/collection/{LeaderPeriod}/close-scoring", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await office.PostAsync($"/api/v1/collection/{LeaderPeriod}/close-scoring", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await office.PostAsync($"/api/v1/collection/{LeaderPeriod}/close-scoring", null)).StatusCode);
        own = (await Json(await principal.GetAsync($"/api/v1/collection/{LeaderPeriod}/leader"))).GetProperty("rows")[0];
        Assert.Equal(92, own.GetProperty("others").GetProperty("in-charge").GetDouble());
        Assert.Equal(HttpStatusCode.Conflict, (await principal.PutAsJsonAsync($"/api/v1/collection/{LeaderPeriod}/leader", new { scores = new[] { new { unit = "zjzx", value = 10 } } })).StatusCode);
        Assert.True(await app.WithDb(db => db.AuditEntries.AnyAsync(e => e.Action == "scoring.close" && e.EntityId == LeaderPeriod)));
    }

    [Fact]
    public async Task The_board_shows_the_demo_states_of_the_quarter_being_collected()
    {
        using var office = await app.As("office");
        var board = await Json(await office.GetAsync($"/api/v1/collection/{Collecting}/progress"));
        JsonElement Unit(string id) => board.GetProperty("units").EnumerateArray().Single(r => r.GetProperty("id").GetString() == id);
        Assert.True(Unit(CollectionDemo.AwaitingUnit).GetProperty("awaiting").GetInt32() > 0);
        Assert.True(Unit(CollectionDemo.LateUnit).GetProperty("late").GetInt32() > 0);
        Assert.Equal(1, Unit(CollectionDemo.DraftUnit).GetProperty("drafts").GetInt32());
        Assert.Equal(1, Unit(CollectionDemo.ReturnedUnit).GetProperty("returned").GetInt32());
        Assert.True(Unit("zj-lasa").GetProperty("complete").GetBoolean());
        Assert.All(board.GetProperty("leaders").EnumerateArray(), l => Assert.Equal(0, l.GetProperty("missing").GetInt32()));
        // The awaiting unit's B1 waits for 建筑市场监管处 (its base figures, from which A1–A5 are derived, wait for the office).
        Assert.Contains(board.GetProperty("divisions").EnumerateArray(), d => d.GetProperty("id").GetString() == "scc" && d.GetProperty("awaiting").GetInt32() > 0);
        using var unit = await app.As("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.Forbidden, (await unit.GetAsync($"/api/v1/collection/{Collecting}/progress")).StatusCode);
        // The demo results still compute from the verified and submitted facts.
        foreach (var c in new[] { "housing", "urban", "affiliated", "divisions" }) await Compute(c);
        // The published 2023-Q1 went through 填报 whole: nothing awaits verification there, no draft is left.
        var q1 = await Json(await office.GetAsync("/api/v1/collection/2023-Q1/progress"));
        Assert.All(q1.GetProperty("units").EnumerateArray(), u => Assert.Equal((0, 0), (u.GetProperty("awaiting").GetInt32(), u.GetProperty("drafts").GetInt32())));
    }

    [Fact]
    public async Task Bad_json_fields_are_400_naming_the_field()
    {
        using var unit = await app.As("unit-zj-lasa");
        var r = await unit.PutAsync($"/api/v1/collection/{Collecting}/report/B1", new StringContent("{\"value\":\"abc\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("value", await r.Content.ReadAsStringAsync());
        using var office = await app.As("office");
        var a = await office.PostAsJsonAsync($"/api/v1/collection/{Collecting}/assignments", new { kind = "boss", assignee = "scc", unit = "zj-lasa", indicator = "C3" });
        Assert.Equal(HttpStatusCode.BadRequest, a.StatusCode);
        Assert.True((await Json(a)).GetProperty("errors").TryGetProperty("kind", out _));
    }

    // ------------------------------------------------------------ Excel

    private static MultipartFormDataContent Xlsx(byte[] bytes, string name = "sheet.xlsx") =>
        new() { { new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue(CollectionSheets.ContentType) } }, "file", name } };

    private static byte[] Edit(byte[] xlsx, string sheet, Action<List<Dictionary<string, object?>>> change)
    {
        using var input = new MemoryStream(xlsx);
        var rows = input.Query(useHeaderRow: true, sheetName: sheet).Cast<IDictionary<string, object?>>().Select(r => new Dictionary<string, object?>(r)).ToList();
        change(rows);
        using var output = new MemoryStream();
        output.SaveAs(new Dictionary<string, object> { [sheet] = rows });
        return output.ToArray();
    }

    [Fact]
    public async Task A_scoring_sheet_with_three_bad_rows_is_rejected_naming_exactly_those_rows_and_nothing_is_stored()
    {
        using var zac = await app.As("division-zac");
        var template = await zac.GetByteArrayAsync($"/api/v1/collection/{Collecting}/scoring/xlsx");
        using (var doc = SpreadsheetDocument.Open(new MemoryStream(template), false))
        {
            var validations = doc.WorkbookPart!.WorksheetParts.Single().Worksheet.Descendants<DataValidation>().ToList();
            Assert.Equal(7, validations.Count); // one per C3 row: the entry cells only
            Assert.All(validations, v => Assert.Equal("8", v.Formula2!.Text));
        }
        int rowOf(List<Dictionary<string, object?>> rows, string unit, string indicator) =>
            rows.FindIndex(r => (string?)r["单位编码"] == unit && (string?)r["指标编码"] == indicator) + 2;
        var badRows = new List<int>();
        var bad = Edit(template, "评分", rows =>
        {
            rows[rowOf(rows, "zj-lasa", "C3") - 2]["得分"] = 6.0;           // fine on its own
            rows[rowOf(rows, "zj-xigaze", "C3") - 2]["得分"] = 12.0;        // out of range
            rows[rowOf(rows, "zj-qamdo", "C3") - 2]["得分"] = "七分";        // not a number
            rows[rowOf(rows, "zj-nagqu", "C2") - 2]["得分"] = 5.0;          // a computed indicator takes no score
            badRows.AddRange([rowOf(rows, "zj-xigaze", "C3"), rowOf(rows, "zj-qamdo", "C3"), rowOf(rows, "zj-nagqu", "C2")]);
        });
        var before = await app.WithDb(db => db.Facts.Where(f => f.PeriodId == Collecting && f.IndicatorId!.StartsWith("C")).OrderBy(f => f.Id).Select(f => f.Payload).ToListAsync());
        var r = await zac.PostAsync($"/api/v1/collection/{Collecting}/scoring/xlsx", Xlsx(bad));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var errors = (await Json(r)).GetProperty("errors").EnumerateObject().ToList();
        Assert.Equal(badRows.Order(), errors.Select(e => int.Parse(e.Name[(e.Name.IndexOf('!') + 2)..])).Order());
        Assert.All(errors, e => Assert.StartsWith("评分!", e.Name));
        Assert.Contains(errors, e => e.Value[0].GetString()!.Contains("得分") && e.Value[0].GetString()!.Contains("超出"));
        Assert.Equal(before, await app.WithDb(db => db.Facts.Where(f => f.PeriodId == Collecting && f.IndicatorId!.StartsWith("C")).OrderBy(f => f.Id).Select(f => f.Payload).ToListAsync()));

        var good = Edit(template, "评分", rows => rows[rowOf(rows, "zj-lasa", "C3") - 2]["得分"] = 6.5);
        var ok = await zac.PostAsync($"/api/v1/collection/{Collecting}/scoring/xlsx", Xlsx(good));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(6.5, (await Compute("housing"))["zj-lasa"].Scores["C3"], 9);
    }

    [Fact]
    public async Task Uploads_that_are_not_xlsx_too_large_or_hold_formulas_are_refused_clearly()
    {
        using var principal = await app.As("leader-principal");
        var template = await principal.GetByteArrayAsync($"/api/v1/collection/{Collecting}/leader/xlsx");
        var notXlsx = await principal.PostAsync($"/api/v1/collection/{Collecting}/leader/xlsx", Xlsx(Pdf("x"), "scores.pdf"));
        Assert.Equal(HttpStatusCode.BadRequest, notXlsx.StatusCode);
        Assert.Contains(".xlsx", await notXlsx.Content.ReadAsStringAsync());
        var tooLarge = await principal.PostAsync($"/api/v1/collection/{Collecting}/leader/xlsx", Xlsx(new byte[11 * 1024 * 1024]));
        Assert.Equal(HttpStatusCode.BadRequest, tooLarge.StatusCode);
        Assert.Contains("MB", await tooLarge.Content.ReadAsStringAsync());

        using var ms = new MemoryStream();
        ms.Write(template);
        using (var doc = SpreadsheetDocument.Open(ms, true))
        {
            var ws = doc.WorkbookPart!.WorksheetParts.Single().Worksheet;
            var cell = ws.Descendants<Cell>().First(c => c.CellReference == "F2");
            cell.CellFormula = new CellFormula("50+40");
            ws.Save();
        }
        var formula = await principal.PostAsync($"/api/v1/collection/{Collecting}/leader/xlsx", Xlsx(ms.ToArray()));
        Assert.Equal(HttpStatusCode.BadRequest, formula.StatusCode);
        Assert.True((await Json(formula)).GetProperty("errors").TryGetProperty("领导评价!F2", out _));
    }

    [Fact]
    public async Task Exported_text_that_a_spreadsheet_would_run_as_a_formula_is_neutralised()
    {
        await PrepareAsync("2023-Q4", "housing", new DateOnly(2100, 1, 1));
        const string rules = "{\"B1\":\"=HYPERLINK(\\\"http://example.invalid\\\")\",\"C2\":\"@SUM(1)\"}";
        await app.WithDb(db => db.Database.ExecuteSqlRawAsync(
            "UPDATE \"Schemes\" SET \"RuleTextsJson\" = {0} WHERE \"PeriodId\" = '2023-Q4' AND \"Category\" = 'housing'", rules));
        using var unit = await app.As("unit-zj-lasa");
        var xlsx = await unit.GetByteArrayAsync("/api/v1/collection/2023-Q4/report/xlsx");
        using var ms = new MemoryStream(xlsx);
        var rows = ms.Query(useHeaderRow: true, sheetName: "填报").Cast<IDictionary<string, object?>>().ToList();
        Assert.Equal("'=HYPERLINK(\"http://example.invalid\")", rows.Single(r => (string?)r["指标编码"] == "B1")["评分细则"]);
        Assert.Equal("'@SUM(1)", rows.Single(r => (string?)r["指标编码"] == "C2")["评分细则"]);
    }

    [Fact]
    public async Task A_unit_fills_its_report_from_the_xlsx_template()
    {
        await PrepareAsync(TemplatePeriod, "housing", new DateOnly(2100, 1, 1));
        using var unit = await app.As("unit-zj-nyingchi");
        var template = await unit.GetByteArrayAsync($"/api/v1/collection/{TemplatePeriod}/report/xlsx");
        var filled = Edit(template, "填报", rows =>
        {
            foreach (var r in rows.Where(r => (string?)r["计分方法"] != "基础数据"))
            {
                r["数值"] = 0.8;
                if ((string?)r["指标编码"] is "E1") r["目标值"] = 10.0;
            }
        });
        var r = await unit.PostAsync($"/api/v1/collection/{TemplatePeriod}/report/xlsx", Xlsx(filled));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(HousingReportLeaves.Length, (await Json(r)).GetProperty("imported").GetInt32());
        Assert.Equal(HousingReportLeaves.Length, await app.WithDb(db => db.Facts.CountAsync(f => f.PeriodId == TemplatePeriod && f.UnitId == "zj-nyingchi" && f.Status == FactStatus.Draft)));
    }
}

public sealed class CollectionTestsOnSqlite(SqliteApp app) : CollectionTests<SqliteApp>(app);

public sealed class CollectionTestsOnPostgres(PostgresApp app) : CollectionTests<PostgresApp>(app);
