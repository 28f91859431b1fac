using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DocumentFormat.OpenXml.Packaging;
using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>
/// Stored XSS (issue 8): payloads go into every free-text field users fill — through the API or the
/// forms, as the role that fills it — and every page that shows them is opened in Chromium. Nothing
/// may run (window.__xss stays undefined, no dialog, no refused script or event handler in the console), no
/// element may be injected, and the payload must read as text where it is shown. The content
/// security policy would stop inline script even from raw HTML, so the "injected element" and
/// "shown as text" checks are what make this test fail if a page ever renders raw HTML.
/// </summary>
public sealed class XssTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    internal const string Script = "<script>window.__xss=1</script>";
    internal const string Img = "<img src=x onerror=\"window.__xss=1;alert(1)\">";
    private const string Svg = "\"><svg onload=\"window.__xss=1;alert(1)\">";
    private const string JsUrl = "javascript:window.__xss=1";

    /// <summary>The payload stored in one field; the marker names the field in a failure.</summary>
    internal static string P(string field) => $"XSS-{field} {Script}{Img}{Svg} {JsUrl}";

    /// <summary>The payload for a short column (a responsible person: 100 characters), which now refuses a longer text on SQLite too.</summary>
    internal static string Short(string field) => $"XSS-{field} {Script}{Img}";

    /// <summary>What must read as text where the field is shown (lists may shorten the rest).</summary>
    internal static string Shown(string field) => $"XSS-{field} {Script}";

    internal const string Injected = """
        () => document.querySelectorAll('img[src="x"], svg[onload], [onerror], [onload], a[href^="javascript:" i], iframe[src^="javascript:" i]').length
            + [...document.scripts].filter(s => (s.textContent || '').includes('__xss')).length
        """;

    private Task<HttpClient> Api(string user) => Api(app.BaseUrl, user);

    /// <summary>A bearer-token client of <paramref name="user"/>, for storing payloads through the API as a real client would.</summary>
    internal static async Task<HttpClient> Api(string baseUrl, string user)
    {
        var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        var token = await http.PostAsJsonAsync("/api/v1/auth/token", new { username = user, password = BrowserFixture.Password });
        token.EnsureSuccessStatusCode();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString());
        return http;
    }

    internal static async Task<JsonElement> Ok(HttpResponseMessage r, string what)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, $"{what}: {(int)r.StatusCode} {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Opens the page signed in as the user and checks that every listed field is shown as text and nothing ran.</summary>
    private Task AssertInert(IPage page, string url, params string[] fields) =>
        XssMoreFieldsTests.Inert(page, url, () => page.GotoAsync(app.BaseUrl + url), fields);

    [Fact]
    public async Task Payloads_in_every_free_text_field_render_as_inert_text_and_the_bulletin_keeps_them_literal()
    {
        var period = await app.FreshQuarter();    // 2024-Q1: active schemes, nothing reported yet

        // 被考核单位: a draft with 佐证材料 whose file name carries markup (names are stripped of < > " when stored).
        using var unit = await Api("unit-zj-lasa");
        await Ok(await unit.PutAsJsonAsync($"/api/v1/collection/{period}/report/B1", new { value = 0.9 }), "draft");
        using (var form = new MultipartFormDataContent())
        {
            var file = new ByteArrayContent(System.Text.Encoding.ASCII.GetBytes("%PDF-1.4\n%%EOF\n"));
            file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
            form.Add(file, "file", "XSS-evidence <img src=x onerror=alert(1)>.pdf");
            await Ok(await unit.PostAsync($"/api/v1/collection/{period}/report/B1/evidence", form), "evidence");
        }
        // 申诉理由, in the quarter whose review window is open.
        await Ok(await unit.PostAsJsonAsync("/api/v1/appeals", new { period = "2023-Q2", category = "housing", indicatorId = "A1", reason = P("appeal") }), "appeal");

        // 考核办: a scheme named with markup, a rectification item (problem, responsible person, milestone).
        using var office = await Api("office");
        var housing = await office.GetFromJsonAsync<JsonElement[]>("/api/v1/schemes?period=2023-Q1&category=housing");
        var document = JsonDocument.Parse(await office.GetStringAsync($"/api/v1/schemes/{housing![0].GetProperty("id").GetInt32()}")).RootElement;
        var scheme = await Ok(await office.PostAsJsonAsync("/api/v1/schemes", new { category = "housing", period = "2023-Q4", name = P("scheme"), document }), "scheme");
        var item = await Ok(await office.PostAsJsonAsync("/api/v1/rectification/items", new
        {
            unitId = "zj-lasa", periodId = "2023-Q3", problem = P("problem"), severity = "general", responsiblePerson = Short("person"),
            deadline = "2026-12-31", roadmap = new[] { new { title = P("milestone"), due = "2026-12-20" } },
        }), "rectification item");
        var itemId = item.GetProperty("id").GetInt64();
        // The unit starts it and reports progress with a note.
        await Ok(await unit.PostAsJsonAsync($"/api/v1/rectification/items/{itemId}/actions", new { action = "start" }), "start");
        await Ok(await unit.PostAsJsonAsync($"/api/v1/rectification/items/{itemId}/actions", new { action = "progress", note = P("progress") }), "progress");

        // 加扣分: the reason and document reference of a bonus, with its evidence.
        using (var form = new MultipartFormDataContent())
        {
            form.Add(new StringContent("2023-Q3"), "period");
            form.Add(new StringContent("zj-lasa"), "unit");
            form.Add(new StringContent("praise-national"), "rule");
            form.Add(new StringContent(P("adjustment")), "reason");
            form.Add(new StringContent("XSS-docref <b>2023</b>"), "documentRef");
            var file = new ByteArrayContent(System.Text.Encoding.ASCII.GetBytes("%PDF-1.4\n%%EOF\n"));
            file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
            form.Add(file, "evidence", "表扬文件.pdf");
            await Ok(await office.PostAsync("/api/v1/adjustments", form), "adjustment");
        }

        // 厅领导 点评.
        using var leader = await Api("leader-principal");
        await Ok(await leader.PostAsJsonAsync("/api/v1/insight/comments", new { period = "2023-Q1", unit = "zj-lasa", text = P("comment") }), "leader comment");

        // 经验做法 from a commended unit (林芝市住建局 in Q1).
        using var nyingchi = await Api("unit-zj-nyingchi");
        await Ok(await nyingchi.PostAsJsonAsync("/api/v1/insight/practices", new { period = "2023-Q1", title = P("practice-title"), body = P("practice-body") }), "practice");

        // 考核组: a finding's note through the sync API the phone uses.
        using var assessor = await Api("assessor1");
        var mine = await assessor.GetFromJsonAsync<JsonElement>("/api/v1/inspections/mine");
        var groups = mine.GetProperty("groups").EnumerateArray().ToList();
        var group = groups.FirstOrDefault(g => g.GetProperty("periodId").GetString() == "2023-Q3", groups[0]);
        var checklist = mine.GetProperty("checklists").GetProperty(group.GetProperty("periodId").GetString()!);
        await Ok(await assessor.PostAsJsonAsync($"/api/v1/inspections/groups/{group.GetProperty("id").GetInt32()}/findings", new
        {
            clientId = Guid.NewGuid().ToString(), siteId = group.GetProperty("sites")[0].GetProperty("siteId").GetString(),
            indicatorId = checklist[0].GetProperty("indicatorId").GetString(), points = 0.5, note = P("finding"),
        }), "finding");

        // 考核通报 narrative through its form.
        var page = await app.SignedIn("office", BrowserFixture.Desktop);
        await page.GotoAsync(app.BaseUrl + "/Publication/Narrative?period=2023-Q1");
        await page.FillAsync("[name=DocumentNumber]", "XSS-docno <b>1</b>");
        await page.FillAsync("[name=Overview]", P("overview"));
        await page.FillAsync("[name=GoodPractices]", P("practices"));
        await BrowserFixture.NewDocumentAsync(page, () => page.ClickAsync("form:has([name=Overview]) button[type=submit]"), complete: true);

        // Every page that shows them, as the office.
        await AssertInert(page, $"/Schemes?period=2023-Q4", "scheme");
        await AssertInert(page, $"/Schemes/Detail/{scheme.GetProperty("id").GetInt32()}", "scheme");
        await AssertInert(page, "/Publication/Appeals?period=2023-Q2", "appeal");
        await AssertInert(page, "/Adjustments?period=2023-Q3&category=housing", "adjustment");
        await AssertInert(page, "/Rectification?period=2023-Q3", "problem");
        await AssertInert(page, $"/Rectification/Item?id={itemId}", "problem", "person", "milestone", "progress");
        await AssertInert(page, "/Insight/Accountability", "comment");
        await AssertInert(page, "/Insight/Practices", "practice-title");
        await AssertInert(page, $"/Inspections?period={group.GetProperty("periodId").GetString()}", "finding");
        await AssertInert(page, "/Publication?period=2023-Q1");
        await AssertInert(page, "/Publication/Narrative?period=2023-Q1");

        // The .docx bulletin holds the narrative as literal text.
        await page.GotoAsync(app.BaseUrl + "/Publication?period=2023-Q1");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download-bulletin"));
        var path = Path.Combine(Path.GetTempPath(), $"kaohe-xss-{Guid.NewGuid():N}.docx");
        await download.SaveAsAsync(path);
        try
        {
            using var doc = WordprocessingDocument.Open(path, false);
            var text = string.Concat(doc.MainDocumentPart!.Document.Body!.Descendants<DocumentFormat.OpenXml.Wordprocessing.Text>().Select(t => t.Text));
            Assert.Contains(P("overview"), text);
            Assert.Contains(P("practices"), text);
            Assert.Contains("XSS-docno <b>1</b>", text);
        }
        finally { File.Delete(path); }
        await page.Context.CloseAsync();

        // As the unit: its report with the evidence name, its appeal, its item.
        var unitPage = await app.SignedIn("unit-zj-lasa", BrowserFixture.Phone);
        await AssertInert(unitPage, $"/Collection/Report?period={period}");
        Assert.Contains("XSS-evidence img src=x onerror=alert(1).pdf", await unitPage.InnerTextAsync("#row-B1"));
        await AssertInert(unitPage, "/Publication/Appeals?period=2023-Q2", "appeal");
        await AssertInert(unitPage, $"/Rectification/Item?id={itemId}", "problem", "person", "milestone", "progress");
        await unitPage.Context.CloseAsync();

        // As the leader, and as the assessor on the offline page, whose script draws the findings.
        var leaderPage = await app.SignedIn("leader-principal", BrowserFixture.Desktop);
        await AssertInert(leaderPage, "/Insight/Accountability", "comment");
        await leaderPage.Context.CloseAsync();
        var assessorPage = await app.SignedIn("assessor1", BrowserFixture.Phone);
        await AssertInert(assessorPage, "/Inspections/Field");
        await assessorPage.WaitForSelectorAsync("#sites li", new() { Timeout = 20_000 });
        await assessorPage.ClickAsync("#sites li >> nth=0 >> button");
        var options = await assessorPage.EvalOnSelectorAllAsync<string[]>("#indicator option", "os => os.map(o => o.value)");
        await assessorPage.SelectOptionAsync("#indicator", options[0]);
        await assessorPage.FillAsync("#note", P("field-note"));
        await assessorPage.ClickAsync("#save");
        await assessorPage.WaitForFunctionAsync("() => (document.getElementById('findings')?.innerText || '').includes('XSS-field-note')", null, new() { Timeout = 20_000 });
        await assessorPage.WaitForTimeoutAsync(300);
        Assert.True(await assessorPage.EvaluateAsync<bool>("() => typeof window.__xss === 'undefined'"));
        Assert.Equal(0, await assessorPage.EvaluateAsync<int>(Injected));
        Assert.Contains(Shown("field-note"), await assessorPage.InnerTextAsync("#findings"));
        // Synced to the server, the note is on the office's page too.
        await assessorPage.WaitForSelectorAsync(".finding[data-state=synced]", new() { Timeout = 20_000 });
        var officePage = await app.SignedIn("office", BrowserFixture.Desktop);
        await AssertInert(officePage, $"/Inspections?period={group.GetProperty("periodId").GetString()}", "finding", "field-note");
        await officePage.Context.CloseAsync();
        await assessorPage.Context.CloseAsync();
    }
}
