using System.Diagnostics.Metrics;

namespace Kaohe.Data;

/// <summary>
/// The measurements taken in the data layer, in the application's one meter name ("Kaohe"): the
/// web host's OpenTelemetry listens to every meter of that name, so these appear beside the ones of
/// <c>Kaohe.Web.Infrastructure.KaoheMetrics</c> (docs/operations.md, "Metrics").
/// </summary>
public static class DataMetrics
{
    public const string MeterName = "Kaohe";
    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> FactsWritten = Meter.CreateCounter<long>("kaohe.facts.written", "{fact}", "Facts added or changed by saves that committed");
}
