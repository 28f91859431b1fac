using System.Collections;

namespace Kaohe.Scoring;

/// <summary>The computed results of one assessment, unit by unit in the order of the input.</summary>
public sealed class AssessmentResult
{
    private readonly CompiledAssessment _compiled;

    internal AssessmentResult(CompiledAssessment compiled, string period, IReadOnlyList<UnitResult> units)
    {
        _compiled = compiled;
        Period = period;
        Units = units;
    }

    public string Period { get; }

    public IReadOnlyList<UnitResult> Units { get; }

    public UnitResult this[string unitId] => Units.FirstOrDefault(u => u.Id == unitId)
        ?? throw new KeyNotFoundException($"unit \"{unitId}\" is not part of this assessment");

    /// <summary>Explains how <paramref name="nodeId"/> was scored for <paramref name="unitId"/>; a null node explains the total.</summary>
    public Explanation Explain(string unitId, string? nodeId = null) => _compiled.Explain(unitId, nodeId);
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
    IReadOnlyDictionary<string, double> Scores);

/// <summary>A read-only view of one unit's column in the score matrix, keyed by node id.</summary>
/// <remarks>
/// The rows of a whole result share one array (unit-major, <paramref name="offset"/> = unit × nodes),
/// so building a result allocates one large block instead of one small array per unit, which the
/// garbage collector would otherwise copy while the result is alive.
/// </remarks>
internal sealed class ScoreRow(Dictionary<string, int> nodeIndex, string[] nodeIds, double[] values, int offset) : IReadOnlyDictionary<string, double>
{
    public double this[string key] => values[offset + nodeIndex[key]];
    public IEnumerable<string> Keys => nodeIds;
    public IEnumerable<double> Values => new ArraySegment<double>(values, offset, nodeIds.Length);
    public int Count => nodeIds.Length;
    public bool ContainsKey(string key) => nodeIndex.ContainsKey(key);

    public bool TryGetValue(string key, out double value)
    {
        if (nodeIndex.TryGetValue(key, out var i)) { value = values[offset + i]; return true; }
        value = 0;
        return false;
    }

    public IEnumerator<KeyValuePair<string, double>> GetEnumerator()
    {
        for (var i = 0; i < nodeIds.Length; i++) yield return new(nodeIds[i], values[offset + i]);
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
    IReadOnlyList<ExplanationChild> Children);

/// <summary>An input of an explanation. <paramref name="HeldBy"/> names the unit(s) that held a best/worst value.</summary>
public sealed record ExplanationInput(string Key, string LabelZh, string LabelEn, double? Value, string? Text = null, string? HeldBy = null);

public sealed record ExplanationChild(string Id, string Name, double Points, double Score, double? Rating);
