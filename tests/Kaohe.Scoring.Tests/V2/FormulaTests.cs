using CsCheck;
using Kaohe.Scoring.Formulas;
using Kaohe.Scoring.Tests.Fuzz;
using Kaohe.Scoring.Tests.Support;

namespace Kaohe.Scoring.Tests.V2;

/// <summary>The formula grammar of scoring-format.md: what parses, where an error is, and the columnar evaluation against the spec read one unit at a time.</summary>
public class FormulaTests
{
    private static readonly string[] Measures = ["inv", "plan", "inv_ly", "_x9"];

    [Theory]
    [InlineData("inv / plan", "/(inv,plan)")]
    [InlineData("1 + 2 * 3", "+(1,*(2,3))")]
    [InlineData("8 - 4 - 2", "-(-(8,4),2)")]
    [InlineData("8 / 4 / 2", "/(/(8,4),2)")]
    [InlineData("-a * -b", "*(neg(a),neg(b))")]
    [InlineData("--a", "neg(neg(a))")]
    [InlineData("-(a - b)", "neg(-(a,b))")]
    [InlineData(" ( inv-inv_ly )/( sum( inv )-sum(inv_ly) ) ", "/(-(inv,inv_ly),-(sum(inv),sum(inv_ly)))")]
    [InlineData("min(started / due, 1)", "min(/(started,due),1)")]
    [InlineData("abs(a)\n*\t2.50", "*(abs(a),2.5)")]
    [InlineData("007.10", "7.1")]
    public void Well_formed_formulas_parse_with_the_usual_precedence(string text, string shape)
    {
        var parsed = Formula.Parse(text);
        Assert.True(parsed.IsValid, parsed.Error?.En);
        Assert.Equal(shape, RandomFormulas.Shape(parsed.Expression!));
    }

    [Theory]
    [InlineData("inv / / plan", 7)]
    [InlineData("inv /", 6)]
    [InlineData("(inv", 5)]
    [InlineData("inv)", 4)]
    [InlineData("1.", 3)]
    [InlineData("1.x", 3)]
    [InlineData(".5", 1)]
    [InlineData("1e5", 1)]
    [InlineData("2abc", 1)]
    [InlineData("a % b", 3)]
    [InlineData("a ^ 2", 3)]
    [InlineData("a b", 3)]
    [InlineData("sum()", 5)]
    [InlineData("min(a,)", 7)]
    [InlineData("投资 / plan", 1)]
    [InlineData("a = b", 3)]
    [InlineData("", 1)]
    [InlineData("   ", 1)]
    [InlineData("f(a)(b)", 5)]
    [InlineData("+a", 1)]
    public void Anything_else_is_refused_with_the_position_of_the_error(string text, int position)
    {
        var parsed = Formula.Parse(text);
        Assert.False(parsed.IsValid);
        Assert.Equal(position, parsed.Error!.Position);
        Assert.Contains(parsed.Error.Zh, c => c >= '\u4e00' && c <= '\u9fff');
        Assert.Matches("[a-z]{3,}", parsed.Error.En);
        if (text.Trim().Length > 0) Assert.Contains($"character {position}", parsed.Error.En);
    }

    [Theory]
    [InlineData("pow(a, 2)", "unknown function \"pow\"", 1)]
    [InlineData("Sum(a)", "unknown function \"Sum\"", 1)]
    [InlineData("a + sum(a, b)", "sum takes 1 argument, not 2", 5)]
    [InlineData("max(a)", "max takes 2 arguments, not 1", 1)]
    [InlineData("abs(a, b)", "abs takes 1 argument, not 2", 1)]
    [InlineData("sum(a / groupSum(a))", "groupSum may not appear inside the argument of sum", 9)]
    [InlineData("groupSum(max(a, sum(b)))", "sum may not appear inside the argument of groupSum", 17)]
    [InlineData("a / zz", "the measure \"zz\" is not defined", 5)]
    public void Names_and_arguments_are_checked_with_their_position(string text, string en, int position)
    {
        var problems = Formula.Validate(text, ["a", "b"]);
        var p = Assert.Single(problems);
        Assert.Contains(en, p.En);
        Assert.Equal(position, p.Position);
    }

    [Fact]
    public void Nesting_deeper_than_64_levels_is_refused_where_it_happens()
    {
        Assert.True(Formula.Parse(new string('(', 64) + "a" + new string(')', 64)).IsValid);
        Assert.Equal(65, Formula.Parse(new string('(', 65) + "a" + new string(')', 65)).Error!.Position);
        Assert.True(Formula.Parse("a * " + new string('-', 64) + "a").IsValid);
        Assert.Equal(4 + 65, Formula.Parse("a * " + new string('-', 65) + "a").Error!.Position);
    }

    [Fact]
    public void A_formula_longer_than_1000_characters_is_refused()
    {
        var text = string.Join(" + ", Enumerable.Repeat("inv", 300));
        Assert.Equal(1001, Formula.Parse(text).Error!.Position);
        Assert.True(Formula.Parse(text[..999]).IsValid);
    }

    [Fact]
    public void Parse_print_parse_gives_the_same_tree_and_the_same_text()
    {
        Gen.Int[0, int.MaxValue].Seeded(seed =>
        {
            var text = RandomFormulas.Text(new Random(seed), Measures);
            var first = Formula.Parse(text);
            Assert.True(first.IsValid, $"{text}: {first.Error?.En}");
            var printed = Formula.Print(first.Expression!);
            var second = Formula.Parse(printed);
            Assert.True(second.IsValid, $"{printed}: {second.Error?.En}");
            Assert.Equal(RandomFormulas.Shape(first.Expression!), RandomFormulas.Shape(second.Expression!));
            Assert.Equal(printed, Formula.Print(second.Expression!));
            Assert.Empty(Formula.Check(second.Expression!, Measures.Contains));
        }, iter: 3000);
    }

    [Fact]
    public void Parsing_any_text_never_throws_and_an_error_is_within_the_text()
    {
        const string alphabet = "inv plan sum groupSum min max abs 0123456789.+-*/(),  \t_%^e投";
        Gen.Int[0, int.MaxValue].Seeded(seed =>
        {
            var r = new Random(seed);
            var chars = new char[r.Next(0, 40)];
            for (var i = 0; i < chars.Length; i++) chars[i] = alphabet[r.Next(alphabet.Length)];
            var text = new string(chars);
            var parsed = Formula.Parse(text);
            if (parsed.IsValid) Assert.Null(parsed.Error);
            else Assert.InRange(parsed.Error!.Position, 1, text.Length + 1);
        }, iter: 5000);
    }

    /// <summary>Units in two or three groups, ids not in input order, and figures with some zeros (to divide by).</summary>
    private static (Assessment Assessment, Func<string, string, double> Figure) WithFormula(Random r, string formula, Method method)
    {
        var n = 2 + r.Next(9);
        var units = Enumerable.Range(0, n).Select(i => new Unit($"u{(i * 7) % 10}{i}", $"单位{i}", $"组{r.Next(3)}")).ToList();
        var data = new Dictionary<(string, string), double>();
        foreach (var u in units)
            foreach (var m in Measures)
                data[(u.Id, m)] = r.Next(6) == 0 ? 0 : Math.Round((r.NextDouble() - 0.3) * 2000, r.Next(4));
        var a = new Assessment("2023-Q1", units, [Indicator.FormulaLeaf("F", "公式", 10, formula, method)], [], [], [], Kaohe.Scoring.Rules.Default)
        {
            Version = 2,
            Measures = [.. Measures.Select(m => new Measure(m, m, "万元"))],
            Data = [.. data.Select(kv => new MeasureValue(kv.Key.Item1, kv.Key.Item2, kv.Value))],
        };
        return (a, (u, m) => data[(u, m)]);
    }

    [Fact]
    public void The_columnar_evaluation_equals_the_spec_read_one_unit_at_a_time_bit_for_bit()
    {
        var compared = 0;
        Gen.Int[0, int.MaxValue].Seeded(seed =>
        {
            var r = new Random(seed);
            var text = RandomFormulas.Text(r, Measures);
            var (a, figure) = WithFormula(r, text, new RankMethod());
            var expr = Formula.Parse(text).Expression!;
            var expected = a.Units.ToDictionary(u => u.Id, u => RandomFormulas.Evaluate(expr, u.Id, a.Units, figure));
            var usable = expected.Values.All(v => v is { } x && Math.Abs(x) <= Validator.MaxMagnitude);
            var outcome = Engine.Score(a);
            if (!usable)
            {
                // A division by zero, an overflow or a value out of range somewhere: refused, and always at the formula.
                Assert.False(outcome.IsValid, $"{text} was accepted");
                Assert.All(outcome.Errors, e => Assert.Equal("$.indicators[0].formula", e.Path));
                return;
            }
            Assert.True(outcome.IsValid, $"{text}: {string.Join("; ", outcome.Errors)}");
            foreach (var u in a.Units) Assert.Equal(expected[u.Id]!.Value, outcome.Result![u.Id].Values["F"]);
            Interlocked.Increment(ref compared);
        }, iter: 3000);
        Assert.True(compared > 1000, $"only {compared} formulas were usable");
    }

    [Fact]
    public void A_division_by_zero_inside_a_group_total_names_the_unit_whose_term_divides()
    {
        var units = new[] { new Unit("a", "", "g"), new Unit("b", "", "g"), new Unit("c", "", "h") };
        var a = new Assessment("p", units, [Indicator.FormulaLeaf("F", "f", 10, "groupSum(inv / plan)", new RankMethod())], [], [], [], Kaohe.Scoring.Rules.Default)
        {
            Version = 2,
            Measures = [new("inv"), new("plan")],
            Data = [new("a", "inv", 1), new("a", "plan", 2), new("b", "inv", 1), new("b", "plan", 0), new("c", "inv", 1), new("c", "plan", 4)],
        };
        var e = Assert.Single(Engine.Score(a).Errors);
        Assert.Contains("unit \"b\"", e.En);
    }

    [Fact]
    public void valueDecimals_rounds_half_away_from_zero_as_published_tables_do()
    {
        var units = new[] { new Unit("a", "甲"), new Unit("b", "乙") };
        var a = new Assessment("p", units, [Indicator.FormulaLeaf("F", "f", 10, "x / 1000", new RankMethod(), valueDecimals: 2)], [], [], [], Kaohe.Scoring.Rules.Default)
        {
            Version = 2,
            Measures = [new("x")],
            Data = [new("a", "x", 2675), new("b", "x", -2675)],
        };
        var r = Build.Scored(a);
        Assert.Equal(2.68, r["a"].Values["F"]);  // 2.675 → 2.68, although its double lies just below
        Assert.Equal(-2.68, r["b"].Values["F"]);
    }

    [Theory]
    [InlineData("inv / plan", true)]
    [InlineData("min(inv, plan) / abs(inv_ly) - 1", true)]
    [InlineData("max(inv / plan, 1.5)", true)]
    [InlineData("inv / sum(inv)", false)]
    [InlineData("(inv - inv_ly) / groupSum(inv - inv_ly)", false)]
    [InlineData("max(inv, sum(plan) / 7)", false)]
    public void A_formula_without_sum_or_groupSum_depends_only_on_the_units_own_figures(string text, bool own) =>
        Assert.Equal(own, Formula.DependsOnlyOnOwnFigures(Formula.Parse(text).Expression!));

    /// <summary>A unit's own value, computed from its figures alone, is the value the engine scores for it among all units.</summary>
    [Fact]
    public void A_units_own_value_is_the_one_the_engine_scores()
    {
        const string text = "min(inv / plan, 2) - abs(inv_ly) / 3";
        var units = new[] { new Unit("a", "甲", "g1"), new Unit("b", "乙", "g2"), new Unit("c", "丙", "g1") };
        var figures = new Dictionary<string, Dictionary<string, double>>
        {
            ["a"] = new() { ["inv"] = 61230.4, ["plan"] = 51780, ["inv_ly"] = 15020 },
            ["b"] = new() { ["inv"] = 3, ["plan"] = 1, ["inv_ly"] = -2.5 },
            ["c"] = new() { ["inv"] = 7.1, ["plan"] = 9.3, ["inv_ly"] = 0 },
        };
        var a = new Assessment("p", units, [Indicator.FormulaLeaf("F", "f", 10, text, new RankMethod(), valueDecimals: 4)], [], [], [], Kaohe.Scoring.Rules.Default)
        {
            Version = 2,
            Measures = [new("inv"), new("plan"), new("inv_ly")],
            Data = [.. figures.SelectMany(u => u.Value.Select(kv => new MeasureValue(u.Key, kv.Key, kv.Value)))],
        };
        var scored = Build.Scored(a);
        var expr = Formula.Parse(text).Expression!;
        foreach (var u in units) Assert.Equal(scored[u.Id].Values["F"], Formula.ValueOf(expr, figures[u.Id], 4));
        Assert.Equal(1.1825, Formula.ValueOf(Formula.Parse("inv / plan").Expression!, figures["a"], 4));   // 61230.4 ÷ 51780
    }

    [Fact]
    public void A_units_own_value_is_null_without_a_figure_or_on_a_division_by_zero_and_refused_for_a_regional_formula()
    {
        var expr = Formula.Parse("inv / plan").Expression!;
        Assert.Null(Formula.ValueOf(expr, new Dictionary<string, double> { ["inv"] = 5 }));
        Assert.Null(Formula.ValueOf(expr, new Dictionary<string, double> { ["inv"] = 5, ["plan"] = 0 }));
        Assert.Equal(2.5, Formula.ValueOf(expr, new Dictionary<string, double> { ["inv"] = 5, ["plan"] = 2 }));
        Assert.Throws<ArgumentException>(() => Formula.ValueOf(Formula.Parse("inv / sum(inv)").Expression!, new Dictionary<string, double> { ["inv"] = 5 }));
    }
}
