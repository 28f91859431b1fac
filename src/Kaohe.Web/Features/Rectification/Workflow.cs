using Kaohe.Data;
using Kaohe.Web.Infrastructure;

namespace Kaohe.Web.Features.Rectification;

/// <summary>What someone does to an item.</summary>
public enum ItemAction { Start, RecordProgress, Submit, Verify, Return, Merge, Reopen }

/// <summary>Who acts: the unit that rectifies, the office that verifies, an assessor who re-inspects.</summary>
public enum Actor { Unit, Office, Assessor }

public sealed record Transition(ItemStatus To);

/// <summary>
/// 问题整改 workflow: open → in progress → submitted for verification → verified closed, or
/// returned with a reason. Only the office closes an item (销号); for an inspection finding the office
/// may require a re-inspection photo from an assessor first.
/// </summary>
public static class Workflow
{
    /// <summary>
    /// The next status, or why the step is not allowed. <paramref name="reason"/> is required to
    /// return an item; <paramref name="hasReinspectionPhoto"/> when the item requires one to close.
    /// </summary>
    public static (Transition? Ok, Message? Error) Apply(ItemStatus from, ItemAction action, Actor actor,
        string? reason = null, bool requiresReinspection = false, bool hasReinspectionPhoto = false)
    {
        Message Deny(string zh, string en) => new(zh, en);
        var label = Labels.Of(from, english: false);
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
        return (null, Deny($"当前状态为“{label}”，{Labels.Of(actor, english: false)}不能执行“{Labels.Of(action, english: false)}”",
            $"{actor} cannot {action} an item that is {Labels.Of(from, english: true)}"));
    }


}
