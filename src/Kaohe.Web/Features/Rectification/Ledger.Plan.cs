using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Rectification;

/// <summary>
/// The plan of an item: its responsible person, deadline and severity, its roadmap's milestones, and merging and splitting items.
/// </summary>
public sealed partial class Ledger
{
    public sealed record PlanChange(string ResponsiblePerson, DateOnly Deadline, string Severity, bool RequiresReinspection, string? Problem = null);

    public async Task<Failure?> PlanAsync(long id, ClaimsPrincipal user, PlanChange p, CancellationToken ct = default)
    {
        if (user.Role() != Roles.Office) return new(FailureKind.Forbidden, "只有考核办可以调整责任人、时限和等级", "only the office may change the plan", "id");
        var item = await FindAsync(id, user, ct);
        if (item is null) return new(FailureKind.NotFound, $"整改事项 {id} 不存在", $"rectification item {id} does not exist", "id");
        if (string.IsNullOrWhiteSpace(p.ResponsiblePerson)) return new(FailureKind.Invalid, "请填写责任人", "responsiblePerson is required", "responsiblePerson");
        if (!Severities.All.Contains(p.Severity)) return new(FailureKind.Invalid, $"问题等级“{p.Severity}”无效", $"severity \"{p.Severity}\" is not one of {string.Join(", ", Severities.All)}", "severity");
        var old = new { item.ResponsiblePerson, item.Deadline, item.Severity, item.RequiresReinspection, item.Problem };
        item.Plan(p.ResponsiblePerson.Trim(), p.Deadline, p.Severity, p.RequiresReinspection);
        if (!string.IsNullOrWhiteSpace(p.Problem)) item.Describe(p.Problem.Trim());
        db.Set<RectificationEvent>().Add(new RectificationEvent(item.Id, "plan",
            $"责任人 {item.ResponsiblePerson}，整改时限 {item.Deadline:yyyy-MM-dd}", audit.Actor, Now));
        audit.Record("rectification.plan", "rectification", Inv(item.Id), old, new { item.ResponsiblePerson, item.Deadline, item.Severity, item.RequiresReinspection, item.Problem });
        await audit.SaveAsync(ct);
        return null;
    }

    /// <summary>A roadmap milestone (路线图节点); the office or the item's unit adds them while the item is being worked.</summary>
    public async Task<Failure?> AddMilestoneAsync(long id, ClaimsPrincipal user, string? title, DateOnly due, CancellationToken ct = default)
    {
        var item = await FindAsync(id, user, ct);
        if (item is null) return new(FailureKind.NotFound, $"整改事项 {id} 不存在或无权查看", $"rectification item {id} does not exist or is not visible to you", "id");
        if (!await authorization.MayAsync(user, item, UnitOperations.Act)) return new(FailureKind.Forbidden, "您的角色不能编制路线图", "your role cannot edit the roadmap", "id");
        if (string.IsNullOrWhiteSpace(title)) return new(FailureKind.Invalid, "请填写节点内容", "title is required", "title");
        if (title.Trim().Length > 300) return new(FailureKind.Invalid, "节点内容不能超过300字", "the title is longer than 300 characters", "title");
        if (item.Status is ItemStatus.Closed or ItemStatus.Merged) return new(FailureKind.Conflict, "已销号或已合并的事项不能再改路线图", "a closed or merged item's roadmap is fixed", "id");
        var m = new Milestone(title.Trim(), due);
        item.Roadmap.Add(m);
        db.Set<RectificationEvent>().Add(new RectificationEvent(item.Id, "milestone", $"{m.Title}（{due:yyyy-MM-dd}）", audit.Actor, Now));
        audit.Record("rectification.milestone", "rectification", Inv(item.Id), null, new { m.Title, m.Due });
        await audit.SaveAsync(ct);
        return null;
    }

    /// <summary>合并重复事项: the others become "merged" into the target, which keeps their problems in its description.</summary>
    public async Task<Failure?> MergeAsync(long targetId, IReadOnlyList<long> others, ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (user.Role() != Roles.Office) return new(FailureKind.Forbidden, "只有考核办可以合并事项", "only the office may merge items", "targetId");
        var ids = others.Where(o => o != targetId).Distinct().ToList();
        if (ids.Count == 0) return new(FailureKind.Invalid, "请选择要并入的其他事项", "choose at least one other item to merge", "itemIds");
        var target = await db.Set<RectificationItem>().FirstOrDefaultAsync(i => i.Id == targetId, ct);
        if (target is null) return new(FailureKind.NotFound, $"整改事项 {targetId} 不存在", $"rectification item {targetId} does not exist", "targetId");
        if (target.Status is ItemStatus.Closed or ItemStatus.Merged) return new(FailureKind.Conflict, "不能并入已销号或已合并的事项", "cannot merge into a closed or merged item", "targetId");
        var items = await db.Set<RectificationItem>().Where(i => ids.Contains(i.Id)).ToListAsync(ct);
        foreach (var missing in ids.Except(items.Select(i => i.Id))) return new(FailureKind.NotFound, $"整改事项 {missing} 不存在", $"rectification item {missing} does not exist", "itemIds");
        foreach (var i in items)
        {
            if (i.UnitId != target.UnitId) return new(FailureKind.Conflict, $"事项 {i.Id} 属于其他单位，不能合并", $"item {i.Id} belongs to another unit", "itemIds");
            var (ok, error) = Workflow.Apply(i.Status, ItemAction.Merge, Actor.Office);
            if (error is { } e) return new(FailureKind.Conflict, $"事项 {i.Id}：{e.Zh}", $"item {i.Id}: {e.En}", "itemIds");
            i.MoveTo(ok!.To, Now);
            i.MergeInto(target.Id);
            db.Set<RectificationEvent>().Add(new RectificationEvent(i.Id, "merge", $"并入事项 #{target.Id}", audit.Actor, Now));
            audit.Record("rectification.merge", "rectification", Inv(i.Id), null, new { mergedInto = target.Id });
        }
        var merged = string.Join("；", items.Select(i => $"#{i.Id} {i.Problem}"));
        var text = $"{target.Problem}（合并：{merged}）";
        target.Describe(text.Length > 2000 ? text[..2000] : text);
        db.Set<RectificationEvent>().Add(new RectificationEvent(target.Id, "merge", $"合并重复事项 {string.Join("、", items.Select(i => "#" + i.Id))}", audit.Actor, Now));
        await audit.SaveAsync(ct);
        return null;
    }

    /// <summary>拆分: a broad item becomes several narrower ones (same unit, source, deadline); the original is merged into the first part.</summary>
    public async Task<(IReadOnlyList<long> Ids, Failure? Error)> SplitAsync(long id, IReadOnlyList<string> problems, ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (user.Role() != Roles.Office) return ([], new(FailureKind.Forbidden, "只有考核办可以拆分事项", "only the office may split items", "id"));
        var parts = problems.Select(p => p?.Trim() ?? "").ToList();
        if (parts.Count < 2) return ([], new(FailureKind.Invalid, "拆分至少需要两个子问题", "a split needs at least two problems", "problems"));
        for (var k = 0; k < parts.Count; k++)
            if (parts[k].Length == 0) return ([], new(FailureKind.Invalid, $"第{k + 1}个子问题为空", $"problems[{k}] is empty", $"problems[{k}]"));
        var item = await db.Set<RectificationItem>().Include(i => i.Roadmap).FirstOrDefaultAsync(i => i.Id == id, ct);
        if (item is null) return ([], new(FailureKind.NotFound, $"整改事项 {id} 不存在", $"rectification item {id} does not exist", "id"));
        var (ok, error) = Workflow.Apply(item.Status, ItemAction.Merge, Actor.Office);
        if (error is { } e) return ([], new(FailureKind.Conflict, e.Zh, e.En, "id"));
        var children = parts.Select(p => new RectificationItem(item.UnitId, item.PeriodId, p, ItemSources.Split, null, item.IndicatorId, item.Severity,
            item.ResponsiblePerson, item.Deadline, Now, audit.Actor, item.FactId)).ToList();
        foreach (var c in children)
        {
            c.MarkSplitFrom(item.Id);
            if (item.PredecessorId is { } pred) c.LinkPredecessor(pred);
            c.Plan(item.ResponsiblePerson, item.Deadline, item.Severity, item.RequiresReinspection);
            foreach (var m in item.Roadmap) c.Roadmap.Add(new Milestone(m.Title, m.Due));
        }
        db.Set<RectificationItem>().AddRange(children);
        item.MoveTo(ok!.To, Now);
        audit.Record("rectification.split", "rectification", Inv(item.Id), null, new { parts });
        await audit.SaveAsync(ct);
        item.MergeInto(children[0].Id);
        db.Set<RectificationEvent>().Add(new RectificationEvent(item.Id, "split", $"拆分为 {string.Join("、", children.Select(c => "#" + c.Id))}", audit.Actor, Now));
        foreach (var c in children)
            db.Set<RectificationEvent>().Add(new RectificationEvent(c.Id, "raise", $"由事项 #{item.Id} 拆分而来", audit.Actor, Now));
        await db.SaveChangesAsync(ct);
        return (children.Select(c => c.Id).ToList(), null);
    }
}
