namespace Kaohe.Scoring.Formulas;

/// <summary>
/// The formula leaves of an assessment, evaluated for every unit (by position, see <see cref="UnitLayout"/>):
/// the raw value, the value scored (after <c>valueDecimals</c>), and each aggregate as the unit saw it.
/// </summary>
internal sealed class FormulaValues
{
    public sealed class Leaf(Indicator node, string path, FormulaExpr expression, double[] raw, double[] value, Dictionary<CallExpr, double[]> aggregates)
    {
        public Indicator Node { get; } = node;
        public string Path { get; } = path;
        public FormulaExpr Expression { get; } = expression;
        public double[] Raw { get; } = raw;
        public double[] Value { get; } = value;
        public Dictionary<CallExpr, double[]> Aggregates { get; } = aggregates;
    }

    private FormulaValues(UnitLayout layout, Dictionary<string, int> measureIndex, double[][] columns, Dictionary<string, Leaf> leaves)
    {
        Layout = layout;
        MeasureIndex = measureIndex;
        Columns = columns;
        Leaves = leaves;
    }

    public UnitLayout Layout { get; }
    public Dictionary<string, int> MeasureIndex { get; }

    /// <summary>[measure][position]; NaN where a unit has no figure (allowed for a measure no formula uses).</summary>
    public double[][] Columns { get; }

    public Dictionary<string, Leaf> Leaves { get; }

    /// <summary>A formula leaf, where it is in the file, and its checked expression.</summary>
    public readonly record struct Source(Indicator Node, string Path, FormulaExpr Expression);

    /// <summary>
    /// Evaluates checked formulas over complete data. Reports, in the order of the units, every unit
    /// whose value cannot be scored: a division by zero, a non-finite or out-of-range result, a direct
    /// score outside [0, points]. A unit whose value is only unusable because an aggregate it reads
    /// has another unit's bad term is not reported again.
    /// </summary>
    public static FormulaValues Evaluate(Assessment a, UnitLayout layout, IEnumerable<Source> sources, Action<string, string, string>? err)
    {
        var measureIndex = new Dictionary<string, int>(a.Measures.Count, StringComparer.Ordinal);
        for (var m = 0; m < a.Measures.Count; m++) measureIndex.TryAdd(a.Measures[m].Id, m);
        var n = layout.Count;
        var columns = new double[a.Measures.Count][];
        for (var m = 0; m < columns.Length; m++)
        {
            columns[m] = new double[n];
            Array.Fill(columns[m], double.NaN);
        }
        foreach (var d in a.Data) columns[measureIndex[d.Measure]][layout.Index[d.Unit]] = d.Value;

        var leaves = new Dictionary<string, Leaf>(StringComparer.Ordinal);
        foreach (var (node, path, expr) in sources)
        {
            var run = new FormulaProgram.Run(layout, columns);
            var raw = FormulaProgram.Compile(expr, measureIndex).Evaluate(run);
            if (expr is MeasureExpr) raw = (double[])raw.Clone(); // the program returns a bare measure's own column
            var value = raw;
            if (node.ValueDecimals is { } decimals)
            {
                value = new double[n];
                for (var p = 0; p < n; p++) value[p] = Rounding.HalfAwayFromZero(raw[p], decimals);
            }
            leaves[node.Id] = new Leaf(node, path, expr, raw, value, run.Aggregates);
            if (err is not null) Report(node, $"{path}.formula", Formula.Print(expr), layout, run, value, err);
        }
        return new FormulaValues(layout, measureIndex, columns, leaves);
    }

    private static void Report(Indicator node, string path, string formula, UnitLayout layout, FormulaProgram.Run run, double[] value, Action<string, string, string> err)
    {
        var direct = node.Method is DirectMethod;
        for (var i = 0; i < layout.Count; i++)
        {
            var p = layout.PositionOfInput[i];
            var u = layout.Units[p].Id;
            var v = value[p];
            if (run.Problem[p] == FormulaProgram.Run.DividedByZero)
                err(path, $"单位 \"{u}\" 的公式 {formula} 除数为 0", $"division by zero for unit \"{u}\" in {formula}");
            else if (run.Problem[p] == FormulaProgram.Run.NotFinite)
                err(path, $"单位 \"{u}\" 的公式 {formula} 的计算结果不是有限数", $"the formula {formula} gives no finite number for unit \"{u}\"");
            else if (!double.IsFinite(v))
            {
                if (!run.Poisoned)
                    err(path, $"单位 \"{u}\" 的公式 {formula} 的计算结果不是有限数", $"the formula {formula} gives no finite number for unit \"{u}\"");
            }
            else if (Math.Abs(v) > Validator.MaxMagnitude)
                err(path, $"单位 \"{u}\" 的公式 {formula} 的结果 {Formula.Num(v)} 超出允许范围（绝对值不超过 10^15）",
                    $"the formula {formula} gives {Formula.Num(v)} for unit \"{u}\", out of range (its magnitude must not exceed 10^15)");
            else if (node.Method is EfficacyMethod && Validator.Tiny(v))
                err(path, $"单位 \"{u}\" 的公式 {formula} 的结果 {Formula.Num(v)}：{Validator.TinyZh}", $"the formula {formula} gives {Formula.Num(v)} for unit \"{u}\": {Validator.TinyEn}");
            else if (direct && (v < 0 || v > node.Points))
                err(path, $"单位 \"{u}\" 的公式 {formula} 的结果 {Validator.Fmt(v)} 作为直接打分超出 [0, {Validator.Fmt(node.Points)}]",
                    $"the formula {formula} gives {Validator.Fmt(v)} for unit \"{u}\", a direct score outside [0, {Validator.Fmt(node.Points)}]");
        }
    }

    /// <summary>Every formula leaf of a tree with its path, parsed (for an assessment already validated).</summary>
    public static IEnumerable<Source> SourcesOf(IReadOnlyList<Indicator> roots)
    {
        var list = new List<Source>();
        for (var i = 0; i < roots.Count; i++) Walk(roots[i], $"$.indicators[{i}]");
        return list;

        void Walk(Indicator n, string path)
        {
            if (n.IsLeaf)
            {
                if (n.Formula is { } f)
                    list.Add(new Source(n, path, Formula.Parse(f).Expression ?? throw new InvalidOperationException($"formula of {n.Id} does not parse")));
                return;
            }
            for (var c = 0; c < n.ChildList.Count; c++) Walk(n.ChildList[c], $"{path}.children[{c}]");
        }
    }
}
