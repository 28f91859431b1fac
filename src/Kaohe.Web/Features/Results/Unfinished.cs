using Kaohe.Scoring;
using Kaohe.Data;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Results;

/// <summary>One unit of an unfinished period and what it still lacks, named for people.</summary>
public sealed record UnfinishedUnit(string Id, string Name, IReadOnlyList<string> Missing);

/// <summary>
/// An unfinished period in words (issue 18): who is missing what, in place of the engine's dozens of
/// "missing data" lines with their JSON paths. The engine marks those errors (<see cref="ValidationError.Missing"/>);
/// anything else the data got wrong is kept as its Chinese message. Shown by 考核结果, 排名分差, 一页通, 年终考核 and
/// 沙盘推演 (the partial _Unfinished), and said in one sentence when 公布 is refused.
/// </summary>
public sealed record Unfinished(string PeriodId, IReadOnlyList<UnfinishedUnit> Units, int Items, IReadOnlyList<ValidationError> Other)
{
    /// <summary>Shown a unit at a time, at most this many units (the rest are counted, and listed on 进度).</summary>
    public const int MaxUnits = 50;
    /// <summary>At most this many item names per unit; the rest are counted.</summary>
    public const int MaxItems = 8;

    /// <summary>Whether there is anything to summarise (the engine's errors were about missing data, or others).</summary>
    public bool Any => Units.Count > 0 || Other.Count > 0;

    /// <param name="assessment">The period's input, for the unit, indicator and measure names (null: the ids are shown).</param>
    /// <param name="names">Other names by id, e.g. the divisions that rate a multi-rater indicator.</param>
    /// <param name="english">The language of the words around the names; null: the page's.</param>
    public static Unfinished Of(string periodId, IReadOnlyList<ValidationError> errors, Assessment? assessment, IReadOnlyDictionary<string, string>? names = null, bool? english = null)
    {
        var en = english ?? Infrastructure.Ui.IsEnglish;
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
            : (items.GetValueOrDefault(m.Item) ?? m.Item) + (m.Rater is null ? "" : en ? $" (rated by {Name(m.Rater)})" : $"（{Name(m.Rater)}评分）");
        var missing = errors.Where(e => e.Missing is not null).Select(e => e.Missing!).ToList();
        var byUnit = missing.GroupBy(m => m.Unit, StringComparer.Ordinal)
            .Select(g => new UnfinishedUnit(g.Key, units.GetValueOrDefault(g.Key) ?? Name(g.Key), [.. g.Select(Item).Distinct()]))
            .OrderByDescending(u => u.Missing.Count).ThenBy(u => u.Id, StringComparer.Ordinal).ToList();
        return new Unfinished(periodId, byUnit, missing.Count, [.. errors.Where(e => e.Missing is null)]);
    }

    /// <summary>As <see cref="Of"/>, with the raters (divisions, leaders) named like units from the database.</summary>
    public static async Task<Unfinished> OfAsync(KaoheDbContext db, string periodId, IReadOnlyList<ValidationError> errors, Assessment? assessment, bool? english = null, CancellationToken ct = default)
    {
        var names = await db.Units.AsNoTracking().Select(u => new { u.Id, u.Name }).ToDictionaryAsync(u => u.Id, u => u.Name, StringComparer.Ordinal, ct);
        return Of(periodId, errors, assessment, names, english);
    }

    /// <summary>
    /// The summary in one sentence, for a refusal or an API message: the count, then the first units with the items
    /// they lack (unit and indicator by name), then the first other problems.
    /// </summary>
    public string Sentence(bool english, int maxUnits = 5, int maxItems = 4)
    {
        var parts = new List<string>();
        if (Units.Count > 0)
        {
            var shown = Units.Take(maxUnits).Select(u =>
            {
                var list = string.Join(english ? ", " : "、", u.Missing.Take(maxItems));
                var more = u.Missing.Count > maxItems ? english ? $" and {u.Missing.Count - maxItems} more" : $" 等 {u.Missing.Count} 项" : "";
                return english ? $"{u.Name} lacks {list}{more}" : $"{u.Name}缺少 {list}{more}";
            });
            var rest = Units.Count > maxUnits ? english ? $"; and {Units.Count - maxUnits} more units" : $"；另有 {Units.Count - maxUnits} 个单位" : "";
            parts.Add(english
                ? $"{Units.Count} units lack {Items} items: {string.Join("; ", shown)}{rest}"
                : $"{Units.Count} 个单位共缺少 {Items} 项数据：{string.Join("；", shown)}{rest}");
        }
        if (Other.Count > 0)
            parts.Add(string.Join(english ? "; " : "；", Other.Take(3).Select(e => english ? e.En : e.Zh))
                + (Other.Count > 3 ? english ? $" and {Other.Count - 3} more problems" : $" 等 {Other.Count} 处问题" : ""));
        return string.Join(english ? ". " : "。", parts);
    }
}
