using System.Globalization;
using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>
/// A sheet with one bad entry keeps everything typed, marks the bad box, names the unit and the
/// indicator in words (never a JSON path such as <c>scores[0].value</c>), and lets the person save the
/// valid rows, saying which were saved (issue 18, item 1).
/// </summary>
public sealed class FormsKeepEntriesJourneyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_division_sheet_with_one_score_out_of_range_keeps_every_entry_and_saves_the_valid_rows_on_request()
    {
        var page = await app.SignedIn("division-scc", BrowserFixture.Desktop);
        await page.GotoAsync($"{app.BaseUrl}/Collection/Score", new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        var boxes = page.Locator("input[name^='scores[']");
        await boxes.First.WaitForAsync();
        var count = await boxes.CountAsync();
        Assert.True(count >= 3, $"the demo division has {count} score boxes; the test needs several");

        // Every box gets a new value inside its range ("min–max" beside it), except 拉萨's B2, which gets 150.
        const string bad = "scores[zj-lasa|B2]";
        var typed = new Dictionary<string, string>();
        for (var i = 0; i < count; i++)
        {
            var box = boxes.Nth(i);
            var name = (await box.GetAttributeAsync("name"))!;
            var range = (await box.Locator("xpath=following-sibling::span[1]").InnerTextAsync()).Split('–');
            var (min, max) = (double.Parse(range[0], CultureInfo.InvariantCulture), double.Parse(range[1], CultureInfo.InvariantCulture));
            var value = name == bad ? "150" : (min + (max - min) * (0.5 + i % 4 * 0.1)).ToString("0.#", CultureInfo.InvariantCulture);
            typed[name] = value;
            await box.FillAsync(value);
        }
        Assert.True(typed.ContainsKey(bad), "拉萨's B2 is on the division's sheet");

        await page.ClickAsync("button:has-text('保存评分')");
        await page.Locator(".alert.error", new() { HasTextString = "超出" }).WaitForAsync();
        var error = await page.InnerTextAsync(".alert.error");
        Assert.Contains("拉萨市住房和城乡建设局 · B2 营商环境评价：评价分 150 超出 0–100", error);
        Assert.Contains("未保存任何内容", error);
        Assert.DoesNotContain("scores[", error);
        Assert.DoesNotContain(".value", error);
        // Nothing typed is lost, and the bad box is marked with its reason beside it.
        foreach (var (name, value) in typed) Assert.Equal(value, await page.InputValueAsync($"input[name='{name}']"));
        var badBox = page.Locator($"input[name='{bad}']");
        Assert.Equal("true", await badBox.GetAttributeAsync("aria-invalid"));
        Assert.Contains("invalid", await badBox.GetAttributeAsync("class") ?? "");
        Assert.Equal(1, await page.Locator("input[aria-invalid='true']").CountAsync());
        Assert.Contains("评价分 150 超出 0–100", await badBox.Locator("xpath=following-sibling::div[contains(@class,'field-error')]").InnerTextAsync());
        await BrowserFixture.Shot(page, "forms-score-refused");

        // The person chooses to save the valid rows: they are saved and named, 150 is not.
        var saveValid = page.Locator("#save-valid");
        Assert.Contains($"只保存无误的 {count - 1} 项", await saveValid.InnerTextAsync());
        await saveValid.ClickAsync();
        await page.Locator(".alert.success", new() { HasTextString = "已保存" }).WaitForAsync();
        var saved = await page.InnerTextAsync(".alert.success");
        Assert.Contains($"已保存 {count - 1} 项", saved);
        Assert.DoesNotContain("拉萨市住房和城乡建设局 · B2", saved);
        Assert.Contains("评价分 150 超出 0–100", await page.InnerTextAsync(".alert.error"));
        Assert.Equal("150", await page.InputValueAsync($"input[name='{bad}']"));

        // Opened afresh, the sheet shows the stored scores: every valid row as typed, B2 not 150.
        await page.GotoAsync($"{app.BaseUrl}/Collection/Score", new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        await boxes.First.WaitForAsync();
        foreach (var (name, value) in typed.Where(t => t.Key != bad)) Assert.Equal(value, await page.InputValueAsync($"input[name='{name}']"));
        Assert.NotEqual("150", await page.InputValueAsync($"input[name='{bad}']"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_unit_report_names_the_indicator_in_words_and_keeps_what_was_typed()
    {
        var period = await app.FreshQuarter();
        var page = await app.SignedIn("unit-zj-nyingchi", BrowserFixture.Desktop);
        await page.GotoAsync($"{app.BaseUrl}/Collection/Report?period={period}", new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        var values = page.Locator("input[name^='values[']");
        await values.First.WaitForAsync();
        Assert.True(await values.CountAsync() >= 2, "the unit reports several indicator values");
        var first = (await values.Nth(0).GetAttributeAsync("id"))!;
        var second = (await values.Nth(1).GetAttributeAsync("id"))!;
        var badId = first["v-".Length..];
        var badName = (await page.Locator($"#row-{badId} h2").InnerTextAsync()).Split('\n')[0];
        await page.FillAsync($"#{first}", "许多");
        await page.FillAsync($"#{second}", "42");
        foreach (var t in await page.Locator($"#row-{second["v-".Length..]} input[name^='targets[']").AllAsync()) await t.FillAsync("50");

        await page.ClickAsync("button:has-text('保存草稿')");
        await page.Locator(".alert.error").WaitForAsync();
        var error = await page.InnerTextAsync(".alert.error");
        Assert.Contains($"{badId} ", error);
        Assert.Contains("须填写数值", error);
        Assert.DoesNotContain($"{badId}.value", error);
        // The indicator's Chinese name, as its heading shows it.
        var chineseName = badName.Replace(badId, "").Trim().Split(' ')[0];
        Assert.Contains(chineseName, error);
        Assert.Equal("许多", await page.InputValueAsync($"#{first}"));
        Assert.Equal("42", await page.InputValueAsync($"#{second}"));
        Assert.Equal("true", await page.GetAttributeAsync($"#{first}", "aria-invalid"));
        Assert.Null(await page.GetAttributeAsync($"#{second}", "aria-invalid"));

        await page.ClickAsync("#save-valid");
        await page.Locator(".alert.success", new() { HasTextString = "已保存" }).WaitForAsync();
        Assert.Contains("已保存 1 项草稿", await page.InnerTextAsync(".alert.success"));
        Assert.Equal("许多", await page.InputValueAsync($"#{first}"));
        await page.GotoAsync($"{app.BaseUrl}/Collection/Report?period={period}", new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        await values.First.WaitForAsync();
        Assert.Equal("42", await page.InputValueAsync($"#{second}"));
        Assert.Equal("", await page.InputValueAsync($"#{first}"));
        await page.Context.CloseAsync();
    }
}
