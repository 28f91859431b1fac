using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Collection;

/// <summary>评分分工: the office assigns indicators × units to divisions and leaders.</summary>
[NotPeriodInputs("set-up: who scores, not a score")]
[Authorize(Roles = Roles.Office)]
public sealed class AssignmentsModel(KaoheDbContext db, AuditLog audit) : CollectionPage(db)
{
    [BindProperty(SupportsGet = true)] public string? Assignee { get; set; }

    public IReadOnlyList<Assignment> Items { get; private set; } = [];
    public IReadOnlyList<(string Kind, string Assignee, int Count)> Summary { get; private set; } = [];
    public IReadOnlyList<OrgUnit> Units { get; private set; } = [];
    public IReadOnlyList<AppUser> Leaders { get; private set; } = [];

    public async Task OnGetAsync() => await LoadAsync();

    private async Task LoadAsync()
    {
        await LoadPeriodsAsync();
        Units = await Db.Units.AsNoTracking().OrderBy(u => u.Kind).ThenBy(u => u.Id).ToListAsync();
        Leaders = await Db.Users.AsNoTracking().Where(u => u.Role == Roles.Leader).OrderBy(u => u.UserName).ToListAsync();
        var all = await Db.Assignments.AsNoTracking().Where(a => a.PeriodId == Period).ToListAsync();
        Summary = [.. all.GroupBy(a => (a.Kind, a.Assignee)).OrderBy(g => g.Key.Kind).ThenBy(g => g.Key.Assignee).Select(g => (g.Key.Kind.ToString(), g.Key.Assignee, g.Count()))];
        Items = [.. all.Where(a => a.Assignee == Assignee).OrderBy(a => a.IndicatorId, StringComparer.Ordinal).ThenBy(a => a.UnitId, StringComparer.Ordinal)];
    }

    public async Task<IActionResult> OnPostAddAsync(string? kind, string? assignee, string? unit, string? indicator, string? rater)
    {
        await LoadPeriodsAsync();
        var (a, e) = await CollectionApi.AddAssignmentAsync(Db, audit, Period!, new AssignmentBody(kind, assignee, unit, indicator?.Trim(), string.IsNullOrWhiteSpace(rater) ? null : rater.Trim()), HttpContext.RequestAborted);
        if (e is not null) Fail(e);
        else { Message = Ui.T("已新增分工", "Assignment added"); Assignee = a!.Assignee; }
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id)
    {
        await LoadPeriodsAsync();
        if (await CollectionApi.DeleteAssignmentAsync(Db, audit, id, HttpContext.RequestAborted) is { } e) Fail(e);
        else Message = Ui.T("已删除分工", "Assignment removed");
        await LoadAsync();
        return Page();
    }
}
