using System.Text.RegularExpressions;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;

namespace Kaohe.Web.Tests.Audit;

/// <summary>
/// Every action the audit trail is written with anywhere in src has a label in <see cref="Labels.AuditActions"/>, so
/// that a new action cannot reach the audit page as a code. The actions are read from the source: the first argument
/// of each <c>audit.Record(…)</c> and the action of each hand-built <c>new AuditEntry(…)</c>.
/// </summary>
public sealed partial class AuditLabelTests
{
    [Fact]
    public void Every_audit_action_written_in_src_has_a_label()
    {
        var (written, unresolved) = WrittenActions();
        Assert.True(unresolved.Count == 0, "the test cannot tell which actions these calls write; teach WrittenActions:\n" + string.Join("\n", unresolved));
        Assert.True(written.Count > 100, $"only {written.Count} actions found: the scan is broken");
        var missing = written.Where(w => !Labels.AuditActions.ContainsKey(w.Action)).Select(w => $"{w.Action} ({w.Where})").Distinct().ToList();
        Assert.True(missing.Count == 0, "audit actions without a label in Labels.AuditActions:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void The_scan_finds_actions_written_through_a_variable_an_interpolation_and_a_constant()
    {
        var actions = WrittenActions().Written.Select(w => w.Action).ToHashSet();
        Assert.Contains("scheme.version", actions);        // CopyAsync(…, "scheme.version", …) → audit.Record(action, …)
        Assert.Contains("rectification.verify", actions);  // $"rectification.{step.Action}"
        Assert.Contains("division.score", actions);        // $"{source}.score"
        Assert.Contains("survey.respond", actions);        // new AuditEntry(…, Action, …) with const Action
        Assert.Contains("report.return", actions);         // verify ? "report.verify" : "report.return"
        Assert.Contains("dataset.generate", actions);      // another project of src
    }

    public sealed record Written(string Action, string Where);

    public static (List<Written> Written, List<string> Unresolved) WrittenActions()
    {
        var root = Root();
        var written = new List<Written>();
        var unresolved = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (rel.Contains("/bin/") || rel.Contains("/obj/") || rel.Contains("/Migrations/") || rel.EndsWith("Audit/AuditLog.cs", StringComparison.Ordinal)) continue;
            var text = File.ReadAllText(file);
            // A class split into partial files (Ledger.Workflow.cs, SurveyWriter.Sqlite.cs) declares its constants in
            // any of them: names are resolved over the class's files, the one named after it included.
            var stem = Path.GetFileName(file).Split('.')[0];
            var declarations = string.Concat(Directory.EnumerateFiles(Path.GetDirectoryName(file)!, stem + ".*cs")
                .Where(f => Path.GetFileName(f) == stem + ".cs" || Path.GetFileName(f).StartsWith(stem + ".", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal).Select(File.ReadAllText));
            foreach (Match m in RecordCall().Matches(text))
                Resolve(Arguments(text, m.Index + m.Length)[0], rel, declarations, written, unresolved);
            foreach (Match m in EntryCall().Matches(text))
                if (Arguments(text, m.Index + m.Length) is { Count: > 4 } args) Resolve(args[3], rel, declarations, written, unresolved);
        }
        return (written, unresolved);
    }

    private static void Resolve(string arg, string where, string file, List<Written> into, List<string> unresolved)
    {
        arg = arg.Trim();
        if (arg.StartsWith("$\"", StringComparison.Ordinal))
        {
            var template = arg[2..^1];
            var hole = Hole().Match(template);
            var values = hole.Groups[1].Value switch
            {
                // Ledger.ActAsync: the step's action, one of ParseAction's words.
                "step.Action" => ParseActionWords(),
                // Scoring.SaveAsync(…, source, …): the FactSources constants its callers in the same file pass.
                "source" => FactSourceConstants().Match(file).Success
                    ? FactSourceConstants().Matches(file).Select(c => (string)typeof(FactSources).GetField(c.Groups[1].Value)!.GetRawConstantValue()!).Distinct().ToList()
                    : [],
                _ => [],
            };
            if (values.Count == 0) { unresolved.Add($"{where}: {arg}"); return; }
            into.AddRange(values.Select(v => new Written(template.Replace(hole.Value, v, StringComparison.Ordinal), where)));
            return;
        }
        var literals = Literal().Matches(arg).Select(l => l.Groups[1].Value).ToList();
        if (literals.Count > 0) { into.AddRange(literals.Select(l => new Written(l, where))); return; }
        if (Identifier().IsMatch(arg))
        {
            // A constant of the file, or a parameter: then the action-shaped literals the file passes in.
            var constant = new Regex($@"const string {Regex.Escape(arg)} = ""([^""]+)""").Match(file);
            var found = constant.Success ? [constant.Groups[1].Value] : ActionShaped().Matches(file).Select(a => a.Groups[1].Value).Distinct().ToList();
            if (found.Count > 0) { into.AddRange(found.Select(a => new Written(a, where))); return; }
        }
        unresolved.Add($"{where}: {arg}");
    }

    private static List<string> ParseActionWords()
    {
        var ledger = string.Concat(Directory.EnumerateFiles(Path.Combine(Root(), "src", "Kaohe.Web", "Features", "Rectification"), "Ledger*.cs").Select(File.ReadAllText));
        return [.. ParseActionWord().Matches(ledger).Select(m => m.Groups[1].Value)];
    }

    /// <summary>The top-level arguments of a call whose "(" ends just before <paramref name="start"/>.</summary>
    private static List<string> Arguments(string text, int start)
    {
        var args = new List<string>();
        int depth = 0, from = start;
        var inString = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
                continue;
            }
            switch (c)
            {
                case '"': inString = true; break;
                case '(' or '{' or '[': depth++; break;
                case ')' or '}' or ']' when depth == 0:
                    args.Add(text[from..i]);
                    return args;
                case ')' or '}' or ']': depth--; break;
                case ',' when depth == 0:
                    args.Add(text[from..i]);
                    from = i + 1;
                    break;
            }
        }
        return args;
    }

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Kaohe.sln"))) return dir.FullName;
        throw new InvalidOperationException("Kaohe.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\baudit\.Record\(")] private static partial Regex RecordCall();
    [GeneratedRegex(@"\bnew AuditEntry\(")] private static partial Regex EntryCall();
    [GeneratedRegex(@"\{([^}]+)\}")] private static partial Regex Hole();
    [GeneratedRegex(@"""([^""]+)""")] private static partial Regex Literal();
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.]*$")] private static partial Regex Identifier();
    [GeneratedRegex(@"""([a-z][a-z-]*(?:\.[a-z][a-z-]*)+)""")] private static partial Regex ActionShaped();
    [GeneratedRegex(@"\bSaveAsync\([^;]*?FactSources\.(\w+)")] private static partial Regex FactSourceConstants();
    [GeneratedRegex(@"""(\w+)"" => ItemAction\.")] private static partial Regex ParseActionWord();
}
