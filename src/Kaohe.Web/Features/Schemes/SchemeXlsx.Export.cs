using System.Globalization;
using Kaohe.Scoring;
using MiniExcelLibs;

namespace Kaohe.Web.Features.Schemes;

/// <summary>Writing a scheme to the template: one 指标 row per node, the rules, the grades and the help sheet.</summary>
public static partial class SchemeXlsx
{

    public static byte[] Export(IReadOnlyList<Indicator> indicators, Rules rules, IReadOnlyDictionary<string, string>? ruleTexts = null,
        IReadOnlyList<Measure>? measures = null)
    {
        var rows = new List<Dictionary<string, object?>>();
        void Walk(Indicator n, string? parent)
        {
            var row = Columns.ToDictionary(c => c, _ => (object?)null);
            row[CId] = Safe(n.Id);
            row[CParent] = Safe(parent);
            row[CName] = Safe(n.Name);
            row[CPoints] = n.Points;
            if (!n.IsLeaf) row[CCombine] = n.Combine == Combine.Geometric ? "geometric" : "sum";
            if (n.Method is { } m)
            {
                row[CKind] = m.Kind;
                WriteMethod(row, m);
            }
            row[CRuleText] = Safe(ruleTexts?.GetValueOrDefault(n.Id));
            row[CFormula] = Safe(n.Formula);
            row[CValueDecimals] = n.ValueDecimals;
            rows.Add(row);
            foreach (var c in n.ChildList) Walk(c, n.Id);
        }
        foreach (var n in indicators) Walk(n, null);

        var ruleRows = RuleRows.Select(r => new Dictionary<string, object?>
        {
            ["键"] = r.Key,
            ["名称"] = r.Name,
            ["值"] = r.Key switch
            {
                "bonusCap" => rules.BonusCap,
                "deductionCap" => rules.DeductionCap,
                "rankDecimals" => rules.RankDecimals,
                "commend" => rules.Commend,
                _ => (object?)rules.Criticize,
            },
            ["说明"] = r.Help,
        }).ToList();
        var gradeRows = (rules.Grades ?? []).Select(g => new Dictionary<string, object?> { ["等次"] = Safe(g.Name), ["最低分"] = g.Min }).ToList();
        if (gradeRows.Count == 0) gradeRows.Add(new() { ["等次"] = null, ["最低分"] = null });

        var sheets = new Dictionary<string, object>
        {
            [IndicatorSheet] = rows.Count > 0 ? rows : [Columns.ToDictionary(c => c, _ => (object?)null)],
            [RulesSheet] = ruleRows,
            [GradesSheet] = gradeRows,
            [MeasuresSheet] = measures is { Count: > 0 }
                ? measures.Select(m => new Dictionary<string, object?> { [MId] = Safe(m.Id), [MName] = Safe(m.Name), [MUnit] = Safe(m.Unit) }).ToList()
                : [new Dictionary<string, object?> { [MId] = null, [MName] = null, [MUnit] = null }],
            [HelpSheet] = HelpRows(),
        };
        using var ms = new MemoryStream();
        ms.SaveAs(sheets);
        return ms.ToArray();
    }

    private static void WriteMethod(Dictionary<string, object?> row, Method m)
    {
        switch (m)
        {
            case EfficacyMethod e:
                row[CSatisfactory] = BoundCell(e.Satisfactory);
                row[CUnallowable] = BoundCell(e.Unallowable);
                row[CDirection] = DirectionText(e.Direction);
                row[CBase] = e.Base;
                row[CSpan] = e.Span;
                row[CClamp] = e.Clamp == ClampMode.Range ? "range" : "none";
                row[CRatioDecimals] = e.RatioDecimals;
                break;
            case BandedMethod b:
                row[CLevels] = string.Join("; ", b.Levels.Select(l => $"{Num(l.Value)}:{Num(l.Coef)}"));
                row[CDirection] = DirectionText(b.Direction);
                break;
            case RatioMethod r:
                row[CTarget] = r.Target;
                row[CCap] = r.Cap;
                break;
            case ThresholdMethod t:
                row[CThreshold] = t.Threshold;
                row[CStepBelow] = t.StepBelow;
                row[CStepAbove] = t.StepAbove;
                row[CMaxAbove] = t.MaxAbove;
                break;
            case RelativeMethod rel:
                row[CCap] = rel.Cap;
                break;
            case RankMethod rk:
                row[CStep] = rk.Step;
                row[CDirection] = DirectionText(rk.Direction);
                break;
            case DeductionMethod d:
                row[CPerFinding] = d.PerFinding;
                row[CMaxDeduction] = d.MaxDeduction;
                break;
            case RatersMethod ra:
                row[CRaters] = Safe(string.Join("; ", ra.Raters.Select(r => $"{r.Id}:{Num(r.Weight)}")));
                break;
            case SurveyMethod s:
                row[COptions] = Safe(string.Join("; ", s.Options.Select(o => $"{o.Id}:{(o.Value is { } v ? Num(v) : "")}")));
                break;
        }
    }

    private static object BoundCell(Bound b) => b.Kind switch
    {
        BoundKind.Best => "best",
        BoundKind.Worst => "worst",
        _ => b.Fixed,
    };

    private static string DirectionText(Direction d) => d == Direction.Lower ? "lower" : "higher";

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// Formula-injection neutralisation: text a spreadsheet would run as a formula gets a leading
    /// apostrophe. Text that already starts with an apostrophe gets one too, so that import can
    /// always remove exactly one and the round trip stays lossless.
    /// </summary>
    private static string? Safe(string? s) =>
        s is { Length: > 0 } && s[0] is '=' or '+' or '-' or '@' or '\t' or '\r' or '\'' ? "'" + s : s;

    private static string Unsafe(string s) => s.StartsWith('\'') ? s[1..] : s;

    private static List<Dictionary<string, object?>> HelpRows()
    {
        var rows = new List<Dictionary<string, object?>>();
        void Add(string sheet, string column, string help) => rows.Add(new() { ["工作表"] = sheet, ["列"] = column, ["说明"] = help });
        Add(IndicatorSheet, "", "每行一个指标（节点）。上级指标的分值等于下级分值之和（合成方式 sum），末级指标必须填写计分方法。一行中不适用于所选计分方法的参数列必须留空。");
        Add(IndicatorSheet, CId, "指标编码，全表唯一，例如 A、A1、U1.2");
        Add(IndicatorSheet, CParent, "上级指标的编码；一级指标留空。下级指标按行的先后排序");
        Add(IndicatorSheet, CName, "指标名称");
        Add(IndicatorSheet, CPoints, "分值（数字）");
        Add(IndicatorSheet, CCombine, "仅上级指标：sum（求和，默认）或 geometric（几何加权）");
        Add(IndicatorSheet, CKind, "仅末级指标：efficacy 功效系数法、banded 标准值档次功效系数、ratio 完成率、threshold 达标扣分、relative 以平均值为基准、rank 争先进位、deduction 扣分制、raters 多方评/领导评价、survey 满意度、direct 直接打分（可填英文或中文名称）");
        Add(IndicatorSheet, CSatisfactory, "efficacy：满意值，数字或 best（组内最优）/ worst（组内最差）");
        Add(IndicatorSheet, CUnallowable, "efficacy：不允许值，数字或 best / worst");
        Add(IndicatorSheet, CDirection, "efficacy、banded、rank：higher（越高越好，默认）或 lower（越低越好）");
        Add(IndicatorSheet, CBase, "efficacy：基础分，默认 60");
        Add(IndicatorSheet, CSpan, "efficacy：跨度，默认 40");
        Add(IndicatorSheet, CClamp, "efficacy：none（不截断，默认）或 range（限制在 基础分 至 基础分+跨度 之间）");
        Add(IndicatorSheet, CRatioDecimals, "efficacy：比值先四舍五入保留的小数位（0–15），留空表示不舍入");
        Add(IndicatorSheet, CTarget, "ratio：目标值；留空表示由各单位数据分别给出目标");
        Add(IndicatorSheet, CCap, "ratio：完成率上限，默认 1；relative：相对平均值的上限倍数，默认 1.5");
        Add(IndicatorSheet, CThreshold, "threshold：达标值");
        Add(IndicatorSheet, CStepBelow, "threshold：低于达标值每 1 个单位扣分");
        Add(IndicatorSheet, CStepAbove, "threshold：高于达标值每 1 个单位加分，默认 0");
        Add(IndicatorSheet, CMaxAbove, "threshold：最多加分，默认 0");
        Add(IndicatorSheet, CStep, "rank：每下降一个名次扣减分值的百分比，默认 5");
        Add(IndicatorSheet, CPerFinding, "deduction：每发现一个问题扣分（问题未单独给出扣分时使用）");
        Add(IndicatorSheet, CMaxDeduction, "deduction：最多扣分，留空表示以分值为限");
        Add(IndicatorSheet, CLevels, "banded：标准值从优到差，格式 值:系数; 值:系数，例如 1.2:1; 1:0.8; 0.8:0.6; 0.6:0.4; 0.4:0.2");
        Add(IndicatorSheet, CRaters, "raters：评价方及权重，格式 编码:权重; 编码:权重，例如 principal:0.5; in-charge:0.5（厅主要领导、分管领导各占 50%）；编码中不能含分号");
        Add(IndicatorSheet, COptions, "survey：选项及分值，格式 选项:分值; …，分值留空表示不计入，例如 满意:100; 基本满意:75; 不满意:55; 不了解:；选项名称中不能含分号");
        Add(IndicatorSheet, CRuleText, "评分细则（文字说明，可选）");
        Add(IndicatorSheet, CFormula, "仅末级指标（计算指标）：由“数据项”表的编码计算本指标的值，例如 inv / plan、inv / sum(inv)；可用 + - * / ( ) 和函数 sum（全区合计）、groupSum（排名组合计）、min、max、abs。填写公式的指标不由单位填报，计分方法须为对单个数值计分的方法");
        Add(IndicatorSheet, CValueDecimals, "仅计算指标：计算值四舍五入保留的小数位（0–10），留空表示不舍入");
        Add(MeasuresSheet, MId, "数据项编码（字母、数字、下划线，不以数字开头），公式中引用，例如 inv");
        Add(MeasuresSheet, MName, "数据项名称，例如 季度完成投资；单位填报时看到");
        Add(MeasuresSheet, MUnit, "计量单位，例如 万元、个；个、件、项、处、人、次、户、套、宗 为计数，填报时须为整数");
        foreach (var r in RuleRows) Add(RulesSheet, $"{r.Key} {r.Name}", r.Help);
        Add(GradesSheet, "等次", "等次名称，按从高到低的顺序每行一个");
        Add(GradesSheet, "最低分", "达到该分数（含）即为该等次；最后一个等次留空表示其余所有分数");
        Add("", "", "单元格不得使用公式；以 = + - @ 开头的文字在导出时加了前导单引号，导入时会去掉。文件不得超过 10 MB。");
        return rows;
    }
}
