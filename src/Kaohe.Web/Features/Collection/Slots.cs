using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Schemes;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Collection;

/// <summary>Who fills a leaf of a scheme (docs/collection.md).</summary>
public enum SlotOwner
{
    /// <summary>单位填报: computational methods take the unit's own value (and, for a ratio without a fixed target, its target).</summary>
    Unit,

    /// <summary>处室评分: <c>direct</c> leaves, and <c>raters</c> leaves whose raters are divisions (多方评).</summary>
    Division,

    /// <summary>厅领导评价: <c>raters</c> leaves whose raters are leaders (rater ids of leader accounts).</summary>
    Leader,

    /// <summary>Filled elsewhere: findings (实地考核, platforms) and survey tallies.</summary>
    Other,
}

public sealed record Leaf(string Id, string Name, double Points, Method Method, string RuleText, SlotOwner Owner, string Category)
{
    public string Kind => Method.Kind;

    /// <summary>A ratio without a fixed target needs the unit's own target (e.g. 应开工项目数).</summary>
    public bool NeedsTarget => Method is RatioMethod { Target: null };

    public bool IsComputed => Owner == SlotOwner.Unit || Method is DeductionMethod or SurveyMethod;

    /// <summary>The range a score entry must lie in: [0, points] for direct, a 0–100 rating for raters.</summary>
    public (double Min, double Max) ScoreRange => Method is RatersMethod ? (0, 100) : (0, Points);

    public IReadOnlyList<string> RaterIds => Method is RatersMethod r ? [.. r.Raters.Select(x => x.Id)] : [];

    /// <summary>Version 2: the formula the leaf's value is derived by (nobody fills it), and the decimals it is rounded to.</summary>
    public string? Formula { get; init; }

    public int? ValueDecimals { get; init; }
}

/// <summary>A period's active schemes read once: every leaf by category, with who fills it.</summary>
public sealed class SchemeLeaves(IReadOnlyDictionary<string, IReadOnlyList<Leaf>> byCategory, IReadOnlyDictionary<string, IReadOnlyList<Measure>>? measures = null)
{
    public IReadOnlyList<Leaf> Of(string category) => byCategory.GetValueOrDefault(category) ?? [];

    /// <summary>The base figures (measures) of a category's version 2 scheme, which its units report on the 填报 sheet.</summary>
    public IReadOnlyList<Measure> MeasuresOf(string category) => measures?.GetValueOrDefault(category) ?? [];

    public Leaf? Find(string category, string indicatorId) => Of(category).FirstOrDefault(l => l.Id == indicatorId);

    public IEnumerable<string> Categories => byCategory.Keys;

    public static string? CategoryOf(UnitKind kind) => Kaohe.Data.Categories.Of(kind)?.Code;

    /// <summary>
    /// Reads the active scheme of every category for the period. A raters leaf belongs to the leaders
    /// when its rater ids are those of leader accounts (<see cref="AppUser.RaterId"/>, e.g. principal,
    /// in-charge), otherwise to the divisions named as raters.
    /// </summary>
    public static async Task<SchemeLeaves> LoadAsync(KaoheDbContext db, string periodId, CancellationToken ct = default)
    {
        var leaderRaters = (await db.Users.AsNoTracking().Where(u => u.Role == Roles.Leader && u.RaterId != null).Select(u => u.RaterId!).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);
        var schemes = await db.Schemes.AsNoTracking().Where(s => s.PeriodId == periodId && s.Status == SchemeStatus.Active).ToListAsync(ct);
        var result = new Dictionary<string, IReadOnlyList<Leaf>>();
        var measures = new Dictionary<string, IReadOnlyList<Measure>>();
        foreach (var s in schemes.GroupBy(s => s.Category).Select(g => g.OrderByDescending(s => s.Version).First()))
        {
            var tree = SchemeService.Parse(s);
            if (!tree.IsValid) continue;
            var texts = SchemeService.RuleTexts(s);
            var leaves = new List<Leaf>();
            void Walk(IEnumerable<Indicator> nodes)
            {
                foreach (var n in nodes)
                {
                    if (n.IsLeaf && n.Method is { } m)
                        leaves.Add(new Leaf(n.Id, n.Name, n.Points, m, texts.GetValueOrDefault(n.Id) ?? "", n.Formula is null ? OwnerOf(m, leaderRaters) : SlotOwner.Other, s.Category)
                        { Formula = n.Formula, ValueDecimals = n.ValueDecimals });
                    Walk(n.ChildList);
                }
            }
            Walk(tree.Indicators!);
            result[s.Category] = leaves;
            measures[s.Category] = tree.Measures;
        }
        return new SchemeLeaves(result, measures);
    }

    /// <remarks>A formula leaf (version 2) is filled by nobody: the engine derives it from the unit's base figures.</remarks>
    public static SlotOwner OwnerOf(Method m, IReadOnlySet<string> leaderRaters) => m switch
    {
        RatersMethod r when r.Raters.All(x => leaderRaters.Contains(x.Id)) => SlotOwner.Leader,
        RatersMethod or DirectMethod => SlotOwner.Division,
        DeductionMethod or SurveyMethod => SlotOwner.Other,
        _ => SlotOwner.Unit,
    };
}
