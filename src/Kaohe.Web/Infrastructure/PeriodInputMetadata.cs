using Kaohe.Data;

namespace Kaohe.Web.Infrastructure;

/// <summary>How a write endpoint meets the period stage guard (Data/PeriodStages.cs).</summary>
public enum StageHandling
{
    /// <summary>Refused with the stage problem (409) where the stage does not allow the input.</summary>
    Refused,

    /// <summary>An appeal decision: corrects the contested fact under <see cref="PeriodStages.CorrectionByAppeal"/>, whatever the stage.</summary>
    AppealCorrection,

    /// <summary>Never refused: what would land in a frozen period lands in the next collecting one (rectification deductions).</summary>
    NextOpenPeriod,

    /// <summary>
    /// Never refused: writes across a year's quarters (a target letter's quarter targets) where the stage allows
    /// the input and leaves the others as they are, naming them in the answer.
    /// </summary>
    OpenPeriodsOnly,
}

/// <summary>
/// Declares that a write endpoint (a minimal API, or a Razor page POST handler as an attribute) changes
/// period result inputs, and how the stage guard treats it. Every write endpoint carries this or
/// <see cref="NotPeriodInputsAttribute"/>: the generated stage matrix (tests/…/Access/StageMatrixTests.cs)
/// fails for one that carries neither, so a new endpoint cannot forget.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = true)]
public sealed class WritesPeriodInputsAttribute(PeriodInput input, StageHandling handling = StageHandling.Refused) : Attribute
{
    public PeriodInput Input { get; } = input;
    public StageHandling Handling { get; } = handling;
}

/// <summary>A write endpoint that changes no period result input, and why (set-up, the ledger, outputs, accounts, ...).</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class NotPeriodInputsAttribute(string reason) : Attribute
{
    public string Reason { get; } = reason;
}

public static class PeriodInputMetadata
{
    public static TBuilder WritesPeriodInputs<TBuilder>(this TBuilder builder, PeriodInput input, StageHandling handling = StageHandling.Refused)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new WritesPeriodInputsAttribute(input, handling));

    public static TBuilder NotPeriodInputs<TBuilder>(this TBuilder builder, string reason) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new NotPeriodInputsAttribute(reason));
}
