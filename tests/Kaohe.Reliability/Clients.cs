using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Kaohe.Reliability;

/// <summary>How the tests talk to an instance: as a browser (cookies, forms, anti-forgery), with a bearer token, or as the public.</summary>
public static partial class Clients
{
    /// <summary>A browser-like client: cookies kept, no redirects followed.</summary>
    public static HttpClient Browser(string baseUrl, CookieContainer? jar = null) =>
        new(new HttpClientHandler { CookieContainer = jar ?? new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(baseUrl),
            Timeout = TimeSpan.FromSeconds(60),
        };

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    public static partial Regex AntiForgery();

    public static string AntiForgeryToken(string html) => AntiForgery().Match(html).Groups[1].Value;

    public static async Task SignInAsync(HttpClient client, string user)
    {
        var page = await client.GetStringAsync("/Account/Login");
        var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Username"] = user,
            ["Password"] = Cluster.DemoPassword,
            ["__RequestVerificationToken"] = AntiForgeryToken(page),
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    public static async Task<HttpClient> SignedInAsync(string baseUrl, string user)
    {
        var client = Browser(baseUrl);
        await SignInAsync(client, user);
        return client;
    }

    public static async Task<HttpClient> BearerAsync(string baseUrl, string user)
    {
        var client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { username = user, password = Cluster.DemoPassword });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The revision of a category's draft the office reviews (the draft's ETag), which a publication names.</summary>
    public static async Task<string?> RevisionAsync(HttpClient office, string period, string category)
    {
        using var draft = await office.GetAsync($"/api/v1/periods/{period}/categories/{category}/draft");
        return draft.Headers.ETag?.Tag.Trim('"');
    }

    /// <summary>A platform client: the office creates an API key for the indicators, the platform sends it as X-Api-Key.</summary>
    public static async Task<HttpClient> PlatformAsync(string baseUrl, string name, params string[] indicators)
    {
        using var office = await BearerAsync(baseUrl, "office");
        var created = await office.PostAsJsonAsync("/api/v1/apikeys", new { name, indicators });
        created.EnsureSuccessStatusCode();
        var secret = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        var client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", secret);
        return client;
    }

    [GeneratedRegex("/s/([a-z2-7]{26})")]
    private static partial Regex Code();

    public sealed record Site(int Id, string Code, string Period);

    /// <summary>The survey sites of the period being collected, as the office's progress board lists them.</summary>
    public static async Task<List<Site>> SitesAsync(string baseUrl)
    {
        using var office = await BearerAsync(baseUrl, "office");
        var progress = await office.GetFromJsonAsync<JsonElement>("/api/v1/surveys/progress");
        var period = progress.GetProperty("periodId").GetString()!;
        return [.. progress.GetProperty("sites").EnumerateArray()
            .Select(s => new Site(s.GetProperty("siteId").GetInt32(), s.GetProperty("code").GetString()!, period))];
    }

    /// <summary>
    /// Issues a batch of single-use QR codes the way the office does (调查点 page → 生成二维码), and
    /// reads the codes off the printable sheet.
    /// </summary>
    public static async Task<List<string>> IssueCodesAsync(string baseUrl, Site site, int count)
    {
        using var office = await SignedInAsync(baseUrl, "office");
        var page = await office.GetStringAsync($"/Surveys/Sites?period={site.Period}");
        var issued = await office.PostAsync($"/Surveys/Sites?handler=Issue&period={site.Period}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["site"] = site.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["count"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["perSheet"] = "12",
            ["__RequestVerificationToken"] = AntiForgeryToken(page),
        }));
        Assert.Equal(HttpStatusCode.Redirect, issued.StatusCode);
        var print = await office.GetStringAsync(issued.Headers.Location!.OriginalString);
        var codes = Code().Matches(print).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Equal(count, codes.Count);
        return codes;
    }

    /// <summary>A complete answer to the questionnaire of a code: the first option of every question.</summary>
    public static async Task<Dictionary<string, string>> AnswersAsync(string baseUrl, string code)
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(baseUrl) };
        var q = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/survey/{code}");
        return q.GetProperty("questions").EnumerateArray().ToDictionary(
            x => x.GetProperty("id").GetString()!,
            x => x.GetProperty("options")[0].GetProperty("id").GetString()!);
    }

    /// <summary>Posts a multipart file upload (with the page's anti-forgery token when given).</summary>
    public static MultipartFormDataContent Upload(string field, string fileName, byte[] bytes, string? antiForgery = null)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, field, fileName);
        if (antiForgery is not null) form.Add(new StringContent(antiForgery), "__RequestVerificationToken");
        return form;
    }
}
