using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Kaohe.Data;
using Kaohe.Web.Features.Surveys;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;

namespace Kaohe.Web.Tests.Surveys;

/// <summary>The office's survey pages on a real database: progress, quotas, QR sheets, paper entry and import, the questionnaire editor.</summary>
public abstract partial class SurveyPagesTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private static async Task<HttpResponseMessage> PostForm(HttpClient c, string page, string url, Dictionary<string, string> fields)
    {
        var html = await c.GetStringAsync(page);
        fields["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(html);
        return await c.PostAsync(url, new FormUrlEncodedContent(fields));
    }

    [Fact]
    public async Task The_office_sees_every_site_against_its_quota_and_who_else_may_look()
    {
        using var office = await app.SignedIn("office");
        var html = await office.GetStringAsync("/Surveys?period=2023-Q1");
        Assert.Contains("770", html);
        Assert.Equal(21, Regex.Matches(html, "<tr data-site=").Count);
        Assert.Contains("更新统计", html);
        Assert.Contains("拉萨市城关区", html);
        Assert.Contains("data-progress-url=\"/api/v1/surveys/progress?period=2023-Q1\"", html);

        using var viewer = await app.SignedIn("viewer");
        var seen = await viewer.GetStringAsync("/Surveys?period=2023-Q1");
        Assert.Contains("拉萨市城关区", seen);
        Assert.DoesNotContain("更新统计", seen);
        foreach (var user in new[] { "unit-zj-lasa", "division-scc" })
        {
            using var c = await app.SignedIn(user);
            var denied = await c.GetAsync("/Surveys");
            Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
            Assert.StartsWith("/Account/Denied", denied.Headers.Location!.PathAndQuery);
        }
        using var assessor = await app.SignedIn("assessor1");
        foreach (var page in new[] { "/Surveys/Sites", "/Surveys/Questionnaire", "/Surveys/Print?batch=1" })
            Assert.StartsWith("/Account/Denied", (await assessor.GetAsync(page)).Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, (await assessor.GetAsync("/Surveys/Paper")).StatusCode);
    }

    [Fact]
    public async Task Issuing_codes_opens_a_printable_sheet_that_can_be_reprinted_and_is_audited()
    {
        using var office = await app.SignedIn("office");
        var site = await app.WithDb(db => db.Set<SurveySite>().SingleAsync(s => s.Code == "NQ-2"));
        var issued = await PostForm(office, "/Surveys/Sites?period=2023-Q1", "/Surveys/Sites?handler=Issue&period=2023-Q1",
            new() { ["site"] = site.Id.ToString(), ["count"] = "10", ["perSheet"] = "4" });
        Assert.Equal(HttpStatusCode.Redirect, issued.StatusCode);
        var printUrl = issued.Headers.Location!.OriginalString;
        Assert.StartsWith("/Surveys/Print?batch=", printUrl);
        var sheet = await office.GetStringAsync(printUrl);
        Assert.Equal(10, Regex.Matches(sheet, "<svg").Count);
        Assert.Equal(3, Regex.Matches(sheet, "class=\"qr-sheet").Count);
        Assert.Contains("NQ-2-0031", sheet); // the demo used serials 1–30 of this site
        var urls = Regex.Matches(sheet, "/s/([a-z2-7]{26})").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Equal(10, urls.Count);
        Assert.Contains(urls[0], await office.GetStringAsync(printUrl)); // the reprint regenerates the same codes
        var hashes = await app.WithDb(db => db.Set<SurveyToken>().Where(t => t.SiteId == site.Id).Select(t => t.TokenHash).ToListAsync());
        Assert.All(urls, u => Assert.Contains(SurveyTokens.Hash(u), hashes));
        Assert.True(await app.WithDb(db => db.AuditEntries.CountAsync(e => e.Action == "survey.print" && e.Actor == "office")) >= 2);
        Assert.Equal(1, await app.WithDb(db => db.AuditEntries.CountAsync(e => e.Action == "survey.issue" && e.NewValue!.Contains("NQ-2"))));
    }

    [Fact]
    public async Task A_wrong_quota_is_named_and_nothing_is_saved()
    {
        using var office = await app.SignedIn("office");
        var sites = await app.WithDb(db => db.Set<SurveySite>().Where(s => s.PeriodId == "2023-Q1").OrderBy(s => s.Id).ToListAsync());
        var fields = sites.ToDictionary(s => $"quota_{s.Id}", s => (s.Quota + 1).ToString());
        fields[$"quota_{sites[3].Id}"] = "-5";
        var response = await PostForm(office, "/Surveys/Sites?period=2023-Q1", "/Surveys/Sites?handler=Quotas&period=2023-Q1", fields);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"quota_{sites[3].Id}", await response.Content.ReadAsStringAsync());
        Assert.Equal(770, await app.WithDb(db => db.Set<SurveySite>().Where(s => s.PeriodId == "2023-Q1").SumAsync(s => s.Quota)));
    }

    private static byte[] Workbook(IEnumerable<Dictionary<string, object?>> rows)
    {
        using var ms = new MemoryStream();
        ms.SaveAs(new Dictionary<string, object> { [PaperXlsx.Sheet] = rows.ToList() });
        return ms.ToArray();
    }

    private static Dictionary<string, object?> Row(string site, string sheet, params string?[] answers)
    {
        var q = Questionnaire.UrbanManagementTemplate();
        var row = new Dictionary<string, object?> { [PaperXlsx.ColSite] = site, [PaperXlsx.ColSheet] = sheet };
        for (var i = 0; i < q.Questions.Count; i++) row[PaperXlsx.Header(i, q.Questions[i])] = i < answers.Length ? answers[i] : null;
        return row;
    }

    private static async Task<HttpResponseMessage> Import(HttpClient c, byte[] xlsx)
    {
        var html = await c.GetStringAsync("/Surveys/Paper?period=2023-Q1");
        var file = new ByteArrayContent(xlsx);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        var form = new MultipartFormDataContent
        {
            { new StringContent(AppFixture.AntiForgeryToken(html)), "__RequestVerificationToken" },
            { file, "upload", "paper.xlsx" },
        };
        return await c.PostAsync("/Surveys/Paper?handler=Import&period=2023-Q1", form);
    }

    [Fact]
    public async Task A_paper_import_is_all_or_nothing_and_names_sheet_row_and_column()
    {
        using var office = await app.SignedIn("office");
        var template = await office.GetAsync("/Surveys/Paper?handler=Template&period=2023-Q1");
        Assert.Equal(HttpStatusCode.OK, template.StatusCode);
        using (var t = new MemoryStream(await template.Content.ReadAsByteArrayAsync()))
            Assert.Contains(PaperXlsx.Sheet, MiniExcel.GetSheetNames(t));
        int Count() => app.WithDb(db => db.Set<SurveyResponse>().CountAsync(r => r.PaperSheet!.StartsWith("IMP-"))).GetAwaiter().GetResult();

        var bad = Workbook([
            Row("LS-1", "IMP-001", "满意", "满意", "基本满意", "不满意", "不了解"),
            Row("LS-1", "IMP-002", "很好", "满意"),
            Row("XX-9", "IMP-003", "满意"),
            Row("LS-1", "IMP-001", "满意"),
        ]);
        var refused = await Import(office, bad);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var html = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
        Assert.Contains("纸质问卷!C3", html);   // 很好 in row 3, column C (Q1)
        Assert.Contains("纸质问卷!A4", html);   // unknown site
        Assert.Contains("纸质问卷!B5", html);   // repeated sheet number
        Assert.Equal(0, Count());

        var good = Workbook([
            Row("LS-1", "IMP-001", "满意", "满意", "基本满意", "不满意", "不了解"),
            Row("LS-1", "IMP-002", "基本满意"),
            Row("SN-1", "IMP-001", "不满意", null, "满意"),
        ]);
        var stored = await Import(office, good);
        Assert.Equal(HttpStatusCode.Redirect, stored.StatusCode);
        Assert.Equal(3, Count());
        var again = await Import(office, good);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("IMP-001", WebUtility.HtmlDecode(await again.Content.ReadAsStringAsync()));
        Assert.Equal(3, Count());

        using var viewer = await app.SignedIn("viewer");
        Assert.StartsWith("/Account/Denied", (await viewer.GetAsync("/Surveys/Paper")).Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task The_office_edits_the_questionnaire_into_a_new_version_that_the_public_form_shows()
    {
        using var office = await app.SignedIn("office");
        var q = Questionnaire.UrbanManagementTemplate();
        Dictionary<string, string> Fields(string languages, Func<int, string, string?>? questionText = null, double satisfied = 100)
        {
            var langs = languages.Split(',');
            var f = new Dictionary<string, string> { ["languages"] = languages, ["category"] = "urban", ["indicator"] = "U2.5", ["id"] = q.Id };
            foreach (var l in langs)
            {
                f[$"title_{l}"] = q.Title.In(l);
                f[$"intro_{l}"] = q.Intro.In(l);
            }
            var options = q.Questions[0].Options;
            for (var k = 0; k < options.Count; k++)
            {
                f[$"o{k}_id"] = options[k].Id;
                foreach (var l in langs) f[$"o{k}_{l}"] = options[k].Text.ByLanguage.GetValueOrDefault(l) ?? "";
                f[$"o{k}_value"] = k == 0 ? satisfied.ToString(System.Globalization.CultureInfo.InvariantCulture) : options[k].Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "";
            }
            for (var i = 0; i < q.Questions.Count; i++)
            {
                f[$"q{i}_id"] = q.Questions[i].Id;
                f[$"q{i}_scored"] = "1";
                foreach (var l in langs) f[$"q{i}_{l}"] = questionText?.Invoke(i, l) ?? q.Questions[i].Text.ByLanguage.GetValueOrDefault(l) ?? "";
            }
            return f;
        }
        const string page = "/Surveys/Questionnaire?period=2023-Q1";
        Assert.Contains("您对园林绿化是否满意？", await office.GetStringAsync(page));

        var noFrench = await PostForm(office, page, page, Fields("zh,bo,en,fr"));
        Assert.Equal(HttpStatusCode.BadRequest, noFrench.StatusCode);
        Assert.Contains("fr：", WebUtility.HtmlDecode(await noFrench.Content.ReadAsStringAsync()));
        var otherPoints = await PostForm(office, page, page, Fields("zh,bo,en", satisfied: 90));
        Assert.Equal(HttpStatusCode.BadRequest, otherPoints.StatusCode);
        Assert.Contains("U2.5", await otherPoints.Content.ReadAsStringAsync());
        var noChinese = await PostForm(office, page, page, Fields("zh,en", (i, l) => i == 1 && l == "zh" ? "" : q.Questions[i].Text.In(l)));
        Assert.Equal(HttpStatusCode.BadRequest, noChinese.StatusCode);
        Assert.Contains("questions[1].text.zh", await noChinese.Content.ReadAsStringAsync());

        var saved = await PostForm(office, page, page, Fields("zh,bo,en", (i, l) => i == 2 && l == "zh" ? "您对公园和绿地是否满意？" : q.Questions[i].Text.ByLanguage[l]));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var versions = await app.WithDb(db => db.Set<SurveyQuestionnaire>().Where(x => x.PeriodId == "2023-Q1").OrderBy(x => x.Version).ToListAsync());
        Assert.Equal([QuestionnaireStatus.Archived, QuestionnaireStatus.Active], versions.Select(v => v.Status));
        var code = await IssueOne();
        var form = await app.Anonymous().GetStringAsync($"/s/{code}");
        Assert.Contains("您对公园和绿地是否满意？", form);
        // Earlier responses keep the version they answered.
        Assert.True(await app.WithDb(db => db.Set<SurveyResponse>().AnyAsync(r => r.QuestionnaireId == versions[0].Id)));
    }

    private async Task<string> IssueOne()
    {
        using var scope = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.CreateScope(app.Factory.Services);
        var s = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<SurveyService>(scope.ServiceProvider);
        var db = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<KaoheDbContext>(scope.ServiceProvider);
        var site = await db.Set<SurveySite>().FirstAsync(x => x.Code == "AL-2");
        var batch = await s.IssueAsync(site.Id, 1, 1, "office");
        return (await s.CodesAsync(batch!))[0].Token;
    }
}

public sealed class SurveyPagesTestsOnSqlite(SqliteApp app) : SurveyPagesTests<SqliteApp>(app);

public sealed class SurveyPagesTestsOnPostgres(PostgresApp app) : SurveyPagesTests<PostgresApp>(app);
