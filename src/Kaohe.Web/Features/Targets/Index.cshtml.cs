using Kaohe.Data;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Targets;

/// <summary>
/// 目标责任书: the office's list of letters by year and category with their status; a unit's (or a division's)
/// own letters; and for a division the key-task milestones it assesses.
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed class IndexModel(TargetLetterService service) : PageModel
{
    public sealed record Row(int Id, string UnitId, string UnitName, string Category, TargetLetterStatus Status, int Version, int? AcknowledgedVersion,
        DateTimeOffset? AcknowledgedAt, int Targets, int Tasks);

    public sealed record ToAssess(int LetterId, string UnitName, LetterTask Task, int Quarter, MilestoneAssessment? Done);

    [BindProperty(SupportsGet = true)] public int Year { get; set; } = 2023;
    [BindProperty(SupportsGet = true)] public string? Category { get; set; }

    public IReadOnlyList<Row> Letters { get; private set; } = [];
    public IReadOnlyList<ToAssess> Milestones { get; private set; } = [];
    public IReadOnlyList<OrgUnit> Unlettered { get; private set; } = [];
    public bool IsOffice => User.Role() == Roles.Office;

    public async Task OnGetAsync()
    {
        var db = service.Db;
        var q = db.TargetLetters.AsNoTracking().VisibleTo(User).Where(l => l.Year == Year);
        if (Categories.Find(Category) is not null) q = q.Where(l => l.Category == Category);
        var letters = await q.OrderBy(l => l.Category).ThenBy(l => l.UnitId).ToListAsync();
        var names = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Id, u => Ui.IsEnglish ? u.NameEn : u.Name);
        var rows = new List<Row>();
        foreach (var l in letters)
        {
            var c = IsOffice ? LetterContent.Parse(l.Content) : await service.IssuedContentAsync(l);
            rows.Add(new Row(l.Id, l.UnitId, names.GetValueOrDefault(l.UnitId, l.UnitId), l.Category, l.Status, l.Version, l.AcknowledgedVersion, l.AcknowledgedAt,
                c.Targets.Count, c.Tasks.Count));
        }
        Letters = rows;
        if (IsOffice)
        {
            var kinds = Categories.Find(Category) is { } cat ? [cat.Kind] : Categories.All.Select(c => c.Kind).ToArray();
            var lettered = letters.Select(l => l.UnitId).ToHashSet();
            Unlettered = [.. (await db.Units.AsNoTracking().Where(u => kinds.Contains(u.Kind)).OrderBy(u => u.Kind).ThenBy(u => u.Id).ToListAsync()).Where(u => !lettered.Contains(u.Id))];
        }
        if (User.Role() == Roles.Division && User.UnitId() is { } me)
        {
            var list = new List<ToAssess>();
            foreach (var (l, c) in await TargetLettersApi.AssignedToAsync(service, me))
            {
                if (l.Year != Year) continue;
                var done = await db.MilestoneAssessments.AsNoTracking().Where(a => a.LetterId == l.Id).ToListAsync();
                foreach (var t in c.Tasks.Where(t => t.Assessor == me))
                    for (var q4 = 1; q4 <= 4; q4++)
                        if (t.Milestones[q4 - 1].Length > 0)
                            list.Add(new ToAssess(l.Id, names.GetValueOrDefault(l.UnitId, l.UnitId), t, q4, done.FirstOrDefault(a => a.TaskId == t.Id && a.Quarter == q4)));
            }
            Milestones = list;
        }
    }
}
