using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Kaohe.Cli;

/// <summary>
/// The command line of <c>kaohe</c>, declared once with System.CommandLine: every command, argument and
/// option with its description in Chinese and English, the checks that span options, help
/// (<c>kaohe --help</c>, <c>kaohe score --help</c>), and shell completion through the <c>[suggest]</c>
/// directive. A command's work is in its own file; this only says what it takes.
/// </summary>
/// <remarks>
/// Parse errors exit 1 (<see cref="Program.UsageError"/>) and are written in both languages: the line is
/// parsed with the library's English messages, which <see cref="Translations"/> words in Chinese.
/// Help headings follow the system's language (the library's resources); the descriptions are in both.
/// </remarks>
internal static class Commands
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    public const string Footer = """

        FILE 为考核文件（scoring-format.md，版本 1 或 2），"-" 表示标准输入 / FILE is an assessment file (version 1 or 2); "-" reads stdin.
        退出码 / exit codes: 0 成功 ok, 2 文件有误 invalid file, 1 用法或读写错误 usage or I/O error, 3 审计日志被改动 audit trail broken (verify-audit).

        """;

    public static int Run(string[] args, Program.Io io, TextWriter stderr, CancellationToken cancel)
    {
        var root = Build(io, stderr, cancel);
        var config = new InvocationConfiguration
        {
            Output = io.Stdout,
            Error = stderr,
            // generate handles Ctrl+C itself: it stops writing cleanly and says what was left.
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        };
        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            WriteErrors(root, args, parse, stderr);
            return Program.UsageError;
        }
        return parse.Invoke(config);
    }

    /// <summary>Each parse error in Chinese and in English, on one line.</summary>
    private static void WriteErrors(RootCommand root, string[] args, ParseResult parse, TextWriter stderr)
    {
        var was = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = English;
        IReadOnlyList<ParseError> errors;
        try { errors = root.Parse(args).Errors; }
        finally { CultureInfo.CurrentUICulture = was; }
        foreach (var error in errors)
        {
            var (zh, en) = Words(OneLine(error.Message));
            // A value outside an option's choices is named by the library without its option: say which.
            if (OptionOf(error) is { } option && !en.Contains(option, StringComparison.Ordinal))
                (zh, en) = ($"{option}：{zh ?? en}", $"{option}: {en}");
            stderr.WriteLine(zh is null ? en : $"{zh} / {en}");
        }
        var command = parse.CommandResult.Command is RootCommand ? "kaohe" : $"kaohe {parse.CommandResult.Command.Name}";
        stderr.WriteLine($"运行 {command} --help 查看用法 / run {command} --help for usage");
    }

    private static string? OptionOf(ParseError error) => error.SymbolResult switch
    {
        OptionResult o => o.Option.Name,
        ArgumentResult { Parent: OptionResult o } => o.Option.Name,
        _ => null,
    };

    /// <summary>"Must be one of:" and its indented list of values, on one line.</summary>
    private static string OneLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return lines.Length == 1 ? lines[0] : $"{lines[0]} {string.Join(", ", lines[1..])}";
    }

    /// <summary>
    /// The library's messages in Chinese, as this tool words its own. The library's own Chinese resources
    /// translate some of them loosely and leave others in English; a message not listed here (our own
    /// checks are already in both languages) is shown as it is.
    /// </summary>
    private static readonly (Regex Library, string Chinese, string? English)[] Translations =
    [
        (new(@"^Unrecognized command or argument '(.*)'\.$"), "无法识别的命令、选项或参数 \"$1\"", null),
        (new(@"^Required argument missing for option: '(.*)'\.$"), "选项 $1 缺少取值", null),
        (new(@"^Option '(.*)' expects a single argument but (\d+) were provided\.$"), "选项 $1 只能给一次，却给了 $2 次", null),
        (new(@"^Argument '(.*)' not recognized\. Must be one of: (.*)$"), "\"$1\" 不是可选的值，应为其中之一：$2", null),
        (new(@"^Required argument '(.*)' missing for command: '(.*)'\.$"), "命令 $2 缺少参数 $1", null),
        (new(@"^Option '(.*)' is required\.$"), "缺少必需的选项 $1", null),
        // The library names the .NET type (System.Nullable`1[System.Int32]); people need to hear "a number".
        (new(@"^Cannot parse argument '(.*)' for option '(.*)' as expected type '.*'\.$"), "选项 $2 的取值 \"$1\" 不是有效的数", "option $2: \"$1\" is not a number"),
    ];

    /// <summary>The Chinese and English of a library message (no Chinese when the message is our own and already in both).</summary>
    private static (string? Chinese, string English) Words(string message)
    {
        if (message.Any(c => c is >= '\u4E00' and <= '\u9FFF')) return (null, message);
        foreach (var (pattern, chinese, english) in Translations)
            if (pattern.IsMatch(message)) return (pattern.Replace(message, chinese), english is null ? message : pattern.Replace(message, english));
        return (null, message);
    }

    public static RootCommand Build(Program.Io io, TextWriter stderr, CancellationToken cancel)
    {
        var root = new RootCommand("kaohe — 考核评分引擎 / the Kaohe scoring engine")
        {
            Score(io, stderr), Validate(io, stderr), Explain(io, stderr), Verify(io, stderr),
            VerifyAuditCommand(io, stderr), Sweep(io, stderr), BackupCommand(io, stderr), Restore(io, stderr),
            GenerateCommand(io, stderr, cancel),
        };
        var help = root.Options.OfType<HelpOption>().Single();
        help.Description = "显示帮助和用法 / show help and usage";
        var showHelp = new WithFooter((HelpAction)help.Action!, Footer, io.Stdout);
        help.Action = showHelp;
        root.Options.OfType<VersionOption>().Single().Description = "显示版本 / show the version";
        // kaohe alone shows the commands, as --help does, but exits 1: nothing was done.
        root.SetAction(r =>
        {
            showHelp.Invoke(r);
            return Program.UsageError;
        });
        return root;
    }

    // --- the engine's commands -------------------------------------------------------------

    private static Argument<string> FileArgument(string name = "FILE") =>
        new(name) { Description = "考核文件，\"-\" 为标准输入 / the assessment file, \"-\" for stdin" };

    private static Option<string?> Lang() => Only(new Option<string?>("--lang")
    {
        Description = "只用一种语言输出（默认中英文）/ answer in one language (default: both)",
        HelpName = "zh|en",
    }, "zh", "en");

    private static Command Score(Program.Io io, TextWriter stderr)
    {
        var file = FileArgument();
        var format = Only(new Option<string>("--format")
        {
            Description = "输出格式 / output format",
            HelpName = "json|table",
            DefaultValueFactory = _ => "json",
        }, "json", "table");
        var lang = Lang();
        var command = new Command("score", "计算并输出结果 / compute and print the results") { file, format, lang };
        command.SetAction(r => Program.Score(r.GetValue(file)!, r.GetValue(format)!, r.GetValue(lang), io, stderr));
        return command;
    }

    private static Command Validate(Program.Io io, TextWriter stderr)
    {
        var file = FileArgument();
        var lang = Lang();
        var command = new Command("validate", "只检查文件 / only check the file") { file, lang };
        command.SetAction(r => Program.Validate(r.GetValue(file)!, r.GetValue(lang), io, stderr));
        return command;
    }

    private static Command Explain(Program.Io io, TextWriter stderr)
    {
        var file = FileArgument();
        var unit = new Option<string>("--unit") { Description = "单位代码 / the unit's id", Required = true, HelpName = "U" };
        var indicator = new Option<string?>("--indicator") { Description = "只说明这一指标 / only this indicator", HelpName = "I" };
        var lang = Lang();
        var command = new Command("explain", "逐项说明一个单位的得分 / explain a unit's scores") { file, unit, indicator, lang };
        command.SetAction(r => Program.Explain(r.GetValue(file)!, r.GetValue(unit)!, r.GetValue(indicator), r.GetValue(lang), io, stderr));
        return command;
    }

    private static Command Verify(Program.Io io, TextWriter stderr)
    {
        var snapshot = new Argument<string>("SNAPSHOT") { Description = "已公布结果的快照文件，\"-\" 为标准输入 / a published results snapshot, \"-\" for stdin" };
        var lang = Lang();
        var command = new Command("verify", "重算并核对已公布的结果快照 / recompute and check a published snapshot") { snapshot, lang };
        command.SetAction(r => Program.Verify(r.GetValue(snapshot)!, r.GetValue(lang), io, stderr));
        return command;
    }

    // --- the operator's commands -----------------------------------------------------------

    private static Option<string?> DataDir(bool required = false) =>
        new("--data-dir") { Description = "应用的数据目录（kaohe.db 与 attachments）/ the application's data directory (kaohe.db and attachments)", HelpName = "DIR", Required = required };

    private static Option<string?> Postgres() =>
        new("--postgres") { Description = "PostgreSQL 连接字符串 / a PostgreSQL connection string", HelpName = "CONNECTION" };

    private static Command VerifyAuditCommand(Program.Io io, TextWriter stderr)
    {
        var (dataDir, postgres) = (DataDir(), Postgres());
        var command = new Command("verify-audit", "校验审计日志哈希链 / verify the audit trail's hash chain") { dataDir, postgres };
        ExactlyOne(command, dataDir, postgres);
        command.SetAction(r => VerifyAudit.Run(r.GetValue(dataDir), r.GetValue(postgres), io.Stdout, stderr));
        return command;
    }

    private static Command Sweep(Program.Io io, TextWriter stderr)
    {
        var (dataDir, postgres) = (DataDir(required: true), Postgres());
        var grace = new Option<double>("--grace-hours")
        {
            Description = "只删除早于此小时数的文件 / only files older than this many hours",
            HelpName = "H",
            DefaultValueFactory = _ => Kaohe.Data.AttachmentSweep.DefaultGrace.TotalHours,
        };
        grace.Validators.Add(r =>
        {
            if (Parsed(() => r.GetValueOrDefault<double>()) is < 0 or double.NaN) r.AddError("--grace-hours 不能为负数 / --grace-hours must not be negative");
        });
        var dryRun = new Option<bool>("--dry-run") { Description = "只列出，不删除 / list only, delete nothing" };
        var command = new Command("sweep-attachments", "删除无记录引用的附件文件 / remove attachment files no row names") { dataDir, postgres, grace, dryRun };
        command.SetAction(r => SweepAttachments.Run(r.GetValue(dataDir)!, r.GetValue(postgres), TimeSpan.FromHours(r.GetValue(grace)), r.GetValue(dryRun), io.Stdout, stderr));
        return command;
    }

    private static Command BackupCommand(Program.Io io, TextWriter stderr)
    {
        var dataDir = DataDir(required: true);
        var output = new Option<string>("--out") { Description = "备份目录（新建或为空）/ the backup directory (new or empty)", HelpName = "BACKUP", Required = true };
        var command = new Command("backup", "在线备份 SQLite 数据库和附件 / online backup of the SQLite database and attachments") { dataDir, output };
        command.SetAction(r => Backup.RunBackup(r.GetValue(dataDir)!, r.GetValue(output)!, io.Stdout, stderr));
        return command;
    }

    private static Command Restore(Program.Io io, TextWriter stderr)
    {
        var from = new Option<string>("--from") { Description = "kaohe backup 写出的目录 / a directory written by kaohe backup", HelpName = "BACKUP", Required = true };
        var dataDir = DataDir(required: true);
        var force = new Option<bool>("--force") { Description = "覆盖已有的数据库（应用须先停止）/ replace an existing database (stop the application first)" };
        var command = new Command("restore", "校验后恢复备份 / check and restore a backup") { from, dataDir, force };
        command.SetAction(r => Backup.RunRestore(r.GetValue(from)!, r.GetValue(dataDir)!, r.GetValue(force), io.Stdout, stderr));
        return command;
    }

    private static Command GenerateCommand(Program.Io io, TextWriter stderr, CancellationToken cancel)
    {
        var scale = Only(new Option<string?>("--scale") { Description = "规模：national（3,000 个单位、100 万份问卷）或 small / the scale: national (3,000 units, 1M responses) or small", HelpName = "national|small" }, "national", "small");
        var output = new Option<string?>("--out") { Description = "写入的新目录 / a new directory to write", HelpName = "DIR" };
        var postgres = Postgres();
        var password = new Option<string?>("--password") { Description = "考核办账号 office 的密码（默认随机生成并显示一次）/ the office account's password (default: generated, shown once)", HelpName = "P" };
        var codes = new Option<int?>("--survey-codes") { Description = "改为给压力测试发放 N 个问卷码 / issue N survey codes for a load test instead", HelpName = "N" };
        var dataDir = DataDir();
        var codesFile = new Option<string?>("--codes") { Description = "问卷码写入的文件 / the file the codes are written to", HelpName = "FILE" };
        var body = new Option<string?>("--body") { Description = "完整答卷写入的文件 / the file a complete answer is written to", HelpName = "FILE" };
        var command = new Command("generate", "生成测试数据集到新目录或空数据库，显示进度 / write a generated dataset into a new directory or an empty database, with progress")
        {
            scale, output, postgres, password, codes, dataDir, codesFile, body,
        };
        command.Validators.Add(r =>
        {
            string? Given(Option o) => r.GetResult(o) is { } found && !found.Implicit ? o.Name : null;
            if (r.GetResult(codes) is not null)
            {
                var n = Parsed(() => r.GetValue(codes)) ?? 1; // a value that is not a number is reported by the parser
                if (n < 1) r.AddError("--survey-codes 须为正整数 / --survey-codes must be a positive number");
                if ((Given(dataDir) is null) == (Given(postgres) is null)) r.AddError("请指定 --data-dir 或 --postgres 之一 / give exactly one of --data-dir or --postgres");
                if (Given(codesFile) is null) r.AddError("缺少 --codes FILE / --codes FILE is missing");
                foreach (var other in new[] { Given(scale), Given(output), Given(password) }.OfType<string>())
                    r.AddError($"{other} 不用于 --survey-codes / {other} does not go with --survey-codes");
                return;
            }
            if (Given(scale) is null) r.AddError("缺少 --scale（national 或 small）/ --scale is missing (national or small)");
            if ((Given(output) is null) == (Given(postgres) is null))
                r.AddError(Given(output) is null
                    ? "请指定 --out DIR 或 --postgres CONNECTION 之一 / give one of --out DIR or --postgres CONNECTION"
                    : "--out 与 --postgres 只能指定一个 / give only one of --out and --postgres");
            foreach (var other in new[] { Given(dataDir), Given(codesFile), Given(body) }.OfType<string>())
                r.AddError($"{other} 只用于 --survey-codes / {other} goes only with --survey-codes");
        });
        command.SetAction(r => r.GetValue(codes) is { } n
            ? Kaohe.Generate.SurveyCodes.RunAsync(n, r.GetValue(dataDir), r.GetValue(postgres), r.GetValue(codesFile)!, r.GetValue(body), io.Stdout).GetAwaiter().GetResult()
            : Generate.Run(r.GetValue(scale)!, r.GetValue(output), r.GetValue(postgres), r.GetValue(password), io.Stdout, stderr, cancel));
        return command;
    }

    // --- shared checks ---------------------------------------------------------------------

    private static Option<T> Only<T>(Option<T> option, params string[] values)
    {
        option.AcceptOnlyFromAmong(values);
        return option;
    }

    /// <summary>A value for a check that spans options; default when the value itself did not parse (the parser reports that).</summary>
    private static T? Parsed<T>(Func<T> get)
    {
        try { return get(); }
        catch (InvalidOperationException) { return default; }
    }

    private static void ExactlyOne(Command command, Option a, Option b) => command.Validators.Add(r =>
    {
        if ((r.GetResult(a) is null) == (r.GetResult(b) is null))
            r.AddError($"请指定 {a.Name} 或 {b.Name} 之一 / give exactly one of {a.Name} or {b.Name}");
    });

    /// <summary>The library's help, then what the commands share: what FILE is, and the exit codes.</summary>
    private sealed class WithFooter(HelpAction help, string footer, TextWriter output) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var code = help.Invoke(parseResult);
            if (parseResult.CommandResult.Command is RootCommand) output.Write(footer);
            return code;
        }
    }
}
