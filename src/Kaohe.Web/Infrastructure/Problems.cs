using Microsoft.AspNetCore.Http.HttpResults;

namespace Kaohe.Web.Infrastructure;

/// <summary>Expected failures as ProblemDetails in the user's language, each naming its field, row or path.</summary>
public static class Problems
{
    /// <summary>
    /// The title of every expected failure by its status: the one table, so that a 409 reads the same
    /// wherever it comes from (features map their failure records through <see cref="Problem(int, string, IDictionary{string, string[]}?)"/>).
    /// </summary>
    public static string TitleOf(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => Ui.T("需要登录", "Sign-in required"),
        StatusCodes.Status403Forbidden => Ui.T("无权操作", "Forbidden"),
        StatusCodes.Status404NotFound => Ui.T("未找到", "Not found"),
        StatusCodes.Status409Conflict => Ui.T("当前状态不允许此操作", "Not allowed in the current state"),
        StatusCodes.Status413PayloadTooLarge => Ui.T("文件过大", "Too large"),
        StatusCodes.Status415UnsupportedMediaType => Ui.T("文件类型不支持", "Unsupported file type"),
        StatusCodes.Status429TooManyRequests => Ui.T("请求过于频繁", "Too many requests"),
        _ => Ui.T("请求有误", "Bad request"),
    };

    public static ProblemHttpResult BadRequest(string zh, string en, IDictionary<string, string[]>? errors = null) =>
        Problem(StatusCodes.Status400BadRequest, Ui.T(zh, en), errors);

    public static ProblemHttpResult NotFound(string zh, string en) => Problem(StatusCodes.Status404NotFound, Ui.T(zh, en));

    public static ProblemHttpResult Forbidden(string zh, string en) => Problem(StatusCodes.Status403Forbidden, Ui.T(zh, en));

    public static ProblemHttpResult Conflict(string zh, string en) => Problem(StatusCodes.Status409Conflict, Ui.T(zh, en));

    /// <summary>Engine validation errors: one entry per JSON path.</summary>
    public static ProblemHttpResult Invalid(IEnumerable<Kaohe.Scoring.ValidationError> errors) =>
        BadRequest("文件有误，未保存任何内容", "The file is invalid; nothing was stored",
            errors.GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Select(e => Ui.T(e.Zh, e.En)).ToArray()));

    /// <summary>
    /// A write the period's stage does not allow (Data/PeriodStages.cs): 409, the message naming period,
    /// category and stage, and <c>code</c> "period-stage" with <c>period</c>, <c>category</c> and <c>stage</c>
    /// for clients; <paramref name="field"/> names the request field that chose the period.
    /// </summary>
    public static ProblemHttpResult Stage(Data.StageRefusal r, string? field = null) =>
        TypedResults.Problem(Ui.T(r.Zh, r.En), statusCode: StatusCodes.Status409Conflict, title: Ui.T("考核期当前阶段不允许此修改", "The period's stage does not allow this change"),
            extensions: StageExtensions(r, field));

    public static Dictionary<string, object?> StageExtensions(Data.StageRefusal r, string? field = null)
    {
        var (zh, en) = Data.PeriodStages.Name(r.Stage, r.ScoringClosed);
        var extensions = new Dictionary<string, object?>
        {
            ["code"] = StageCode, ["period"] = r.PeriodId, ["category"] = r.Category, ["stage"] = r.Stage.ToString(), ["scoringClosed"] = r.ScoringClosed,
            ["stageName"] = Ui.T(zh, en),
        };
        if (field is not null) extensions["errors"] = new Dictionary<string, string[]> { [field] = [Ui.T(r.Zh, r.En)] };
        return extensions;
    }

    /// <summary>The <c>code</c> of every stage refusal's problem.</summary>
    public const string StageCode = "period-stage";

    /// <summary>An expected failure with the title of its status (<see cref="TitleOf"/>).</summary>
    public static ProblemHttpResult Problem(int status, string detail, IDictionary<string, string[]>? errors = null) =>
        Problem(status, TitleOf(status), detail, errors);

    /// <summary>The rare failure whose title says more than its status (a whole batch refused, a stage refusal).</summary>
    public static ProblemHttpResult Problem(int status, string title, string detail, IDictionary<string, string[]>? errors = null)
    {
        var extensions = new Dictionary<string, object?>();
        if (errors is not null) extensions["errors"] = errors;
        return TypedResults.Problem(detail, statusCode: status, title: title, extensions: extensions);
    }
}
