using System.Text;
using System.Text.Json.Nodes;
using Kaohe.Generate;
using Kaohe.Scoring.FileFormat;

using Kaohe.Scoring;
using Kaohe.Scoring.Tests.Support;
using Kaohe.Scoring.Tests.V2;

namespace Kaohe.Cli.Tests.Fuzz;

/// <summary>
/// A long values array is read by two threads (AssessmentReader.Values): the second starts at an entry
/// near the middle. On the national file, compact and indented, that split must be taken and give the
/// one-reader result byte for byte; a broken second half must leave the errors exactly as one reader
/// reports them. A result of many units is written by two threads (AssessmentWriter.WriteResultUtf8):
/// byte for byte what one writer writes.
/// </summary>
public class TwoThreadTests
{
    private static readonly Lazy<(string Compact, string Indented)> National = new(() =>
    {
        var indented = KaoheFile.Write(new NationalWorkload().Assessment);
        return (JsonNode.Parse(indented)!.ToJsonString(), indented);
    });

    private static (ReadResult Read, bool TwoThreads) Read(string json, int parallelBytes)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var errors = new List<ValidationError>();
        var a = AssessmentReader.Read(bytes, KaoheFile.LatestVersion, schemeOnly: false, errors, parallelBytes, out var twoThreads);
        return (new ReadResult(errors.Count == 0 ? a : null, errors), twoThreads);
    }

    [Fact]
    public void The_national_file_is_read_by_two_threads_to_the_same_assessment()
    {
        foreach (var json in new[] { National.Value.Compact, National.Value.Indented })
        {
            var (two, used) = Read(json, AssessmentReader.ParallelBytes);
            Assert.True(used, "the values were not split");
            var (one, _) = Read(json, int.MaxValue);
            Assert.True(two.IsValid && one.IsValid);
            Assert.Equal(KaoheFile.Write(one.Assessment!), KaoheFile.Write(two.Assessment!));
            Assert.Equal(228_000, two.Assessment!.Values.Count);
        }
    }

    [Theory]
    [InlineData("\"value\":", "\"valeu\":")]         // an unknown member
    [InlineData("\"unit\":\"u2", "\"unit\":\"x2")]   // an unknown unit
    [InlineData("\"value\":", "\"value\":\"")]       // broken JSON
    [InlineData("},{", "}, /* note */ {")]          // a comment between entries
    public void A_broken_second_half_gives_the_errors_of_one_reader(string find, string replace)
    {
        var json = National.Value.Compact;
        var at = json.IndexOf(find, json.Length * 3 / 4, StringComparison.Ordinal);
        Assert.True(at > 0);
        var broken = json[..at] + replace + json[(at + find.Length)..];
        var (two, _) = Read(broken, AssessmentReader.ParallelBytes);
        var (one, _) = Read(broken, int.MaxValue);
        Assert.Equal(one.Errors.Select(e => e.ToString()), two.Errors.Select(e => e.ToString()));
        Assert.Equal(one.IsValid, two.IsValid);
    }

    [Theory]
    [InlineData("x,{\"unit\":1}", 2)]
    [InlineData("x , \n { \"unit\" \t: 1}", 6)]
    [InlineData("x,{\"units\":1}", -1)]
    [InlineData("x{\"unit\":1}", -1)]
    [InlineData("x,{\"unit\"1}", -1)]
    public void An_entry_start_is_a_brace_after_a_comma_before_unit(string text, int expected) =>
        Assert.Equal(expected, AssessmentReader.EntryStartAfter(Encoding.UTF8.GetBytes(text), 0));

    private static string OneWriter(AssessmentResult r) => Encoding.UTF8.GetString(AssessmentWriter.WriteUtf8(w => AssessmentWriter.WriteResult(w, r)).Span);

    private static string TwoWriters(AssessmentResult r, int parallelUnits) => Encoding.UTF8.GetString(AssessmentWriter.WriteResultUtf8(r, parallelUnits).Span);

    [Fact]
    public void Two_writers_write_the_national_result_byte_for_byte_as_one()
    {
        var plain = Engine.Score(new NationalWorkload().Assessment).Result!;
        Assert.Equal(OneWriter(plain), TwoWriters(plain, AssessmentWriter.ParallelUnits));
        var formulas = Engine.Score(new NationalWorkload(formulas: true).Assessment).Result!; // version 2, with "values"
        var text = TwoWriters(formulas, AssessmentWriter.ParallelUnits);
        Assert.Equal(OneWriter(formulas), text);
        Assert.Contains("\"values\": {", text);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Two_writers_write_every_example_as_one_whatever_the_split(string path)
    {
        var r = KaoheFile.Read(File.ReadAllText(path)).Score();
        foreach (var parallelUnits in new[] { 2, 3, 4 }) Assert.Equal(OneWriter(r), TwoWriters(r, parallelUnits));
    }

    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var name in ExampleFiles.Inputs()) data.Add(ExampleFiles.PathOf(name));
        data.Add(V2Document.PathOf(V2Document.Name));
        return data;
    }
}
