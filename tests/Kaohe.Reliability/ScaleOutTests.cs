using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Kaohe.Reliability;

/// <summary>Two instances behind nginx on one PostgreSQL: sessions, anti-forgery and results do not depend on which instance answers.</summary>
public sealed partial class ScaleOutTests(Cluster cluster) : IClassFixture<Cluster>
{
    /// <summary>A browser-like client: cookies kept, no redirects followed.</summary>
    private static HttpClient Browser(string baseUrl, CookieContainer? jar = null) =>
        new(new HttpClientHandler { CookieContainer = jar ?? new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl) };

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiForgery();

    private static async Task SignInAsync(HttpClient client, string user)
    {
        var page = await client.GetStringAsync("/Account/Login");
        var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Username"] = user,
            ["Password"] = Cluster.DemoPassword,
            ["__RequestVerificationToken"] = AntiForgery().Match(page).Groups[1].Value,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    [Fact]
    public async Task A_sign_in_made_on_one_instance_is_honoured_by_the_other()
    {
        var jar = new CookieContainer();
        using var onA = Browser(cluster.A.BaseUrl, jar);
        await SignInAsync(onA, "office");
        // The same cookies, sent to the other instance: the data-protection keys live in the database.
        using var onB = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(cluster.B.BaseUrl) };
        var request = new HttpRequestMessage(HttpMethod.Get, "/Audit");
        request.Headers.Add("Cookie", jar.GetCookieHeader(new Uri(cluster.A.BaseUrl)));
        var response = await onB.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // And a bearer token issued by B works on A.
        using var anonB = new HttpClient { BaseAddress = new Uri(cluster.B.BaseUrl) };
        var token = (await (await anonB.PostAsJsonAsync("/api/v1/auth/token", new { username = "viewer", password = Cluster.DemoPassword }))
            .Content.ReadFromJsonAsync<TokenBody>())!.Token;
        using var apiA = new HttpClient { BaseAddress = new Uri(cluster.A.BaseUrl) };
        apiA.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await apiA.GetAsync("/api/v1/units")).StatusCode);
    }

    [Fact]
    public async Task Through_nginx_a_session_survives_requests_alternating_between_instances()
    {
        // Round-robin: the login page and its post land on different instances, so the
        // anti-forgery token of one is checked by the other.
        using var client = Browser(cluster.Proxy.BaseUrl);
        for (var attempt = 0; attempt < 4; attempt++) await SignInAsync(client, attempt % 2 == 0 ? "office" : "viewer");
        await SignInAsync(client, "office");
        for (var i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Audit")).StatusCode);
    }

    [Fact]
    public async Task The_rankings_read_the_same_from_both_instances()
    {
        var tables = new List<string>();
        foreach (var instance in new[] { cluster.A, cluster.B })
        {
            using var client = Browser(instance.BaseUrl);
            await SignInAsync(client, "office");
            var html = await client.GetStringAsync("/Results");
            var table = Table().Matches(html).Select(m => WebUtility.HtmlDecode(Tags().Replace(m.Value, " "))).ToList();
            Assert.NotEmpty(table);
            Assert.Contains("拉萨市住房和城乡建设局", string.Concat(table));
            tables.Add(Regex.Replace(string.Join("\n", table), @"\s+", " "));
        }
        Assert.Equal(tables[0], tables[1]);
    }

    [GeneratedRegex("<table[\\s\\S]*?</table>")]
    private static partial Regex Table();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    private sealed record TokenBody(string Token);
}
