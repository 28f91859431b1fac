using Kaohe.Scoring;
using Kaohe.Data;

namespace Kaohe.Web.Features.Results;

/// <summary>A published snapshot without its (large) document.</summary>
public sealed record SnapshotInfo(long Id, string Key, int Version, DateTimeOffset PublishedAt);

/// <summary>One ranking group (排名组) of a category, its units in rank order.</summary>
public sealed record RankingGroup(string Name, IReadOnlyList<UnitResult> Units);

/// <summary>One part of the annual roll-up: a quarter (from its latest published snapshot, or its draft) or the annual leadership evaluation.</summary>
public sealed record AnnualPart(string Id, string NameZh, string NameEn, double Weight, string SourceZh, string SourceEn, long? SnapshotId);

/// <summary>
/// The results of a period and category at one revision of their inputs (a draft), or as one
/// snapshot published them: what every page, export, API, the ledger and the bulletin read. Immutable
/// once built; shared by every request until the inputs change.
/// </summary>
/// <remarks>
/// A draft quarter is scored group by group (ranks, best and worst values, means and commendation are
/// all within a ranking group, so a group scored alone gives the same figures bit for bit), which lets
/// the store recompute only the groups a change touches. A published view holds the stored results of
/// its snapshot, read without scoring.
/// </remarks>
public sealed class ResultsView
{
    private readonly Lazy<Assessment?> _assessment;
    private readonly Func<string, string?, Explanation?> _explain;

    internal ResultsView(Func<Assessment?> assessment, Func<string, string?, Explanation?> explain)
    {
        _assessment = new Lazy<Assessment?>(assessment, LazyThreadSafetyMode.ExecutionAndPublication);
        _explain = explain;
    }

    public required string PeriodId { get; init; }
    public required string Category { get; init; }

    /// <summary>What the view was computed from: <c>draft:</c> and the revision, or <c>snapshot:</c> and its id.</summary>
    public required string Version { get; init; }

    /// <summary>The revision of a draft (what the office reviews and publishes against); null for a published view.</summary>
    public Revision? Revision { get; init; }
    public Period? Period { get; init; }
    public bool NoScheme { get; init; }
    public bool IsAnnual => Period?.Kind == PeriodKind.Annual;

    /// <summary>The active scheme a draft quarter was computed with (id and version); null otherwise.</summary>
    public (int Id, int Version)? Scheme { get; init; }

    /// <summary>The whole input (every unit, value, adjustment, veto and the rules), as a file would hold it.</summary>
    public Assessment? Assessment => _assessment.Value;

    public IReadOnlyList<ValidationError> Errors { get; init; } = [];

    /// <summary>Every unit's result in the input's order (by unit id), as the engine lists them; empty while the data cannot be scored.</summary>
    public IReadOnlyList<UnitResult> Units { get; init; } = [];
    public IReadOnlyList<RankingGroup> Groups { get; init; } = [];
    public IReadOnlyDictionary<string, UnitResult> ByUnit { get; init; } = new Dictionary<string, UnitResult>();
    public IReadOnlyDictionary<string, (double? Up, double? Down)> Margins { get; init; } = new Dictionary<string, (double?, double?)>();

    /// <summary>Set when the view is a published snapshot's results.</summary>
    public SnapshotInfo? Published { get; init; }

    /// <summary>How an annual view's parts were obtained.</summary>
    public IReadOnlyList<AnnualPart> AnnualParts { get; init; } = [];
    public TimeSpan ComputeTime { get; init; }
    public int RankDecimals { get; init; } = 2;

    /// <summary>Whether there are results: a scheme, and data the engine accepted.</summary>
    public bool Scored => !NoScheme && Errors.Count == 0 && Period is not null;

    public RankingGroup? Group(string? name) => Groups.FirstOrDefault(g => g.Name == name);

    public RankingGroup? GroupOf(string unitId) => ByUnit.TryGetValue(unitId, out var u) ? Group(u.Group) : null;

    /// <summary>How a unit's total (node null) or one node was computed; null for an unknown unit or node.</summary>
    public Explanation? Explain(string unitId, string? nodeId = null) =>
        ByUnit.ContainsKey(unitId) && (nodeId is null || (Assessment is { } a && Exists(a.Indicators, nodeId))) ? _explain(unitId, nodeId) : null;

    private static bool Exists(IEnumerable<Indicator> nodes, string id) => nodes.Any(n => n.Id == id || Exists(n.ChildList, id));

    internal static (IReadOnlyList<UnitResult> Units, IReadOnlyList<RankingGroup> Groups, IReadOnlyDictionary<string, UnitResult> ByUnit,
        IReadOnlyDictionary<string, (double? Up, double? Down)> Margins) Arrange(IEnumerable<UnitResult> units)
    {
        var groups = units.GroupBy(u => u.Group, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new RankingGroup(g.Key, [.. g.OrderBy(u => u.Rank).ThenBy(u => u.Id, StringComparer.Ordinal)])).ToList();
        var all = groups.SelectMany(g => g.Units).OrderBy(u => u.Id, StringComparer.Ordinal).ToList();
        // Points to the next distinct rounded total up and down, within the group (Robustness.Margins does the same over an engine result).
        var margins = new Dictionary<string, (double?, double?)>(StringComparer.Ordinal);
        foreach (var g in groups)
        {
            var totals = g.Units.Select(u => u.RoundedTotal).Distinct().Order().ToArray();
            foreach (var u in g.Units)
            {
                var i = Array.BinarySearch(totals, u.RoundedTotal);
                margins[u.Id] = (i < totals.Length - 1 ? totals[i + 1] - u.RoundedTotal : null, i > 0 ? u.RoundedTotal - totals[i - 1] : null);
            }
        }
        return (all, groups, all.ToDictionary(u => u.Id, StringComparer.Ordinal), margins);
    }
}

/// <summary>Where a computation of results is: waiting for an earlier one of the same period and category, loading the facts, scoring, ranking.</summary>
public enum ComputationPhase { Waiting, Loading, Scoring, Ranking }

/// <summary>How far the computation of a revision is; <paramref name="Percent"/> is an estimate (the last computation's time, else the phase).</summary>
public sealed record ComputationProgress(string Version, ComputationPhase Phase, int Percent, TimeSpan Elapsed, TimeSpan? Expected);

/// <summary>
/// What the ranking page reads: <paramref name="Current"/> when the results of the current inputs are
/// ready; otherwise <paramref name="Stale"/> (the latest older results, if any were computed) and the
/// <paramref name="Progress"/> of the computation under way.
/// </summary>
public sealed record DraftRead(ResultsView? Current, ResultsView? Stale, ComputationProgress? Progress)
{
    public ResultsView? View => Current ?? Stale;

    public bool Computing => Current is null;
}
