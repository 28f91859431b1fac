using Kaohe.Scoring;

namespace Kaohe.Bench;

/// <summary>
/// The "floor": every input the full computation reads, laid out as the engine lays it out after
/// compiling (one <c>double[]</c> row per leaf and input kind, indexed by unit), read once in one tight
/// pass and summed. Rows: a leaf's values; the per-unit targets of a ratio leaf; one row per rater of a
/// raters leaf; Σ count × value and Σ counted of the survey leaf (the engine reduces the counts to
/// these two numbers when compiling, and Compute reads only them); Σ finding points of a deduction leaf;
/// the values of a formula leaf (computed from the measures when compiling).
/// </summary>
public sealed class Floor
{
    private readonly double[][] _rows;

    public Floor(Assessment a)
    {
        var unitIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < a.Units.Count; i++) unitIndex[a.Units[i].Id] = i;
        var n = a.Units.Count;
        var leaves = new List<Indicator>();
        void Walk(Indicator x) { if (x.IsLeaf) leaves.Add(x); else foreach (var c in x.ChildList) Walk(c); }
        foreach (var r in a.Indicators) Walk(r);

        var rowsByKey = new Dictionary<(string Leaf, string Part), double[]>();
        double[] Row(string leaf, string part)
        {
            if (!rowsByKey.TryGetValue((leaf, part), out var row)) rowsByKey[(leaf, part)] = row = new double[n];
            return row;
        }
        var methods = leaves.ToDictionary(l => l.Id, l => l.Method!);
        foreach (var v in a.Values)
        {
            var u = unitIndex[v.Unit];
            switch (methods[v.Indicator])
            {
                case RatersMethod:
                    Row(v.Indicator, "rater:" + v.Rater)[u] = v.Value!.Value;
                    break;
                case SurveyMethod sm:
                    double sum = 0, counted = 0;
                    foreach (var o in sm.Options)
                        if (o.Value is { } ov && v.Counts!.TryGetValue(o.Id, out var c)) { sum += c * ov; counted += c; }
                    Row(v.Indicator, "surveySum")[u] = sum;
                    Row(v.Indicator, "surveyCounted")[u] = counted;
                    break;
                case DeductionMethod dm:
                    Row(v.Indicator, "findings")[u] = CompiledAssessment.FindingsTotal(v.Findings!, dm);
                    break;
                default:
                    Row(v.Indicator, "value")[u] = v.Value!.Value;
                    if (v.Target is { } t) Row(v.Indicator, "target")[u] = t;
                    break;
            }
        }
        // A formula leaf's row is its computed value per unit: what Compute reads (the measures are read
        // once, when compiling, like the survey's counts).
        var formulaLeaves = leaves.Where(l => l.Formula is not null).Select(l => l.Id).ToList();
        if (formulaLeaves.Count > 0)
        {
            var result = Engine.Score(a).Result ?? throw new InvalidOperationException("the workload does not validate");
            foreach (var leaf in formulaLeaves)
            {
                var row = Row(leaf, "value");
                for (var i = 0; i < n; i++) row[unitIndex[result.Units[i].Id]] = result.Units[i].Values[leaf];
            }
        }
        _rows = [.. rowsByKey.Values];
    }

    public int RowCount => _rows.Length;

    public long Doubles => _rows.Sum(r => (long)r.Length);

    /// <summary>Reads every input once and sums it.</summary>
    public double Pass()
    {
        var total = 0.0;
        foreach (var row in _rows)
        {
            var s = 0.0;
            for (var i = 0; i < row.Length; i++) s += row[i];
            total += s;
        }
        return total;
    }
}
