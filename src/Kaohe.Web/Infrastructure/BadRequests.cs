using Microsoft.AspNetCore.Diagnostics;

namespace Kaohe.Web.Infrastructure;

/// <summary>
/// A request the framework could not bind (malformed JSON, a wrong type, a body too large) is the
/// client's mistake: a 4xx ProblemDetails naming what was wrong, never a 500. So is an upload the
/// attachment store refused (<see cref="UploadRejectedException"/>). A write the period's stage refuses
/// (<see cref="Data.PeriodStageException"/>) is a 409 with the stage problem.
/// </summary>
public sealed class BadRequests(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (exception is UploadRejectedException upload)
        {
            context.Response.StatusCode = upload.Status;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = upload.Status, Title = Ui.T("文件未接收", "File not accepted"), Detail = Ui.T(upload.Zh, upload.En) },
                Exception = exception,
            });
        }
        if (exception is Data.PeriodStageException stage)
        {
            context.Response.StatusCode = StatusCodes.Status409Conflict;
            var problem = Problems.Stage(stage.Refusal).ProblemDetails;
            return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
        }
        if (exception is Data.FieldTooLongException tooLong)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            var message = tooLong.Nul
                ? Ui.T($"“{tooLong.Field}”含有空字符（U+0000），未保存任何内容", $"{tooLong.Field} contains a NUL character (U+0000); nothing was saved")
                : Ui.T($"“{tooLong.Field}”不能超过 {tooLong.MaxLength} 个字（现有 {tooLong.Length} 个），未保存任何内容",
                    $"{tooLong.Field} can be at most {tooLong.MaxLength} characters long (it has {tooLong.Length}); nothing was saved");
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new Microsoft.AspNetCore.Mvc.ValidationProblemDetails(new Dictionary<string, string[]> { [tooLong.Field] = [message] })
                {
                    Status = StatusCodes.Status400BadRequest, Title = tooLong.Nul ? Ui.T("内容无效", "Invalid text") : Ui.T("内容过长", "Text too long"), Detail = message,
                },
                Exception = exception,
            });
        }
        if (exception is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.CharacterNotInRepertoire })
        {
            // A NUL in a text the request looks something up by (a period, a unit): PostgreSQL cannot even compare it (SQLite can).
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = StatusCodes.Status400BadRequest, Title = Ui.T("内容无效", "Invalid text"),
                    Detail = Ui.T("请求中含有空字符（U+0000），未处理", "the request contains a NUL character (U+0000); nothing was done") },
                Exception = exception,
            });
        }
        if (exception is not BadHttpRequestException bad) return false;
        context.Response.StatusCode = bad.StatusCode;
        var detail = bad.InnerException is System.Text.Json.JsonException json
            ? Ui.T($"JSON 无效：{json.Path}（第 {json.LineNumber + 1} 行）", $"invalid JSON at {json.Path} (line {json.LineNumber + 1})")
            : bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? Ui.T("请求内容过大", "the request body is too large") : Ui.T("请求格式有误", "the request is malformed");
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = bad.StatusCode, Title = Ui.T("请求有误", "Bad request"), Detail = detail },
            Exception = exception,
        });
    }
}
