namespace Kaohe.Generate;

/// <summary>
/// What <c>kaohe generate</c> writes: a dataset of <see cref="Scale"/> into a new SQLite data directory
/// (<see cref="OutDir"/>, laid out as the application's <c>Kaohe:DataDir</c>) or an empty PostgreSQL
/// database (<see cref="Postgres"/>), with an <c>office</c> account whose password is <see cref="Password"/>.
/// </summary>
public sealed record GenerateOptions(WorkloadScale Scale, string? OutDir, string? Postgres, string Password)
{
    /// <summary>The clock of the audit entry that records the generation (the dataset's own dates are fixed, 2023).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>What a generation reports as it goes: the phase it is in, and how far through it.</summary>
public interface IGenerationProgress
{
    void Report(string phase, long done, long total);
}

/// <summary>
/// One plain line per phase (<c>… 数据 / facts 2023-Q2</c>), for a log or CI where stderr is not a terminal:
/// no carriage returns and no bars. On a terminal the CLI draws bars instead (Spectre.Console).
/// </summary>
public sealed class PhaseLines(TextWriter output) : IGenerationProgress
{
    private string? _phase;

    public void Report(string phase, long done, long total)
    {
        if (phase == _phase) return;
        output.WriteLine($"… {phase}");
        _phase = phase;
    }
}
