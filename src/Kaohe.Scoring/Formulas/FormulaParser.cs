using System.Globalization;
using Superpower;
using Superpower.Display;
using Superpower.Model;
using Superpower.Parsers;
using Superpower.Tokenizers;

namespace Kaohe.Scoring.Formulas;

internal enum FormulaToken
{
    None,
    [Token(Category = "number", Description = "number")] Number,
    [Token(Category = "name", Description = "name")] Identifier,
    [Token(Example = "+")] Plus,
    [Token(Example = "-")] Minus,
    [Token(Example = "*")] Times,
    [Token(Example = "/")] Divide,
    [Token(Example = "(")] LParen,
    [Token(Example = ")")] RParen,
    [Token(Example = ",")] Comma,
}

/// <summary>
/// The grammar of scoring-format.md with Superpower: a tokenizer (numbers, names, the six
/// punctuation marks; whitespace free), then one parser per rule. Nothing else is accepted: no
/// exponents, no leading dot, no other operators.
/// </summary>
internal static class FormulaParser
{
    private static bool AsciiLetter(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or '_';

    private static readonly TextParser<TextSpan> NumberText = Span.MatchedBy(
        Character.Digit.AtLeastOnce().IgnoreThen(Character.EqualTo('.').IgnoreThen(Character.Digit.AtLeastOnce()).Select(d => (char[]?)d).OptionalOrDefault()));

    private static readonly TextParser<TextSpan> NameText = Span.MatchedBy(
        Character.Matching(AsciiLetter, "letter").IgnoreThen(Character.Matching(c => AsciiLetter(c) || char.IsAsciiDigit(c), "letter or digit").Many()));

    private static readonly Tokenizer<FormulaToken> Tokenizer = new TokenizerBuilder<FormulaToken>()
        .Ignore(Span.WhiteSpace)
        .Match(Character.EqualTo('+'), FormulaToken.Plus)
        .Match(Character.EqualTo('-'), FormulaToken.Minus)
        .Match(Character.EqualTo('*'), FormulaToken.Times)
        .Match(Character.EqualTo('/'), FormulaToken.Divide)
        .Match(Character.EqualTo('('), FormulaToken.LParen)
        .Match(Character.EqualTo(')'), FormulaToken.RParen)
        .Match(Character.EqualTo(','), FormulaToken.Comma)
        .Match(NumberText, FormulaToken.Number, requireDelimiters: true)
        .Match(NameText, FormulaToken.Identifier, requireDelimiters: true)
        .Build();

    private static readonly TokenListParser<FormulaToken, FormulaExpr> Number =
        Token.EqualTo(FormulaToken.Number).Select(t =>
            (FormulaExpr)new NumberExpr(double.Parse(t.ToStringValue(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture), t.ToStringValue(), t.Position.Absolute));

    private static readonly TokenListParser<FormulaToken, FormulaExpr[]> Arguments =
        from open in Token.EqualTo(FormulaToken.LParen)
        from args in Superpower.Parse.Ref(() => Expr!).AtLeastOnceDelimitedBy(Token.EqualTo(FormulaToken.Comma))
        from close in Token.EqualTo(FormulaToken.RParen)
        select args;

    // A name followed by "(" is a call; otherwise a measure.
    private static readonly TokenListParser<FormulaToken, FormulaExpr> NameOrCall =
        from name in Token.EqualTo(FormulaToken.Identifier)
        from args in Arguments.Select(a => (FormulaExpr[]?)a).OptionalOrDefault()
        select args is null
            ? (FormulaExpr)new MeasureExpr(name.ToStringValue(), name.Position.Absolute)
            : new CallExpr(name.ToStringValue(), args, name.Position.Absolute);

    private static readonly TokenListParser<FormulaToken, FormulaExpr> Parenthesised =
        from open in Token.EqualTo(FormulaToken.LParen)
        from e in Superpower.Parse.Ref(() => Expr!)
        from close in Token.EqualTo(FormulaToken.RParen)
        select e;

    private static readonly TokenListParser<FormulaToken, FormulaExpr> Primary =
        Number.Or(NameOrCall).Or(Parenthesised).Named("expression");

    private static readonly TokenListParser<FormulaToken, FormulaExpr> Unary =
        (from minus in Token.EqualTo(FormulaToken.Minus)
         from operand in Superpower.Parse.Ref(() => Unary!)
         select (FormulaExpr)new NegateExpr(operand, minus.Position.Absolute))
        .Or(Primary);

    private static FormulaExpr Binary(Token<FormulaToken> op, FormulaExpr left, FormulaExpr right) =>
        new BinaryExpr(op.ToStringValue()[0], left, right, left.Start, op.Position.Absolute);

    private static readonly TokenListParser<FormulaToken, FormulaExpr> Term =
        Superpower.Parse.Chain(Token.EqualTo(FormulaToken.Times).Or(Token.EqualTo(FormulaToken.Divide)), Unary, Binary);

    private static readonly TokenListParser<FormulaToken, FormulaExpr> Expr =
        Superpower.Parse.Chain(Token.EqualTo(FormulaToken.Plus).Or(Token.EqualTo(FormulaToken.Minus)), Term, Binary);

    private static readonly TokenListParser<FormulaToken, FormulaExpr> Whole = Expr.AtEnd();

    public static FormulaParseResult Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return new(null, new FormulaProblem(1, "公式为空", "the formula is empty"));
        // The parser, the printer and the evaluation recurse over the tree: bound its size and depth,
        // far beyond any real formula, so that hostile input cannot exhaust the stack.
        if (text.Length > MaxLength)
            return new(null, new FormulaProblem(MaxLength + 1, $"公式超过 {MaxLength} 个字符", $"the formula is longer than {MaxLength} characters"));
        if (TooDeep(text) is { } deep)
            return new(null, new FormulaProblem(deep + 1, $"公式第 {deep + 1} 个字符处嵌套超过 {MaxDepth} 层", $"the formula nests deeper than {MaxDepth} levels at character {deep + 1}"));
        var tokens = Tokenizer.TryTokenize(text);
        if (!tokens.HasValue)
        {
            var at = tokens.ErrorPosition.HasValue ? tokens.ErrorPosition.Absolute : 0;
            // A number cut short ("1.", "1.x"): the tokenizer points at the number; name the character after its dot.
            var digits = at;
            while (digits < text.Length && char.IsAsciiDigit(text[digits])) digits++;
            if (digits > at && digits < text.Length && text[digits] == '.' && (digits + 1 >= text.Length || !char.IsAsciiDigit(text[digits + 1])))
                return new(null, Problem(text, digits + 1, digits + 1 < text.Length ? text[(digits + 1)..(digits + 2)] : null, ["digit"]));
            return new(null, Problem(text, at, Unexpected(text, at), tokens.Expectations));
        }
        var parsed = Whole.TryParse(tokens.Value);
        if (parsed.HasValue) return new(parsed.Value, null);
        var list = parsed.Remainder;
        var position = parsed.ErrorPosition.HasValue ? parsed.ErrorPosition.Absolute
            : list.IsAtEnd ? text.Length : list.First().Position.Absolute;
        var unexpected = list.IsAtEnd || position >= text.Length ? null : Unexpected(text, position);
        return new(null, Problem(text, position, unexpected, parsed.Expectations));
    }

    public const int MaxLength = 1000;
    public const int MaxDepth = 64;

    /// <summary>
    /// Where the nesting (open parentheses plus a run of signs, each a level of recursion) first
    /// exceeds <see cref="MaxDepth"/>, or null.
    /// </summary>
    private static int? TooDeep(string text)
    {
        int open = 0, signs = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(': open++; break;
                case ')': open--; signs = 0; break;
                case '-': signs++; break;
                case var c when !char.IsWhiteSpace(c): signs = 0; break;
            }
            if (open + signs > MaxDepth) return i;
        }
        return null;
    }

    /// <summary>The token (or character) at <paramref name="at"/>, for "unexpected …"; null at the end.</summary>
    private static string? Unexpected(string text, int at)
    {
        if (at >= text.Length) return null;
        var end = at + 1;
        if (AsciiLetter(text[at]) || char.IsAsciiDigit(text[at]))
            while (end < text.Length && (AsciiLetter(text[end]) || char.IsAsciiDigit(text[end]) || text[end] == '.')) end++;
        return text[at..end];
    }

    private static FormulaProblem Problem(string text, int at, string? unexpected, string[]? expectations)
    {
        var p = at + 1;
        var what = unexpected is null ? ("公式不完整", "the formula ends too early") : ($"意外的 \"{unexpected}\"", $"unexpected \"{unexpected}\"");
        // Where an expression may start, "-" is its unary minus, not an operator to mention on its own.
        var names = (expectations ?? []).Select(e => e.Trim('`')).ToList();
        if (names.Contains("expression")) names.Remove("-");
        var expected = names.Select(Describe).Distinct().ToList();
        var zhExpected = expected.Count == 0 ? "" : "，此处应为" + string.Join("或", expected.Select(e => e.Zh));
        var enExpected = expected.Count == 0 ? "" : ", expected " + string.Join(" or ", expected.Select(e => e.En));
        return new FormulaProblem(p, $"公式第 {p} 个字符处无法解析：{what.Item1}{zhExpected}", $"the formula does not parse at character {p}: {what.Item2}{enExpected}");
    }

    /// <summary>Superpower's expectation names (token descriptions, <c>Named</c> parsers, characters) in both languages.</summary>
    private static (string Zh, string En) Describe(string expectation)
    {
        var e = expectation;
        return e switch
        {
            "expression" => ("数字、数据项、函数或括号", "a number, a measure, a function or a parenthesis"),
            "number" => ("数字", "a number"),
            "name" => ("数据项或函数名", "a measure or function name"),
            "digit" => ("数字", "a digit"),
            "letter" or "letter or digit" => ("字母", "a letter"),
            ")" => ("\")\"", "\")\""),
            "(" => ("\"(\"", "\"(\""),
            "," => ("\",\"", "\",\""),
            "+" or "-" or "*" or "/" => ("运算符", "an operator"),
            _ => ($"\"{e}\"", $"\"{e}\""),
        };
    }
}
