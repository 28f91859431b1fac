using Kaohe.Scoring;

namespace Kaohe.Web.Features.Insight;

public sealed record InvestmentUnit(string Unit, string Name, double? Completion, double? Growth, double? Share);

/// <summary>
/// The investment headline of a quarter (amount in 亿元, share of plan, year on year) and each unit's
/// completion, growth and share, all from the base figures (measures) of that quarter.
/// <paramref name="Source"/> is <c>measures</c> when they were there, else <c>none</c> (and the figures are null).
/// </summary>
public sealed record InvestmentHeadline(string? PeriodId, decimal? CompletedYi, double? PlanShare, double? Growth, string Source, IReadOnlyList<InvestmentUnit> Units)
{
    public static InvestmentHeadline None(string? periodId) => new(periodId, null, null, null, "none", []);
}

/// <summary>
/// Reads the investment headline from a version 2 assessment: the measures <c>inv</c> (completed
/// investment), <c>plan</c> (the quarter's plan) and <c>inv_ly</c> (last year's same quarter), in 万元,
/// as scoring-format.md names them. Region totals are sums over every unit of the category; a ratio is
/// left out (null) when its denominator is 0 or a unit lacks the figure.
/// </summary>
public static class InvestmentFigures
{
    public const string Completed = "inv", Plan = "plan", LastYear = "inv_ly";

    /// <summary>万元 per 亿元.</summary>
    private const decimal WanPerYi = 10_000m;

    public static InvestmentHeadline From(string periodId, Assessment? a)
    {
        if (a is null || !a.Measures.Any(m => m.Id == Completed)) return InvestmentHeadline.None(periodId);
        var byUnit = a.Data.GroupBy(d => d.Unit, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToDictionary(d => d.Measure, d => d.Value, StringComparer.Ordinal), StringComparer.Ordinal);
        double? Of(string unit, string measure) => byUnit.GetValueOrDefault(unit)?.TryGetValue(measure, out var v) == true ? v : null;
        double? Total(string measure) => a.Units.All(u => Of(u.Id, measure) is not null) ? a.Units.Sum(u => Of(u.Id, measure)!.Value) : null;
        static double? Ratio(double? x, double? y) => x is { } n && y is { } d && d != 0 ? n / d : null;
        var inv = Total(Completed);
        var plan = Total(Plan);
        var last = Total(LastYear);
        var units = a.Units.Select(u => new InvestmentUnit(u.Id, u.Name, Ratio(Of(u.Id, Completed), Of(u.Id, Plan)),
            Ratio(Of(u.Id, Completed), Of(u.Id, LastYear)) - 1, Ratio(Of(u.Id, Completed), inv))).ToList();
        return new InvestmentHeadline(periodId, inv is { } i ? (decimal)i / WanPerYi : null, Ratio(inv, plan), Ratio(inv, last) - 1,
            inv is null ? "none" : "measures", units);
    }
}
