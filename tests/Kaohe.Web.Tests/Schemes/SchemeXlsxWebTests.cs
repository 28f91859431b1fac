using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;

namespace Kaohe.Web.Tests.Schemes;

public abstract class SchemeXlsxWebTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private static MultipartFormDataContent Upload(byte[] bytes, string fileName, string period = "2023-Q4", string category = "urban")
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(category), "category" },
            { new StringContent(period), "period" },
            { new StringContent("Excel 导入测试"), "name" },
        };
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        form.Add(file, "file", fileName);
        return form;
    }

    [Fact]
    public async Task A_scheme_round_trips_through_the_xlsx_template_without_loss()
    {
        using var client = await app.As("office");
        var id = await app.WithDb(db => db.Schemes.Where(s => s.Category == "urban" && s.PeriodId == "2023-Q1").Select(s => s.Id).FirstAsync());
        var xlsx = await client.GetByteArrayAsync($"/api/v1/schemes/{id}/xlsx");
        var response = await client.PostAsync("/api/v1/schemes/import", Upload(xlsx, "urban.xlsx"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var newId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var original = await client.GetStringAsync($"/api/v1/schemes/{id}");
        var back = await client.GetStringAsync($"/api/v1/schemes/{newId}");
        Assert.Equal(original.Replace("\"period\": \"2023-Q1\"", "\"period\": \"2023-Q4\""), back);
        var rules = await app.WithDb(db => db.Schemes.Where(s => s.Id == id || s.Id == newId).Select(s => s.RuleTextsJson).ToListAsync());
        var a = JsonSerializer.Deserialize<Dictionary<string, string>>(rules[0])!;
        var b = JsonSerializer.Deserialize<Dictionary<string, string>>(rules[1])!;
        Assert.Equal(a.OrderBy(kv => kv.Key), b.OrderBy(kv => kv.Key));
    }

    /// <summary>The housing scheme is version 2: its measures (sheet 数据项) and formula leaves (公式, 计算值小数位) make the round trip.</summary>
    [Fact]
    public async Task A_version_2_scheme_with_formulas_round_trips_through_the_xlsx_and_a_bad_formula_is_named_by_cell_and_character()
    {
        using var client = await app.As("office");
        var id = await app.WithDb(db => db.Schemes.Where(s => s.Category == "housing" && s.PeriodId == "2023-Q1").Select(s => s.Id).FirstAsync());
        var xlsx = await client.GetByteArrayAsync($"/api/v1/schemes/{id}/xlsx");
        var response = await client.PostAsync("/api/v1/schemes/import", Upload(xlsx, "housing.xlsx", category: "housing"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var newId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var original = await client.GetStringAsync($"/api/v1/schemes/{id}");
        Assert.Contains("\"formula\": \"inv / sum(inv)\"", original);
        Assert.Equal(original.Replace("\"period\": \"2023-Q1\"", "\"period\": \"2023-Q4\""), await client.GetStringAsync($"/api/v1/schemes/{newId}"));

        // A formula cut short: 400 naming the sheet, the row, the column and the character; nothing stored.
        using var input = new MemoryStream(xlsx);
        var data = new Dictionary<string, object>();
        var row = 0;
        foreach (var name in input.GetSheetNames())
        {
            input.Position = 0;
            var rows = input.Query(useHeaderRow: true, sheetName: name).Cast<IDictionary<string, object?>>().Select(r => new Dictionary<string, object?>(r)).ToList();
            if (name == "指标")
            {
                row = rows.FindIndex(r => (string?)r["编码"] == "A4") + 2;
                rows[row - 2]["公式"] = "(inv - inv_ly) / sum(inv - )";
            }
            data[name] = rows;
        }
        using var broken = new MemoryStream();
        broken.SaveAs(data);
        var schemes = await app.WithDb(db => db.Schemes.CountAsync());
        var refused = await client.PostAsync("/api/v1/schemes/import", Upload(broken.ToArray(), "housing.xlsx", category: "housing"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        var error = Assert.Single(errors.EnumerateObject());
        Assert.Equal($"指标!AA{row}", error.Name);
        Assert.Contains($"第{row}行 公式", error.Value[0].GetString());
        Assert.Contains("第 28 个字符", error.Value[0].GetString());   // the ")" where a term was expected
        Assert.Equal(schemes, await app.WithDb(db => db.Schemes.CountAsync()));
    }

    /// <summary>The editor's check as a formula is typed: its problem with the position, or OK and whether it uses only the unit's own figures.</summary>
    [Fact]
    public async Task The_editor_checks_a_formula_against_the_measures_and_names_the_position_of_an_error()
    {
        using var office = await app.As("office");
        async Task<JsonElement> Check(string formula, params string[] measures)
        {
            var r = await office.GetAsync($"/api/v1/schemes/formula-check?formula={Uri.EscapeDataString(formula)}{string.Concat(measures.Select(m => "&measures=" + m))}");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            return await r.Content.ReadFromJsonAsync<JsonElement>();
        }
        var own = await Check("inv / plan", "inv", "plan");
        Assert.True(own.GetProperty("ok").GetBoolean());
        Assert.True(own.GetProperty("ownFiguresOnly").GetBoolean());
        Assert.Equal(["inv", "plan"], own.GetProperty("measures").EnumerateArray().Select(m => m.GetString()));
        Assert.False((await Check("inv / sum(inv)", "inv")).GetProperty("ownFiguresOnly").GetBoolean());

        var cut = await Check("inv / (plan", "inv", "plan");
        Assert.False(cut.GetProperty("ok").GetBoolean());
        Assert.Equal(12, cut.GetProperty("position").GetInt32());
        Assert.Contains("第 12 个字符", cut.GetProperty("zh").GetString());
        var unknown = await Check("inv / plann", "inv", "plan");
        Assert.Equal(7, unknown.GetProperty("position").GetInt32());
        Assert.Contains("plann", unknown.GetProperty("en").GetString());

        Assert.Equal(HttpStatusCode.BadRequest, (await office.GetAsync("/api/v1/schemes/formula-check")).StatusCode);
        using var unit = await app.As("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.Forbidden, (await unit.GetAsync("/api/v1/schemes/formula-check?formula=inv")).StatusCode);
        // The editor pages load the check (a script file: the CSP allows no inline script).
        using var page = await app.SignedIn("office");
        var html = await page.GetStringAsync("/Schemes/New");
        Assert.Contains("id=\"formula-check\"", html);
        Assert.Contains("/js/scheme-editor.js", html);
    }

    [Fact]
    public async Task An_xlsx_with_bad_rows_is_rejected_with_those_rows_named_and_nothing_stored()
    {
        using var client = await app.As("office");
        var id = await app.WithDb(db => db.Schemes.Where(s => s.Category == "urban" && s.PeriodId == "2023-Q1").Select(s => s.Id).FirstAsync());
        var xlsx = await client.GetByteArrayAsync($"/api/v1/schemes/{id}/xlsx");
        // Break three rows of the 指标 sheet: two numbers that are not numbers and an unknown method.
        using var input = new MemoryStream(xlsx);
        var sheets = input.GetSheetNames();
        var data = new Dictionary<string, object>();
        foreach (var name in sheets)
        {
            input.Position = 0;
            var rows = input.Query(useHeaderRow: true, sheetName: name).Cast<IDictionary<string, object?>>().Select(r => new Dictionary<string, object?>(r)).ToList();
            if (name == "指标")
            {
                var points = rows[0].Keys.First(k => k.Contains("分值"));
                var kind = rows[0].Keys.First(k => k.Contains("计分方法"));
                var leafRows = rows.Select((r, i) => (r, i)).Where(x => !string.IsNullOrEmpty(x.r[kind]?.ToString())).Select(x => x.i).ToArray();
                rows[leafRows[0]][points] = "abc";
                rows[leafRows[1]][kind] = "magic";
                rows[leafRows[2]][points] = "十分";
            }
            data[name] = rows;
        }
        using var output = new MemoryStream();
        output.SaveAs(data);
        var before = await app.WithDb(db => db.Schemes.CountAsync());
        var response = await client.PostAsync("/api/v1/schemes/import", Upload(output.ToArray(), "broken.xlsx"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(3, errors.Count);
        Assert.All(errors, e => Assert.StartsWith("指标!", e));
        Assert.Equal(before, await app.WithDb(db => db.Schemes.CountAsync()));
    }

    [Fact]
    public async Task A_file_that_is_not_xlsx_is_refused_clearly()
    {
        using var client = await app.As("office");
        var response = await client.PostAsync("/api/v1/schemes/import", Upload("not a workbook"u8.ToArray(), "fake.xlsx"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("xlsx", await response.Content.ReadAsStringAsync());
    }
}

public sealed class SchemeXlsxWebTestsOnSqlite(SqliteApp app) : SchemeXlsxWebTests<SqliteApp>(app);

public sealed class SchemeXlsxWebTestsOnPostgres(PostgresApp app) : SchemeXlsxWebTests<PostgresApp>(app);
