using System.Collections;

namespace Kaohe.Scoring;

/// <summary>The computed results of one assessment, unit by unit in the order of the input.</summary>
/// <remarks>
/// A view over the score blocks the computation wrote (see <see cref="CompiledAssessment"/>): a unit's
/// <see cref="UnitResult"/> is built the first time it is asked for, then kept. Safe to read from
/// several threads.
/// </remarks>
public sealed class AssessmentResult
{
    private readonly CompiledAssessment _compiled;
    private readonly GroupBlock[] _blocks;
    private UnitResult?[]? _units;

    internal AssessmentResult(CompiledAssessment compiled, string period, GroupBlock[] blocks)
    {
        _compiled = compiled;
        _blocks = blocks;
        Period = period;
        Units = new UnitList(this);
    }

    public string Period { get; }

    /// <summary>The version of the assessment file the result belongs to; the written result echoes it.</summary>
    public int Version => _compiled.Source.Version;

    /// <summary>Whether any leaf is a formula leaf, i.e. whether <see cref="UnitResult.Values"/> has entries.</summary>
    public bool HasFormulas => _compiled.HasFormulas;

    public IReadOnlyList<UnitResult> Units { get; }

    public UnitResult this[string unitId] => _compiled.TryPositionOf(unitId, out var position)
        ? UnitAtPosition(position)
        : throw new KeyNotFoundException($"unit \"{unitId}\" is not part of this assessment");

    /// <summary>The number of nodes of the tree (every unit has a score for each).</summary>
    internal int NodeCount => _compiled.NodeCount;

    /// <summary>Writes the result objects of the units <paramref name="from"/> to <paramref name="to"/> − 1 in the order of the input, from this result's blocks.</summary>
    internal void WriteUnits(System.Text.Json.Utf8JsonWriter w, bool values, int from, int to)
    {
        for (var i = from; i < to; i++) _compiled.WriteUnit(w, _blocks, _compiled.PositionOfInput(i), values);
    }

    /// <summary>Explains how <paramref name="nodeId"/> was scored for <paramref name="unitId"/>; a null node explains the total.</summary>
    public Explanation Explain(string unitId, string? nodeId = null) => _compiled.Explain(unitId, nodeId);

    private UnitResult UnitAtPosition(int position)
    {
        var cache = _units ?? Interlocked.CompareExchange(ref _units, new UnitResult?[_compiled.UnitCount], null) ?? _units!;
        return cache[position] ?? Interlocked.CompareExchange(ref cache[position], _compiled.Materialise(_blocks, position), null) ?? cache[position]!;
    }

    private sealed class UnitList(AssessmentResult result) : IReadOnlyList<UnitResult>
    {
        public int Count => result._compiled.UnitCount;

        public UnitResult this[int index] => (uint)index < (uint)Count
            ? result.UnitAtPosition(result._compiled.PositionOfInput(index))
            : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<UnitResult> GetEnumerator()
        {
            for (var i = 0; i < Count; i++) yield return this[i];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

/// <summary>One unit's result: total, rank within its group, grade, flags and every node's score in points.</summary>
public sealed record UnitResult(
    string Id,
    string Name,
    string Group,
    double Total,
    double RoundedTotal,
    int Rank,
    int GroupSize,
    string? Grade,
    bool Vetoed,
    bool Commended,
    bool Criticized,
    double Adjustment,
    IReadOnlyDictionary<string, double> Scores)
{
    /// <summary>Version 2: the value each formula leaf scored for this unit (after <c>valueDecimals</c>), by leaf id; empty without formulas.</summary>
    public IReadOnlyDictionary<string, double> Values { get; init; } = new Dictionary<string, double>();
}

/// <summary>A read-only view of one unit's scores in its group's block, keyed by node id.</summary>
/// <remarks>
/// The block is row-major by node (<c>values[node × stride + offset]</c>, <paramref name="stride"/> = the
/// group's size, <paramref name="offset"/> = the unit's index in the group): no per-unit copy is made.
/// </remarks>
internal sealed class ScoreRow(Dictionary<string, int> nodeIndex, string[] nodeIds, double[] values, int offset, int stride) : IReadOnlyDictionary<string, double>
{
    public double this[string key] => values[nodeIndex[key] * stride + offset];
    public IEnumerable<string> Keys => nodeIds;
    public IEnumerable<double> Values
    {
        get
        {
            for (var i = 0; i < nodeIds.Length; i++) yield return values[i * stride + offset];
        }
    }
    public int Count => nodeIds.Length;
    public bool ContainsKey(string key) => nodeIndex.ContainsKey(key);

    public bool TryGetValue(string key, out double value)
    {
        if (nodeIndex.TryGetValue(key, out var i)) { value = values[i * stride + offset]; return true; }
        value = 0;
        return false;
    }

    public IEnumerator<KeyValuePair<string, double>> GetEnumerator()
    {
        for (var i = 0; i < nodeIds.Length; i++) yield return new(nodeIds[i], values[i * stride + offset]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A unit's formula values: one entry per formula leaf, read from the leaf's value row at the unit's position.</summary>
internal sealed class FormulaRow(Dictionary<string, int> index, string[] ids, double[][] rows, int position) : IReadOnlyDictionary<string, double>
{
    public double this[string key] => rows[index[key]][position];
    public IEnumerable<string> Keys => ids;
    public IEnumerable<double> Values => rows.Select(r => r[position]);
    public int Count => ids.Length;
    public bool ContainsKey(string key) => index.ContainsKey(key);

    public bool TryGetValue(string key, out double value)
    {
        if (index.TryGetValue(key, out var i)) { value = rows[i][position]; return true; }
        value = 0;
        return false;
    }

    public IEnumerator<KeyValuePair<string, double>> GetEnumerator()
    {
        for (var i = 0; i < ids.Length; i++) yield return new(ids[i], rows[i][position]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// How one number was computed, ready for a drill-down: the formula with its inputs substituted,
/// each input with where it came from, and the result.
/// </summary>
public sealed record Explanation(
    string Unit,
    string? Node,
    string Name,
    string Kind,
    double Points,
    double Score,
    double? Rating,
    string FormulaZh,
    string FormulaEn,
    IReadOnlyList<ExplanationInput> Inputs,
    IReadOnlyList<ExplanationChild> Children)
{
    /// <summary>
    /// For a formula leaf (version 2): how its value was derived from the unit's figures, e.g.
    /// <c>1.3028 = 61230.4 ÷ 47000</c>; <see cref="FormulaZh"/> and <see cref="FormulaEn"/> then explain
    /// how that value was scored. Null for any other node.
    /// </summary>
    public FormulaExplanation? Formula { get; init; }
}

/// <summary>
/// A formula leaf's value for one unit: the formula, its value (after <paramref name="ValueDecimals"/>),
/// the formula with the unit's figures and the aggregates put in (<paramref name="Substituted"/>, written
/// with × ÷ −), and each aggregate with the number of units it adds up.
/// </summary>
public sealed record FormulaExplanation(
    string Formula,
    double Value,
    double RawValue,
    int? ValueDecimals,
    string Substituted,
    IReadOnlyList<FormulaAggregate> Aggregates,
    string TextZh,
    string TextEn);

/// <summary><paramref name="Text"/> is the aggregate as written (<c>sum(inv)</c>); <paramref name="Units"/> how many units it adds up.</summary>
public sealed record FormulaAggregate(string Text, bool PerGroup, double Value, int Units);

/// <summary>An input of an explanation. <paramref name="HeldBy"/> names the unit(s) that held a best/worst value.</summary>
public sealed record ExplanationInput(string Key, string LabelZh, string LabelEn, double? Value, string? Text = null, string? HeldBy = null);

public sealed record ExplanationChild(string Id, string Name, double Points, double Score, double? Rating);
