using System.Text;
using System.Text.Json.Nodes;
using Kaohe.Scoring.FileFormat;
using Kaohe.Scoring.Tests.Support;
using Kaohe.Scoring.Tests.Validation;

namespace Kaohe.Scoring.Tests.Fuzz;

/// <summary>
/// Random and mutated documents: <see cref="V1File.Read(string)"/> never throws, and returns an
/// assessment iff it reports no error. A document it accepts must also score without throwing and
/// give finite numbers. Seeds are fixed so that a failure can be replayed.
/// </summary>
public class ReaderFuzzTests
{
    private static readonly string[] Seeds =
    [
        .. ExampleFiles.Inputs().Select(ExampleFiles.Text),
        ValidDocument.Create().ToJsonString(),
    ];

    /// <summary>
    /// Reads and checks the contract; returns whether the document was accepted. Problems are
    /// collected by kind in <paramref name="problems"/> when given (so that one run reports every
    /// kind of failure with its first example), otherwise they fail the test at once.
    /// </summary>
    private static bool Check(string json, string what, Dictionary<string, string>? problems = null)
    {
        void Problem(string kind, string detail)
        {
            var text = $"{what}: {detail}\n{Head(json)}";
            if (problems is null) Assert.Fail(text);
            problems.TryAdd(kind, text);
        }

        ReadResult read;
        try { read = V1File.Read(json); }
        catch (Exception ex) { Problem("Read threw " + ex.GetType().Name, ex.Message); return false; }
        if ((read.Assessment is null) != (read.Errors.Count > 0))
            Problem("assessment xor errors", $"assessment {(read.Assessment is null ? "null" : "present")} with {read.Errors.Count} errors");
        foreach (var e in read.Errors)
            if (!e.Path.StartsWith('$') || string.IsNullOrWhiteSpace(e.Zh) || string.IsNullOrWhiteSpace(e.En))
                Problem("malformed error", e.ToString());
        if (read.Assessment is null) return false;
        try
        {
            var result = Engine.Score(read.Assessment).Result;
            if (result is null) { Problem("accepted but not scored", "Engine.Score returned no result"); return true; }
            foreach (var u in result.Units)
            {
                if (!double.IsFinite(u.Total)) Problem("non-finite total", $"total of {u.Id} is {u.Total}");
                foreach (var (node, score) in u.Scores)
                    if (!double.IsFinite(score)) Problem("non-finite score", $"{u.Id}.{node} = {score}");
            }
            V1File.WriteResult(result);
        }
        catch (Exception ex) { Problem("scoring or writing threw " + ex.GetType().Name, ex.Message); }
        return true;
    }

    private static void NoProblems(Dictionary<string, string> problems) =>
        Assert.True(problems.Count == 0, $"{problems.Count} kind(s) of problem:\n\n" + string.Join("\n\n", problems.Select(kv => $"[{kv.Key}] {kv.Value}")));

    private static string Head(string s) => s.Length <= 600 ? s : s[..600] + "…";

    [Fact]
    public void The_seed_documents_are_accepted()
    {
        foreach (var s in Seeds) Assert.True(Check(s, "seed"));
    }

    [Fact]
    public void Structurally_mutated_documents_never_throw()
    {
        var rnd = new Random(20231);
        var accepted = 0;
        var problems = new Dictionary<string, string>();
        for (var i = 0; i < 3000; i++)
        {
            var doc = JsonNode.Parse(Seeds[i % Seeds.Length])!;
            var steps = 1 + rnd.Next(3);
            var log = new List<string>();
            for (var k = 0; k < steps; k++) log.Add(Mutate(doc, rnd));
            if (Check(doc.ToJsonString(), $"mutation #{i} ({string.Join("; ", log)})", problems)) accepted++;
        }
        NoProblems(problems);
        // Some mutations are harmless (a reason changed, a value nudged): the engine must still score those.
        Assert.InRange(accepted, 1, 2999);
    }

    [Fact]
    public void Textually_damaged_documents_never_throw()
    {
        var rnd = new Random(7);
        var problems = new Dictionary<string, string>();
        for (var i = 0; i < 2000; i++)
        {
            var text = Seeds[i % Seeds.Length];
            var damaged = (i % 5) switch
            {
                0 => text[..rnd.Next(text.Length)],                                         // truncated
                1 => FlipBytes(text, rnd),                                                  // random bytes replaced
                2 => text.Insert(rnd.Next(text.Length), Garbage(rnd)),                      // garbage inserted
                3 => DuplicateMember(text, rnd),                                            // a member duplicated
                _ => RemoveSlice(text, rnd),                                                // a slice removed
            };
            Check(damaged, $"damage #{i}", problems);
        }
        NoProblems(problems);
    }

    [Fact]
    public void Random_bytes_never_throw_through_the_stream_reader()
    {
        var rnd = new Random(99);
        for (var i = 0; i < 1000; i++)
        {
            var bytes = new byte[rnd.Next(0, 300)];
            rnd.NextBytes(bytes);
            if (i % 2 == 0 && bytes.Length > 0) bytes[0] = (byte)'{';
            var read = V1File.Read(new MemoryStream(bytes));
            Assert.Null(read.Assessment);
            Assert.NotEmpty(read.Errors);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("\"kaohe\"")]
    [InlineData("{}")]
    [InlineData("{\"kaohe\":1}")]
    [InlineData("{\"kaohe\":1,\"period\":\"x\",\"units\":[],\"indicators\":[],\"values\":[]}")]
    [InlineData("{\"kaohe\":1e999}")]
    [InlineData("{\"kaohe\":\"1\"}")]
    [InlineData("{\"kaohe\":1.0000000000000002}")]
    [InlineData("\uFEFF{\"kaohe\":1}")]
    [InlineData("{\"kaohe\":1,\"units\":[null,1,\"a\",[],{}]}")]
    [InlineData("{\"kaohe\":1,\"indicators\":[{\"id\":\"a\",\"points\":1,\"children\":[]}]}")]
    [InlineData("{\"kaohe\":1,\"indicators\":[{\"id\":\"a\",\"points\":1,\"children\":{}}]}")]
    [InlineData("{\"kaohe\":1,\"rules\":{\"rankDecimals\":1e20,\"commend\":-1e20,\"grades\":[null]}}")]
    public void Odd_documents_are_rejected_without_throwing(string json)
    {
        Assert.False(Check(json, json));
    }

    [Fact]
    public void Deep_nesting_is_rejected_without_throwing()
    {
        foreach (var depth in new[] { 63, 65, 1000, 100_000 })
        {
            Check(new string('[', depth) + new string(']', depth), $"array depth {depth}");
            var nested = new StringBuilder("{\"kaohe\":1,\"period\":");
            for (var i = 0; i < depth; i++) nested.Append("{\"a\":");
            nested.Append('1').Append('}', depth).Append('}');
            Check(nested.ToString(), $"object depth {depth}");
        }
        // A deep indicator tree within the parser's limit
        var tree = new StringBuilder();
        const int levels = 25;
        for (var i = 0; i < levels; i++) tree.Append($"{{\"id\":\"n{i}\",\"name\":\"n\",\"points\":10,\"children\":[");
        tree.Append("{\"id\":\"leaf\",\"name\":\"leaf\",\"points\":10,\"method\":{\"kind\":\"direct\"}}");
        for (var i = 0; i < levels; i++) tree.Append("]}");
        var json = $"{{\"kaohe\":1,\"period\":\"p\",\"units\":[{{\"id\":\"a\"}}],\"indicators\":[{tree}],\"values\":[{{\"unit\":\"a\",\"indicator\":\"leaf\",\"value\":7}}]}}";
        Assert.True(Check(json, "deep tree"));
    }

    [Theory]
    [InlineData("1e308")]
    [InlineData("-1e308")]
    [InlineData("1.7976931348623157e308")]
    [InlineData("4.9e-324")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("-0")]
    public void Huge_and_tiny_numbers_never_throw_and_never_yield_non_finite_scores(string number)
    {
        var problems = new Dictionary<string, string>();
        foreach (var member in new[] { "\"value\":1.28", "\"points\":20", "\"target\":1", "\"weight\":0.5", "\"points\":2", "\"bonusCap\":5", "\"min\":90", "\"findings\":2", "\"value\":92" })
        {
            var seed = Seeds[^1];
            var at = seed.IndexOf(member, StringComparison.Ordinal);
            Assert.True(at >= 0, member);
            var name = member[..(member.IndexOf(':') + 1)];
            Check(seed[..at] + name + number + seed[(at + member.Length)..], $"{member} → {number}", problems);
        }
        NoProblems(problems);
    }

    private static readonly string[] Members = ["kaohe", "period", "units", "indicators", "values", "id", "name", "group", "points", "method", "kind", "children", "combine", "value", "target", "rater", "counts", "findings", "satisfactory", "unallowable", "direction", "levels", "raters", "weight", "options", "rules", "grades", "min", "commend", "unit", "indicator"];

    private static JsonNode? RandomValue(Random rnd) => rnd.Next(16) switch
    {
        0 => null,
        1 => JsonValue.Create(rnd.Next(2) == 0),
        2 => JsonValue.Create(rnd.Next(-5, 200)),
        3 => JsonValue.Create(rnd.NextDouble() * 1e308 * (rnd.Next(2) == 0 ? 1 : -1)),
        4 => JsonValue.Create("NaN"),
        5 => JsonValue.Create("Infinity"),
        6 => JsonValue.Create("best"),
        7 => JsonValue.Create(""),
        8 => new JsonArray(),
        9 => new JsonObject(),
        10 => JsonValue.Create(0),
        11 => JsonValue.Create(-1e-300),
        12 => JsonValue.Create(Members[rnd.Next(Members.Length)]),
        13 => JsonValue.Create("lasa"),
        14 => new JsonArray(JsonValue.Create(1), JsonValue.Create("x"), null),
        _ => JsonValue.Create(rnd.NextDouble() * 100),
    };

    /// <summary>Applies one random change somewhere in the tree and says what it did.</summary>
    private static string Mutate(JsonNode root, Random rnd)
    {
        var all = new List<JsonNode>();
        void Walk(JsonNode? n)
        {
            if (n is null) return;
            all.Add(n);
            if (n is JsonObject o) foreach (var kv in o.ToList()) Walk(kv.Value);
            else if (n is JsonArray a) foreach (var x in a.ToList()) Walk(x);
        }
        Walk(root);
        var containers = all.Where(n => n is JsonObject or JsonArray).ToList();
        var target = containers[rnd.Next(containers.Count)];
        switch (target)
        {
            case JsonObject o when o.Count > 0:
            {
                var key = o.ElementAt(rnd.Next(o.Count)).Key;
                switch (rnd.Next(4))
                {
                    case 0: o.Remove(key); return $"removed {o.GetPath()}.{key}";
                    case 1: o[key] = RandomValue(rnd); return $"retyped {o.GetPath()}.{key}";
                    case 2: o[Members[rnd.Next(Members.Length)] + (rnd.Next(3) == 0 ? "x" : "")] = RandomValue(rnd); return $"added to {o.GetPath()}";
                    default:
                        var v = o[key];
                        if (v is JsonValue jv && jv.TryGetValue<double>(out var d)) { o[key] = d * (rnd.Next(3) - 1) + rnd.Next(-2, 3); return $"nudged {o.GetPath()}.{key}"; }
                        o[key] = v?.DeepClone(); return $"kept {o.GetPath()}.{key}";
                }
            }
            case JsonArray a when a.Count > 0:
            {
                var i = rnd.Next(a.Count);
                switch (rnd.Next(4))
                {
                    case 0: a.RemoveAt(i); return $"removed {a.GetPath()}[{i}]";
                    case 1: a.Add(a[i]?.DeepClone()); return $"duplicated {a.GetPath()}[{i}]";
                    case 2: a[i] = RandomValue(rnd); return $"retyped {a.GetPath()}[{i}]";
                    default: a.Insert(rnd.Next(a.Count + 1), RandomValue(rnd)); return $"inserted into {a.GetPath()}";
                }
            }
            case JsonObject o:
                o["id"] = RandomValue(rnd); return $"filled {o.GetPath()}";
            case JsonArray a:
                a.Add(RandomValue(rnd)); return $"filled {a.GetPath()}";
        }
        return "nothing";
    }

    private static string RemoveSlice(string text, Random rnd)
    {
        var start = rnd.Next(text.Length);
        return text.Remove(start, Math.Min(rnd.Next(1, 40), text.Length - start));
    }

    private static string FlipBytes(string text, Random rnd)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var k = 0; k < 1 + rnd.Next(4); k++) bytes[rnd.Next(bytes.Length)] = (byte)rnd.Next(256);
        return Encoding.UTF8.GetString(bytes);
    }

    private static string Garbage(Random rnd)
    {
        string[] bits = ["{", "}", "[", "]", ",", ":", "\"", "\\", "NaN", "-Infinity", "1e999", "null", "\u0000", "\uD800", "//", "/*", "考核", "\"kaohe\":1,"];
        return string.Concat(Enumerable.Range(0, 1 + rnd.Next(4)).Select(_ => bits[rnd.Next(bits.Length)]));
    }

    private static string DuplicateMember(string text, Random rnd)
    {
        string[] members = ["\"kaohe\": 1,", "\"units\": [],", "\"id\": \"lasa\",", "\"points\": 5,", "\"method\": {\"kind\":\"direct\"},"];
        var braces = Enumerable.Range(0, text.Length).Where(i => text[i] == '{').ToList();
        var at = braces[rnd.Next(braces.Count)] + 1;
        return text.Insert(at, members[rnd.Next(members.Length)]);
    }
}
