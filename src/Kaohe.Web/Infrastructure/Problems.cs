using Microsoft.AspNetCore.Http.HttpResults;

namespace Kaohe.Web.Infrastructure;

/// <summary>Expected failures as ProblemDetails in the user's language, each naming its field, row or path.</summary>
public static class Problems
{
    public static ProblemHttpResult BadRequest(string zh, string en, IDictionary<string, string[]>? errors = null) =>
        Problem(StatusCodes.Status400BadRequest, Ui.T("请求有误", "Bad request"), Ui.T(zh, en), errors);

    public static ProblemHttpResult NotFound(string zh, string en) =>
        Problem(StatusCodes.Status404NotFound, Ui.T("未找到", "Not found"), Ui.T(zh, en));

    public static ProblemHttpResult Forbidden(string zh, string en) =>
        Problem(StatusCodes.Status403Forbidden, Ui.T("无权访问", "Forbidden"), Ui.T(zh, en));

    public static ProblemHttpResult Conflict(string zh, string en) =>
        Problem(StatusCodes.Status409Conflict, Ui.T("冲突", "Conflict"), Ui.T(zh, en));

    /// <summary>Engine validation errors: one entry per JSON path.</summary>
    public static ProblemHttpResult Invalid(IEnumerable<Kaohe.Scoring.ValidationError> errors) =>
        BadRequest("文件有误，未保存任何内容", "The file is invalid; nothing was stored",
            errors.GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Select(e => Ui.T(e.Zh, e.En)).ToArray()));

    public static ProblemHttpResult Problem(int status, string title, string detail, IDictionary<string, string[]>? errors = null)
    {
        var extensions = new Dictionary<string, object?>();
        if (errors is not null) extensions["errors"] = errors;
        return TypedResults.Problem(detail, statusCode: status, title: title, extensions: extensions);
    }
}
