using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DocumentFormat.OpenXml.Packaging;
using Kaohe.Data;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Collection;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Jobs;
using Kaohe.Web.Features.Publication;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MiniExcelLibs;

namespace Kaohe.Web.Tests.Jobs;

/// <summary>
/// Background jobs (Features/Jobs): a job reports progress and ends with a downloadable result; nobody
/// else sees it; a refused import writes nothing and names its rows; an import that passes supersedes
/// the counted values in one audited transaction; a job orphaned by a dead instance is failed.
/// </summary>
public abstract class JobsTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static async Task<string> StartAsync(HttpResponseMessage r)
    {
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        var body = await r.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/jobs/{id}", r.Headers.Location!.ToString());
        return id;
    }

    /// <summary>Polls the job as the page's script does, until it is finished (bounded by a count of polls, not by time).</summary>
    /// <summary>Imports go into a quarter being collected: the demo's 2023-Q1 is published and takes none (docs/stages.md).</summary>
    private const string Collecting = "2023-Q4";

    private static async Task<JobDto> WaitAsync(HttpClient client, string id)
    {
        for (var i = 0; i < 1200; i++)
        {
            var job = (await client.GetFromJsonAsync<JobDto>($"/api/v1/jobs/{id}", Web))!;
            if (job.Finished) return job;
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"job {id} did not finish");
    }

    private static MultipartFormDataContent Upload(byte[] xlsx, string name = "import.xlsx")
    {
        var content = new ByteArrayContent(xlsx);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        return new MultipartFormDataContent { { content, "file", name } };
    }

    private static byte[] Sheet(IEnumerable<Dictionary<string, object?>> rows, string sheet = FactImport.SheetName)
    {
        using var ms = new MemoryStream();
        ms.SaveAs(new Dictionary<string, object> { [sheet] = rows.ToList() });
        return ms.ToArray();
    }

    private static Dictionary<string, object?> Row(object? unit, object? indicator, object? value, object? target = null) => new()
    {
        [FactImport.CUnit] = unit, [FactImport.CIndicator] = indicator, [FactImport.CValue] = value, [FactImport.CTarget] = target,
    };

    [Fact]
    public async Task A_bulletin_job_reports_its_progress_and_ends_with_a_docx_only_its_owner_and_the_office_can_download()
    {
        using var viewer = await app.As("viewer");
        var id = await StartAsync(await viewer.PostAsync("/api/v1/jobs/bulletin?period=2023-Q1", null));
        var job = await WaitAsync(viewer, id);
        Assert.Equal("Succeeded", job.Status);
        Assert.Equal(100, job.Percent);
        Assert.Equal(3, job.Total);
        Assert.Equal(job.Total, job.Done);
        Assert.NotNull(job.ResultUrl);

        var docx = await viewer.GetByteArrayAsync(job.ResultUrl);
        using (var doc = WordprocessingDocument.Open(new MemoryStream(docx), false))
            Assert.Contains("目标责任考核情况的通报", doc.MainDocumentPart!.Document.Body!.InnerText);

        using var office = await app.As("office");
        Assert.Equal(HttpStatusCode.OK, (await office.GetAsync($"/api/v1/jobs/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await office.GetAsync(job.ResultUrl)).StatusCode);
        Assert.Contains((await office.GetFromJsonAsync<List<JobDto>>("/api/v1/jobs", Web))!, j => j.Id == id);

        foreach (var other in new[] { "leader-principal", "unit-zj-lasa" })
        {
            using var client = await app.As(other);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/jobs/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(job.ResultUrl)).StatusCode);
            Assert.DoesNotContain((await client.GetFromJsonAsync<List<JobDto>>("/api/v1/jobs", Web))!, j => j.Id == id);
            using var page = await app.SignedIn(other);
            Assert.Equal(HttpStatusCode.NotFound, (await page.GetAsync($"/Jobs/{id}")).StatusCode);
        }
        var audit = await app.WithDb(db => db.AuditEntries.Where(e => e.EntityId == id || e.NewValue!.Contains(id)).Select(e => e.Action).ToListAsync());
        Assert.Contains("job.start", audit);
        Assert.Contains("job.result", audit);
        Assert.Contains("job.succeeded", audit);
    }

    [Fact]
    public async Task The_job_page_shows_a_progress_bar_fed_by_the_api_and_the_result_once_done()
    {
        using var office = await app.As("office");
        var id = await StartAsync(await office.PostAsync("/api/v1/jobs/scores-workbook?period=2023-Q1", null));
        var job = await WaitAsync(office, id);
        Assert.Equal("Succeeded", job.Status);
        using var page = await app.SignedIn("office");
        var html = await page.GetStringAsync($"/Jobs/{id}");
        Assert.Contains($"data-job-url=\"/api/v1/jobs/{id}\"", html);
        Assert.Contains("<progress id=\"job-bar\" max=\"100\" value=\"100\"", html);
        Assert.Contains(job.ResultUrl!, html);
        Assert.Contains("/js/jobs.js", html);
        Assert.Contains(id, await page.GetStringAsync("/Jobs"));
    }

    [Theory]
    [InlineData("unit-zj-lasa", "/api/v1/jobs/fact-import?period=2023-Q1")]
    [InlineData("division-scc", "/api/v1/jobs/fact-import?period=2023-Q1")]
    [InlineData("viewer", "/api/v1/jobs/recompute?period=2023-Q1")]
    public async Task Only_the_office_imports_and_recomputes(string user, string url)
    {
        using var client = await app.As(user);
        var r = await client.PostAsync(url, Upload(Sheet([Row("zj-lasa", "B1", 1)])));
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        using var anonymous = app.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/jobs")).StatusCode);
    }

    [Fact]
    public async Task Wrong_requests_are_problems_naming_the_field()
    {
        using var office = await app.As("office");
        var noPeriod = await office.PostAsync("/api/v1/jobs/bulletin", null);
        Assert.Equal(HttpStatusCode.BadRequest, noPeriod.StatusCode);
        Assert.Contains("period", await noPeriod.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await office.PostAsync("/api/v1/jobs/bulletin?period=1999-Q1", null)).StatusCode);
        var notXlsx = await office.PostAsync("/api/v1/jobs/fact-import?period=2023-Q1", Upload([1, 2, 3], "data.csv"));
        Assert.Equal(HttpStatusCode.BadRequest, notXlsx.StatusCode);
        Assert.Contains("file", await notXlsx.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await office.GetAsync("/api/v1/jobs/0000")).StatusCode);
    }

    [Fact]
    public async Task A_refused_import_writes_nothing_and_names_every_bad_row_by_sheet_row_and_column()
    {
        using var office = await app.As("office");
        var template = await office.GetByteArrayAsync($"/api/v1/jobs/fact-import/template?period={Collecting}&filled=true");
        var rows = new MemoryStream(template).Query(useHeaderRow: true, sheetName: FactImport.SheetName).Cast<IDictionary<string, object?>>().ToList();
        Assert.True(rows.Count > 50, $"{rows.Count} rows");
        var good = rows.Take(20).Select(r => Row(r[FactImport.CUnit], r[FactImport.CIndicator], r[FactImport.CValue], r[FactImport.CTarget])).ToList();
        var bad = good.Concat(
        [
            Row("no-such-unit", good[0][FactImport.CIndicator], 1),       // row 22: unit
            Row(good[0][FactImport.CUnit], "NO-SUCH-LEAF", 1),             // row 23: indicator
            Row(good[1][FactImport.CUnit], good[1][FactImport.CIndicator], "many"), // row 24: value (and a duplicate of row 3 once it parses)
            Row(good[2][FactImport.CUnit], good[2][FactImport.CIndicator], good[2][FactImport.CValue], good[2][FactImport.CTarget]), // row 25: a duplicate of row 4
        ]).ToList();
        var before = await app.WithDb(db => db.Facts.CountAsync());
        var auditBefore = await app.WithDb(db => db.AuditEntries.CountAsync(e => e.Action == "facts.import"));

        var id = await StartAsync(await office.PostAsync($"/api/v1/jobs/fact-import?period={Collecting}", Upload(Sheet(bad))));
        var job = await WaitAsync(office, id);

        Assert.Equal("Failed", job.Status);
        Assert.Contains("未导入任何内容", job.Error);
        Assert.NotNull(job.Errors);
        Assert.Contains("批量导入!A22", job.Errors!.Keys);
        Assert.Contains("批量导入!B23", job.Errors.Keys);
        Assert.Contains("批量导入!C24", job.Errors.Keys);
        Assert.Contains("批量导入!B25", job.Errors.Keys);
        Assert.Contains("第25行", job.Errors["批量导入!B25"][0]);
        Assert.Contains("第 4 行", job.Errors["批量导入!B25"][0]);
        Assert.Equal(4, job.Errors.Count);
        Assert.Equal(before, await app.WithDb(db => db.Facts.CountAsync()));
        Assert.Equal(auditBefore, await app.WithDb(db => db.AuditEntries.CountAsync(e => e.Action == "facts.import")));

        using var page = await app.SignedIn("office");
        var html = await page.GetStringAsync($"/Jobs/{id}");
        Assert.Contains("批量导入!C24", html);
    }

    [Fact]
    public async Task An_import_supersedes_the_counted_values_in_one_audited_transaction_and_the_results_still_compute()
    {
        using var office = await app.As("office");
        var template = await office.GetByteArrayAsync($"/api/v1/jobs/fact-import/template?period={Collecting}&filled=true");
        var rows = new MemoryStream(template).Query(useHeaderRow: true, sheetName: FactImport.SheetName).Cast<IDictionary<string, object?>>()
            .Select(r => Row(r[FactImport.CUnit], r[FactImport.CIndicator], r[FactImport.CValue], r[FactImport.CTarget])).ToList();
        var (unit, indicator) = ((string)rows[0][FactImport.CUnit]!, (string)rows[0][FactImport.CIndicator]!);
        var counted = await app.WithDb(db => db.Facts.CountAsync(f => f.PeriodId == Collecting && f.Kind == FactKind.Value && FactStatuses.Counted.Contains(f.Status)));
        // The filled template also holds the base figures (measures) the bureaus reported.
        Assert.Contains(rows, r => (string?)r[FactImport.CIndicator] == "inv");
        var countedFigures = await app.WithDb(db => db.Facts.CountAsync(f => f.PeriodId == Collecting && f.Kind == FactKind.Measure && FactStatuses.Counted.Contains(f.Status)));
        var before = await app.WithDb(db => db.Facts.CountAsync());

        var id = await StartAsync(await office.PostAsync($"/api/v1/jobs/fact-import?period={Collecting}", Upload(Sheet(rows))));
        var job = await WaitAsync(office, id);

        Assert.True(job.Status == "Succeeded", job.Error);
        Assert.Equal(rows.Count, job.Total);
        Assert.Equal(rows.Count, job.Done);
        Assert.Equal(before + rows.Count, await app.WithDb(db => db.Facts.CountAsync()));
        // Every counted value the file names was superseded: the count of counted values is unchanged.
        Assert.Equal(counted, await app.WithDb(db => db.Facts.CountAsync(f => f.PeriodId == Collecting && f.Kind == FactKind.Value && FactStatuses.Counted.Contains(f.Status))));
        Assert.Equal(countedFigures, await app.WithDb(db => db.Facts.CountAsync(f => f.PeriodId == Collecting && f.Kind == FactKind.Measure && FactStatuses.Counted.Contains(f.Status))));
        var slot = await app.WithDb(db => db.Facts.AsNoTracking().Where(f => f.PeriodId == Collecting && f.UnitId == unit && f.IndicatorId == indicator && f.Kind == FactKind.Value)
            .OrderBy(f => f.Id).ToListAsync());
        var latest = slot[^1];
        Assert.Equal(FactStatus.Submitted, latest.Status);
        Assert.Equal("office", latest.Author);
        Assert.Contains(slot, f => f.Status == FactStatus.Returned && f.StatusReason!.Contains(id));

        var entry = await app.WithDb(db => db.AuditEntries.AsNoTracking().SingleAsync(e => e.Action == "facts.import" && e.EntityId == id));
        Assert.Equal("office", entry.Actor);
        Assert.Contains("\"sha256\":\"", entry.NewValue);
        Assert.Contains($"\"rows\":{rows.Count}", entry.NewValue);
        Assert.True((await app.WithDb(db => AuditChain.VerifyAsync(db))).Ok);

        // The job brought the drafts of what it imported up to date (issue 20): reading them now computes nothing, and they are at the current revision.
        var store = app.Factory.Services.GetRequiredService<ResultsStore>();
        var computed = store.Computations;
        var revision = await app.WithDb(db => ResultsStore.RevisionAsync(db, Collecting));
        foreach (var category in new[] { "housing", "urban" })
        {
            var d = await app.WithDb(db => store.DraftAsync(db, Collecting, category));
            Assert.True(d is { Scored: true }, $"{category}: {string.Join("; ", d?.Errors.Select(e => e.Path + " " + e.En) ?? [])}");
            Assert.Equal(revision, d!.Revision);
        }
        Assert.Equal(computed, store.Computations);
    }

    /// <summary>
    /// 批量导入 of base figures (measures): checked by the 填报 sheet's rules, all or nothing with each error naming its row; once
    /// imported they supersede the counted figures, and the derived indicators follow (A1 = inv / plan).
    /// </summary>
    [Fact]
    public async Task Base_figures_are_imported_checked_by_their_rules_all_or_nothing_and_the_derived_values_follow()
    {
        using var office = await app.As("office");
        var before = await app.WithDb(db => db.Facts.CountAsync());
        var bad = await StartAsync(await office.PostAsync($"/api/v1/jobs/fact-import?period={Collecting}", Upload(Sheet(
        [
            Row("zj-lasa", "inv", 80_000.0),                 // row 2: good
            Row("zj-xigaze", "started", 2.5),               // row 3: a fraction of a project
            Row("zj-qamdo", "inv", -5.0),                   // row 4: a negative investment
            Row("zj-nagqu", "due", 6.0, 3.0),               // row 5: a base figure has no target
            Row("zj-lasa", "inv", 81_000.0),                // row 6: a duplicate of row 2
        ]))));
        var failed = await WaitAsync(office, bad);
        Assert.Equal("Failed", failed.Status);
        Assert.Equal(["批量导入!B6", "批量导入!C3", "批量导入!C4", "批量导入!D5"], failed.Errors!.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("整数", failed.Errors["批量导入!C3"][0]);
        Assert.Contains("第3行", failed.Errors["批量导入!C3"][0]);
        Assert.Contains("负数", failed.Errors["批量导入!C4"][0]);
        Assert.Contains("第 2 行", failed.Errors["批量导入!B6"][0]);
        Assert.Equal(before, await app.WithDb(db => db.Facts.CountAsync()));

        var good = await StartAsync(await office.PostAsync($"/api/v1/jobs/fact-import?period={Collecting}", Upload(Sheet(
            [Row("zj-lasa", "inv", 80_000.0), Row("zj-xigaze", "started", 3.0)]))));
        var job = await WaitAsync(office, good);
        Assert.True(job.Status == "Succeeded", job.Error);
        var inv = await app.WithDb(db => db.Facts.AsNoTracking().Where(f => f.PeriodId == Collecting && f.UnitId == "zj-lasa" && f.IndicatorId == "inv")
            .OrderBy(f => f.Id).ToListAsync());
        Assert.All(inv, f => Assert.Equal(FactKind.Measure, f.Kind));
        Assert.Equal((FactStatus.Submitted, 80_000.0), (inv[^1].Status, FactPayload.Parse(inv[^1].Payload).Value));
        Assert.Single(inv, f => FactStatuses.Counted.Contains(f.Status));
        Assert.Contains(inv, f => f.Status == FactStatus.Returned && f.StatusReason!.Contains(good));
        var plan = await app.WithDb(db => db.Facts.AsNoTracking().Where(f => f.PeriodId == Collecting && f.UnitId == "zj-lasa" && f.IndicatorId == "plan"
            && FactStatuses.Counted.Contains(f.Status)).Select(f => f.Payload).SingleAsync());
        var draft = await app.WithDb(db => app.Factory.Services.GetRequiredService<ResultsStore>().DraftAsync(db, Collecting, "housing"));
        Assert.True(draft!.Scored, string.Join("; ", draft.Errors.Select(e => e.En)));
        Assert.Equal(Kaohe.Scoring.Rounding.HalfAwayFromZero(80_000 / FactPayload.Parse(plan).Value!.Value, 4), draft.ByUnit["zj-lasa"].Values["A1"]);
    }

    [Fact]
    public async Task A_job_left_running_by_a_dead_instance_is_marked_failed_and_a_live_one_is_not()
    {
        var dead = new Job(BulletinJob.JobKind, "office", Roles.Office, "2023-Q1", null, DateTimeOffset.UtcNow.AddHours(-2));
        var alive = new Job(BulletinJob.JobKind, "office", Roles.Office, "2023-Q1", null, DateTimeOffset.UtcNow);
        await app.WithDb(async db =>
        {
            foreach (var (job, beat) in new[] { (dead, DateTimeOffset.UtcNow.AddHours(-1)), (alive, DateTimeOffset.UtcNow.AddMinutes(5)) })
            {
                db.Add(job);
                db.Entry(job).Property(j => j.Status).CurrentValue = JobStatus.Running;
                db.Entry(job).Property(j => j.Instance).CurrentValue = "another-host:1:dead";
                db.Entry(job).Property(j => j.StartedAt).CurrentValue = beat;
                db.Entry(job).Property(j => j.HeartbeatAt).CurrentValue = beat;
            }
            return await db.SaveChangesAsync();
        });

        await app.Factory.Services.GetRequiredService<JobRunner>().RecoverOrphansAsync();

        var after = await app.WithDb(db => db.Set<Job>().AsNoTracking().Where(j => j.Id == dead.Id || j.Id == alive.Id).ToDictionaryAsync(j => j.Id));
        Assert.Equal(JobStatus.Failed, after[dead.Id].Status);
        Assert.Contains("实例已停止", after[dead.Id].Error);
        Assert.NotNull(after[dead.Id].FinishedAt);
        Assert.Equal(JobStatus.Running, after[alive.Id].Status);
        using var office = await app.As("office");
        var dto = (await office.GetFromJsonAsync<JobDto>($"/api/v1/jobs/{dead.Id}", Web))!;
        Assert.True(dto.Finished);
        Assert.Contains(await app.WithDb(db => db.AuditEntries.Where(e => e.EntityId == dead.Id).Select(e => e.Action).ToListAsync()), a => a == "job.orphaned");
    }

    /// <summary>
    /// Each feature registers its own jobs (AddJob in its AddXxx): every kind the runner accepts has a
    /// handler of that kind, and the kinds the pages and APIs start are among them.
    /// </summary>
    [Fact]
    public void Every_registered_kind_resolves_to_a_handler_of_that_kind()
    {
        using var scope = app.Factory.Services.CreateScope();
        var kinds = scope.ServiceProvider.GetRequiredService<JobKinds>();
        Assert.Superset(new HashSet<string> { FactImport.JobKind, BulletinJob.JobKind, ScoresWorkbookJob.JobKind, RecomputeJob.JobKind, Kaohe.Web.Features.Surveys.SurveyTallyJob.JobKind }, kinds);
        foreach (var kind in kinds)
            Assert.Equal(kind, scope.ServiceProvider.GetRequiredKeyedService<IJobHandler>(kind).Kind);
    }
}

public sealed class JobsTestsOnSqlite(SqliteApp app) : JobsTests<SqliteApp>(app);

public sealed class JobsTestsOnPostgres(PostgresApp app) : JobsTests<PostgresApp>(app);
