using System.Globalization;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;

namespace Kaohe.Web.Features.Results;

/// <summary>One difference between two assessments: the datum's key, what it was and what it is.</summary>
public sealed record Change(string Key, string Unit, string? Indicator, string? Rater, string What, string? Before, string? After)
{
    public string Line => $"{Key}: {Before ?? "—"} → {After ?? "—"}";
}

/// <summary>
/// What changed between a published input (and result) and another: compared by value, datum by
/// datum (unit × indicator × rater; a unit's adjustments and veto), never by when a fact was recorded.
/// </summary>
public static class SnapshotDiff
{
    /// <summary>The changed data of one unit only (the scheme is not compared).</summary>
    public static IReadOnlyList<Change> Inputs(Assessment before, Assessment after, string unit)
    {
        Assessment Of(Assessment a) => a with
        {
            Values = [.. a.Values.Where(v => v.Unit == unit)],
            Data = [.. a.Data.Where(d => d.Unit == unit)],
            Adjustments = [.. a.Adjustments.Where(x => x.Unit == unit)],
            Vetoes = [.. a.Vetoes.Where(x => x.Unit == unit)],
        };
        return [.. Inputs(Of(before), Of(after)).Where(c => c.What != "scheme")];
    }

    public static IReadOnlyList<Change> Inputs(Assessment before, Assessment after)
    {
        var changes = new List<Change>();
        if (KaoheFile.WriteScheme(before.Period, before.Indicators, before.Rules, before.Measures) != KaoheFile.WriteScheme(after.Period, after.Indicators, after.Rules, after.Measures))
            changes.Add(new("scheme", "", null, null, "scheme", "…", "…"));
        var a = Data(before);
        var b = Data(after);
        foreach (var key in a.Keys.Union(b.Keys).Order(StringComparer.Ordinal))
        {
            var x = a.GetValueOrDefault(key);
            var y = b.GetValueOrDefault(key);
            if (x?.Text == y?.Text) continue;
            var d = x ?? y!;
            changes.Add(new(key, d.Unit, d.Indicator, d.Rater, d.What, x?.Text, y?.Text));
        }
        return changes;
    }

    public static IReadOnlyList<Change> Results(IReadOnlyList<UnitResult> before, IReadOnlyList<UnitResult> after, int decimals)
    {
        var changes = new List<Change>();
        string Text(UnitResult u) => string.Join(" ",
            $"{Rounding.HalfAwayFromZero(u.Total, decimals).ToString("F" + decimals, CultureInfo.InvariantCulture)}",
            $"#{u.Rank}", u.Grade ?? "", u.Commended ? "通报表扬" : "", u.Criticized ? "通报批评" : "", u.Vetoed ? "一票否决" : "").Trim();
        var old = before.ToDictionary(u => u.Id);
        foreach (var u in after)
        {
            var was = old.GetValueOrDefault(u.Id);
            var t = Text(u);
            var w = was is null ? null : Text(was);
            if (w != t) changes.Add(new($"result/{u.Id}", u.Id, null, null, "result", w, t));
        }
        var now = after.Select(u => u.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var u in before.Where(u => !now.Contains(u.Id)))
            changes.Add(new($"result/{u.Id}", u.Id, null, null, "result", Text(u), null));
        return changes;
    }

    /// <summary>The change note of a correction: the office's reason, then every changed input and result.</summary>
    public static string Note(string reason, IReadOnlyList<Change> inputs, IReadOnlyList<Change> results)
    {
        var lines = new List<string> { reason.Trim(), $"变更的输入 / changed inputs ({inputs.Count}):" };
        lines.AddRange(inputs.Select(c => "  " + c.Line));
        lines.Add($"变更的结果 / changed results ({results.Count}):");
        lines.AddRange(results.Select(c => "  " + c.Line));
        return string.Join("\n", lines);
    }

    private sealed record Datum(string Unit, string? Indicator, string? Rater, string What, string Text);

    private static string N(double? v) => v is { } d ? d.ToString("R", CultureInfo.InvariantCulture) : "";

    private static Dictionary<string, Datum> Data(Assessment a)
    {
        var map = new Dictionary<string, Datum>(StringComparer.Ordinal);
        foreach (var v in a.Values)
        {
            var key = v.Rater is null ? $"{v.Unit}/{v.Indicator}" : $"{v.Unit}/{v.Indicator}/{v.Rater}";
            var parts = new List<string>();
            if (v.Value is not null) parts.Add($"value={N(v.Value)}");
            if (v.Target is not null) parts.Add($"target={N(v.Target)}");
            if (v.Counts is not null) parts.Add("counts={" + string.Join(",", v.Counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}:{N(kv.Value)}")) + "}");
            if (v.Findings is { } f)
                parts.Add(f.Count is { } c ? $"findings={c}" : "findings=[" + string.Join(";", (f.Items ?? []).Select(i => $"{N(i.Points)} {i.Note}".Trim()).Order(StringComparer.Ordinal)) + "]");
            map[key] = new(v.Unit, v.Indicator, v.Rater, "value", string.Join(" ", parts));
        }
        // Version 2: each base figure (unit × measure) is a datum of its own.
        foreach (var d in a.Data)
            map[$"{d.Unit}/{d.Measure}"] = new(d.Unit, d.Measure, null, "measure", N(d.Value));
        foreach (var g in a.Adjustments.GroupBy(x => x.Unit))
            map[$"{g.Key}/adjustments"] = new(g.Key, null, null, "adjustment",
                string.Join("; ", g.Select(x => $"{x.Points.ToString("+0.####;-0.####", CultureInfo.InvariantCulture)} {x.Reason}".Trim()).Order(StringComparer.Ordinal)));
        foreach (var g in a.Vetoes.GroupBy(x => x.Unit))
            map[$"{g.Key}/veto"] = new(g.Key, null, null, "veto", "veto: " + string.Join("; ", g.Select(x => x.Reason).Order(StringComparer.Ordinal)));
        foreach (var u in a.Units)
            map[$"{u.Id}/unit"] = new(u.Id, null, null, "unit", $"{u.Name} ({u.Group})");
        return map;
    }
}
