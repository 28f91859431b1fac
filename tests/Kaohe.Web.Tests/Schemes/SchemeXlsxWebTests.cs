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
    private static MultipartFormDataContent Upload(byte[] bytes, string fileName, string period = "2023-Q4")
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent("urban"), "category" },
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
