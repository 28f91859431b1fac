namespace Kaohe.Scoring;

/// <summary>
/// One problem in an assessment, located by its JSON path in the v1 file, with a message in
/// Simplified Chinese and in English.
/// </summary>
public sealed record ValidationError(string Path, string Zh, string En)
{
    public override string ToString() => $"{Path}: {Zh} / {En}";

    public string Message(bool chinese) => chinese ? Zh : En;

    /// <summary>Set on a "missing data" error: which unit lacks which item, so that a reader can summarise who is missing what.</summary>
    public MissingData? Missing { get; init; }
}

/// <summary>A unit's missing value: an indicator (with the rater, for a multi-rater leaf) or a base-data measure.</summary>
public sealed record MissingData(string Unit, string Item, string? Rater = null, bool Measure = false);

/// <summary>Thrown only when code computes an assessment it did not validate: a bug, not bad input.</summary>
public sealed class InvalidAssessmentException(IReadOnlyList<ValidationError> errors)
    : Exception("The assessment is invalid: " + string.Join("; ", errors.Take(5)))
{
    public IReadOnlyList<ValidationError> Errors { get; } = errors;
}
