using System.Text.Json.Nodes;
using Kaohe.Scoring.FileFormat;

using Kaohe.Scoring;

namespace Kaohe.Cli.Tests.Results;

public class SnapshotTests
{
    private static string ExamplePath(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Kaohe.sln"))) dir = dir.Parent;
        var copy = Path.Combine(dir!.FullName, "tests", "Kaohe.Scoring.Tests", "Examples", name);
        return File.Exists(copy) ? copy : Path.Combine(dir.Parent!.FullName, "shared", "examples", name);
    }

    private static (Assessment Input, string Snapshot) Publish()
    {
        var read = V1File.Read(File.ReadAllText(ExamplePath("ex3-affiliated-units.json")));
        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        var result = Engine.Score(read.Assessment!).Result!;
        var meta = new SnapshotMeta("2023-Q1-affiliated", 1, "2023年第一季度厅属单位考核结果", "office", new DateTimeOffset(2023, 4, 20, 2, 0, 0, TimeSpan.Zero));
        return (read.Assessment!, SnapshotFile.Create(read.Assessment!, result, meta));
    }

    [Fact]
    public void A_published_snapshot_verifies()
    {
        var check = SnapshotFile.Verify(Publish().Snapshot);
        Assert.True(check.Ok, string.Join("\n", check.Problems));
        Assert.Matches("^[0-9a-f]{64}$", check.InputSha256);
    }

    [Fact]
    public void A_changed_input_value_fails_verification_on_the_input_hash()
    {
        var node = JsonNode.Parse(Publish().Snapshot)!;
        node["input"]!["values"]![0]!["value"] = 49;
        var check = SnapshotFile.Verify(node.ToJsonString());
        Assert.False(check.Ok);
        Assert.Contains(check.Problems, p => p.Path == "$.inputSha256");
    }

    [Fact]
    public void A_changed_published_total_fails_verification_on_the_result()
    {
        var node = JsonNode.Parse(Publish().Snapshot)!;
        node["result"]!["units"]![2]!["criticized"] = false;
        var check = SnapshotFile.Verify(node.ToJsonString());
        Assert.False(check.Ok);
        Assert.Contains(check.Problems, p => p.Path == "$.resultSha256");
    }

    [Fact]
    public void The_cli_verifies_a_snapshot_and_rejects_a_tampered_one()
    {
        var (_, snapshot) = Publish();
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, snapshot);
            var (code, stdout, _) = Cli("verify", file);
            Assert.Equal(0, code);
            Assert.Contains("核验通过", stdout);

            File.WriteAllText(file, snapshot.Replace("\"value\": 46", "\"value\": 50"));
            var (bad, badOut, stderr) = Cli("verify", file);
            Assert.Equal(2, bad);
            Assert.Equal("", badOut);
            Assert.Contains("$.inputSha256", stderr);
        }
        finally { File.Delete(file); }
    }

    private static (int Code, string Stdout, string Stderr) Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = Kaohe.Cli.Program.Run(args, new StringReader(""), stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
