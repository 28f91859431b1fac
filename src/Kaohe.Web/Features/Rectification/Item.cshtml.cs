using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Rectification;

/// <summary>One item: problem, source (with the finding's photos), roadmap, progress timeline, and the steps the user may take.</summary>
[NotPeriodInputs("the rectification ledger")]
[Authorize(Roles = $"{Roles.Office},{Roles.Leader},{Roles.Viewer},{Roles.Unit},{Roles.Assessor}")]
public sealed class ItemModel(KaoheDbContext db, Ledger ledger, IAuthorizationService authorization) : PageModel
{
    public RectificationItem Item { get; private set; } = null!;
    public string UnitName { get; private set; } = "";
    public DeadlineState State { get; private set; }
    public IReadOnlyList<RectificationEvent> Timeline { get; private set; } = [];
    public IReadOnlyList<Attachment> SourcePhotos { get; private set; } = [];
    public IReadOnlyDictionary<long, Attachment> Evidence { get; private set; } = new Dictionary<long, Attachment>();
    public RectificationItem? Predecessor { get; private set; }
    public string? Message { get; private set; }
    public string Role => User.Role();
    /// <summary>A unit's account on its own item (the unit's workflow buttons); asked of <see cref="RectificationItemAuthorization"/>.</summary>
    public bool OwnUnit { get; private set; }
    public bool Workable => Item.Status is not (ItemStatus.Closed or ItemStatus.Merged);

    public async Task<IActionResult> OnGetAsync(long id)
    {
        var item = await ledger.FindAsync(id, User);
        if (item is null) return NotFound();
        Item = item;
        OwnUnit = Role == Roles.Unit && await authorization.MayAsync(User, item, UnitOperations.Act);
        UnitName = await db.Units.Where(u => u.Id == item.UnitId).Select(u => Ui.IsEnglish ? u.NameEn : u.Name).FirstOrDefaultAsync() ?? item.UnitId;
        State = ledger.StateOf(item);
        Timeline = await db.Set<RectificationEvent>().AsNoTracking().Where(e => e.ItemId == id).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync();
        var (photos, evidence) = await ledger.AttachmentsAsync(item);
        SourcePhotos = photos;
        Evidence = evidence.ToDictionary(a => a.Id);
        if (item.PredecessorId is { } p) Predecessor = await db.Set<RectificationItem>().AsNoTracking().FirstOrDefaultAsync(i => i.Id == p);
        if (TempData["msg"] is string m) Message = m;
        return Page();
    }

    private IActionResult Done(long id, Failure? error, string ok)
    {
        if (error is { Status: 404 }) return NotFound();
        TempData["msg"] = error?.Text ?? ok;
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostActAsync(long id, string act, string? reason, string? note, long? milestoneId, List<IFormFile>? files)
    {
        var uploads = (files ?? []).Where(f => f.Length > 0).Select(f => new Ledger.Upload(f.OpenReadStream(), f.FileName)).ToList();
        var error = await ledger.ActAsync(id, User, new Ledger.Step(act, reason, note, milestoneId), uploads);
        return Done(id, error, Ui.T("已办理。", "Done."));
    }

    public async Task<IActionResult> OnPostReinspectAsync(long id, string? note, List<IFormFile>? files)
    {
        var uploads = (files ?? []).Where(f => f.Length > 0).Select(f => new Ledger.Upload(f.OpenReadStream(), f.FileName)).ToList();
        return Done(id, await ledger.ReinspectAsync(id, User, note, uploads), Ui.T("复查照片已上传。", "Re-inspection photo uploaded."));
    }

    public async Task<IActionResult> OnPostMilestoneAsync(long id, string? title, DateOnly due) =>
        Done(id, await ledger.AddMilestoneAsync(id, User, title, due), Ui.T("已添加路线图节点。", "Milestone added."));

    public async Task<IActionResult> OnPostPlanAsync(long id, string responsiblePerson, DateOnly deadline, string severity, bool requiresReinspection) =>
        Done(id, await ledger.PlanAsync(id, User, new Ledger.PlanChange(responsiblePerson ?? "", deadline, severity ?? "", requiresReinspection)), Ui.T("已保存。", "Saved."));

    public async Task<IActionResult> OnPostMergeAsync(long id, string? others)
    {
        var ids = (others ?? "").Split([',', '，', ' ', '#'], StringSplitOptions.RemoveEmptyEntries).Select(s => long.TryParse(s, out var v) ? v : -1).ToList();
        if (ids.Contains(-1)) return Done(id, new Failure(FailureKind.Invalid, "事项编号须为数字，用逗号分隔", "item numbers must be numbers separated by commas", "others"), "");
        return Done(id, await ledger.MergeAsync(id, ids, User), Ui.T("已合并。", "Merged."));
    }

    public async Task<IActionResult> OnPostSplitAsync(long id, string? parts)
    {
        var problems = (parts ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var (ids, error) = await ledger.SplitAsync(id, problems, User);
        return Done(id, error, Ui.T($"已拆分为 {string.Join("、", ids.Select(i => "#" + i))}。", $"Split into {string.Join(", ", ids.Select(i => "#" + i))}."));
    }

}
