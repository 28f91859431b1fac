using Kaohe.Scoring.Tests.Support;
using CliProgram = Kaohe.Cli.Program;

using Kaohe.Scoring;

namespace Kaohe.Cli.Tests.Cli;

/// <summary>
/// <c>kaohe score</c> (JSON and table) and <c>kaohe explain</c> on the version 1 examples, byte for
/// byte as recorded before version 2 of the file and the fast reader existed (Cli/Golden): a
/// published result must not change its text because the engine learned something new.
/// </summary>
public class GoldenOutputTests
{
    private static string Golden(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Cli", "Golden", name));

    private static string Kaohe(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = CliProgram.Run(args, new StringReader(""), stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        return stdout.ToString();
    }

    public static TheoryData<string> Examples => ExampleFiles.InputData();

    [Theory]
    [MemberData(nameof(Examples))]
    public void Score_prints_the_recorded_json_byte_for_byte(string name) =>
        Assert.Equal(Golden(name.Replace(".json", ".score.json")), Kaohe("score", ExampleFiles.PathOf(name)));

    [Theory]
    [MemberData(nameof(Examples))]
    public void Score_prints_the_recorded_table_byte_for_byte(string name) =>
        Assert.Equal(Golden(name.Replace(".json", ".table.txt")), Kaohe("score", ExampleFiles.PathOf(name), "--format", "table"));

    [Fact]
    public void Explain_prints_the_recorded_breakdown_byte_for_byte() =>
        Assert.Equal(Golden("ex3-affiliated-units.explain-kjzx.txt"), Kaohe("explain", ExampleFiles.PathOf("ex3-affiliated-units.json"), "--unit", "kjzx"));
}
