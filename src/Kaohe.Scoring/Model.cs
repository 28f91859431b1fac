namespace Kaohe.Scoring;

/// <summary>
/// One assessment to compute: subjects, indicator tree, data and rules. Mirrors the v1 file of
/// scoring-format.md, so that a validation path like <c>$.values[12]</c> means the same thing
/// whether the assessment came from a file or was built by the web application.
/// </summary>
public sealed record Assessment(
    string Period,
    IReadOnlyList<Unit> Units,
    IReadOnlyList<Indicator> Indicators,
    IReadOnlyList<DataValue> Values,
    IReadOnlyList<Adjustment> Adjustments,
    IReadOnlyList<Veto> Vetoes,
    Rules Rules);

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

    public static Indicator Leaf(string id, string name, double points, Method method) => new(id, name, points, method);

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
