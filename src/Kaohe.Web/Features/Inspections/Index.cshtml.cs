using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Inspections;

public sealed record FindingRow(long Id, string Group, string Site, string Unit, string IndicatorId, double Points, string? Note, string Author,
    DateTimeOffset ObservedAt, double? Latitude, double? Longitude, long FactId, IReadOnlyList<long> Photos);

/// <summary>考核组与抽样 for the office: the recorded draws, the groups under the avoidance rule, and what the groups found.</summary>
[NotPeriodInputs("set-up: roster, sample and groups")]
[Authorize(Policy = Policies.Office)]
public sealed class IndexModel(KaoheDbContext db, InspectionService service) : PageModel
{
    public IReadOnlyList<string> Periods { get; private set; } = [];
    public string? Period { get; private set; }
    public IReadOnlyList<SamplingDraw> Draws { get; private set; } = [];
    public bool? CurrentVerified { get; private set; }
    public IReadOnlyList<GroupDto> Groups { get; private set; } = [];
    public IReadOnlyList<Inspector> Roster { get; private set; } = [];
    public IReadOnlyList<FindingRow> Findings { get; private set; } = [];
    public IReadOnlyDictionary<string, string> PrefectureNames { get; private set; } = new Dictionary<string, string>();
    public string? Message { get; private set; }
    public IReadOnlyList<string> Errors { get; private set; } = [];
    public IReadOnlyList<string> AssessorAccounts { get; private set; } = [];

    public async Task OnGetAsync(string? period) => await LoadAsync(period);

    public async Task<IActionResult> OnPostDrawAsync(string period, string? seed, string? reason)
    {
        var o = await service.DrawAsync(period, string.IsNullOrWhiteSpace(seed) ? null : seed.Trim(), null, reason, User.Identity?.Name ?? "");
        return await After(period, o.Failure, Ui.T("已抽样并记录种子", "Drawn; the seed is on record"));
    }

    public async Task<IActionResult> OnPostFormAsync(string period)
    {
        var o = await service.FormAsync(period, null, User.Identity?.Name ?? "");
        return await After(period, o.Failure, Ui.T("已按回避要求组成考核组", "Groups formed under the avoidance rule"));
    }

    public async Task<IActionResult> OnPostMoveAsync(string period, string? inspectorId, string? siteId, string? toGroup, string? reason)
    {
        int? target = toGroup is { Length: > 0 } && toGroup != "none" && int.TryParse(toGroup, out var g) ? g : null;
        var o = await service.MoveAsync(period, string.IsNullOrEmpty(inspectorId) ? null : inspectorId, string.IsNullOrEmpty(siteId) ? null : siteId, target, reason);
        return await After(period, o.Failure, Ui.T("已调整", "Changed"));
    }

    public async Task<IActionResult> OnPostAddInspectorAsync(string period, string? name, string? prefectureId, string? userName)
    {
        var o = await service.AddInspectorAsync(name, prefectureId, null, userName);
        return await After(period, o.Failure, Ui.T($"已添加考核人员 {o.Value?.Name}", $"Added {o.Value?.Name} to the roster"));
    }

    public async Task<IActionResult> OnPostLinkAsync(string period, string inspectorId, string? userName)
    {
        var o = await service.LinkAccountAsync(inspectorId, userName);
        return await After(period, o.Failure, Ui.T("已关联账号", "Account linked"));
    }

    private async Task<IActionResult> After(string period, Failure? failure, string success)
    {
        if (failure is not null)
        {
            Errors = [.. failure.Texts()];
            Response.StatusCode = failure.Status == 404 ? 404 : 400;
            await LoadAsync(period);
            return Page();
        }
        TempData["message"] = success;
        return RedirectToPage(new { period });
    }

    private async Task LoadAsync(string? period)
    {
        Message ??= TempData["message"] as string;
        Periods = await db.Periods.AsNoTracking().Where(p => p.Kind == PeriodKind.Quarter).OrderBy(p => p.Id).Select(p => p.Id).ToListAsync();
        Period = Periods.Contains(period ?? "") ? period
            : await Features.Periods.CurrentPeriod.CollectingAsync(db) ?? Periods.FirstOrDefault();
        PrefectureNames = await db.Prefectures.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name);
        Roster = await service.RosterAsync();
        AssessorAccounts = await db.Users.AsNoTracking().Where(u => u.Role == Roles.Assessor).OrderBy(u => u.UserName).Select(u => u.UserName!).ToListAsync();
        if (Period is null) return;
        Draws = await service.DrawsAsync(Period);
        if (Draws.FirstOrDefault(d => d.SupersededById is null) is { } current) CurrentVerified = InspectionService.Verify(current).Matches;
        Groups = await service.GroupsAsync(Period);
        var names = Groups.ToDictionary(g => g.Id, g => g.Name);
        var sites = Groups.SelectMany(g => g.Sites).ToDictionary(s => s.SiteId, s => s.Name);
        var findings = await db.Set<InspectionFinding>().AsNoTracking().Include(f => f.Photos).Where(f => f.PeriodId == Period)
            .OrderByDescending(f => f.ObservedAt).Take(200).ToListAsync();
        Findings = [.. findings.Select(f => new FindingRow(f.Id, names.GetValueOrDefault(f.GroupId, ""), sites.GetValueOrDefault(f.SiteId, f.SiteId), f.UnitId,
            f.IndicatorId, f.Points, f.Note, f.Author, f.ObservedAt, f.Latitude, f.Longitude, f.FactId, [.. f.Photos.Select(p => p.AttachmentId)]))];
    }
}
