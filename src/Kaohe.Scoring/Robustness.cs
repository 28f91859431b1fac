namespace Kaohe.Scoring;

/// <summary>The office's bounds for perturbing a result: each weight and each rater score varies by up to ± the share.</summary>
public sealed record PerturbationBounds(double WeightShare = 0.10, double RaterShare = 0.10, int Samples = 400, int Seed = 20230401);

/// <summary>
/// How close and how stable a unit's place is: the points to the next distinct total above and
/// below in its group, and the share of perturbed computations that keep it in (or out of) the
/// commend and criticise lists.
/// </summary>
public sealed record UnitStability(
    string Unit,
    string Group,
    int Rank,
    double? PointsToNextUp,
    double? PointsToNextDown,
    bool Commended,
    bool Criticized,
    double CommendStability,
    double CriticizeStability,
    int RankMin,
    int RankMax);

/// <summary>Margins and Monte-Carlo robustness of a ranking (issue: "0.05 points decided a public criticism").</summary>
public static class Robustness
{
    /// <summary>Margins only, from a computed result: no recomputation.</summary>
    public static IReadOnlyDictionary<string, (double? Up, double? Down)> Margins(AssessmentResult result)
    {
        var margins = new Dictionary<string, (double?, double?)>(StringComparer.Ordinal);
        foreach (var group in result.Units.GroupBy(u => u.Group))
        {
            var totals = group.Select(u => u.RoundedTotal).Distinct().OrderBy(t => t).ToArray();
            foreach (var u in group)
            {
                var i = Array.BinarySearch(totals, u.RoundedTotal);
                double? up = i < totals.Length - 1 ? totals[i + 1] - u.RoundedTotal : null;
                double? down = i > 0 ? u.RoundedTotal - totals[i - 1] : null;
                margins[u.Id] = (up, down);
            }
        }
        return margins;
    }

    /// <summary>
    /// Recomputes the assessment <see cref="PerturbationBounds.Samples"/> times with every node's
    /// points and every rater score moved by a uniform random share within the bounds (points are
    /// rescaled within each <c>sum</c> node so that the tree stays valid), with a recorded seed so
    /// that the analysis can be repeated exactly. <paramref name="sampled"/>, when given, is told how many
    /// samples are done after each (a progress bar of a long analysis).
    /// </summary>
    public static IReadOnlyList<UnitStability> Analyze(Assessment assessment, PerturbationBounds bounds, Action<int>? sampled = null)
    {
        var errors = Validator.Validate(assessment);
        if (errors.Count > 0) throw new InvalidAssessmentException(errors);
        var baseline = Engine.Compile(assessment).Compute();
        var n = baseline.Units.Count;
        var sameCommend = new int[n];
        var sameCriticize = new int[n];
        var rankMin = baseline.Units.Select(u => u.Rank).ToArray();
        var rankMax = baseline.Units.Select(u => u.Rank).ToArray();
        var random = new Random(bounds.Seed);
        for (var s = 0; s < bounds.Samples; s++)
        {
            var perturbed = Perturb(assessment, bounds, random);
            var r = CompiledAssessment.CompileValidated(perturbed).Compute();
            for (var u = 0; u < n; u++)
            {
                var b = baseline.Units[u];
                var p = r.Units[u];
                if (p.Commended == b.Commended) sameCommend[u]++;
                if (p.Criticized == b.Criticized) sameCriticize[u]++;
                rankMin[u] = Math.Min(rankMin[u], p.Rank);
                rankMax[u] = Math.Max(rankMax[u], p.Rank);
            }
            sampled?.Invoke(s + 1);
        }
        var margins = Margins(baseline);
        var samples = Math.Max(1, bounds.Samples);
        return [.. baseline.Units.Select((b, u) => new UnitStability(
            b.Id, b.Group, b.Rank, margins[b.Id].Up, margins[b.Id].Down, b.Commended, b.Criticized,
            bounds.Samples == 0 ? 1 : (double)sameCommend[u] / samples, bounds.Samples == 0 ? 1 : (double)sameCriticize[u] / samples,
            rankMin[u], rankMax[u]))];
    }

    internal static Assessment Perturb(Assessment a, PerturbationBounds bounds, Random random)
    {
        double Factor(double share) => 1 + share * (2 * random.NextDouble() - 1);
        var scale = new Dictionary<string, double>(StringComparer.Ordinal);

        IReadOnlyList<Indicator> Siblings(IReadOnlyList<Indicator> nodes, double total, bool keepSum)
        {
            var raw = nodes.Select(x => x.Points * Factor(bounds.WeightShare)).ToArray();
            var sum = raw.Sum();
            if (keepSum && sum > 0) for (var i = 0; i < raw.Length; i++) raw[i] = raw[i] * total / sum;
            var result = new Indicator[nodes.Count];
            for (var i = 0; i < nodes.Count; i++)
            {
                var node = nodes[i];
                var points = raw[i];
                if (node.IsLeaf)
                {
                    scale[node.Id] = node.Points > 0 ? points / node.Points : 1;
                    var method = node.Method is DeductionMethod { MaxDeduction: { } md } d
                        ? d with { MaxDeduction = md * scale[node.Id] }
                        : node.Method;
                    result[i] = node with { Points = points, Method = method };
                }
                else
                    result[i] = node with { Points = points, Children = Siblings(node.ChildList, points, node.Combine == Combine.Sum) };
            }
            return result;
        }

        var rootTotal = a.Indicators.Sum(x => x.Points);
        var indicators = Siblings(a.Indicators, rootTotal, keepSum: true);
        var raterLeaves = new HashSet<string>(StringComparer.Ordinal);
        var directLeaves = new HashSet<string>(StringComparer.Ordinal);
        void Collect(IEnumerable<Indicator> nodes)
        {
            foreach (var x in nodes)
            {
                if (x.Method is RatersMethod) raterLeaves.Add(x.Id);
                if (x.Method is DirectMethod) directLeaves.Add(x.Id);
                Collect(x.ChildList);
            }
        }
        Collect(indicators);
        var values = a.Values.Select(v =>
        {
            if (raterLeaves.Contains(v.Indicator) && v.Value is { } r)
                return v with { Value = Math.Clamp(r * Factor(bounds.RaterShare), 0, 100) };
            // A direct score is in points: it scales with its leaf so that it stays within [0, points].
            if (directLeaves.Contains(v.Indicator) && v.Value is { } x && scale.TryGetValue(v.Indicator, out var f))
                return v with { Value = x * f };
            return v;
        }).ToArray();
        return a with { Indicators = indicators, Values = values };
    }
}
