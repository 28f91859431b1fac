using Kaohe.Scoring;

namespace Kaohe.Web.Features.Results;

/// <summary>One unit of an unfinished period and what it still lacks, named for people.</summary>
public sealed record UnfinishedUnit(string Id, string Name, IReadOnlyList<string> Missing);

/// <summary>
/// An unfinished period in words (issue 18): who is missing what, in place of the engine's dozens of
/// "missing data" lines with their JSON paths. The engine marks those errors (<see cref="ValidationError.Missing"/>);
/// anything else the data got wrong is kept as its Chinese message.
/// </summary>
public sealed record Unfinished(string PeriodId, IReadOnlyList<UnfinishedUnit> Units, int Items, IReadOnlyList<ValidationError> Other)
{
    /// <summary>Shown a unit at a time, at most this many units (the rest are counted, and listed on 进度).</summary>
    public const int MaxUnits = 50;
    /// <summary>At most this many item names per unit; the rest are counted.</summary>
    public const int MaxItems = 8;

    /// <param name="assessment">The period's input, for the unit, indicator and measure names (null: the ids are shown).</param>
    /// <param name="names">Other names by id, e.g. the divisions that rate a multi-rater indicator.</param>
    public static Unfinished Of(string periodId, IReadOnlyList<ValidationError> errors, Assessment? assessment, IReadOnlyDictionary<string, string>? names = null)
    {
        var units = assessment?.Units.ToDictionary(u => u.Id, u => u.Name, StringComparer.Ordinal) ?? [];
        var items = new Dictionary<string, string>(StringComparer.Ordinal);
        void Walk(IEnumerable<Indicator> nodes)
        {
            foreach (var n in nodes) { items[n.Id] = $"{n.Id} {n.Name}"; Walk(n.Children ?? []); }
        }
        if (assessment is not null) Walk(assessment.Indicators);
        var measures = assessment?.Measures.ToDictionary(m => m.Id, m => string.IsNullOrEmpty(m.Name) ? m.Id : m.Name, StringComparer.Ordinal) ?? [];
        string Name(string id) => names?.GetValueOrDefault(id) ?? id;
        string Item(MissingData m) => m.Measure ? measures.GetValueOrDefault(m.Item) ?? m.Item
            : (items.GetValueOrDefault(m.Item) ?? m.Item) + (m.Rater is null ? "" : Infrastructure.Ui.T($"（{Name(m.Rater)}评分）", $" (rated by {Name(m.Rater)})"));
        var missing = errors.Where(e => e.Missing is not null).Select(e => e.Missing!).ToList();
        var byUnit = missing.GroupBy(m => m.Unit, StringComparer.Ordinal)
            .Select(g => new UnfinishedUnit(g.Key, units.GetValueOrDefault(g.Key) ?? Name(g.Key), [.. g.Select(Item).Distinct()]))
            .OrderByDescending(u => u.Missing.Count).ThenBy(u => u.Id, StringComparer.Ordinal).ToList();
        return new Unfinished(periodId, byUnit, missing.Count, [.. errors.Where(e => e.Missing is null)]);
    }
}
