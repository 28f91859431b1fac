using System.Text.RegularExpressions;

namespace Kaohe.Web.Tests.Architecture;

/// <summary>
/// Authorization by resource (docs/architecture.md): "may this person read or change this unit's thing" is decided by
/// the resource's handler, a <c>*Authorization.cs</c> file of its feature, never by a page or an endpoint comparing the
/// person's unit claim (<c>UnitId()</c>) with a resource's unit (<c>x.UnitId</c>, a task's <c>Assessor</c>). Using the
/// person's own unit as a parameter (<c>unit ?? user.UnitId()</c>, <c>User.UnitId() is { } me</c>) is not such a comparison.
/// </summary>
public sealed partial class UnitComparisonTests
{
    /// <summary>Files that still compare, each with its reason: none of them holds a unit-scoped resource of issue 19's list.</summary>
    private static readonly Dictionary<string, string> Kept = new()
    {
        // 问责 (accountability cases), cause analyses' comments and good practices: Insight's own rules, not a resource kind of issue 19.
        ["Features/Insight/Accountability.cs"] = "accountability",
    };

    /// <summary>A resource's unit: a property <c>UnitId</c> or <c>Assessor</c> (not the claim's method <c>UnitId()</c>).</summary>
    private const string ResourceUnit = @"\b\w+\.(?:UnitId|Assessor)\b(?!\s*\()";

    [GeneratedRegex(@"\b(?:var|string\??)\s+(?<v>\w+)\s*=\s*\w+\.UnitId\(\)\s*;")]
    private static partial Regex ClaimVariable();

    /// <summary>The comparisons of <paramref name="claim"/> (a regex) with a resource's unit, either way round.</summary>
    private static Regex Comparison(string claim) =>
        new($@"(?:{ResourceUnit}\s*[!=]=\s*(?:{claim}))|(?:(?:{claim})\s*[!=]=\s*{ResourceUnit})");

    private static string SourceRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Kaohe.sln"))) root = root.Parent;
        Assert.NotNull(root);
        return Path.Combine(root!.FullName, "src", "Kaohe.Web");
    }

    /// <summary>The lines of one file that compare a unit claim with a resource's unit.</summary>
    public static IEnumerable<string> Comparisons(string text)
    {
        var claims = new List<string> { @"\b\w+\.UnitId\(\)" };
        claims.AddRange(ClaimVariable().Matches(text).Select(m => $@"\b{Regex.Escape(m.Groups["v"].Value)}\b(?!\.)"));
        var comparison = Comparison(string.Join("|", claims));
        return text.Split('\n').Select((line, i) => (line, i)).Where(x => comparison.IsMatch(x.line)).Select(x => $"{x.i + 1}: {x.line.Trim()}");
    }

    private static bool IsHandler(string path) =>
        path.StartsWith("Features/", StringComparison.Ordinal) && path.EndsWith("Authorization.cs", StringComparison.Ordinal)
        || path == "Infrastructure/UnitAuthorization.cs";

    [Fact]
    public void No_page_or_endpoint_compares_a_unit_claim_with_a_resources_unit()
    {
        var web = SourceRoot();
        var found = Directory.EnumerateFiles(web, "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(s => s is "bin" or "obj"))
            .Select(p => (Path: Path.GetRelativePath(web, p).Replace('\\', '/'), Text: File.ReadAllText(p)))
            .Where(f => !IsHandler(f.Path) && !Kept.ContainsKey(f.Path))
            .SelectMany(f => Comparisons(f.Text).Select(c => $"{f.Path}:{c}"))
            .ToList();
        Assert.True(found.Count == 0, "ask the resource's handler (IAuthorizationService, UnitOperations) instead of comparing units here:\n" + string.Join("\n", found));
    }

    [Fact]
    public void The_handlers_are_where_the_comparisons_are()
    {
        // The check above would pass on a tree without any comparison left; this one says the rules did not vanish but moved.
        var web = SourceRoot();
        var handlers = Directory.EnumerateFiles(Path.Combine(web, "Features"), "*Authorization.cs", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(web, p).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
        [
            "Features/Adjustments/AdjustmentAuthorization.cs", "Features/Collection/UnitReportAuthorization.cs", "Features/Facts/FactAuthorization.cs",
            "Features/Inspections/InspectionFindingAuthorization.cs", "Features/Publication/AppealAuthorization.cs",
            "Features/Rectification/NotificationAuthorization.cs", "Features/Rectification/RectificationItemAuthorization.cs",
            "Features/Targets/TargetLetterAuthorization.cs",
        ], handlers);
    }

    [Theory]
    [InlineData("if (actor == Actor.Unit && item.UnitId != user.UnitId()) return;", true)]
    [InlineData("public bool OwnUnit => Role == Roles.Unit && User.UnitId() == Item.UnitId;", true)]
    [InlineData("var unit = user.UnitId();\nreturn items.Where(i => i.UnitId == unit);", true)]
    [InlineData("if (task is null || user.UnitId() == task.Assessor) return;", true)]
    [InlineData("var (s, e) = await reporting.SheetAsync(user, period, unit ?? user.UnitId() ?? \"\", ct);", false)]
    [InlineData("if (User.UnitId() is { } unit) MyUnit = await db.Units.FirstOrDefaultAsync(u => u.Id == unit);", false)]
    [InlineData("if (user.IsInRole(Roles.Unit) && unit is not null && unit != user.UnitId()) return;", false)]
    public void The_check_sees_a_comparison_and_leaves_a_parameter(string code, bool compares) =>
        Assert.Equal(compares, Comparisons(code).Any());
}
