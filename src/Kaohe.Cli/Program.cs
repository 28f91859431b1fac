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
    /// result; tests pass text readers and writers only. <paramref name="cancel"/> stops a long command
    /// (generate) as Ctrl+C does on the console.
    /// </summary>
    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, Stream? stdinBytes, Stream? stdoutBytes, CancellationToken cancel = default) =>
        Commands.Run(args, new Io(stdin, stdout, stdinBytes, stdoutBytes), stderr, cancel);

    internal static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine(message);
        return UsageError;
    }

    /// <summary>The standard streams: text for messages, and the raw bytes when the process has them.</summary>
    internal sealed record Io(TextReader Stdin, TextWriter Stdout, Stream? StdinBytes, Stream? StdoutBytes)
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

    /// <summary><c>--lang en</c> answers in English, <c>--lang zh</c> in Chinese; without it errors are in both.</summary>
    private static bool English(string? lang) => lang == "en";

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

    internal static int Score(string file, string format, string? lang, Io io, TextWriter stderr)
    {
        var read = Load(file, io, stderr);
        if (read is null) return UsageError;
        if (!read.IsValid)
        {
            WriteErrors(read.Errors, stderr, lang is null ? null : English(lang));
            return InvalidInput;
        }
        var result = read.Score(); // reading validated it completely
        // Build the whole output first: nothing partial reaches stdout.
        if (format == "table") io.Stdout.Write(Table.Render(read.Assessment!, result, English(lang)));
        else io.WriteLine(KaoheFile.WriteResultUtf8(result));
        return Ok;
    }

    internal static int Validate(string file, string? lang, Io io, TextWriter stderr)
    {
        var stdout = io.Stdout;
        var read = Load(file, io, stderr);
        if (read is null) return UsageError;
        if (!read.IsValid)
        {
            WriteErrors(read.Errors, stderr, lang is null ? null : English(lang));
            return InvalidInput;
        }
        var a = read.Assessment!;
        var baseData = a.Version < 2 ? ("", "")
            : ($"，{a.Measures.Count} 个数据项，{a.Data.Count} 条基础数据，{CountFormulas(a.Indicators)} 个公式指标",
               $", {a.Measures.Count} measures, {a.Data.Count} figures, {CountFormulas(a.Indicators)} formula leaves");
        stdout.WriteLine(English(lang)
            ? $"valid: {a.Units.Count} units, {a.Indicators.Leaves().Count()} leaf indicators, {a.Values.Count} values{baseData.Item2}"
            : $"文件有效：{a.Units.Count} 个单位，{a.Indicators.Leaves().Count()} 个末级指标，{a.Values.Count} 条数据{baseData.Item1}");
        return Ok;
    }


    private static int CountFormulas(IEnumerable<Indicator> nodes) => nodes.Sum(n => n.IsLeaf ? (n.Formula is null ? 0 : 1) : CountFormulas(n.ChildList));

    internal static int Explain(string file, string unit, string? indicator, string? lang, Io io, TextWriter stderr)
    {
        var stdout = io.Stdout;
        var read = Load(file, io, stderr);
        if (read is null) return UsageError;
        if (!read.IsValid)
        {
            WriteErrors(read.Errors, stderr, lang is null ? null : English(lang));
            return InvalidInput;
        }
        var a = read.Assessment!;
        if (!a.Units.Any(u => u.Id == unit))
        {
            stderr.WriteLine($"单位 \"{unit}\" 不存在 / unit \"{unit}\" is not defined");
            return InvalidInput;
        }
        var node = indicator is null ? null : Find(a.Indicators, indicator);
        if (indicator is not null && node is null)
        {
            stderr.WriteLine($"指标 \"{indicator}\" 不存在 / indicator \"{indicator}\" is not defined");
            return InvalidInput;
        }
        var result = read.Score();
        stdout.Write(ExplainText.Render(a, result, unit, node, English(lang)));
        return Ok;
    }

    internal static int Verify(string file, string? lang, Io io, TextWriter stderr)
    {
        var stdout = io.Stdout;
        string json;
        try { json = file == "-" ? io.Stdin.ReadToEnd() : File.ReadAllText(file); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail(stderr, $"无法读取 {file}：{ex.Message} / cannot read {file}: {ex.Message}");
        }
        var check = SnapshotFile.Verify(json);
        if (!check.Ok)
        {
            WriteErrors(check.Problems, stderr, lang is null ? null : English(lang));
            stderr.WriteLine("核验未通过 / verification FAILED");
            return InvalidInput;
        }
        stdout.WriteLine(English(lang)
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
