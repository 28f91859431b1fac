namespace Kaohe.Scoring.Tests.Support;

/// <summary>The worked examples of shared/examples, copied into this project's Examples folder.</summary>
public static class ExampleFiles
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Examples");

    public static string PathOf(string name) => Path.Combine(Directory, name);

    public static string Text(string name) => File.ReadAllText(PathOf(name));

    /// <summary>Names of the input files (NAME.json without the .expected.json results).</summary>
    public static IEnumerable<string> Inputs() =>
        System.IO.Directory.GetFiles(Directory, "*.json")
            .Select(Path.GetFileName)
            .Where(n => !n!.EndsWith(".expected.json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)!;

    public static TheoryData<string> InputData()
    {
        var data = new TheoryData<string>();
        foreach (var n in Inputs()) data.Add(n);
        return data;
    }
}
