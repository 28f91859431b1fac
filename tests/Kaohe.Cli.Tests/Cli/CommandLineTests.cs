using Kaohe.Cli;
using Spectre.Console;
using CliProgram = Kaohe.Cli.Program;

namespace Kaohe.Cli.Tests.Cli;

/// <summary>
/// The command line itself (issue 19: System.CommandLine instead of four hand-written loops): help lists
/// every command and option in both languages, a wrong line is named in both languages and exits 1 with
/// nothing on stdout, and the shell completion directive offers commands, options and their values.
/// </summary>
public sealed class CommandLineTests
{
    private sealed record Run(int Exit, string Out, string Err);

    private static Run Kaohe(params string[] args)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        var exit = CliProgram.Run(args, new StringReader(""), o, e);
        return new Run(exit, o.ToString(), e.ToString());
    }

    public static TheoryData<string, string> Commands => new()
    {
        { "score", "计算并输出结果" }, { "validate", "只检查文件" }, { "explain", "逐项说明" }, { "verify", "核对已公布的结果快照" },
        { "verify-audit", "审计日志哈希链" }, { "sweep-attachments", "删除无记录引用的附件文件" }, { "backup", "在线备份" },
        { "restore", "恢复备份" }, { "generate", "生成测试数据集" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Help_lists_every_command_in_both_languages(string command, string chinese)
    {
        var help = Kaohe("--help");
        Assert.Equal(0, help.Exit);
        Assert.Matches($@"(?m)^\s+{command}( <\w+>)?\s+[^\n]*{chinese}[^\n]* / [a-z]", help.Out);
        Assert.Contains("退出码 / exit codes", help.Out);

        var own = Kaohe(command, "--help");
        Assert.Equal(0, own.Exit);
        // The usage line names the command (after the executable's name: kaohe, or the test host here).
        Assert.Matches($@"(?m)^  \S+ {command}( |$)", own.Out);
        // Every option of the command has a description with a Chinese part and an English part.
        var options = own.Out.Split('\n').Where(l => l.TrimStart().StartsWith("--", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(options);
        foreach (var line in options) Assert.Matches(@"--[\w-]+.*\p{IsCJKUnifiedIdeographs}.*/ [a-z]", line);
    }

    [Fact]
    public void Kaohe_alone_shows_the_commands_and_exits_1()
    {
        var r = Kaohe();
        Assert.Equal(1, r.Exit);
        Assert.Contains("score <FILE>", r.Out);
        Assert.Equal("", r.Err);
    }

    public static TheoryData<string[], string, string> WrongLines => new()
    {
        { ["frobnicate"], "无法识别的命令、选项或参数 \"frobnicate\"", "Unrecognized command or argument 'frobnicate'" },
        { ["score"], "命令 score 缺少参数 FILE", "Required argument 'FILE' missing for command: 'score'" },
        { ["score", "a.json", "--format", "xml"], "--format：\"xml\" 不是可选的值，应为其中之一：'json', 'table'", "--format: Argument 'xml' not recognized. Must be one of: 'json', 'table'" },
        { ["score", "a.json", "--lang", "fr"], "\"fr\" 不是可选的值", "Must be one of: 'zh', 'en'" },
        { ["explain", "a.json"], "缺少必需的选项 --unit", "Option '--unit' is required" },
        { ["score", "a.json", "--format"], "选项 --format 缺少取值", "Required argument missing for option: '--format'" },
        { ["verify-audit"], "请指定 --data-dir 或 --postgres 之一", "give exactly one of --data-dir or --postgres" },
        { ["sweep-attachments", "--data-dir", "d", "--grace-hours", "soon"], "选项 --grace-hours 的取值 \"soon\" 不是有效的数", "option --grace-hours: \"soon\" is not a number" },
        { ["sweep-attachments", "--data-dir", "d", "--grace-hours", "-2"], "--grace-hours 不能为负数", "--grace-hours must not be negative" },
        { ["generate", "--survey-codes", "5", "--scale", "small", "--codes", "c.txt"], "--scale 不用于 --survey-codes", "give exactly one of --data-dir or --postgres" },
        { ["backup", "--data-dir", "d"], "缺少必需的选项 --out", "Option '--out' is required" },
        { ["restore", "--from", "b", "--data-dir", "d", "--force", "yes"], "无法识别的命令、选项或参数 \"yes\"", "Unrecognized command or argument 'yes'" },
    };

    [Theory]
    [MemberData(nameof(WrongLines))]
    public void A_wrong_line_is_named_in_both_languages_and_exits_1(string[] args, string chinese, string english)
    {
        var r = Kaohe(args);
        Assert.Equal(1, r.Exit);
        Assert.Equal("", r.Out);
        Assert.Contains(chinese, r.Err);
        Assert.Contains(english, r.Err);
        var command = args[0] == "frobnicate" ? "kaohe" : $"kaohe {args[0]}";
        Assert.EndsWith($"运行 {command} --help 查看用法 / run {command} --help for usage\n", r.Err.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("System.", r.Err); // no .NET type names or stack traces
    }

    [Theory]
    [InlineData("score a.json --f", "--format")]
    [InlineData("score a.json --format ", "table")]
    [InlineData("generate --scale ", "national")]
    [InlineData("ver", "verify-audit")]
    public void The_suggest_directive_completes_commands_options_and_values(string line, string offered)
    {
        var r = Kaohe($"[suggest:{line.Length + 6}]", $"kaohe {line}");
        Assert.Equal(0, r.Exit);
        Assert.Contains(offered, r.Out.Split('\n', StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task On_a_terminal_each_phase_keeps_its_own_bar_and_ends_at_100_percent()
    {
        var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(screen), Interactive = InteractionSupport.Yes, Ansi = AnsiSupport.Yes, ColorSystem = ColorSystemSupport.NoColors,
        });
        string[] phases = ["迁移 / migrations", "数据 / facts 2023-Q1", "问卷 [码] / survey [tokens]"]; // brackets are Spectre markup unless escaped
        var result = await TerminalProgress.RunAsync(console, async progress =>
        {
            progress.Report(phases[0], 0, 1);
            progress.Report(phases[0], 1, 1);
            for (var i = 0; i <= 10; i++) progress.Report(phases[1], i, 10);
            progress.Report(phases[2], 2, 5); // left unfinished by the work itself: the last report stands
            await Task.Yield();
            return 42;
        });
        Assert.Equal(42, result);
        var text = screen.ToString();
        var last = text[text.LastIndexOf(phases[0], StringComparison.Ordinal)..]; // the final frame
        foreach (var phase in phases) Assert.Contains(phase, last);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(last, "100%"));
        Assert.Contains("40%", last);
    }
}
