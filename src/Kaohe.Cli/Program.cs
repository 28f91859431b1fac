using System.Text;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;

namespace Kaohe.Cli;

/// <summary>
/// <c>kaohe score | validate | explain FILE</c>: the engine on the command line. Exit codes:
/// 0 success, 2 invalid assessment file (errors on stderr, nothing on stdout), 1 usage or I/O error.
/// </summary>
public static class Program
{
    public const int Ok = 0;
    public const int UsageError = 1;
    public const int InvalidInput = 2;

    public static int Main(string[] args)
    {
        Console.OutputEncoding = Encoding.UTF8;
        // The assessment file and the result go through the raw streams as UTF-8 bytes: a national
        // file is 15–25 MB in and 8 MB out, and decoding it into a string and back cost more than
        // scoring it.
        using var stdinBytes = Console.OpenStandardInput();
        using var stdoutBytes = Console.OpenStandardOutput();
        return Run(args, Console.In, Console.Out, Console.Error, stdinBytes, stdoutBytes);
    }

    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr) => Run(args, stdin, stdout, stderr, null, null);

    /// <summary>
    /// Runs a command. <paramref name="stdinBytes"/> and <paramref name="stdoutBytes"/>, when given, are
    /// the raw streams behind <paramref name="stdin"/> and <paramref name="stdout"/>, for the file and the
    /// result; tests pass text readers and writers only.
    /// </summary>
    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, Stream? stdinBytes, Stream? stdoutBytes)
    {
        var io = new Io(stdin, stdout, stdinBytes, stdoutBytes);
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            stdout.Write(Usage);
            return args.Length == 0 ? UsageError : Ok;
        }
        var command = args[0];
        var rest = args[1..];
        return command switch
        {
            "score" => Score(rest, io, stderr),
            "validate" => Validate(rest, io, stderr),
            "explain" => Explain(rest, io, stderr),
            "verify" => Verify(rest, stdin, stdout, stderr),
            "verify-audit" => VerifyAudit.Run(rest, stdout, stderr),
            "sweep-attachments" => SweepAttachments.Run(rest, stdout, stderr),
            "backup" => Backup.RunBackup(rest, stdout, stderr),
            "restore" => Backup.RunRestore(rest, stdout, stderr),
            "generate" => Generate.Run(rest, stdout, stderr),
            _ => Fail(stderr, $"未知命令 \"{command}\" / unknown command \"{command}\"\n\n{Usage}"),
        };
    }

    public const string Usage = """
        kaohe — 考核评分引擎 / the Kaohe scoring engine

        用法 / usage:
          kaohe score FILE [--format json|table] [--lang zh|en]   计算并输出结果 / compute and print the results
          kaohe validate FILE [--lang zh|en]                       只检查文件 / only check the file
          kaohe explain FILE --unit U [--indicator I]             逐项说明得分 / explain a unit's scores
          kaohe verify SNAPSHOT                                    重算并核对已公布的结果快照 / recompute and check a published snapshot
          kaohe verify-audit --data-dir DIR | --postgres CS       校验审计日志哈希链 / verify the audit trail's hash chain
          kaohe sweep-attachments --data-dir DIR [--postgres CS] [--grace-hours H] [--dry-run]
                                                                  删除无记录引用的附件文件（超过 H 小时，默认 24）/ remove attachment files no row names (older than H hours, 24)
          kaohe backup --data-dir DIR --out BACKUP                在线备份 SQLite 数据库和附件 / online backup of the SQLite database and attachments
          kaohe restore --from BACKUP --data-dir DIR [--force]    校验后恢复备份（应用须先停止）/ check and restore a backup (stop the application first)
          kaohe generate --scale national|small (--out DIR | --postgres CS) [--password P]
                                                                  生成测试数据集（全国规模：3,000 个单位、100 万份问卷）到新目录或空数据库，显示进度
                                                                  / write a generated dataset (national: 3,000 units, 1M survey responses) into a new directory or empty database, with progress

        FILE 为考核文件（scoring-format.md，版本 1 或 2），"-" 表示标准输入 / FILE is an assessment file (version 1 or 2); "-" reads stdin.
        退出码 / exit codes: 0 成功 ok, 2 文件有误 invalid file, 1 用法或读写错误 usage or I/O error.

        """;

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine(message);
        return UsageError;
    }

    private sealed record Options(string? File, Dictionary<string, string> Named);

    private static Options? Parse(string[] args, TextWriter stderr, params string[] allowed)
    {
        string? file = null;
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                if (Array.IndexOf(allowed, a) < 0) { Fail(stderr, $"未知选项 {a} / unknown option {a}"); return null; }
                if (i + 1 >= args.Length) { Fail(stderr, $"选项 {a} 缺少取值 / option {a} needs a value"); return null; }
                named[a] = args[++i];
            }
            else if (file is null) file = a;
            else { Fail(stderr, $"多余的参数 \"{a}\" / unexpected argument \"{a}\""); return null; }
        }
        if (file is null) { Fail(stderr, "缺少 FILE / FILE is missing\n\n" + Usage); return null; }
        return new Options(file, named);
    }

    /// <summary>The standard streams: text for messages, and the raw bytes when the process has them.</summary>
    private sealed record Io(TextReader Stdin, TextWriter Stdout, Stream? StdinBytes, Stream? StdoutBytes)
    {
        /// <summary>The whole of stdin as UTF-8 bytes. A byte order mark is dropped, as the text reader always did.</summary>
        public (ReadOnlyMemory<byte> Bytes, ValidationError? Error) ReadStdin()
        {
            if (StdinBytes is null) return (Encoding.UTF8.GetBytes(Stdin.ReadToEnd()), null);
            var (bytes, error) = KaoheFile.ReadAll(StdinBytes);
            return (bytes.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes[3..] : bytes, error);
        }

        /// <summary>Writes UTF-8 output and a newline (the output is complete before anything reaches stdout).</summary>
        public void WriteLine(ReadOnlyMemory<byte> utf8)
        {
            if (StdoutBytes is null) { Stdout.Write(Encoding.UTF8.GetString(utf8.Span) + "\n"); return; }
            Stdout.Flush();
            StdoutBytes.Write(utf8.Span);
            StdoutBytes.Write("\n"u8);
            StdoutBytes.Flush();
        }
    }

    private static ReadResult? Load(string file, Io io, TextWriter stderr)
    {
        try
        {
            var (bytes, error) = file == "-" ? io.ReadStdin() : ReadFile(file);
            return error is not null ? new ReadResult(null, [error]) : KaoheFile.Read(bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"无法读取 {file}：{ex.Message} / cannot read {file}: {ex.Message}");
            return null;
        }
    }

    private static (ReadOnlyMemory<byte>, ValidationError?) ReadFile(string file)
    {
        using var stream = File.OpenRead(file);
        return KaoheFile.ReadAll(stream);
    }

    private static bool English(Options o) => o.Named.TryGetValue("--lang", out var l) && l.StartsWith("en", StringComparison.OrdinalIgnoreCase);

    private static void WriteErrors(IReadOnlyList<ValidationError> errors, TextWriter stderr, bool? english)
    {
        foreach (var e in errors)
            stderr.WriteLine(english switch
            {
                true => $"{e.Path}: {e.En}",
                false => $"{e.Path}: {e.Zh}",
                null => e.ToString(),
            });
        stderr.WriteLine($"共 {errors.Count} 处错误 / {errors.Count} error(s)");
    }

    private static int Score(string[] args, Io io, TextWriter stderr)
    {
        var o = Parse(args, stderr, "--format", "--lang");
        if (o is null) return UsageError;
        var format = o.Named.GetValueOrDefault("--format", "json");
        if (format is not ("json" or "table")) return Fail(stderr, $"--format 应为 json 或 table / --format must be json or table");
        var read = Load(o.File!, io, stderr);
        if (read is null) return UsageError;
        if (!read.IsValid)
        {
            WriteErrors(read.Errors, stderr, o.Named.ContainsKey("--lang") ? English(o) : null);
            return InvalidInput;
        }
        var result = read.Score(); // reading validated it completely
        // Build the whole output first: nothing partial reaches stdout.
        if (format == "table") io.Stdout.Write(Table.Render(read.Assessment!, result, English(o)));
        else io.WriteLine(KaoheFile.WriteResultUtf8(result));
        return Ok;
    }

    private static int Validate(string[] args, Io io, TextWriter stderr)
    {
        var o = Parse(args, stderr, "--lang");
        if (o is null) return UsageError;
        var stdout = io.Stdout;
        var read = Load(o.File!, io, stderr);
        if (read is null) return UsageError;
        if (!read.IsValid)
        {
            WriteErrors(read.Errors, stderr, o.Named.ContainsKey("--lang") ? English(o) : null);
            return InvalidInput;
        }
        var a = read.Assessment!;
        var baseData = a.Version < 2 ? ("", "")
            : ($"，{a.Measures.Count} 个数据项，{a.Data.Count} 条基础数据，{CountFormulas(a.Indicators)} 个公式指标",
               $", {a.Measures.Count} measures, {a.Data.Count} figures, {CountFormulas(a.Indicators)} formula leaves");
        stdout.WriteLine(English(o)
            ? $"valid: {a.Units.Count} units, {a.Indicators.Leaves().Count()} leaf indicators, {a.Values.Count} values{baseData.Item2}"
            : $"文件有效：{a.Units.Count} 个单位，{a.Indicators.Leaves().Count()} 个末级指标，{a.Values.Count} 条数据{baseData.Item1}");
        return Ok;
    }


    private static int CountFormulas(IEnumerable<Indicator> nodes) => nodes.Sum(n => n.IsLeaf ? (n.Formula is null ? 0 : 1) : CountFormulas(n.ChildList));

    private static int Explain(string[] args, Io io, TextWriter stderr)
    {
        var o = Parse(args, stderr, "--unit", "--indicator", "--lang");
        if (o is null) return UsageError;
        if (!o.Named.TryGetValue("--unit", out var unit)) return Fail(stderr, "缺少 --unit / --unit is missing");
        var stdout = io.Stdout;
        var read = Load(o.File!, io, stderr);
        if (read is null) return UsageError;
        if (!read.IsValid)
        {
            WriteErrors(read.Errors, stderr, o.Named.ContainsKey("--lang") ? English(o) : null);
            return InvalidInput;
        }
        var a = read.Assessment!;
        if (!a.Units.Any(u => u.Id == unit))
        {
            stderr.WriteLine($"单位 \"{unit}\" 不存在 / unit \"{unit}\" is not defined");
            return InvalidInput;
        }
        o.Named.TryGetValue("--indicator", out var indicator);
        var node = indicator is null ? null : Find(a.Indicators, indicator);
        if (indicator is not null && node is null)
        {
            stderr.WriteLine($"指标 \"{indicator}\" 不存在 / indicator \"{indicator}\" is not defined");
            return InvalidInput;
        }
        var result = read.Score();
        stdout.Write(ExplainText.Render(a, result, unit, node, English(o)));
        return Ok;
    }

    private static int Verify(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var o = Parse(args, stderr, "--lang");
        if (o is null) return UsageError;
        string json;
        try { json = o.File == "-" ? stdin.ReadToEnd() : File.ReadAllText(o.File!); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail(stderr, $"无法读取 {o.File}：{ex.Message} / cannot read {o.File}: {ex.Message}");
        }
        var check = SnapshotFile.Verify(json);
        if (!check.Ok)
        {
            WriteErrors(check.Problems, stderr, o.Named.ContainsKey("--lang") ? English(o) : null);
            stderr.WriteLine("核验未通过 / verification FAILED");
            return InvalidInput;
        }
        stdout.WriteLine(English(o)
            ? $"verified: the results recompute from the input; input SHA-256 {check.InputSha256}, result SHA-256 {check.ResultSha256}"
            : $"核验通过：按输入重新计算与公布结果一致；输入 SHA-256 {check.InputSha256}，结果 SHA-256 {check.ResultSha256}");
        return Ok;
    }

    internal static Indicator? Find(IEnumerable<Indicator> nodes, string id)
    {
        foreach (var n in nodes)
        {
            if (n.Id == id) return n;
            if (Find(n.ChildList, id) is { } found) return found;
        }
        return null;
    }
}
