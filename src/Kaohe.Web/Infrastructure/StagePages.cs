using Kaohe.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace Kaohe.Web.Infrastructure;

/// <summary>
/// The page side of the stage refusal's one mapping (the API side is <see cref="BadRequests"/>): a
/// form whose write the period's stage refuses goes back to its page (GET, same query, the refused
/// period chosen), which shows the refusal above the content (Shared/_Layout.cshtml). Nothing was saved.
/// </summary>
public sealed class StagePages : IAsyncPageFilter
{
    /// <summary>The TempData key the layout shows.</summary>
    public const string MessageKey = "kaohe.stage";

    /// <summary>The TempData cookie (its options are set in <see cref="Hosting"/>: Secure over https, SameSite strict).</summary>
    public const string CookieName = "kaohe-msg";

    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var executed = await next();
        if (executed.ExceptionHandled || executed.Exception is not PeriodStageException stage) return;
        executed.ExceptionHandled = true;
        var http = context.HttpContext;
        var tempData = http.RequestServices.GetRequiredService<ITempDataDictionaryFactory>().GetTempData(http);
        tempData[MessageKey] = Ui.T(stage.Refusal.Zh, stage.Refusal.En);
        tempData.Save();
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(http.Request.QueryString.Value)
            .Where(kv => !kv.Key.Equals("handler", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
        if (!query.ContainsKey("period")) query["period"] = stage.Refusal.PeriodId;
        executed.Result = new RedirectResult(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(http.Request.PathBase + http.Request.Path, query));
    }
}
