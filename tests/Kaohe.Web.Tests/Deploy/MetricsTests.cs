using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Kaohe.Data;
using Kaohe.Web.Features.Surveys;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Deploy;

/// <summary>
/// <c>/metrics</c> (issue 21): Prometheus text to the allowed address only, judged on the client address
/// after the forwarded-headers step, with Kaohe's own counters moving as the application works.
/// </summary>
public abstract partial class MetricsTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    // Prometheus's own address; it is also the known proxy, as with nginx and Prometheus on one host.
    public const string Scraper = "127.0.0.2";

    [Fact]
    public async Task The_allowed_address_reads_the_metrics_and_the_survey_counter_moves_with_an_answer()
    {
        await using var kestrel = app.Factory.WithWebHostBuilder(b => b.UseSetting("urls", "http://127.0.0.1:0"));
        kestrel.UseKestrel(0);
        kestrel.StartServer();
        using var scraper = ClientAddress.From(Scraper, kestrel.ClientOptions.BaseAddress);

        var first = await scraper.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.StartsWith("text/plain", first.Content.Headers.ContentType!.MediaType);
        var before = Sum(await first.Content.ReadAsStringAsync(), "kaohe_survey_answers_total");

        // One citizen's answer, through the public survey API of the same instance.
        var code = await IssueCodeAsync();
        using var citizen = ClientAddress.From("127.0.0.5", kestrel.ClientOptions.BaseAddress);
        var answers = Questionnaire.UrbanManagementTemplate().Questions.ToDictionary(q => q.Id, _ => "满意");
        Assert.Equal(HttpStatusCode.Created, (await citizen.PostAsJsonAsync($"/api/v1/survey/{code}", new { answers, language = "zh" })).StatusCode);

        var text = await scraper.GetStringAsync("/metrics");
        Assert.True(Sum(text, "kaohe_survey_answers_total") >= before + 1, "the survey counter did not move:\n" + text);
        // The request instrumentation and the job-queue gauge (read from the database) are there too.
        Assert.Matches(RequestDuration(), text);
        Assert.Matches(new Regex("^kaohe_jobs_queued(\\{[^}]*\\})? \\d+", RegexOptions.Multiline), text);
    }

    [Fact]
    public async Task Other_addresses_get_404_also_when_they_come_through_the_proxy_or_claim_the_allowed_address()
    {
        await using var kestrel = app.Factory.WithWebHostBuilder(b => b.UseSetting("urls", "http://127.0.0.1:0"));
        kestrel.UseKestrel(0);
        kestrel.StartServer();
        using var other = ClientAddress.From("127.0.0.3", kestrel.ClientOptions.BaseAddress);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/metrics")).StatusCode);

        // Claiming to be the scraper from elsewhere: 127.0.0.3 is no known proxy, so its header is not believed.
        var spoof = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        spoof.Headers.Add("X-Forwarded-For", Scraper);
        Assert.Equal(HttpStatusCode.NotFound, (await other.SendAsync(spoof)).StatusCode);

        // A browser on the internet reaching /metrics through the proxy (which is at the scraper's address):
        // the client is the browser, not the proxy.
        using var proxy = ClientAddress.From(Scraper, kestrel.ClientOptions.BaseAddress);
        var forwarded = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        forwarded.Headers.Add("X-Forwarded-For", "198.51.100.7");
        Assert.Equal(HttpStatusCode.NotFound, (await proxy.SendAsync(forwarded)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await proxy.GetAsync("/metrics")).StatusCode);
    }

    private async Task<string> IssueCodeAsync()
    {
        using var scope = app.Factory.Services.CreateScope();
        var surveys = scope.ServiceProvider.GetRequiredService<SurveyService>();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var site = await db.Set<SurveySite>().OrderBy(s => s.Id).FirstAsync(x => x.Code == "LS-1");
        var batch = await surveys.IssueAsync(site.Id, 1, 8, "office");
        return (await surveys.CodesAsync(batch!)).Single().Token;
    }

    /// <summary>The sum of a metric's samples over all its label sets (0 before its first measurement).</summary>
    private static double Sum(string exposition, string name) =>
        Regex.Matches(exposition, "^" + Regex.Escape(name) + "(\\{[^}]*\\})? (\\S+)", RegexOptions.Multiline)
            .Sum(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex("^http_server_request_duration_seconds_count\\{.*http_request_method=\"GET\"", RegexOptions.Multiline)]
    private static partial Regex RequestDuration();
}

internal static class MetricsSettings
{
    public static void Apply(Dictionary<string, string> settings)
    {
        settings["Kaohe:Metrics:AllowedAddresses"] = MetricsTests<SqliteApp>.Scraper;
        settings["Kaohe:KnownProxies"] = MetricsTests<SqliteApp>.Scraper;
    }
}

public sealed class SqliteMetricsApp : SqliteApp
{
    public override Task InitializeAsync()
    {
        MetricsSettings.Apply(Settings);
        return base.InitializeAsync();
    }
}

public sealed class PostgresMetricsApp : PostgresApp
{
    public override Task InitializeAsync()
    {
        MetricsSettings.Apply(Settings);
        return base.InitializeAsync();
    }
}

public sealed class SqliteMetricsTests(SqliteMetricsApp app) : MetricsTests<SqliteMetricsApp>(app);
public sealed class PostgresMetricsTests(PostgresMetricsApp app) : MetricsTests<PostgresMetricsApp>(app);
