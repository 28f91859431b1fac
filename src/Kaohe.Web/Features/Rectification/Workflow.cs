using Kaohe.Data;

namespace Kaohe.Web.Features.Rectification;

/// <summary>What someone does to an item.</summary>
public enum ItemAction { Start, RecordProgress, Submit, Verify, Return, Merge, Reopen }

/// <summary>Who acts: the unit that rectifies, the office that verifies, an assessor who re-inspects.</summary>
public enum Actor { Unit, Office, Assessor }

public sealed record Transition(ItemStatus To);

public sealed record TransitionError(string Zh, string En);

/// <summary>
/// 问题整改 workflow: open → in progress → submitted for verification → verified closed, or
/// returned with a reason. Only the office closes an item (销号); for an inspection finding the office
/// may require a re-inspection photo from an assessor first.
/// </summary>
public static class Workflow
{
    public static string Label(ItemStatus s, bool english = false) => (s, english) switch
    {
        (ItemStatus.Open, false) => "待整改",
        (ItemStatus.InProgress, false) => "整改中",
        (ItemStatus.SubmittedForVerification, false) => "待核验",
        (ItemStatus.Closed, false) => "已销号",
        (ItemStatus.Merged, false) => "已合并",
        (ItemStatus.Open, true) => "open",
        (ItemStatus.InProgress, true) => "in progress",
        (ItemStatus.SubmittedForVerification, true) => "awaiting verification",
        (ItemStatus.Closed, true) => "verified closed",
        (ItemStatus.Merged, true) => "merged",
        _ => s.ToString(),
    };

    /// <summary>
    /// The next status, or why the step is not allowed. <paramref name="reason"/> is required to
    /// return an item; <paramref name="hasReinspectionPhoto"/> when the item requires one to close.
    /// </summary>
    public static (Transition? Ok, TransitionError? Error) Apply(ItemStatus from, ItemAction action, Actor actor,
        string? reason = null, bool requiresReinspection = false, bool hasReinspectionPhoto = false)
    {
        TransitionError Deny(string zh, string en) => new(zh, en);
        var label = Label(from);
        switch (action)
        {
            case ItemAction.Start when actor == Actor.Unit && from == ItemStatus.Open:
                return (new(ItemStatus.InProgress), null);
            case ItemAction.RecordProgress when actor == Actor.Unit && from is ItemStatus.Open or ItemStatus.InProgress:
                return (new(ItemStatus.InProgress), null);
            case ItemAction.Submit when actor == Actor.Unit && from is ItemStatus.Open or ItemStatus.InProgress:
                return (new(ItemStatus.SubmittedForVerification), null);
            case ItemAction.Verify when actor == Actor.Office && from == ItemStatus.SubmittedForVerification:
                if (requiresReinspection && !hasReinspectionPhoto)
                    return (null, Deny("该问题来自实地考核，销号前须有考核组的复查照片", "this finding needs a re-inspection photo from an assessor before it can be closed"));
                return (new(ItemStatus.Closed), null);
            case ItemAction.Return when actor == Actor.Office && from == ItemStatus.SubmittedForVerification:
                if (string.IsNullOrWhiteSpace(reason))
                    return (null, Deny("退回须说明理由", "a return needs a reason"));
                return (new(ItemStatus.InProgress), null);
            case ItemAction.Merge when actor == Actor.Office && from is not ItemStatus.Closed and not ItemStatus.Merged:
                return (new(ItemStatus.Merged), null);
            case ItemAction.Reopen when actor == Actor.Office && from == ItemStatus.Closed:
                if (string.IsNullOrWhiteSpace(reason))
                    return (null, Deny("重新打开须说明理由", "reopening needs a reason"));
                return (new(ItemStatus.InProgress), null);
        }
        return (null, Deny($"当前状态为“{label}”，{ActorZh(actor)}不能执行“{ActionZh(action)}”",
            $"{actor} cannot {action} an item that is {Label(from, true)}"));
    }

    private static string ActorZh(Actor a) => a switch { Actor.Unit => "被考核单位", Actor.Office => "考核办", _ => "考核组" };

    private static string ActionZh(ItemAction a) => a switch
    {
        ItemAction.Start => "开始整改",
        ItemAction.RecordProgress => "报送进展",
        ItemAction.Submit => "提交核验",
        ItemAction.Verify => "核验销号",
        ItemAction.Return => "退回",
        ItemAction.Merge => "合并",
        _ => "重新打开",
    };
}
