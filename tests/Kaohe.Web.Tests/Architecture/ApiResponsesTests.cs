using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Architecture;

/// <summary>
/// Typed results document the API (docs/architecture.md, "Errors as values"): a handler under /api/v1
/// names its success shapes in its return type (<c>Results&lt;Ok&lt;T&gt;, …, ProblemHttpResult&gt;</c>)
/// and its failure statuses on the route (<c>ProducesFailures</c>), so the OpenAPI document says what
/// each operation answers.
/// </summary>
internal static class ApiResponses
{
    /// <summary>
    /// Handlers allowed to return a bare IResult, each with the reason: only where a typed union is truly
    /// impossible. None today (the last four were typed when the survey door and the analyses' APIs landed).
    /// </summary>
    public static readonly Dictionary<string, string> Pending = [];

    /// <summary>The same handlers by their routes (method and path of the OpenAPI document).</summary>
    public static readonly HashSet<string> PendingRoutes = [];
}

public sealed partial class TypedResultsTests
{
    /// <summary>A method or lambda that returns <c>IResult</c> (or a task of it): the name before its parameters, if any.</summary>
    [GeneratedRegex(@"\bIResult\b\??>?\s*(?<name>\w+)?\s*[(<]")]
    private static partial Regex UntypedReturn();

    /// <summary>The untyped factories (<c>Results.Ok</c>, <c>Results.File</c>, …), also through an alias of <c>Microsoft.AspNetCore.Http.Results</c>.</summary>
    [GeneratedRegex(@"(?<![\w.])(?:Microsoft\.AspNetCore\.Http\.)?Results\.(?<factory>[A-Z]\w*)\b|using\s+\w+\s*=\s*Microsoft\.AspNetCore\.Http\.Results\s*;")]
    private static partial Regex UntypedFactory();

    [GeneratedRegex(@"\.Map(?:Get|Post|Put|Delete|Patch)\(")]
    private static partial Regex MapsRoutes();

    private static IEnumerable<(string Path, string Text)> ApiSources()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Kaohe.sln"))) root = root.Parent;
        Assert.NotNull(root);
        var web = Path.Combine(root!.FullName, "src", "Kaohe.Web");
        return Directory.EnumerateFiles(Path.Combine(web, "Features"), "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(s => s is "bin" or "obj"))
            .Select(p => (Path.GetRelativePath(web, p).Replace('\\', '/'), File.ReadAllText(p)))
            .Where(f => MapsRoutes().IsMatch(f.Item2));
    }

    [Fact]
    public void No_api_handler_returns_a_bare_IResult()
    {
        var sources = ApiSources().ToList();
        Assert.True(sources.Count >= 15, $"only {sources.Count} files map API routes");
        var found = new List<string>();
        foreach (var (path, text) in sources)
        {
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                if (line.TrimStart().StartsWith("//", StringComparison.Ordinal) || line.TrimStart().StartsWith("///", StringComparison.Ordinal)) continue;
                foreach (Match m in UntypedReturn().Matches(line))
                {
                    var key = $"{path}: {(m.Groups["name"].Success ? m.Groups["name"].Value : "lambda")}";
                    if (!ApiResponses.Pending.ContainsKey(key)) found.Add($"{path}:{i + 1}: returns IResult: {line.Trim()}");
                }
                foreach (Match m in UntypedFactory().Matches(line))
                    found.Add($"{path}:{i + 1}: untyped factory {m.Value}: {line.Trim()}");
            }
        }
        Assert.True(found.Count == 0, "name the success shapes and ProblemHttpResult (Results<Ok<T>, …, ProblemHttpResult>, TypedResults.*):\n" + string.Join("\n", found));
    }
}

/// <summary>The OpenAPI document of the running application says what every /api/v1 operation answers.</summary>
public sealed class OpenApiResponsesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private async Task<List<(string Route, JsonElement Responses)>> OperationsAsync()
    {
        using var anon = app.Anonymous();
        var doc = await anon.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var ops = new List<(string, JsonElement)>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/v1/", StringComparison.Ordinal)))
            foreach (var op in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "patch" or "delete"))
                ops.Add(($"{op.Name.ToUpperInvariant()} {path.Name}", op.Value.GetProperty("responses")));
        Assert.True(ops.Count >= 140, $"only {ops.Count} operations under /api/v1");
        return ops;
    }

    [Fact]
    public async Task Every_operation_documents_a_success_with_its_schema_or_file()
    {
        var missing = new List<string>();
        foreach (var (route, responses) in await OperationsAsync())
        {
            if (ApiResponses.PendingRoutes.Contains(route)) continue;
            var described = responses.EnumerateObject().Any(r => r.Name.StartsWith('2') && (r.Name == "204"
                || (r.Value.TryGetProperty("content", out var content) && content.EnumerateObject().Any(c => c.Value.TryGetProperty("schema", out _)))));
            if (!described) missing.Add($"{route}: {string.Join(", ", responses.EnumerateObject().Select(r => r.Name))}");
        }
        Assert.True(missing.Count == 0, "no 2xx response with a schema, a file or 204 (type the handler's Results<…>, or .ProducesFile):\n" + string.Join("\n", missing));
    }

    [Fact]
    public async Task Every_failure_the_document_lists_is_a_problem_details()
    {
        var wrong = new List<string>();
        var failures = 0;
        foreach (var (route, responses) in await OperationsAsync())
            foreach (var r in responses.EnumerateObject().Where(r => r.Name[0] is '4' or '5'))
            {
                failures++;
                if (!(r.Value.TryGetProperty("content", out var content) && content.TryGetProperty("application/problem+json", out _)))
                    wrong.Add($"{route} {r.Name}");
            }
        Assert.True(failures >= 250, $"only {failures} failure responses documented");
        Assert.True(wrong.Count == 0, "a failure documented without application/problem+json:\n" + string.Join("\n", wrong));
    }

    /// <summary>A handler that can answer a ProblemHttpResult declares which statuses (ProducesFailures), so that the document lists them.</summary>
    [Fact]
    public void Every_handler_that_can_fail_declares_its_failure_statuses()
    {
        var undeclared = new List<string>();
        var checkedCount = 0;
        foreach (var e in app.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
                     .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1/", StringComparison.Ordinal) == true))
        {
            var method = e.Metadata.GetMetadata<MethodInfo>();
            if (method is null || !CanFail(method.ReturnType)) continue;
            var route = $"{e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.FirstOrDefault()} {e.RoutePattern.RawText}";
            if (ApiResponses.PendingRoutes.Contains(route)) continue;
            checkedCount++;
            if (!e.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>().Any(p => p.StatusCode >= 400))
                undeclared.Add(route);
        }
        Assert.True(checkedCount >= 80, $"only {checkedCount} handlers return a ProblemHttpResult");
        Assert.True(undeclared.Count == 0, "returns ProblemHttpResult but declares no failure status (.ProducesFailures(...)):\n" + string.Join("\n", undeclared));
    }

    private static bool CanFail(Type t)
    {
        if (t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(Task<>) || t.GetGenericTypeDefinition() == typeof(ValueTask<>))) t = t.GetGenericArguments()[0];
        return t == typeof(ProblemHttpResult) || (t.IsGenericType && t.Name.StartsWith("Results`", StringComparison.Ordinal) && t.GetGenericArguments().Contains(typeof(ProblemHttpResult)));
    }
}
