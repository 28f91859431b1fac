using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Scoring;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Inspections;

/// <summary>The assessor's side: the groups they serve in and the on-site checklist.</summary>
public sealed partial class InspectionService
{
    /// <summary>
    /// The groups the signed-in assessor serves in (through the roster entry linked to their account) in periods not yet
    /// published: the period being collected first (the earliest quarter collecting data, when a later one is open too),
    /// then the other collecting ones, then the rest newest first.
    /// </summary>
    public async Task<List<GroupDto>> MyGroupsAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        var name = user.Identity?.Name ?? "";
        var ids = await db.Set<InspectionGroupMember>().AsNoTracking()
            .Where(m => m.Inspector!.UserName == name).Select(m => m.GroupId).ToListAsync(ct);
        var periodIds = await db.Set<InspectionGroup>().AsNoTracking().Where(g => ids.Contains(g.Id)).Select(g => g.PeriodId).Distinct().ToListAsync(ct);
        var periods = await db.Periods.AsNoTracking().Where(p => periodIds.Contains(p.Id) && p.Status != PeriodStatus.Published).ToListAsync(ct);
        var all = new List<GroupDto>();
        var ordered = periods.Where(p => p.Status == PeriodStatus.Collecting).OrderBy(p => p.Id, StringComparer.Ordinal)
            .Concat(periods.Where(p => p.Status != PeriodStatus.Collecting).OrderByDescending(p => p.Id, StringComparer.Ordinal));
        foreach (var p in ordered)
            all.AddRange((await GroupsAsync(p.Id, ct)).Where(g => ids.Contains(g.Id)));
        return all;
    }

    /// <summary>May the user work on (assessor member) or see (office, members) the group? Anyone else is told it does not exist.</summary>
    public async Task<InspectionGroup?> GroupForAsync(ClaimsPrincipal user, int groupId, bool write, CancellationToken ct = default)
    {
        var group = await db.Set<InspectionGroup>().AsNoTracking().Include(g => g.Sites).FirstOrDefaultAsync(g => g.Id == groupId, ct);
        if (group is null) return null;
        if (!write && user.Role() == Roles.Office) return group;
        if (user.Role() != Roles.Assessor) return null;
        var name = user.Identity?.Name ?? "";
        return await db.Set<InspectionGroupMember>().AnyAsync(m => m.GroupId == groupId && m.Inspector!.UserName == name, ct) ? group : null;
    }

    /// <summary>The checklist: every deduction leaf of the period's active urban-management scheme, with the deduction per finding from its rule.</summary>
    public async Task<IReadOnlyList<ChecklistItem>> ChecklistAsync(string periodId, CancellationToken ct = default)
    {
        var scheme = await db.Schemes.AsNoTracking()
            .Where(s => s.PeriodId == periodId && s.Category == ChecklistCategory && s.Status == SchemeStatus.Active)
            .OrderByDescending(s => s.Version).FirstOrDefaultAsync(ct);
        if (scheme is null) return [];
        var tree = SchemeService.Parse(scheme);
        if (!tree.IsValid) return [];
        var rules = SchemeService.RuleTexts(scheme);
        var items = new List<ChecklistItem>();
        void Walk(IEnumerable<Indicator> nodes, string aspect)
        {
            foreach (var n in nodes)
            {
                if (n.IsLeaf && n.Method is DeductionMethod d)
                    items.Add(new ChecklistItem(n.Id, aspect, n.Name, n.Points, d.PerFinding ?? d.MaxDeduction ?? n.Points, rules.GetValueOrDefault(n.Id)));
                else Walk(n.ChildList, aspect.Length == 0 ? n.Name : aspect);
            }
        }
        Walk(tree.Indicators!, "");
        return items;
    }

    private static FindingDto Dto(InspectionFinding f) => new(f.Id, f.ClientId, f.Author, f.GroupId, f.SiteId, f.UnitId, f.IndicatorId, f.Points, f.Note,
        f.Latitude, f.Longitude, f.Accuracy, f.ObservedAt, f.FactId,
        [.. f.Photos.OrderBy(p => p.Id).Select(p => new PhotoDto(p.Id, p.ClientId, p.Attachment?.FileName ?? "", p.Attachment?.Size ?? 0, p.Attachment?.Sha256 ?? "",
            $"/api/v1/attachments/{p.AttachmentId}"))]);

    private Task<InspectionFinding?> FindingAsync(string author, string clientId, CancellationToken ct) =>
        db.Set<InspectionFinding>().AsNoTracking().Include(f => f.Photos).ThenInclude(p => p.Attachment)
            .FirstOrDefaultAsync(f => f.Author == author && f.ClientId == clientId, ct);

    /// <summary>
    /// Findings and photos are data of the urban-management subjects: a stage that takes no data
    /// (Data/PeriodStages.cs) refuses them up front with the stage problem (a resend of a stored one is still answered).
    /// </summary>
    private Task EnsureOpenAsync(string periodId, CancellationToken ct) => PeriodStages.EnsureAsync(db, periodId, ChecklistCategory, PeriodInput.Data, ct);

    private static bool ValidClientId(string? id) => id is { Length: >= 8 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
