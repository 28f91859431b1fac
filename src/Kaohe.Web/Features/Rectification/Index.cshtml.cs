using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Rectification;

public sealed record LedgerRow(RectificationItem Item, string Unit, DeadlineState State);

/// <summary>问题整改台账: the office's whole ledger, a unit's "my items"; filters by period, unit, source, status and due state.</summary>
[NotPeriodInputs("the rectification ledger")]
[Authorize(Roles = $"{Roles.Office},{Roles.Leader},{Roles.Viewer},{Roles.Unit},{Roles.Assessor}")]
public sealed class IndexModel(KaoheDbContext db, Ledger ledger) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public string? Period { get; set; }
    [BindProperty(SupportsGet = true)] public string? Unit { get; set; }
    [BindProperty(SupportsGet = true)] public string? Source { get; set; }
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true)] public string? Due { get; set; }
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;

    public IReadOnlyList<string> Periods { get; private set; } = [];
    public IReadOnlyList<OrgUnit> Units { get; private set; } = [];
    public IReadOnlyList<LedgerRow> Rows { get; private set; } = [];
    public int Total { get; private set; }
    public string? Message { get; private set; }
    public bool IsOffice => User.Role() == Roles.Office;

    public async Task OnGetAsync()
    {
        Periods = await db.Periods.AsNoTracking().Where(p => p.Quarter != null).OrderBy(p => p.Year).ThenBy(p => p.Quarter).Select(p => p.Id).ToListAsync();
        var visible = RectificationItemAuthorization.VisibleTo(db, db.Set<RectificationItem>().AsNoTracking(), User);
        var unitIds = await visible.Select(i => i.UnitId).Distinct().ToListAsync();
        Units = await db.Units.AsNoTracking().Where(u => IsOffice || unitIds.Contains(u.Id)).OrderBy(u => u.Kind).ThenBy(u => u.Id).ToListAsync();
        var q = RectificationApi.Query(visible, Period, Unit, Source, Status) ?? visible.Where(_ => false);
        if (string.IsNullOrEmpty(Status)) q = q.Where(i => i.Status != ItemStatus.Merged);
        // Filtered, sorted (overdue and due soon first: what needs attention) and paged in the database, by the two
        // dates that decide an open item's due state (Ledger.DueCutoffs); at national scale the ledger has ~35,000 items.
        var (pastBefore, soonUntil) = ledger.DueCutoffs();
        DeadlineState? dueState = !string.IsNullOrEmpty(Due) && Enum.TryParse<DeadlineState>(Due, true, out var parsed) ? parsed : null;
        q = dueState switch
        {
            null => q,
            DeadlineState.Overdue => q.Where(i => i.ClosedAt == null && i.Deadline < pastBefore),
            DeadlineState.DueSoon => q.Where(i => i.ClosedAt == null && i.Deadline >= pastBefore && i.Deadline <= soonUntil),
            DeadlineState.OnTrack => q.Where(i => i.ClosedAt == null && i.Deadline >= pastBefore && i.Deadline > soonUntil),
            _ => q.Where(i => i.ClosedAt != null),
        };
        var closedState = dueState is DeadlineState.ClosedOnTime or DeadlineState.ClosedLate ? dueState : null;
        List<RectificationItem> page;
        if (closedState is { } closed)
        {
            // On time or late is the closing moment against the end of the deadline day in the office's zone: decided
            // here, over the closed items only.
            var all = (await q.OrderBy(i => i.Deadline).ThenBy(i => i.Id).ToListAsync()).Where(i => ledger.StateOf(i) == closed).ToList();
            Total = all.Count;
            PageNumber = Math.Clamp(PageNumber, 1, Math.Max(1, (Total + PageSize - 1) / PageSize));
            page = [.. all.Skip((PageNumber - 1) * PageSize).Take(PageSize)];
        }
        else
        {
            Total = await q.CountAsync();
            PageNumber = Math.Clamp(PageNumber, 1, Math.Max(1, (Total + PageSize - 1) / PageSize));
            page = await q.OrderBy(i => i.ClosedAt != null ? 3 : i.Deadline < pastBefore ? 0 : i.Deadline <= soonUntil ? 1 : 2)
                .ThenBy(i => i.Deadline).ThenBy(i => i.Id).Skip((PageNumber - 1) * PageSize).Take(PageSize).ToListAsync();
        }
        var shown = page.Select(i => i.UnitId).Distinct().ToList();
        var names = await db.Units.AsNoTracking().Where(u => shown.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => Ui.IsEnglish ? u.NameEn : u.Name);
        Rows = [.. page.Select(i => new LedgerRow(i, names.GetValueOrDefault(i.UnitId, i.UnitId), ledger.StateOf(i)))];
        if (TempData["msg"] is string m) Message = m;
    }

    public async Task<IActionResult> OnPostRaiseAsync(string period)
    {
        if (!IsOffice) return Forbid();
        if (!await db.Periods.AnyAsync(p => p.Id == period))
        {
            TempData["msg"] = T($"考核期“{period}”不存在", $"period \"{period}\" does not exist");
            return RedirectToPage(new { period });
        }
        var r = await ledger.RaiseForPeriodAsync(period);
        TempData["msg"] = r.Total == 0
            ? T("没有新的问题需要生成整改事项（已生成的不会重复生成）。", "No new problems to raise (raised ones are never raised twice).")
            : T($"已生成整改事项{r.Total}项：扣分问题{r.FromDeductions}项、实地考核问题{r.FromInspections}项、通报批评{r.FromRankings}项；其中重复发生{r.Recurrences}项。",
                $"Raised {r.Total} items: {r.FromDeductions} deductions, {r.FromInspections} inspection findings, {r.FromRankings} criticised rankings; {r.Recurrences} recurrences.");
        return RedirectToPage(new { period });
    }

    [BindProperty] public NewItemForm? New { get; set; }

    public sealed class NewItemForm
    {
        public string UnitId { get; set; } = "";
        public string PeriodId { get; set; } = "";
        public string Problem { get; set; } = "";
        public string Severity { get; set; } = Severities.General;
        public string ResponsiblePerson { get; set; } = "";
        public DateOnly Deadline { get; set; }
    }

    public async Task<IActionResult> OnPostCreateAsync()
    {
        if (!IsOffice) return Forbid();
        var n = New ?? new NewItemForm();
        var (item, error) = await ledger.CreateAsync(new Ledger.NewItem(n.UnitId, n.PeriodId, n.Problem ?? "", n.Severity, n.ResponsiblePerson ?? "", n.Deadline));
        if (error is not null)
        {
            TempData["msg"] = error.Text;
            return RedirectToPage(new { period = n.PeriodId });
        }
        return RedirectToPage("/Rectification/Item", new { id = item!.Id });
    }

    private static string T(string zh, string en) => Ui.T(zh, en);

    public string Link(int page) =>
        $"?period={Uri.EscapeDataString(Period ?? "")}&unit={Uri.EscapeDataString(Unit ?? "")}&source={Uri.EscapeDataString(Source ?? "")}&status={Uri.EscapeDataString(Status ?? "")}&due={Uri.EscapeDataString(Due ?? "")}&p={page}";
}
