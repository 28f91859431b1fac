using System.Collections;

namespace Kaohe.Scoring.FileFormat;

/// <summary>
/// The entries of <c>values</c> as read from a file, column by column: the unit and the indicator
/// resolved to indexes while reading, the numbers in arrays. Validation and compiling read the
/// columns; a <see cref="DataValue"/> is only made when someone asks for one (an explanation, the web
/// application, writing the file), so reading 228,000 values allocates a few arrays, not 228,000 objects.
/// </summary>
/// <remarks>
/// <see cref="Node"/> numbers the indicator tree in pre-order (a node, then its children, roots in
/// order), the order <see cref="CompiledAssessment"/> numbers its nodes in.
/// </remarks>
internal sealed class ValueTable : IReadOnlyList<DataValue>
{
    public const short NoRater = -1;
    public const short OtherRater = -2;

    private readonly IReadOnlyList<Unit> _units;
    private readonly Indicator[] _nodes;
    private int[] _unit;
    private int[] _node;
    private double[] _value;
    private double[] _target;
    private short[] _rater;
    private int[] _extra;
    private readonly List<(IReadOnlyDictionary<string, double>? Counts, Findings? Findings)> _extras = [];
    private Dictionary<int, string>? _unitText, _indicatorText, _raterText;

    public ValueTable(IReadOnlyList<Unit> units, Indicator[] nodesInPreOrder, int capacity)
    {
        _units = units;
        _nodes = nodesInPreOrder;
        capacity = Math.Max(capacity, 16);
        _unit = new int[capacity];
        _node = new int[capacity];
        _value = new double[capacity];
        _target = new double[capacity];
        _rater = new short[capacity];
        _extra = new int[capacity];
    }

    public int Count { get; private set; }

    /// <summary>Index into the assessment's units of the first unit with the row's id; −1 when none has it.</summary>
    public ReadOnlySpan<int> Unit => _unit.AsSpan(0, Count);

    /// <summary>Pre-order index of the first node with the row's indicator id; −1 when none has it.</summary>
    public ReadOnlySpan<int> Node => _node.AsSpan(0, Count);

    /// <summary>The <c>value</c>, NaN when the row has none (a number in a file is always finite).</summary>
    public ReadOnlySpan<double> Value => _value.AsSpan(0, Count);

    /// <summary>The <c>target</c>, NaN when the row has none.</summary>
    public ReadOnlySpan<double> Target => _target.AsSpan(0, Count);

    /// <summary>Index into the leaf's raters of the first with the row's rater id; <see cref="NoRater"/> or <see cref="OtherRater"/>.</summary>
    public ReadOnlySpan<short> Rater => _rater.AsSpan(0, Count);

    public Indicator[] Nodes => _nodes;

    public IReadOnlyDictionary<string, double>? CountsAt(int row) => _extra[row] < 0 ? null : _extras[_extra[row]].Counts;

    public Findings? FindingsAt(int row) => _extra[row] < 0 ? null : _extras[_extra[row]].Findings;

    public string UnitId(int row) => _unit[row] >= 0 ? _units[_unit[row]].Id : _unitText![row];

    public string IndicatorId(int row) => _node[row] >= 0 ? _nodes[_node[row]].Id : _indicatorText![row];

    public string? RaterId(int row) => _rater[row] switch
    {
        NoRater => null,
        OtherRater => _raterText![row],
        var r => ((RatersMethod)_nodes[_node[row]].Method!).Raters[r].Id,
    };

    /// <summary>Appends a row; <paramref name="unitText"/>, <paramref name="indicatorText"/> and <paramref name="raterText"/> are kept only where an index is missing.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Add(int unit, string? unitText, int node, string? indicatorText, double value, double target, short rater, string? raterText,
        IReadOnlyDictionary<string, double>? counts, Findings? findings)
    {
        if (Count == _unit.Length) Grow();
        var i = Count++;
        _unit[i] = unit;
        _node[i] = node;
        _value[i] = value;
        _target[i] = target;
        _rater[i] = rater;
        if (unit < 0) (_unitText ??= [])[i] = unitText ?? "";
        if (node < 0) (_indicatorText ??= [])[i] = indicatorText ?? "";
        if (rater == OtherRater) (_raterText ??= [])[i] = raterText ?? "";
        if (counts is null && findings is null) _extra[i] = -1;
        else
        {
            _extra[i] = _extras.Count;
            _extras.Add((counts, findings));
        }
    }

    /// <summary>Appends the rows of another table of the same units and tree (the second half of an array read by two threads).</summary>
    public void Append(ValueTable other)
    {
        for (var i = 0; i < other.Count; i++)
            Add(other._unit[i], other._unit[i] < 0 ? other._unitText![i] : null, other._node[i], other._node[i] < 0 ? other._indicatorText![i] : null,
                other._value[i], other._target[i], other._rater[i], other._rater[i] == OtherRater ? other._raterText![i] : null,
                other.CountsAt(i), other.FindingsAt(i));
    }

    private void Grow()
    {
        var n = _unit.Length * 2;
        Array.Resize(ref _unit, n);
        Array.Resize(ref _node, n);
        Array.Resize(ref _value, n);
        Array.Resize(ref _target, n);
        Array.Resize(ref _rater, n);
        Array.Resize(ref _extra, n);
    }

    public DataValue this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
            double? Maybe(double d) => double.IsNaN(d) ? null : d;
            return new DataValue(UnitId(index), IndicatorId(index), Maybe(_value[index]), Maybe(_target[index]), RaterId(index), CountsAt(index), FindingsAt(index));
        }
    }

    public IEnumerator<DataValue> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The nodes of a tree in pre-order, as <see cref="Node"/> numbers them.</summary>
    public static Indicator[] PreOrder(IReadOnlyList<Indicator> roots)
    {
        var list = new List<Indicator>();
        void Walk(Indicator n)
        {
            list.Add(n);
            if (!n.IsLeaf) foreach (var c in n.ChildList) Walk(c);
        }
        foreach (var r in roots) Walk(r);
        return [.. list];
    }
}
