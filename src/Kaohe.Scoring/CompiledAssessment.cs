namespace Kaohe.Scoring;

/// <summary>
/// An assessment turned into arrays: units and leaves by index, data in node × unit matrices.
/// Best/worst, means and ranks are taken within a ranking group, so a change to one value only
/// needs its group recomputed (<see cref="SetValue"/> then <see cref="RecomputeGroupOf"/>).
/// </summary>
public sealed partial class CompiledAssessment
{
    private readonly Assessment _source;
    private readonly Unit[] _units;
    private readonly Dictionary<string, int> _unitIndex;
    private readonly int[] _unitGroup;
    private readonly string[] _groupNames;
    private readonly int[][] _groupMembers;

    // Nodes in pre-order; children always after their parent, so a reverse walk is a post-order.
    private readonly Indicator[] _nodes;
    private readonly string[] _nodeIds;
    private readonly int[][] _children;
    private readonly int[] _roots;
    private readonly Dictionary<string, int> _nodeIndex;

    // Data, [node][unit]; rows are null for nodes that do not use them.
    private readonly double[]?[] _value;
    private readonly double[]?[] _target;
    private readonly double[]?[][] _raterValue;     // [node][rater][unit]
    private readonly double[]?[] _surveySum;        // Σ count × value
    private readonly double[]?[] _surveyCounted;    // Σ counted
    private readonly double[]?[] _findings;         // Σ finding points
    private readonly int[]?[] _dataIndex;           // index into Values for explanations (first value of the unit)

    private readonly double[] _bonus;
    private readonly double[] _deduction;
    private readonly bool[] _vetoed;

    // Results
    private readonly double[][] _score;             // [node][unit]
    private readonly double[] _total;
    private readonly double[] _rounded;
    private readonly double[] _adjustment;
    private readonly int[] _rank;
    private readonly bool[] _commended;
    private readonly bool[] _criticized;
    private UnitResult[]? _results;

    private CompiledAssessment(Assessment a)
    {
        _source = a;
        _units = [.. a.Units];
        var n = _units.Length;
        _unitIndex = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (var i = 0; i < n; i++) _unitIndex[_units[i].Id] = i;

        var groupIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var members = new List<List<int>>();
        _unitGroup = new int[n];
        for (var i = 0; i < n; i++)
        {
            var g = _units[i].Group ?? "";
            if (!groupIndex.TryGetValue(g, out var gi)) { gi = groupIndex.Count; groupIndex[g] = gi; members.Add([]); }
            _unitGroup[i] = gi;
            members[gi].Add(i);
        }
        _groupNames = [.. groupIndex.OrderBy(kv => kv.Value).Select(kv => kv.Key)];
        // Members in ordinal order of their ids: sums, means and ties then do not depend on the
        // order of the input, bit for bit.
        _groupMembers = [.. members.Select(m => m.OrderBy(u => _units[u].Id, StringComparer.Ordinal).ToArray())];

        var nodes = new List<Indicator>();
        var children = new List<int[]>();
        int Add(Indicator ind)
        {
            var idx = nodes.Count;
            nodes.Add(ind);
            children.Add([]);
            var kids = ind.IsLeaf ? [] : ind.ChildList.Select(Add).ToArray();
            children[idx] = kids;
            return idx;
        }
        _roots = [.. a.Indicators.Select(Add)];
        _nodes = [.. nodes];
        _children = [.. children];
        _nodeIds = [.. _nodes.Select(x => x.Id)];
        _nodeIndex = new Dictionary<string, int>(_nodes.Length, StringComparer.Ordinal);
        for (var i = 0; i < _nodes.Length; i++) _nodeIndex[_nodeIds[i]] = i;

        var m = _nodes.Length;
        _value = new double[]?[m];
        _target = new double[]?[m];
        _raterValue = new double[]?[m][];
        _surveySum = new double[]?[m];
        _surveyCounted = new double[]?[m];
        _findings = new double[]?[m];
        _dataIndex = new int[]?[m];
        for (var k = 0; k < m; k++)
        {
            _raterValue[k] = [];
            switch (_nodes[k].Method)
            {
                case null: continue;
                case RatersMethod rm:
                    _raterValue[k] = [.. rm.Raters.Select(_ => NaNs(n))];
                    break;
                case SurveyMethod:
                    _surveySum[k] = new double[n]; _surveyCounted[k] = new double[n];
                    break;
                case DeductionMethod:
                    _findings[k] = new double[n];
                    break;
                case RatioMethod:
                    _value[k] = NaNs(n); _target[k] = NaNs(n);
                    break;
                default:
                    _value[k] = NaNs(n);
                    break;
            }
            _dataIndex[k] = new int[n];
            Array.Fill(_dataIndex[k]!, -1);
        }

        for (var vi = 0; vi < a.Values.Count; vi++)
        {
            var v = a.Values[vi];
            var u = _unitIndex[v.Unit];
            var k = _nodeIndex[v.Indicator];
            if (_dataIndex[k]![u] < 0) _dataIndex[k]![u] = vi;
            switch (_nodes[k].Method)
            {
                case RatersMethod rm:
                    for (var r = 0; r < rm.Raters.Count; r++)
                        if (rm.Raters[r].Id == v.Rater) _raterValue[k][r]![u] = v.Value!.Value;
                    break;
                case SurveyMethod sm:
                    double sum = 0, counted = 0;
                    foreach (var o in sm.Options)
                        if (o.Value is { } ov && v.Counts!.TryGetValue(o.Id, out var c)) { sum += c * ov; counted += c; }
                    _surveySum[k]![u] = sum; _surveyCounted[k]![u] = counted;
                    break;
                case DeductionMethod dm:
                    _findings[k]![u] = FindingsTotal(v.Findings!, dm);
                    break;
                default:
                    _value[k]![u] = v.Value!.Value;
                    if (_target[k] is { } t) t[u] = v.Target ?? double.NaN;
                    break;
            }
        }

        _bonus = new double[n];
        _deduction = new double[n];
        foreach (var adj in a.Adjustments)
        {
            var u = _unitIndex[adj.Unit];
            if (adj.Points >= 0) _bonus[u] += adj.Points; else _deduction[u] -= adj.Points;
        }
        _vetoed = new bool[n];
        foreach (var veto in a.Vetoes) _vetoed[_unitIndex[veto.Unit]] = true;

        _score = new double[m][];
        for (var k = 0; k < m; k++) _score[k] = new double[n];
        _total = new double[n];
        _rounded = new double[n];
        _adjustment = new double[n];
        _rank = new int[n];
        _commended = new bool[n];
        _criticized = new bool[n];
    }

    internal static CompiledAssessment CompileValidated(Assessment a) => new(a);

    public Assessment Source => _source;

    private static double[] NaNs(int n)
    {
        var a = new double[n];
        Array.Fill(a, double.NaN);
        return a;
    }

    internal static double FindingsTotal(Findings f, DeductionMethod dm)
    {
        if (f.Count is { } c) return c * (dm.PerFinding ?? 0);
        var total = 0.0;
        foreach (var item in f.Items ?? []) total += item.Points ?? dm.PerFinding ?? 0;
        return total;
    }

    /// <summary>Computes every group and returns an immutable result.</summary>
    public AssessmentResult Compute()
    {
        for (var g = 0; g < _groupMembers.Length; g++) ComputeGroup(g);
        return BuildResult();
    }

    /// <summary>Changes one unit's <c>value</c> for a value-based leaf, without recomputing.</summary>
    public void SetValue(string unitId, string leafId, double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), "value must be finite");
        var u = _unitIndex[unitId];
        var k = _nodeIndex[leafId];
        var row = _value[k] ?? throw new InvalidOperationException($"indicator \"{leafId}\" does not take a plain value");
        if (_nodes[k].Method is DirectMethod && (value < 0 || value > _nodes[k].Points))
            throw new ArgumentOutOfRangeException(nameof(value), $"direct score must lie in [0, {_nodes[k].Points}]");
        row[u] = value;
    }

    /// <summary>Recomputes the ranking group of one unit (scores, totals, ranks, commendation) and returns the new result.</summary>
    public AssessmentResult RecomputeGroupOf(string unitId)
    {
        var g = _unitGroup[_unitIndex[unitId]];
        ComputeGroup(g);
        if (_results is null) return BuildResult();
        // Only the group's units changed: rebuild theirs and share the other units' results.
        var results = (UnitResult[])_results.Clone();
        var members = _groupMembers[g];
        var m = _nodes.Length;
        var block = new double[members.Length * m];
        for (var i = 0; i < members.Length; i++)
        {
            for (var k = 0; k < m; k++) block[i * m + k] = _score[k][members[i]];
            results[members[i]] = ResultOf(members[i], _source.Rules, block, i * m);
        }
        _results = results;
        return new AssessmentResult(this, _source.Period, results);
    }

    /// <summary>Recomputes one group in place, without building a result object. For benchmarks and batch use.</summary>
    public void RecomputeGroupInPlace(string unitId)
    {
        ComputeGroup(_unitGroup[_unitIndex[unitId]]);
        _results = null; // the last result no longer matches the scores: the next one is built whole
    }

    public double TotalOf(string unitId) => _total[_unitIndex[unitId]];

    private void ComputeGroup(int g)
    {
        var members = _groupMembers[g];
        for (var k = _nodes.Length - 1; k >= 0; k--)
        {
            if (_nodes[k].Method is { } method) ScoreLeaf(k, method, members);
            else CombineNode(k, members);
        }
        var rules = _source.Rules;
        foreach (var u in members)
        {
            var sum = 0.0;
            foreach (var r in _roots) sum += _score[r][u];
            var bonus = rules.BonusCap is { } bc ? Math.Min(_bonus[u], bc) : _bonus[u];
            var deduction = rules.DeductionCap is { } dc ? Math.Min(_deduction[u], dc) : _deduction[u];
            _adjustment[u] = bonus - deduction;
            _total[u] = sum + _adjustment[u];
            _rounded[u] = Rounding.HalfAwayFromZero(_total[u], rules.RankDecimals);
        }
        RankGroup(members, rules);
    }

    private void CombineNode(int k, int[] members)
    {
        var kids = _children[k];
        var score = _score[k];
        var node = _nodes[k];
        if (node.Combine == Combine.Sum)
        {
            foreach (var u in members)
            {
                var s = 0.0;
                foreach (var c in kids) s += _score[c][u];
                score[u] = s;
            }
            return;
        }
        var wsum = 0.0;
        foreach (var c in kids) wsum += _nodes[c].Points;
        foreach (var u in members)
        {
            var logSum = 0.0;
            var zero = false;
            foreach (var c in kids)
            {
                var rating = 100 * _score[c][u] / _nodes[c].Points;
                // A child rating of 0 makes the node's rating 0 (scoring-format.md); a negative one
                // (an unclamped efficacy below its floor) has no geometric mean and counts as 0 too.
                if (!(rating > 0)) { zero = true; break; }
                logSum += _nodes[c].Points * Math.Log(rating);
            }
            score[u] = zero ? 0 : node.Points * Math.Exp(logSum / wsum) / 100;
        }
    }

    private void RankGroup(int[] members, Rules rules)
    {
        var order = (int[])members.Clone();
        Array.Sort(order, (x, y) => _rounded[y].CompareTo(_rounded[x]));
        for (var i = 0; i < order.Length; i++)
        {
            var u = order[i];
            _rank[u] = i > 0 && _rounded[u] == _rounded[order[i - 1]] ? _rank[order[i - 1]] : i + 1;
            _commended[u] = false;
            _criticized[u] = false;
        }

        // 通报表扬: the N best among the units not vetoed; a tie at the edge takes every tied unit.
        if (rules.Commend > 0)
        {
            var eligible = order.Where(u => !_vetoed[u]).ToArray();
            if (eligible.Length > 0)
            {
                var cutoff = _rounded[eligible[Math.Min(rules.Commend, eligible.Length) - 1]];
                foreach (var u in eligible) if (_rounded[u] >= cutoff) _commended[u] = true;
            }
        }
        // 通报批评: the N worst, vetoed or not, among the units not already commended.
        if (rules.Criticize > 0)
        {
            var eligible = order.Reverse().Where(u => !_commended[u]).ToArray();
            if (eligible.Length > 0)
            {
                var cutoff = _rounded[eligible[Math.Min(rules.Criticize, eligible.Length) - 1]];
                foreach (var u in eligible) if (_rounded[u] <= cutoff) _criticized[u] = true;
            }
        }
    }

    private AssessmentResult BuildResult()
    {
        var n = _units.Length;
        var rules = _source.Rules;
        _results = null; // let the previous results go before allocating the new ones
        var results = new UnitResult[n];
        var m = _nodes.Length;
        // Score rows in shared blocks of at most 8,192 doubles: few allocations, each under the
        // large-object threshold (85,000 bytes), whose allocations would trigger full collections.
        // The matrix is node-major; copying a block node by node reads it sequentially.
        var perBlock = Math.Max(1, 8192 / Math.Max(1, m));
        for (var start = 0; start < n; start += perBlock)
        {
            var count = Math.Min(perBlock, n - start);
            var block = new double[count * m];
            for (var k = 0; k < m; k++)
            {
                var source = _score[k];
                for (var i = 0; i < count; i++) block[i * m + k] = source[start + i];
            }
            for (var i = 0; i < count; i++) results[start + i] = ResultOf(start + i, rules, block, i * m);
        }
        _results = results;
        return new AssessmentResult(this, _source.Period, results);
    }

    private UnitResult ResultOf(int u, Rules rules, double[] block, int offset)
    {
        return new UnitResult(
            _units[u].Id, _units[u].Name, _groupNames[_unitGroup[u]], _total[u], _rounded[u], _rank[u],
            _groupMembers[_unitGroup[u]].Length, GradeOf(u, rules), _vetoed[u], _commended[u], _criticized[u],
            _adjustment[u], new ScoreRow(_nodeIndex, _nodeIds, block, offset));
    }

    /// <summary>
    /// The first grade whose min the total reaches (以上（含）), judged on the total as rounded for
    /// ranking so that a displayed 90.00 is never 良好. A veto forces the lowest grade.
    /// </summary>
    private string? GradeOf(int u, Rules rules)
    {
        if (rules.Grades is not { Count: > 0 } grades) return null;
        if (_vetoed[u]) return grades[^1].Name;
        foreach (var g in grades)
            if (g.Min is not { } min || _rounded[u] >= min) return g.Name;
        return null;
    }
}
