using System.Xml.Linq;

namespace Kaohe.Web.Tests.Architecture;

/// <summary>
/// The reference rules of docs/architecture.md ("Projects"), read from the project files themselves: a
/// project may reference only what its row allows, and a new project needs a row before it builds green.
/// </summary>
public sealed class ProjectReferenceTests
{
    /// <summary>What each project may reference (by project name). The web host's tests are the only ones that reach the web project.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Kaohe.Scoring"] = [],
        ["Kaohe.Data"] = ["Kaohe.Scoring"],
        ["Kaohe.Data.Sqlite"] = ["Kaohe.Data"],
        ["Kaohe.Data.Postgres"] = ["Kaohe.Data"],
        ["Kaohe.Demo"] = ["Kaohe.Scoring", "Kaohe.Data"],
        ["Kaohe.Generate"] = ["Kaohe.Scoring", "Kaohe.Data", "Kaohe.Data.Sqlite", "Kaohe.Data.Postgres"],
        ["Kaohe.Cli"] = ["Kaohe.Scoring", "Kaohe.Data.Sqlite", "Kaohe.Data.Postgres", "Kaohe.Generate"],
        ["Kaohe.Web"] = ["Kaohe.Scoring", "Kaohe.Data", "Kaohe.Data.Sqlite", "Kaohe.Data.Postgres", "Kaohe.Demo"],
        ["Kaohe.Bench"] = ["Kaohe.Scoring", "Kaohe.Generate"],
        ["Kaohe.Load"] = [],
        ["Kaohe.Scoring.Tests"] = ["Kaohe.Scoring"],
        ["Kaohe.Cli.Tests"] = ["Kaohe.Cli", "Kaohe.Generate"],
        ["Kaohe.Web.Tests"] = ["Kaohe.Web", "Kaohe.Cli"],
        ["Kaohe.Demo.Tests"] = ["Kaohe.Web"],
        ["Kaohe.E2E"] = ["Kaohe.Web", "Kaohe.Cli"],
        ["Kaohe.Reliability"] = ["Kaohe.Web"],
    };

    private static readonly string[] WebTests = ["Kaohe.Web.Tests", "Kaohe.Demo.Tests", "Kaohe.E2E", "Kaohe.Reliability"];

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Kaohe.sln"))) return dir.FullName;
        throw new InvalidOperationException("Kaohe.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Every project of the repository with the projects it references directly.</summary>
    public static Dictionary<string, string[]> References()
    {
        var root = Root();
        return new[] { "src", "tests", "bench" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*.csproj", SearchOption.AllDirectories))
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(s => s is "bin" or "obj"))
            .ToDictionary(
                p => Path.GetFileNameWithoutExtension(p),
                p => XDocument.Load(p).Descendants("ProjectReference")
                    .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
                    .Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void Every_project_references_only_what_its_row_allows()
    {
        var projects = References();
        Assert.Contains("Kaohe.Data", projects.Keys);
        var unknown = projects.Keys.Except(Allowed.Keys).ToList();
        Assert.True(unknown.Count == 0, $"projects without a rule in docs/architecture.md and this test: {string.Join(", ", unknown)}");
        var breaches = projects.SelectMany(p => p.Value.Except(Allowed[p.Key]).Select(r => $"{p.Key} → {r}")).ToList();
        Assert.True(breaches.Count == 0, $"references the rules forbid: {string.Join("; ", breaches)}");
    }

    [Fact]
    public void Nothing_but_the_web_hosts_tests_references_the_web_project_and_the_engine_references_nothing()
    {
        var projects = References();
        Assert.Empty(projects["Kaohe.Scoring"]);
        Assert.Equal(["Kaohe.Scoring"], projects["Kaohe.Scoring.Tests"]);
        var reachWeb = projects.Where(p => p.Value.Contains("Kaohe.Web")).Select(p => p.Key).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(WebTests.Order(StringComparer.Ordinal).ToArray(), reachWeb);
        // Migrations live with their provider's context, never in the web host.
        var root = Root();
        Assert.False(Directory.Exists(Path.Combine(root, "src", "Kaohe.Web", "Data")), "src/Kaohe.Web/Data is back: entities and migrations belong to Kaohe.Data*");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(root, "src", "Kaohe.Data.Sqlite", "Migrations"), "*_Initial.cs"));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(root, "src", "Kaohe.Data.Postgres", "Migrations"), "*_Initial.cs"));
    }
}
