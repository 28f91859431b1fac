using System.Globalization;
using Kaohe.Scoring;
using Kaohe.Web.Infrastructure;
using MiniExcelLibs;

namespace Kaohe.Web.Features.Schemes;

/// <summary>Reading a filled-in template back: every sheet, every cell checked, the tree built, all or nothing.</summary>
public static partial class SchemeXlsx
{

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

    private sealed record NodeRow(int Row, string Id, string? Parent, string Name, double Points, Combine? Combine, Method? Method, string? RuleText,
        string KindColumn)
    {
        public string? Formula { get; init; }
        public int? ValueDecimals { get; init; }
    }

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
}
