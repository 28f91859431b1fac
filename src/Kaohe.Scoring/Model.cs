namespace Kaohe.Scoring;

/// <summary>
/// One assessment to compute: subjects, indicator tree, data and rules. Mirrors the assessment file
/// of scoring-format.md, so that a validation path like <c>$.values[12]</c> means the same thing
/// whether the assessment came from a file or was built by the web application.
/// </summary>
/// <remarks>
/// Version 2 of the file adds base data: set <see cref="Version"/> to 2 and give <see cref="Measures"/>,
/// their per-unit <see cref="Data"/> and leaves with a <see cref="Indicator.Formula"/>
/// (<see cref="Indicator.FormulaLeaf"/>). A version 1 assessment has none of them; the result and the
/// written file carry the assessment's version.
/// </remarks>
public sealed record Assessment(
    string Period,
    IReadOnlyList<Unit> Units,
    IReadOnlyList<Indicator> Indicators,
    IReadOnlyList<DataValue> Values,
    IReadOnlyList<Adjustment> Adjustments,
    IReadOnlyList<Veto> Vetoes,
    Rules Rules)
{
    /// <summary>The file version, 1 or 2 (<c>"kaohe"</c>). Measures, data and formulas need 2.</summary>
    public int Version { get; init; } = 1;

    /// <summary>Base data items (数据项), version 2.</summary>
    public IReadOnlyList<Measure> Measures { get; init; } = [];

    /// <summary>One number per (unit, measure), version 2.</summary>
    public IReadOnlyList<MeasureValue> Data { get; init; } = [];
}

/// <summary>A base data item (数据项) such as 季度完成投资: <paramref name="Id"/> is what formulas name; <paramref name="Unit"/> is its unit of measurement (万元, 个).</summary>
public sealed record Measure(string Id, string Name = "", string Unit = "");

/// <summary>One unit's figure for one measure.</summary>
public sealed record MeasureValue(string Unit, string Measure, double Value);

/// <summary>A subject of assessment (被考核单位). <paramref name="Group"/> is its ranking group (分类考核排名).</summary>
public sealed record Unit(string Id, string Name, string Group = "");

public enum Combine { Sum, Geometric }

/// <summary>A node of the indicator tree. A leaf has a <see cref="Method"/>; an inner node has children.</summary>
public sealed record Indicator(
    string Id,
    string Name,
    double Points,
    Method? Method = null,
    IReadOnlyList<Indicator>? Children = null,
    Combine Combine = Combine.Sum)
{
    public bool IsLeaf => Children is null || Children.Count == 0;

    public IReadOnlyList<Indicator> ChildList => Children ?? [];

    /// <summary>Version 2: the leaf's value is this formula over the measures (scoring-format.md, "Formulas"), evaluated for each unit.</summary>
    public string? Formula { get; init; }

    /// <summary>Version 2, formula leaves only: the formula's value is rounded half away from zero (四舍五入) to this many decimals before it is scored.</summary>
    public int? ValueDecimals { get; init; }

    public static Indicator Leaf(string id, string name, double points, Method method) => new(id, name, points, method);

    /// <summary>A leaf whose value is <paramref name="formula"/> (version 2); <paramref name="method"/> must score a single value.</summary>
    public static Indicator FormulaLeaf(string id, string name, double points, string formula, Method method, int? valueDecimals = null) =>
        new(id, name, points, method) { Formula = formula, ValueDecimals = valueDecimals };

    public static Indicator Node(string id, string name, double points, Combine combine, params Indicator[] children) =>
        new(id, name, points, null, children, combine);
}

/// <summary>One finding of an on-site check or a violation, for the <c>deduction</c> method.</summary>
public sealed record Finding(double? Points, string? Note = null);

/// <summary>
/// <c>findings</c> of a value: either a bare count (each worth the method's <c>perFinding</c>) or a list.
/// </summary>
public sealed record Findings(int? Count, IReadOnlyList<Finding>? Items)
{
    public static Findings OfCount(int count) => new(count, null);
    public static Findings Of(params Finding[] items) => new(null, items);
}

/// <summary>
/// One datum for one unit and one leaf: a <c>value</c>, a rater's rating, survey counts or findings.
/// </summary>
public sealed record DataValue(
    string Unit,
    string Indicator,
    double? Value = null,
    double? Target = null,
    string? Rater = null,
    IReadOnlyDictionary<string, double>? Counts = null,
    Findings? Findings = null);

/// <summary>加扣分: positive is a bonus, negative a deduction.</summary>
public sealed record Adjustment(string Unit, double Points, string Reason = "");

/// <summary>一票否决.</summary>
public sealed record Veto(string Unit, string Reason = "");

public sealed record Grade(string Name, double? Min);

public sealed record Rules(
    double? BonusCap = null,
    double? DeductionCap = null,
    IReadOnlyList<Grade>? Grades = null,
    int RankDecimals = 2,
    int Commend = 0,
    int Criticize = 0)
{
    public static Rules Default { get; } = new();
}

/// <summary>Walks of the indicator tree that readers of an assessment share.</summary>
public static class IndicatorTree
{
    /// <summary>The leaves under <paramref name="nodes"/>, depth first, in the scheme's order.</summary>
    public static IEnumerable<Indicator> Leaves(this IEnumerable<Indicator> nodes) =>
        nodes.SelectMany(n => n.IsLeaf ? [n] : n.ChildList.Leaves());
}
