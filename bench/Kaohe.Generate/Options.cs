namespace Kaohe.Generate;

public sealed record Options(string? OutDir, string? Postgres, string Password)
{
    public static Options? Parse(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        if (Arg("--scale") is not "national") return null;
        var outDir = Arg("--out");
        var pg = Arg("--postgres");
        if ((outDir is null) == (pg is null)) return null;
        return new Options(outDir is null ? null : Path.GetFullPath(outDir), pg, Arg("--password") ?? Kaohe.Web.Infrastructure.Auth.NewPassword());
    }
}

/// <summary>A one-line progress bar on stderr: <c>[#########.........]  45%  facts 2023-Q2</c>.</summary>
public sealed class ProgressBar(TextWriter output)
{
    private int _last = -1;
    private string _label = "";

    public void Report(string label, long done, long total)
    {
        var percent = total == 0 ? 100 : (int)(done * 100 / total);
        if (percent == _last && label == _label) return;
        (_last, _label) = (percent, label);
        var filled = percent / 5;
        output.Write($"\r[{new string('#', filled)}{new string('.', 20 - filled)}] {percent,3}%  {label,-40}");
        if (done >= total) output.WriteLine();
    }
}
