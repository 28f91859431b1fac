using System.Globalization;
using Kaohe.Scoring.FileFormat;
using Kaohe.Scoring.Formulas;

namespace Kaohe.Scoring;

/// <summary>
/// Checks an assessment completely (not stopping at the first problem) against the rules of
/// scoring-format.md. Missing data is an error, never a zero.
/// </summary>
public static class Validator
{
    private const double PointsTolerance = 1e-9;

    /// <summary>
    /// The largest magnitude any number of an assessment may have. Far above any real figure
    /// (10^15 yuan is a thousand trillion), and low enough that no sum, product or mean of the
    /// formulas can overflow a double: results stay finite and writable as JSON.
    /// </summary>
    public const double MaxMagnitude = 1e15;

    private static bool Huge(double v) => Math.Abs(v) > MaxMagnitude;

    /// <summary>
    /// A number other than 0 closer to 0 than 10^−15. The efficacy method divides by the difference of
    /// its bounds, which may be a unit's value: with such numbers that difference can be 10^−320 and
    /// the score infinite (found by the reader fuzz tests), so efficacy values and fixed bounds must
    /// keep clear of it, as a target must.
    /// </summary>
    internal static bool Tiny(double v) => v != 0 && Math.Abs(v) < 1 / MaxMagnitude;

    internal const string TinyZh = "数值过于接近 0（功效系数法的数值和满意值、不允许值非零时绝对值不小于 10^-15）";
    internal const string TinyEn = "the number is too close to 0 (an efficacy value or bound other than 0 must not be smaller than 10^-15 in magnitude)";

    public static IReadOnlyList<ValidationError> Validate(Assessment a) => Validate(a, schemeOnly: false, out _);

    /// <summary>Checks an indicator tree and rules alone, as a scheme is checked before activation (no units or data yet).</summary>
    public static IReadOnlyList<ValidationError> ValidateScheme(IReadOnlyList<Indicator> indicators, Rules rules) =>
        Validate(new Assessment("", [], indicators, [], [], [], rules), schemeOnly: true, out _);

    /// <summary>Checks a version 2 scheme: the tree, the rules, and the measures its formulas may name.</summary>
    public static IReadOnlyList<ValidationError> ValidateScheme(IReadOnlyList<Indicator> indicators, Rules rules, IReadOnlyList<Measure> measures) =>
        Validate(new Assessment("", [], indicators, [], [], [], rules) { Version = 2, Measures = measures }, schemeOnly: true, out _);

    /// <summary>
    /// Validates, and hands back the formulas' values when it evaluated them without a problem, so
    /// that compiling does not evaluate them again.
    /// </summary>
    internal static IReadOnlyList<ValidationError> Validate(Assessment a, out FormulaValues? formulas) => Validate(a, schemeOnly: false, out formulas);

    private static readonly string[] SingleValueKinds = ["efficacy", "banded", "ratio", "threshold", "relative", "rank", "direct"];

    private static bool IsMeasureId(string id)
    {
        if (id.Length == 0 || !(char.IsAsciiLetter(id[0]) || id[0] == '_')) return false;
        foreach (var c in id) if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        return true;
    }

    private static IReadOnlyList<ValidationError> Validate(Assessment a, bool schemeOnly, out FormulaValues? formulaValues)
    {
        formulaValues = null;
        var errors = new List<ValidationError>();
        void Err(string path, string zh, string en) => errors.Add(new ValidationError(path, zh, en));
        var v2 = a.Version == 2;
        if (a.Version is not (1 or 2)) Err("$.kaohe", $"不支持的版本 {a.Version}，应为 1 或 2", $"unsupported version {a.Version}: must be 1 or 2");

        // Units
        var units = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < a.Units.Count; i++)
        {
            var u = a.Units[i];
            var p = $"$.units[{i}]";
            if (string.IsNullOrWhiteSpace(u.Id)) Err($"{p}.id", "单位缺少 id", "unit has no id");
            else if (!units.TryAdd(u.Id, i)) Err($"{p}.id", $"单位 id \"{u.Id}\" 重复", $"duplicate unit id \"{u.Id}\"");
        }
        if (a.Units.Count == 0 && !schemeOnly) Err("$.units", "没有被考核单位", "no units are defined");

        // Measures (version 2)
        var measures = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!v2 && (a.Measures.Count > 0 || a.Data.Count > 0))
            Err(a.Measures.Count > 0 ? "$.measures" : "$.data", "数据项和基础数据需要版本 2（\"kaohe\": 2）", "measures and data need version 2 (\"kaohe\": 2)");
        for (var i = 0; i < a.Measures.Count; i++)
        {
            var m = a.Measures[i];
            var p = $"$.measures[{i}].id";
            if (string.IsNullOrWhiteSpace(m.Id)) Err(p, "数据项缺少 id", "measure has no id");
            else if (!IsMeasureId(m.Id)) Err(p, $"数据项 id \"{m.Id}\" 须由字母、数字和下划线组成且不以数字开头", $"measure id \"{m.Id}\" must match [A-Za-z_][A-Za-z0-9_]*");
            else if (!measures.TryAdd(m.Id, i)) Err(p, $"数据项 id \"{m.Id}\" 重复", $"duplicate measure id \"{m.Id}\"");
        }
        var formulaLeaves = new List<FormulaValues.Source>();
        var usedMeasures = new HashSet<string>(StringComparer.Ordinal);

        // Indicators
        var leaves = new Dictionary<string, (Indicator Node, string Path)>(StringComparer.Ordinal);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (a.Indicators.Count == 0) Err("$.indicators", "没有考核指标", "no indicators are defined");
        for (var i = 0; i < a.Indicators.Count; i++)
            CheckNode(a.Indicators[i], $"$.indicators[{i}]");

        void CheckNode(Indicator n, string p)
        {
            if (string.IsNullOrWhiteSpace(n.Id)) Err($"{p}.id", "指标缺少 id", "indicator has no id");
            else if (!ids.Add(n.Id)) Err($"{p}.id", $"指标 id \"{n.Id}\" 重复", $"duplicate indicator id \"{n.Id}\"");
            if (!double.IsFinite(n.Points)) Err($"{p}.points", "分值不是有限数", "points is not a finite number");
            else if (Huge(n.Points)) Err($"{p}.points", TooLargeZh, TooLargeEn);
            else if (n.Points < 0) Err($"{p}.points", $"分值 {Fmt(n.Points)} 不能为负", $"points {Fmt(n.Points)} must not be negative");
            if (n.ValueDecimals is { } vd)
            {
                if (n.Formula is null || !n.IsLeaf) Err($"{p}.valueDecimals", "valueDecimals 只能用于公式指标", "valueDecimals is for formula leaves only");
                else if (vd is < 0 or > 10) Err($"{p}.valueDecimals", "valueDecimals 须为 0–10 的整数", "valueDecimals must be a whole number from 0 to 10");
            }
            if (n.IsLeaf)
            {
                if (n.Method is null) Err($"{p}.method", $"末级指标 \"{n.Id}\" 缺少计分方法", $"leaf \"{n.Id}\" has no method");
                else CheckMethod(n, n.Method, $"{p}.method");
                if (n.Formula is not null) CheckFormula(n, p);
                if (!string.IsNullOrWhiteSpace(n.Id)) leaves.TryAdd(n.Id, (n, p));
                return;
            }
            if (n.Formula is not null) Err($"{p}.formula", $"指标 \"{n.Id}\" 有下级指标，不能有公式", $"indicator \"{n.Id}\" has children and cannot have a formula");
            if (n.Method is not null)
                Err($"{p}.method", $"指标 \"{n.Id}\" 既有下级指标又有计分方法", $"indicator \"{n.Id}\" has both children and a method");
            var children = n.ChildList;
            for (var c = 0; c < children.Count; c++) CheckNode(children[c], $"{p}.children[{c}]");
            if (n.Combine == Combine.Sum)
            {
                var sum = children.Sum(c => c.Points);
                if (double.IsFinite(sum) && double.IsFinite(n.Points) && Math.Abs(sum - n.Points) > PointsTolerance * Math.Max(1, Math.Abs(n.Points)))
                    Err($"{p}.children", $"下级指标分值之和 {Fmt(sum)} 不等于 \"{n.Id}\" 的分值 {Fmt(n.Points)}",
                        $"children's points add up to {Fmt(sum)}, not to the {Fmt(n.Points)} points of \"{n.Id}\"");
            }
            else if (children.Any(c => c.Points <= 0))
                Err($"{p}.children", "几何加权的下级指标分值必须为正", "children of a geometric node must have positive points");
        }

        void CheckFormula(Indicator n, string p)
        {
            if (!v2) { Err($"{p}.formula", "公式需要版本 2（\"kaohe\": 2）", "formulas need version 2 (\"kaohe\": 2)"); return; }
            if (n.Method is { } m && Array.IndexOf(SingleValueKinds, m.Kind) < 0)
                Err($"{p}.formula", $"公式指标的计分方法须对单个数值计分（{string.Join("、", SingleValueKinds)}），不能是 {m.Kind}",
                    $"a formula leaf's method must score a single value ({string.Join(", ", SingleValueKinds)}), not {m.Kind}");
            else if (n.Method is RatioMethod { Target: null })
                Err($"{p}.method.target", "公式指标按 ratio 计分时须在方法中设定 target", "a formula leaf scored by ratio needs the method's target");
            var parsed = Formula.Parse(n.Formula!);
            if (parsed.Expression is null) { Err($"{p}.formula", parsed.Error!.Zh, parsed.Error.En); return; }
            var problems = Formula.Check(parsed.Expression, measures.ContainsKey);
            foreach (var problem in problems) Err($"{p}.formula", problem.Zh, problem.En);
            if (problems.Count > 0) return;
            foreach (var id in Formula.Measures(parsed.Expression)) usedMeasures.Add(id);
            if (n.ValueDecimals is < 0 or > 10) return; // reported above; it could not be rounded to
            formulaLeaves.Add(new FormulaValues.Source(n, p, parsed.Expression));
        }

        void CheckMethod(Indicator n, Method m, string p)
        {
            switch (m)
            {
                case EfficacyMethod e:
                    CheckBound(e.Satisfactory, $"{p}.satisfactory");
                    CheckBound(e.Unallowable, $"{p}.unallowable");
                    Finite(e.Base, $"{p}.base"); Finite(e.Span, $"{p}.span");
                    if (e.RatioDecimals is < 0 or > 15) Err($"{p}.ratioDecimals", "ratioDecimals 须在 0–15 之间", "ratioDecimals must lie in 0–15");
                    if (e.Satisfactory.Kind == BoundKind.Fixed && e.Unallowable.Kind == BoundKind.Fixed && double.IsFinite(e.Satisfactory.Fixed) && double.IsFinite(e.Unallowable.Fixed))
                    {
                        var wrongWay = e.Direction == Direction.Higher ? e.Satisfactory.Fixed < e.Unallowable.Fixed : e.Satisfactory.Fixed > e.Unallowable.Fixed;
                        if (wrongWay)
                            Err($"{p}.satisfactory", e.Direction == Direction.Higher ? "满意值应不小于不允许值（方向 higher）" : "满意值应不大于不允许值（方向 lower）",
                                e.Direction == Direction.Higher ? "satisfactory must not be below unallowable when direction is higher" : "satisfactory must not be above unallowable when direction is lower");
                    }
                    break;
                case BandedMethod b:
                    if (b.Levels.Count == 0) { Err($"{p}.levels", "至少需要一个标准值档次", "at least one level is required"); break; }
                    for (var i = 0; i < b.Levels.Count; i++)
                    {
                        Finite(b.Levels[i].Value, $"{p}.levels[{i}].value"); Finite(b.Levels[i].Coef, $"{p}.levels[{i}].coef");
                        if (i == 0) continue;
                        var prev = b.Levels[i - 1].Value; var cur = b.Levels[i].Value;
                        var ordered = b.Direction == Direction.Higher ? cur < prev : cur > prev;
                        if (!ordered)
                            Err($"{p}.levels[{i}].value", "标准值须从优到劣严格排列", "levels must run strictly from best to worst");
                    }
                    break;
                case RatioMethod r:
                    if (r.Target is { } mt) TargetOk(mt, $"{p}.target");
                    if (!double.IsFinite(r.Cap) || r.Cap <= 0) Err($"{p}.cap", "cap 须为正数", "cap must be a positive number");
                    break;
                case ThresholdMethod t:
                    Finite(t.Threshold, $"{p}.threshold"); NonNegative(t.StepBelow, $"{p}.stepBelow");
                    NonNegative(t.StepAbove, $"{p}.stepAbove"); NonNegative(t.MaxAbove, $"{p}.maxAbove");
                    break;
                case RelativeMethod rel:
                    if (!double.IsFinite(rel.Cap) || rel.Cap <= 0) Err($"{p}.cap", "cap 须为正数", "cap must be a positive number");
                    break;
                case RankMethod rk:
                    NonNegative(rk.Step, $"{p}.step");
                    break;
                case DeductionMethod d:
                    if (d.PerFinding is { } pf) NonNegative(pf, $"{p}.perFinding");
                    if (d.MaxDeduction is { } md) NonNegative(md, $"{p}.maxDeduction");
                    break;
                case RatersMethod rs:
                    if (rs.Raters.Count == 0) { Err($"{p}.raters", "至少需要一位评分人", "at least one rater is required"); break; }
                    var seen = new HashSet<string>(StringComparer.Ordinal);
                    var wsum = 0.0;
                    for (var i = 0; i < rs.Raters.Count; i++)
                    {
                        var r = rs.Raters[i];
                        if (string.IsNullOrWhiteSpace(r.Id)) Err($"{p}.raters[{i}].id", "评分人缺少 id", "rater has no id");
                        else if (!seen.Add(r.Id)) Err($"{p}.raters[{i}].id", $"评分人 \"{r.Id}\" 重复", $"duplicate rater \"{r.Id}\"");
                        if (!double.IsFinite(r.Weight) || r.Weight < 0) Err($"{p}.raters[{i}].weight", "权重须为非负有限数", "weight must be a non-negative finite number");
                        else if (Huge(r.Weight)) Err($"{p}.raters[{i}].weight", TooLargeZh, TooLargeEn);
                        else wsum += r.Weight;
                    }
                    if (!(wsum > 0)) Err($"{p}.raters", "评分人权重之和须为正数", "the raters' weights must add up to a positive number");
                    break;
                case SurveyMethod s:
                    if (s.Options.Count == 0) { Err($"{p}.options", "至少需要一个选项", "at least one option is required"); break; }
                    var opts = new HashSet<string>(StringComparer.Ordinal);
                    for (var i = 0; i < s.Options.Count; i++)
                    {
                        var o = s.Options[i];
                        if (string.IsNullOrWhiteSpace(o.Id)) Err($"{p}.options[{i}].id", "选项缺少 id", "option has no id");
                        else if (!opts.Add(o.Id)) Err($"{p}.options[{i}].id", $"选项 \"{o.Id}\" 重复", $"duplicate option \"{o.Id}\"");
                        if (o.Value is { } v) Finite(v, $"{p}.options[{i}].value");
                    }
                    if (s.Options.All(o => o.Value is null)) Err($"{p}.options", "至少需要一个计分选项", "at least one option must be counted");
                    break;
                case DirectMethod:
                    break;
            }
        }

        void CheckBound(Bound b, string p)
        {
            if (b.Kind != BoundKind.Fixed) return;
            Finite(b.Fixed, p);
            if (Tiny(b.Fixed)) Err(p, TinyZh, TinyEn);
        }
        void Finite(double v, string p)
        {
            if (!double.IsFinite(v)) Err(p, "不是有限数", "is not a finite number");
            else if (Huge(v)) Err(p, TooLargeZh, TooLargeEn);
        }
        void NonNegative(double v, string p)
        {
            if (!double.IsFinite(v)) Err(p, "不是有限数", "is not a finite number");
            else if (v < 0) Err(p, $"{Fmt(v)} 不能为负", $"{Fmt(v)} must not be negative");
            else if (Huge(v)) Err(p, TooLargeZh, TooLargeEn);
        }
        bool TargetOk(double t, string p)
        {
            if (!double.IsFinite(t)) { Err(p, "目标值不是有限数", "target is not a finite number"); return false; }
            if (t == 0) { Err(p, "目标值不能为 0", "target must not be 0"); return false; }
            if (Huge(t) || Math.Abs(t) < 1 / MaxMagnitude) { Err(p, "目标值超出允许范围", "target is out of range"); return false; }
            return true;
        }

        // Values. Each (unit, leaf, rater) has a slot in one flag array: a leaf has one slot per unit,
        // a rater leaf one per listed rater. Only a rater leaf's value without a listed rater falls back
        // to a set of keys. (National data has 228,000 values; hashing three strings a value was most of
        // the validation's time.)
        var leafSlots = new Dictionary<string, (Indicator Node, int Slot)>(leaves.Count, StringComparer.Ordinal);
        var slotsPerUnit = 0;
        foreach (var (leafId, (node, _)) in leaves)
        {
            leafSlots[leafId] = (node, slotsPerUnit);
            slotsPerUnit += node.Method is RatersMethod lrm ? lrm.Raters.Count : 1;
        }
        var seen = new bool[(long)a.Units.Count * slotsPerUnit];
        var seenOther = new HashSet<(string Unit, string Leaf, string? Rater)>();
        int SlotOf(int unitIndex, int leafSlot, Method? method, string? rater)
        {
            if (method is not RatersMethod rm) return unitIndex * slotsPerUnit + leafSlot;
            var r = RaterIndex(rm, rater);
            return r < 0 ? -1 : unitIndex * slotsPerUnit + leafSlot + r;
        }
        // Values read from a file come with their unit and indicator resolved (ValueTable): no string is
        // hashed per value then. The leaf of a node is looked up by the node's id, once per node.
        var table = a.Values as ValueTable;
        var unitDefined = table is null ? null : a.Units.Select(u => !string.IsNullOrWhiteSpace(u.Id)).ToArray();
        var leafOfNode = table?.Nodes.Select(n => leafSlots.TryGetValue(n.Id, out var l) ? l : ((Indicator Node, int Slot)?)null).ToArray();
        for (var i = 0; i < a.Values.Count; i++)
        {
            var v = table is null ? new Row(a.Values[i]) : new Row(table, i);
            bool unitOk;
            int unitIndex;
            if (table is null) unitOk = units.TryGetValue(v.Unit, out unitIndex);
            else unitOk = (unitIndex = table.Unit[i]) >= 0 && unitDefined![unitIndex]; // the first unit with the id, as in units
            if (!unitOk) Err($"{ValuePath(i)}.unit", $"单位 \"{v.Unit}\" 不存在", $"unit \"{v.Unit}\" is not defined");
            (Indicator Node, int Slot) leaf = (null!, 0);
            bool leafOk;
            if (table is null) leafOk = leafSlots.TryGetValue(v.Indicator, out leaf);
            else if (table.Node[i] >= 0 && leafOfNode![table.Node[i]] is { } found) { leaf = found; leafOk = true; }
            else leafOk = false;
            if (!leafOk)
            {
                if (table is null ? ids.Contains(v.Indicator) : table.Node[i] >= 0)
                    Err($"{ValuePath(i)}.indicator", $"指标 \"{v.Indicator}\" 不是末级指标，不能直接取值", $"indicator \"{v.Indicator}\" is not a leaf and takes no value");
                else Err($"{ValuePath(i)}.indicator", $"指标 \"{v.Indicator}\" 不存在", $"indicator \"{v.Indicator}\" is not defined");
                continue;
            }
            if (leaf.Node.Formula is not null)
            {
                Err($"{ValuePath(i)}.indicator", $"指标 \"{v.Indicator}\" 由公式计算，values 中不能有它的数据", $"indicator \"{v.Indicator}\" is computed by its formula: values must hold no entry for it");
                continue;
            }
            var m = leaf.Node.Method;
            // The rater's index among the leaf's raters: resolved by the reader already, unless an id is
            // given twice in the tree and the reader's node is not this leaf.
            var raterIndex = m is not RatersMethod rms ? -1
                : table is not null && ReferenceEquals(table.Nodes[table.Node[i]], leaf.Node) ? Math.Max(-1, (int)table.Rater[i])
                : RaterIndex(rms, v.Rater);
            if (m is RatersMethod)
            {
                if (v.Rater is null) { Err($"{ValuePath(i)}.rater", $"指标 \"{v.Indicator}\" 按评分人计分，须注明 rater", $"indicator \"{v.Indicator}\" is scored by raters: rater is required"); }
                else if (raterIndex < 0)
                    Err($"{ValuePath(i)}.rater", $"评分人 \"{v.Rater}\" 未在指标 \"{v.Indicator}\" 的评分人中列出", $"rater \"{v.Rater}\" is not listed for indicator \"{v.Indicator}\"");
            }
            else if (v.Rater is not null)
                Err($"{ValuePath(i)}.rater", $"指标 \"{v.Indicator}\" 不按评分人计分", $"indicator \"{v.Indicator}\" is not scored by raters");

            if (unitOk && (m is RatersMethod ? (raterIndex < 0 ? -1 : unitIndex * slotsPerUnit + leaf.Slot + raterIndex) : unitIndex * slotsPerUnit + leaf.Slot) is var slot
                && (slot >= 0 ? seen[slot] || !(seen[slot] = true) : !seenOther.Add((v.Unit, v.Indicator, v.Rater))))
                Err(ValuePath(i), $"单位 \"{v.Unit}\" 的指标 \"{v.Indicator}\"{(v.Rater is null ? "" : $"（评分人 \"{v.Rater}\"）")} 重复取值",
                    $"duplicate value for unit \"{v.Unit}\", indicator \"{v.Indicator}\"{(v.Rater is null ? "" : $", rater \"{v.Rater}\"")}");

            switch (m)
            {
                case SurveyMethod sm:
                    if (v.Counts is null) { Err($"{ValuePath(i)}.counts", "满意度指标须提供 counts", "a survey indicator needs counts"); break; }
                    var counted = 0.0;
                    var badCount = false;
                    foreach (var (opt, n) in v.Counts)
                    {
                        var o = sm.Options.FirstOrDefault(x => x.Id == opt);
                        if (o is null) { badCount = true; Err($"{ValuePath(i)}.counts.{opt}", $"选项 \"{opt}\" 不在问卷选项中", $"option \"{opt}\" is not an option of the survey"); }
                        else if (!double.IsFinite(n) || n < 0 || n != Math.Floor(n) || Huge(n)) { badCount = true; Err($"{ValuePath(i)}.counts.{opt}", "份数须为非负整数", "a count must be a non-negative whole number"); }
                        else if (o.Value is not null) counted += n;
                    }
                    if (!badCount && counted == 0)
                        Err($"{ValuePath(i)}.counts", "没有计分的有效问卷，无法计算满意度", "no counted responses: the satisfaction cannot be computed");
                    break;
                case DeductionMethod dm:
                    if (v.Findings is null) { Err($"{ValuePath(i)}.findings", "扣分制指标须提供 findings", "a deduction indicator needs findings"); break; }
                    if (v.Findings.Count is { } cnt)
                    {
                        if (cnt < 0) Err($"{ValuePath(i)}.findings", "问题数不能为负", "the number of findings must not be negative");
                        else if (cnt > 0 && dm.PerFinding is null) Err($"{ValuePath(i)}.findings", "问题只给出数量时，计分方法须设定 perFinding", "findings given as a count need perFinding in the method");
                    }
                    else if (v.Findings.Items is { } items)
                    {
                        for (var k = 0; k < items.Count; k++)
                        {
                            var f = items[k];
                            if (f.Points is { } fp)
                            {
                                if (!double.IsFinite(fp)) Err($"{ValuePath(i)}.findings[{k}].points", "不是有限数", "is not a finite number");
                                else if (fp < 0) Err($"{ValuePath(i)}.findings[{k}].points", "扣分不能为负", "a finding's points must not be negative");
                                else if (Huge(fp)) Err($"{ValuePath(i)}.findings[{k}].points", TooLargeZh, TooLargeEn);
                            }
                            else if (dm.PerFinding is null)
                                Err($"{ValuePath(i)}.findings[{k}].points", "问题未给出扣分，且计分方法未设定 perFinding", "the finding has no points and the method has no perFinding");
                        }
                    }
                    break;
                default:
                    if (v.Value is not { } x) { Err($"{ValuePath(i)}.value", $"指标 \"{v.Indicator}\" 须提供 value", $"indicator \"{v.Indicator}\" needs a value"); break; }
                    if (!double.IsFinite(x)) { Err($"{ValuePath(i)}.value", "不是有限数", "is not a finite number"); break; }
                    if (Huge(x)) { Err($"{ValuePath(i)}.value", TooLargeZh, TooLargeEn); break; }
                    if (m is EfficacyMethod && Tiny(x)) Err($"{ValuePath(i)}.value", TinyZh, TinyEn);
                    if (m is DirectMethod && (x < 0 || x > leaf.Node.Points))
                        Err($"{ValuePath(i)}.value", $"直接打分 {Fmt(x)} 超出 [0, {Fmt(leaf.Node.Points)}]", $"direct score {Fmt(x)} lies outside [0, {Fmt(leaf.Node.Points)}]");
                    if (m is RatersMethod && (x < 0 || x > 100))
                        Err($"{ValuePath(i)}.value", $"评分 {Fmt(x)} 超出 0–100", $"rating {Fmt(x)} lies outside 0–100");
                    if (m is RatioMethod rt)
                    {
                        if (v.Target is { } t) TargetOk(t, $"{ValuePath(i)}.target");
                        else if (rt.Target is null) Err($"{ValuePath(i)}.target", $"指标 \"{v.Indicator}\" 未设定目标值（方法或数据中均无 target）", $"indicator \"{v.Indicator}\" has no target, neither in the method nor in the value");
                    }
                    break;
            }
            if (m is not RatioMethod && v.Target is not null)
                Err($"{ValuePath(i)}.target", "只有 ratio 方法使用 target", "only the ratio method takes a target");
        }

        // Missing data: every unit needs data for every leaf (every listed rater for rater leaves).
        if (units.Count > 0 && leaves.Count > 0)
        {
            var indexOf = a.Units.Select(u => string.IsNullOrWhiteSpace(u.Id) ? -1 : units[u.Id]).ToArray();
            foreach (var (leafId, (node, leafSlot)) in leafSlots)
            {
                for (var ui = 0; ui < a.Units.Count; ui++)
                {
                    var u = a.Units[ui];
                    var unitIndex = indexOf[ui];
                    if (unitIndex < 0) continue;
                    if (node.Method is RatersMethod rm)
                    {
                        foreach (var r in rm.Raters)
                            if (!seen[SlotOf(unitIndex, leafSlot, rm, r.Id)])
                                errors.Add(new("$.values", $"缺少数据：单位 \"{u.Id}\" 的指标 \"{leafId}\" 没有评分人 \"{r.Id}\" 的评分",
                                    $"missing data: unit \"{u.Id}\" has no rating by \"{r.Id}\" for indicator \"{leafId}\"")
                                { Missing = new(u.Id, leafId, r.Id) });
                    }
                    else if (node.Method is not null && node.Formula is null && !seen[SlotOf(unitIndex, leafSlot, node.Method, null)])
                        errors.Add(new("$.values", $"缺少数据：单位 \"{u.Id}\" 没有指标 \"{leafId}\" 的数据", $"missing data: unit \"{u.Id}\" has no value for indicator \"{leafId}\"")
                        { Missing = new(u.Id, leafId) });
                }
            }
        }

        // Base data (version 2): one finite number per (unit, measure); complete for the measures formulas use.
        var dataErrors = errors.Count;
        var have = new bool[(long)a.Units.Count * a.Measures.Count];
        for (var i = 0; i < a.Data.Count; i++)
        {
            var d = a.Data[i];
            var unitOk = units.TryGetValue(d.Unit, out var unitIndex);
            var measureOk = measures.TryGetValue(d.Measure, out var measureIndex);
            if (!unitOk) Err($"$.data[{i}].unit", $"单位 \"{d.Unit}\" 不存在", $"unit \"{d.Unit}\" is not defined");
            if (!measureOk) Err($"$.data[{i}].measure", $"数据项 \"{d.Measure}\" 不存在", $"measure \"{d.Measure}\" is not defined");
            if (!double.IsFinite(d.Value)) Err($"$.data[{i}].value", "不是有限数", "is not a finite number");
            else if (Huge(d.Value)) Err($"$.data[{i}].value", TooLargeZh, TooLargeEn);
            if (!unitOk || !measureOk) continue;
            ref var slot = ref have[(long)unitIndex * a.Measures.Count + measureIndex];
            if (slot) Err($"$.data[{i}]", $"单位 \"{d.Unit}\" 的数据项 \"{d.Measure}\" 重复", $"duplicate data for unit \"{d.Unit}\", measure \"{d.Measure}\"");
            slot = true;
        }
        foreach (var id in usedMeasures)
        {
            var m = measures[id];
            foreach (var u in a.Units)
                if (units.TryGetValue(u.Id, out var unitIndex) && !have[(long)unitIndex * a.Measures.Count + m])
                    errors.Add(new("$.data", $"缺少数据：单位 \"{u.Id}\" 没有数据项 \"{id}\" 的值", $"missing data: unit \"{u.Id}\" has no value for measure \"{id}\"")
                    { Missing = new(u.Id, id, Measure: true) });
        }
        // The formulas that check out are evaluated for every unit when the units and the data they read are sound.
        if (formulaLeaves.Count > 0 && errors.Count == dataErrors && units.Count == a.Units.Count && measures.Count == a.Measures.Count && !schemeOnly)
            formulaValues = FormulaValues.Evaluate(a, new UnitLayout(a.Units), formulaLeaves, Err);

        // Adjustments and vetoes
        for (var i = 0; i < a.Adjustments.Count; i++)
        {
            var adj = a.Adjustments[i];
            if (!units.ContainsKey(adj.Unit)) Err($"$.adjustments[{i}].unit", $"单位 \"{adj.Unit}\" 不存在", $"unit \"{adj.Unit}\" is not defined");
            if (!double.IsFinite(adj.Points)) Err($"$.adjustments[{i}].points", "不是有限数", "is not a finite number");
            else if (Huge(adj.Points)) Err($"$.adjustments[{i}].points", TooLargeZh, TooLargeEn);
        }
        for (var i = 0; i < a.Vetoes.Count; i++)
            if (!units.ContainsKey(a.Vetoes[i].Unit))
                Err($"$.vetoes[{i}].unit", $"单位 \"{a.Vetoes[i].Unit}\" 不存在", $"unit \"{a.Vetoes[i].Unit}\" is not defined");

        // Rules
        var rules = a.Rules;
        if (rules.BonusCap is { } bc) NonNegative(bc, "$.rules.bonusCap");
        if (rules.DeductionCap is { } dc) NonNegative(dc, "$.rules.deductionCap");
        if (rules.RankDecimals is < 0 or > 10) Err("$.rules.rankDecimals", "rankDecimals 须在 0–10 之间", "rankDecimals must lie in 0–10");
        if (rules.Commend < 0) Err("$.rules.commend", "commend 不能为负", "commend must not be negative");
        if (rules.Criticize < 0) Err("$.rules.criticize", "criticize 不能为负", "criticize must not be negative");
        if (rules.Grades is { } grades)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            double? prev = null;
            for (var i = 0; i < grades.Count; i++)
            {
                var g = grades[i];
                if (string.IsNullOrWhiteSpace(g.Name)) Err($"$.rules.grades[{i}].name", "等次缺少名称", "grade has no name");
                else if (!names.Add(g.Name)) Err($"$.rules.grades[{i}].name", $"等次 \"{g.Name}\" 重复", $"duplicate grade \"{g.Name}\"");
                if (g.Min is { } min)
                {
                    if (!double.IsFinite(min)) Err($"$.rules.grades[{i}].min", "不是有限数", "is not a finite number");
                    else if (prev is { } pv && min >= pv)
                        Err($"$.rules.grades[{i}].min", "等次须按分数线从高到低排列", "grades must run from the highest minimum to the lowest");
                    else prev = min;
                    if (i > 0 && grades[i - 1].Min is null)
                        Err($"$.rules.grades[{i}]", "min 为 null 的等次须排在最后", "the grade with a null min must come last");
                }
            }
        }
        return errors;
    }

    private const string TooLargeZh = "数值超出允许范围（绝对值不超过 10^15）";
    private const string TooLargeEn = "the number is out of range (its magnitude must not exceed 10^15)";

    /// <summary>One entry of <c>values</c> as the checks read it, from a <see cref="DataValue"/> or from a row of a <see cref="ValueTable"/> (no allocation).</summary>
    private readonly struct Row
    {
        public readonly string Unit, Indicator;
        public readonly string? Rater;
        public readonly double? Value, Target;
        public readonly IReadOnlyDictionary<string, double>? Counts;
        public readonly Findings? Findings;

        public Row(DataValue v) => (Unit, Indicator, Rater, Value, Target, Counts, Findings) = (v.Unit, v.Indicator, v.Rater, v.Value, v.Target, v.Counts, v.Findings);

        public Row(ValueTable t, int i)
        {
            Unit = t.UnitId(i);
            Indicator = t.IndicatorId(i);
            Rater = t.RaterId(i);
            Value = double.IsNaN(t.Value[i]) ? null : t.Value[i];
            Target = double.IsNaN(t.Target[i]) ? null : t.Target[i];
            Counts = t.CountsAt(i);
            Findings = t.FindingsAt(i);
        }
    }

    /// <summary>The JSON path of a value, made only when there is an error to report (national data has 228,000 values).</summary>
    private static string ValuePath(int i) => $"$.values[{i}]";

    /// <summary>The index of the first listed rater with this id, or -1.</summary>
    private static int RaterIndex(RatersMethod m, string? rater)
    {
        for (var i = 0; i < m.Raters.Count; i++)
            if (m.Raters[i].Id == rater) return i;
        return -1;
    }

    internal static string Fmt(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
}
