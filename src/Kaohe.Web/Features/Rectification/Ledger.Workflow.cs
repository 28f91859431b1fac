using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Rectification;

/// <summary>
/// One item's workflow: each step by its actor (<see cref="Workflow.Apply"/>), the reinspection, and the evidence files.
/// </summary>
public sealed partial class Ledger
{
    private static ItemAction? ParseAction(string action) => action switch
    {
        "start" => ItemAction.Start,
        "progress" => ItemAction.RecordProgress,
        "submit" => ItemAction.Submit,
        "verify" => ItemAction.Verify,
        "return" => ItemAction.Return,
        "reopen" => ItemAction.Reopen,
        _ => null,
    };

    public sealed record Step(string Action, string? Reason = null, string? Note = null, long? MilestoneId = null);

    public sealed record Upload(Stream Content, string FileName);

    /// <summary>
    /// One workflow step by the signed-in user: start, progress (against a milestone, with evidence),
    /// submit, verify, return (with a reason), reopen. The rules are <see cref="Workflow.Apply"/>.
    /// </summary>
    public async Task<Failure?> ActAsync(long id, ClaimsPrincipal user, Step step, IReadOnlyList<Upload>? files = null, CancellationToken ct = default)
    {
        var item = await FindAsync(id, user, ct);
        if (item is null) return new(FailureKind.NotFound, $"整改事项 {id} 不存在或无权查看", $"rectification item {id} does not exist or is not visible to you", "id");
        if (ParseAction(step.Action) is not { } action)
            return new(FailureKind.Invalid, $"操作“{step.Action}”无效", $"action \"{step.Action}\" is not one of start, progress, submit, verify, return, reopen", "action");
        if (ActorOf(user) is not { } actor || !await authorization.MayAsync(user, item, UnitOperations.Act))
            return user.Role() == Roles.Unit
                ? new(FailureKind.Forbidden, "只能办理本单位的整改事项", "you may only act on your own unit's items", "id")
                : new(FailureKind.Forbidden, "您的角色不能办理整改事项", "your role cannot act on rectification items", "action");
        Milestone? milestone = null;
        if (step.MilestoneId is { } mid)
        {
            milestone = item.Roadmap.FirstOrDefault(m => m.Id == mid);
            if (milestone is null) return new(FailureKind.Invalid, $"节点 {mid} 不属于该事项", $"milestone {mid} is not part of this item", "milestoneId");
        }
        if (action == ItemAction.RecordProgress && string.IsNullOrWhiteSpace(step.Note) && (files is null || files.Count == 0))
            return new(FailureKind.Invalid, "报送进展须填写进展情况或上传佐证材料", "progress needs a note or evidence", "note");
        var hasPhoto = item.RequiresReinspection && await db.Set<RectificationEvent>().AnyAsync(e => e.ItemId == id && e.Kind == "reinspect", ct);
        var (ok, error) = Workflow.Apply(item.Status, action, actor, step.Reason, item.RequiresReinspection, hasPhoto);
        if (error is { } e) return new(FailureKind.Conflict, e.Zh, e.En, action is ItemAction.Return or ItemAction.Reopen && string.IsNullOrWhiteSpace(step.Reason) ? "reason" : "action");
        var old = item.Status;
        var stored = await StoreAsync(files, item.Id, ct);
        item.MoveTo(ok!.To, Now, step.Reason);
        if (milestone is not null && action == ItemAction.RecordProgress) milestone.Complete(Now);
        var note = (step.Reason ?? step.Note ?? "").Trim();
        var ev = new RectificationEvent(item.Id, step.Action, note, audit.Actor, Now, milestone?.Id);
        db.Set<RectificationEvent>().Add(ev);
        audit.Record($"rectification.{step.Action}", "rectification", Inv(item.Id), new { status = old.ToString() },
            new { status = item.Status.ToString(), milestone = milestone?.Title, evidence = stored.Select(a => a.FileName).ToArray() }, step.Reason ?? step.Note);
        await audit.SaveAsync(ct);
        await LinkEvidenceAsync(stored, ev, ct);
        return null;
    }

    /// <summary>复查照片: an assessor (or the office) uploads the re-inspection photo an inspection finding needs before closing.</summary>
    public async Task<Failure?> ReinspectAsync(long id, ClaimsPrincipal user, string? note, IReadOnlyList<Upload> files, CancellationToken ct = default)
    {
        var item = await FindAsync(id, user, ct);
        if (item is null) return new(FailureKind.NotFound, $"整改事项 {id} 不存在或无权查看", $"rectification item {id} does not exist or is not visible to you", "id");
        if (user.Role() is not (Roles.Assessor or Roles.Office)) return new(FailureKind.Forbidden, "只有考核组可以上传复查照片", "only an assessor may upload a re-inspection photo", "file");
        if (files.Count == 0) return new(FailureKind.Invalid, "请上传复查照片", "a re-inspection photo is required", "file");
        if (item.Status is ItemStatus.Closed or ItemStatus.Merged) return new(FailureKind.Conflict, "该事项已销号或已合并", "the item is closed or merged", "id");
        // Refused before anything is stored: checked after, a PDF stayed in the store without a row (issue 17).
        if (files.Any(f => !UploadRules.IsImage(f.FileName)))
            return new(FailureKind.Invalid, "复查照片须为图片（jpg、png、webp）", "a re-inspection photo must be an image (jpg, png, webp)", "file");
        var stored = await StoreAsync(files, item.Id, ct);
        var ev = new RectificationEvent(item.Id, "reinspect", (note ?? "").Trim(), audit.Actor, Now);
        db.Set<RectificationEvent>().Add(ev);
        audit.Record("rectification.reinspect", "rectification", Inv(item.Id), null, new { photos = stored.Select(a => a.FileName).ToArray() }, note);
        await audit.SaveAsync(ct);
        await LinkEvidenceAsync(stored, ev, ct);
        return null;
    }

    private async Task<List<Attachment>> StoreAsync(IReadOnlyList<Upload>? files, long itemId, CancellationToken ct)
    {
        var list = new List<Attachment>();
        UploadRules.CheckTypes((files ?? []).Select(f => f.FileName));
        foreach (var f in files ?? [])
        {
            var a = await store.SaveAsync(f.Content, f.FileName, audit.Actor, EvidenceOwner, Inv(itemId), ct);
            db.Attachments.Add(a);
            list.Add(a);
        }
        return list;
    }

    /// <summary>The event lists the evidence uploaded with it, once the rows have their ids.</summary>
    private async Task LinkEvidenceAsync(List<Attachment> stored, RectificationEvent ev, CancellationToken ct)
    {
        if (stored.Count == 0) return;
        ev.SetEvidence(string.Join(",", stored.Select(a => Inv(a.Id))));
        await db.SaveChangesAsync(ct);
    }

    private async Task AddEventAsync(long itemId, string kind, string note, long? milestoneId = null, CancellationToken ct = default)
    {
        db.Set<RectificationEvent>().Add(new RectificationEvent(itemId, kind, note, audit.Actor, Now, milestoneId));
        await db.SaveChangesAsync(ct);
    }
}
