using Kaohe.Data;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Publication;

/// <summary>考核结果公布: the period's review window, each category's draft and snapshots, publication and the bulletin downloads.</summary>
[NotPeriodInputs("moves the stage (review window, publication)")]
[Authorize(Roles = $"{Roles.Office},{Roles.Leader},{Roles.Viewer},{Roles.Division}")]
public sealed class IndexModel(KaoheDbContext db, ResultsStore store, Publisher publisher) : PageModel
{
    /// <summary>A category's draft: whether it scores, its errors, the revision the office reviews (and publishes against) and its snapshots.</summary>
    public sealed record Row(string Category, string Name, bool Computable, int Errors, string? Revision, IReadOnlyList<PublishedSnapshot> Snapshots);

    [BindProperty(SupportsGet = true)] public string? Period { get; set; }
    public IReadOnlyList<Period> Periods { get; private set; } = [];
    public Period? Current { get; private set; }
    public ReviewWindow? Window { get; private set; }
    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public int PendingAppeals { get; private set; }
    [TempData] public string? Message { get; set; }
    [TempData] public string? Error { get; set; }

    public async Task OnGetAsync()
    {
        Periods = await db.Periods.AsNoTracking().OrderBy(p => p.Year).ThenBy(p => p.Quarter == null).ThenBy(p => p.Quarter).ToListAsync();
        Current = Periods.FirstOrDefault(p => p.Id == Period) ?? Periods.FirstOrDefault(p => p.Status == PeriodStatus.Review) ?? Periods.FirstOrDefault();
        if (Current is null) return;
        Period = Current.Id;
        Window = await db.Set<ReviewWindow>().AsNoTracking().FirstOrDefaultAsync(w => w.PeriodId == Current.Id);
        PendingAppeals = await db.Set<Appeal>().CountAsync(a => a.PeriodId == Current.Id && a.Status == AppealStatus.Pending);
        var snapshots = await db.Snapshots.AsNoTracking().Where(s => s.PeriodId == Current.Id).OrderBy(s => s.Version).ToListAsync();
        var rows = new List<Row>();
        foreach (var c in Categories.All)
        {
            var d = await store.DraftAsync(db, Current.Id, c.Code);
            if (d is null || d.NoScheme) continue;
            rows.Add(new Row(c.Code, Ui.T(c.NameZh, c.NameEn), d.Scored, d.Errors.Count, d.Revision?.ToString(), snapshots.Where(s => s.Category == c.Code).ToList()));
        }
        Rows = rows;
    }

    private IActionResult Done(Failure? r, string ok)
    {
        if (r?.Status == StatusCodes.Status403Forbidden) return Forbid();
        if (r is null) Message = ok; else Error = Ui.T(r.Zh, r.En);
        return RedirectToPage(new { period = Period });
    }

    private static readonly Failure NotOffice = Failure.Forbidden("只有考核办可以操作", "only the office may do this");

    private bool IsOffice => User.Role() == Roles.Office;

    public async Task<IActionResult> OnPostOpenAsync(DateOnly? closesOn) =>
        !IsOffice ? Done(NotOffice, "") : closesOn is null ? Done(new Failure(FailureKind.Invalid, "请填写截止日期", "enter the closing date"), "") : Done(await publisher.OpenWindowAsync(Period ?? "", closesOn.Value), Ui.T("申诉复核期已开启", "The review window is open"));

    public async Task<IActionResult> OnPostCloseAsync() => !IsOffice ? Done(NotOffice, "") : Done(await publisher.CloseWindowAsync(Period ?? ""), Ui.T("申诉复核期已结束", "The review window is closed"));

    public async Task<IActionResult> OnPostSkipAsync(string? reason) => !IsOffice ? Done(NotOffice, "") : Done(await publisher.SkipWindowAsync(Period ?? "", reason), Ui.T("已跳过申诉复核", "Review skipped"));

    public async Task<IActionResult> OnPostPublishAsync(string category, string? changeNote, string? revision)
    {
        if (!IsOffice) return Forbid();
        var (s, r) = await publisher.PublishAsync(Period ?? "", category, revision, changeNote);
        return Done(r, s is null ? "" : Ui.T($"已公布 {s.Key}", $"Published {s.Key}"));
    }
}
