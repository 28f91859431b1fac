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

/// <summary>
/// Progress on stderr. On a terminal, one line redrawn in place: <c>[#########.........]  45%  facts 2023-Q2</c>;
/// otherwise (stderr redirected to a file or a CI log) one plain line per phase, without carriage returns.
/// </summary>
public sealed class ProgressBar(TextWriter output, bool interactive)
{
    private int _last = -1;
    private string _label = "";
    private bool _open;

    public void Report(string label, long done, long total)
    {
        var percent = total <= 0 ? 100 : (int)(Math.Clamp(done, 0, total) * 100 / total);
        if (!interactive)
        {
            if (label != _label) output.WriteLine($"… {label}");
            (_last, _label) = (percent, label);
            return;
        }
        if (percent == _last && label == _label) return;
        (_last, _label) = (percent, label);
        var filled = percent / 5;
        output.Write($"\r[{new string('#', filled)}{new string('.', 20 - filled)}] {percent,3}%  {label,-40}");
        _open = done < total;
        if (!_open) output.WriteLine();
    }

    /// <summary>Ends a bar left unfinished (e.g. by an error), so that what follows starts on its own line.</summary>
    public void Finish()
    {
        if (_open) output.WriteLine();
        _open = false;
    }
}
