using System.Globalization;
using System.Text;
using Kaohe.Scoring.Formulas;

namespace Kaohe.Scoring.Tests.V2;

/// <summary>
/// Random formulas of the grammar, written as text (with random whitespace), from a seed; and a
/// plain reference evaluator that computes a formula for one unit at a time, as the spec reads.
/// </summary>
internal static class RandomFormulas
{
    /// <summary>A formula over <paramref name="measures"/>; aggregates never nest. Numbers are written as the grammar allows.</summary>
    public static string Text(Random r, IReadOnlyList<string> measures, int depth = 4, bool spaces = true)
    {
        var sb = new StringBuilder();
        Expr(depth, inAggregate: false);
        return sb.ToString();

        void Space() { if (spaces && r.Next(4) == 0) sb.Append(" \t\n"[r.Next(3)]); }

        void Expr(int d, bool inAggregate)
        {
            Space();
            var pick = d <= 0 ? r.Next(2) : r.Next(12);
            switch (pick)
            {
                case 0:
                    sb.Append(r.Next(4) switch
                    {
                        0 => r.Next(100).ToString(CultureInfo.InvariantCulture),
                        1 => $"{r.Next(1000)}.{r.Next(1000):000}",
                        2 => $"{r.Next(10)}.{r.Next(10)}",
                        _ => "1",
                    });
                    break;
                case 1:
                    sb.Append(measures[r.Next(measures.Count)]);
                    break;
                case 2:
                case 3:
                case 4:
                case 5:
                {
                    var parens = r.Next(3) == 0;
                    if (parens) sb.Append('(');
                    Expr(d - 1, inAggregate);
                    Space();
                    sb.Append("+-*/"[pick - 2]);
                    Expr(d - 1, inAggregate);
                    Space();
                    if (parens) sb.Append(')');
                    break;
                }
                case 6:
                    sb.Append('-');
                    Expr(d - 1, inAggregate);
                    break;
                case 7:
                case 8:
                    sb.Append(pick == 7 ? "min(" : "max(");
                    Expr(d - 1, inAggregate);
                    sb.Append(',');
                    Expr(d - 1, inAggregate);
                    sb.Append(')');
                    break;
                case 9:
                    sb.Append("abs(");
                    Expr(d - 1, inAggregate);
                    sb.Append(')');
                    break;
                default:
                    if (inAggregate) { sb.Append(measures[r.Next(measures.Count)]); break; }
                    sb.Append(pick == 10 ? "sum(" : "groupSum(");
                    Expr(d - 1, inAggregate: true);
                    sb.Append(')');
                    break;
            }
            Space();
        }
    }

    /// <summary>The tree's shape without positions, for comparing two parses.</summary>
    public static string Shape(FormulaExpr e) => e switch
    {
        NumberExpr n => n.Value.ToString("R", CultureInfo.InvariantCulture),
        MeasureExpr m => m.Id,
        NegateExpr n => $"neg({Shape(n.Operand)})",
        BinaryExpr b => $"{b.Op}({Shape(b.Left)},{Shape(b.Right)})",
        CallExpr c => $"{c.Function}({string.Join(",", c.Args.Select(Shape))})",
        _ => throw new NotSupportedException(),
    };

    /// <summary>
    /// The spec read literally, one unit at a time: <c>sum</c> over every unit and <c>groupSum</c> over
    /// the unit's group, each added in ordinal order of the unit ids. Returns null when the unit's
    /// evaluation divides by zero anywhere (also inside an aggregate's term of another unit).
    /// </summary>
    public static double? Evaluate(FormulaExpr e, string unit, IReadOnlyList<Unit> units, Func<string, string, double> figure)
    {
        var divided = false;
        var value = Eval(e, unit);
        return divided ? null : value;

        double Eval(FormulaExpr x, string u)
        {
            switch (x)
            {
                case NumberExpr n: return n.Value;
                case MeasureExpr m: return figure(u, m.Id);
                case NegateExpr n: return -Eval(n.Operand, u);
                case BinaryExpr b:
                {
                    var l = Eval(b.Left, u);
                    var r = Eval(b.Right, u);
                    if (b.Op == '/' && r == 0) { divided = true; return double.NaN; }
                    return b.Op switch { '+' => l + r, '-' => l - r, '*' => l * r, _ => l / r };
                }
                case CallExpr c:
                    switch (c.Function)
                    {
                        case "min": return Math.Min(Eval(c.Args[0], u), Eval(c.Args[1], u));
                        case "max": return Math.Max(Eval(c.Args[0], u), Eval(c.Args[1], u));
                        case "abs": return Math.Abs(Eval(c.Args[0], u));
                        default:
                        {
                            var group = units.First(v => v.Id == u).Group;
                            var total = 0.0;
                            foreach (var v in units.Where(v => c.Function == "sum" || v.Group == group).OrderBy(v => v.Id, StringComparer.Ordinal))
                                total += Eval(c.Args[0], v.Id);
                            return total;
                        }
                    }
                default: throw new NotSupportedException();
            }
        }
    }
}
