using Kaohe.Generate;
using Spectre.Console;

namespace Kaohe.Cli;

/// <summary>
/// <c>kaohe generate</c>'s progress on a terminal: a row per phase with its bar, percentage and elapsed time,
/// drawn by Spectre.Console (issue 19: it replaced a hand-drawn carriage-return bar). The rows stay on the
/// screen when the run ends, so the time each phase took is left to read. Not used when stderr is a file
/// or a pipe: <see cref="PhaseLines"/> writes one plain line per phase there.
/// </summary>
public sealed class TerminalProgress : IGenerationProgress
{
    private readonly ProgressContext _context;
    private ProgressTask? _current;
    private string? _phase;

    private TerminalProgress(ProgressContext context) => _context = context;

    /// <summary>Runs <paramref name="work"/> with the bars drawn on <paramref name="terminal"/>.</summary>
    public static Task<T> RunAsync<T>(TextWriter terminal, Func<IGenerationProgress, Task<T>> work) =>
        RunAsync(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(terminal) }), work);

    /// <summary>As <see cref="RunAsync{T}(TextWriter, Func{IGenerationProgress, Task{T}})"/>, on a console the caller made (tests).</summary>
    public static Task<T> RunAsync<T>(IAnsiConsole console, Func<IGenerationProgress, Task<T>> work) =>
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(context => work(new TerminalProgress(context)));

    public void Report(string phase, long done, long total)
    {
        if (phase != _phase)
        {
            if (_current is { } previous) previous.Value = previous.MaxValue; // a phase ends when the next begins
            _current = _context.AddTask(Markup.Escape(phase), maxValue: Math.Max(total, 1));
            _phase = phase;
        }
        _current!.MaxValue = Math.Max(total, 1);
        _current.Value = Math.Clamp(done, 0, _current.MaxValue);
    }
}
