using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Schemes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Insight;

/// <summary>领导一页通: the key charts and lists of a period on one page, for leaders and the office.</summary>
[Authorize(Roles = InsightApi.Overviewers)]
public sealed class OverviewModel(KaoheDbContext db, DashboardService dashboards) : PageModel
{
    public DashboardData? Data { get; private set; }
    public IReadOnlyList<string> Periods { get; private set; } = [];

    /// <summary>The chart data as a JSON data island (not executed, so the CSP allows it); the default encoder escapes &lt; and &gt;.</summary>
    public string Json { get; private set; } = "{}";

    public async Task OnGetAsync(string? period, string? category)
    {
        Periods = await db.Periods.AsNoTracking().Where(p => p.Kind == PeriodKind.Quarter).OrderBy(p => p.Year).ThenBy(p => p.Quarter).Select(p => p.Id).ToListAsync();
        var p = await InsightApi.PeriodOrCurrent(db, period);
        if (p is null) return;
        Data = await dashboards.BuildAsync(User, p, Categories.Find(category)?.Code ?? "housing");
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
}
