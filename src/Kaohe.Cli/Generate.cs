using Kaohe.Data;
using System.Diagnostics;
using Kaohe.Generate;

namespace Kaohe.Cli;

/// <summary>
/// <c>kaohe generate --scale national|small (--out DIR | --postgres CS) [--password P]</c>: writes a
/// generated dataset (issue 9): at national scale 3,000 units in ~100 ranking groups, four quarterly
/// schemes of 60 leaves, four quarters of facts (5 raters per rater leaf), 1,000,000 survey responses
/// and 50,000 rectification items; the small scale has the same shape in seconds. The target must be
/// new: a new or empty directory, a database without Kaohe tables; nothing is overwritten. Exit 0 on
/// success, 1 on a usage error (nothing written) or a failure.
/// <c>kaohe generate --survey-codes N ...</c> issues single-use survey codes for a load test (<see cref="SurveyCodes"/>).
/// </summary>
public static class Generate
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, stdout, stderr, CancellationToken.None);

    /// <summary><c>kaohe generate ARGS</c> through the command line; also stops when <paramref name="cancel"/> fires.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancel) =>
        Program.Run(["generate", .. args], TextReader.Null, stdout, stderr, null, null, cancel);

    /// <summary>Writes the dataset; the command line has checked that exactly one of <paramref name="outDir"/> and <paramref name="postgres"/> is given.</summary>
    internal static int Run(string scaleName, string? outDir, string? postgres, string? password, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        var scale = WorkloadScale.Find(scaleName)!; // --scale accepts only the scales' names
        if (outDir is { Length: 0 }) return Fail(stderr, "--out 不能为空 / --out must not be empty");
        if (postgres is not null)
        {
            try { _ = new Npgsql.NpgsqlConnectionStringBuilder(postgres); }
            catch (ArgumentException e) { return Fail(stderr, $"--postgres 连接字符串有误：{e.Message} / --postgres is not a valid connection string: {e.Message}"); }
        }
        var generated = password is null;
        password ??= Passwords.New();
        if (!generated && !Strong(password))
            return Fail(stderr, "--password 至少 10 个字符，且含数字、小写字母和大写字母 / --password needs at least 10 characters with a digit, a lower-case and an upper-case letter");

        var options = new GenerateOptions(scale, outDir is null ? null : Path.GetFullPath(outDir), postgres, password);
        var console = ReferenceEquals(stderr, Console.Error);
        var terminal = console && !Console.IsErrorRedirected;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        // Ctrl+C stops the writing cleanly (a directory is left as it was) instead of killing the process mid-file.
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        if (console) Console.CancelKeyPress += onCancel;
        try
        {
            if (NationalDatabase.RefusalAsync(options, cts.Token).GetAwaiter().GetResult() is { } refusal) return Fail(stderr, refusal, usage: false);
            var sw = Stopwatch.StartNew();
            var summary = (terminal
                ? TerminalProgress.RunAsync(stderr, p => NationalDatabase.WriteAsync(options, p, cts.Token))
                : NationalDatabase.WriteAsync(options, new PhaseLines(stderr), cts.Token)).GetAwaiter().GetResult();
            var where = options.OutDir is { } dir ? $"{dir}（kaohe.db）" : "PostgreSQL";
            stdout.WriteLine($"已生成 / generated ({scale.Name}) in {sw.Elapsed.TotalSeconds:F1} s → {where}: {summary}");
            if (generated)
                stdout.WriteLine($"考核办账号 office 的密码 / password of the office account: {password}（只显示这一次，请妥善保存 / shown only this once: keep it safe）");
            return Program.Ok;
        }
        catch (OperationCanceledException)
        {
            return Fail(stderr, postgres is null
                ? "已取消，未写入任何数据 / cancelled: nothing was written"
                : "已取消；数据库可能已部分写入，请删除后重建 / cancelled: the database may be partly written: drop it and create it again", usage: false);
        }
        catch (TargetNotEmptyException e)
        {
            return Fail(stderr, e.Message, usage: false);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or UnauthorizedAccessException or InvalidOperationException or TimeoutException)
        {
            var partial = postgres is null
                ? "未写入任何数据 / nothing was written"
                : "数据库可能已部分写入，请删除后重建再试 / the database may be partly written: drop it, create it again and retry";
            return Fail(stderr, $"生成失败 / generation failed: {e.Message}\n{partial}", usage: false);
        }
        finally
        {
            if (console) Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>The application's password rules (Auth.cs): 10 characters, a digit, a lower- and an upper-case letter.</summary>
    private static bool Strong(string p) => p.Length >= 10 && p.Any(char.IsDigit) && p.Any(char.IsLower) && p.Any(char.IsUpper);

    private static int Fail(TextWriter stderr, string message, bool usage = true)
    {
        stderr.WriteLine(message);
        if (usage) stderr.WriteLine("运行 kaohe generate --help 查看用法 / run kaohe generate --help for usage");
        return Program.UsageError;
    }
}
