using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Kaohe.Scoring.FileFormat;

namespace Kaohe.Scoring.Tests.Fuzz;

/// <summary>
/// CsCheck-generated v1 documents — valid ones built from random units, indicator trees of every method
/// and values, then mutated (fields dropped, duplicated, retyped, huge numbers, NaN, deep nesting,
/// unicode) — and raw byte mutations, through every reader: <see cref="V1File.Read(string)"/>,
/// <see cref="V1File.ReadScheme"/> and <see cref="SnapshotFile.Verify"/>. The readers' documented
/// contract is "never throws on bad input: it returns the errors", so the only allowed outcomes are
/// a result or validation errors. Each case runs under a deadline (a hang fails it; no time is
/// asserted otherwise). The cases come from seeded runs (<see cref="FuzzRuns"/>): the same cases in
/// ./test.sh every time, new ones in bench/fuzz.sh, and a failure names the seed that replays it.
/// </summary>
public class GeneratedDocumentFuzzTests
{
    private const long Iterations = 1500;

    /// <summary>Generous: a case normally takes well under a millisecond; only a hang reaches it.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static readonly string[] Texts = ["拉萨市住建局", "", " ", "a\u0000b", "\uD83D\uDE00", "\u202Egnp.exe", "=1+1", "\"quoted\"", "考核\r\n", new string('长', 300)];

    private static readonly Gen<JsonNode> MethodGen = Gen.Int[0, 5].Select(Gen.Double[0, 2], Gen.Int[1, 4], (kind, x, n) => kind switch
    {
        0 => (JsonNode)new JsonObject { ["kind"] = "efficacy", ["satisfactory"] = "best", ["unallowable"] = "worst" },
        1 => new JsonObject { ["kind"] = "ratio", ["target"] = 1 + x, ["cap"] = 1.2 },
        2 => new JsonObject { ["kind"] = "raters", ["raters"] = new JsonArray(new JsonObject { ["id"] = "principal", ["weight"] = 0.5 }, new JsonObject { ["id"] = "in-charge", ["weight"] = 0.5 }) },
        3 => new JsonObject { ["kind"] = "survey", ["options"] = new JsonArray(new JsonObject { ["id"] = "满意", ["value"] = 100 }, new JsonObject { ["id"] = "不满意", ["value"] = 55 }, new JsonObject { ["id"] = "不了解", ["value"] = null }) },
        4 => new JsonObject { ["kind"] = "deduction", ["perFinding"] = n },
        _ => new JsonObject { ["kind"] = "direct" },
    });

    /// <summary>A document that should usually be valid: 1–4 units, 1–5 top-level indicators (some with children), values for each leaf (to 6 decimals, as real figures are: no denormals).</summary>
    internal static readonly Gen<string> ValidDoc =
        Gen.Int[1, 4].SelectMany(units => Gen.Int[1, 5].SelectMany(tops => Gen.Double[0, 1.5].Select(v => Math.Round(v, 6)).Array[units * tops * 2].SelectMany(vals =>
            MethodGen.Array[tops * 2].Select(Gen.Bool.Array[tops], (methods, nested) => Build(units, tops, vals, methods, nested)))));

    private static string Build(int units, int tops, double[] vals, JsonNode[] methods, bool[] nested)
    {
        var us = new JsonArray();
        for (var u = 0; u < units; u++) us.Add(new JsonObject { ["id"] = $"u{u}", ["name"] = $"单位{u}", ["group"] = "地市住建局" });
        var inds = new JsonArray();
        var leaves = new List<(string Id, JsonNode Method)>();
        var points = 100.0 / tops;
        for (var t = 0; t < tops; t++)
        {
            if (nested[t])
            {
                var kids = new JsonArray();
                for (var k = 0; k < 2; k++)
                {
                    var id = $"I{t}_{k}";
                    kids.Add(new JsonObject { ["id"] = id, ["name"] = id, ["points"] = points / 2, ["method"] = methods[t * 2 + k].DeepClone() });
                    leaves.Add((id, methods[t * 2 + k]));
                }
                inds.Add(new JsonObject { ["id"] = $"I{t}", ["name"] = $"指标{t}", ["points"] = points, ["combine"] = "sum", ["children"] = kids });
            }
            else
            {
                inds.Add(new JsonObject { ["id"] = $"I{t}", ["name"] = $"指标{t}", ["points"] = points, ["method"] = methods[t * 2].DeepClone() });
                leaves.Add(($"I{t}", methods[t * 2]));
            }
        }
        var values = new JsonArray();
        var i = 0;
        for (var u = 0; u < units; u++)
            foreach (var (id, m) in leaves)
            {
                var v = vals[i++ % vals.Length];
                switch (m["kind"]!.GetValue<string>())
                {
                    case "raters":
                        values.Add(new JsonObject { ["unit"] = $"u{u}", ["indicator"] = id, ["rater"] = "principal", ["value"] = 60 + v * 20 });
                        values.Add(new JsonObject { ["unit"] = $"u{u}", ["indicator"] = id, ["rater"] = "in-charge", ["value"] = 70 + v * 10 });
                        break;
                    case "survey":
                        values.Add(new JsonObject { ["unit"] = $"u{u}", ["indicator"] = id, ["counts"] = new JsonObject { ["满意"] = (int)(v * 50), ["不满意"] = 3 } });
                        break;
                    case "deduction":
                        values.Add(new JsonObject { ["unit"] = $"u{u}", ["indicator"] = id, ["findings"] = (int)(v * 3) });
                        break;
                    default:
                        values.Add(new JsonObject { ["unit"] = $"u{u}", ["indicator"] = id, ["value"] = v });
                        break;
                }
            }
        return new JsonObject
        {
            ["kaohe"] = 1, ["period"] = "2023-Q1", ["units"] = us, ["indicators"] = inds, ["values"] = values,
            ["rules"] = new JsonObject { ["bonusCap"] = 5, ["deductionCap"] = 10, ["rankDecimals"] = 2 },
        }.ToJsonString();
    }

    /// <summary>A replacement value for a mutated member: wrong types, extremes, unicode, nesting.</summary>
    private static readonly Gen<JsonNode?> Hostile = Gen.Int[0, 13].Select(Gen.Int[0, Texts.Length - 1], Gen.Int[1, 200], (k, t, depth) => k switch
    {
        0 => (JsonNode?)null,
        1 => JsonValue.Create(true),
        2 => JsonValue.Create(double.MaxValue),
        3 => JsonValue.Create(-double.Epsilon),
        4 => JsonValue.Create("NaN"),
        5 => JsonValue.Create("-Infinity"),
        6 => JsonValue.Create(Texts[t]),
        7 => new JsonArray(),
        8 => new JsonObject(),
        9 => JsonValue.Create(long.MinValue),
        10 => JsonValue.Create(decimal.MaxValue),
        11 => Nest(depth),
        12 => new JsonArray(JsonValue.Create(1), JsonValue.Create(Texts[t]), null, new JsonObject()),
        _ => JsonValue.Create(1e-320),
    });

    private static JsonNode Nest(int depth)
    {
        JsonNode n = JsonValue.Create(1);
        for (var i = 0; i < depth; i++) n = i % 2 == 0 ? new JsonArray(n) : new JsonObject { ["a"] = n };
        return n;
    }

    internal sealed record Mutation(int Kind, int Pick, JsonNode? Value, string Key);

    internal static readonly Gen<Mutation> MutationGen = Gen.Int[0, 4].Select(Gen.Int[0, 100_000], Hostile, Gen.OneOf(Gen.Const("id"), Gen.Const("points"), Gen.Const("kind"), Gen.Const("value"), Gen.Const("children"), Gen.Const("kaohe"), Gen.String),
        (kind, pick, value, key) => new Mutation(kind, pick, value, key));

    internal static string Apply(string json, Mutation[] mutations)
    {
        var root = JsonNode.Parse(json)!;
        foreach (var m in mutations)
        {
            var containers = new List<JsonNode>();
            void Walk(JsonNode? n)
            {
                if (n is JsonObject o) { containers.Add(o); foreach (var kv in o.ToList()) Walk(kv.Value); }
                else if (n is JsonArray a) { containers.Add(a); foreach (var x in a.ToList()) Walk(x); }
            }
            Walk(root);
            var target = containers[m.Pick % containers.Count];
            switch (target)
            {
                case JsonObject o when o.Count > 0:
                    var key = o.ElementAt(m.Pick % o.Count).Key;
                    switch (m.Kind)
                    {
                        case 0: o.Remove(key); break;                                  // drop
                        case 1: o[key] = m.Value?.DeepClone(); break;                  // retype
                        case 2: o[m.Key] = m.Value?.DeepClone(); break;                // add a stray member
                        case 3: o[key + "\u200B"] = o[key]?.DeepClone(); break;        // a near-duplicate name
                        default: o[key] = new JsonArray(o[key]?.DeepClone()); break;   // wrap in an array
                    }
                    break;
                case JsonArray a when a.Count > 0:
                    var i = m.Pick % a.Count;
                    switch (m.Kind)
                    {
                        case 0: a.RemoveAt(i); break;
                        case 1: a[i] = m.Value?.DeepClone(); break;
                        default: a.Add(a[i]?.DeepClone()); break;                       // duplicate
                    }
                    break;
                case JsonObject o: o[m.Key] = m.Value?.DeepClone(); break;
                case JsonArray a: a.Add(m.Value?.DeepClone()); break;
            }
        }
        return root.ToJsonString();
    }

    /// <summary>Runs one case with a deadline and checks the reader's contract.</summary>
    private static void Within(string what, Action check)
    {
        var task = Task.Run(check);
        if (!task.Wait(Deadline)) Assert.Fail($"{what}: no answer within {Deadline.TotalSeconds} s (a hang)");
    }

    private static void AllReaders(string json)
    {
        var read = V1File.Read(json);
        Assert.True((read.Assessment is null) == (read.Errors.Count > 0), "assessment xor errors");
        Assert.All(read.Errors, e => Assert.StartsWith("$", e.Path));
        if (read.Assessment is not null)
        {
            var scored = Engine.Score(read.Assessment).Result;
            if (scored is not null)
                foreach (var u in scored.Units) Assert.True(double.IsFinite(u.Total), $"total of {u.Id} is {u.Total}");
        }
        var scheme = V1File.ReadScheme(json);
        Assert.True((scheme.Indicators is null) == (scheme.Errors.Count > 0), "scheme: indicators xor errors");
        var snapshot = SnapshotFile.Verify(json);
        Assert.False(snapshot.Ok && snapshot.Problems.Count > 0, "snapshot: ok with problems");
    }

    [Fact]
    public void Generated_valid_documents_are_read_and_scored()
    {
        var accepted = 0;
        FuzzRuns.Sample(ValidDoc, 300, json => Within("valid", () =>
        {
            AllReaders(json);
            if (V1File.Read(json).IsValid) Interlocked.Increment(ref accepted);
        }));
        Assert.True(accepted > 150 * FuzzRuns.Seeds().Count, $"only {accepted} of 300 generated documents per run were accepted: the generator drifted");
    }

    [Fact]
    public void Mutated_generated_documents_give_errors_or_a_result_never_an_exception()
    {
        FuzzRuns.Sample(ValidDoc.Select(MutationGen.Array[1, 4], Apply), Iterations, json => Within("mutated", () => AllReaders(json)));
    }

    [Fact]
    public void Byte_mutations_of_generated_documents_never_throw()
    {
        FuzzRuns.Sample(Gen.Select(ValidDoc, Gen.Int[0, int.MaxValue].Array[1, 8], Gen.Byte.Array[1, 8], (json, at, bytes) =>
        {
            var b = Encoding.UTF8.GetBytes(json);
            for (var i = 0; i < at.Length; i++) b[at[i] % b.Length] = bytes[i % bytes.Length];
            return b;
        }), Iterations, b => Within("bytes", () =>
        {
            var read = V1File.Read(b.AsMemory());
            Assert.True((read.Assessment is null) == (read.Errors.Count > 0));
            var text = Encoding.UTF8.GetString(b);   // invalid UTF-8 becomes U+FFFD here, as a web form would hand it over
            V1File.ReadScheme(text);
            SnapshotFile.Verify(text);
        }));
    }

    [Fact]
    public void Random_json_shaped_text_never_throws()
    {
        var tokens = Gen.OneOf(Gen.Const("{"), Gen.Const("}"), Gen.Const("["), Gen.Const("]"), Gen.Const(","), Gen.Const(":"), Gen.Const("\"kaohe\""),
            Gen.Const("\"kaohe\":1"), Gen.Const("\"kaoheSnapshot\":1.5"), Gen.Const("\"input\":{}"), Gen.Const("\"result\":[]"), Gen.Const("1e999"), Gen.Const("-0"),
            Gen.Const("null"), Gen.Const("\"\\uD800\""), Gen.Const("\"units\":[{\"id\":\"a\"}]"), Gen.Const("\"indicators\":[]"), Gen.Double.Select(d => d.ToString("R", CultureInfo.InvariantCulture)));
        FuzzRuns.Sample(tokens.Array[0, 60].Select(string.Concat), Iterations, text => Within("tokens", () => AllReaders(text)));
    }

    /// <summary>
    /// Found by bench/fuzz.sh (byte mutations, run 1173364883327929905): a flipped byte turned "\u5C40" into
    /// "\udC40", an escaped half of a surrogate pair, which JsonDocument accepts and then throws on when the
    /// string is read. Every reader now refuses it at "$".
    /// </summary>
    [Theory]
    [InlineData("{\"kaohe\":1,\"period\":\"2023-Q1\",\"units\":[{\"id\":\"u0\",\"name\":\"\\udC40\"}],\"indicators\":[],\"values\":[]}")]
    [InlineData("{\"kaohe\":1,\"\\uD800\":1}")]
    [InlineData("{\"kaoheSnapshot\":1,\"input\":{},\"result\":{},\"inputSha256\":\"\\uDFFF\"}")]
    public void An_escaped_half_surrogate_is_an_error_in_every_reader(string json)
    {
        AllReaders(json);
        Assert.Contains(V1File.Read(json).Errors, e => e.Path == "$" && e.En.Contains("surrogate"));
        Assert.Contains(V1File.ReadScheme(json).Errors, e => e.Path == "$" && e.En.Contains("surrogate"));
        Assert.False(SnapshotFile.Verify(json).Ok);
    }

    /// <summary>
    /// Found by bench/fuzz.sh (mutations, run 2820615903940358390): an efficacy leaf whose fixed satisfactory
    /// value is the smallest denormal (−5e-324) against a worst value of 0 divided by that difference and
    /// gave a total of −Infinity. Nonzero numbers below 10^-15 are now refused, so no difference of two can be
    /// a denormal.
    /// </summary>
    [Theory]
    [InlineData("-5e-324", "0")]
    [InlineData("1e-300", "0")]
    [InlineData("0", "1e-320")]
    public void A_denormal_bound_or_value_is_refused_before_it_can_make_a_result_infinite(string satisfactory, string value)
    {
        var json = $$$"""
            {"kaohe":1,"period":"2023-Q1","units":[{"id":"u0","name":"a","group":"g"},{"id":"u1","name":"b","group":"g"}],
             "indicators":[{"id":"I2","name":"x","points":100,"method":{"kind":"efficacy","satisfactory":{{{satisfactory}}},"unallowable":"worst"}}],
             "values":[{"unit":"u0","indicator":"I2","value":{{{value}}}},{"unit":"u1","indicator":"I2","value":1.3330612130007897}]}
            """;
        AllReaders(json);
        var read = V1File.Read(json);
        Assert.False(read.IsValid);
        Assert.Contains(read.Errors, e => e.En.Contains("too close to 0"));
    }

    [Theory]
    [InlineData("{\"kaoheSnapshot\":1.5}")]
    [InlineData("{\"kaoheSnapshot\":1e40}")]
    [InlineData("{\"kaoheSnapshot\":1,\"input\":1,\"result\":1}")]
    [InlineData("{\"kaoheSnapshot\":1,\"input\":{\"kaohe\":1},\"result\":null,\"inputSha256\":5}")]
    public void Odd_snapshots_are_refused_with_problems(string json)
    {
        var check = SnapshotFile.Verify(json);
        Assert.False(check.Ok);
        Assert.NotEmpty(check.Problems);
    }

    [Fact]
    public void Invalid_utf8_inside_a_string_is_a_validation_error()
    {
        // Found by the byte mutations: JsonDocument accepted it and threw only when the string was read.
        byte[] bytes = [.. "{\"kaohe\":1,\"period\":\""u8, 0xB5, .. "\",\"units\":[],\"indicators\":[],\"values\":[]}"u8];
        var read = V1File.Read(bytes.AsMemory());
        Assert.Null(read.Assessment);
        Assert.Contains(read.Errors, e => e.Path == "$" && e.En.Contains("UTF-8"));
    }
}
