using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Kaohe.Scoring.FileFormat;

/// <summary>
/// Writes the assessment file in the assessment's version, members in the order of scoring-format.md.
/// Numbers are written unrounded (shortest round-trip form). Version 1 is written exactly as before
/// version 2 existed; the version 2 members (measures, data, formula, valueDecimals, values) only
/// appear in version 2.
/// </summary>
internal static class AssessmentWriter
{
    public static string Write(Action<Utf8JsonWriter> body) => Encoding.UTF8.GetString(WriteUtf8(body).Span);

    public static void WriteAssessment(Utf8JsonWriter w, Assessment a, bool schemeOnly)
    {
        var v2 = a.Version >= 2;
        w.WriteStartObject();
        w.WriteNumber("kaohe", a.Version);
        w.WriteString("period", a.Period);
        Objects(w, "units", a.Units, u =>
        {
            w.WriteString("id", u.Id);
            w.WriteString("name", u.Name);
            if (!string.IsNullOrEmpty(u.Group)) w.WriteString("group", u.Group);
        });
        if (v2)
        {
            Objects(w, "measures", a.Measures, m =>
            {
                w.WriteString("id", m.Id);
                w.WriteString("name", m.Name);
                w.WriteString("unit", m.Unit);
            });
            Objects(w, "data", a.Data, d =>
            {
                w.WriteString("unit", d.Unit);
                w.WriteString("measure", d.Measure);
                w.WriteNumber("value", d.Value);
            });
        }
        w.WriteStartArray("indicators");
        foreach (var n in a.Indicators) WriteIndicator(w, n, v2);
        w.WriteEndArray();
        w.WriteStartArray("values");
        foreach (var v in a.Values) WriteValue(w, v);
        w.WriteEndArray();
        if (!schemeOnly)
        {
            Objects(w, "adjustments", a.Adjustments, adj =>
            {
                w.WriteString("unit", adj.Unit);
                w.WriteNumber("points", adj.Points);
                w.WriteString("reason", adj.Reason);
            });
            Objects(w, "vetoes", a.Vetoes, veto =>
            {
                w.WriteString("unit", veto.Unit);
                w.WriteString("reason", veto.Reason);
            });
        }
        WriteRules(w, a.Rules);
        w.WriteEndObject();
    }

    /// <summary>An array member of objects, each written by <paramref name="members"/> between its braces.</summary>
    private static void Objects<T>(Utf8JsonWriter w, string name, IEnumerable<T> items, Action<T> members)
    {
        w.WriteStartArray(name);
        foreach (var item in items)
        {
            w.WriteStartObject();
            members(item);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteIndicator(Utf8JsonWriter w, Indicator n, bool v2)
    {
        w.WriteStartObject();
        w.WriteString("id", n.Id);
        w.WriteString("name", n.Name);
        w.WriteNumber("points", n.Points);
        if (n.IsLeaf)
        {
            if (v2 && n.Formula is not null) w.WriteString("formula", n.Formula);
            if (v2 && n.ValueDecimals is { } vd) w.WriteNumber("valueDecimals", vd);
            if (n.Method is not null)
            {
                w.WritePropertyName("method");
                WriteMethod(w, n.Method);
            }
        }
        else
        {
            w.WriteString("combine", n.Combine == Combine.Geometric ? "geometric" : "sum");
            w.WriteStartArray("children");
            foreach (var c in n.ChildList) WriteIndicator(w, c, v2);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void WriteBound(Utf8JsonWriter w, string name, Bound b)
    {
        switch (b.Kind)
        {
            case BoundKind.Best: w.WriteString(name, "best"); break;
            case BoundKind.Worst: w.WriteString(name, "worst"); break;
            default: w.WriteNumber(name, b.Fixed); break;
        }
    }

    private static void WriteDirection(Utf8JsonWriter w, Direction d) => w.WriteString("direction", d == Direction.Lower ? "lower" : "higher");

    public static void WriteMethod(Utf8JsonWriter w, Method m)
    {
        w.WriteStartObject();
        w.WriteString("kind", m.Kind);
        switch (m)
        {
            case EfficacyMethod e:
                WriteBound(w, "satisfactory", e.Satisfactory);
                WriteBound(w, "unallowable", e.Unallowable);
                WriteDirection(w, e.Direction);
                w.WriteNumber("base", e.Base);
                w.WriteNumber("span", e.Span);
                w.WriteString("clamp", e.Clamp == ClampMode.Range ? "range" : "none");
                if (e.RatioDecimals is { } rd) w.WriteNumber("ratioDecimals", rd);
                break;
            case BandedMethod b:
                Objects(w, "levels", b.Levels, l =>
                {
                    w.WriteNumber("value", l.Value);
                    w.WriteNumber("coef", l.Coef);
                });
                WriteDirection(w, b.Direction);
                break;
            case RatioMethod r:
                if (r.Target is { } t) w.WriteNumber("target", t);
                w.WriteNumber("cap", r.Cap);
                break;
            case ThresholdMethod th:
                w.WriteNumber("threshold", th.Threshold);
                w.WriteNumber("stepBelow", th.StepBelow);
                w.WriteNumber("stepAbove", th.StepAbove);
                w.WriteNumber("maxAbove", th.MaxAbove);
                break;
            case RelativeMethod rel:
                w.WriteNumber("cap", rel.Cap);
                break;
            case RankMethod rk:
                w.WriteNumber("step", rk.Step);
                WriteDirection(w, rk.Direction);
                break;
            case DeductionMethod d:
                if (d.PerFinding is { } pf) w.WriteNumber("perFinding", pf);
                if (d.MaxDeduction is { } md) w.WriteNumber("maxDeduction", md);
                break;
            case RatersMethod rs:
                Objects(w, "raters", rs.Raters, r =>
                {
                    w.WriteString("id", r.Id);
                    w.WriteNumber("weight", r.Weight);
                });
                break;
            case SurveyMethod s:
                Objects(w, "options", s.Options, o =>
                {
                    w.WriteString("id", o.Id);
                    if (o.Value is { } v) w.WriteNumber("value", v); else w.WriteNull("value");
                });
                break;
        }
        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, DataValue v)
    {
        w.WriteStartObject();
        w.WriteString("unit", v.Unit);
        w.WriteString("indicator", v.Indicator);
        if (v.Rater is not null) w.WriteString("rater", v.Rater);
        if (v.Value is { } x) w.WriteNumber("value", x);
        if (v.Target is { } t) w.WriteNumber("target", t);
        if (v.Counts is not null)
        {
            w.WriteStartObject("counts");
            foreach (var (k, c) in v.Counts) w.WriteNumber(k, c);
            w.WriteEndObject();
        }
        if (v.Findings is { } f)
        {
            if (f.Count is { } c) w.WriteNumber("findings", c);
            else
            {
                w.WriteStartArray("findings");
                foreach (var item in f.Items ?? [])
                {
                    w.WriteStartObject();
                    if (item.Points is { } p) w.WriteNumber("points", p);
                    if (item.Note is not null) w.WriteString("note", item.Note);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
        }
        w.WriteEndObject();
    }

    private static void WriteRules(Utf8JsonWriter w, Rules r)
    {
        w.WriteStartObject("rules");
        if (r.BonusCap is { } bc) w.WriteNumber("bonusCap", bc);
        if (r.DeductionCap is { } dc) w.WriteNumber("deductionCap", dc);
        if (r.Grades is { } grades)
        {
            w.WriteStartArray("grades");
            foreach (var g in grades)
            {
                w.WriteStartObject();
                w.WriteString("name", g.Name);
                if (g.Min is { } min) w.WriteNumber("min", min); else w.WriteNull("min");
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteNumber("rankDecimals", r.RankDecimals);
        w.WriteNumber("commend", r.Commend);
        w.WriteNumber("criticize", r.Criticize);
        w.WriteEndObject();
    }

    /// <summary>
    /// The result file. The units are written straight from the score blocks (see
    /// <see cref="AssessmentResult.WriteUnits"/>), with each node's id encoded once, not per unit.
    /// </summary>
    public static void WriteResult(Utf8JsonWriter w, AssessmentResult result)
    {
        w.WriteStartObject();
        w.WriteNumber("kaohe", result.Version);
        w.WriteString("period", result.Period);
        w.WriteStartArray("units");
        result.WriteUnits(w, Values(result), 0, result.Units.Count);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static bool Values(AssessmentResult result) => result.Version >= 2 && result.HasFormulas;

    /// <summary>At and above this many units the result is written by two threads (tests lower it).</summary>
    internal const int ParallelUnits = 1000;

    /// <summary>
    /// The result file as UTF-8, byte for byte what <see cref="WriteResult"/> writes. Formatting a
    /// quarter of a million numbers is most of the work, so from <paramref name="parallelUnits"/> units
    /// the second half of the units is written by another thread, into a writer at the same depth of
    /// the same document, and its bytes (which then start at that half's first unit, without the ','
    /// that precedes a unit that is not the first) are joined to the first half with that ','.
    /// </summary>
    public static ReadOnlyMemory<byte> WriteResultUtf8(AssessmentResult result, int parallelUnits = ParallelUnits)
    {
        var n = result.Units.Count;
        // About 30 bytes a score (indented, with its id) and 300 for the rest of a unit.
        var capacity = (int)Math.Min(int.MaxValue / 2, n * (300L + 30L * result.NodeCount));
        var values = Values(result);
        if (n < Math.Max(2, parallelUnits) || Environment.ProcessorCount < 2)
            return WriteUtf8(w => WriteResult(w, result), capacity);

        var half = n / 2;
        var second = Task.Run(() =>
        {
            var buffer = new ArrayBufferWriter<byte>(capacity / 2);
            using var w = new Utf8JsonWriter(buffer, V1File.WriterOptions);
            w.WriteStartObject();
            w.WriteStartArray("units");
            w.Flush();
            var prefix = buffer.WrittenCount;
            result.WriteUnits(w, values, half, n);
            w.Flush();
            return buffer.WrittenMemory[prefix..];
        });
        var first = new ArrayBufferWriter<byte>(capacity);
        using (var w = new Utf8JsonWriter(first, V1File.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteNumber("kaohe", result.Version);
            w.WriteString("period", result.Period);
            w.WriteStartArray("units");
            result.WriteUnits(w, values, 0, half);
            w.Flush();
            first.Write(","u8);
            first.Write(second.Result.Span);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return first.WrittenMemory;
    }

    /// <summary>The UTF-8 bytes that <see cref="Write"/> would turn into text; <paramref name="capacity"/> is a guess of their length.</summary>
    public static ReadOnlyMemory<byte> WriteUtf8(Action<Utf8JsonWriter> body, int capacity = 1 << 16)
    {
        var buffer = new ArrayBufferWriter<byte>(capacity);
        using (var w = new Utf8JsonWriter(buffer, V1File.WriterOptions)) body(w);
        return buffer.WrittenMemory;
    }
}
