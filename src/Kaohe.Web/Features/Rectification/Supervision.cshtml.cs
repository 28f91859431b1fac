using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Features.Shared;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Rectification;

/// <summary>督促指导: the office's dashboard over the ledger, the overdue-deduction setting and the bulletin's lines.</summary>
[NotPeriodInputs("the ledger policy")]
[Authorize(Roles = $"{Roles.Office},{Roles.Leader}")]
public sealed class SupervisionModel(KaoheDbContext db, Oversight oversight, AuditLog audit) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Period { get; set; }
    public IReadOnlyList<string> Periods { get; private set; } = [];
    public SupervisionView View { get; private set; } = null!;

    /// <summary>The lists of the page, each paged and sorted on the server (~35,000 overdue items and 3,000 units at national scale): the overdue list in the database, the counts by unit and the recurrences (computed with the figures) in memory.</summary>
    public Paged<RectificationItem> OverduePage { get; private set; } = null!;
    public IReadOnlyList<OverdueRow> Overdue { get; private set; } = [];
    public Paged<CountRow> ByUnit { get; private set; } = null!;
    public Paged<RecurrenceRow> Recurrences { get; private set; } = null!;

    private static readonly Sorts<RectificationItem> OverdueSorts = Sorts<RectificationItem>.By("deadline", i => i.Id)
        .Add("deadline", i => i.Deadline).Add("id", i => i.Id).Add("unit", i => i.UnitId);
    private static readonly Sorts<CountRow> UnitSorts = Sorts<CountRow>.By("-overdue", r => r.Key)
        .Add("overdue", r => r.Overdue, r => r.Total).Add("total", r => r.Total).Add("closed", r => r.Closed).Add("unit", r => r.Label);
    private static readonly Sorts<RecurrenceRow> RecurrenceSorts = Sorts<RecurrenceRow>.By("id", r => r.Id).Add("id", r => r.Id).Add("unit", r => r.Unit);
    public IReadOnlyList<string> BulletinLines { get; private set; } = [];
    public IReadOnlyDictionary<string, RectificationPolicy> Policies { get; private set; } = new Dictionary<string, RectificationPolicy>();
    public string? Message { get; private set; }
    public bool IsOffice => User.Role() == Roles.Office;

    public async Task OnGetAsync()
    {
        Periods = await db.Periods.AsNoTracking().Where(p => p.Quarter != null).OrderBy(p => p.Year).ThenBy(p => p.Quarter).Select(p => p.Id).ToListAsync();
        if (string.IsNullOrEmpty(Period)) Period = null;
        View = await oversight.SummaryAsync(Period, HttpContext.RequestAborted);
        OverduePage = await oversight.OverdueQuery(Period).PageAsync(PageQuery.From(Request), OverdueSorts, HttpContext.RequestAborted);
        Overdue = await oversight.OverdueRowsAsync(OverduePage.Items, HttpContext.RequestAborted);
        ByUnit = View.ByUnit.Page(PageQuery.From(Request, "u-"), UnitSorts);
        Recurrences = View.Recurrences.Page(PageQuery.From(Request, "r-"), RecurrenceSorts);
        if (Period is not null) BulletinLines = await oversight.ForBulletinAsync(Period);
        Policies = await db.Set<RectificationPolicy>().AsNoTracking().ToDictionaryAsync(p => p.Category);
        if (TempData["msg"] is string m) Message = m;
    }

    public async Task<IActionResult> OnPostPolicyAsync(string category, bool enabled, double pointsPerItem, double cap)
    {
        if (!IsOffice) return Forbid();
        if (Categories.Find(category) is null || pointsPerItem < 0 || cap < 0)
        {
            TempData["msg"] = Ui.T("设置无效：每项扣分和上限不能为负", "Invalid: points and cap may not be negative");
            return RedirectToPage(new { period = Period });
        }
        var p = await db.Set<RectificationPolicy>().FirstOrDefaultAsync(x => x.Category == category);
        var old = p is null ? null : new { p.Enabled, p.PointsPerItem, p.Cap };
        if (p is null) db.Set<RectificationPolicy>().Add(p = new RectificationPolicy(category, enabled, pointsPerItem, cap));
        else p.Set(enabled, pointsPerItem, cap);
        audit.Record("rectification.policy", "rectification-policy", category, old, new { p.Enabled, p.PointsPerItem, p.Cap });
        await audit.SaveAsync();
        TempData["msg"] = Ui.T("已保存。", "Saved.");
        return RedirectToPage(new { period = Period });
    }

    [WritesPeriodInputs(PeriodInput.Data, StageHandling.NextOpenPeriod)]
    public async Task<IActionResult> OnPostDeductAsync()
    {
        if (!IsOffice) return Forbid();
        if (Period is null) { TempData["msg"] = Ui.T("请先选择考核期", "Choose a period first"); return RedirectToPage(); }
        var (result, error) = await oversight.ApplyOverdueDeductionsAsync(Period);
        var where = result is null ? "" : string.Join("、", result.Periods.DefaultIfEmpty(result.NextPeriodId));
        TempData["msg"] = error?.Text ?? Ui.T($"已在 {where} 记入逾期扣分：{result!.Units} 个单位，{result.Items} 项逾期事项。",
            $"Recorded overdue deductions in {where}: {result!.Units} units, {result.Items} overdue items.");
        return RedirectToPage(new { period = Period });
    }
}
