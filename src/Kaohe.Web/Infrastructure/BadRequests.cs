using Microsoft.AspNetCore.Diagnostics;

namespace Kaohe.Web.Infrastructure;

/// <summary>
/// A request the framework could not bind (malformed JSON, a wrong type, a body too large) is the
/// client's mistake: a 4xx ProblemDetails naming what was wrong, never a 500. So is an upload the
/// attachment store refused (<see cref="UploadRejectedException"/>), and so is a value neither database can
/// store (<see cref="Data.UnstorableValueException"/>: NUL, half a surrogate pair, too long, not finite).
/// A write the period's stage refuses (<see cref="Data.PeriodStageException"/>) is a 409 with the stage
/// problem. A database that is restarting is a 503 the client may retry, not a 500.
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
        if (Find<Data.UnstorableValueException>(exception) is { } unstorable)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            var (title, message) = unstorable.Reason switch
            {
                Data.Unstorable.TooLong => (Ui.T("内容过长", "Text too long"), Ui.T(
                    $"“{unstorable.Field}”不能超过 {unstorable.MaxLength} 个字（现有 {unstorable.Length} 个），未保存任何内容",
                    $"{unstorable.Field} can be at most {unstorable.MaxLength} characters long (it has {unstorable.Length}); nothing was saved")),
                Data.Unstorable.Text => (Ui.T("内容无效", "Invalid text"), Ui.T(
                    $"“{unstorable.Field}”含有无法保存的字符（空字符 U+0000 或不成对的代理字符），未保存任何内容",
                    $"{unstorable.Field} contains a character that cannot be stored (NUL, U+0000, or half of a surrogate pair); nothing was saved")),
                _ => (Ui.T("数值无效", "Invalid number"), Ui.T(
                    $"“{unstorable.Field}”不是有限数（NaN 或无穷大），未保存任何内容",
                    $"{unstorable.Field} is not a finite number (NaN or infinite); nothing was saved")),
            };
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new Microsoft.AspNetCore.Mvc.ValidationProblemDetails(new Dictionary<string, string[]> { [unstorable.Field] = [message] })
                {
                    Status = StatusCodes.Status400BadRequest, Title = title, Detail = message,
                },
                Exception = exception,
            });
        }
        if (IsDatabaseUnavailable(exception))
        {
            // Not a bug of the request nor of ours: the database is restarting or unreachable (after Npgsql's
            // own retries). A 503 with Retry-After tells the client that the same request may simply be sent
            // again; nothing was acknowledged, and every write is one transaction, so nothing is half-stored.
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "5";
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status503ServiceUnavailable, Title = Ui.T("数据库暂时不可用", "The database is unavailable"),
                    Detail = Ui.T("数据库暂时无法访问，本次请求未保存任何内容，请稍后重试", "the database cannot be reached just now; nothing of this request was stored: try again shortly"),
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
        if (bad.InnerException is InputGuards.NotFiniteException notFinite)
        {
            var path = notFinite.Path ?? "$";
            var message = Ui.T($"{path} 不是有限数（NaN、Infinity 或超出范围），未保存任何内容", $"{path} is not a finite number (NaN, Infinity or out of range); nothing was stored");
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new Microsoft.AspNetCore.Mvc.ValidationProblemDetails(new Dictionary<string, string[]> { [path] = [message] })
                {
                    Status = StatusCodes.Status400BadRequest, Title = Ui.T("数值无效", "Invalid number"), Detail = message,
                },
                Exception = exception,
            });
        }
        var detail = bad.InnerException is System.Text.Json.JsonException json
            ? Ui.T($"JSON 无效：{json.Path}（第 {json.LineNumber + 1} 行）", $"invalid JSON at {json.Path} (line {json.LineNumber + 1})")
            : bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? Ui.T("请求内容过大", "the request body is too large") : Ui.T("请求格式有误", "the request is malformed");
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = bad.StatusCode, Title = Problems.TitleOf(bad.StatusCode), Detail = detail },
            Exception = exception,
        });
    }

    /// <summary>The database restarting or out of reach: EF's retries used up, a transient Npgsql failure, SQLite busy.</summary>
    private static bool IsDatabaseUnavailable(Exception e) =>
        Find<Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException>(e) is not null
        || Find<Npgsql.NpgsqlException>(e) is { IsTransient: true }
        || Find<Microsoft.Data.Sqlite.SqliteException>(e) is { SqliteErrorCode: 5 or 6 };   // SQLITE_BUSY, SQLITE_LOCKED

    /// <summary>The exception or one it wraps (EF Core wraps what a command interceptor throws during SaveChanges).</summary>
    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }
}
