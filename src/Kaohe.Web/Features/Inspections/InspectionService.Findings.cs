using System.Security.Claims;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Scoring;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Inspections;

/// <summary>Recording a finding and its photos on site, and what a site's findings do to its unit's score.</summary>
public sealed partial class InspectionService
{
    /// <summary>
    /// Stores a finding sent from the phone and the <c>deduction</c> fact it becomes. Sending the same
    /// client id again answers with the stored finding (Created = false) and stores nothing.
    /// </summary>
    public async Task<Outcome<FindingDto>> RecordFindingAsync(ClaimsPrincipal user, InspectionGroup group, FindingRequest r, CancellationToken ct = default)
    {
        var author = user.Identity?.Name ?? "";
        if (!ValidClientId(r.ClientId))
            return new Failure(FailureKind.Invalid, "clientId：须为 8–64 位字母、数字或连字符（客户端生成的 UUID）", "clientId: 8–64 letters, digits or hyphens (a client-generated UUID)", "clientId");
        if (await FindingAsync(author, r.ClientId!, ct) is { } existing)
            return existing.GroupId == group.Id ? new Outcome<FindingDto>(Dto(existing), null)
                : (Outcome<FindingDto>)new Failure(FailureKind.Conflict, "clientId：该编号已用于另一考核组的记录", "clientId: already used for a finding of another group", "clientId");
        await EnsureOpenAsync(group.PeriodId, ct);
        var site = group.Sites.FirstOrDefault(s => s.SiteId == r.SiteId);
        if (site is null)
            return new Failure(FailureKind.Invalid, $"siteId：点位“{r.SiteId}”不属于{group.Name}", $"siteId: \"{r.SiteId}\" is not a site of {group.Name}", "siteId");
        var item = (await ChecklistAsync(group.PeriodId, ct)).FirstOrDefault(i => i.IndicatorId == r.IndicatorId);
        if (item is null)
            return new Failure(FailureKind.Invalid, $"indicatorId：“{r.IndicatorId}”不是实地考核扣分项", $"indicatorId: \"{r.IndicatorId}\" is not an on-site deduction item", "indicatorId");
        var points = r.Points ?? item.Deduction;
        if (!(points > 0) || points > item.Deduction)
            return new Failure(FailureKind.Invalid, $"points：{item.Name} 每处问题扣分须在 0–{item.Deduction:0.##} 分之间（评分细则：{item.Rule}）",
                $"points: a finding under {item.IndicatorId} deducts more than 0 and at most {item.Deduction:0.##}", "points");
        if (r.Note is { Length: > 2000 }) return new Failure(FailureKind.Invalid, "note：说明最多 2000 字", "note: at most 2000 characters", "note");
        if (r.Latitude is < -90 or > 90 || r.Latitude is { } la && !double.IsFinite(la))
            return new Failure(FailureKind.Invalid, "latitude：纬度须在 −90 至 90 之间", "latitude: between −90 and 90", "latitude");
        if (r.Longitude is < -180 or > 180 || r.Longitude is { } lo && !double.IsFinite(lo))
            return new Failure(FailureKind.Invalid, "longitude：经度须在 −180 至 180 之间", "longitude: between −180 and 180", "longitude");
        if (r.Accuracy is < 0) return new Failure(FailureKind.Invalid, "accuracy：精度不能为负", "accuracy: must not be negative", "accuracy");
        var now = clock.GetUtcNow();
        var observed = r.ObservedAt ?? now;
        if (observed > now.AddHours(1)) return new Failure(FailureKind.Invalid, "observedAt：时间晚于当前时间", "observedAt: later than now", "observedAt");

        var note = string.IsNullOrWhiteSpace(r.Note) ? null : r.Note.Trim();
        var fact = new Fact(group.PeriodId, site.UnitId, item.IndicatorId, FactKind.Finding,
            new FactPayload(Points: points, Note: $"{site.Name}：{note ?? item.Name}").ToJson(), FactSources.Inspection, author, now, FactStatus.Submitted,
            idempotencyKey: $"inspection:{author}:{r.ClientId}");
        var finding = new InspectionFinding(r.ClientId!, author, group.Id, site, item.IndicatorId, points, note, r.Latitude, r.Longitude, r.Accuracy, observed, now, fact);
        db.Add(finding);
        audit.Record("inspection.finding", "inspection-finding", () => finding.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
            new { finding.ClientId, group = group.Name, site.SiteId, site.UnitId, item.IndicatorId, points, fact = "new" });
        try
        {
            await audit.SaveAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same finding arrived twice at once: the other request stored it; answer with that one.
            db.ChangeTracker.Clear();
            var stored = await FindingAsync(author, r.ClientId!, ct);
            if (stored is null) throw;
            return new(Dto(stored), null);
        }
        return new(Dto(finding), null, Created: true);
    }

    /// <summary>Stores one photo of one of the assessor's findings; the same photo client id again answers with the stored photo.</summary>
    public async Task<Outcome<PhotoDto>> AddPhotoAsync(ClaimsPrincipal user, InspectionGroup group, string findingClientId, string photoClientId, string? fileName,
        Stream content, CancellationToken ct = default)
    {
        var author = user.Identity?.Name ?? "";
        if (!ValidClientId(photoClientId))
            return new Failure(FailureKind.Invalid, "photoClientId：须为 8–64 位字母、数字或连字符", "photoClientId: 8–64 letters, digits or hyphens", "photoClientId");
        var finding = await db.Set<InspectionFinding>().Include(f => f.Photos).ThenInclude(p => p.Attachment)
            .FirstOrDefaultAsync(f => f.Author == author && f.ClientId == findingClientId && f.GroupId == group.Id, ct);
        if (finding is null)
            return new Failure(FailureKind.NotFound, $"findingClientId：未找到您的记录 {findingClientId}，请先上传该记录", $"findingClientId: no finding {findingClientId} of yours; send the finding first", "findingClientId");
        if (finding.Photos.FirstOrDefault(p => p.ClientId == photoClientId) is { } stored) return new(PhotoDtoOf(stored), null);
        await EnsureOpenAsync(group.PeriodId, ct);
        var name = string.IsNullOrWhiteSpace(fileName) ? $"{photoClientId}.jpg" : fileName;
        // Refused before it is stored: checked after, a PDF stayed in the store without a row (issue 17).
        if (!UploadRules.IsImage(name))
            return new Failure(FailureKind.Unsupported, "照片须为 JPEG、PNG 或 WebP 图片", "a photo must be a JPEG, PNG or WebP image", "file");
        var attachment = await store.SaveAsync(content, name, author, PhotoOwnerKind, finding.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        var photo = new InspectionPhoto(photoClientId, attachment);
        finding.Photos.Add(photo);
        // The photo is the fact's evidence too (佐证材料), so the fact links to its photos.
        var fact = await db.Facts.Include(f => f.Evidence).FirstAsync(f => f.Id == finding.FactId, ct);
        fact.Evidence.Add(attachment);
        audit.Record("inspection.photo", "inspection-finding", finding.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
            new { photoClientId, attachment.FileName, attachment.Size, attachment.Sha256 });
        try
        {
            await audit.SaveAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            var again = await db.Set<InspectionPhoto>().AsNoTracking().Include(p => p.Attachment)
                .FirstOrDefaultAsync(p => p.FindingId == finding.Id && p.ClientId == photoClientId, ct);
            if (again is null) throw;
            return new(PhotoDtoOf(again), null);
        }
        return new(PhotoDtoOf(photo), null, Created: true);
    }

    private static PhotoDto PhotoDtoOf(InspectionPhoto p) =>
        new(p.Id, p.ClientId, p.Attachment?.FileName ?? "", p.Attachment?.Size ?? 0, p.Attachment?.Sha256 ?? "", $"/api/v1/attachments/{p.AttachmentId}");

    public async Task<List<FindingDto>> FindingsAsync(int groupId, string? siteId, CancellationToken ct = default)
    {
        var q = db.Set<InspectionFinding>().AsNoTracking().Include(f => f.Photos).ThenInclude(p => p.Attachment).Where(f => f.GroupId == groupId);
        if (siteId is not null) q = q.Where(f => f.SiteId == siteId);
        return [.. (await q.OrderBy(f => f.Id).ToListAsync(ct)).Select(Dto)];
    }

    /// <summary>A site's findings and, from the engine, the score of the unit the site belongs to after them.</summary>
    public async Task<SiteDetail?> SiteAsync(InspectionGroup group, string siteId, CancellationToken ct = default)
    {
        var site = group.Sites.FirstOrDefault(s => s.SiteId == siteId);
        if (site is null) return null;
        var findings = await FindingsAsync(group.Id, siteId, ct);
        var units = await db.Units.AsNoTracking().Where(u => u.Id == site.UnitId).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        SiteScore? score = null;
        var view = await results.CurrentAsync(db, group.PeriodId, ChecklistCategory, ct);
        if (view is { Scored: true } && view.ByUnit.TryGetValue(site.UnitId, out var u))
        {
            var leaves = (await ChecklistAsync(group.PeriodId, ct)).Select(i => i.IndicatorId).Where(u.Scores.ContainsKey).ToDictionary(id => id, id => u.Scores[id]);
            score = new SiteScore(u.Id, u.Name, u.RoundedTotal, u.Rank, leaves);
        }
        return new SiteDetail(Dto(group, units).Sites.First(s => s.SiteId == siteId), findings, findings.Sum(f => f.Points), score);
    }
}
