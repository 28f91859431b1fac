using System.Collections.Concurrent;

namespace Kaohe.Web.Features.Surveys;

/// <summary>
/// The answers of a period counted per site and questionnaire version, as last read, under the stamp of
/// what was read: the number of responses, the highest response id and a hash of the questionnaire versions.
/// Responses are only ever added, so an unchanged stamp means unchanged counts. One per instance; another
/// instance's answers change the stamp, so nothing stale is served. After a start the counts begin from the
/// period's <see cref="Kaohe.Data.SurveyTallyMark"/> (what the last 更新统计 counted, under the same stamp).
/// </summary>
public sealed class SurveyCountsCache
{
    public sealed record Key(int Count, long MaxId, string Versions);

    /// <summary>The counts per (site, questionnaire version) and the stamp of the answers they count.</summary>
    public sealed record Entry(Key Key, IReadOnlyDictionary<(int Site, int Version), Dictionary<string, double>> Counts);

    private readonly ConcurrentDictionary<string, Entry> _byPeriod = new(StringComparer.Ordinal);
    private long _readings;

    /// <summary>How many times all the answers were read and counted (the tests watch it).</summary>
    public long Readings => Interlocked.Read(ref _readings);

    /// <summary>The last counts of the period, whatever their stamp (an equal stamp means they are current).</summary>
    public Entry? Latest(string periodId) => _byPeriod.GetValueOrDefault(periodId);

    /// <summary>Notes one reading of all the answers.</summary>
    public void Reading() => Interlocked.Increment(ref _readings);

    public void Set(string periodId, Entry entry) => _byPeriod[periodId] = entry;
}
