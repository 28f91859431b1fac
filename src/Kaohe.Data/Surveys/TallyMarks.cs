using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Kaohe.Data;

/// <summary>
/// The columns of a <see cref="SurveyTallyMark"/>: the stamp of the questionnaire versions counted and the counts per
/// site and version. 更新统计 writes the mark and /Surveys reads it back (Features/Surveys/SurveyService.Tallies.cs);
/// <c>kaohe generate</c> writes the mark that 更新统计 would have written for the answers it generates (without it the
/// first /Surveys after a start counted the million answers itself). One format, in one place.
/// </summary>
public static class TallyMarks
{
    /// <summary>SHA-256 (upper-case hex) of every questionnaire version's id and document, in the order of their ids.</summary>
    public static string Versions(IEnumerable<SurveyQuestionnaire> versions) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\u0001", versions.OrderBy(q => q.Id).Select(q => $"{q.Id}\u0002{q.Document}")))));

    /// <summary>The counts per (site, version) as JSON: <c>[{"site":1,"version":1,"counts":{"A":3,…}},…]</c>, by site and version.</summary>
    public static string CountsJson(IEnumerable<KeyValuePair<(int Site, int Version), Dictionary<string, double>>> counts) =>
        JsonSerializer.Serialize(counts.OrderBy(kv => kv.Key.Site).ThenBy(kv => kv.Key.Version)
            .Select(kv => new Counted(kv.Key.Site, kv.Key.Version, kv.Value)).ToList(), Json);

    /// <summary>The counts a mark's JSON holds, per (site, version).</summary>
    public static Dictionary<(int Site, int Version), Dictionary<string, double>> ReadCounts(string countsJson) =>
        JsonSerializer.Deserialize<List<Counted>>(countsJson, Json)!
            .ToDictionary(c => (c.Site, c.Version), c => new Dictionary<string, double>(c.Counts, StringComparer.Ordinal));

    private sealed record Counted(int Site, int Version, Dictionary<string, double> Counts);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
