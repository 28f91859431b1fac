using Microsoft.AspNetCore.Http.HttpResults;

namespace Kaohe.Web.Infrastructure;

/// <summary>
/// The failures an endpoint answers, for its OpenAPI responses. A handler's success shapes are in its
/// return type (<c>Results&lt;Ok&lt;T&gt;, …, ProblemHttpResult&gt;</c>); <see cref="ProblemHttpResult"/> says
/// nothing about its status, so a route names the kinds of <see cref="Failure"/> it can answer here, each
/// documented as a ProblemDetails body (<c>application/problem+json</c>).
/// </summary>
public static class FailureResponses
{
    public static RouteHandlerBuilder ProducesFailures(this RouteHandlerBuilder builder, params FailureKind[] kinds)
    {
        foreach (var kind in kinds) builder.ProducesProblem((int)kind);
        return builder;
    }

    /// <summary>A file download (a <see cref="FileContentHttpResult"/> or a stream): 200 with its content type.</summary>
    public static RouteHandlerBuilder ProducesFile(this RouteHandlerBuilder builder, string contentType, params string[] more) =>
        builder.Produces(StatusCodes.Status200OK, typeof(Stream), contentType, more);
}
