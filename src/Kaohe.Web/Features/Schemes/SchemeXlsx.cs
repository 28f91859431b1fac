using Kaohe.Scoring;

namespace Kaohe.Web.Features.Schemes;

/// <summary>The outcome of importing a scheme workbook: everything, or nothing and every error.</summary>
public sealed record SchemeXlsxResult(
    IReadOnlyList<Indicator>? Indicators,
    Rules? Rules,
    IReadOnlyDictionary<string, string> RuleTexts,
    IReadOnlyList<ValidationError> Errors)
{
    public bool Ok => Errors.Count == 0;

    /// <summary>The base data items (数据项 sheet) the formula leaves name; empty for a version 1 scheme.</summary>
    public IReadOnlyList<Measure> Measures { get; init; } = [];

    /// <summary>The scheme as the file format writes it: version 2 when it has measures or formula leaves (scoring-format.md).</summary>
    public string Document(string period) => Kaohe.Scoring.FileFormat.KaoheFile.WriteScheme(period, Indicators!, Rules!, Measures);
}

/// <summary>
/// The .xlsx template (考核方案模板) an assessment office fills in to define an indicator tree:
/// sheet <c>指标</c> has one row per node with every method parameter of scoring-format.md in its
/// own column, <c>规则</c> the ranking rules, <c>等次</c> the grades and <c>说明</c> explains the
/// columns; <c>数据项</c> lists the base figures (measures) that the <c>公式</c> column of a formula
/// leaf names (version 2). Import is all-or-nothing and names the sheet, row (as Excel shows it) and column of
/// every error; Export → Import is lossless.
/// </summary>
public static partial class SchemeXlsx
{
    public const long MaxBytes = 10 * 1024 * 1024;
    public const long MaxUnpackedBytes = 100 * 1024 * 1024;

    public const string IndicatorSheet = "指标";
    public const string RulesSheet = "规则";
    public const string GradesSheet = "等次";
    public const string HelpSheet = "说明";
    public const string MeasuresSheet = "数据项";

    private const string MId = "编码", MName = "名称", MUnit = "计量单位";

    // Columns of 指标, in order. The letters follow from the order (A, B, ...).
    private const string CId = "编码", CParent = "上级编码", CName = "名称", CPoints = "分值", CCombine = "合成方式", CKind = "计分方法",
        CSatisfactory = "满意值", CUnallowable = "不允许值", CDirection = "方向", CBase = "基础分", CSpan = "跨度", CClamp = "截断",
        CRatioDecimals = "比率小数位", CTarget = "目标值", CCap = "上限倍数", CThreshold = "达标值", CStepBelow = "低于每单位扣分",
        CStepAbove = "高于每单位加分", CMaxAbove = "最高加分", CStep = "每名次扣减百分比", CPerFinding = "每项扣分", CMaxDeduction = "最高扣分",
        CLevels = "档次", CRaters = "评价方", COptions = "选项", CRuleText = "评分细则", CFormula = "公式", CValueDecimals = "计算值小数位";

    private static readonly string[] Columns =
    [
        CId, CParent, CName, CPoints, CCombine, CKind, CSatisfactory, CUnallowable, CDirection, CBase, CSpan, CClamp, CRatioDecimals,
        CTarget, CCap, CThreshold, CStepBelow, CStepAbove, CMaxAbove, CStep, CPerFinding, CMaxDeduction, CLevels, CRaters, COptions, CRuleText, CFormula, CValueDecimals,
    ];

    /// <summary>Which parameter columns each method reads; a filled column a method does not read is an error, never silently dropped.</summary>
    private static readonly IReadOnlyDictionary<string, string[]> ParamsOf = new Dictionary<string, string[]>
    {
        ["efficacy"] = [CSatisfactory, CUnallowable, CDirection, CBase, CSpan, CClamp, CRatioDecimals],
        ["banded"] = [CLevels, CDirection],
        ["ratio"] = [CTarget, CCap],
        ["threshold"] = [CThreshold, CStepBelow, CStepAbove, CMaxAbove],
        ["relative"] = [CCap],
        ["rank"] = [CStep, CDirection],
        ["deduction"] = [CPerFinding, CMaxDeduction],
        ["raters"] = [CRaters],
        ["survey"] = [COptions],
        ["direct"] = [],
    };

    private static readonly HashSet<string> Verbatim = [CName, CRuleText, "等次", MName];

    private static readonly string[] ParamColumns = [.. ParamsOf.Values.SelectMany(c => c).Distinct()];

    /// <summary>Method names as the office writes them: the file-format kind or the seed's Chinese name.</summary>
    private static readonly IReadOnlyDictionary<string, string> KindNames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["efficacy"] = "efficacy", ["功效系数法"] = "efficacy",
        ["banded"] = "banded", ["标准值档次功效系数"] = "banded", ["标准值档次"] = "banded",
        ["ratio"] = "ratio", ["完成率"] = "ratio",
        ["threshold"] = "threshold", ["达标扣分"] = "threshold",
        ["relative"] = "relative", ["以平均值为基准"] = "relative",
        ["rank"] = "rank", ["争先进位"] = "rank",
        ["deduction"] = "deduction", ["扣分制"] = "deduction",
        ["raters"] = "raters", ["多方评"] = "raters", ["领导评价"] = "raters",
        ["survey"] = "survey", ["满意度"] = "survey",
        ["direct"] = "direct", ["直接打分"] = "direct",
    };

    private static readonly (string Key, string Name, string Help)[] RuleRows =
    [
        ("bonusCap", "加分上限", "每个单位加分合计的上限；留空表示不设上限"),
        ("deductionCap", "扣分上限", "每个单位扣分合计的上限（填正数）；留空表示不设上限"),
        ("rankDecimals", "排名保留小数位", "总分按四舍五入保留到该位数后排名，默认 2"),
        ("commend", "通报表扬名额", "每个排名组前 N 名通报表扬（一票否决的单位除外），默认 0"),
        ("criticize", "通报批评名额", "每个排名组后 N 名通报批评，默认 0"),
    ];
}
