using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using Xunit.Abstractions;
using static Kaohe.Reliability.Clients;

namespace Kaohe.Reliability;

/// <summary>
/// Faults on PostgreSQL: the application killed with SIGKILL in the middle of an .xlsx import and of a
/// publication, and its attachment directory full or read-only. The kill lands at a known point: a
/// test session blocks inserts into the audit trail, which every change writes last in its
/// transaction, so the import (or publication) stops with its own rows written but not committed;
/// pg_locks shows which tables it has written to; then the process is killed.
/// </summary>
public sealed class PgFaultTests(PgApp app, ITestOutputHelper output) : IClassFixture<PgApp>
{
    /// <summary>Sends a request that will never be answered (the process is killed under it); swallows the broken connection.</summary>
    private static async Task<HttpResponseMessage?> Doomed(Task<HttpResponseMessage> request)
    {
        try { return await request; }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException) { return null; }
    }

    /// <summary>Blocks the audit trail, starts <paramref name="send"/>, waits until it is stuck mid-transaction, kills the app, and returns the tables it had written to.</summary>
    private async Task<List<string>> KillMidWriteAsync(Func<Task<HttpResponseMessage>> send)
    {
        Assert.True(app.App.IsRunning);
        List<string> written;
        Task<HttpResponseMessage?> pending;
        await using (var gate = await Gate.BlockAuditInsertsAsync(app.Database.ConnectionString))
        {
            pending = Doomed(send());
            written = await gate.WaitForWaitersAsync(1, TimeSpan.FromSeconds(120));
            await app.App.KillAsync();
        }
        Assert.Null(await pending);
        return written;
    }

    private async Task<byte[]> ReportWorkbookAsync(HttpClient unit)
    {
        var sheet = await unit.GetFromJsonAsync<JsonElement>($"/api/v1/collection/{Periods.Fresh}/report");
        var rows = sheet.GetProperty("rows").EnumerateArray().Select(r => new Dictionary<string, object?>
        {
            ["指标编码"] = r.GetProperty("indicatorId").GetString(),
            ["指标名称"] = r.GetProperty("name").GetString(),
            ["分值"] = r.GetProperty("points").GetDouble(),
            ["计分方法"] = r.GetProperty("kind").GetString(),
            ["评分细则"] = "",
            ["数值"] = r.GetProperty("needsTarget").GetBoolean() ? 5.0 : 0.5,
            ["目标值"] = r.GetProperty("needsTarget").GetBoolean() ? 6.0 : null,
            ["状态"] = "",
        }).ToList();
        Assert.NotEmpty(rows);
        using var ms = new MemoryStream();
        ms.SaveAs(new Dictionary<string, object> { ["填报"] = rows });
        return ms.ToArray();
    }

    [Fact]
    public async Task Killed_in_the_middle_of_a_collection_xlsx_import_the_import_left_no_row_and_can_be_done_again()
    {
        await app.EnsureRunningAsync();
        await Periods.EnsureFreshAsync(app.Db, app.BaseUrl);
        const string unitId = "zj-lasa";
        using var unit = await BearerAsync(app.BaseUrl, "unit-zj-lasa");
        var workbook = await ReportWorkbookAsync(unit);
        var factsSql = $"SELECT count(*) FROM \"Facts\" WHERE \"PeriodId\" = '{Periods.Fresh}' AND \"UnitId\" = '{unitId}'";
        Assert.Equal(0, await app.Database.CountAsync(factsSql));

        var written = await KillMidWriteAsync(() => unit.PostAsync($"/api/v1/collection/{Periods.Fresh}/report/xlsx", Upload("file", "填报.xlsx", workbook)));
        output.WriteLine($"collection import killed while holding writes on: {string.Join(", ", written)}");
        Assert.Contains("Facts", written);
        Assert.Equal(0, await app.Database.CountAsync(factsSql));

        await app.RestartAsync();
        Assert.Equal(0, await app.Database.CountAsync(factsSql));
        using var again = await BearerAsync(app.BaseUrl, "unit-zj-lasa");
        var response = await again.PostAsync($"/api/v1/collection/{Periods.Fresh}/report/xlsx", Upload("file", "填报.xlsx", workbook));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var imported = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("imported").GetInt32();
        Assert.True(imported > 0);
        Assert.Equal(imported, await app.Database.CountAsync(factsSql));
        output.WriteLine($"after the restart the same workbook imported {imported} rows");
        await using var db = app.Db();
        Assert.True((await AuditChain.VerifyAsync(db)).Ok);
    }

    public const int PaperRows = 2000;

    [Fact]
    public async Task Killed_in_the_middle_of_a_paper_survey_xlsx_import_the_import_left_no_row_and_can_be_done_again()
    {
        await app.EnsureRunningAsync();
        using var office = await SignedInAsync(app.BaseUrl, "office");
        var site = (await SitesAsync(app.BaseUrl))[0];
        var template = await office.GetByteArrayAsync($"/Surveys/Paper?handler=Template&period={site.Period}");
        using var ts = new MemoryStream(template);
        var example = (IDictionary<string, object?>)ts.Query(useHeaderRow: true, sheetName: "纸质问卷").First();
        var rows = Enumerable.Range(1, PaperRows).Select(i =>
        {
            var row = example.ToDictionary(kv => kv.Key, kv => kv.Value);
            row["调查点编号"] = site.Code;
            row["问卷编号"] = $"KILL-{i:0000}";
            return row;
        }).ToList();
        using var ws = new MemoryStream();
        ws.SaveAs(new Dictionary<string, object> { ["纸质问卷"] = rows });
        var workbook = ws.ToArray();
        const string paperSql = "SELECT count(*) FROM \"SurveyResponses\" WHERE \"PaperSheet\" LIKE 'KILL-%'";

        var page = await office.GetStringAsync($"/Surveys/Paper?period={site.Period}");
        var written = await KillMidWriteAsync(() => office.PostAsync($"/Surveys/Paper?handler=Import&period={site.Period}",
            Upload("upload", "纸质问卷.xlsx", workbook, AntiForgeryToken(page))));
        output.WriteLine($"paper import of {PaperRows} rows killed while holding writes on: {string.Join(", ", written)}");
        Assert.Contains("SurveyResponses", written);
        Assert.Equal(0, await app.Database.CountAsync(paperSql));

        await app.RestartAsync();
        Assert.Equal(0, await app.Database.CountAsync(paperSql));
        using var again = await SignedInAsync(app.BaseUrl, "office");
        page = await again.GetStringAsync($"/Surveys/Paper?period={site.Period}");
        var response = await again.PostAsync($"/Surveys/Paper?handler=Import&period={site.Period}", Upload("upload", "纸质问卷.xlsx", workbook, AntiForgeryToken(page)));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(PaperRows, await app.Database.CountAsync(paperSql));
        await using var db = app.Db();
        Assert.True((await AuditChain.VerifyAsync(db)).Ok);
    }

    [Fact]
    public async Task Killed_in_the_middle_of_a_publication_there_is_no_partial_snapshot_and_publishing_again_works()
    {
        await app.EnsureRunningAsync();
        const string period = "2023-Q3", category = "housing";
        using var office = await BearerAsync(app.BaseUrl, "office");
        Assert.Equal(HttpStatusCode.NoContent, (await office.PostAsJsonAsync($"/api/v1/periods/{period}/review/skip", new { reason = "可靠性测试 / reliability test" })).StatusCode);
        string Status(KaoheDbContext db) => db.Periods.AsNoTracking().First(p => p.Id == period).Status.ToString();
        string before;
        await using (var db = app.Db()) before = Status(db);
        var snapshotsSql = $"SELECT count(*) FROM \"Snapshots\" WHERE \"PeriodId\" = '{period}'";

        var revision = await RevisionAsync(office, period, category);
        var written = await KillMidWriteAsync(() => office.PostAsJsonAsync($"/api/v1/periods/{period}/categories/{category}/publish", new { revision }));
        output.WriteLine($"publication killed while holding writes on: {string.Join(", ", written)}");
        Assert.Contains("Snapshots", written);
        Assert.Equal(0, await app.Database.CountAsync(snapshotsSql));
        await using (var db = app.Db()) Assert.Equal(before, Status(db));

        await app.RestartAsync();
        using var again = await BearerAsync(app.BaseUrl, "office");
        var published = await again.PostAsJsonAsync($"/api/v1/periods/{period}/categories/{category}/publish", new { revision });
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        await using (var db = app.Db())
        {
            var snapshot = Assert.Single(await db.Snapshots.AsNoTracking().Where(s => s.PeriodId == period).ToListAsync());
            Assert.Equal(1, snapshot.Version);
            // The snapshot is whole: its document holds the input and result whose hashes it records.
            var document = JsonDocument.Parse(snapshot.Document).RootElement;
            Assert.True(document.TryGetProperty("input", out _) || document.EnumerateObject().Any(p => p.Name.Contains("input", StringComparison.OrdinalIgnoreCase)));
            Assert.Equal(1, await db.AuditEntries.CountAsync(e => e.Action == "snapshot.publish" && e.EntityId == snapshot.Key));
            Assert.True((await AuditChain.VerifyAsync(db)).Ok);
        }
    }

    /// <summary>
    /// Cuts the application's database connection after its rows are written and before the commit
    /// (the riskiest moment of a server restart), then lets the execution strategy retry. The answer
    /// must be either acknowledged and stored, or refused and not stored.
    /// </summary>
    private async Task<(HttpResponseMessage? Response, List<string> Written)> CutBeforeCommitAsync(Func<Task<HttpResponseMessage>> send)
    {
        Task<HttpResponseMessage?> pending;
        List<string> written;
        await using (var gate = await Gate.BlockAuditInsertsAsync(app.Database.ConnectionString))
        {
            pending = Doomed(send());
            written = await gate.WaitForWaitersAsync(1, TimeSpan.FromSeconds(120));
            Assert.Equal(1, await gate.TerminateWaitersAsync());
        }
        return (await pending, written);
    }

    [Fact]
    public async Task A_survey_answer_whose_connection_is_cut_before_the_commit_is_stored_if_and_only_if_acknowledged()
    {
        await app.EnsureRunningAsync();
        var site = (await SitesAsync(app.BaseUrl))[0];
        var code = (await IssueCodesAsync(app.BaseUrl, site, 1))[0];
        var answers = await AnswersAsync(app.BaseUrl, code);
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl), Timeout = TimeSpan.FromSeconds(90) };
        var (response, written) = await CutBeforeCommitAsync(() => http.PostAsJsonAsync($"/api/v1/survey/{code}", new { answers, language = "zh" }));
        Assert.Contains("SurveyResponses", written);
        var stored = await app.Database.CountAsync(
            $"SELECT count(*) FROM \"SurveyResponses\" r JOIN \"SurveyTokens\" t ON t.\"Id\" = r.\"TokenId\" WHERE t.\"TokenHash\" = '{Kaohe.Data.SurveyTokens.Hash(code)}'");
        var used = await app.Database.CountAsync(
            $"SELECT count(*) FROM \"SurveyTokens\" WHERE \"UsedAt\" IS NOT NULL AND \"TokenHash\" = '{Kaohe.Data.SurveyTokens.Hash(code)}'");
        output.WriteLine($"survey answer cut before commit: answered {(int?)response?.StatusCode}, stored {stored}, token used {used}");
        Assert.Equal(used, stored);
        if (response is { IsSuccessStatusCode: true }) Assert.Equal(1, stored);
        await using var db = app.Db();
        Assert.True((await AuditChain.VerifyAsync(db)).Ok);
    }

    [Fact]
    public async Task A_platform_batch_whose_connection_is_cut_before_the_commit_is_stored_if_and_only_if_acknowledged()
    {
        await app.EnsureRunningAsync();
        await Periods.EnsureFreshAsync(app.Db, app.BaseUrl);
        using var platform = await PlatformAsync(app.BaseUrl, "信息归集平台", "D1", "B1");
        var batch = new
        {
            period = Periods.Fresh,
            records = new[]
            {
                new { key = "cut-shannan-D1", unit = "zj-shannan", indicator = "D1", value = 97.0 },
                new { key = "cut-shannan-B1", unit = "zj-shannan", indicator = "B1", value = 0.9 },
            },
        };
        var (response, written) = await CutBeforeCommitAsync(() => platform.PostAsJsonAsync("/api/v1/facts", batch));
        Assert.Contains("Facts", written);
        var stored = await app.Database.CountAsync("SELECT count(*) FROM \"Facts\" WHERE \"IdempotencyKey\" LIKE '%:cut-shannan-%'");
        output.WriteLine($"platform batch cut before commit: answered {(int?)response?.StatusCode}, stored {stored} of 2 records");
        Assert.True(stored is 0 or 2, $"{stored} of 2 records stored: the batch is all or nothing");
        if (response is { IsSuccessStatusCode: true }) Assert.Equal(2, stored);
        // Sending it again (as the platform does when unsure) ends with both records stored once.
        var again = await platform.PostAsJsonAsync("/api/v1/facts", batch);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(2, await app.Database.CountAsync("SELECT count(*) FROM \"Facts\" WHERE \"IdempotencyKey\" LIKE '%:cut-shannan-%'"));
        await using var db = app.Db();
        Assert.True((await AuditChain.VerifyAsync(db)).Ok);
    }

    private async Task<HttpClient> UnitWithDraftAsync(string indicator)
    {
        await Periods.EnsureFreshAsync(app.Db, app.BaseUrl);
        var unit = await BearerAsync(app.BaseUrl, "unit-zj-nyingchi");
        var saved = await unit.PutAsJsonAsync($"/api/v1/collection/{Periods.Fresh}/report/{indicator}", new { value = 0.5 });
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        return unit;
    }

    private static byte[] Pdf(int size)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        "%PDF-1.4\n"u8.CopyTo(bytes);
        return bytes;
    }

    private async Task AssertEveryAttachmentRowHasItsFileAsync()
    {
        await using var db = app.Db();
        var rows = await db.Set<Attachment>().AsNoTracking().ToListAsync();
        var missing = rows.Where(a => !File.Exists(Path.Combine(app.AttachmentsDir, a.StoredName))).Select(a => $"{a.Id} {a.StoredName}").ToList();
        Assert.Empty(missing);
    }

    private static async Task<string> AssertStorageProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.InsufficientStorage, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(507, problem.GetProperty("status").GetInt32());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("附件存储", detail);
        return detail;
    }

    [Fact]
    public async Task A_full_or_read_only_attachment_directory_is_a_clear_507_and_no_row_points_at_a_missing_file()
    {
        await app.EnsureRunningAsync();
        Assert.True(app.MountError is null, app.MountError);
        const string indicator = "C2";
        using var unit = await UnitWithDraftAsync(indicator);
        var url = $"/api/v1/collection/{Periods.Fresh}/report/{indicator}/evidence";
        await using var db0 = app.Db();
        var attachmentsBefore = await db0.Set<Attachment>().CountAsync();

        // Full: a filler file takes what is left of the 4 MB tmpfs.
        var filler = Path.Combine(app.AttachmentsDir, "filler.bin");
        try
        {
            await using (var f = new FileStream(filler, FileMode.Create))
            {
                var block = new byte[64 * 1024];
                try { while (true) f.Write(block); }
                catch (IOException) { }
            }
            var full = await unit.PostAsync(url, Upload("file", "整改照片.pdf", Pdf(300 * 1024)));
            output.WriteLine("full: " + await AssertStorageProblemAsync(full));
            var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = Upload("file", "photo.pdf", Pdf(300 * 1024)) };
            request.Headers.AcceptLanguage.ParseAdd("en");
            var english = await unit.SendAsync(request);
            Assert.Equal(HttpStatusCode.InsufficientStorage, english.StatusCode);
            output.WriteLine("full (en): " + (await english.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }
        finally
        {
            File.Delete(filler);
        }
        Assert.Equal(attachmentsBefore, await db0.Set<Attachment>().CountAsync());
        Assert.Empty(Directory.GetFiles(app.AttachmentsDir, ".upload-*"));

        // Read-only.
        Assert.Null(await PgApp.Mount("-o", "remount,ro", app.AttachmentsDir));
        try
        {
            var readOnly = await unit.PostAsync(url, Upload("file", "整改照片.pdf", Pdf(100 * 1024)));
            output.WriteLine("read-only: " + await AssertStorageProblemAsync(readOnly));
        }
        finally
        {
            Assert.Null(await PgApp.Mount("-o", "remount,rw", app.AttachmentsDir));
        }
        Assert.Equal(attachmentsBefore, await db0.Set<Attachment>().CountAsync());
        await AssertEveryAttachmentRowHasItsFileAsync();

        // With room again, the same upload is stored, and its row points at its file.
        var stored = await unit.PostAsync(url, Upload("file", "整改照片.pdf", Pdf(100 * 1024)));
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        Assert.Equal(attachmentsBefore + 1, await db0.Set<Attachment>().CountAsync());
        await AssertEveryAttachmentRowHasItsFileAsync();
    }
}
