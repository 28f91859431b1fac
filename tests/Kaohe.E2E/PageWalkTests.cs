using System.Reflection;
using System.Text.RegularExpressions;
using Kaohe.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Kaohe.E2E;

/// <summary>
/// Issue 18's "done when" walk: every demo role signs in and opens every page its navigation reaches (the links of the
/// main navigation and of its home page), on the office's 1366×900 screen and a 390×844 phone. See <see cref="PageWalk"/>
/// for what fails a page.
/// </summary>
public sealed class PageWalkTests(BrowserFixture app, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    /// <summary>
    /// One account per role on both screens; the second office account and the second leader (whose pages differ from
    /// the first's only by what they rated or approved) on the office's screen only, which keeps the walk's time down.
    /// </summary>
    public static TheoryData<string, string> RolesAndScreens()
    {
        var data = new TheoryData<string, string>();
        foreach (var account in new[] { "office", "division-scc", "leader-principal", "assessor1", "unit-zj-lasa", "viewer" })
            foreach (var screen in PageWalk.Screens)
                data.Add(account, screen);
        data.Add("office2", "1366");
        data.Add("leader-incharge", "1366");
        return data;
    }

    [Theory]
    [MemberData(nameof(RolesAndScreens))]
    public Task Every_page_of_the_demo_loads_fits_and_shows_no_codes(string account, string screen) =>
        PageWalk.RunAsync(app, "demo", account, screen, output);
}

/// <summary>The same walk on a generated dataset (60 units, four quarters), whose only account is the office's.</summary>
public sealed class GeneratedPageWalkTests(GeneratedDataFixture app, ITestOutputHelper output) : IClassFixture<GeneratedDataFixture>
{
    [Theory]
    [InlineData("1366")]
    [InlineData("390")]
    public Task Every_page_of_a_generated_dataset_loads_fits_and_shows_no_codes(string screen) =>
        PageWalk.RunAsync(app, "generated", "office", screen, output);
}

/// <summary>
/// Opens every page a role's navigation reaches and collects what is wrong with each, failing once with the whole list.
/// </summary>
/// <remarks>
/// <para>The pages: the same-origin links of <c>nav.mainnav</c> and of the home page's content, deduplicated by path and
/// query, and from each of those pages one link of every kind of page not yet opened (see <see cref="Kind"/>; at most
/// <see cref="MaxFurther"/>), all opened by GET (nothing is clicked, so no data changes). Left out: the language switch (it turns the page
/// English), sign-out, and the API reference <c>/scalar</c> (Scalar's English explorer, checked by ApiExplorerTests).</para>
/// <para>A page fails on:</para>
/// <list type="bullet">
/// <item>any same-origin response of 400 or more while it loads (the page, its styles, scripts, images), or landing on
/// the sign-in or 无权访问 page;</item>
/// <item>width: the page wider than the window, the navigation wider than its bar, or a table (any content of a
/// <c>.table-wrap</c>) wider than its box. The rule for tables: on the 1366 px screen every table fits its box, since a
/// column past the right edge is one nobody sees (issue 18 item 2); on the 390 px phone a table may be wider than its
/// <c>.table-wrap</c> only if that wrapper scrolls sideways itself (overflow-x auto or scroll) while the page does not.
/// A table outside a <c>.table-wrap</c> must fit its parent on both screens.</item>
/// <item>visible text (<c>document.body.innerText</c>) of a Chinese page (<c>html lang="zh-CN"</c>) holding JSON (<c>{"</c>),
/// ProblemDetails fields (<c>"title"</c>, <c>traceId</c>, <c>"status":</c>), a code of the model shown as a word
/// (<see cref="Codes"/>: the names of the data model's enums — Open, Submitted, Verified, Draft … — and its lower-case
/// codes of roles, raters, sources and scoring methods), or an internal id (<see cref="InternalIds"/>: the database's unit,
/// county and prefecture ids such as <c>zj-lasa</c>, <c>scc</c>, <c>lasa</c> or the generator's <c>u0001</c>, and
/// <c>#541</c>-style row numbers). A word counts only as a whole token (not inside a longer Latin word, an e-mail or an
/// address). Text inside <c>&lt;code&gt;</c> is exempt: that is where a page deliberately shows a code (a unit's 编码, a
/// sign-in name). Sign-in names are allowed anywhere (who recorded, issued or decided something is shown by the account
/// people sign in with): so the role codes that are also demo accounts' names, office and viewer, are not caught.</item>
/// </list>
/// <para>Each page is saved as a full-page screenshot under <c>.test-results/walk/</c>, and its server time is printed
/// from the Performance API (responseStart − requestStart of the navigation: the time the server took to the first
/// byte, with the loopback's negligible latency; and responseEnd − requestStart). Time is never asserted.</para>
/// </remarks>
public static partial class PageWalk
{
    public static readonly string[] Screens = ["1366", "390"];

    /// <summary>Addresses never opened (see the remarks).</summary>
    private static readonly string[] Skipped = ["/lang", "/Account/Logout", "/scalar"];

    public static async Task RunAsync(BrowserFixture app, string dataset, string account, string screen, ITestOutputHelper output)
    {
        var phone = screen == "390";
        var options = phone ? Journeys.Options(Journeys.Phone) : new BrowserNewContextOptions { ViewportSize = BrowserFixture.Desktop, Locale = "zh-CN" };
        options.ViewportSize = phone ? BrowserFixture.Phone : BrowserFixture.Desktop;
        var context = await app.NewContextAsync(options);
        var page = await context.NewPageAsync();
        var origin = new Uri(app.BaseUrl);
        var errors = new List<string>();
        page.Response += (_, r) =>
        {
            if (r.Status >= 400 && Uri.TryCreate(r.Url, UriKind.Absolute, out var u) && u.Authority == origin.Authority)
                lock (errors) errors.Add($"{r.Status} {u.PathAndQuery}");
        };
        await app.SignIn(page, account);
        var ids = await InternalIds(app);
        var codes = Codes(await SignInNames(app));

        List<string> Links(string[] hrefs) => [.. hrefs.Select(h => new Uri(h)).Where(u => u.Authority == origin.Authority && u.Scheme == origin.Scheme)
            .Select(u => u.PathAndQuery)
            .Where(p => !Skipped.Any(s => p == s || p.StartsWith(s + "/", StringComparison.Ordinal) || p.StartsWith(s + "?", StringComparison.Ordinal)))
            .Distinct(StringComparer.Ordinal)];
        var targets = Links(await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('nav.mainnav a[href], main a[href]')].map(a => a.href)"));
        Assert.Contains("/", targets);
        var firstLevel = targets.Count;
        var kinds = targets.Select(Kind).ToHashSet(StringComparer.Ordinal);

        var problems = new List<string>();
        var timings = new List<(string Path, double Server, double Total)>();
        var shots = Path.Combine(RepoRoot(), ".test-results", "walk");
        Directory.CreateDirectory(shots);
        for (var n = 0; n < targets.Count; n++)
        {
            var target = targets[n];
            lock (errors) errors.Clear();
            var where = $"{target} ({account}, {screen} px, {dataset})";
            IResponse? response;
            try
            {
                // GotoAsync waits for the navigation it starts itself, so it has no race with an event it subscribes to late.
                response = await page.GotoAsync(app.BaseUrl + target, new() { WaitUntil = WaitUntilState.Load });
            }
            catch (PlaywrightException e) when (e.Message.Contains("Download is starting", StringComparison.Ordinal))
            {
                // A file (an .xlsx or .docx link): only its status matters here.
                var file = await context.APIRequest.GetAsync(app.BaseUrl + target);
                if (file.Status >= 400) problems.Add($"{where}: the file answers {file.Status}");
                output.WriteLine($"{target,-60} file {file.Status}");
                continue;
            }
            var landed = new Uri(page.Url).AbsolutePath;
            if (response is null || response.Status >= 400) problems.Add($"{where}: answers {response?.Status}");
            if (landed is "/Account/Login" or "/Account/Denied") problems.Add($"{where}: lands on {landed}");

            // A page whose results or analysis are still computing shows the progress box (not a failure) and reloads itself
            // once they are ready: the walk checks the finished page. Waiting on the box's absence (a state, which
            // Playwright re-evaluates in the reloaded document) rather than on the reload (an event) has no race.
            if (await page.QuerySelectorAsync("#results-computing") is not null)
            {
                await page.WaitForFunctionAsync("() => !document.getElementById('results-computing')", null, new() { Timeout = 300_000, PollingInterval = 200 });
                await page.WaitForLoadStateAsync(LoadState.Load);
            }

            var t = await page.EvaluateAsync<double[]>("() => { const n = performance.getEntriesByType('navigation')[0]; return [n.responseStart - n.requestStart, n.responseEnd - n.requestStart]; }");
            timings.Add((target, t[0], t[1]));

            foreach (var w in await page.EvaluateAsync<string[]>(WidthCheck, phone)) problems.Add($"{where}: {w}");

            if ((await page.EvaluateAsync<string>("() => document.documentElement.lang")).StartsWith("zh", StringComparison.Ordinal))
            {
                var text = await page.EvaluateAsync<string>(VisibleText);
                foreach (var found in TextProblems(text, codes, ids)) problems.Add($"{where}: {found}");
            }
            lock (errors) problems.AddRange(errors.Distinct().Select(e => $"{where}: a request answers {e}"));

            // One step further from the navigation's pages: one link of each kind of page not yet seen (a hub's cards,
            // a list's detail page), so that what a navigation page leads to is walked too, without every row's copy.
            if (n < firstLevel)
                foreach (var link in Links(await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('main a[href]')].map(a => a.href)")))
                    if (kinds.Add(Kind(link)) && targets.Count - firstLevel < MaxFurther) targets.Add(link);

            var name = $"{dataset}-{account}-{screen}-{Slug(target)}.png";
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, name), FullPage = true });
        }
        await context.CloseAsync();

        output.WriteLine($"{dataset}, {account} at {screen} px: {targets.Count} pages, {firstLevel} from the navigation and the home page (server ms = responseStart − requestStart; total = responseEnd − requestStart)");
        foreach (var (path, server, total) in timings.OrderByDescending(x => x.Server))
            output.WriteLine($"  {server,8:F0} ms server {total,8:F0} ms total  {path}");
        Assert.True(problems.Count == 0, $"{problems.Count} problems on {targets.Count} pages:\n" + string.Join("\n", problems));
    }

    /// <summary>What is wrong with the visible text of a Chinese page.</summary>
    public static IEnumerable<string> TextProblems(string text, Regex codes, Regex? ids)
    {
        string Around(int at) => text.Substring(Math.Max(0, at - 30), Math.Min(text.Length - Math.Max(0, at - 30), 70)).ReplaceLineEndings(" ");
        foreach (var marker in new[] { "{\"", "\"title\"", "traceId", "\"status\":" })
            if (text.IndexOf(marker, StringComparison.Ordinal) is var at and >= 0) yield return $"shows {marker} (…{Around(at)}…)";
        foreach (var m in codes.Matches(text).Cast<Match>().DistinctBy(m => m.Value).Take(5))
            yield return $"shows the code “{m.Value}” (…{Around(m.Index)}…)";
        foreach (var m in RowNumber().Matches(text).Cast<Match>().Take(3))
            yield return $"shows the row number “{m.Value}” (…{Around(m.Index)}…)";
        if (ids is null) yield break;
        foreach (var m in ids.Matches(text).Cast<Match>().DistinctBy(m => m.Value).Take(5))
            yield return $"shows the id “{m.Value}” (…{Around(m.Index)}…)";
    }

    /// <summary>
    /// The codes of the model that must never be shown as words: every member of the data model's enums (statuses, kinds,
    /// levels, outcomes: Open, Submitted, Verified, Draft, Returned, Published, Collecting, Review, Planned …), the role and
    /// fact-source codes (<see cref="Roles"/>, <see cref="FactSources"/>), the raters of the leadership evaluation
    /// (principal, in-charge: shown once as "厅领导 (in-charge)") and the scoring methods' kinds of the scheme file
    /// (shown once as "(ratio, 5)"). Left out: the enums of two request-side concepts never rendered (Unstorable,
    /// PeriodInput), whose members are common words (Text, Data).
    /// </summary>
    public static Regex Codes(IReadOnlySet<string> signInNames)
    {
        var data = typeof(Fact).Assembly;
        var enums = data.GetExportedTypes().Where(t => t.IsEnum && t.Namespace == "Kaohe.Data" && t.Name is not ("Unstorable" or "PeriodInput"))
            .SelectMany(Enum.GetNames);
        string[] Constants(Type t) => [.. t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!)];
        string[] raters = ["principal", "in-charge"];
        string[] methods = ["efficacy", "banded", "ratio", "threshold", "relative", "rank", "deduction", "raters", "survey", "direct"];
        var words = enums.Concat(Constants(typeof(Roles))).Concat(Constants(typeof(FactSources))).Concat(raters).Concat(methods)
            .Where(w => !signInNames.Contains(w)).Distinct(StringComparer.Ordinal).OrderByDescending(w => w.Length).Select(Regex.Escape);
        return new Regex(Token(string.Join("|", words)), RegexOptions.CultureInvariant);
    }

    /// <summary>The accounts' sign-in names (office, leader-principal …): who recorded, issued or decided something is shown by them.</summary>
    public static async Task<IReadOnlySet<string>> SignInNames(BrowserFixture app)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        return (await db.Users.Select(u => u.UserName!).ToListAsync()).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The ids of the database's units, counties and prefectures (the demo's zj-lasa, scc, lasa; the generator's u0001).</summary>
    public static async Task<Regex?> InternalIds(BrowserFixture app)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var ids = (await db.Units.Select(u => u.Id).ToListAsync())
            .Concat(await db.Prefectures.Select(p => p.Id).ToListAsync())
            .Concat(await db.Counties.Select(c => c.Id).ToListAsync())
            .Where(i => i.Length >= 3).Distinct(StringComparer.Ordinal).OrderByDescending(i => i.Length).Select(Regex.Escape).ToList();
        return ids.Count == 0 ? null : new Regex(Token(string.Join("|", ids)), RegexOptions.CultureInvariant);
    }

    /// <summary>A whole token: no Latin letter, digit, '-', '_', '.', '@' or '/' on either side (so not inside a word, an address or an e-mail).</summary>
    private static string Token(string alternatives) => $@"(?<![A-Za-z0-9_@/.-])(?:{alternatives})(?![A-Za-z0-9_@/-])";

    /// <summary>A database row number shown as "#541".</summary>
    [GeneratedRegex(@"(?<![&\w])#\d+\b")]
    private static partial Regex RowNumber();

    /// <summary>The page's visible text, less what it shows in &lt;code&gt; on purpose.</summary>
    private const string VisibleText = """
        () => {
            let text = document.body.innerText;
            for (const c of document.querySelectorAll('code')) if (c.innerText) text = text.split(c.innerText).join(' ');
            return text;
        }
        """;

    /// <summary>The width rules of the remarks, as messages naming the element.</summary>
    private const string WidthCheck = """
        phone => {
            const bad = [];
            // A chart's table twin is kept for screen readers in a 1 px .sr-only box until asked for: not shown, so not measured.
            const shown = e => e.getClientRects().length > 0 && e.clientWidth > 0 && !e.closest('.sr-only');
            const label = e => {
                const h = e.closest('section, details, main')?.querySelector('h1, h2, h3, summary, caption');
                const th = e.querySelector('th');
                return (th ? '“' + th.innerText.trim().slice(0, 20) + '”' : e.tagName.toLowerCase()) + (h ? ' under “' + h.innerText.trim().slice(0, 30) + '”' : '');
            };
            const root = document.documentElement;
            if (root.scrollWidth > window.innerWidth + 1) bad.push(`the page is ${root.scrollWidth} px wide in a ${window.innerWidth} px window`);
            const nav = document.querySelector('nav.mainnav');
            if (nav && nav.scrollWidth > nav.clientWidth + 1) bad.push(`the navigation is ${nav.scrollWidth} px wide in its ${nav.clientWidth} px bar`);
            for (const wrap of document.querySelectorAll('.table-wrap')) {
                if (!shown(wrap) || wrap.scrollWidth <= wrap.clientWidth + 1) continue;
                const ox = getComputedStyle(wrap).overflowX;
                if (phone && (ox === 'auto' || ox === 'scroll')) continue;
                bad.push(`the table ${label(wrap)} is ${wrap.scrollWidth} px wide in its ${wrap.clientWidth} px box`);
            }
            for (const t of document.querySelectorAll('table')) {
                if (!shown(t) || t.closest('.table-wrap')) continue;
                const box = t.parentElement;
                if (t.offsetWidth > box.clientWidth + 1) bad.push(`the table ${label(t)} is ${t.offsetWidth} px wide in its ${box.clientWidth} px box`);
            }
            return bad;
        }
        """;

    /// <summary>At most this many pages one step beyond the navigation, per role and screen (the walk's time stays a few minutes).</summary>
    private const int MaxFurther = 30;

    /// <summary>
    /// The kind of page an address opens: its path with the query left out and every segment from the third on, or
    /// holding a digit, as "*" (/Units/Detail/zj-lasa and /Units/Detail/cg-lasa are one kind; /Schemes/Detail/13 too).
    /// </summary>
    private static string Kind(string pathAndQuery)
    {
        var path = pathAndQuery.Split('?')[0];
        return string.Join('/', path.Split('/').Select((s, i) => i >= 3 || s.Any(char.IsDigit) ? "*" : s));
    }

    private static string Slug(string path)
    {
        var s = Regex.Replace(path.Trim('/'), "[^A-Za-z0-9]+", "_").Trim('_');
        return s.Length == 0 ? "home" : s.Length > 80 ? s[..80] : s;
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Kaohe.sln"))) dir = dir.Parent;
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }
}
