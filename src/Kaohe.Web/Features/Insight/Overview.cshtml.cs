using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Insight;

/// <summary>领导一页通: the key charts and lists of a period on one page, for leaders and the office.</summary>
[Authorize(Roles = InsightApi.Overviewers)]
public sealed class OverviewModel(KaoheDbContext db, Analyses analyses, InsightReads reads) : PageModel
{
    public DashboardData? Data { get; private set; }

    /// <summary>Set while the overview of the current results is computed in the background (<see cref="Data"/> is then null).</summary>
    public AnalysisProgress? Computing { get; private set; }

    public string? Period { get; private set; }
    public string Category { get; private set; } = "housing";
    public IReadOnlyList<string> Periods { get; private set; } = [];

    /// <summary>The chart data as a JSON data island (not executed, so the CSP allows it); the default encoder escapes &lt; and &gt;.</summary>
    public string Json { get; private set; } = "{}";

    public async Task OnGetAsync(string? period, string? category)
    {
        Periods = await db.Periods.AsNoTracking().Where(p => p.Kind == PeriodKind.Quarter).OrderBy(p => p.Year).ThenBy(p => p.Quarter).Select(p => p.Id).ToListAsync();
        Period = await InsightApi.PeriodOrCurrent(db, period);
        Category = Categories.Find(category)?.Code ?? "housing";
        if (Period is null) return;
        var read = await ReadAsync(Period, Category, analyses.PageWait);
        Computing = read.Progress;
        Data = read.Value;
        if (Data is null) return;
        Json = JsonSerializer.Serialize(new
        {
            Data.PeriodId,
            Data.Category,
            Data.Rankings,
            Data.Heatmap,
            Data.Trend,
            Data.Investment,
            Data.Deductions,
            labels = new
            {
                total = Infrastructure.Ui.T("总分", "Total"),
                rating = Infrastructure.Ui.T("得分率", "Rating"),
                completion = Infrastructure.Ui.T("投资任务完成率", "Plan completion"),
                growth = Infrastructure.Ui.T("同比增速", "Year-on-year growth"),
                lost = Infrastructure.Ui.T("扣分", "Points lost"),
                findings = Infrastructure.Ui.T("问题数", "Findings"),
                commended = Infrastructure.Ui.T("通报表扬", "Commended"),
                criticized = Infrastructure.Ui.T("通报批评", "Criticised"),
                other = Infrastructure.Ui.T("其他", "Others"),
                showTable = Infrastructure.Ui.T("表格", "Table"),
                hideTable = Infrastructure.Ui.T("隐藏表格", "Hide table"),
            },
        }, new JsonSerializerOptions(JsonSerializerDefaults.Web));
    }
    /// <summary>The progress of the overview for the page's script (the same answer as the results page's progress API): starts or joins it.</summary>
    public async Task<IActionResult> OnGetProgressAsync(string? period, string? category)
    {
        var p = await InsightApi.PeriodOrCurrent(db, period);
        if (p is null) return NotFound();
        var read = await ReadAsync(p, Categories.Find(category)?.Code ?? "housing", TimeSpan.Zero);
        return new JsonResult(AnalysisProgressBox.Json(read.Progress));
    }

    /// <summary>The overview, computed in the background (<see cref="Analyses"/>), shared with <c>/api/v1/insight/dashboard</c>.</summary>
    private Task<AnalysisRead<DashboardData>> ReadAsync(string period, string category, TimeSpan wait) =>
        reads.OverviewAsync(User, period, category, wait, HttpContext.RequestAborted);

    public string ProgressUrl => $"/Insight/Overview?handler=Progress&period={Uri.EscapeDataString(Period ?? "")}&category={Uri.EscapeDataString(Category)}";

    public string SelfUrl => $"/Insight/Overview?period={Uri.EscapeDataString(Period ?? "")}&category={Uri.EscapeDataString(Category)}";
}
