using Kaohe.Scoring.FileFormat;
using Kaohe.Scoring.Formulas;

namespace Kaohe.Scoring;

/// <summary>
/// An assessment turned into arrays: units and leaves by index, data in node × unit rows.
/// Best/worst, means and ranks are taken within a ranking group, so a change to one value only
/// needs its group recomputed (<see cref="SetValue"/> then <see cref="RecomputeGroupOf"/>).
/// </summary>
/// <remarks>
/// Units are stored by <em>position</em>: the ranking groups one after the other (in the order each
/// group first appears in the input), and within a group in ordinal order of the unit ids. A group's
/// inputs are therefore one contiguous slice of each row, and its sums, means and ties do not depend
/// on the order of the input, bit for bit. Results go into one <see cref="GroupBlock"/> per group; a
/// result returned to a caller is a view over the blocks it was computed into, and a block a result
/// holds is never written again (a recomputation writes a new one), so results are immutable without
/// being copied.
/// </remarks>
public sealed partial class CompiledAssessment
{
    private readonly Assessment _source;
    private readonly Unit[] _units;                   // by position
    private readonly int[] _positionOfInput;          // index in Assessment.Units → position
    private readonly Dictionary<string, int> _unitIndex; // id → position
    private readonly int[] _unitGroup;                // position → group
    private readonly string[] _groupNames;
    private readonly int[] _groupStart;               // first position of each group
    private readonly int[][] _groupMembers;           // positions of each group, for explanations
    private readonly FormulaValues? _formulas;        // version 2: the formula leaves' values, measures and aggregates
    private readonly int[] _formulaNodes;             // the formula leaves, in pre-order
    private readonly string[]? _formulaIds;           // their ids, values rows and index, for UnitResult.Values
    private readonly double[][]? _formulaRows;
    private readonly Dictionary<string, int>? _formulaIndex;

    // Nodes in pre-order; children always after their parent, so a reverse walk is a post-order.
    private readonly Indicator[] _nodes;
    private readonly string[] _nodeIds;
    private readonly int[][] _children;
    private readonly int[] _roots;
    private readonly Dictionary<string, int> _nodeIndex;
    private readonly LeafPlan?[] _plans;              // per node; null for inner nodes
    private readonly double[] _childPointsSum;        // per node: Σ children's points (the weights of a geometric node)

    // Data, [node][position]; rows are null for nodes that do not use them.
    private readonly double[]?[] _value;
    private readonly double[]?[] _target;
    private readonly double[]?[][] _raterValue;       // [node][rater][position]
    private readonly double[]?[] _surveySum;          // Σ count × value
    private readonly double[]?[] _surveyCounted;      // Σ counted
    private readonly double[]?[] _findings;           // Σ finding points
    private readonly int[]?[] _dataIndex;             // index into Values for explanations (first value of the unit)

    private readonly double[] _adjustment;            // capped bonus − capped deduction, per position
    private readonly bool[] _vetoed;

    // Results: the current block of every group, and whether a returned result holds this array.
    private GroupBlock[] _blocks;
    private bool _blocksPublished;
    private readonly double[] _scratch;               // sorted copies of a large group's values (see Counter)
    private readonly double[] _ratings;               // a geometric node's child ratings for one group

    private CompiledAssessment(Assessment a, UnitLayout layout, FormulaValues? formulas)
    {
        _source = a;
        var n = a.Units.Count;
        _units = layout.Units;
        _positionOfInput = layout.PositionOfInput;
        _unitIndex = layout.Index;
        _unitGroup = layout.GroupOf;
        _groupNames = layout.GroupNames;
        _groupStart = layout.GroupStart;
        _groupMembers = layout.GroupMembers;
        var groupCount = _groupNames.Length;

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
        _plans = new LeafPlan?[m];
        _childPointsSum = new double[m];
        for (var k = 0; k < m; k++)
        {
            if (_nodes[k].Method is { } method) _plans[k] = LeafPlan.Of(method, _nodes[k].Points);
            var wsum = 0.0;
            foreach (var c in _children[k]) wsum += _nodes[c].Points;
            _childPointsSum[k] = wsum;
        }

        _formulas = formulas;
        _formulaNodes = [.. Enumerable.Range(0, m).Where(k => _nodes[k].IsLeaf && _nodes[k].Formula is not null)];
        if (_formulaNodes.Length > 0)
        {
            _formulaIds = [.. _formulaNodes.Select(k => _nodeIds[k])];
            _formulaRows = [.. _formulaIds.Select(id => formulas!.Leaves[id].Value)];
            _formulaIndex = _formulaIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        }
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
                case var _ when _nodes[k].Formula is not null:
                    // A formula leaf's values are its formula's, computed when validating (or now).
                    _value[k] = formulas!.Leaves[_nodeIds[k]].Value;
                    if (_nodes[k].Method is RatioMethod) _target[k] = NaNs(n);
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

        if (a.Values is ValueTable table) FillFromTable(table);
        else for (var vi = 0; vi < a.Values.Count; vi++)
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
                    (_surveySum[k]![u], _surveyCounted[k]![u]) = SurveyTotals(sm, v.Counts!);
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

        // Values read from a file: the unit and the node are indexes already (the table numbers the
        // nodes in the pre-order used here), so no string is hashed per value.
        void FillFromTable(ValueTable t)
        {
            var unitOf = t.Unit;
            var nodeOf = t.Node;
            var value = t.Value;
            var target = t.Target;
            var rater = t.Rater;
            for (var vi = 0; vi < t.Count; vi++)
            {
                var u = _positionOfInput[unitOf[vi]];
                var k = nodeOf[vi];
                ref var first = ref _dataIndex[k]![u];
                if (first < 0) first = vi;
                switch (_plans[k]!.Kind)
                {
                    case LeafKind.Raters:
                        _raterValue[k][rater[vi]]![u] = value[vi];
                        break;
                    case LeafKind.Survey:
                        (_surveySum[k]![u], _surveyCounted[k]![u]) = SurveyTotals((SurveyMethod)_nodes[k].Method!, t.CountsAt(vi)!);
                        break;
                    case LeafKind.Deduction:
                        _findings[k]![u] = FindingsTotal(t.FindingsAt(vi)!, (DeductionMethod)_nodes[k].Method!);
                        break;
                    default:
                        _value[k]![u] = value[vi];
                        if (_target[k] is { } tr) tr[u] = target[vi];
                        break;
                }
            }
        }

        // Adjustments do not change after compiling: cap them once.
        var bonus = new double[n];
        var deduction = new double[n];
        foreach (var adj in a.Adjustments)
        {
            var u = _unitIndex[adj.Unit];
            if (adj.Points >= 0) bonus[u] += adj.Points; else deduction[u] -= adj.Points;
        }
        var rules = a.Rules;
        _adjustment = new double[n];
        for (var u = 0; u < n; u++)
        {
            var b = rules.BonusCap is { } bc ? Math.Min(bonus[u], bc) : bonus[u];
            var d = rules.DeductionCap is { } dc ? Math.Min(deduction[u], dc) : deduction[u];
            _adjustment[u] = b - d;
        }
        _vetoed = new bool[n];
        foreach (var veto in a.Vetoes) _vetoed[_unitIndex[veto.Unit]] = true;

        _scratch = new double[_groupMembers.Length == 0 ? 0 : _groupMembers.Max(x => x.Length)];
        _ratings = new double[_scratch.Length];
        _blocks = new GroupBlock[groupCount];
        for (var g = 0; g < groupCount; g++) _blocks[g] = new GroupBlock(m, _groupMembers[g].Length, zeroed: true);
    }

    /// <summary>Compiles an assessment that validated; <paramref name="formulas"/> are its formula values if validation computed them.</summary>
    internal static CompiledAssessment CompileValidated(Assessment a, FormulaValues? formulas = null)
    {
        var layout = formulas?.Layout ?? new UnitLayout(a.Units);
        if (formulas is null && a.Version >= 2 && FormulaValues.SourcesOf(a.Indicators) is var sources && sources.Any())
            formulas = FormulaValues.Evaluate(a, layout, sources, err: null);
        return new CompiledAssessment(a, layout, formulas);
    }

    public Assessment Source => _source;

    private static double[] NaNs(int n)
    {
        var a = new double[n];
        Array.Fill(a, double.NaN);
        return a;
    }

    /// <summary>Σ count × value and Σ count over the counted options: all a survey leaf's score needs.</summary>
    private static (double Sum, double Counted) SurveyTotals(SurveyMethod sm, IReadOnlyDictionary<string, double> counts)
    {
        double sum = 0, counted = 0;
        foreach (var o in sm.Options)
            if (o.Value is { } ov && counts.TryGetValue(o.Id, out var c)) { sum += c * ov; counted += c; }
        return (sum, counted);
    }

    internal static double FindingsTotal(Findings f, DeductionMethod dm)
    {
        if (f.Count is { } c) return c * (dm.PerFinding ?? 0);
        var total = 0.0;
        if (f.Items is not { } items) return total;
        for (var i = 0; i < items.Count; i++) total += items[i].Points ?? dm.PerFinding ?? 0;
        return total;
    }

    /// <summary>Computes every group and returns an immutable result.</summary>
    public AssessmentResult Compute()
    {
        for (var g = 0; g < _groupNames.Length; g++) ComputeGroup(g, WritableBlock(g));
        return Publish();
    }

    /// <summary>Changes one unit's <c>value</c> for a value-based leaf, without recomputing.</summary>
    public void SetValue(string unitId, string leafId, double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), "value must be finite");
        var u = _unitIndex[unitId];
        var k = _nodeIndex[leafId];
        if (_nodes[k].Formula is not null) throw new InvalidOperationException($"indicator \"{leafId}\" is computed by its formula");
        var row = _value[k] ?? throw new InvalidOperationException($"indicator \"{leafId}\" does not take a plain value");
        if (_nodes[k].Method is DirectMethod && (value < 0 || value > _nodes[k].Points))
            throw new ArgumentOutOfRangeException(nameof(value), $"direct score must lie in [0, {_nodes[k].Points}]");
        row[u] = value;
    }

    /// <summary>Recomputes the ranking group of one unit (scores, totals, ranks, commendation) and returns the new result.</summary>
    /// <remarks>The new result shares the blocks of every other group with the previous one: only the group's block is new.</remarks>
    public AssessmentResult RecomputeGroupOf(string unitId)
    {
        var g = _unitGroup[_unitIndex[unitId]];
        ComputeGroup(g, WritableBlock(g));
        return Publish();
    }

    /// <summary>Recomputes one group in place, without building a result object. For benchmarks and batch use.</summary>
    public void RecomputeGroupInPlace(string unitId)
    {
        var g = _unitGroup[_unitIndex[unitId]];
        ComputeGroup(g, WritableBlock(g));
    }

    public double TotalOf(string unitId) => TotalAt(_unitIndex[unitId]);

    /// <summary>
    /// The block group <paramref name="g"/> may be computed into: its current one unless a returned
    /// result holds it, else a new one (and a copy of the block array, if a result holds that).
    /// </summary>
    private GroupBlock WritableBlock(int g)
    {
        var block = _blocks[g];
        if (!block.Published) return block;
        if (_blocksPublished)
        {
            _blocks = (GroupBlock[])_blocks.Clone();
            _blocksPublished = false;
        }
        return _blocks[g] = new GroupBlock(_nodes.Length, block.Size, zeroed: false);
    }

    private AssessmentResult Publish()
    {
        foreach (var b in _blocks) b.Published = true;
        _blocksPublished = true;
        return new AssessmentResult(this, _source.Period, _blocks);
    }

    // The current results of one position, for explanations.
    private double ScoreAt(int k, int u) { var (b, i) = BlockOf(u); return b.Scores[k * b.Size + i]; }
    private double TotalAt(int u) { var (b, i) = BlockOf(u); return b.Total(i); }
    private double RoundedAt(int u) { var (b, i) = BlockOf(u); return b.Rounded(i); }
    private int RankAt(int u) { var (b, i) = BlockOf(u); return b.Rank(i); }

    private (GroupBlock Block, int Index) BlockOf(int u)
    {
        var g = _unitGroup[u];
        return (_blocks[g], u - _groupStart[g]);
    }

    internal int UnitCount => _units.Length;

    internal int NodeCount => _nodes.Length;

    internal bool TryPositionOf(string unitId, out int position) => _unitIndex.TryGetValue(unitId, out position);

    internal int PositionOfInput(int inputIndex) => _positionOfInput[inputIndex];

    /// <summary>Builds the <see cref="UnitResult"/> of the unit at <paramref name="u"/> from the blocks of a result.</summary>
    internal UnitResult Materialise(GroupBlock[] blocks, int u)
    {
        var g = _unitGroup[u];
        var b = blocks[g];
        var i = u - _groupStart[g];
        var result = new UnitResult(
            _units[u].Id, _units[u].Name, _groupNames[g], b.Total(i), b.Rounded(i), b.Rank(i),
            b.Size, GradeOf(u, b.Rounded(i), _source.Rules), _vetoed[u], b.Commended(i), b.Criticized(i), _adjustment[u],
            new ScoreRow(_nodeIndex, _nodeIds, b.Scores, i, b.Size));
        return _formulaNodes.Length == 0 ? result : result with { Values = new FormulaRow(_formulaIndex!, _formulaIds!, _formulaRows!, u) };
    }

    internal bool HasFormulas => _formulaNodes.Length > 0;

    private System.Text.Json.JsonEncodedText[]? _encodedNodeIds;

    /// <summary>
    /// Writes the result object of the unit at <paramref name="u"/> (as <see cref="UnitResult"/> would be
    /// written member by member), reading the block directly: no UnitResult, no dictionary view.
    /// </summary>
    internal void WriteUnit(System.Text.Json.Utf8JsonWriter w, GroupBlock[] blocks, int u, bool values)
    {
        var ids = _encodedNodeIds ??= [.. _nodeIds.Select(id => System.Text.Json.JsonEncodedText.Encode(id, V1File.WriterOptions.Encoder))];
        var g = _unitGroup[u];
        var b = blocks[g];
        var i = u - _groupStart[g];
        w.WriteStartObject();
        w.WriteString("id", _units[u].Id);
        w.WriteString("group", _groupNames[g]);
        w.WriteNumber("total", b.Total(i));
        w.WriteNumber("rank", b.Rank(i));
        if (GradeOf(u, b.Rounded(i), _source.Rules) is { } grade) w.WriteString("grade", grade); else w.WriteNull("grade");
        w.WriteBoolean("vetoed", _vetoed[u]);
        w.WriteBoolean("commended", b.Commended(i));
        w.WriteBoolean("criticized", b.Criticized(i));
        w.WriteNumber("adjustment", _adjustment[u]);
        w.WriteStartObject("scores");
        for (var k = 0; k < ids.Length; k++) w.WriteNumber(ids[k], b.Scores[k * b.Size + i]);
        w.WriteEndObject();
        if (values)
        {
            w.WriteStartObject("values");
            foreach (var k in _formulaNodes) w.WriteNumber(ids[k], _value[k]![u]);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>
    /// The first grade whose min the total reaches (以上（含）), judged on the total as rounded for
    /// ranking so that a displayed 90.00 is never 良好. A veto forces the lowest grade.
    /// </summary>
    private string? GradeOf(int u, double rounded, Rules rules)
    {
        if (rules.Grades is not { Count: > 0 } grades) return null;
        if (_vetoed[u]) return grades[^1].Name;
        foreach (var g in grades)
            if (g.Min is not { } min || rounded >= min) return g.Name;
        return null;
    }
}

/// <summary>
/// The results of one ranking group: every node's score, the total and the rounded total in one
/// array (row-major: <c>Scores[row × Size + i]</c> for the group's i-th unit by position), and the
/// ranks and flags. Written by one computation; once a result holds it, it is only read.
/// </summary>
internal sealed class GroupBlock
{
    public const int CommendedFlag = 1;
    public const int CriticizedFlag = 2;

    public readonly int Size;
    public readonly int TotalRow;       // the node rows come first; then the total, then the rounded total
    public readonly double[] Scores;
    public readonly int[] Ranks;        // Size ranks, then Size flag words
    public bool Published;

    /// <summary>The i-th unit's total, rounded total, rank and flags.</summary>
    public double Total(int i) => Scores[TotalRow * Size + i];
    public double Rounded(int i) => Scores[(TotalRow + 1) * Size + i];
    public int Rank(int i) => Ranks[i];
    public bool Commended(int i) => (Ranks[Size + i] & CommendedFlag) != 0;
    public bool Criticized(int i) => (Ranks[Size + i] & CriticizedFlag) != 0;

    public GroupBlock(int nodes, int size, bool zeroed)
    {
        Size = size;
        TotalRow = nodes;
        var length = (nodes + 2) * size;
        // Every cell is written before a block is read, except in the blocks made at compile time.
        Scores = zeroed ? new double[length] : GC.AllocateUninitializedArray<double>(length);
        Ranks = new int[2 * size];
    }
}
