using Kaohe.Scoring;
using Kaohe.Web.Features.Schemes;

namespace Kaohe.Demo.Tests;

/// <summary>Round trips of generated trees: every method, random parameters, awkward numbers and text.</summary>
public class SchemeXlsxRandomTests
{
    private static readonly string[] Texts =
        ["投资任务完成率", "=SUM(A1:A3)", "+86 电话", "-扣分", "@提及", "'引号", "多行\n评分细则", " 前后空格 ", "a:b", "编码 42", "ཚིམ་པོ།", "1.50"];

    [Fact]
    public void Generated_trees_survive_export_and_import_unchanged()
    {
        var rng = new Random(20230401);
        for (var round = 0; round < 40; round++)
        {
            var texts = new Dictionary<string, string>();
            var n = 0;
            Indicator Node(int depth)
            {
                var id = $"N{n++}";
                if (rng.Next(3) == 0) texts[id] = Texts[rng.Next(Texts.Length)];
                var name = Texts[rng.Next(Texts.Length)];
                if (depth < 2 && rng.Next(2) == 0)
                {
                    var kids = Enumerable.Range(0, 1 + rng.Next(3)).Select(_ => Node(depth + 1)).ToArray();
                    var geometric = rng.Next(4) == 0;
                    return new Indicator(id, name, geometric ? Points() : kids.Sum(k => k.Points), null, kids, geometric ? Combine.Geometric : Combine.Sum);
                }
                return Indicator.Leaf(id, name, Points(), RandomMethod());
            }
            double Points() => rng.Next(4) switch { 0 => 1.0 / (1 + rng.Next(9)), 1 => rng.Next(1, 30), _ => Math.Round(rng.NextDouble() * 20 + 0.5, rng.Next(5)) };
            double Num() => rng.Next(3) switch { 0 => rng.NextDouble(), 1 => -rng.NextDouble() * 1e6, _ => rng.Next(0, 200) / 8.0 };
            Direction Dir() => rng.Next(2) == 0 ? Direction.Higher : Direction.Lower;
            Method RandomMethod() => rng.Next(10) switch
            {
                0 => Efficacy(),
                1 => Banded(),
                2 => new RatioMethod(rng.Next(2) == 0 ? null : 0.5 + rng.NextDouble(), 1 + rng.NextDouble()),
                3 => new ThresholdMethod(Num(), rng.NextDouble(), rng.NextDouble(), rng.NextDouble() * 3),
                4 => new RelativeMethod(1 + rng.NextDouble()),
                5 => new RankMethod(rng.NextDouble() * 20, Dir()),
                6 => new DeductionMethod(rng.Next(2) == 0 ? null : rng.NextDouble(), rng.Next(2) == 0 ? null : rng.NextDouble() * 5),
                7 => new RatersMethod([.. Enumerable.Range(0, 1 + rng.Next(3)).Select(i => new Rater($"r{i}:{Texts[rng.Next(3)].Length}", 0.1 + rng.NextDouble()))]),
                8 => new SurveyMethod([.. Enumerable.Range(0, 1 + rng.Next(4)).Select(i => new SurveyOption($"选项{i}", i > 0 && rng.Next(3) == 0 ? null : Math.Round(rng.NextDouble() * 100, 3)))]),
                _ => new DirectMethod(),
            };
            Method Efficacy()
            {
                var dir = Dir();
                var (hi, lo) = (1 + rng.NextDouble(), rng.NextDouble());
                var (s, u) = rng.Next(3) switch
                {
                    0 => (Bound.Best, Bound.Worst),
                    1 => dir == Direction.Higher ? (Bound.Of(hi), Bound.Of(lo)) : (Bound.Of(lo), Bound.Of(hi)),
                    _ => (Bound.Best, Bound.Of(dir == Direction.Higher ? lo : hi)),
                };
                return new EfficacyMethod(s, u, dir, rng.Next(40, 70), rng.Next(20, 50), rng.Next(2) == 0 ? ClampMode.None : ClampMode.Range,
                    rng.Next(2) == 0 ? null : rng.Next(0, 6));
            }
            Method Banded()
            {
                var dir = Dir();
                var values = Enumerable.Range(0, 2 + rng.Next(4)).Select(_ => Math.Round(rng.NextDouble() * 2, 4)).Distinct().OrderDescending().ToList();
                if (dir == Direction.Lower) values.Reverse();
                var coefs = values.Select((_, i) => Math.Round(1 - i * 0.2, 2)).ToArray();
                return new BandedMethod([.. values.Select((v, i) => new BandLevel(v, coefs[i]))], dir);
            }

            var tree = Enumerable.Range(0, 1 + rng.Next(4)).Select(_ => Node(0)).ToArray();
            var rules = new Rules(rng.Next(2) == 0 ? null : rng.Next(1, 10), rng.Next(2) == 0 ? null : rng.NextDouble() * 10,
                rng.Next(3) == 0 ? null : [new Grade(Texts[rng.Next(Texts.Length)], 80 + rng.NextDouble() * 10), new Grade("其他", null)],
                rng.Next(0, 5), rng.Next(0, 4), rng.Next(0, 4));
            var engine = Validator.ValidateScheme(tree, rules);
            Assert.True(engine.Count == 0, $"round {round}: generated scheme invalid: {string.Join("; ", engine.Select(e => e.Path + " " + e.En))}");

            var back = SchemeXlsx.Import(new MemoryStream(SchemeXlsx.Export(tree, rules, texts)));

            Assert.True(back.Errors.Count == 0, $"round {round}: {string.Join("; ", back.Errors.Select(e => e.Zh))}");
            Schemes.AssertSameTree(tree, back.Indicators!);
            Schemes.AssertSameRules(rules, back.Rules!);
            Assert.Equal(texts.OrderBy(kv => kv.Key), back.RuleTexts.OrderBy(kv => kv.Key));
        }
    }
}
