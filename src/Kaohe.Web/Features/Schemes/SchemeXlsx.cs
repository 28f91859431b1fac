using System.Globalization;
using System.IO.Compression;
using System.Xml;
using Kaohe.Scoring;
using Kaohe.Web.Infrastructure;
using MiniExcelLibs;

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
public static class SchemeXlsx
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

    // ------------------------------------------------------------------ export

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

    // ------------------------------------------------------------------ import

    public static SchemeXlsxResult Import(Stream xlsx)
    {
        var errors = new List<ValidationError>();
        SchemeXlsxResult Fail() => new(null, null, new Dictionary<string, string>(), errors);

        var bytes = ReadLimited(xlsx, errors);
        if (bytes is null) return Fail();
        // Not a zip (an old .xls, a renamed file), too big unpacked, not a workbook, formulas: one check, XlsxGuard's.
        if (!CheckPackage(bytes, errors)) return Fail();

        Dictionary<string, List<IDictionary<string, object?>>> sheets;
        try
        {
            using var ms = new MemoryStream(bytes, writable: false);
            var names = ms.GetSheetNames();
            sheets = [];
            foreach (var name in names)
            {
                ms.Position = 0;
                sheets[name] = [.. ms.Query(useHeaderRow: false, sheetName: name).Cast<IDictionary<string, object?>>()];
            }
        }
        // The file comes from outside: a workbook that opens as a package but not as a spreadsheet
        // is a user error to report, not a bug.
        catch (Exception ex) when (XlsxGuard.IsUnreadable(ex))
        {
            errors.Add(new ValidationError("file", "无法读取工作簿内容，请确认文件是 Excel 保存的 .xlsx", "the workbook's content cannot be read: make sure it is an .xlsx saved by Excel"));
            return Fail();
        }

        var (measures, measureRows) = ReadMeasures(sheets, errors);
        var (rows, reader, rowOfPath) = ReadIndicators(sheets, measures, errors);
        var (rules, ruleRowOfKey) = ReadRules(sheets, errors);
        // The tree's structure is checked even when cells were bad, so that one import names every problem.
        var (indicators, texts) = rows is null ? (null, []) : BuildTree(rows, reader!, errors);
        if (errors.Count > 0) return Fail();

        var v2 = measures.Count > 0 || rows!.Any(r => r.Formula is not null);
        foreach (var e in v2 ? Validator.ValidateScheme(indicators!, rules!, measures) : Validator.ValidateScheme(indicators!, rules!))
            errors.Add(Locate(e, rowOfPath(indicators!), reader!.Letters, ruleRowOfKey, measureRows));
        return errors.Count > 0 ? Fail() : new SchemeXlsxResult(indicators, rules, texts, []) { Measures = measures };
    }

    internal static byte[]? ReadLimited(Stream s, List<ValidationError> errors)
    {
        if (s.CanSeek && s.Length - s.Position > MaxBytes)
        {
            errors.Add(TooLarge());
            return null;
        }
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = s.Read(buffer, 0, buffer.Length)) > 0)
        {
            ms.Write(buffer, 0, n);
            if (ms.Length > MaxBytes)
            {
                errors.Add(TooLarge());
                return null;
            }
        }
        if (ms.Length == 0)
        {
            errors.Add(new ValidationError("file", "文件为空", "the file is empty"));
            return null;
        }
        return ms.ToArray();
    }

    private static ValidationError TooLarge() =>
        new("file", $"文件超过 {MaxBytes / 1024 / 1024} MB，不予导入", $"the file is larger than {MaxBytes / 1024 / 1024} MB and is refused");

    private const string MainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string RelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    /// <summary>
    /// Opens the package and refuses what is not a workbook, what unpacks to more than
    /// <see cref="MaxUnpackedBytes"/> (a small zip may unpack to gigabytes) and any formula cell:
    /// the scheme must hold values, not what Excel last computed. A streaming read of the sheet XML,
    /// since this runs before anything else on every upload.
    /// </summary>
    internal static bool CheckPackage(byte[] bytes, List<ValidationError> errors)
    {
        var notWorkbook = new ValidationError("file", "文件不是有效的 .xlsx 工作簿", "the file is not a valid .xlsx workbook");
        // Sizes, entry count and real inflated bytes first: the declared sizes alone may lie.
        if (XlsxGuard.Check(bytes, MaxUnpackedBytes) is { } refused)
        {
            errors.Add(new ValidationError("file", refused.Zh, refused.En));
            return false;
        }
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            var workbook = zip.GetEntry("xl/workbook.xml");
            var rels = zip.GetEntry("xl/_rels/workbook.xml.rels");
            if (workbook is null || rels is null)
            {
                errors.Add(notWorkbook);
                return false;
            }
            var targets = new Dictionary<string, string>(StringComparer.Ordinal);
            using (var x = XmlReader.Create(rels.Open()))
                while (x.Read())
                    if (x.NodeType == XmlNodeType.Element && x.LocalName == "Relationship" && x.GetAttribute("Id") is { } id && x.GetAttribute("Target") is { } target)
                        targets[id] = target.StartsWith('/') ? target.TrimStart('/') : "xl/" + target;
            var sheets = new List<(string Name, string Path)>();
            using (var x = XmlReader.Create(workbook.Open()))
                while (x.Read())
                    if (x.NodeType == XmlNodeType.Element && x.LocalName == "sheet" && x.NamespaceURI == MainNs
                        && x.GetAttribute("name") is { } name && x.GetAttribute("id", RelNs) is { } rid && targets.TryGetValue(rid, out var path))
                        sheets.Add((name, path));
            if (sheets.Count == 0)
            {
                errors.Add(new ValidationError("file", "文件不是 .xlsx 工作簿（没有工作表）", "the file is not an .xlsx workbook (it has no sheets)"));
                return false;
            }
            foreach (var (name, path) in sheets)
            {
                if (zip.GetEntry(path) is not { } entry) continue;
                using var x = XmlReader.Create(entry.Open());
                var cell = "?";
                while (x.Read())
                {
                    if (x.NodeType != XmlNodeType.Element || x.NamespaceURI != MainNs) continue;
                    if (x.LocalName == "c") cell = x.GetAttribute("r") ?? "?";
                    else if (x.LocalName == "f")
                    {
                        var (col, row) = SplitReference(cell);
                        errors.Add(new ValidationError($"{name}!{cell}",
                            $"{name}!第{row}行 {col}列: 单元格含公式，请改为数值或文字（复制后“粘贴为数值”）",
                            $"sheet {name} row {row} column {col}: the cell holds a formula; replace it by its value (copy, paste as values)"));
                    }
                }
            }
            return errors.Count == 0;
        }
        catch (Exception ex) when (XlsxGuard.IsUnreadable(ex))
        {
            errors.Add(notWorkbook);
            return false;
        }
    }

    private static (string Col, string Row) SplitReference(string reference)
    {
        var i = 0;
        while (i < reference.Length && char.IsLetter(reference[i])) i++;
        return (reference[..i], reference[i..]);
    }

    private sealed record NodeRow(int Row, string Id, string? Parent, string Name, double Points, Combine? Combine, Method? Method, string? RuleText,
        string KindColumn)
    {
        public string? Formula { get; init; }
        public int? ValueDecimals { get; init; }
    }

    /// <summary>One sheet's cells by column letter, with header names mapped to letters.</summary>
    private sealed class SheetReader(string sheet, IReadOnlyDictionary<string, string> letterOf, List<ValidationError> errors)
    {
        public int ErrorCount => errors.Count;

        public IReadOnlyDictionary<string, string> Letters => letterOf;

        public void Error(int row, string column, string zh, string en) =>
            errors.Add(new ValidationError($"{sheet}!{letterOf.GetValueOrDefault(column, "")}{row}",
                $"{sheet}!第{row}行 {column}: {zh}", $"sheet {sheet} row {row} column {column}: {en}"));

        public static string? RawText(object? v, bool trim = true) => v switch
        {
            null => null,
            string s => string.IsNullOrWhiteSpace(s) ? null : Unsafe(trim ? s.Trim() : s),
            double d => Num(d),
            IConvertible c when IsNumber(v) => Num(c.ToDouble(CultureInfo.InvariantCulture)),
            _ => Convert.ToString(v, CultureInfo.InvariantCulture),
        };

        private static bool IsNumber(object v) => v is byte or short or int or long or float or double or decimal;

        public object? Cell(IDictionary<string, object?> row, string column) =>
            letterOf.TryGetValue(column, out var letter) && row.TryGetValue(letter, out var v) ? v : null;

        /// <summary>Codes, method names and numbers are trimmed; names and rule texts are kept exactly, so that the round trip is lossless.</summary>
        public string? Text(IDictionary<string, object?> row, string column) => RawText(Cell(row, column), trim: !Verbatim.Contains(column));

        public double? Number(IDictionary<string, object?> row, int rowNo, string column, bool required = false)
        {
            var v = Cell(row, column);
            if (v is not null && IsNumber(v)) return ((IConvertible)v).ToDouble(CultureInfo.InvariantCulture);
            var t = RawText(v);
            if (t is null)
            {
                if (required) Error(rowNo, column, "必须填写数字", "a number is required");
                return null;
            }
            if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return d;
            Error(rowNo, column, $"\"{t}\" 不是数字", $"\"{t}\" is not a number");
            return null;
        }

        public int? Integer(IDictionary<string, object?> row, int rowNo, string column)
        {
            var d = Number(row, rowNo, column);
            if (d is null) return null;
            if (d != Math.Floor(d.Value) || d < int.MinValue || d > int.MaxValue)
            {
                Error(rowNo, column, $"\"{Num(d.Value)}\" 不是整数", $"\"{Num(d.Value)}\" is not a whole number");
                return null;
            }
            return (int)d.Value;
        }
    }

    /// <summary>Maps header names of the first row to column letters; reports missing required headers.</summary>
    private static Dictionary<string, string>? Headers(string sheet, List<IDictionary<string, object?>> rows, string[] required, List<ValidationError> errors)
    {
        var letterOf = new Dictionary<string, string>(StringComparer.Ordinal);
        if (rows.Count > 0)
            foreach (var (letter, v) in rows[0])
                if (SheetReader.RawText(v) is { } name) letterOf.TryAdd(name, letter);
        var missing = required.Where(c => !letterOf.ContainsKey(c)).ToArray();
        foreach (var c in missing)
            errors.Add(new ValidationError($"{sheet}!1:1", $"{sheet}!第1行: 缺少列“{c}”", $"sheet {sheet} row 1: column \"{c}\" is missing"));
        return missing.Length == 0 ? letterOf : null;
    }

    private static bool IsBlank(IDictionary<string, object?> row) => row.Values.All(v => SheetReader.RawText(v) is null);

    /// <summary>
    /// The 数据项 sheet: one measure per row. Optional, as version 1 templates have none; an id is checked here
    /// (with its row) so that a formula naming it can be checked as the 指标 rows are read.
    /// </summary>
    private static (List<Measure> Measures, List<int> Rows) ReadMeasures(Dictionary<string, List<IDictionary<string, object?>>> sheets, List<ValidationError> errors)
    {
        var measures = new List<Measure>();
        var rowNos = new List<int>();
        if (!sheets.TryGetValue(MeasuresSheet, out var raw) || Headers(MeasuresSheet, raw, [MId, MName, MUnit], errors) is not { } letterOf) return (measures, rowNos);
        var r = new SheetReader(MeasuresSheet, letterOf, errors);
        var rowOfId = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 1; i < raw.Count; i++)
        {
            var row = raw[i];
            var no = i + 1;
            if (IsBlank(row)) continue;
            var id = r.Text(row, MId);
            if (id is null) { r.Error(no, MId, "必须填写数据项编码", "a measure id is required"); continue; }
            if (!rowOfId.TryAdd(id, no)) { r.Error(no, MId, $"编码 \"{id}\" 与第{rowOfId[id]}行重复", $"id \"{id}\" repeats row {rowOfId[id]}"); continue; }
            measures.Add(new Measure(id, r.Text(row, MName) ?? "", r.Text(row, MUnit) ?? ""));
            rowNos.Add(no);
        }
        return (measures, rowNos);
    }

    private static (List<NodeRow>? Rows, SheetReader? Reader, Func<IReadOnlyList<Indicator>, IReadOnlyDictionary<string, int>> RowOfPath) ReadIndicators(
        Dictionary<string, List<IDictionary<string, object?>>> sheets, IReadOnlyList<Measure> measures, List<ValidationError> errors)
    {
        static IReadOnlyDictionary<string, int> None(IReadOnlyList<Indicator> _) => new Dictionary<string, int>();
        if (!sheets.TryGetValue(IndicatorSheet, out var raw))
        {
            errors.Add(new ValidationError(IndicatorSheet, $"缺少工作表“{IndicatorSheet}”", $"sheet \"{IndicatorSheet}\" is missing"));
            return (null, null, None);
        }
        var letterOf = Headers(IndicatorSheet, raw, [CId, CParent, CName, CPoints, CKind], errors);
        if (letterOf is null) return (null, null, None);
        var r = new SheetReader(IndicatorSheet, letterOf, errors);
        var rows = new List<NodeRow>();
        for (var i = 1; i < raw.Count; i++)
        {
            var row = raw[i];
            var no = i + 1;
            if (IsBlank(row)) continue;
            var id = r.Text(row, CId);
            if (id is null) r.Error(no, CId, "必须填写指标编码", "an indicator id is required");
            var name = r.Text(row, CName);
            if (name is null) r.Error(no, CName, "必须填写指标名称", "a name is required");
            var points = r.Number(row, no, CPoints, required: true);
            var combineText = r.Text(row, CCombine);
            Combine? combine = combineText switch
            {
                null => null,
                var t when t.Equals("sum", StringComparison.OrdinalIgnoreCase) || t is "求和" => Combine.Sum,
                var t when t.Equals("geometric", StringComparison.OrdinalIgnoreCase) || t is "几何加权" or "加权几何平均" => Combine.Geometric,
                _ => null,
            };
            if (combineText is not null && combine is null)
                r.Error(no, CCombine, $"\"{combineText}\" 不是 sum 或 geometric", $"\"{combineText}\" is neither sum nor geometric");
            Method? method = null;
            var kindText = r.Text(row, CKind);
            if (kindText is not null)
            {
                if (!KindNames.TryGetValue(kindText, out var kind))
                    r.Error(no, CKind, $"\"{kindText}\" 不是已知的计分方法", $"\"{kindText}\" is not a known scoring method");
                else
                    method = ReadMethod(kind, row, no, r);
            }
            else
            {
                foreach (var c in ParamColumns.Where(c => r.Text(row, c) is not null))
                    r.Error(no, c, "未填写计分方法，参数无从适用", "there is no scoring method for this parameter");
            }
            // A formula is checked here, against the 数据项 sheet, so that its error names the row, the column and the character.
            var formula = r.Text(row, CFormula);
            if (formula is not null)
                foreach (var problem in Kaohe.Scoring.Formulas.Formula.Validate(formula, measures.Select(m => m.Id)))
                    r.Error(no, CFormula, $"“{formula}” {problem.Zh}", $"\"{formula}\" {problem.En}");
            var valueDecimals = r.Integer(row, no, CValueDecimals);
            // A row with bad cells still takes part in the structure checks (its id may be someone's parent).
            if (id is not null)
                rows.Add(new NodeRow(no, id, r.Text(row, CParent), name ?? "", points ?? 0, combine, method, r.Text(row, CRuleText), kindText ?? "")
                { Formula = formula, ValueDecimals = valueDecimals });
        }
        if (rows.Count == 0 && errors.Count == 0)
            errors.Add(new ValidationError($"{IndicatorSheet}!A2", $"{IndicatorSheet}!第2行: 没有任何指标", $"sheet {IndicatorSheet} row 2: there are no indicators"));

        IReadOnlyDictionary<string, int> RowOfPath(IReadOnlyList<Indicator> tree)
        {
            var rowOfId = rows.GroupBy(x => x.Id).ToDictionary(g => g.Key, g => g.First().Row);
            var map = new Dictionary<string, int>();
            void Walk(IReadOnlyList<Indicator> nodes, string prefix)
            {
                for (var i = 0; i < nodes.Count; i++)
                {
                    var p = $"{prefix}[{i}]";
                    if (rowOfId.TryGetValue(nodes[i].Id, out var no)) map[p] = no;
                    Walk(nodes[i].ChildList, $"{p}.children");
                }
            }
            Walk(tree, "$.indicators");
            return map;
        }
        return (rows, r, RowOfPath);
    }

    private static Method? ReadMethod(string kind, IDictionary<string, object?> row, int no, SheetReader r)
    {
        var allowed = ParamsOf[kind];
        var ok = true;
        foreach (var c in ParamColumns.Where(c => !allowed.Contains(c) && r.Text(row, c) is not null))
        {
            r.Error(no, c, $"该列不适用于计分方法 {kind}，请留空", $"this column does not apply to the {kind} method; leave it empty");
            ok = false;
        }
        var before = r.ErrorCount;
        Method? m = kind switch
        {
            "efficacy" => Efficacy(),
            "banded" => Banded(),
            "ratio" => new RatioMethod(r.Number(row, no, CTarget), r.Number(row, no, CCap) ?? 1.0),
            "threshold" => Threshold(),
            "relative" => new RelativeMethod(r.Number(row, no, CCap) ?? 1.5),
            "rank" => new RankMethod(r.Number(row, no, CStep) ?? 5, Dir()),
            "deduction" => new DeductionMethod(r.Number(row, no, CPerFinding), r.Number(row, no, CMaxDeduction)),
            "raters" => Raters(),
            "survey" => Survey(),
            _ => new DirectMethod(),
        };
        return ok && r.ErrorCount == before ? m : null;

        Direction Dir()
        {
            var t = r.Text(row, CDirection);
            if (t is null || t.Equals("higher", StringComparison.OrdinalIgnoreCase) || t is "越高越好") return Direction.Higher;
            if (t.Equals("lower", StringComparison.OrdinalIgnoreCase) || t is "越低越好") return Direction.Lower;
            r.Error(no, CDirection, $"\"{t}\" 不是 higher 或 lower", $"\"{t}\" is neither higher nor lower");
            return Direction.Higher;
        }

        Bound? BoundOf(string column)
        {
            var v = r.Cell(row, column);
            var t = SheetReader.RawText(v);
            if (t is null)
            {
                r.Error(no, column, "必须填写数字或 best / worst", "a number or best / worst is required");
                return null;
            }
            if (t.Equals("best", StringComparison.OrdinalIgnoreCase) || t is "最优" or "组内最优") return Bound.Best;
            if (t.Equals("worst", StringComparison.OrdinalIgnoreCase) || t is "最差" or "组内最差") return Bound.Worst;
            return r.Number(row, no, column) is { } d ? Bound.Of(d) : null;
        }

        Method? Efficacy()
        {
            var s = BoundOf(CSatisfactory);
            var u = BoundOf(CUnallowable);
            var clampText = r.Text(row, CClamp);
            var clamp = ClampMode.None;
            if (clampText is not null && !clampText.Equals("none", StringComparison.OrdinalIgnoreCase))
            {
                if (clampText.Equals("range", StringComparison.OrdinalIgnoreCase)) clamp = ClampMode.Range;
                else r.Error(no, CClamp, $"\"{clampText}\" 不是 none 或 range", $"\"{clampText}\" is neither none nor range");
            }
            var m = new EfficacyMethod(s ?? Bound.Best, u ?? Bound.Worst, Dir(), r.Number(row, no, CBase) ?? 60, r.Number(row, no, CSpan) ?? 40,
                clamp, r.Integer(row, no, CRatioDecimals));
            return s is null || u is null ? null : m;
        }

        Method? Threshold()
        {
            var t = r.Number(row, no, CThreshold, required: true);
            var below = r.Number(row, no, CStepBelow, required: true);
            var m = new ThresholdMethod(t ?? 0, below ?? 0, r.Number(row, no, CStepAbove) ?? 0, r.Number(row, no, CMaxAbove) ?? 0);
            return t is null || below is null ? null : m;
        }

        Method? Banded()
        {
            var pairs = Pairs(CLevels, required: true, allowEmptyValue: false);
            var dir = Dir();
            return pairs is null ? null : new BandedMethod([.. pairs.Select(p => new BandLevel(ParseNum(p.Key)!.Value, p.Value!.Value))], dir);
        }

        Method? Raters()
        {
            var pairs = Pairs(CRaters, required: true, allowEmptyValue: false, keyIsNumber: false);
            return pairs is null ? null : new RatersMethod([.. pairs.Select(p => new Rater(p.Key, p.Value!.Value))]);
        }

        Method? Survey()
        {
            if (r.Text(row, COptions) is null) return new SurveyMethod(SurveyMethod.DefaultOptions);
            var pairs = Pairs(COptions, required: true, allowEmptyValue: true, keyIsNumber: false);
            return pairs is null ? null : new SurveyMethod([.. pairs.Select(p => new SurveyOption(p.Key, p.Value))]);
        }

        // "key:value; key:value" (full-width ：； accepted). The last colon separates, so keys may hold colons.
        List<KeyValuePair<string, double?>>? Pairs(string column, bool required, bool allowEmptyValue, bool keyIsNumber = true)
        {
            var t = r.Text(row, column);
            if (t is null)
            {
                if (required) r.Error(no, column, "必须填写", "a value is required");
                return null;
            }
            var result = new List<KeyValuePair<string, double?>>();
            var good = true;
            foreach (var part in t.Replace('；', ';').Replace('：', ':').Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var at = part.LastIndexOf(':');
                var key = at < 0 ? part : part[..at].Trim();
                var valueText = at < 0 ? "" : part[(at + 1)..].Trim();
                double? value = ParseNum(valueText);
                if (at < 0 || key.Length == 0 || (keyIsNumber && ParseNum(key) is null) || (value is null && !(allowEmptyValue && valueText.Length == 0)))
                {
                    r.Error(no, column, $"\"{part}\" 格式不对，应为 {(keyIsNumber ? "值:系数" : "编码:数值")}", $"\"{part}\" is malformed; expected {(keyIsNumber ? "value:coef" : "id:number")}");
                    good = false;
                    continue;
                }
                result.Add(new(key, value));
            }
            if (good && result.Count == 0)
            {
                r.Error(no, column, "必须至少填写一项", "at least one entry is required");
                good = false;
            }
            return good ? result : null;
        }
    }

    private static double? ParseNum(string t) =>
        double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null;

    private static (List<Indicator>? Tree, Dictionary<string, string> Texts) BuildTree(List<NodeRow> rows, SheetReader r, List<ValidationError> errors)
    {
        void Error(int row, string column, string zh, string en) => r.Error(row, column, zh, en);
        var byId = new Dictionary<string, NodeRow>(StringComparer.Ordinal);
        foreach (var row in rows)
            if (!byId.TryAdd(row.Id, row))
                Error(row.Row, CId, $"编码 \"{row.Id}\" 与第{byId[row.Id].Row}行重复", $"id \"{row.Id}\" repeats row {byId[row.Id].Row}");
        var children = rows.Where(r => r.Parent is not null).GroupBy(r => r.Parent!).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var row in rows.Where(r => r.Parent is not null && !byId.ContainsKey(r.Parent)))
            Error(row.Row, CParent, $"上级编码 \"{row.Parent}\" 不存在", $"parent id \"{row.Parent}\" does not exist");
        foreach (var row in rows)
        {
            var hasChildren = children.ContainsKey(row.Id);
            if (hasChildren && row.KindColumn.Length > 0)
                Error(row.Row, CKind, "有下级指标的指标不填计分方法", "an indicator with children takes no scoring method");
            if (!hasChildren && row.KindColumn.Length == 0)
                Error(row.Row, CKind, "末级指标必须填写计分方法", "a leaf indicator needs a scoring method");
        }
        if (rows.Any(r => r.Parent is not null && !byId.ContainsKey(r.Parent)) || byId.Count < rows.Count) return (null, []);

        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        Indicator Build(NodeRow row)
        {
            placed.Add(row.Id);
            if (row.RuleText is not null) texts[row.Id] = row.RuleText;
            if (!children.TryGetValue(row.Id, out var kids))
                return new Indicator(row.Id, row.Name, row.Points, row.Method) { Formula = row.Formula, ValueDecimals = row.ValueDecimals };
            return new Indicator(row.Id, row.Name, row.Points, null, [.. kids.Select(Build)], row.Combine ?? Combine.Sum);
        }
        var tree = rows.Where(r => r.Parent is null).Select(Build).ToList();
        foreach (var row in rows.Where(r => !placed.Contains(r.Id)))
            Error(row.Row, CParent, "上级编码形成循环，指标无法挂到一级指标下", "the parent ids form a cycle: the indicator does not hang under a top-level indicator");
        return errors.Count > 0 ? (null, []) : (tree, texts);
    }

    private static (Rules? Rules, IReadOnlyDictionary<string, int> RowOfKey) ReadRules(
        Dictionary<string, List<IDictionary<string, object?>>> sheets, List<ValidationError> errors)
    {
        var rowOfKey = new Dictionary<string, int>();
        double? bonus = null, deduction = null;
        int rankDecimals = 2, commend = 0, criticize = 0;
        if (sheets.TryGetValue(RulesSheet, out var raw) && Headers(RulesSheet, raw, ["键", "值"], errors) is { } letterOf)
        {
            var r = new SheetReader(RulesSheet, letterOf, errors);
            for (var i = 1; i < raw.Count; i++)
            {
                var row = raw[i];
                var no = i + 1;
                if (IsBlank(row)) continue;
                var key = r.Text(row, "键");
                var known = RuleRows.FirstOrDefault(x => x.Key.Equals(key, StringComparison.OrdinalIgnoreCase) || x.Name == key);
                if (known.Key is null)
                {
                    r.Error(no, "键", $"\"{key}\" 不是已知的规则", $"\"{key}\" is not a known rule");
                    continue;
                }
                rowOfKey[known.Key] = no;
                switch (known.Key)
                {
                    case "bonusCap": bonus = r.Number(row, no, "值"); break;
                    case "deductionCap": deduction = r.Number(row, no, "值"); break;
                    case "rankDecimals": rankDecimals = r.Integer(row, no, "值") ?? 2; break;
                    case "commend": commend = r.Integer(row, no, "值") ?? 0; break;
                    case "criticize": criticize = r.Integer(row, no, "值") ?? 0; break;
                }
            }
        }
        else if (raw is null)
            errors.Add(new ValidationError(RulesSheet, $"缺少工作表“{RulesSheet}”", $"sheet \"{RulesSheet}\" is missing"));

        List<Grade>? grades = null;
        if (sheets.TryGetValue(GradesSheet, out var gradeRaw) && Headers(GradesSheet, gradeRaw, ["等次", "最低分"], errors) is { } gradeLetters)
        {
            var r = new SheetReader(GradesSheet, gradeLetters, errors);
            for (var i = 1; i < gradeRaw.Count; i++)
            {
                var row = gradeRaw[i];
                var no = i + 1;
                if (IsBlank(row)) continue;
                var name = r.Text(row, "等次");
                if (name is null) r.Error(no, "等次", "必须填写等次名称", "a grade name is required");
                var min = r.Number(row, no, "最低分");
                if (name is not null) (grades ??= []).Add(new Grade(name, min));
                rowOfKey[$"grades[{(grades?.Count ?? 1) - 1}]"] = no;
            }
        }
        return (new Rules(bonus, deduction, grades, rankDecimals, commend, criticize), rowOfKey);
    }

    /// <summary>Puts the sheet and row of the workbook in front of an engine validation error.</summary>
    /// <summary>The column of 指标 that holds a property of the engine's JSON path (longest first).</summary>
    private static readonly KeyValuePair<string, string>[] ColumnOfProperty =
    [
        new(".method.satisfactory", CSatisfactory), new(".method.unallowable", CUnallowable), new(".method.direction", CDirection),
        new(".method.base", CBase), new(".method.span", CSpan), new(".method.clamp", CClamp), new(".method.ratioDecimals", CRatioDecimals),
        new(".method.target", CTarget), new(".method.cap", CCap), new(".method.threshold", CThreshold), new(".method.stepBelow", CStepBelow),
        new(".method.stepAbove", CStepAbove), new(".method.maxAbove", CMaxAbove), new(".method.step", CStep), new(".method.perFinding", CPerFinding),
        new(".method.maxDeduction", CMaxDeduction), new(".method.levels", CLevels), new(".method.raters", CRaters), new(".method.options", COptions),
        new(".method", CKind), new(".formula", CFormula), new(".valueDecimals", CValueDecimals), new(".points", CPoints), new(".children", CPoints), new(".id", CId), new(".name", CName),
    ];

    private static ValidationError Locate(ValidationError e, IReadOnlyDictionary<string, int> rowOfPath, IReadOnlyDictionary<string, string> indicatorLetters,
        IReadOnlyDictionary<string, int> ruleRows, IReadOnlyList<int> measureRows)
    {
        if (e.Path.StartsWith("$.measures[", StringComparison.Ordinal) && e.Path.IndexOf(']') is var close and > 0
            && int.TryParse(e.Path["$.measures[".Length..close], CultureInfo.InvariantCulture, out var mi) && mi < measureRows.Count)
            return new ValidationError($"{MeasuresSheet}!{measureRows[mi]}:{measureRows[mi]}", $"{MeasuresSheet}!第{measureRows[mi]}行: {e.Zh}", $"sheet {MeasuresSheet} row {measureRows[mi]}: {e.En}");
        var node = rowOfPath.Keys.Where(p => e.Path == p || e.Path.StartsWith(p + ".", StringComparison.Ordinal) || e.Path.StartsWith(p + "[", StringComparison.Ordinal))
            .OrderByDescending(p => p.Length).FirstOrDefault();
        if (node is not null)
        {
            var row = rowOfPath[node];
            var rest = e.Path[node.Length..];
            var column = ColumnOfProperty.FirstOrDefault(kv => rest == kv.Key || rest.StartsWith(kv.Key + ".", StringComparison.Ordinal) || rest.StartsWith(kv.Key + "[", StringComparison.Ordinal)).Value;
            if (column is not null && indicatorLetters.TryGetValue(column, out var letter))
                return new ValidationError($"{IndicatorSheet}!{letter}{row}", $"{IndicatorSheet}!第{row}行 {column}: {e.Zh}", $"sheet {IndicatorSheet} row {row} column {column}: {e.En}");
            return new ValidationError($"{IndicatorSheet}!{row}:{row}", $"{IndicatorSheet}!第{row}行: {e.Zh}", $"sheet {IndicatorSheet} row {row}: {e.En}");
        }
        if (e.Path.StartsWith("$.rules.", StringComparison.Ordinal))
        {
            var rest = e.Path["$.rules.".Length..];
            var grade = ruleRows.Keys.Where(k => k.StartsWith("grades[", StringComparison.Ordinal) && rest.StartsWith(k, StringComparison.Ordinal)).FirstOrDefault();
            if (grade is not null)
                return new ValidationError($"{GradesSheet}!{ruleRows[grade]}:{ruleRows[grade]}", $"{GradesSheet}!第{ruleRows[grade]}行: {e.Zh}", $"sheet {GradesSheet} row {ruleRows[grade]}: {e.En}");
            var key = ruleRows.Keys.FirstOrDefault(k => rest.StartsWith(k, StringComparison.Ordinal));
            if (key is not null)
                return new ValidationError($"{RulesSheet}!{ruleRows[key]}:{ruleRows[key]}", $"{RulesSheet}!第{ruleRows[key]}行: {e.Zh}", $"sheet {RulesSheet} row {ruleRows[key]}: {e.En}");
        }
        return e;
    }
}
