namespace Kaohe.Scoring;

/// <summary>Entry point of the engine: validate, then compute.</summary>
public static class Engine
{
    /// <summary>Validates and computes. Invalid input yields the complete list of errors and no results.</summary>
    public static ScoreOutcome Score(Assessment assessment)
    {
        var errors = Validator.Validate(assessment, out var formulas);
        return errors.Count > 0
            ? new ScoreOutcome(null, errors)
            : new ScoreOutcome(CompiledAssessment.CompileValidated(assessment, formulas).Compute(), errors);
    }

    /// <summary>Compiles an assessment into index arrays for fast full and incremental computation.</summary>
    public static CompiledAssessment Compile(Assessment assessment)
    {
        var errors = Validator.Validate(assessment, out var formulas);
        if (errors.Count > 0) throw new InvalidAssessmentException(errors);
        return CompiledAssessment.CompileValidated(assessment, formulas);
    }
}

public sealed record ScoreOutcome(AssessmentResult? Result, IReadOnlyList<ValidationError> Errors)
{
    public bool IsValid => Result is not null;
}
