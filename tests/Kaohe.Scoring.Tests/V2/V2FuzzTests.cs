using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Kaohe.Scoring.FileFormat;
using Kaohe.Scoring.Tests.Fuzz;

namespace Kaohe.Scoring.Tests.V2;

/// <summary>
/// ex4 mutated (structurally, in its formulas and figures, and byte by byte) through
/// <see cref="KaoheFile.Read(string)"/>: never an exception, an assessment exactly when there is no
/// error, and an accepted document scores to finite numbers, writes, and publishes a snapshot that verifies.
/// </summary>
public class V2FuzzTests
{
    private const long Iterations = 1500;

    private static void Contract(string json)
    {
        var read = KaoheFile.Read(json);
        Assert.True((read.Assessment is null) == (read.Errors.Count > 0), "assessment xor errors");
        Assert.All(read.Errors, e =>
        {
            Assert.StartsWith("$", e.Path);
            Assert.False(string.IsNullOrWhiteSpace(e.Zh) || string.IsNullOrWhiteSpace(e.En), e.ToString());
        });
        if (read.Assessment is not { } a) return;
        var outcome = Engine.Score(a);
        Assert.True(outcome.IsValid, "accepted by the reader, refused by the engine: " + string.Join("; ", outcome.Errors));
        foreach (var u in outcome.Result!.Units)
        {
            Assert.True(double.IsFinite(u.Total), $"total of {u.Id} is {u.Total}");
            Assert.All(u.Values, v => Assert.True(double.IsFinite(v.Value), $"{u.Id}.{v.Key} = {v.Value}"));
        }
        var snapshot = SnapshotFile.Create(a, outcome.Result, new SnapshotMeta("s", 1, "t", "office", DateTimeOffset.UnixEpoch));
        Assert.True(SnapshotFile.Verify(snapshot).Ok);
        KaoheFile.ReadScheme(json);
    }

    private static readonly string[] HostileFormulas =
    [
        "", " ", "inv /", "inv / 0", "0 / 0", "inv - inv", "1 / (inv - inv)", "sum(inv) / sum(inv - inv)", "groupSum(1 / plan)",
        "inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv * inv",
        new string('(', 500) + "inv" + new string(')', 500), string.Concat(Enumerable.Repeat("-", 2000)) + "inv",
        string.Join("+", Enumerable.Repeat("inv", 250)), string.Join(" - ", Enumerable.Repeat("1", 333)), new string('(', 64) + "inv" + new string(')', 64),
        "sum(sum(inv))", "min(inv)", "unknown", "inv\u0000", "ｉｎｖ", "inv / plan )", "1e308", "9999999999999999999999999999999",
    ];

    private static readonly Gen<string> FormulaGen = Gen.OneOf(
        Gen.Int[0, HostileFormulas.Length - 1].Select(i => HostileFormulas[i]),
        Gen.Int[0, int.MaxValue].Select(seed => RandomFormulas.Text(new Random(seed), ["inv", "plan", "inv_ly", "started", "due"])),
        Gen.String);

    private static readonly JsonNode?[] HostileFigures =
        [JsonValue.Create(0), JsonValue.Create(-1e15), JsonValue.Create(1e15), JsonValue.Create(1e16), JsonValue.Create(5e-324), null, JsonValue.Create("1"), new JsonArray()];

    private static readonly Gen<JsonNode?> FigureGen = Gen.OneOf(
        Gen.Int[0, HostileFigures.Length - 1].Select(i => HostileFigures[i]),
        Gen.Double.Select(d => (JsonNode?)(double.IsFinite(d) ? JsonValue.Create(d) : null)));

    [Fact]
    public void Ex4_is_accepted()
    {
        Contract(V2Document.Text);
        Assert.True(KaoheFile.Read(V2Document.Text).IsValid);
    }

    [Fact]
    public void Formulas_and_figures_replaced_by_hostile_ones_never_throw()
    {
        var accepted = 0;
        Gen.Select(FormulaGen.Array[1, 3], Gen.Int[0, 3].Array[3], FigureGen.Array[0, 4], Gen.Int[0, 24].Array[4], (formulas, leaves, figures, at) =>
        {
            var doc = V2Document.Create();
            for (var i = 0; i < formulas.Length; i++) V2Document.Leaf(doc, 0, leaves[i])["formula"] = formulas[i];
            for (var i = 0; i < figures.Length; i++) doc["data"]![at[i]]!["value"] = figures[i]?.DeepClone();
            return doc.ToJsonString();
        }).Seeded(json =>
        {
            Contract(json);
            if (KaoheFile.Read(json).IsValid) Interlocked.Increment(ref accepted);
        }, iter: Iterations, threads: 1);
        Assert.InRange(accepted, 1, Iterations - 1);
    }

    [Fact]
    public void Structurally_mutated_version_2_documents_never_throw()
    {
        GeneratedDocumentFuzzTests.MutationGen.Array[1, 4].Select(m => GeneratedDocumentFuzzTests.Apply(V2Document.Text, m))
            .Seeded(Contract, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Byte_mutations_of_a_version_2_document_never_throw()
    {
        var text = V2Document.Text;
        Gen.Select(Gen.Int[0, int.MaxValue].Array[1, 8], Gen.Byte.Array[1, 8], (at, bytes) =>
        {
            var b = Encoding.UTF8.GetBytes(text);
            for (var i = 0; i < at.Length; i++) b[at[i] % b.Length] = bytes[i % bytes.Length];
            return b;
        }).Seeded(b =>
        {
            var read = KaoheFile.Read(b.AsMemory());
            Assert.True((read.Assessment is null) == (read.Errors.Count > 0));
            Contract(Encoding.UTF8.GetString(b));
        }, iter: Iterations, threads: 1);
    }
}
