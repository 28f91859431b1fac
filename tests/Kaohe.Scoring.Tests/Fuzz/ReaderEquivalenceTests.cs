using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Kaohe.Scoring.FileFormat;
using Kaohe.Scoring.Tests.Support;
using Kaohe.Scoring.Tests.V2;
using Kaohe.Scoring.Tests.Validation;

namespace Kaohe.Scoring.Tests.Fuzz;

/// <summary>
/// The streaming reader (Utf8JsonReader straight into the model, issue 20) against the reader it
/// replaced (<see cref="DomReader"/>, JsonDocument): on valid documents the same assessment, written
/// byte for byte the same; on broken ones the same errors, path and message. Documents come from the
/// examples and the fuzz generators (valid, structurally mutated, and with members in another order);
/// a member given twice, which the old reader took silently, is the one documented difference and
/// JsonNode never writes one. Each document is also read with the values split between two threads
/// (as a national file is), which must change nothing.
/// </summary>
public class ReaderEquivalenceTests
{
    private const long Iterations = 800;

    private static readonly string[] Seeds =
    [
        .. ExampleFiles.Inputs().Select(ExampleFiles.Text),
        ValidDocument.Create().ToJsonString(),
        V2Document.Text,
    ];

    private static void Same(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        foreach (var version in new[] { 1, 2 })
        {
            var (oldA, oldErrors) = DomReader.Read(bytes, version);
            // One reader, and the values read by two threads whatever the size (the national file's way).
            foreach (var parallelBytes in new[] { int.MaxValue, 0 })
            {
                var now = KaoheFile.Read(bytes.AsMemory(), version, parallelBytes);
                // Broken text can join two objects into one that gives a member twice (a slice taken out of
                // `…"findings":[…]},{"unit":…` leaves one object with two "indicator"s): the documented difference.
                // The new reader refuses the document there; the old one took the last silently, so its other
                // errors are not comparable.
                if (now.Errors.Any(e => e.En.Contains("is given more than once", StringComparison.Ordinal)))
                {
                    Assert.Null(now.Assessment);
                    continue;
                }
                Assert.Equal(oldErrors.Select(e => e.ToString()).Order(StringComparer.Ordinal), now.Errors.Select(e => e.ToString()).Order(StringComparer.Ordinal));
                Assert.Equal(oldA is null, now.Assessment is null);
                if (oldA is not null) Assert.Equal(KaoheFile.Write(oldA), KaoheFile.Write(now.Assessment!));
            }

            var (oldScheme, oldSchemeErrors) = DomReader.Read(bytes, version, schemeOnly: true);
            var scheme = KaoheFile.ReadScheme(json, version);
            if (scheme.Errors.Any(e => e.En.Contains("is given more than once", StringComparison.Ordinal))) continue;
            Assert.Equal(oldSchemeErrors.Select(e => e.ToString()).Order(StringComparer.Ordinal), scheme.Errors.Select(e => e.ToString()).Order(StringComparer.Ordinal));
            if (oldScheme is not null)
                Assert.Equal(KaoheFile.WriteScheme(oldScheme.Period, oldScheme.Indicators, oldScheme.Rules, oldScheme.Measures),
                    KaoheFile.WriteScheme(oldScheme.Period, scheme.Indicators!, scheme.Rules!, scheme.Measures));
        }
    }

    /// <summary>The same document with its members (and those of every object) in a random order: values before units, kaohe last, …</summary>
    private static string Shuffled(string json, int seed)
    {
        var rnd = new Random(seed);
        JsonNode? Shuffle(JsonNode? n) => n switch
        {
            JsonObject o => new JsonObject(o.ToList().OrderBy(_ => rnd.Next()).Select(kv => KeyValuePair.Create(kv.Key, Shuffle(kv.Value?.DeepClone())))),
            JsonArray a => new JsonArray([.. a.Select(x => Shuffle(x?.DeepClone()))]),
            _ => n?.DeepClone(),
        };
        return Shuffle(JsonNode.Parse(json, documentOptions: new() { MaxDepth = 1000 }))!.ToJsonString();
    }

    [Fact]
    public void The_examples_and_the_test_documents_read_the_same()
    {
        foreach (var s in Seeds)
        {
            Same(s);
            for (var seed = 0; seed < 20; seed++) Same(Shuffled(s, seed));
        }
    }

    [Fact]
    public void Generated_documents_read_the_same()
    {
        GeneratedDocumentFuzzTests.ValidDoc.Seeded(Same, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Mutated_documents_give_the_same_errors()
    {
        Gen.Select(Gen.Int[0, Seeds.Length - 1], GeneratedDocumentFuzzTests.MutationGen.Array[1, 4], Gen.Int, (s, m, seed) =>
                seed % 3 == 0 ? Shuffled(GeneratedDocumentFuzzTests.Apply(Seeds[s], m), seed) : GeneratedDocumentFuzzTests.Apply(Seeds[s], m))
            .Seeded(Same, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Broken_text_gives_the_same_errors()
    {
        Gen.Select(Gen.Int[0, Seeds.Length - 1], Gen.Int[0, int.MaxValue], Gen.Int[0, 3], (s, at, kind) =>
        {
            var text = Seeds[s];
            var i = at % text.Length;
            return kind switch
            {
                0 => text[..i],                                   // cut short
                1 => text.Remove(i, Math.Min(7, text.Length - i)), // a slice taken out
                2 => text.Insert(i, "]"),                          // a stray bracket
                _ => text + " x",                                  // something after the document
            };
        }).Seeded(Same, iter: Iterations, threads: 1);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[1, 2")]
    [InlineData("[]")]
    [InlineData("42 43")]
    [InlineData("{\"kaohe\":{\"a\":[1]}}")]
    [InlineData("{\"kaohe\":\"2\",\"period\":7,\"units\":{},\"values\":null}")]
    [InlineData("{\"values\":[{\"unit\":\"a\",\"indicator\":\"x\",\"value\":1}],\"indicators\":[{\"id\":\"x\",\"points\":1,\"method\":{\"direction\":\"up\",\"kind\":\"efficacy\"}}],\"units\":[{\"id\":\"a\"}],\"period\":\"p\",\"kaohe\":1}")]
    [InlineData("{\"kaohe\":1,\"period\":\"p\",\"units\":[{\"id\":\"a\"}],\"indicators\":[{\"id\":\"x\",\"points\":1,\"method\":{\"kind\":\"raters\",\"raters\":[{\"id\":\"p\",\"weight\":1}]}}],\"values\":[5,{\"unit\":\"a\",\"indicator\":\"x\",\"rater\":\"q\",\"value\":1,\"counts\":{\"a\":\"b\"},\"findings\":1.5}]}")]
    [InlineData("{\"kaohe\":1,\"period\":\"p\",\"units\":[{\"id\":\"\\u0061\"}],\"indicators\":[{\"\\u0069d\":\"x\",\"points\":1,\"method\":{\"kind\":\"direct\"}}],\"values\":[{\"unit\":\"\\u0061\",\"indicator\":\"x\",\"value\":1}]}")]
    public void Odd_documents_give_the_same_errors(string json) => Same(json);

    [Fact]
    public void A_member_given_twice_is_an_error_where_the_old_reader_took_the_last()
    {
        var read = KaoheFile.Read("""{"kaohe":1,"kaohe":1,"period":"p","units":[{"id":"a","id":"b"}],"indicators":[{"id":"x","points":1,"method":{"kind":"direct","kind":"direct"}}],"values":[{"unit":"a","indicator":"x","value":1,"value":2}]}""");
        Assert.Contains(read.Errors, e => e.Path == "$.kaohe" && e.En.Contains("more than once"));
        Assert.Contains(read.Errors, e => e.Path == "$.units[0].id" && e.Zh.Contains("重复出现"));
        Assert.Contains(read.Errors, e => e.Path == "$.indicators[0].method.kind");
        Assert.Contains(read.Errors, e => e.Path == "$.values[0].value");
    }
}
