using System.Collections.Concurrent;

namespace Kaohe.Web.Features.Surveys;

/// <summary>
/// The answers of a period counted per site and questionnaire version, as last read, under the stamp of
/// what was read: the number of responses, the highest response id and the questionnaire versions.
/// Responses are only ever added, so an unchanged stamp means unchanged counts. One per instance; another
/// instance's answers change the stamp, so nothing stale is served.
/// </summary>
public sealed class SurveyCountsCache
{
    public sealed record Key(int Count, long MaxId, string Versions);

    private readonly ConcurrentDictionary<string, (Key Key, IReadOnlyDictionary<(int Site, int Version), Dictionary<string, double>> Counts)> _byPeriod = new(StringComparer.Ordinal);
    private long _readings;

    /// <summary>How many times the answers were read and counted (the tests watch it).</summary>
    public long Readings => Interlocked.Read(ref _readings);

    public IReadOnlyDictionary<(int Site, int Version), Dictionary<string, double>>? TryGet(string periodId, Key key) =>
        _byPeriod.TryGetValue(periodId, out var kept) && kept.Key == key ? kept.Counts : null;

    /// <summary>The last counts of the period, whatever their stamp (to add only the answers stored since).</summary>
    public (Key Key, IReadOnlyDictionary<(int Site, int Version), Dictionary<string, double>> Counts)? Latest(string periodId) =>
        _byPeriod.TryGetValue(periodId, out var kept) ? kept : null;

    /// <summary>Notes one reading of all the answers.</summary>
    public void Reading() => Interlocked.Increment(ref _readings);

    public void Set(string periodId, Key key, IReadOnlyDictionary<(int Site, int Version), Dictionary<string, double>> counts) =>
        _byPeriod[periodId] = (key, counts);
}
