using System.Text.RegularExpressions;

namespace Kaohe.Web.Tests.Architecture;

/// <summary>
/// Errors as values, mapped once (docs/architecture.md, "Errors as values"): a feature returns
/// <c>Infrastructure/Failure.cs</c> for an expected failure, and no feature grows its own failure record
/// with a status and a message in two languages, nor its own status→title table.
/// </summary>
public sealed partial class FailureTypeTests
{
    /// <summary>Records that may keep their own shape, each with its reason.</summary>
    private static readonly Dictionary<string, string> Kept = new()
    {
        // The one type.
        ["Failure"] = "Infrastructure/Failure.cs",
        // Carries, beside the message, who is missing what for the what-if page (Results.Unfinished).
        ["WhatIfFailure"] = "Features/Insight/WhatIf.cs",
        // The upload guard's verdict on a file (size, zip, formula cells), which each import words as its own Failure or job error.
        ["XlsxRefusal"] = "Infrastructure/XlsxGuard.cs",
    };

    [GeneratedRegex(@"record\s+(?<name>\w*(?:Failure|Error|Refusal))\s*\((?<params>[^)]*)\)")]
    private static partial Regex FailureRecord();

    [GeneratedRegex(@"StatusCodes\.Status409Conflict\s*=>\s*Ui\.T\(")]
    private static partial Regex TitleSwitch();

    private static IEnumerable<(string Path, string Text)> WebSources()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Kaohe.sln"))) root = root.Parent;
        Assert.NotNull(root);
        var web = Path.Combine(root!.FullName, "src", "Kaohe.Web");
        return Directory.EnumerateFiles(web, "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(s => s is "bin" or "obj"))
            .Select(p => (Path.GetRelativePath(web, p).Replace('\\', '/'), File.ReadAllText(p)));
    }

    [Fact]
    public void No_feature_declares_its_own_failure_record_with_a_bilingual_message()
    {
        var own = WebSources()
            .SelectMany(f => FailureRecord().Matches(f.Text).Select(m => (f.Path, Name: m.Groups["name"].Value, Params: m.Groups["params"].Value)))
            .Where(r => r.Params.Contains("string Zh") && r.Params.Contains("string En"))
            .Where(r => !(Kept.TryGetValue(r.Name, out var path) && path == r.Path))
            .Select(r => $"{r.Path}: record {r.Name}")
            .ToList();
        Assert.True(own.Count == 0, "return Infrastructure/Failure.cs instead of a feature's own failure record:\n" + string.Join("\n", own));
    }

    [Fact]
    public void Only_Problems_maps_a_status_to_its_title()
    {
        var tables = WebSources().Where(f => TitleSwitch().IsMatch(f.Text)).Select(f => f.Path).ToList();
        Assert.Equal(["Infrastructure/Problems.cs"], tables);
    }
}
