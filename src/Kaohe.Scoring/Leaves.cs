namespace Kaohe.Scoring;

public sealed partial class CompiledAssessment
{
    private void ScoreLeaf(int k, Method method, int[] members)
    {
        var points = _nodes[k].Points;
        var score = _score[k];
        var x = _value[k];
        switch (method)
        {
            case EfficacyMethod e:
            {
                var (best, worst, _, _) = BestWorst(x!, members, e.Direction);
                var s = Resolve(e.Satisfactory, best, worst);
                var un = Resolve(e.Unallowable, best, worst);
                foreach (var u in members) score[u] = Methods.Efficacy(e, points, x![u], s, un, out _);
                break;
            }
            case BandedMethod b:
                foreach (var u in members) score[u] = Methods.Banded(b, points, x![u]);
                break;
            case RatioMethod r:
            {
                var t = _target[k]!;
                foreach (var u in members) score[u] = Methods.Ratio(r, points, x![u], double.IsNaN(t[u]) ? r.Target!.Value : t[u]);
                break;
            }
            case ThresholdMethod th:
                foreach (var u in members) score[u] = Methods.Threshold(th, points, x![u]);
                break;
            case RelativeMethod rel:
            {
                var mean = Mean(x!, members);
                foreach (var u in members) score[u] = Methods.Relative(rel, points, x![u], mean);
                break;
            }
            case RankMethod rk:
            {
                // One sort per group: competition ranks (1, 2, 2, 4) in O(n log n).
                var order = (int[])members.Clone();
                var xs = x!;
                if (rk.Direction == Direction.Higher) Array.Sort(order, (a, b) => xs[b].CompareTo(xs[a]));
                else Array.Sort(order, (a, b) => xs[a].CompareTo(xs[b]));
                var rank = 1;
                for (var i = 0; i < order.Length; i++)
                {
                    if (i > 0 && xs[order[i]] != xs[order[i - 1]]) rank = i + 1;
                    score[order[i]] = Methods.Rank(rk, points, rank);
                }
                break;
            }
            case DeductionMethod d:
            {
                var f = _findings[k]!;
                foreach (var u in members) score[u] = Methods.Deduction(d, points, f[u]);
                break;
            }
            case RatersMethod rs:
            {
                var wsum = 0.0;
                foreach (var r in rs.Raters) wsum += r.Weight;
                var rows = _raterValue[k];
                foreach (var u in members)
                {
                    var acc = 0.0;
                    for (var r = 0; r < rows.Length; r++) acc += rs.Raters[r].Weight * rows[r]![u];
                    score[u] = points * acc / wsum / 100; // ratings are 0–100, as ex3 shows
                }
                break;
            }
            case SurveyMethod:
            {
                var sum = _surveySum[k]!;
                var counted = _surveyCounted[k]!;
                foreach (var u in members) score[u] = points * sum[u] / counted[u] / 100;
                break;
            }
            case DirectMethod:
                foreach (var u in members) score[u] = x![u];
                break;
            default:
                throw new NotSupportedException($"method kind {method.Kind}");
        }
    }

    private static double Resolve(Bound b, double best, double worst) => b.Kind switch
    {
        BoundKind.Best => best,
        BoundKind.Worst => worst,
        _ => b.Fixed,
    };

    /// <summary>The best and worst value within a group, and the first unit holding each.</summary>
    private static (double Best, double Worst, int BestUnit, int WorstUnit) BestWorst(double[] x, int[] members, Direction direction)
    {
        double best = x[members[0]], worst = best;
        int bu = members[0], wu = members[0];
        foreach (var u in members)
        {
            var v = x[u];
            var better = direction == Direction.Higher ? v > best : v < best;
            var worse = direction == Direction.Higher ? v < worst : v > worst;
            if (better) { best = v; bu = u; }
            if (worse) { worst = v; wu = u; }
        }
        return (best, worst, bu, wu);
    }

    private static double Mean(double[] x, int[] members)
    {
        var s = 0.0;
        foreach (var u in members) s += x[u];
        return s / members.Length;
    }

    /// <summary>Competition rank (1 = best, ties share the best rank).</summary>
    private static int RankOf(double[] x, int[] members, int u, Direction direction)
    {
        var better = 0;
        var v = x[u];
        foreach (var o in members)
            if (direction == Direction.Higher ? x[o] > v : x[o] < v) better++;
        return better + 1;
    }
}

/// <summary>The formulas of scoring-format.md, one per leaf method, on plain numbers.</summary>
public static class Methods
{
    public static double Efficacy(EfficacyMethod e, double points, double x, double satisfactory, double unallowable, out double rating)
    {
        if (satisfactory == unallowable)
        {
            rating = e.Base + e.Span;
        }
        else
        {
            var ratio = (x - unallowable) / (satisfactory - unallowable);
            if (e.RatioDecimals is { } dec) ratio = Rounding.HalfAwayFromZero(ratio, dec);
            rating = e.Base + e.Span * ratio;
            if (e.Clamp == ClampMode.Range) rating = Math.Clamp(rating, e.Base, e.Base + e.Span);
        }
        return points * rating / 100;
    }

    public static double Banded(BandedMethod b, double points, double x)
    {
        var levels = b.Levels;
        var sign = b.Direction == Direction.Higher ? 1.0 : -1.0;
        var xs = sign * x;
        if (xs >= sign * levels[0].Value) return points;
        for (var i = 1; i < levels.Count; i++)
        {
            var lower = levels[i];
            if (xs >= sign * lower.Value)
            {
                var upper = levels[i - 1];
                return points * lower.Coef + (x - lower.Value) / (upper.Value - lower.Value) * points * (upper.Coef - lower.Coef);
            }
        }
        return 0;
    }

    public static double Ratio(RatioMethod r, double points, double x, double target) =>
        points * Math.Clamp(x / target, 0, r.Cap);

    public static double Threshold(ThresholdMethod t, double points, double x) =>
        x >= t.Threshold
            ? points + Math.Min(t.MaxAbove, t.StepAbove * (x - t.Threshold))
            : Math.Max(0, points - t.StepBelow * (t.Threshold - x));

    /// <summary>
    /// Relative to the group's mean. When the mean is 0 (every value 0, or values that cancel out)
    /// there is no ratio: a unit at 0 is at the mean (1), above it takes the cap, below it 0.
    /// </summary>
    public static double Relative(RelativeMethod r, double points, double x, double mean)
    {
        var ratio = mean != 0 ? x / mean : x == 0 ? 1 : x > 0 ? r.Cap : 0;
        return points * Math.Clamp(ratio, 0, r.Cap);
    }

    public static double Rank(RankMethod r, double points, int rank) =>
        points * Math.Max(0, 100 - r.Step * (rank - 1)) / 100;

    public static double Deduction(DeductionMethod d, double points, double findingsTotal) =>
        Math.Max(0, points - Math.Min(d.MaxDeduction ?? points, findingsTotal));
}
