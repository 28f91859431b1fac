using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Kaohe.Data;
using OpenTelemetry.Metrics;

namespace Kaohe.Web.Infrastructure;

/// <summary>
/// Kaohe's own measurements, all in one meter (docs/operations.md, "Metrics", lists them with the
/// Prometheus names they get). The instruments are static so that the places that count need no
/// injection; with no listener (metrics off) an increment costs next to nothing.
/// </summary>
public static class KaoheMetrics
{
    public const string MeterName = DataMetrics.MeterName;
    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> SurveyAnswers = Meter.CreateCounter<long>("kaohe.survey.answers", "{answer}", "Survey answers stored (acknowledged after commit)");
    /// <summary>Counted where saves commit, in the data layer (<see cref="DataMetrics"/>, same meter name).</summary>
    public static Counter<long> FactsWritten => DataMetrics.FactsWritten;
    public static readonly Counter<long> Recomputations = Meter.CreateCounter<long>("kaohe.results.recomputations", "{computation}", "Draft results computed (a revision changed or a cache was cold)");
    public static readonly Histogram<double> RecomputeDuration = Meter.CreateHistogram<double>("kaohe.results.recompute.duration", "s", "Time to compute a draft's results",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
    public static readonly Counter<long> RemindersSent = Meter.CreateCounter<long>("kaohe.reminders.sent", "{reminder}", "Rectification reminders: created in the inbox (channel=inbox) and e-mailed (channel=email)");

    /// <summary>Where the job-queue gauge counts: the running application's services (one application per process in production).</summary>
    private static volatile IServiceScopeFactory? _jobs;

    static KaoheMetrics()
    {
        Meter.CreateObservableGauge("kaohe.jobs.queued", ObserveQueue, "{job}", "Jobs waiting for a runner (all instances: read from the database at each scrape)");
    }

    /// <summary>Times a draft computation: dispose when it ends, whichever way it ends.</summary>
    public static Timing TimeRecompute()
    {
        Recomputations.Add(1);
        return new Timing(Stopwatch.GetTimestamp());
    }

    public readonly struct Timing(long start) : IDisposable
    {
        public void Dispose() => RecomputeDuration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    private static IEnumerable<Measurement<long>> ObserveQueue()
    {
        if (_jobs is not { } scopes) return [];
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
            return [new Measurement<long>(db.Set<Job>().LongCount(j => j.Status == JobStatus.Queued))];
        }
        catch (Exception ex) when (ex is ObjectDisposedException or System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            // No gauge this scrape (the database does not answer, or the application is stopping): the scrape itself still answers.
            return [];
        }
    }

    /// <summary>
    /// Metrics are collected only when <c>Kaohe:Metrics:AllowedAddresses</c> names who may read them
    /// (addresses or CIDR networks, comma-separated, e.g. the Prometheus server's).
    /// </summary>
    public static IServiceCollection AddKaoheMetrics(this IServiceCollection services, IConfiguration config)
    {
        if (Allowed(config).Count == 0) return services;
        services.AddOpenTelemetry().WithMetrics(m => m
            .AddAspNetCoreInstrumentation()
            .AddMeter(MeterName)
            // Every scrape reads the instruments afresh: the exporter's default keeps an answer for 300 ms, so a
            // scrape right after another showed nothing of what happened between them (found by MetricsTests).
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    /// <summary>
    /// <c>/metrics</c> in the Prometheus text format to the allowed addresses, a bare 404 to everyone else.
    /// The address checked is the client's as the forwarded-headers step (ReverseProxy, a startup filter,
    /// so it runs before this) has set it: behind nginx with <c>Kaohe:KnownProxies</c> a browser on the
    /// internet is its own address, not nginx's loopback one.
    /// </summary>
    public static void UseKaoheMetrics(this WebApplication app)
    {
        var allowed = Allowed(app.Configuration);
        app.Use(async (ctx, next) =>
        {
            if (ctx.Request.Path.Equals("/metrics", StringComparison.OrdinalIgnoreCase) && !IsAllowed(allowed, ctx.Connection.RemoteIpAddress))
            {
                ctx.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            await next();
        });
        if (allowed.Count == 0) return;
        _jobs = app.Services.GetRequiredService<IServiceScopeFactory>();
        app.UseOpenTelemetryPrometheusScrapingEndpoint(ctx => ctx.Request.Path.Equals("/metrics", StringComparison.OrdinalIgnoreCase));
    }

    private static bool IsAllowed(List<IPNetwork> allowed, IPAddress? address)
    {
        if (address is null) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return allowed.Any(n => n.Contains(address));
    }

    private static List<IPNetwork> Allowed(IConfiguration config)
    {
        var list = new List<IPNetwork>();
        foreach (var entry in (config["Kaohe:Metrics:AllowedAddresses"] ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            if (entry.Contains('/') && IPNetwork.TryParse(entry, out var network)) list.Add(network);
            else if (IPAddress.TryParse(entry, out var address)) list.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            else throw new InvalidOperationException($"Kaohe:Metrics:AllowedAddresses：\"{entry}\" 既不是地址也不是网段（CIDR）/ is neither an address nor a network (CIDR)");
        }
        return list;
    }
}
