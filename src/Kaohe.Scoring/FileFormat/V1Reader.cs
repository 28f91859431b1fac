using System.Globalization;
using System.Text.Json;

namespace Kaohe.Scoring.FileFormat;

/// <summary>
/// Reads a v1 document into the typed model, reporting every problem with its JSON path. Unknown
/// members are errors too: a misspelt parameter would otherwise change a score silently.
/// </summary>
internal sealed class V1Reader
{
    private readonly List<ValidationError> _errors = [];

    public IReadOnlyList<ValidationError> Errors => _errors;

    private void Err(string path, string zh, string en) => _errors.Add(new ValidationError(path, zh, en));

    internal static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64, CommentHandling = JsonCommentHandling.Skip };

    public static JsonDocument? Parse(ReadOnlyMemory<byte> utf8, List<ValidationError> errors)
    {
        // JsonDocument accepts invalid UTF-8 inside strings and only throws (InvalidOperationException)
        // when a string is read later: refuse it here, as the reader promises never to throw on bad input.
        if (!System.Text.Unicode.Utf8.IsValid(utf8.Span))
        {
            errors.Add(new ValidationError("$", "文件不是有效的 UTF-8 文本", "the file is not valid UTF-8 text"));
            return null;
        }
        try
        {
            var doc = JsonDocument.Parse(utf8, DocumentOptions);
            if (BadEscape(utf8.Span) is { } bad)
            {
                doc.Dispose();
                errors.Add(bad);
                return null;
            }
            return doc;
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $"（第 {line + 1} 行第 {(ex.BytePositionInLine ?? 0) + 1} 列）" : "";
            var whereEn = ex.LineNumber is { } line2 ? $" (line {line2 + 1}, column {(ex.BytePositionInLine ?? 0) + 1})" : "";
            errors.Add(new ValidationError("$", $"不是有效的 JSON{where}", $"not valid JSON{whereEn}"));
            return null;
        }
    }

    /// <summary>
    /// An escaped half of a surrogate pair (<c>"\udc40"</c>): JsonDocument accepts it and only throws
    /// (InvalidOperationException) when the string or property name is read. Found by the byte-mutation
    /// fuzz. Files rarely hold \u escapes at all, so the extra pass runs only when one is there.
    /// </summary>
    public static ValidationError? BadEscape(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IndexOf("\\u"u8) < 0) return null;
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = DocumentOptions.MaxDepth });
        try
        {
            while (reader.Read())
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
                    reader.GetString();
            return null;
        }
        catch (InvalidOperationException)
        {
            return new ValidationError("$", $"第 {reader.TokenStartIndex + 1} 字节处的 \\u 转义无效（不成对的代理字符）",
                $"the \\u escape at byte {reader.TokenStartIndex + 1} is invalid (half of a surrogate pair)");
        }
        catch (JsonException)
        {
            return null;   // JsonDocument accepted the text: anything else is for it to report
        }
    }

    public Assessment? ReadAssessment(JsonElement root, bool schemeOnly)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            Err("$", "文件须为 JSON 对象", "the document must be a JSON object");
            return null;
        }
        Known(root, "$", "kaohe", "period", "units", "indicators", "values", "adjustments", "vetoes", "rules");
        if (!root.TryGetProperty("kaohe", out var version))
            Err("$.kaohe", "缺少版本号 kaohe（应为 1）", "the version \"kaohe\" is missing (must be 1)");
        else if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v != 1)
            Err("$.kaohe", $"不支持的版本 {version.GetRawText()}，应为 1", $"unsupported version {version.GetRawText()}: must be 1");

        var period = root.TryGetProperty("period", out var pe) ? String(pe, "$.period") ?? "" : "";
        if (!root.TryGetProperty("period", out _) && !schemeOnly) Err("$.period", "缺少考核期 period", "period is missing");

        var units = Array(root, "units", "$.units", required: !schemeOnly, ReadUnit);
        var indicators = Array(root, "indicators", "$.indicators", required: true, ReadIndicator);
        var values = Array(root, "values", "$.values", required: !schemeOnly, ReadValue);
        var adjustments = Array(root, "adjustments", "$.adjustments", required: false, ReadAdjustment);
        var vetoes = Array(root, "vetoes", "$.vetoes", required: false, ReadVeto);
        var rules = root.TryGetProperty("rules", out var r) ? ReadRules(r, "$.rules") : Rules.Default;
        return new Assessment(period, units, indicators, values, adjustments, vetoes, rules);
    }

    private List<T> Array<T>(JsonElement parent, string name, string path, bool required, Func<JsonElement, string, T?> item) where T : class
    {
        var list = new List<T>();
        if (!parent.TryGetProperty(name, out var arr))
        {
            if (required) Err(path, $"缺少 {name}", $"{name} is missing");
            return list;
        }
        if (arr.ValueKind == JsonValueKind.Null && !required) return list;
        if (arr.ValueKind != JsonValueKind.Array)
        {
            Err(path, $"{name} 须为数组", $"{name} must be an array");
            return list;
        }
        var i = 0;
        foreach (var el in arr.EnumerateArray())
        {
            var t = item(el, $"{path}[{i}]");
            if (t is not null) list.Add(t);
            i++;
        }
        return list;
    }

    private bool IsObject(JsonElement el, string path)
    {
        if (el.ValueKind == JsonValueKind.Object) return true;
        Err(path, "须为 JSON 对象", "must be a JSON object");
        return false;
    }

    private void Known(JsonElement obj, string path, params string[] names)
    {
        foreach (var p in obj.EnumerateObject())
            if (System.Array.IndexOf(names, p.Name) < 0)
                Err($"{path}.{p.Name}", $"未知字段 \"{p.Name}\"", $"unknown member \"{p.Name}\"");
    }

    private string? String(JsonElement el, string path)
    {
        if (el.ValueKind == JsonValueKind.String) return el.GetString();
        Err(path, "须为字符串", "must be a string");
        return null;
    }

    private string RequiredString(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var el))
        {
            Err($"{path}.{name}", $"缺少 {name}", $"{name} is missing");
            return "";
        }
        return String(el, $"{path}.{name}") ?? "";
    }

    private string? OptionalString(JsonElement obj, string name, string path) =>
        obj.TryGetProperty(name, out var el) && el.ValueKind != JsonValueKind.Null ? String(el, $"{path}.{name}") : null;

    private double? Number(JsonElement el, string path)
    {
        if (el.ValueKind != JsonValueKind.Number)
        {
            Err(path, $"须为数字，实际为 {Describe(el)}", $"must be a number, not {DescribeEn(el)}");
            return null;
        }
        if (!el.TryGetDouble(out var d) || !double.IsFinite(d))
        {
            Err(path, $"{el.GetRawText()} 不是有限数", $"{el.GetRawText()} is not a finite number");
            return null;
        }
        return d;
    }

    private double? OptionalNumber(JsonElement obj, string name, string path) =>
        obj.TryGetProperty(name, out var el) && el.ValueKind != JsonValueKind.Null ? Number(el, $"{path}.{name}") : null;

    private double RequiredNumber(JsonElement obj, string name, string path)
    {
        if (obj.TryGetProperty(name, out var el)) return Number(el, $"{path}.{name}") ?? double.NaN;
        Err($"{path}.{name}", $"缺少 {name}", $"{name} is missing");
        return double.NaN;
    }

    private int? Integer(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var el) || el.ValueKind == JsonValueKind.Null) return null;
        var d = Number(el, $"{path}.{name}");
        if (d is null) return null;
        if (d != Math.Floor(d.Value) || Math.Abs(d.Value) > int.MaxValue)
        {
            Err($"{path}.{name}", $"{el.GetRawText()} 须为整数", $"{el.GetRawText()} must be a whole number");
            return null;
        }
        return (int)d.Value;
    }

    private static string Describe(JsonElement el) => el.ValueKind switch
    {
        JsonValueKind.String => $"字符串 \"{el.GetString()}\"",
        JsonValueKind.Object => "对象",
        JsonValueKind.Array => "数组",
        JsonValueKind.True or JsonValueKind.False => "布尔值",
        JsonValueKind.Null => "null",
        _ => el.GetRawText(),
    };

    private static string DescribeEn(JsonElement el) => el.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{el.GetString()}\"",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => el.GetRawText(),
    };

    private Unit? ReadUnit(JsonElement el, string path)
    {
        if (!IsObject(el, path)) return null;
        Known(el, path, "id", "name", "group");
        return new Unit(RequiredString(el, "id", path), OptionalString(el, "name", path) ?? "", OptionalString(el, "group", path) ?? "");
    }

    private Indicator? ReadIndicator(JsonElement el, string path)
    {
        if (!IsObject(el, path)) return null;
        Known(el, path, "id", "name", "points", "method", "children", "combine");
        var id = RequiredString(el, "id", path);
        var name = OptionalString(el, "name", path) ?? "";
        var points = RequiredNumber(el, "points", path);
        var combine = Combine.Sum;
        if (OptionalString(el, "combine", path) is { } c)
        {
            if (c == "geometric") combine = Combine.Geometric;
            else if (c != "sum") Err($"{path}.combine", $"未知的合成方式 \"{c}\"（应为 sum 或 geometric）", $"unknown combine \"{c}\" (sum or geometric)");
        }
        List<Indicator>? children = null;
        if (el.TryGetProperty("children", out var ch))
        {
            children = Array(el, "children", $"{path}.children", required: true, ReadIndicator);
            if (children.Count == 0) Err($"{path}.children", "children 不能为空数组", "children must not be empty");
        }
        Method? method = null;
        if (el.TryGetProperty("method", out var m)) method = ReadMethod(m, $"{path}.method");
        else if (children is null) Err($"{path}.method", $"指标 \"{id}\" 既无 method 也无 children", $"indicator \"{id}\" has neither a method nor children");
        if (method is not null && children is { Count: > 0 })
        {
            Err($"{path}.method", $"指标 \"{id}\" 既有下级指标又有计分方法", $"indicator \"{id}\" has both children and a method");
            method = null;
        }
        return new Indicator(id, name, points, method, children, combine);
    }

    private Direction ReadDirection(JsonElement m, string path)
    {
        var d = OptionalString(m, "direction", path);
        switch (d)
        {
            case null or "higher": return Direction.Higher;
            case "lower": return Direction.Lower;
            default:
                Err($"{path}.direction", $"未知的方向 \"{d}\"（应为 higher 或 lower）", $"unknown direction \"{d}\" (higher or lower)");
                return Direction.Higher;
        }
    }

    private Bound ReadBound(JsonElement m, string name, string path)
    {
        if (!m.TryGetProperty(name, out var el))
        {
            Err($"{path}.{name}", $"缺少 {name}", $"{name} is missing");
            return Bound.Of(double.NaN);
        }
        if (el.ValueKind == JsonValueKind.String)
        {
            switch (el.GetString())
            {
                case "best": return Bound.Best;
                case "worst": return Bound.Worst;
                default:
                    Err($"{path}.{name}", $"\"{el.GetString()}\" 无效：应为数字、\"best\" 或 \"worst\"", $"\"{el.GetString()}\" is invalid: a number, \"best\" or \"worst\"");
                    return Bound.Of(double.NaN);
            }
        }
        return Bound.Of(Number(el, $"{path}.{name}") ?? double.NaN);
    }

    private Method? ReadMethod(JsonElement m, string path)
    {
        if (!IsObject(m, path)) return null;
        if (!m.TryGetProperty("kind", out var k))
        {
            Err($"{path}.kind", "缺少计分方法 kind", "the method kind is missing");
            return null;
        }
        var kind = String(k, $"{path}.kind");
        switch (kind)
        {
            case "efficacy":
            {
                Known(m, path, "kind", "satisfactory", "unallowable", "direction", "base", "span", "clamp", "ratioDecimals");
                var clamp = ClampMode.None;
                if (OptionalString(m, "clamp", path) is { } c)
                {
                    if (c == "range") clamp = ClampMode.Range;
                    else if (c != "none") Err($"{path}.clamp", $"未知的 clamp \"{c}\"（应为 none 或 range）", $"unknown clamp \"{c}\" (none or range)");
                }
                return new EfficacyMethod(ReadBound(m, "satisfactory", path), ReadBound(m, "unallowable", path), ReadDirection(m, path),
                    OptionalNumber(m, "base", path) ?? 60, OptionalNumber(m, "span", path) ?? 40, clamp, Integer(m, "ratioDecimals", path));
            }
            case "banded":
            {
                Known(m, path, "kind", "levels", "direction");
                var levels = Array(m, "levels", $"{path}.levels", required: true, (el, p) =>
                {
                    if (!IsObject(el, p)) return null;
                    Known(el, p, "value", "coef");
                    return new BandLevel(RequiredNumber(el, "value", p), RequiredNumber(el, "coef", p));
                });
                return new BandedMethod(levels, ReadDirection(m, path));
            }
            case "ratio":
                Known(m, path, "kind", "target", "cap");
                return new RatioMethod(OptionalNumber(m, "target", path), OptionalNumber(m, "cap", path) ?? 1.0);
            case "threshold":
                Known(m, path, "kind", "threshold", "stepBelow", "stepAbove", "maxAbove");
                return new ThresholdMethod(RequiredNumber(m, "threshold", path), RequiredNumber(m, "stepBelow", path),
                    OptionalNumber(m, "stepAbove", path) ?? 0, OptionalNumber(m, "maxAbove", path) ?? 0);
            case "relative":
                Known(m, path, "kind", "cap");
                return new RelativeMethod(OptionalNumber(m, "cap", path) ?? 1.5);
            case "rank":
                Known(m, path, "kind", "step", "direction");
                return new RankMethod(OptionalNumber(m, "step", path) ?? 5, ReadDirection(m, path));
            case "deduction":
                Known(m, path, "kind", "perFinding", "maxDeduction");
                return new DeductionMethod(OptionalNumber(m, "perFinding", path), OptionalNumber(m, "maxDeduction", path));
            case "raters":
            {
                Known(m, path, "kind", "raters");
                var raters = Array(m, "raters", $"{path}.raters", required: true, (el, p) =>
                {
                    if (!IsObject(el, p)) return null;
                    Known(el, p, "id", "weight");
                    return new Rater(RequiredString(el, "id", p), RequiredNumber(el, "weight", p));
                });
                return new RatersMethod(raters);
            }
            case "survey":
            {
                Known(m, path, "kind", "options");
                if (!m.TryGetProperty("options", out _)) return new SurveyMethod(SurveyMethod.DefaultOptions);
                var options = Array(m, "options", $"{path}.options", required: true, (el, p) =>
                {
                    if (!IsObject(el, p)) return null;
                    Known(el, p, "id", "value");
                    return new SurveyOption(RequiredString(el, "id", p), OptionalNumber(el, "value", p));
                });
                return new SurveyMethod(options);
            }
            case "direct":
                Known(m, path, "kind");
                return new DirectMethod();
            case null:
                return null;
            default:
                Err($"{path}.kind", $"未知的计分方法 \"{kind}\"", $"unknown method kind \"{kind}\"");
                return null;
        }
    }

    private DataValue? ReadValue(JsonElement el, string path)
    {
        if (!IsObject(el, path)) return null;
        Known(el, path, "unit", "indicator", "value", "target", "rater", "counts", "findings");
        Dictionary<string, double>? counts = null;
        if (el.TryGetProperty("counts", out var c))
        {
            if (c.ValueKind != JsonValueKind.Object) Err($"{path}.counts", "counts 须为对象（选项 → 份数）", "counts must be an object (option → count)");
            else
            {
                counts = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var p in c.EnumerateObject())
                    if (Number(p.Value, $"{path}.counts.{p.Name}") is { } n) counts[p.Name] = n;
            }
        }
        Findings? findings = null;
        if (el.TryGetProperty("findings", out var f))
        {
            if (f.ValueKind == JsonValueKind.Number)
            {
                var n = Number(f, $"{path}.findings");
                if (n is { } count)
                {
                    if (count != Math.Floor(count) || count > int.MaxValue || count < int.MinValue)
                        Err($"{path}.findings", $"问题数 {f.GetRawText()} 须为整数", $"the number of findings {f.GetRawText()} must be a whole number");
                    else findings = Findings.OfCount((int)count);
                }
            }
            else if (f.ValueKind == JsonValueKind.Array)
            {
                var items = Array(el, "findings", $"{path}.findings", required: true, (fe, p) =>
                {
                    if (!IsObject(fe, p)) return null;
                    Known(fe, p, "points", "note");
                    return new Finding(OptionalNumber(fe, "points", p), OptionalString(fe, "note", p));
                });
                findings = new Findings(null, items);
            }
            else Err($"{path}.findings", "findings 须为数字（问题数）或数组", "findings must be a number (a count) or an array");
        }
        return new DataValue(RequiredString(el, "unit", path), RequiredString(el, "indicator", path),
            OptionalNumber(el, "value", path), OptionalNumber(el, "target", path), OptionalString(el, "rater", path), counts, findings);
    }

    private Adjustment? ReadAdjustment(JsonElement el, string path)
    {
        if (!IsObject(el, path)) return null;
        Known(el, path, "unit", "points", "reason");
        return new Adjustment(RequiredString(el, "unit", path), RequiredNumber(el, "points", path), OptionalString(el, "reason", path) ?? "");
    }

    private Veto? ReadVeto(JsonElement el, string path)
    {
        if (!IsObject(el, path)) return null;
        Known(el, path, "unit", "reason");
        return new Veto(RequiredString(el, "unit", path), OptionalString(el, "reason", path) ?? "");
    }

    private Rules ReadRules(JsonElement el, string path)
    {
        if (el.ValueKind == JsonValueKind.Null) return Rules.Default;
        if (!IsObject(el, path)) return Rules.Default;
        Known(el, path, "bonusCap", "deductionCap", "grades", "rankDecimals", "commend", "criticize");
        List<Grade>? grades = null;
        if (el.TryGetProperty("grades", out var g) && g.ValueKind != JsonValueKind.Null)
            grades = Array(el, "grades", $"{path}.grades", required: true, (ge, p) =>
            {
                if (!IsObject(ge, p)) return null;
                Known(ge, p, "name", "min");
                if (!ge.TryGetProperty("min", out _)) Err($"{p}.min", "缺少 min（最低分，null 表示不限）", "min is missing (null means anything)");
                return new Grade(RequiredString(ge, "name", p), OptionalNumber(ge, "min", p));
            });
        return new Rules(OptionalNumber(el, "bonusCap", path), OptionalNumber(el, "deductionCap", path), grades,
            Integer(el, "rankDecimals", path) ?? 2, Integer(el, "commend", path) ?? 0, Integer(el, "criticize", path) ?? 0);
    }

    internal static string Num(double d) => d.ToString("R", CultureInfo.InvariantCulture);
}
