namespace Kaohe.Scoring.Tests.Support;

/// <summary>One unit's result as the reference computes it.</summary>
public sealed record ReferenceUnit(
    string Id,
    string Group,
    IReadOnlyDictionary<string, double> Scores,
    double Adjustment,
    double Total,
    double Rounded,
    int Rank,
    int GroupSize,
    string? Grade,
    bool Vetoed,
    bool Commended,
    bool Criticized);

/// <summary>
/// A deliberately plain implementation of scoring-format.md, kept only to check the engine against:
/// no compiled arrays, no caches, no fast paths — one unit and one node at a time, recursively, with
/// the same operations in the same order as the formulas are written, so that the engine's results
/// must match it bit for bit. Members of a group are taken in ordinal order of their ids (the
/// engine's documented order for sums and means). Rounding goes through decimal, as the contract's
/// 四舍五入 of a written value (2.675 → 2.68) is defined.
/// </summary>
public static class ReferenceEngine
{
    public static double Round(double value, int decimals)
    {
        if (!double.IsFinite(value)) return value;
        if (Math.Abs(value) < 7.9e27) return (double)Math.Round((decimal)value, decimals, MidpointRounding.AwayFromZero);
        return Math.Round(value, decimals, MidpointRounding.AwayFromZero);
    }

    public static Dictionary<string, ReferenceUnit> Compute(Assessment a)
    {
        var groups = a.Units
            .GroupBy(u => u.Group ?? "")
            .ToDictionary(g => g.Key, g => g.OrderBy(u => u.Id, StringComparer.Ordinal).Select(u => u.Id).ToArray());
        var groupOf = a.Units.ToDictionary(u => u.Id, u => u.Group ?? "");
        var values = a.Values.ToLookup(v => (v.Unit, v.Indicator));

        // Leaf inputs by (unit, leaf): the plain value, a target, rater ratings, survey sums, findings.
        double Value(string unit, string leaf) => values[(unit, leaf)].First().Value!.Value;

        var memo = new Dictionary<(string Unit, string Node), double>();

        double LeafScore(Indicator leaf, string unit)
        {
            var points = leaf.Points;
            var members = groups[groupOf[unit]];
            switch (leaf.Method)
            {
                case EfficacyMethod e:
                {
                    double best = Value(members[0], leaf.Id), worst = best;
                    foreach (var m in members)
                    {
                        var v = Value(m, leaf.Id);
                        if (e.Direction == Direction.Higher ? v > best : v < best) best = v;
                        if (e.Direction == Direction.Higher ? v < worst : v > worst) worst = v;
                    }
                    double Bound(Bound b) => b.Kind switch { BoundKind.Best => best, BoundKind.Worst => worst, _ => b.Fixed };
                    var s = Bound(e.Satisfactory);
                    var un = Bound(e.Unallowable);
                    double rating;
                    if (s == un) rating = e.Base + e.Span;
                    else
                    {
                        var ratio = (Value(unit, leaf.Id) - un) / (s - un);
                        if (e.RatioDecimals is { } dec) ratio = Round(ratio, dec);
                        rating = e.Base + e.Span * ratio;
                        if (e.Clamp == ClampMode.Range) rating = Math.Clamp(rating, e.Base, e.Base + e.Span);
                    }
                    return points * rating / 100;
                }
                case BandedMethod b:
                {
                    var x = Value(unit, leaf.Id);
                    var sign = b.Direction == Direction.Higher ? 1.0 : -1.0;
                    if (sign * x >= sign * b.Levels[0].Value) return points;
                    for (var i = 1; i < b.Levels.Count; i++)
                    {
                        var lower = b.Levels[i];
                        var upper = b.Levels[i - 1];
                        if (sign * x >= sign * lower.Value)
                            return points * lower.Coef + (x - lower.Value) / (upper.Value - lower.Value) * points * (upper.Coef - lower.Coef);
                    }
                    return 0;
                }
                case RatioMethod r:
                {
                    var v = values[(unit, leaf.Id)].First();
                    return points * Math.Clamp(v.Value!.Value / (v.Target ?? r.Target!.Value), 0, r.Cap);
                }
                case ThresholdMethod t:
                {
                    var x = Value(unit, leaf.Id);
                    return x >= t.Threshold
                        ? points + Math.Min(t.MaxAbove, t.StepAbove * (x - t.Threshold))
                        : Math.Max(0, points - t.StepBelow * (t.Threshold - x));
                }
                case RelativeMethod rel:
                {
                    var sum = 0.0;
                    foreach (var m in members) sum += Value(m, leaf.Id);
                    var mean = sum / members.Length;
                    var x = Value(unit, leaf.Id);
                    var ratio = mean != 0 ? x / mean : x == 0 ? 1 : x > 0 ? rel.Cap : 0;
                    return points * Math.Clamp(ratio, 0, rel.Cap);
                }
                case RankMethod rk:
                {
                    var x = Value(unit, leaf.Id);
                    var better = members.Count(m => rk.Direction == Direction.Higher ? Value(m, leaf.Id) > x : Value(m, leaf.Id) < x);
                    return points * Math.Max(0, 100 - rk.Step * better) / 100;
                }
                case DeductionMethod d:
                {
                    var f = values[(unit, leaf.Id)].First().Findings!;
                    double total;
                    if (f.Count is { } c) total = c * (d.PerFinding ?? 0);
                    else
                    {
                        total = 0.0;
                        foreach (var item in f.Items ?? []) total += item.Points ?? d.PerFinding ?? 0;
                    }
                    return Math.Max(0, points - Math.Min(d.MaxDeduction ?? points, total));
                }
                case RatersMethod rs:
                {
                    var wsum = 0.0;
                    foreach (var r in rs.Raters) wsum += r.Weight;
                    var acc = 0.0;
                    foreach (var r in rs.Raters)
                        acc += r.Weight * values[(unit, leaf.Id)].First(v => v.Rater == r.Id).Value!.Value;
                    return points * acc / wsum / 100;
                }
                case SurveyMethod sm:
                {
                    var counts = values[(unit, leaf.Id)].First().Counts!;
                    double sum = 0, counted = 0;
                    foreach (var o in sm.Options)
                        if (o.Value is { } ov && counts.TryGetValue(o.Id, out var c)) { sum += c * ov; counted += c; }
                    return points * sum / counted / 100;
                }
                case DirectMethod:
                    return Value(unit, leaf.Id);
                default:
                    throw new NotSupportedException(leaf.Method?.Kind);
            }
        }

        double Score(Indicator node, string unit)
        {
            if (memo.TryGetValue((unit, node.Id), out var known)) return known;
            double score;
            if (node.IsLeaf) score = LeafScore(node, unit);
            else if (node.Combine == Combine.Sum)
            {
                score = 0.0;
                foreach (var c in node.ChildList) score += Score(c, unit);
            }
            else
            {
                var wsum = 0.0;
                foreach (var c in node.ChildList) wsum += c.Points;
                var logSum = 0.0;
                var zero = false;
                foreach (var c in node.ChildList)
                {
                    var rating = 100 * Score(c, unit) / c.Points;
                    if (!(rating > 0)) { zero = true; break; }
                    logSum += c.Points * Math.Log(rating);
                }
                score = zero ? 0 : node.Points * Math.Exp(logSum / wsum) / 100;
            }
            memo[(unit, node.Id)] = score;
            return score;
        }

        var all = new List<Indicator>();
        void Walk(Indicator x) { all.Add(x); foreach (var c in x.ChildList) Walk(c); }
        foreach (var r in a.Indicators) Walk(r);

        var rules = a.Rules;
        var vetoed = a.Vetoes.Select(v => v.Unit).ToHashSet();
        var partial = new Dictionary<string, (Dictionary<string, double> Scores, double Adjustment, double Total, double Rounded)>();
        foreach (var u in a.Units)
        {
            var scores = all.ToDictionary(n => n.Id, n => Score(n, u.Id));
            var sum = 0.0;
            foreach (var r in a.Indicators) sum += scores[r.Id];
            double bonus = 0, deduction = 0;
            foreach (var adj in a.Adjustments.Where(x => x.Unit == u.Id))
                if (adj.Points >= 0) bonus += adj.Points; else deduction -= adj.Points;
            if (rules.BonusCap is { } bc) bonus = Math.Min(bonus, bc);
            if (rules.DeductionCap is { } dc) deduction = Math.Min(deduction, dc);
            var adjustment = bonus - deduction;
            var total = sum + adjustment;
            partial[u.Id] = (scores, adjustment, total, Round(total, rules.RankDecimals));
        }

        var result = new Dictionary<string, ReferenceUnit>(StringComparer.Ordinal);
        foreach (var (group, members) in groups)
        {
            double R(string u) => partial[u].Rounded;
            // 通报表扬: the N best not vetoed, ties at the edge included; 通报批评: the N worst not commended.
            var commended = new HashSet<string>();
            var eligible = members.Where(u => !vetoed.Contains(u)).OrderByDescending(R).ToArray();
            if (rules.Commend > 0 && eligible.Length > 0)
            {
                var cutoff = R(eligible[Math.Min(rules.Commend, eligible.Length) - 1]);
                commended.UnionWith(eligible.Where(u => R(u) >= cutoff));
            }
            var criticized = new HashSet<string>();
            var worst = members.Where(u => !commended.Contains(u)).OrderBy(R).ToArray();
            if (rules.Criticize > 0 && worst.Length > 0)
            {
                var cutoff = R(worst[Math.Min(rules.Criticize, worst.Length) - 1]);
                criticized.UnionWith(worst.Where(u => R(u) <= cutoff));
            }
            foreach (var u in members)
            {
                var p = partial[u];
                var rank = 1 + members.Count(o => R(o) > p.Rounded);
                string? grade = null;
                if (rules.Grades is { Count: > 0 } grades)
                    grade = vetoed.Contains(u) ? grades[^1].Name : grades.FirstOrDefault(g => g.Min is not { } min || p.Rounded >= min)?.Name;
                result[u] = new ReferenceUnit(u, group, p.Scores, p.Adjustment, p.Total, p.Rounded, rank, members.Length, grade,
                    vetoed.Contains(u), commended.Contains(u), criticized.Contains(u));
            }
        }
        return result;
    }
}
