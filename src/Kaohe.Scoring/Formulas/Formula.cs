using System.Globalization;
using System.Text;

namespace Kaohe.Scoring.Formulas;

/// <summary>A node of a parsed formula. <see cref="Start"/> is the 0-based offset of the node's first character in the formula text.</summary>
public abstract record FormulaExpr(int Start);

/// <summary>A number as written (<c>digits ["." digits]</c>); <see cref="Text"/> keeps the spelling.</summary>
public sealed record NumberExpr(double Value, string Text, int Start) : FormulaExpr(Start);

/// <summary>A measure's value for the unit being evaluated.</summary>
public sealed record MeasureExpr(string Id, int Start) : FormulaExpr(Start);

public sealed record NegateExpr(FormulaExpr Operand, int Start) : FormulaExpr(Start);

/// <summary><see cref="Op"/> is one of <c>+ - * /</c>; <see cref="Start"/> is where the left operand starts, <see cref="OpStart"/> the operator.</summary>
public sealed record BinaryExpr(char Op, FormulaExpr Left, FormulaExpr Right, int Start, int OpStart) : FormulaExpr(Start);

/// <summary>A function call; the arguments are checked by <see cref="Formula.Check"/>, not by the grammar.</summary>
public sealed record CallExpr(string Function, IReadOnlyList<FormulaExpr> Args, int Start) : FormulaExpr(Start);

/// <summary>A problem in a formula: <see cref="Position"/> is the 1-based character it is at.</summary>
public sealed record FormulaProblem(int Position, string Zh, string En);

/// <summary>The outcome of <see cref="Formula.Parse"/>: an expression, or the first syntax error.</summary>
public sealed record FormulaParseResult(FormulaExpr? Expression, FormulaProblem? Error)
{
    public bool IsValid => Expression is not null;
}

/// <summary>
/// The formulas of assessment file version 2 (scoring-format.md, "Formulas"): the grammar
/// <code>
/// expr    := term (("+" | "-") term)*
/// term    := unary (("*" | "/") unary)*
/// unary   := "-" unary | primary
/// primary := number | measure | function "(" expr ("," expr)* ")" | "(" expr ")"
/// number  := digits ["." digits]
/// </code>
/// and the functions <c>sum</c>, <c>groupSum</c>, <c>min</c>, <c>max</c>, <c>abs</c>, nothing else.
/// <see cref="Parse"/> checks the grammar, <see cref="Check"/> the names and arguments; the scheme
/// editor can call <see cref="Validate"/> as a formula is typed.
/// </summary>
public static class Formula
{
    /// <summary>Every function with its number of arguments; <c>sum</c> and <c>groupSum</c> are aggregates over units.</summary>
    public static IReadOnlyDictionary<string, (int Arguments, bool Aggregate)> Functions { get; } =
        new Dictionary<string, (int, bool)>(StringComparer.Ordinal)
        {
            ["sum"] = (1, true),
            ["groupSum"] = (1, true),
            ["min"] = (2, false),
            ["max"] = (2, false),
            ["abs"] = (1, false),
        };

    private static string FunctionList => string.Join(", ", Functions.Keys);

    public static FormulaParseResult Parse(string text) => FormulaParser.Parse(text);

    /// <summary>Parses and checks: every problem with its position (a syntax error stops at the first).</summary>
    public static IReadOnlyList<FormulaProblem> Validate(string text, IEnumerable<string> measureIds)
    {
        var parsed = Parse(text);
        if (parsed.Expression is null) return [parsed.Error!];
        var known = measureIds.ToHashSet(StringComparer.Ordinal);
        return Check(parsed.Expression, known.Contains);
    }

    /// <summary>Unknown measures and functions, wrong numbers of arguments, and an aggregate inside an aggregate.</summary>
    public static IReadOnlyList<FormulaProblem> Check(FormulaExpr expr, Func<string, bool> measureExists)
    {
        var problems = new List<FormulaProblem>();
        Walk(expr, null);
        return problems;

        void Walk(FormulaExpr e, string? insideAggregate)
        {
            switch (e)
            {
                case MeasureExpr m when !measureExists(m.Id):
                    problems.Add(new(m.Start + 1, $"第 {m.Start + 1} 个字符：数据项 \"{m.Id}\" 不存在",
                        $"character {m.Start + 1}: the measure \"{m.Id}\" is not defined"));
                    break;
                case NegateExpr n:
                    Walk(n.Operand, insideAggregate);
                    break;
                case BinaryExpr b:
                    Walk(b.Left, insideAggregate);
                    Walk(b.Right, insideAggregate);
                    break;
                case CallExpr c:
                {
                    var p = c.Start + 1;
                    if (!Functions.TryGetValue(c.Function, out var f))
                    {
                        problems.Add(new(p, $"第 {p} 个字符：未知函数 \"{c.Function}\"（可用 {FunctionList}）",
                            $"character {p}: unknown function \"{c.Function}\" (the functions are {FunctionList})"));
                        foreach (var a in c.Args) Walk(a, insideAggregate);
                        break;
                    }
                    if (c.Args.Count != f.Arguments)
                        problems.Add(new(p, $"第 {p} 个字符：函数 {c.Function} 需要 {f.Arguments} 个参数，实际为 {c.Args.Count} 个",
                            $"character {p}: {c.Function} takes {f.Arguments} argument{(f.Arguments == 1 ? "" : "s")}, not {c.Args.Count}"));
                    if (f.Aggregate && insideAggregate is not null)
                        problems.Add(new(p, $"第 {p} 个字符：{c.Function} 不能出现在 {insideAggregate} 的参数中",
                            $"character {p}: {c.Function} may not appear inside the argument of {insideAggregate}"));
                    foreach (var a in c.Args) Walk(a, f.Aggregate ? insideAggregate ?? c.Function : insideAggregate);
                    break;
                }
            }
        }
    }

    /// <summary>
    /// Whether a formula's value for a unit depends only on that unit's own figures (<c>inv / plan</c>): it has no
    /// <c>sum</c> or <c>groupSum</c>, the aggregates over units. Such a value may be shown to the unit as soon as it
    /// reports; one that depends on the region (<c>inv / sum(inv)</c>) tells it others' figures and waits for the review.
    /// </summary>
    public static bool DependsOnlyOnOwnFigures(FormulaExpr expr)
    {
        var own = true;
        Visit(expr, e => { if (e is CallExpr c && Functions.TryGetValue(c.Function, out var f) && f.Aggregate) own = false; });
        return own;
    }

    /// <summary>
    /// The value of a checked formula that <see cref="DependsOnlyOnOwnFigures"/>, for one unit from its own figures,
    /// computed as the engine computes it (the same compiled operations) and rounded to <paramref name="valueDecimals"/>;
    /// null when a figure it needs is missing, or it divides by zero or gives no finite number.
    /// </summary>
    public static double? ValueOf(FormulaExpr expr, IReadOnlyDictionary<string, double> figures, int? valueDecimals = null)
    {
        if (!DependsOnlyOnOwnFigures(expr)) throw new ArgumentException("the formula depends on other units' figures", nameof(expr));
        var measures = Measures(expr);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var columns = new double[measures.Count][];
        foreach (var m in measures)
        {
            if (!figures.TryGetValue(m, out var v)) return null;
            columns[index.Count] = [v];
            index[m] = index.Count;
        }
        var run = new FormulaProgram.Run(new UnitLayout([new Unit("", "")]), columns);
        var value = FormulaProgram.Compile(expr, index).Evaluate(run)[0];
        if (run.Problem[0] != 0 || !double.IsFinite(value)) return null;
        return valueDecimals is { } d ? Rounding.HalfAwayFromZero(value, d) : value;
    }

    /// <summary>The measures a formula names, each once, in order of first appearance.</summary>
    public static IReadOnlyList<string> Measures(FormulaExpr expr)
    {
        var list = new List<string>();
        Visit(expr, e => { if (e is MeasureExpr m && !list.Contains(m.Id)) list.Add(m.Id); });
        return list;
    }

    /// <summary>Calls <paramref name="visit"/> on every node, parents before children, left to right.</summary>
    public static void Visit(FormulaExpr expr, Action<FormulaExpr> visit)
    {
        visit(expr);
        switch (expr)
        {
            case NegateExpr n: Visit(n.Operand, visit); break;
            case BinaryExpr b: Visit(b.Left, visit); Visit(b.Right, visit); break;
            case CallExpr c: foreach (var a in c.Args) Visit(a, visit); break;
        }
    }

    /// <summary>
    /// The canonical text: single spaces around binary operators, parentheses only where the grammar
    /// needs them, numbers as written. Parsing the printed text gives the same tree.
    /// </summary>
    public static string Print(FormulaExpr expr) => Print(expr, static _ => null, display: false);

    /// <summary>
    /// Prints <paramref name="expr"/>; where <paramref name="substitute"/> returns text for a node
    /// (a measure's figure, an aggregate's total), that text stands in its place. With
    /// <paramref name="display"/> the operators are written × ÷ −, as in an explanation.
    /// </summary>
    public static string Print(FormulaExpr expr, Func<FormulaExpr, string?> substitute, bool display)
    {
        var sb = new StringBuilder();
        Write(expr, 0);
        return sb.ToString();

        void Write(FormulaExpr e, int minPrecedence)
        {
            if (substitute(e) is { } text)
            {
                // A substituted negative figure inside an operation reads better in parentheses.
                var wrap = text.StartsWith('-') && minPrecedence > 0;
                sb.Append(wrap ? "(" : "").Append(display && text.StartsWith('-') ? "−" + text[1..] : text).Append(wrap ? ")" : "");
                return;
            }
            var p = Precedence(e);
            var parens = p < minPrecedence;
            if (parens) sb.Append('(');
            switch (e)
            {
                case NumberExpr n: sb.Append(n.Text); break;
                case MeasureExpr m: sb.Append(m.Id); break;
                case NegateExpr n:
                    sb.Append(display ? "−" : "-");
                    Write(n.Operand, UnaryPrecedence);
                    break;
                case BinaryExpr b:
                    Write(b.Left, p);
                    sb.Append(' ').Append(display ? b.Op switch { '*' => '×', '/' => '÷', '-' => '−', _ => b.Op } : b.Op).Append(' ');
                    Write(b.Right, p + 1); // left-associative: a right operand of equal precedence needs parentheses
                    break;
                case CallExpr c:
                    sb.Append(c.Function).Append('(');
                    for (var i = 0; i < c.Args.Count; i++)
                    {
                        if (i > 0) sb.Append(", ");
                        Write(c.Args[i], 0);
                    }
                    sb.Append(')');
                    break;
            }
            if (parens) sb.Append(')');
        }
    }

    private const int UnaryPrecedence = 3;

    private static int Precedence(FormulaExpr e) => e switch
    {
        BinaryExpr { Op: '+' or '-' } => 1,
        BinaryExpr => 2,
        NegateExpr => UnaryPrecedence,
        _ => 4,
    };

    /// <summary>A number for a message or an explanation: shortest round-trip text, invariant culture.</summary>
    internal static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
