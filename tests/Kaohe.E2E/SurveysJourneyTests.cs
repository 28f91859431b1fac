using Kaohe.Data;
using Kaohe.Web.Features.Surveys;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>The app on Kestrel with the demo, Debian's Chromium, and a way to issue fresh survey codes.</summary>
public sealed class SurveyBrowserFixture : BrowserFixture
{
    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Kaohe:SurveyPerMinute", "1000");

    public async Task<List<string>> IssueCodes(string siteCode, int count)
    {
        using var scope = Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var surveys = scope.ServiceProvider.GetRequiredService<SurveyService>();
        var site = await db.Set<SurveySite>().SingleAsync(s => s.Code == siteCode);
        var batch = await surveys.IssueAsync(site.Id, count, 8, "office");
        return [.. (await surveys.CodesAsync(batch!)).Select(c => c.Token)];
    }

    public async Task<SurveyResponse?> Stored(string code)
    {
        using var scope = Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var hash = SurveyTokens.Hash(code);
        return await db.Set<SurveyResponse>().AsNoTracking().Where(r => db.Set<SurveyToken>().Any(t => t.TokenHash == hash && t.Id == r.TokenId)).SingleOrDefaultAsync();
    }
}

/// <summary>A citizen scans a code with a phone and answers, in Chinese, in Tibetan and in English.</summary>
public sealed class SurveysJourneyTests(SurveyBrowserFixture app) : IClassFixture<SurveyBrowserFixture>
{
    private static readonly ViewportSize SmallPhone = new() { Width = 360, Height = 740 };

    private async Task<IPage> Phone()
    {
        var context = await app.NewContextAsync(new() { ViewportSize = SmallPhone, Locale = "zh-CN", IsMobile = true, HasTouch = true });
        return await context.NewPageAsync();
    }

    [Theory]
    [InlineData("zh", null, "群众满意度调查表", "您对园林绿化是否满意？", "满意", "提交成功，感谢您的参与！")]
    [InlineData("bo", "བོད་ཡིག", "མང་ཚོགས་ཚིམ་ཚད་ཞིབ་བཤེར་རེའུ་མིག", "ལྡུམ་ར་དང་ལྗང་སྐྱེད་ལ་ཚིམ་མམ།", "ཚིམ་པོ།", "ཐུགས་རྗེ་ཆེ།")]
    [InlineData("en", "English", "Public satisfaction survey", "Are you satisfied with parks and green areas?", "Satisfied", "Thank you")]
    public async Task A_citizen_answers_from_the_qr_url_on_a_phone(string lang, string? switchLink, string title, string question, string option, string thanks)
    {
        var code = (await app.IssueCodes("LS-1", 1))[0];
        var page = await Phone();
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        var requests = new List<string>();
        page.Request += (_, r) => requests.Add(r.Url);

        await page.GotoAsync($"{app.BaseUrl}/s/{code}");
        Assert.Contains("群众满意度调查表", await page.InnerTextAsync("h1"));
        if (switchLink is not null)
        {
            await BrowserFixture.ArriveAsync(page, () => page.ClickAsync($".sv-langs >> text={switchLink}"), $"**/s/{code}?lang={lang}");
        }
        Assert.Contains(title, await page.InnerTextAsync("h1"));
        Assert.Contains(question, await page.InnerTextAsync("form"));

        // Readable at 360 px: nothing wider than the screen, touch targets at least 44 px high.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the form scrolls sideways at 360 px");
        var height = await page.EvaluateAsync<double>("() => document.querySelector('.sv-opt').getBoundingClientRect().height");
        Assert.True(height >= 44, $"an option is only {height} px high");

        // Submitting with a question left open is stopped by the browser (required): answer all but the last, then the last.
        var fieldsets = page.Locator("fieldset.sv-q");
        var count = await fieldsets.CountAsync();
        Assert.Equal(5, count);
        for (var i = 0; i < count; i++)
            await fieldsets.Nth(i).Locator("label.sv-opt", new() { HasTextString = option }).First.TapAsync();
        await BrowserFixture.Shot(page, $"survey-form-{lang}");
        await page.TapAsync("button.sv-submit");
        await page.WaitForSelectorAsync("[data-state=thanks]");
        Assert.Contains(thanks, await page.InnerTextAsync("main"));
        await BrowserFixture.Shot(page, $"survey-thanks-{lang}");
        var stored = await app.Stored(code);
        Assert.Equal(lang, stored!.Language);
        // Anonymous: the client address (127.0.0.1 here) is kept only as a keyed hash.
        Assert.Matches("^[0-9a-f]{32}$", stored.ClientHash);
        Assert.DoesNotContain("127.0.0.1", System.Text.Json.JsonSerializer.Serialize(stored));

        // The same code again: a polite page, nothing stored twice.
        await page.GotoAsync($"{app.BaseUrl}/s/{code}");
        Assert.Contains("此二维码已经使用过", await page.InnerTextAsync("main"));
        Assert.All(requests, r => Assert.StartsWith(app.BaseUrl, r));
        Assert.DoesNotContain(errors, e => !e.Contains("409"));
        await page.Context.CloseAsync();
    }
}

/// <summary>The office follows the survey on a phone: progress refreshes by itself, and QR sheets print.</summary>
public sealed class SurveyOfficeJourneyTests(SurveyBrowserFixture app) : IClassFixture<SurveyBrowserFixture>
{
    private Task<IPage> SignedIn(string user, ViewportSize viewport) => app.SignedIn(user, viewport);

    [Fact]
    public async Task The_progress_page_counts_a_new_answer_without_a_reload()
    {
        var page = await SignedIn("office", BrowserFixture.Phone);
        await Journeys.Nav(page, Journeys.Desktop, "满意度调查");
        Assert.Equal("770", (await page.InnerTextAsync("[data-total=received]")).Trim());
        await BrowserFixture.Shot(page, "survey-progress-phone");

        var code = (await app.IssueCodes("LS-0", 1))[0];
        var answers = Kaohe.Data.Questionnaire.UrbanManagementTemplate().Questions.ToDictionary(q => q.Id, _ => "满意");
        using var http = new HttpClient();
        var sent = await http.PostAsync($"{app.BaseUrl}/api/v1/survey/{code}", System.Net.Http.Json.JsonContent.Create(new { answers }));
        Assert.Equal(System.Net.HttpStatusCode.Created, sent.StatusCode);
        await page.WaitForFunctionAsync("() => document.querySelector('[data-total=received]').textContent.trim() === '771'", null, new() { Timeout = 25000 });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_office_issues_codes_and_gets_an_a4_sheet_whose_code_opens_the_form()
    {
        var page = await SignedIn("office", BrowserFixture.Desktop);
        await page.GotoAsync(app.BaseUrl + "/Surveys/Sites?period=2023-Q1");
        await page.SelectOptionAsync("#site", new SelectOptionValue { Label = "SN-0 山南市乃东区" });
        await page.FillAsync("#count", "8");
        await page.FillAsync("#perSheet", "8");
        await BrowserFixture.ArriveAsync(page, () => page.ClickAsync("text=生成并打印"), "**/Surveys/Print?batch=*");
        Assert.Equal(8, await page.Locator(".qr-cell svg").CountAsync());
        await BrowserFixture.Shot(page, "survey-qr-sheet");
        var url = (await page.InnerTextAsync(".qr-cell >> nth=0 >> .qr-url")).Trim();
        Assert.StartsWith(app.BaseUrl + "/s/", url);
        await page.GotoAsync(url);
        Assert.Contains("山南市乃东区", await page.InnerTextAsync(".sv-meta"));
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// Tibetan is drawn with real glyphs (issue 18 item 12): each letter of the Tibetan title, drawn in the page's
    /// font, differs from a character no font has (U+10FFFD, drawn as the "missing glyph" box) and from a blank.
    /// Without a Tibetan-capable font (./test.sh installs fonts-tibetan-machine) every letter is that box.
    /// </summary>
    [Fact]
    public async Task The_Tibetan_survey_shows_glyphs_not_boxes()
    {
        var code = (await app.IssueCodes("LS-1", 1))[0];
        var page = await (await app.NewContextAsync(new() { ViewportSize = BrowserFixture.Phone, Locale = "zh-CN" })).NewPageAsync();
        await page.GotoAsync($"{app.BaseUrl}/s/{code}?lang=bo");
        Assert.Contains("མང་ཚོགས", await page.InnerTextAsync("h1"));
        string[] letters = ["མ", "ང", "ཚ", "ག", "ས", "ཞ"];
        // Each sample in its own box of the h1's font, large enough that a box and a letter cannot look alike.
        await page.EvaluateAsync(@"samples => {
            const font = getComputedStyle(document.querySelector('h1')).fontFamily;
            samples.forEach((text, i) => {
                const s = document.createElement('span');
                s.id = 'glyph-' + i; s.textContent = text;
                Object.assign(s.style, { fontFamily: font, fontSize: '48px', lineHeight: '64px', display: 'inline-block', padding: '4px', background: '#fff', color: '#000' });
                document.body.appendChild(s);
            });
        }", (string[])[.. letters, char.ConvertFromUtf32(0x10FFFD), "\u00a0"]);
        async Task<byte[]> Shot(int i) => await page.Locator("#glyph-" + i).ScreenshotAsync();
        var missing = await Shot(letters.Length);
        var blank = await Shot(letters.Length + 1);
        var boxes = new List<string>();
        for (var i = 0; i < letters.Length; i++)
        {
            var shot = await Shot(i);
            if (shot.AsSpan().SequenceEqual(missing) || shot.AsSpan().SequenceEqual(blank)) boxes.Add(letters[i]);
        }
        Assert.True(boxes.Count == 0, $"drawn as a box or not at all (no Tibetan font?): {string.Join(" ", boxes)}");
        await page.Context.CloseAsync();
    }
}
