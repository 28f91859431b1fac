using System.Globalization;
using Kaohe.Scoring.Formulas;

namespace Kaohe.Scoring;

public sealed partial class CompiledAssessment
{
    private static string F(double v) => double.IsFinite(v)
        ? Rounding.HalfAwayFromZero(v, 4).ToString("0.####", CultureInfo.InvariantCulture)
        : v.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Explains one number: a node's score for a unit, or (node null) the unit's total, rank and grade.
    /// The explanation reflects the data as last computed.
    /// </summary>
    public Explanation Explain(string unitId, string? nodeId = null)
    {
        if (!_unitIndex.TryGetValue(unitId, out var u)) throw new KeyNotFoundException($"unit \"{unitId}\" is not defined");
        if (nodeId is null) return ExplainTotal(u);
        if (!_nodeIndex.TryGetValue(nodeId, out var k)) throw new KeyNotFoundException($"indicator \"{nodeId}\" is not defined");
        var node = _nodes[k];
        var score = ScoreAt(k, u);
        double? rating = node.Points > 0 ? 100 * score / node.Points : null;
        var children = _children[k].Select(c => new ExplanationChild(_nodeIds[c], _nodes[c].Name, _nodes[c].Points, ScoreAt(c, u),
            _nodes[c].Points > 0 ? 100 * ScoreAt(c, u) / _nodes[c].Points : null)).ToArray();
        if (node.Method is null)
        {
            var parts = string.Join(" + ", children.Select(c => F(c.Score)));
            return node.Combine == Combine.Sum
                ? new Explanation(unitId, nodeId, node.Name, "sum", node.Points, score, rating,
                    $"得分 = 下级指标得分之和 = {parts} = {F(score)}", $"score = sum of the children's scores = {parts} = {F(score)}", [], children)
                : new Explanation(unitId, nodeId, node.Name, "geometric", node.Points, score, rating,
                    $"得分率 = Π(下级得分率^分值)^(1/Σ分值) = {F(rating ?? 0)}；得分 = {F(node.Points)} × {F(rating ?? 0)} / 100 = {F(score)}",
                    $"rating = weighted geometric mean of the children's ratings (weights = points) = {F(rating ?? 0)}; score = {F(node.Points)} × {F(rating ?? 0)} / 100 = {F(score)}",
                    [], children);
        }
        var (zh, en, inputs) = ExplainLeaf(k, node, node.Method, u, score);
        FormulaExplanation? formula = null;
        if (node.Formula is not null)
        {
            var all = new List<ExplanationInput>(inputs);
            formula = ExplainFormula(_formulas!.Leaves[node.Id], u, all);
            inputs = all;
        }
        return new Explanation(unitId, nodeId, node.Name, node.Method.Kind, node.Points, score, rating, zh, en, inputs, []) { Formula = formula };
    }

    /// <summary>
    /// A formula leaf's value with the unit's figures put in: <c>1.3028 = 61230.4 ÷ 47000</c>, and each
    /// <c>sum</c> / <c>groupSum</c> with its total and how many units it covers. The measures and
    /// aggregates are added to <paramref name="inputs"/>.
    /// </summary>
    private FormulaExplanation ExplainFormula(FormulaValues.Leaf leaf, int u, List<ExplanationInput> inputs)
    {
        var formulas = _formulas!;
        var group = _unitGroup[u];
        var aggregates = new List<FormulaAggregate>();
        Formula.Visit(leaf.Expression, e =>
        {
            if (e is not CallExpr c || !leaf.Aggregates.TryGetValue(c, out var values)) return;
            var text = Formula.Print(c);
            if (aggregates.Any(a => a.Text == text)) return;
            var perGroup = c.Function == "groupSum";
            aggregates.Add(new FormulaAggregate(text, perGroup, values[u], perGroup ? _groupMembers[group].Length : _units.Length));
        });
        var substituted = Formula.Print(leaf.Expression, e => e switch
        {
            MeasureExpr m => F(formulas.Columns[formulas.MeasureIndex[m.Id]][u]),
            CallExpr c when leaf.Aggregates.TryGetValue(c, out var values) => F(values[u]),
            _ => null,
        }, display: true);
        var text = Formula.Print(leaf.Expression);
        var value = leaf.Value[u];
        var decimals = leaf.Node.ValueDecimals;

        foreach (var id in Formula.Measures(leaf.Expression))
        {
            var m = _source.Measures[formulas.MeasureIndex[id]];
            var unit = m.Unit.Length > 0 ? $"（{m.Unit}）" : "";
            var unitEn = m.Unit.Length > 0 ? $" ({m.Unit})" : "";
            inputs.Add(new ExplanationInput($"measure.{id}", $"{(m.Name.Length > 0 ? m.Name : id)}{unit}", $"measure {id}{unitEn}", formulas.Columns[formulas.MeasureIndex[id]][u]));
        }
        foreach (var a in aggregates)
            inputs.Add(a.PerGroup
                ? new ExplanationInput(a.Text, $"组内合计（{a.Units} 个单位）", $"group total ({a.Units} units)", a.Value, null,
                    string.Join(", ", _groupMembers[group].Select(p => _units[p].Id)))
                : new ExplanationInput(a.Text, $"全区合计（{a.Units} 个单位）", $"total of all units ({a.Units})", a.Value));
        inputs.Add(new ExplanationInput("formula", "公式值", "formula value", value, text));

        var round = decimals is { } d ? $"，保留 {d} 位小数" : "";
        var roundEn = decimals is { } d2 ? $", rounded to {d2} decimals" : "";
        var sums = string.Concat(aggregates.Select((a, i) => (i == 0 ? "；其中 " : "；") + (a.PerGroup
            ? $"{a.Text} = {F(a.Value)}，本组 {a.Units} 个单位合计"
            : $"{a.Text} = {F(a.Value)}，全区 {a.Units} 个单位合计")));
        var sumsEn = string.Concat(aggregates.Select(a => a.PerGroup
            ? $"; {a.Text} = {F(a.Value)}, the total of the {a.Units} units of the group"
            : $"; {a.Text} = {F(a.Value)}, the total of all {a.Units} units"));
        return new FormulaExplanation(text, value, leaf.Raw[u], decimals, substituted, aggregates,
            $"公式 {text}：{F(value)} = {substituted}{round}{sums}",
            $"formula {text}: {F(value)} = {substituted}{roundEn}{sumsEn}");
    }

    private string Holders(double[] x, int[] members, double v) =>
        string.Join(", ", members.Where(m => x[m] == v).Select(m => _units[m].Id));

    private (string Zh, string En, IReadOnlyList<ExplanationInput> Inputs) ExplainLeaf(int k, Indicator node, Method method, int u, double score)
    {
        var p = node.Points;
        var members = _groupMembers[_unitGroup[u]];
        var x = _value[k];
        var inputs = new List<ExplanationInput>();
        void In(string key, string zh, string en, double? v, string? text = null, string? heldBy = null) =>
            inputs.Add(new ExplanationInput(key, zh, en, v, text, heldBy));
        In("points", "分值", "points", p);
        switch (method)
        {
            case EfficacyMethod e:
            {
                var (best, worst, _, _) = BestWorst(x!, members, e.Direction);
                var s = Resolve(e.Satisfactory, best, worst);
                var un = Resolve(e.Unallowable, best, worst);
                Methods.Efficacy(e, p, x![u], s, un, out var d);
                In("value", "实际值", "actual value", x[u]);
                In("satisfactory", "满意值", "satisfactory value", s, e.Satisfactory.ToString(),
                    e.Satisfactory.Kind == BoundKind.Fixed ? null : Holders(x, members, s));
                In("unallowable", "不允许值", "unallowable value", un, e.Unallowable.ToString(),
                    e.Unallowable.Kind == BoundKind.Fixed ? null : Holders(x, members, un));
                In("base", "基础分", "base", e.Base);
                In("span", "调整分", "span", e.Span);
                In("rating", "功效系数得分", "efficacy rating", d);
                var clamp = e.Clamp == ClampMode.Range ? $"，限定在 [{F(e.Base)}, {F(e.Base + e.Span)}]" : "";
                var clampEn = e.Clamp == ClampMode.Range ? $", kept within [{F(e.Base)}, {F(e.Base + e.Span)}]" : "";
                var round = e.RatioDecimals is { } rd ? $"（比值四舍五入到 {rd} 位小数）" : "";
                var roundEn = e.RatioDecimals is { } rd2 ? $" (ratio rounded half away from zero to {rd2} decimals)" : "";
                return (s == un
                        ? $"功效系数法：满意值 = 不允许值 = {F(s)}，d = {F(e.Base)} + {F(e.Span)} = {F(d)}；得分 = {F(p)} × {F(d)} / 100 = {F(score)}"
                        : $"功效系数法：d = {F(e.Base)} + {F(e.Span)} × ({F(x[u])} − {F(un)}) / ({F(s)} − {F(un)}){round} = {F(d)}{clamp}；得分 = {F(p)} × {F(d)} / 100 = {F(score)}",
                    s == un
                        ? $"efficacy coefficient: satisfactory = unallowable = {F(s)}, d = {F(e.Base)} + {F(e.Span)} = {F(d)}; score = {F(p)} × {F(d)} / 100 = {F(score)}"
                        : $"efficacy coefficient: d = {F(e.Base)} + {F(e.Span)} × ({F(x[u])} − {F(un)}) / ({F(s)} − {F(un)}){roundEn} = {F(d)}{clampEn}; score = {F(p)} × {F(d)} / 100 = {F(score)}",
                    inputs);
            }
            case BandedMethod b:
            {
                In("value", "实际值", "actual value", x![u]);
                for (var i = 0; i < b.Levels.Count; i++)
                    In($"levels[{i}]", $"标准值档次 {i + 1}（系数 {F(b.Levels[i].Coef)}）", $"level {i + 1} (coefficient {F(b.Levels[i].Coef)})", b.Levels[i].Value);
                return ($"标准值档次功效系数法：实际值 {F(x[u])} 对照各档标准值，得分 = {F(score)}",
                        $"banded standard values: actual {F(x[u])} against the levels, score = {F(score)}", inputs);
            }
            case RatioMethod r:
            {
                var t = double.IsNaN(_target[k]![u]) ? r.Target!.Value : _target[k]![u];
                In("value", "完成值", "actual value", x![u]);
                In("target", "目标值", "target", t, double.IsNaN(_target[k]![u]) ? "方法 / method" : "单位 / unit");
                In("cap", "比值上限", "ratio cap", r.Cap);
                return ($"完成率法：得分 = {F(p)} × min(max({F(x[u])} / {F(t)}, 0), {F(r.Cap)}) = {F(score)}",
                        $"completion ratio: score = {F(p)} × clamp({F(x[u])} / {F(t)}, 0, {F(r.Cap)}) = {F(score)}", inputs);
            }
            case ThresholdMethod th:
                In("value", "实际值", "actual value", x![u]);
                In("threshold", "达标值", "threshold", th.Threshold);
                In("stepBelow", "每低 1 扣分", "points off per 1 below", th.StepBelow);
                In("stepAbove", "每高 1 加分", "points added per 1 above", th.StepAbove);
                In("maxAbove", "加分上限", "most points above", th.MaxAbove);
                return (x[u] >= th.Threshold
                        ? $"达标扣分法：{F(x[u])} ≥ {F(th.Threshold)}，得分 = {F(p)} + min({F(th.MaxAbove)}, {F(th.StepAbove)} × ({F(x[u])} − {F(th.Threshold)})) = {F(score)}"
                        : $"达标扣分法：{F(x[u])} < {F(th.Threshold)}，得分 = max(0, {F(p)} − {F(th.StepBelow)} × ({F(th.Threshold)} − {F(x[u])})) = {F(score)}",
                    x[u] >= th.Threshold
                        ? $"threshold: {F(x[u])} ≥ {F(th.Threshold)}, score = {F(p)} + min({F(th.MaxAbove)}, {F(th.StepAbove)} × ({F(x[u])} − {F(th.Threshold)})) = {F(score)}"
                        : $"threshold: {F(x[u])} < {F(th.Threshold)}, score = max(0, {F(p)} − {F(th.StepBelow)} × ({F(th.Threshold)} − {F(x[u])})) = {F(score)}",
                    inputs);
            case RelativeMethod rel:
            {
                var mean = Mean(x!, members);
                In("value", "实际值", "actual value", x![u]);
                In("mean", "组内平均值", "group mean", mean, null, string.Join(", ", members.Select(m => _units[m].Id)));
                In("cap", "上限倍数", "cap", rel.Cap);
                return ($"以平均值为基准：得分 = {F(p)} × min(max({F(x[u])} / {F(mean)}, 0), {F(rel.Cap)}) = {F(score)}",
                        $"relative to the group mean: score = {F(p)} × clamp({F(x[u])} / {F(mean)}, 0, {F(rel.Cap)}) = {F(score)}", inputs);
            }
            case RankMethod rk:
            {
                var r = RankOf(x!, members, u, rk.Direction);
                In("value", "实际值", "actual value", x![u]);
                In("rank", "组内名次", "rank in group", r, $"{r}/{members.Length}");
                In("step", "每降一位扣减百分比", "percent lost per place", rk.Step);
                return ($"争先进位：第 {r} 名，得分 = {F(p)} × max(0, 100 − {F(rk.Step)} × ({r} − 1)) / 100 = {F(score)}",
                        $"rank: place {r}, score = {F(p)} × max(0, 100 − {F(rk.Step)} × ({r} − 1)) / 100 = {F(score)}", inputs);
            }
            case DeductionMethod d:
            {
                var total = _findings[k]![u];
                var max = d.MaxDeduction ?? p;
                var vi = _dataIndex[k]![u];
                var f = vi >= 0 ? _source.Values[vi].Findings : null;
                if (f?.Count is { } c)
                    In("findings", "问题数", "findings", c, $"{c} × {F(d.PerFinding ?? 0)}");
                else if (f?.Items is { } items)
                    for (var i = 0; i < items.Count; i++)
                        In($"findings[{i}]", "问题", "finding", items[i].Points ?? d.PerFinding, items[i].Note);
                In("deducted", "扣分合计", "total deducted", total);
                In("maxDeduction", "扣分上限", "most deducted", max);
                return ($"扣分制：得分 = max(0, {F(p)} − min({F(max)}, {F(total)})) = {F(score)}",
                        $"deduction: score = max(0, {F(p)} − min({F(max)}, {F(total)})) = {F(score)}", inputs);
            }
            case RatersMethod rs:
            {
                var rows = _raterValue[k];
                for (var r = 0; r < rs.Raters.Count; r++)
                    In($"raters.{rs.Raters[r].Id}", $"评分人 {rs.Raters[r].Id}（权重 {F(rs.Raters[r].Weight)}）",
                        $"rater {rs.Raters[r].Id} (weight {F(rs.Raters[r].Weight)})", rows[r]![u]);
                var terms = string.Join(" + ", rs.Raters.Select((r, i) => $"{F(r.Weight)} × {F(rows[i]![u])}"));
                var wsum = rs.Raters.Sum(r => r.Weight);
                return ($"多方评分加权：得分 = {F(p)} × ({terms}) / {F(wsum)} / 100 = {F(score)}",
                        $"weighted raters: score = {F(p)} × ({terms}) / {F(wsum)} / 100 = {F(score)}", inputs);
            }
            case SurveyMethod sm:
            {
                var vi = _dataIndex[k]![u];
                var counts = vi >= 0 ? _source.Values[vi].Counts : null;
                foreach (var o in sm.Options)
                {
                    var c = counts is not null && counts.TryGetValue(o.Id, out var cc) ? cc : 0;
                    In($"counts.{o.Id}", $"{o.Id}（{(o.Value is { } ov ? F(ov) + " 分" : "不计分")}）",
                        $"{o.Id} ({(o.Value is { } ov2 ? F(ov2) + " points" : "not counted")})", c);
                }
                var sum = _surveySum[k]![u];
                var counted = _surveyCounted[k]![u];
                In("satisfaction", "满意度", "satisfaction", sum / counted);
                return ($"满意度：{F(sum)} / {F(counted)} 份 = {F(sum / counted)}；得分 = {F(p)} × {F(sum / counted)} / 100 = {F(score)}",
                        $"satisfaction: {F(sum)} / {F(counted)} responses = {F(sum / counted)}; score = {F(p)} × {F(sum / counted)} / 100 = {F(score)}", inputs);
            }
            case DirectMethod:
                In("value", "直接打分", "direct score", x![u]);
                return ($"直接打分：得分 = {F(score)}", $"direct score: {F(score)}", inputs);
            default:
                throw new NotSupportedException(method.Kind);
        }
    }

    private Explanation ExplainTotal(int u)
    {
        var rules = _source.Rules;
        var unit = _units[u];
        var inputs = new List<ExplanationInput>();
        foreach (var adj in _source.Adjustments.Where(a => a.Unit == unit.Id))
            inputs.Add(new ExplanationInput("adjustment", adj.Points >= 0 ? "加分" : "扣分", adj.Points >= 0 ? "bonus" : "deduction", adj.Points, adj.Reason));
        if (rules.BonusCap is { } bc) inputs.Add(new("bonusCap", "加分上限", "bonus cap", bc));
        if (rules.DeductionCap is { } dc) inputs.Add(new("deductionCap", "扣分上限", "deduction cap", dc));
        inputs.Add(new("adjustment.capped", "加扣分（封顶后）", "adjustment after caps", _adjustment[u]));
        foreach (var veto in _source.Vetoes.Where(v => v.Unit == unit.Id))
            inputs.Add(new("veto", "一票否决", "veto", null, veto.Reason));
        var members = _groupMembers[_unitGroup[u]];
        inputs.Add(new("rank", "组内名次", "rank in group", RankAt(u), $"{RankAt(u)}/{members.Length}"));
        var grade = GradeOf(u, RoundedAt(u), rules);
        if (grade is not null) inputs.Add(new("grade", "等次", "grade", null, grade));
        var children = _roots.Select(r => new ExplanationChild(_nodeIds[r], _nodes[r].Name, _nodes[r].Points, ScoreAt(r, u),
            _nodes[r].Points > 0 ? 100 * ScoreAt(r, u) / _nodes[r].Points : null)).ToArray();
        var parts = string.Join(" + ", children.Select(c => F(c.Score)));
        var adjText = _adjustment[u] == 0 ? "" : $" {(_adjustment[u] > 0 ? "+" : "−")} {F(Math.Abs(_adjustment[u]))}";
        var vetoZh = _vetoed[u] ? "；一票否决：等次定为最低等次，不得通报表扬" : "";
        var vetoEn = _vetoed[u] ? "; vetoed: lowest grade, never commended" : "";
        var points = _roots.Sum(r => _nodes[r].Points);
        return new Explanation(unit.Id, null, unit.Name, "total", points, TotalAt(u), null,
            $"总分 = {parts}{adjText} = {F(TotalAt(u))}；按 {rules.RankDecimals} 位小数排名第 {RankAt(u)} 名{(grade is null ? "" : $"，等次 {grade}")}{vetoZh}",
            $"total = {parts}{adjText} = {F(TotalAt(u))}; ranked {RankAt(u)} on {rules.RankDecimals} decimals{(grade is null ? "" : $", grade {grade}")}{vetoEn}",
            inputs, children);
    }
}
