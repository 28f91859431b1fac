using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kaohe.Data;
using Kaohe.Web.Features.Surveys;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Kaohe.E2E.XssTests;

namespace Kaohe.E2E;

/// <summary>
/// Stored XSS (issue 8), the fields <see cref="XssTests"/> does not reach: questionnaire texts in
/// every language (shown to anyone with a code on /s/{code}), survey site codes and places, the
/// platform name a platform's values carry, cause analyses with their commitments, and the veto
/// reason with its decision note. Each payload goes in through the form or API its user would use,
/// and every page that shows it is opened in Chromium as each role that sees it, with the same
/// checks as <see cref="XssTests"/>: nothing ran, nothing was injected, the payload reads as text.
/// </summary>
public sealed class XssMoreFieldsTests(SurveyBrowserFixture app) : IClassFixture<SurveyBrowserFixture>
{
    /// <summary>A payload for fields limited to 100 characters (API key names, responsible persons).</summary>
    private static string Short(string field) => $"XSS-{field} {Script}{Img}";

    private static readonly string[] Languages = ["zh", "bo", "en"];

    private Task<HttpClient> Api(string user) => XssTests.Api(app.BaseUrl, user);

    private static Task<JsonElement> Ok(HttpResponseMessage r, string what) => XssTests.Ok(r, what);

    private async Task<IPage> Anonymous(ViewportSize viewport)
    {
        var context = await app.NewContextAsync(new() { ViewportSize = viewport, Locale = "zh-CN", IsMobile = viewport.Width < 500, HasTouch = viewport.Width < 500 });
        return await context.NewPageAsync();
    }

    /// <summary>Opens the page and checks that it is the page asked for, every listed field reads as text, and nothing ran.</summary>
    private Task AssertInert(IPage page, string url, params string[] fields) => Inert(page, url, async () =>
    {
        var response = await page.GotoAsync(app.BaseUrl + url);
        Assert.True(response is { Ok: true }, $"{url}: {response?.Status}");
        Assert.DoesNotContain("/Account/Login", page.Url);
    }, fields);

    /// <summary>Runs <paramref name="open"/> (a navigation or a form post) and checks the page it leaves.</summary>
    internal static async Task Inert(IPage page, string where, Func<Task> open, params string[] fields)
    {
        var dialogs = new List<string>();
        var console = new List<string>();
        void OnDialog(object? _, IDialog d) { dialogs.Add(d.Message); _ = d.DismissAsync(); }
        void OnConsole(object? _, IConsoleMessage m) { if (m.Text.Contains("script-src") || m.Text.Contains("__xss")) console.Add(m.Text); }
        page.Dialog += OnDialog;
        page.Console += OnConsole;
        try
        {
            // A page opened or a form posted back in place: wait for the new document's load event without a race (BrowserFixture.NewDocumentAsync).
            await BrowserFixture.NewDocumentAsync(page, open, complete: true);
            await page.WaitForTimeoutAsync(300);     // an onerror or onload would have fired by now
            Assert.True(await page.EvaluateAsync<bool>("() => typeof window.__xss === 'undefined'"), $"{where}: a payload ran");
            Assert.True(await page.EvaluateAsync<int>(Injected) == 0, $"{where}: an element was injected");
            var text = await page.InnerTextAsync("body");
            foreach (var f in fields) Assert.True(text.Contains(Shown(f)), $"{where}: \"{Shown(f)}\" is not shown as text");
            Assert.Empty(dialogs);
            Assert.True(console.Count == 0, $"{where}: {string.Join("\n", console)}");
        }
        finally
        {
            page.Dialog -= OnDialog;
            page.Console -= OnConsole;
        }
    }

    [Fact]
    public async Task Questionnaire_texts_in_every_language_are_inert_on_the_public_form_the_qr_sheet_and_the_office_pages()
    {
        const string period = "2023-Q1";
        // 考核办 edits the questionnaire through its form: title, introduction, a question and an option in zh, bo and en.
        var office = await app.SignedIn("office", BrowserFixture.Desktop);
        await office.GotoAsync($"{app.BaseUrl}/Surveys/Questionnaire?period={period}");
        Assert.Equal(string.Join(",", Languages), await office.InputValueAsync("#languages"));
        foreach (var l in Languages)
        {
            await office.FillAsync($"#title_{l}", P($"title-{l}"));
            await office.FillAsync($"#intro_{l}", P($"intro-{l}"));
            await office.FillAsync($"#q0_{l}", P($"question-{l}"));
            await office.FillAsync($"[name=o0_{l}]", P($"option-{l}"));
        }
        await BrowserFixture.ArriveAsync(office, () => office.ClickAsync("button:has-text('保存为新版本并启用')"), new Regex(@"/Surveys\?period=2023-Q1$"), 60_000);
        Assert.Contains("已启用", await office.InnerTextAsync("main"));

        // The office's pages: the survey overview, the editor (texts back in the inputs), the sites.
        await AssertInert(office, $"/Surveys?period={period}", "title-zh");
        await AssertInert(office, $"/Surveys/Questionnaire?period={period}");
        foreach (var l in Languages)
        {
            Assert.Equal(P($"title-{l}"), await office.InputValueAsync($"#title_{l}"));
            Assert.Equal(P($"intro-{l}"), await office.InputValueAsync($"#intro_{l}"));
            Assert.Equal(P($"question-{l}"), await office.InputValueAsync($"#q0_{l}"));
            Assert.Equal(P($"option-{l}"), await office.InputValueAsync($"[name=o0_{l}]"));
        }
        await AssertInert(office, $"/Surveys/Sites?period={period}");

        // Codes issued through the sites page: the printed QR sheet carries the title.
        await office.SelectOptionAsync("#site", new SelectOptionValue { Index = 0 });
        await office.FillAsync("#count", "2");
        await office.FillAsync("#perSheet", "2");
        await BrowserFixture.ArriveAsync(office, () => office.ClickAsync("text=生成并打印"), "**/Surveys/Print?batch=*", 60_000);
        var print = new Uri(office.Url).PathAndQuery;
        await AssertInert(office, print, "title-zh");
        var url = (await office.InnerTextAsync(".qr-cell >> nth=0 >> .qr-url")).Trim();
        Assert.StartsWith(app.BaseUrl + "/s/", url);
        var code = url[(app.BaseUrl + "/s/").Length..];
        await office.Context.CloseAsync();

        // A citizen, anonymous, on a phone, in each language: the most exposed page of all.
        var citizen = await Anonymous(new() { Width = 360, Height = 740 });
        foreach (var l in Languages)
            await AssertInert(citizen, $"/s/{code}" + (l == "zh" ? "" : $"?lang={l}"), $"title-{l}", $"intro-{l}", $"question-{l}", $"option-{l}");
        await citizen.Context.CloseAsync();

        // 考核组 keys in paper questionnaires on a phone; a leader follows the progress.
        var assessor = await app.SignedIn("assessor1", BrowserFixture.Phone);
        await AssertInert(assessor, $"/Surveys/Paper?period={period}", "question-zh", "option-zh");
        await AssertInert(assessor, $"/Surveys?period={period}", "title-zh");
        await assessor.Context.CloseAsync();
        var leader = await app.SignedIn("leader-principal", BrowserFixture.Phone);
        await AssertInert(leader, $"/Surveys?period={period}", "title-zh");
        await leader.Context.CloseAsync();
    }

    [Fact]
    public async Task A_site_code_or_place_carrying_markup_is_refused_naming_the_field_and_the_page_stays_inert()
    {
        var office = await app.SignedIn("office", BrowserFixture.Phone);
        await AssertInert(office, "/Surveys/Sites?period=2023-Q1");
        // The form limits both (a 16-character code, a place from the list): a crafted request gets past the browser.
        await office.EvaluateAsync("""
            p => {
              const code = document.getElementById('code');
              code.removeAttribute('maxlength');
              code.value = p.code;
              const place = document.getElementById('place');
              const o = document.createElement('option');
              o.value = p.place; o.textContent = 'x';
              place.append(o);
              place.value = p.place;
            }
            """, new { code = P("site-code"), place = P("site-place") });
        await Inert(office, "/Surveys/Sites (add)", () => office.ClickAsync("form:has(#code) button[type=submit]"));
        var errors = await office.InnerTextAsync(".alert.error");
        Assert.Contains("code：", errors);
        Assert.Contains("place：", errors);
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        Assert.False(await db.Set<SurveySite>().AnyAsync(s => s.Code.Contains("XSS") || s.Place.Contains("XSS")));
        await office.Context.CloseAsync();
    }

    [Fact]
    public async Task A_platform_name_with_markup_is_inert_where_its_values_are_shown()
    {
        var period = await app.FreshQuarter();    // 2024-Q1: active schemes, collecting
        // 考核办 creates the platform's key; the platform's name is what its values carry (author and note).
        using var office = await Api("office");
        var key = await Ok(await office.PostAsJsonAsync("/api/v1/apikeys", new { name = Short("platform"), indicators = new[] { "E1" } }), "api key");
        using var platform = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        platform.DefaultRequestHeaders.Add("X-Api-Key", key.GetProperty("secret").GetString());
        await Ok(await platform.PostAsJsonAsync("/api/v1/facts", new
        {
            period,
            records = new[] { new { key = "xss-lasa", unit = "zj-lasa", indicator = "E1", value = 9.0, target = 10.0, observedAt = "2024-03-31T18:00:00+08:00" } },
        }), "platform batch");

        var page = await app.SignedIn("office", BrowserFixture.Desktop);
        await AssertInert(page, $"/Platform?period={period}", "platform");
        await AssertInert(page, "/Accounts", "platform");
        await page.Context.CloseAsync();

        var unit = await app.SignedIn("unit-zj-lasa", BrowserFixture.Phone);
        await AssertInert(unit, $"/Collection/Report?period={period}");
        await unit.Context.CloseAsync();
    }

    [Fact]
    public async Task A_cause_analysis_and_its_commitments_are_inert_for_the_unit_the_office_and_the_leader()
    {
        // 那曲市住建局, criticised in 2023-Q1, submits its 原因剖析 with a commitment (the demo has no account for it).
        using (var scope = app.Factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            if (await users.FindByNameAsync("unit-zj-nagqu") is null)
                Assert.True((await users.CreateAsync(new AppUser { UserName = "unit-zj-nagqu", DisplayName = "那曲市住建局 填报员", Role = Roles.Unit, UnitId = "zj-nagqu" }, BrowserFixture.Password)).Succeeded);
        }
        using var nagqu = await Api("unit-zj-nagqu");
        var analysis = await Ok(await nagqu.PostAsJsonAsync("/api/v1/insight/cause-analyses", new
        {
            period = "2023-Q1",
            causes = P("causes"),
            commitments = new[] { new { problem = P("commitment"), responsiblePerson = Short("responsible"), deadline = "2023-06-30" } },
        }), "cause analysis");
        var itemId = analysis.GetProperty("items")[0].GetProperty("id").GetInt64();

        var unit = await app.SignedIn("unit-zj-nagqu", BrowserFixture.Phone);
        await AssertInert(unit, "/Insight/Accountability", "causes", "commitment", "responsible");
        await AssertInert(unit, $"/Rectification/Item?id={itemId}", "commitment", "responsible");
        await unit.Context.CloseAsync();
        var office = await app.SignedIn("office", BrowserFixture.Desktop);
        await AssertInert(office, "/Insight/Accountability", "causes", "commitment", "responsible");
        await AssertInert(office, "/Rectification?period=2023-Q1", "commitment");
        await AssertInert(office, $"/Rectification/Item?id={itemId}", "commitment", "responsible");
        await office.Context.CloseAsync();
        var leader = await app.SignedIn("leader-principal", BrowserFixture.Phone);
        await AssertInert(leader, "/Insight/Accountability", "causes", "commitment", "responsible");
        await leader.Context.CloseAsync();
    }

    [Fact]
    public async Task A_veto_reason_and_its_decision_note_are_inert_for_the_requester_and_the_approver()
    {
        // One office account requests 一票否决 through the form, on a phone.
        var office = await app.SignedIn("office", BrowserFixture.Phone);
        await office.GotoAsync(app.BaseUrl + "/Adjustments/Vetoes?period=2023-Q1");
        await office.ClickAsync("text=申请一票否决");
        await office.SelectOptionAsync("#unit", "cg-qamdo");
        await office.FillAsync("#reason", P("veto"));
        await office.FillAsync("#docref", P("veto-docref"));
        await office.SetInputFilesAsync("#evidence", new FilePayload { Name = "事故报告.pdf", MimeType = "application/pdf", Buffer = System.Text.Encoding.UTF8.GetBytes("%PDF-1.4\n% e2e\n%%EOF\n") });
        await Inert(office, "/Adjustments/Vetoes (request)", () => office.ClickAsync("text=提交申请"), "veto", "veto-docref");
        await AssertInert(office, "/Adjustments/Vetoes?period=2023-Q1", "veto", "veto-docref");
        await office.Context.CloseAsync();

        // A second office account approves it with a note, on the desktop.
        var second = await app.SignedIn("office2", BrowserFixture.Desktop);
        await AssertInert(second, "/Adjustments/Vetoes?period=2023-Q1", "veto", "veto-docref");
        var card = second.Locator(".veto-card", new() { HasText = "XSS-veto" });
        await card.Locator("textarea").FillAsync(P("veto-note"));
        await Inert(second, "/Adjustments/Vetoes (approve)", () => card.Locator("button:has-text('批准')").First.ClickAsync(), "veto", "veto-note");
        Assert.Contains("已批准", await second.Locator("tr", new() { HasText = "XSS-veto" }).InnerTextAsync());
        await AssertInert(second, "/Adjustments/Vetoes?period=2023-Q1", "veto", "veto-note");
        // Approved, it is a veto fact of the year: its calculation page shows the fact and its audit history.
        await AssertInert(second, "/Results/Explain?period=2023&category=urban&unit=cg-qamdo");
        await second.Context.CloseAsync();
    }
}
