namespace Kaohe.Scoring;

public enum Direction { Higher, Lower }

public enum ClampMode { None, Range }

/// <summary>A 满意值 or 不允许值: a fixed number, or the best / worst value in the unit's group.</summary>
public readonly record struct Bound(BoundKind Kind, double Fixed = 0)
{
    public static Bound Best => new(BoundKind.Best);
    public static Bound Worst => new(BoundKind.Worst);
    public static Bound Of(double value) => new(BoundKind.Fixed, value);

    public override string ToString() => Kind switch
    {
        BoundKind.Best => "best",
        BoundKind.Worst => "worst",
        _ => Fixed.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

public enum BoundKind { Fixed, Best, Worst }

/// <summary>A leaf's scoring method. Each kind maps to one row of the method table in scoring-format.md.</summary>
public abstract record Method
{
    /// <summary>The kind as written in the v1 file, e.g. <c>efficacy</c>.</summary>
    public abstract string Kind { get; }
}

/// <summary>功效系数法: d = base + span × (x − unallowable) / (satisfactory − unallowable).</summary>
public sealed record EfficacyMethod(
    Bound Satisfactory,
    Bound Unallowable,
    Direction Direction = Direction.Higher,
    double Base = 60,
    double Span = 40,
    ClampMode Clamp = ClampMode.None,
    int? RatioDecimals = null) : Method
{
    public override string Kind => "efficacy";
}

public sealed record BandLevel(double Value, double Coef);

/// <summary>标准值档次功效系数 (综合绩效评价): levels from best to worst.</summary>
public sealed record BandedMethod(IReadOnlyList<BandLevel> Levels, Direction Direction = Direction.Higher) : Method
{
    public override string Kind => "banded";
}

/// <summary>完成率: points × clamp(value / target, 0, cap).</summary>
public sealed record RatioMethod(double? Target = null, double Cap = 1.0) : Method
{
    public override string Kind => "ratio";
}

/// <summary>达标扣分.</summary>
public sealed record ThresholdMethod(double Threshold, double StepBelow, double StepAbove = 0, double MaxAbove = 0) : Method
{
    public override string Kind => "threshold";
}

/// <summary>以平均值为基准: points × clamp(value / mean(group), 0, cap).</summary>
public sealed record RelativeMethod(double Cap = 1.5) : Method
{
    public override string Kind => "relative";
}

/// <summary>争先进位: each place below first loses <c>step</c> percent of the points.</summary>
public sealed record RankMethod(double Step = 5, Direction Direction = Direction.Higher) : Method
{
    public override string Kind => "rank";
}

/// <summary>扣分制: points − min(maxDeduction, Σ findings), floored at 0.</summary>
public sealed record DeductionMethod(double? PerFinding = null, double? MaxDeduction = null) : Method
{
    public override string Kind => "deduction";
}

public sealed record Rater(string Id, double Weight);

/// <summary>多方评 / 领导评价: weighted mean of the raters' 0–100 ratings.</summary>
public sealed record RatersMethod(IReadOnlyList<Rater> Raters) : Method
{
    public override string Kind => "raters";

    /// <summary>The seed's leadership evaluation: 厅主要领导 and 分管领导 each weigh 50%.</summary>
    public static RatersMethod Leadership5050 { get; } = new([new Rater("principal", 0.5), new Rater("in-charge", 0.5)]);
}

/// <summary>An answer option of a survey; a null value is not counted (e.g. 不了解).</summary>
public sealed record SurveyOption(string Id, double? Value);

/// <summary>满意度: points × Σ(count × value) / Σ(counted) / 100.</summary>
public sealed record SurveyMethod(IReadOnlyList<SurveyOption> Options) : Method
{
    public override string Kind => "survey";

    /// <summary>The default options: 满意 100, 基本满意 75, 不满意 55, 不了解 not counted.</summary>
    public static IReadOnlyList<SurveyOption> DefaultOptions { get; } =
        [new("满意", 100), new("基本满意", 75), new("不满意", 55), new("不了解", null)];
}

/// <summary>直接打分: the value is the score, within [0, points].</summary>
public sealed record DirectMethod : Method
{
    public override string Kind => "direct";
}
