namespace Kaohe.Scoring.Formulas;

/// <summary>
/// A formula compiled once into operations on columns: each node computes its value for every unit
/// in one loop over arrays indexed by position (<see cref="UnitLayout"/>), and an aggregate
/// (<c>sum</c>, <c>groupSum</c>) is added up once per formula (per group) and spread to its units.
/// There is no interpreter call per unit.
/// </summary>
internal sealed class FormulaProgram
{
    private readonly Node _root;

    private FormulaProgram(Node root) => _root = root;

    /// <summary>Compiles a checked expression (see <see cref="Formula.Check"/>); <paramref name="measureIndex"/> maps a measure id to its column.</summary>
    public static FormulaProgram Compile(FormulaExpr expr, IReadOnlyDictionary<string, int> measureIndex)
    {
        return new FormulaProgram(Build(expr));

        Node Build(FormulaExpr e) => e switch
        {
            NumberExpr n => new Constant(n.Value),
            MeasureExpr m => new Column(measureIndex[m.Id]),
            NegateExpr n => new Unary(Build(n.Operand), negate: true),
            BinaryExpr { Op: '/' } b => new Division(Build(b.Left), Build(b.Right)),
            BinaryExpr b => new Binary(Build(b.Left), Build(b.Right), b.Op switch { '+' => Op.Add, '-' => Op.Subtract, _ => Op.Multiply }),
            CallExpr { Function: "sum" } c => new Total(c, Build(c.Args[0]), perGroup: false),
            CallExpr { Function: "groupSum" } c => new Total(c, Build(c.Args[0]), perGroup: true),
            CallExpr { Function: "min" } c => new Binary(Build(c.Args[0]), Build(c.Args[1]), Op.Min),
            CallExpr { Function: "max" } c => new Binary(Build(c.Args[0]), Build(c.Args[1]), Op.Max),
            CallExpr { Function: "abs" } c => new Unary(Build(c.Args[0]), negate: false),
            _ => throw new InvalidOperationException($"formula node {e} was not checked"),
        };
    }

    /// <summary>Evaluates the formula for every unit. Division by zero and non-finite terms are flagged per unit in <paramref name="run"/>.</summary>
    public double[] Evaluate(Run run) => _root.Eval(run);

    /// <summary>One evaluation: the units, the measure columns, and what went wrong for which unit.</summary>
    internal sealed class Run(UnitLayout layout, double[][] columns)
    {
        public const byte DividedByZero = 1;
        public const byte NotFinite = 2;

        public UnitLayout Layout { get; } = layout;
        public double[][] Columns { get; } = columns;

        /// <summary>Per position: the first problem met in the unit's own terms.</summary>
        public byte[] Problem { get; } = new byte[layout.Count];

        /// <summary>An aggregate had a bad term, so every unit it covers has a non-finite value that is not its own fault.</summary>
        public bool Poisoned { get; set; }

        /// <summary>Each aggregate's value as seen by each unit (the total, or the unit's group's total), for explanations.</summary>
        public Dictionary<CallExpr, double[]> Aggregates { get; } = new(ReferenceEqualityComparer.Instance);
    }

    private abstract class Node
    {
        public abstract double[] Eval(Run run);
    }

    private sealed class Constant(double value) : Node
    {
        public override double[] Eval(Run run)
        {
            var r = new double[run.Layout.Count];
            Array.Fill(r, value);
            return r;
        }
    }

    /// <summary>A measure's column itself: operations never write into their operands.</summary>
    private sealed class Column(int index) : Node
    {
        public override double[] Eval(Run run) => run.Columns[index];
    }

    private enum Op { Add, Subtract, Multiply, Min, Max }

    /// <summary>−x or |x|, one loop over the column.</summary>
    private sealed class Unary(Node operand, bool negate) : Node
    {
        public override double[] Eval(Run run)
        {
            var x = operand.Eval(run);
            var r = new double[x.Length];
            if (negate) for (var i = 0; i < r.Length; i++) r[i] = -x[i];
            else for (var i = 0; i < r.Length; i++) r[i] = Math.Abs(x[i]);
            return r;
        }
    }

    /// <summary>An operation on two columns: the operation is chosen once, then one plain loop.</summary>
    private sealed class Binary(Node left, Node right, Op op) : Node
    {
        public override double[] Eval(Run run)
        {
            var x = left.Eval(run);
            var y = right.Eval(run);
            var r = new double[x.Length];
            switch (op)
            {
                case Op.Add: for (var i = 0; i < r.Length; i++) r[i] = x[i] + y[i]; break;
                case Op.Subtract: for (var i = 0; i < r.Length; i++) r[i] = x[i] - y[i]; break;
                case Op.Multiply: for (var i = 0; i < r.Length; i++) r[i] = x[i] * y[i]; break;
                case Op.Min: for (var i = 0; i < r.Length; i++) r[i] = Math.Min(x[i], y[i]); break;
                case Op.Max: for (var i = 0; i < r.Length; i++) r[i] = Math.Max(x[i], y[i]); break;
            }
            return r;
        }
    }

    private sealed class Division(Node left, Node right) : Node
    {
        public override double[] Eval(Run run)
        {
            var x = left.Eval(run);
            var y = right.Eval(run);
            var r = new double[x.Length];
            for (var i = 0; i < r.Length; i++)
            {
                if (y[i] == 0)
                {
                    if (run.Problem[i] == 0) run.Problem[i] = Run.DividedByZero;
                    r[i] = double.NaN;
                }
                else r[i] = x[i] / y[i];
            }
            return r;
        }
    }

    /// <summary>
    /// <c>sum</c> over every unit, in ordinal order of the ids, or <c>groupSum</c> over each group's
    /// contiguous positions. A non-finite term is its unit's problem and makes the total unusable.
    /// </summary>
    private sealed class Total(CallExpr call, Node term, bool perGroup) : Node
    {
        public override double[] Eval(Run run)
        {
            var x = term.Eval(run);
            var layout = run.Layout;
            var r = new double[x.Length];
            for (var i = 0; i < x.Length; i++)
            {
                if (double.IsFinite(x[i])) continue;
                if (run.Problem[i] == 0) run.Problem[i] = Run.NotFinite;
                run.Poisoned = true;
            }
            if (perGroup)
            {
                for (var g = 0; g < layout.GroupStart.Length; g++)
                {
                    var span = r.AsSpan(layout.GroupStart[g], layout.GroupMembers[g].Length);
                    var total = 0.0;
                    foreach (var v in x.AsSpan(layout.GroupStart[g], span.Length)) total += v;
                    span.Fill(total);
                }
            }
            else
            {
                var total = 0.0;
                foreach (var p in layout.Ordinal) total += x[p];
                Array.Fill(r, total);
            }
            run.Aggregates[call] = r;
            return r;
        }
    }
}
