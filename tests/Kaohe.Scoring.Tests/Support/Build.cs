using Kaohe.Scoring;

namespace Kaohe.Scoring.Tests.Support;

/// <summary>
/// A small builder for assessments in tests: units, one or more indicators, values per unit in
/// the order the units were added, adjustments, vetoes and rules.
/// </summary>
public sealed class Build
{
    private readonly List<Unit> _units = [];
    private readonly List<Indicator> _indicators = [];
    private readonly List<DataValue> _values = [];
    private readonly List<Adjustment> _adjustments = [];
    private readonly List<Veto> _vetoes = [];
    private Kaohe.Scoring.Rules _rules = Kaohe.Scoring.Rules.Default;

    /// <summary>Units with the given ids, all in one group.</summary>
    public static Build Units(params string[] ids)
    {
        var b = new Build();
        foreach (var id in ids) b.Unit(id);
        return b;
    }

    public Build Unit(string id, string group = "")
    {
        _units.Add(new Unit(id, id + "名称", group));
        return this;
    }

    public IReadOnlyList<string> UnitIds => _units.Select(u => u.Id).ToList();

    /// <summary>A root leaf with one plain value per unit, in unit order.</summary>
    public Build Leaf(string id, double points, Method method, params double[] values)
    {
        _indicators.Add(Indicator.Leaf(id, id, points, method));
        return Values(id, values);
    }

    /// <summary>Plain values for an existing leaf, one per unit in unit order.</summary>
    public Build Values(string leafId, params double[] values)
    {
        if (values.Length != 0 && values.Length != _units.Count)
            throw new ArgumentException($"{values.Length} values for {_units.Count} units");
        for (var i = 0; i < values.Length; i++) _values.Add(new DataValue(_units[i].Id, leafId, values[i]));
        return this;
    }

    public Build Root(Indicator indicator)
    {
        _indicators.Add(indicator);
        return this;
    }

    public Build Value(DataValue value)
    {
        _values.Add(value);
        return this;
    }

    public Build Adjust(string unit, double points)
    {
        _adjustments.Add(new Adjustment(unit, points, "理由"));
        return this;
    }

    public Build Veto(string unit)
    {
        _vetoes.Add(new Veto(unit, "重大安全生产事故"));
        return this;
    }

    public Build With(Kaohe.Scoring.Rules rules)
    {
        _rules = rules;
        return this;
    }

    public Assessment Done() => new("2023-Q1", [.. _units], [.. _indicators], [.. _values], [.. _adjustments], [.. _vetoes], _rules);

    /// <summary>Scores and fails the test with the errors if the assessment is invalid.</summary>
    public AssessmentResult Score() => Scored(Done());

    public static AssessmentResult Scored(Assessment a)
    {
        var outcome = Engine.Score(a);
        Assert.True(outcome.IsValid, string.Join("\n", outcome.Errors));
        return outcome.Result!;
    }

    public IReadOnlyList<ValidationError> Errors() => Engine.Score(Done()).Errors;

    /// <summary>The seed's grades: 优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, 不合格 below.</summary>
    public static IReadOnlyList<Grade> SeedGrades { get; } =
        [new("优秀", 90), new("良好", 80), new("合格", 60), new("不合格", null)];
}

public static class Approx
{
    public const double Tolerance = 1e-6;

    public static void Equal(double expected, double actual, double tolerance = Tolerance) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"expected {expected:R}, actual {actual:R} (tolerance {tolerance})");
}
