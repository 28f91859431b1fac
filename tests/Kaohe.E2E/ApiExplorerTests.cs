using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>
/// The API explorer (/scalar/) under its Content-Security-Policy (issue 17): in Chromium it renders the
/// API's operations with no CSP violation and no request to another host; the only inline script it runs
/// is the one the policy names by its hash.
/// </summary>
public sealed class ApiExplorerTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_explorer_renders_the_operations_under_its_policy_and_reaches_no_other_host()
    {
        var context = await app.NewContextAsync(new BrowserNewContextOptions { ViewportSize = BrowserFixture.Desktop, Locale = "zh-CN" });
        var page = await context.NewPageAsync();
        var violations = new List<string>();
        var elsewhere = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || m.Text.Contains("Refused to", StringComparison.Ordinal))
                violations.Add(m.Text);
        };
        page.Request += (_, r) =>
        {
            if (!r.Url.StartsWith(app.BaseUrl, StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal) && !r.Url.StartsWith("blob:", StringComparison.Ordinal))
                elsewhere.Add(r.Url);
        };
        var response = await page.GotoAsync(app.BaseUrl + "/scalar/");
        var csp = await response!.HeaderValueAsync("content-security-policy");
        Assert.NotNull(csp);
        var script = csp!.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src ", StringComparison.Ordinal));
        Assert.DoesNotContain("'unsafe-inline'", script);
        Assert.DoesNotContain("'unsafe-eval'", script);
        Assert.Contains("'sha256-", script);
        // The explorer has read the OpenAPI document and lists the sign-in operation.
        await page.GetByText("登录并获取令牌").First.WaitForAsync(new() { Timeout = 60_000 });
        Assert.True(violations.Count == 0, string.Join("\n", violations));
        Assert.True(elsewhere.Count == 0, "requests to other hosts: " + string.Join(", ", elsewhere));
        await context.CloseAsync();
    }
}
