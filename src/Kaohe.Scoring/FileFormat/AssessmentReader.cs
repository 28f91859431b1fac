using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Kaohe.Scoring.FileFormat;

/// <summary>
/// Reads an assessment document (version 1, or 2 when the reader allows it) straight from the UTF-8
/// bytes with <see cref="Utf8JsonReader"/>, into the typed model: the entries of <c>values</c> go into
/// a <see cref="ValueTable"/> with their unit and indicator already resolved to indexes. Every problem
/// is reported with its JSON path, and a path is only made when there is a problem to report.
/// Unknown members are errors too (a misspelt parameter would otherwise change a score silently),
/// as are a member given twice and the version 2 members in a version 1 file. Never throws on bad input.
/// </summary>
/// <remarks>
/// The document is read in one pass in its own order. Only when <c>values</c> comes before the units
/// or the indicators it refers to is it skipped and read again at the end, and only when
/// <c>kaohe</c> is not the first member is the root scanned once for it first.
/// </remarks>
internal sealed class AssessmentReader
{
    private readonly ReadOnlyMemory<byte> _utf8;
    private readonly int _maxVersion;
    private readonly bool _schemeOnly;
    private readonly List<ValidationError> _errors;
    private int _version;
    private (string Zh, string En)? _versionError;
    private bool _parallel;      // may the values be read by two threads
    private int _parallelBytes = ParallelBytes;
    private bool _parallelUsed;  // they were: the rest of the root was read by a second reader

    private AssessmentReader(ReadOnlyMemory<byte> utf8, int maxVersion, bool schemeOnly, List<ValidationError> errors)
    {
        _utf8 = utf8;
        _maxVersion = maxVersion;
        _schemeOnly = schemeOnly;
        _errors = errors;
    }

    internal static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64, CommentHandling = JsonCommentHandling.Skip };

    internal static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64, CommentHandling = JsonCommentHandling.Skip };

    internal static readonly ValidationError LoneSurrogateError =
        new("$", "文件含有无效的 Unicode 转义（不成对的代理项，如 \\uD800）", "the file has an invalid Unicode escape (a lone surrogate such as \\uD800)");

    /// <summary>
    /// Reads a document; null (with the errors) when it is not a JSON object at all. A document that is
    /// not valid JSON gives exactly one error, at <c>$</c>, with the line and column.
    /// </summary>
    public static Assessment? Read(ReadOnlyMemory<byte> utf8, int maxVersion, bool schemeOnly, List<ValidationError> errors, int parallelBytes = ParallelBytes) =>
        Read(utf8, maxVersion, schemeOnly, errors, parallelBytes, out _);

    /// <summary><see cref="Read(ReadOnlyMemory{byte}, int, bool, List{ValidationError}, int)"/>, telling whether two threads read the values.</summary>
    internal static Assessment? Read(ReadOnlyMemory<byte> utf8, int maxVersion, bool schemeOnly, List<ValidationError> errors, int parallelBytes, out bool twoThreads)
    {
        twoThreads = false;
        // Invalid UTF-8 inside a string, or an escaped lone surrogate ("\uD800"), is accepted by the
        // JSON reader and only throws when the string is read: refuse both here.
        if (!System.Text.Unicode.Utf8.IsValid(utf8.Span))
        {
            errors.Add(new ValidationError("$", "文件不是有效的 UTF-8 文本", "the file is not valid UTF-8 text"));
            return null;
        }
        if (LoneSurrogateEscape(utf8.Span))
        {
            errors.Add(LoneSurrogateError);
            return null;
        }
        var parallel = utf8.Length >= parallelBytes && Environment.ProcessorCount > 1;
        while (true)
        {
            var own = new List<ValidationError>();
            var reader = new AssessmentReader(utf8, maxVersion, schemeOnly, own) { _parallel = parallel, _parallelBytes = parallelBytes };
            try
            {
                var a = reader.ReadRoot();
                errors.AddRange(own);
                twoThreads = reader._parallelUsed;
                return a;
            }
            catch (JsonException) when (reader._parallelUsed)
            {
                // The rest after a values array read by two threads was not plain: read it again with
                // one reader, which reports a syntax error where it is in the file.
                parallel = false;
            }
            catch (JsonException ex)
            {
                return SyntaxError(ex, errors);
            }
        }
    }

    /// <summary>As a whole-document parser would: a syntax error is the only thing reported.</summary>
    private static Assessment? SyntaxError(JsonException ex, List<ValidationError> errors)
    {
        var where = ex.LineNumber is { } line ? $"（第 {line + 1} 行第 {(ex.BytePositionInLine ?? 0) + 1} 列）" : "";
        var whereEn = ex.LineNumber is { } line2 ? $" (line {line2 + 1}, column {(ex.BytePositionInLine ?? 0) + 1})" : "";
        errors.Add(new ValidationError("$", $"不是有效的 JSON{where}", $"not valid JSON{whereEn}"));
        return null;
    }

    /// <summary>
    /// Whether a <c>\uXXXX</c> escape of the text is a surrogate without its partner: a high one
    /// (D800–DBFF) not followed by a low one (DC00–DFFF) escape, or a low one on its own.
    /// </summary>
    internal static bool LoneSurrogateEscape(ReadOnlySpan<byte> utf8)
    {
        var pendingHigh = false;
        for (var i = utf8.IndexOf((byte)'\\'); i >= 0 && i < utf8.Length;)
        {
            if (i + 1 < utf8.Length && utf8[i + 1] == 'u' && i + 6 <= utf8.Length
                && Utf8Parser.TryParse(utf8.Slice(i + 2, 4), out ushort unit, out var used, 'X') && used == 4)
            {
                var high = unit is >= 0xD800 and <= 0xDBFF;
                var low = unit is >= 0xDC00 and <= 0xDFFF;
                if (pendingHigh != low) return true; // a high not followed by a low, or a low without a high
                pendingHigh = high;
                i += 6;
                if (pendingHigh && (i >= utf8.Length || utf8[i] != '\\')) return true;
                if (i < utf8.Length && utf8[i] == '\\') continue;
            }
            else
            {
                if (pendingHigh) return true;
                i += 2; // any other escape, "\\" included
                if (i < utf8.Length && utf8[i] == '\\') continue;
            }
            var next = i < utf8.Length ? utf8[i..].IndexOf((byte)'\\') : -1;
            if (next < 0) break;
            i += next;
        }
        return pendingHigh;
    }

    private void Err(string path, string zh, string en) => _errors.Add(new ValidationError(path, zh, en));

    private Utf8JsonReader NewReader(int start = 0, int length = -1) =>
        new(_utf8.Span.Slice(start, length < 0 ? _utf8.Length - start : length), ReaderOptions);

    // ---- the root ---------------------------------------------------------------------------

    /// <summary>What the root's members gave so far (the root may be read by two readers, see <see cref="Values"/>).</summary>
    private sealed class Root
    {
        public string Period = "";
        public bool HasPeriod, HasUnits, HasIndicators, HasValues;
        public List<Unit> Units = [];
        public List<Measure> Measures = [];
        public List<MeasureValue> Data = [];
        public List<Indicator> Indicators = [];
        public IReadOnlyList<DataValue> Values = [];
        public List<Adjustment> Adjustments = [];
        public List<Veto> Vetoes = [];
        public Rules Rules = Rules.Default;
        public (int Start, int Length)? DeferredValues;
        public Seen Seen;
    }

    private Assessment? ReadRoot()
    {
        var r = NewReader();
        r.Read();
        if (r.TokenType != JsonTokenType.StartObject)
        {
            r.Skip();
            EndOfDocument(ref r);
            Err("$", "文件须为 JSON 对象", "the document must be a JSON object");
            return null;
        }
        FindVersion();
        var root = new Root();
        RootMembers(ref r, root);
        if (root.DeferredValues is { } d)
        {
            var again = NewReader(d.Start, d.Length);
            again.Read();
            root.Values = Values(ref again, root.Units, root.Indicators, out _);
        }
        if (_versionError is { } ve) Err("$.kaohe", ve.Zh, ve.En);
        if (!root.HasPeriod && !_schemeOnly) Err("$.period", "缺少考核期 period", "period is missing");
        if (!root.HasUnits && !_schemeOnly) Missing("$.units", "units");
        if (!root.HasIndicators) Missing("$.indicators", "indicators");
        if (!root.HasValues && !_schemeOnly) Missing("$.values", "values");
        return new Assessment(root.Period, root.Units, root.Indicators, root.Values, root.Adjustments, root.Vetoes, root.Rules)
        {
            Version = _version, Measures = root.Measures, Data = root.Data,
        };
    }

    /// <summary>The members of the root object from the reader's position to the end of the document.</summary>
    private void RootMembers(ref Utf8JsonReader r, Root root)
    {
        var v2 = _version == 2;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var name = r.GetString()!;
            r.Read();
            if (!root.Seen.First(name)) { Duplicate("$", name); r.Skip(); continue; }
            switch (name)
            {
                case "kaohe":
                    r.Skip(); // read by FindVersion
                    break;
                case "period":
                    root.HasPeriod = true;
                    root.Period = String(ref r, "$.period") ?? "";
                    break;
                case "units":
                    root.HasUnits = true;
                    root.Units = Array(ref r, "units", "$.units", required: !_schemeOnly, ReadUnit);
                    break;
                case "measures" when v2:
                    root.Measures = Array(ref r, "measures", "$.measures", required: false, ReadMeasure);
                    break;
                case "data" when v2:
                    root.Data = Array(ref r, "data", "$.data", required: false, ReadMeasureValue);
                    break;
                case "indicators":
                    root.HasIndicators = true;
                    root.Indicators = Array(ref r, "indicators", "$.indicators", required: true, ReadIndicator);
                    break;
                case "values":
                    root.HasValues = true;
                    if (root.HasUnits && root.HasIndicators)
                    {
                        root.Values = Values(ref r, root.Units, root.Indicators, out var end);
                        if (end >= 0)
                        {
                            // The array's second half was read by another thread, up to its ']' at end: the
                            // rest of the root is read by a reader of its own.
                            var rest = Rest(end);
                            var tail = new Utf8JsonReader(rest, ReaderOptions);
                            tail.Read();
                            RootMembers(ref tail, root);
                            return;
                        }
                    }
                    else
                    {
                        // The units and indicators it names come later in this file: read it at the end.
                        var start = (int)r.TokenStartIndex;
                        r.Skip();
                        root.DeferredValues = (start, (int)r.BytesConsumed - start);
                    }
                    break;
                case "adjustments":
                    root.Adjustments = Array(ref r, "adjustments", "$.adjustments", required: false, ReadAdjustment);
                    break;
                case "vetoes":
                    root.Vetoes = Array(ref r, "vetoes", "$.vetoes", required: false, ReadVeto);
                    break;
                case "rules":
                    root.Rules = ReadRules(ref r, "$.rules");
                    break;
                default:
                    Unknown("$", name);
                    r.Skip();
                    break;
            }
        }
        EndOfDocument(ref r);
    }

    /// <summary>After the root value only whitespace and comments may follow (the reader throws otherwise).</summary>
    private static void EndOfDocument(ref Utf8JsonReader r)
    {
        while (r.Read()) { }
    }

    /// <summary>
    /// The version decides which members exist, so it is read first: at once when <c>kaohe</c> is the
    /// first member (as every file this engine writes has it), else by one scan of the root's members.
    /// A file of a missing or unknown version is checked against the newest members, to report what
    /// is wrong once.
    /// </summary>
    private void FindVersion()
    {
        var expected = _maxVersion == 1 ? "1" : "1 或 2";
        var expectedEn = _maxVersion == 1 ? "1" : "1 or 2";
        var r = NewReader();
        r.Read();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var isVersion = r.ValueTextEquals("kaohe"u8);
            r.Read();
            if (!isVersion) { r.Skip(); continue; }
            if (r.TokenType != JsonTokenType.Number || !r.TryGetInt32(out var v) || v < 1 || v > _maxVersion)
            {
                var raw = Raw(ref r);
                _versionError = ($"不支持的版本 {raw}，应为 {expected}", $"unsupported version {raw}: must be {expectedEn}");
                _version = _maxVersion;
            }
            else _version = v;
            return;
        }
        _versionError = ($"缺少版本号 kaohe（应为 {expected}）", $"the version \"kaohe\" is missing (must be {expectedEn})");
        _version = _maxVersion;
    }

    // ---- helpers for members and scalars ----------------------------------------------------

    /// <summary>The member names of one object seen so far; a few names, so a list beats a set.</summary>
    private struct Seen
    {
        private List<string>? _names;

        public bool First(string name)
        {
            _names ??= new List<string>(8);
            if (_names.Contains(name)) return false;
            _names.Add(name);
            return true;
        }

        public readonly bool Has(string name) => _names?.Contains(name) == true;
    }

    private void Unknown(string path, string name) => Err($"{path}.{name}", $"未知字段 \"{name}\"", $"unknown member \"{name}\"");

    private void Duplicate(string path, string name) =>
        Err($"{path}.{name}", $"字段 \"{name}\" 重复出现", $"the member \"{name}\" is given more than once");

    private void Missing(string path, string name) => Err(path, $"缺少 {name}", $"{name} is missing");

    /// <summary>The value at the reader as written in the file (for messages); consumes it.</summary>
    private string Raw(ref Utf8JsonReader r)
    {
        var start = (int)r.TokenStartIndex;
        if (r.TokenType == JsonTokenType.String) return Encoding.UTF8.GetString(_utf8.Span.Slice(start, r.ValueSpan.Length + 2));
        if (r.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray)) return Encoding.UTF8.GetString(r.ValueSpan);
        r.Skip();
        return Encoding.UTF8.GetString(_utf8.Span[start..(int)r.BytesConsumed]);
    }

    private static string Describe(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.String => $"字符串 \"{r.GetString()}\"",
        JsonTokenType.StartObject => "对象",
        JsonTokenType.StartArray => "数组",
        JsonTokenType.True or JsonTokenType.False => "布尔值",
        JsonTokenType.Null => "null",
        _ => Encoding.UTF8.GetString(r.ValueSpan),
    };

    private static string DescribeEn(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.String => $"the string \"{r.GetString()}\"",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => Encoding.UTF8.GetString(r.ValueSpan),
    };

    /// <summary>A string at the reader (consumed); null, with an error, for anything else.</summary>
    private string? String(ref Utf8JsonReader r, string path)
    {
        if (r.TokenType == JsonTokenType.String) return r.GetString();
        Err(path, "须为字符串", "must be a string");
        r.Skip();
        return null;
    }

    /// <summary>A string member that may be null (then absent).</summary>
    private string? OptionalString(ref Utf8JsonReader r, string path) => r.TokenType == JsonTokenType.Null ? null : String(ref r, path);

    /// <summary>
    /// A string that recurs across the file (a member name, a rater, a survey option, a group, a
    /// finding's note), made once per distinct text: later ones are found by their UTF-8 bytes in a
    /// small table and neither transcoded nor allocated again.
    /// </summary>
    private string Recurring(ref Utf8JsonReader r)
    {
        var bytes = r.ValueSpan;
        if (r.ValueIsEscaped || bytes.Length > 64) return r.GetString()!;
        var h = new HashCode();
        h.AddBytes(bytes);
        ref var slot = ref _recurring[h.ToHashCode() & (_recurring.Length - 1)];
        if (slot.Utf8 is { } known && bytes.SequenceEqual(known)) return slot.Text!;
        var text = r.GetString()!;
        slot = (bytes.ToArray(), text);
        return text;
    }

    private readonly (byte[]? Utf8, string? Text)[] _recurring = new (byte[]?, string?)[1024];

    /// <summary><see cref="OptionalString"/> for a recurring text.</summary>
    private string? OptionalRecurring(ref Utf8JsonReader r, string path) =>
        r.TokenType == JsonTokenType.String ? Recurring(ref r) : OptionalString(ref r, path);

    /// <summary>A finite number at the reader (consumed); null, with an error, for anything else.</summary>
    private double? Number(ref Utf8JsonReader r, string path)
    {
        if (r.TokenType != JsonTokenType.Number)
        {
            Err(path, $"须为数字，实际为 {Describe(ref r)}", $"must be a number, not {DescribeEn(ref r)}");
            r.Skip();
            return null;
        }
        if (!r.TryGetDouble(out var d) || !double.IsFinite(d))
        {
            var raw = Encoding.UTF8.GetString(r.ValueSpan);
            Err(path, $"{raw} 不是有限数", $"{raw} is not a finite number");
            return null;
        }
        return d;
    }

    private double? OptionalNumber(ref Utf8JsonReader r, string path) => r.TokenType == JsonTokenType.Null ? null : Number(ref r, path);

    private int? Integer(ref Utf8JsonReader r, string path)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        var raw = r.TokenType == JsonTokenType.Number ? Encoding.UTF8.GetString(r.ValueSpan) : "";
        var d = Number(ref r, path);
        if (d is null) return null;
        if (d != Math.Floor(d.Value) || Math.Abs(d.Value) > int.MaxValue)
        {
            Err(path, $"{raw} 须为整数", $"{raw} must be a whole number");
            return null;
        }
        return (int)d.Value;
    }

    private delegate T? Item<T>(ref Utf8JsonReader r, string path) where T : class;

    /// <summary>
    /// An array member at the reader: each element read by <paramref name="item"/> (elements it
    /// refuses are left out). Null is an empty array where the member is optional.
    /// </summary>
    private List<T> Array<T>(ref Utf8JsonReader r, string name, string path, bool required, Item<T> item) where T : class
    {
        var list = new List<T>();
        if (r.TokenType == JsonTokenType.Null && !required) return list;
        if (r.TokenType != JsonTokenType.StartArray)
        {
            Err(path, $"{name} 须为数组", $"{name} must be an array");
            r.Skip();
            return list;
        }
        var i = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (item(ref r, $"{path}[{i}]") is { } t) list.Add(t);
            i++;
        }
        return list;
    }

    private bool IsObject(ref Utf8JsonReader r, string path)
    {
        if (r.TokenType == JsonTokenType.StartObject) return true;
        Err(path, "须为 JSON 对象", "must be a JSON object");
        r.Skip();
        return false;
    }

    /// <summary>
    /// Reads the members of an object at the reader: <paramref name="member"/> is called with the
    /// reader on each known member's value and must consume it; unknown and repeated members are
    /// reported and skipped. Returns the names seen.
    /// </summary>
    private Seen Members(ref Utf8JsonReader r, string path, scoped ReadOnlySpan<string> known, MemberReader member)
    {
        var seen = new Seen();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var name = Recurring(ref r);
            r.Read();
            if (known.IndexOf(name) < 0) { Unknown(path, name); r.Skip(); }
            else if (!seen.First(name)) { Duplicate(path, name); r.Skip(); }
            else member(ref r, name);
        }
        return seen;
    }

    private delegate void MemberReader(ref Utf8JsonReader r, string name);

    // ---- units, measures, data, adjustments, vetoes -----------------------------------------

    private static readonly string[] UnitMembers = ["id", "name", "group"];

    private Unit? ReadUnit(ref Utf8JsonReader r, string path)
    {
        if (!IsObject(ref r, path)) return null;
        string? id = null, name = null, group = null;
        var seen = Members(ref r, path, UnitMembers, (ref Utf8JsonReader m, string member) =>
        {
            switch (member)
            {
                case "id": id = String(ref m, $"{path}.id") ?? ""; break;
                case "name": name = OptionalString(ref m, $"{path}.name"); break;
                default: group = OptionalRecurring(ref m, $"{path}.group"); break;
            }
        });
        if (!seen.Has("id")) Missing($"{path}.id", "id");
        return new Unit(id ?? "", name ?? "", group ?? "");
    }

    private static readonly string[] MeasureMembers = ["id", "name", "unit"];

    private Measure? ReadMeasure(ref Utf8JsonReader r, string path)
    {
        if (!IsObject(ref r, path)) return null;
        string? id = null, name = null, unit = null;
        var seen = Members(ref r, path, MeasureMembers, (ref Utf8JsonReader m, string member) =>
        {
            switch (member)
            {
                case "id": id = String(ref m, $"{path}.id") ?? ""; break;
                case "name": name = OptionalString(ref m, $"{path}.name"); break;
                default: unit = OptionalString(ref m, $"{path}.unit"); break;
            }
        });
        if (!seen.Has("id")) Missing($"{path}.id", "id");
        return new Measure(id ?? "", name ?? "", unit ?? "");
    }

    private static readonly string[] DatumMembers = ["unit", "measure", "value"];

    private MeasureValue? ReadMeasureValue(ref Utf8JsonReader r, string path)
    {
        if (!IsObject(ref r, path)) return null;
        string? unit = null, measure = null;
        var value = double.NaN;
        var seen = Members(ref r, path, DatumMembers, (ref Utf8JsonReader m, string member) =>
        {
            switch (member)
            {
                case "unit": unit = String(ref m, $"{path}.unit") ?? ""; break;
                case "measure": measure = String(ref m, $"{path}.measure") ?? ""; break;
                default: value = Number(ref m, $"{path}.value") ?? double.NaN; break;
            }
        });
        if (!seen.Has("unit")) Missing($"{path}.unit", "unit");
        if (!seen.Has("measure")) Missing($"{path}.measure", "measure");
        if (!seen.Has("value")) Missing($"{path}.value", "value");
        return new MeasureValue(unit ?? "", measure ?? "", value);
    }

    private static readonly string[] AdjustmentMembers = ["unit", "points", "reason"];

    private Adjustment? ReadAdjustment(ref Utf8JsonReader r, string path)
    {
        if (!IsObject(ref r, path)) return null;
        string? unit = null, reason = null;
        var points = double.NaN;
        var seen = Members(ref r, path, AdjustmentMembers, (ref Utf8JsonReader m, string member) =>
        {
            switch (member)
            {
                case "unit": unit = String(ref m, $"{path}.unit") ?? ""; break;
                case "points": points = Number(ref m, $"{path}.points") ?? double.NaN; break;
                default: reason = OptionalString(ref m, $"{path}.reason"); break;
            }
        });
        if (!seen.Has("unit")) Missing($"{path}.unit", "unit");
        if (!seen.Has("points")) Missing($"{path}.points", "points");
        return new Adjustment(unit ?? "", points, reason ?? "");
    }

    private static readonly string[] VetoMembers = ["unit", "reason"];

    private Veto? ReadVeto(ref Utf8JsonReader r, string path)
    {
        if (!IsObject(ref r, path)) return null;
        string? unit = null, reason = null;
        var seen = Members(ref r, path, VetoMembers, (ref Utf8JsonReader m, string member) =>
        {
            if (member == "unit") unit = String(ref m, $"{path}.unit") ?? "";
            else reason = OptionalString(ref m, $"{path}.reason");
        });
        if (!seen.Has("unit")) Missing($"{path}.unit", "unit");
        return new Veto(unit ?? "", reason ?? "");
    }

    // ---- indicators and methods -------------------------------------------------------------

    private static readonly string[] IndicatorMembers = ["id", "name", "points", "method", "children", "combine"];
    private static readonly string[] IndicatorMembersV2 = ["id", "name", "points", "formula", "valueDecimals", "method", "children", "combine"];

    private Indicator? ReadIndicator(ref Utf8JsonReader r, string path)
    {
        if (!IsObject(ref r, path)) return null;
        string? id = null, name = null, combine = null, formula = null;
        var points = double.NaN;
        int? valueDecimals = null;
        List<Indicator>? children = null;
        Method? method = null;
        var seen = Members(ref r, path, _version == 2 ? IndicatorMembersV2 : IndicatorMembers, (ref Utf8JsonReader m, string member) =>
        {
            switch (member)
            {
                case "id": id = String(ref m, $"{path}.id") ?? ""; break;
                case "name": name = OptionalString(ref m, $"{path}.name"); break;
                case "points": points = Number(ref m, $"{path}.points") ?? double.NaN; break;
                case "combine": combine = OptionalString(ref m, $"{path}.combine"); break;
                case "formula": formula = OptionalString(ref m, $"{path}.formula"); break;
                case "valueDecimals": valueDecimals = Integer(ref m, $"{path}.valueDecimals"); break;
                case "children": children = Array(ref m, "children", $"{path}.children", required: true, ReadIndicator); break;
                default: method = ReadMethod(ref m, $"{path}.method"); break;
            }
        });
        if (!seen.Has("id")) Missing($"{path}.id", "id");
        if (!seen.Has("points")) Missing($"{path}.points", "points");
        var c = Combine.Sum;
        if (combine is not null)
        {
            if (combine == "geometric") c = Combine.Geometric;
            else if (combine != "sum") Err($"{path}.combine", $"未知的合成方式 \"{combine}\"（应为 sum 或 geometric）", $"unknown combine \"{combine}\" (sum or geometric)");
        }
        if (children is { Count: 0 }) Err($"{path}.children", "children 不能为空数组", "children must not be empty");
        if (!seen.Has("method") && children is null)
            Err($"{path}.method", $"指标 \"{id ?? ""}\" 既无 method 也无 children", $"indicator \"{id ?? ""}\" has neither a method nor children");
        if (method is not null && children is { Count: > 0 })
        {
            Err($"{path}.method", $"指标 \"{id}\" 既有下级指标又有计分方法", $"indicator \"{id}\" has both children and a method");
            method = null;
        }
        return new Indicator(id ?? "", name ?? "", points, method, children, c) { Formula = formula, ValueDecimals = valueDecimals };
    }

    private Direction ReadDirection(string? d, string path)
    {
        switch (d)
        {
            case null or "higher": return Direction.Higher;
            case "lower": return Direction.Lower;
            default:
                Err($"{path}.direction", $"未知的方向 \"{d}\"（应为 higher 或 lower）", $"unknown direction \"{d}\" (higher or lower)");
                return Direction.Higher;
        }
    }

    private Bound ReadBound(ref Utf8JsonReader r, string path)
    {
        if (r.TokenType == JsonTokenType.String)
        {
            var s = r.GetString();
            switch (s)
            {
                case "best": return Bound.Best;
                case "worst": return Bound.Worst;
                default:
                    Err(path, $"\"{s}\" 无效：应为数字、\"best\" 或 \"worst\"", $"\"{s}\" is invalid: a number, \"best\" or \"worst\"");
                    return Bound.Of(double.NaN);
            }
        }
        return Bound.Of(Number(ref r, path) ?? double.NaN);
    }

    /// <summary>Every member a method may have, by kind; the members of one kind are checked after its kind is known.</summary>
    private static readonly Dictionary<string, string[]> MethodMembers = new(StringComparer.Ordinal)
    {
        ["efficacy"] = ["kind", "satisfactory", "unallowable", "direction", "base", "span", "clamp", "ratioDecimals"],
        ["banded"] = ["kind", "levels", "direction"],
        ["ratio"] = ["kind", "target", "cap"],
        ["threshold"] = ["kind", "threshold", "stepBelow", "stepAbove", "maxAbove"],
        ["relative"] = ["kind", "cap"],
        ["rank"] = ["kind", "step", "direction"],
        ["deduction"] = ["kind", "perFinding", "maxDeduction"],
        ["raters"] = ["kind", "raters"],
        ["survey"] = ["kind", "options"],
        ["direct"] = ["kind"],
    };

    /// <summary>
    /// A method object. Its members are collected first (a method has a handful), since which are
    /// allowed depends on <c>kind</c>, which may come last; each is then read from where it stands.
    /// </summary>
    private Method? ReadMethod(ref Utf8JsonReader r, string path)
    {
        if (!IsObject(ref r, path)) return null;
        var members = new List<(string Name, int Start, int Length)>();
        var seen = new Seen();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var name = r.GetString()!;
            r.Read();
            var start = (int)r.TokenStartIndex;
            r.Skip();
            if (!seen.First(name)) { Duplicate(path, name); continue; }
            members.Add((name, start, (int)r.BytesConsumed - start));
        }
        Utf8JsonReader At(string name)
        {
            var m = members.First(x => x.Name == name);
            var reader = NewReader(m.Start, m.Length);
            reader.Read();
            return reader;
        }
        bool Has(string name) => members.Exists(x => x.Name == name);

        if (!Has("kind"))
        {
            Err($"{path}.kind", "缺少计分方法 kind", "the method kind is missing");
            return null;
        }
        var kr = At("kind");
        var kind = String(ref kr, $"{path}.kind");
        if (kind is null) return null;
        if (!MethodMembers.TryGetValue(kind, out var allowed))
        {
            Err($"{path}.kind", $"未知的计分方法 \"{kind}\"", $"unknown method kind \"{kind}\"");
            return null;
        }
        foreach (var m in members)
            if (System.Array.IndexOf(allowed, m.Name) < 0) Unknown(path, m.Name);

        double? OptionalNumberOf(string name)
        {
            if (!Has(name)) return null;
            var x = At(name);
            return OptionalNumber(ref x, $"{path}.{name}");
        }
        double RequiredNumberOf(string name)
        {
            if (!Has(name)) { Missing($"{path}.{name}", name); return double.NaN; }
            var x = At(name);
            return Number(ref x, $"{path}.{name}") ?? double.NaN;
        }
        string? OptionalStringOf(string name)
        {
            if (!Has(name)) return null;
            var x = At(name);
            return OptionalString(ref x, $"{path}.{name}");
        }
        Bound BoundOf(string name)
        {
            if (!Has(name)) { Missing($"{path}.{name}", name); return Bound.Of(double.NaN); }
            var x = At(name);
            return ReadBound(ref x, $"{path}.{name}");
        }
        List<T> ArrayOf<T>(string name, Item<T> item) where T : class
        {
            if (!Has(name)) { Missing($"{path}.{name}", name); return []; }
            var x = At(name);
            return Array(ref x, name, $"{path}.{name}", required: true, item);
        }

        switch (kind)
        {
            case "efficacy":
            {
                var clamp = ClampMode.None;
                if (OptionalStringOf("clamp") is { } c)
                {
                    if (c == "range") clamp = ClampMode.Range;
                    else if (c != "none") Err($"{path}.clamp", $"未知的 clamp \"{c}\"（应为 none 或 range）", $"unknown clamp \"{c}\" (none or range)");
                }
                int? ratioDecimals = null;
                if (Has("ratioDecimals")) { var x = At("ratioDecimals"); ratioDecimals = Integer(ref x, $"{path}.ratioDecimals"); }
                return new EfficacyMethod(BoundOf("satisfactory"), BoundOf("unallowable"), ReadDirection(OptionalStringOf("direction"), path),
                    OptionalNumberOf("base") ?? 60, OptionalNumberOf("span") ?? 40, clamp, ratioDecimals);
            }
            case "banded":
                return new BandedMethod(ArrayOf("levels", (ref Utf8JsonReader x, string p) =>
                {
                    if (!IsObject(ref x, p)) return null;
                    double value = double.NaN, coef = double.NaN;
                    var s = Members(ref x, p, ["value", "coef"], (ref Utf8JsonReader m, string member) =>
                    {
                        if (member == "value") value = Number(ref m, $"{p}.value") ?? double.NaN;
                        else coef = Number(ref m, $"{p}.coef") ?? double.NaN;
                    });
                    if (!s.Has("value")) Missing($"{p}.value", "value");
                    if (!s.Has("coef")) Missing($"{p}.coef", "coef");
                    return new BandLevel(value, coef);
                }), ReadDirection(OptionalStringOf("direction"), path));
            case "ratio":
                return new RatioMethod(OptionalNumberOf("target"), OptionalNumberOf("cap") ?? 1.0);
            case "threshold":
                return new ThresholdMethod(RequiredNumberOf("threshold"), RequiredNumberOf("stepBelow"), OptionalNumberOf("stepAbove") ?? 0, OptionalNumberOf("maxAbove") ?? 0);
            case "relative":
                return new RelativeMethod(OptionalNumberOf("cap") ?? 1.5);
            case "rank":
                return new RankMethod(OptionalNumberOf("step") ?? 5, ReadDirection(OptionalStringOf("direction"), path));
            case "deduction":
                return new DeductionMethod(OptionalNumberOf("perFinding"), OptionalNumberOf("maxDeduction"));
            case "raters":
                return new RatersMethod(ArrayOf("raters", (ref Utf8JsonReader x, string p) =>
                {
                    if (!IsObject(ref x, p)) return null;
                    string? id = null;
                    var weight = double.NaN;
                    var s = Members(ref x, p, ["id", "weight"], (ref Utf8JsonReader m, string member) =>
                    {
                        if (member == "id") id = String(ref m, $"{p}.id") ?? "";
                        else weight = Number(ref m, $"{p}.weight") ?? double.NaN;
                    });
                    if (!s.Has("id")) Missing($"{p}.id", "id");
                    if (!s.Has("weight")) Missing($"{p}.weight", "weight");
                    return new Rater(id ?? "", weight);
                }));
            case "survey":
                if (!Has("options")) return new SurveyMethod(SurveyMethod.DefaultOptions);
                return new SurveyMethod(ArrayOf("options", (ref Utf8JsonReader x, string p) =>
                {
                    if (!IsObject(ref x, p)) return null;
                    string? id = null;
                    double? value = null;
                    var s = Members(ref x, p, ["id", "value"], (ref Utf8JsonReader m, string member) =>
                    {
                        if (member == "id") id = String(ref m, $"{p}.id") ?? "";
                        else value = OptionalNumber(ref m, $"{p}.value");
                    });
                    if (!s.Has("id")) Missing($"{p}.id", "id");
                    return new SurveyOption(id ?? "", value);
                }));
            default:
                return new DirectMethod();
        }
    }

    // ---- rules ------------------------------------------------------------------------------

    private static readonly string[] RuleMembers = ["bonusCap", "deductionCap", "grades", "rankDecimals", "commend", "criticize"];

    private Rules ReadRules(ref Utf8JsonReader r, string path)
    {
        if (r.TokenType == JsonTokenType.Null) return Rules.Default;
        if (!IsObject(ref r, path)) return Rules.Default;
        double? bonusCap = null, deductionCap = null;
        int? rankDecimals = null, commend = null, criticize = null;
        List<Grade>? grades = null;
        Members(ref r, path, RuleMembers, (ref Utf8JsonReader m, string member) =>
        {
            switch (member)
            {
                case "bonusCap": bonusCap = OptionalNumber(ref m, $"{path}.bonusCap"); break;
                case "deductionCap": deductionCap = OptionalNumber(ref m, $"{path}.deductionCap"); break;
                case "rankDecimals": rankDecimals = Integer(ref m, $"{path}.rankDecimals"); break;
                case "commend": commend = Integer(ref m, $"{path}.commend"); break;
                case "criticize": criticize = Integer(ref m, $"{path}.criticize"); break;
                default:
                    if (m.TokenType == JsonTokenType.Null) break;
                    grades = Array(ref m, "grades", $"{path}.grades", required: true, (ref Utf8JsonReader g, string p) =>
                    {
                        if (!IsObject(ref g, p)) return null;
                        string? name = null;
                        double? min = null;
                        var s = Members(ref g, p, ["name", "min"], (ref Utf8JsonReader x, string n) =>
                        {
                            if (n == "name") name = String(ref x, $"{p}.name") ?? "";
                            else min = OptionalNumber(ref x, $"{p}.min");
                        });
                        if (!s.Has("min")) Err($"{p}.min", "缺少 min（最低分，null 表示不限）", "min is missing (null means anything)");
                        if (!s.Has("name")) Missing($"{p}.name", "name");
                        return new Grade(name ?? "", min);
                    });
                    break;
            }
        });
        return new Rules(bonusCap, deductionCap, grades, rankDecimals ?? 2, commend ?? 0, criticize ?? 0);
    }

    // ---- values -----------------------------------------------------------------------------

    /// <summary>
    /// The <c>values</c> array into a <see cref="ValueTable"/>: each entry's unit and indicator looked up
    /// once, by the UTF-8 text itself where it needs no unescaping, so that a known id allocates
    /// nothing. An entry's path is only made for an error.
    /// </summary>
    /// <summary>What the threads reading the entries of <c>values</c> share: the tree in pre-order and the ids, read only.</summary>
    private sealed class ValueIndex
    {
        public readonly IReadOnlyList<Unit> Units;
        public readonly Indicator[] Nodes;
        public readonly Ids UnitIds, NodeIds;
        public readonly int[] NextLeaf; // the next leaf after each node in pre-order, −1 after the last

        public ValueIndex(IReadOnlyList<Unit> units, IReadOnlyList<Indicator> indicators)
        {
            Units = units;
            Nodes = ValueTable.PreOrder(indicators);
            UnitIds = new Ids([.. units.Select(u => u.Id)]);
            NodeIds = new Ids([.. Nodes.Select(n => n.Id)]);
            NextLeaf = new int[Nodes.Length];
            for (int k = Nodes.Length - 1, next = -1; k >= 0; k--) { NextLeaf[k] = next; if (Nodes[k].IsLeaf) next = k; }
        }
    }

    /// <summary>
    /// A file lists a unit's values together, leaf after leaf in the order of the tree (every file this
    /// engine writes does): the unit is most often the previous entry's, and the indicator the previous
    /// one's (a rater leaf) or the next leaf after it. Those are compared first, byte for byte.
    /// </summary>
    private struct Hints
    {
        public int Unit, Node;
        public Hints() { Unit = -1; Node = -1; }
    }

    /// <summary>Below this many bytes from <c>values</c> to the end, one thread reads the entries (tests lower it).</summary>
    internal const int ParallelBytes = 4 << 20;

    /// <summary>
    /// The <c>values</c> array into a <see cref="ValueTable"/>. A long array is read by two threads: a
    /// second one starts at an entry near the middle of the remaining bytes while this one reads from
    /// the start, and when this one arrives exactly at that entry (so it was one, at this array's
    /// level) it takes the second one's rows. <paramref name="end"/> is then the offset of the array's
    /// ']' (this reader stands before the second half and can no longer be used), else −1. If the
    /// second thread meets anything unusual (an error, a comment between entries) its work is dropped
    /// and this one reads on alone, so errors are always reported as a single reader would.
    /// </summary>
    private IReadOnlyList<DataValue> Values(ref Utf8JsonReader r, List<Unit> units, List<Indicator> indicators, out int end)
    {
        end = -1;
        if (r.TokenType == JsonTokenType.Null && _schemeOnly) return [];
        if (r.TokenType != JsonTokenType.StartArray)
        {
            Err("$.values", "values 须为数组", "values must be an array");
            r.Skip();
            return [];
        }
        var index = new ValueIndex(units, indicators);
        var arrayStart = (int)r.TokenStartIndex;
        // An entry takes about 100 bytes in an indented file and 60 in a compact one.
        var table = new ValueTable(units, index.Nodes, (int)Math.Min(int.MaxValue / 2, (_utf8.Length - arrayStart) / 100));
        Task<(ValueTable? Rows, int End)>? second = null;
        var splitAt = -1;
        if (_parallel && _utf8.Length - arrayStart >= _parallelBytes)
        {
            splitAt = EntryStartAfter(_utf8.Span, arrayStart + (_utf8.Length - arrayStart) / 2);
            if (splitAt > 0) second = Task.Run(() => EntriesFrom(splitAt, index));
        }
        var elementDepth = r.CurrentDepth + 1;
        var hints = new Hints();
        var row = -1;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (second is not null && r.TokenStartIndex >= splitAt)
            {
                var atSplit = r.TokenStartIndex == splitAt && r.CurrentDepth == elementDepth && r.TokenType == JsonTokenType.StartObject;
                var (rest, restEnd) = atSplit ? second.Result : (null, -1);
                second = null;
                if (rest is not null)
                {
                    table.Append(rest);
                    _parallelUsed = true;
                    end = restEnd;
                    return table;
                }
            }
            row++;
            if (r.TokenType != JsonTokenType.StartObject)
            {
                Err($"$.values[{row}]", "须为 JSON 对象", "must be a JSON object");
                r.Skip();
                continue;
            }
            Entry(ref r, row, table, index, ref hints);
        }
        return table;
    }

    /// <summary>
    /// The start of the first entry of an array of values after <paramref name="from"/>: a '{' after a
    /// ',' whose first member is "unit" (whitespace between). In valid JSON that text is always an
    /// object starting an array element, never the inside of a string (a string cannot hold an unescaped
    /// '"'); which array it belongs to the reading thread confirms. −1 when none is near.
    /// </summary>
    internal static int EntryStartAfter(ReadOnlySpan<byte> utf8, int from)
    {
        var limit = Math.Min(utf8.Length, from + (1 << 20));
        for (var i = from; i < limit; i++)
        {
            var brace = utf8[i..limit].IndexOf((byte)'{');
            if (brace < 0) return -1;
            i += brace;
            var before = i - 1;
            while (before >= 0 && IsWhitespace(utf8[before])) before--;
            if (before < 0 || utf8[before] != ',') continue;
            var after = SkipWhitespace(utf8, i + 1);
            if (!utf8[after..].StartsWith("\"unit\""u8)) continue;
            after = SkipWhitespace(utf8, after + 6);
            if (after < utf8.Length && utf8[after] == ':') return i;
        }
        return -1;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';

    private static int SkipWhitespace(ReadOnlySpan<byte> utf8, int i)
    {
        while (i < utf8.Length && IsWhitespace(utf8[i])) i++;
        return i;
    }

    /// <summary>
    /// The second thread: the entries from <paramref name="start"/> to the array's ']', each with a
    /// reader of its own, by a reader instance of its own (its own errors). Null rows at the first
    /// error or anything but whitespace, ',' and ']' between entries.
    /// </summary>
    private (ValueTable? Rows, int End) EntriesFrom(int start, ValueIndex index)
    {
        var worker = new AssessmentReader(_utf8, _maxVersion, _schemeOnly, []) { _version = _version };
        var utf8 = _utf8.Span;
        var rows = new ValueTable(index.Units, index.Nodes, (utf8.Length - start) / 100);
        var hints = new Hints();
        var pos = start;
        try
        {
            for (var row = 0; ; row++)
            {
                var r = new Utf8JsonReader(utf8[pos..], ReaderOptions);
                if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return (null, -1);
                worker.Entry(ref r, row, rows, index, ref hints);
                if (worker._errors.Count > 0) return (null, -1);
                pos = SkipWhitespace(utf8, pos + (int)r.BytesConsumed);
                if (pos >= utf8.Length) return (null, -1);
                if (utf8[pos] == ']') return (rows, pos);
                if (utf8[pos] != ',') return (null, -1);
                pos = SkipWhitespace(utf8, pos + 1);
            }
        }
        catch (JsonException)
        {
            return (null, -1);
        }
    }

    /// <summary>
    /// What follows a values array read by two threads, up to the end of the document, as a document
    /// of its own: "{" and the members after the array's ']' (and its ','). Anything else there than
    /// whitespace is left to a single reader (see <see cref="Read"/>).
    /// </summary>
    private byte[] Rest(int end)
    {
        var utf8 = _utf8.Span;
        var p = SkipWhitespace(utf8, end + 1);
        if (p < utf8.Length && utf8[p] == ',') p++;
        else if (p >= utf8.Length || utf8[p] != '}') throw new JsonException("read the document with one reader");
        var rest = new byte[1 + utf8.Length - p];
        rest[0] = (byte)'{';
        utf8[p..].CopyTo(rest.AsSpan(1));
        return rest;
    }

    /// <summary>One entry of <c>values</c>, the reader at its '{'; an entry's path is only made for an error.</summary>
    private void Entry(ref Utf8JsonReader r, int row, ValueTable table, ValueIndex index, ref Hints hints)
    {
        int unit = -1, node = -1;
        string? unitText = null, indicatorText = null, rater = null;
        double value = double.NaN, target = double.NaN;
        Dictionary<string, double>? counts = null;
        Findings? findings = null;
        var has = 0; // bits: unit, indicator, value, target, rater, counts, findings
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var bit = ValueMember(ref r);
            if (bit == 0 || (has & bit) != 0)
            {
                var name = r.GetString()!;
                r.Read();
                if (bit == 0) Unknown($"$.values[{row}]", name); else Duplicate($"$.values[{row}]", name);
                r.Skip();
                continue;
            }
            r.Read();
            has |= bit;
            switch (bit)
            {
                case UnitBit:
                    if (r.TokenType != JsonTokenType.String) { String(ref r, $"$.values[{row}].unit"); unitText = ""; }
                    else if ((unit = index.UnitIds.Find(ref r, hints.Unit, -1)) < 0) unitText = r.GetString();
                    else hints.Unit = unit;
                    break;
                case IndicatorBit:
                    if (r.TokenType != JsonTokenType.String) { String(ref r, $"$.values[{row}].indicator"); indicatorText = ""; }
                    else if ((node = index.NodeIds.Find(ref r, hints.Node, hints.Node >= 0 ? index.NextLeaf[hints.Node] : -1)) < 0) indicatorText = r.GetString();
                    else hints.Node = node;
                    break;
                case ValueBit:
                    value = r.TokenType == JsonTokenType.Number && r.TryGetDouble(out var v) && double.IsFinite(v) ? v
                        : OptionalNumber(ref r, $"$.values[{row}].value") ?? double.NaN;
                    break;
                case TargetBit:
                    target = OptionalNumber(ref r, $"$.values[{row}].target") ?? double.NaN;
                    break;
                case RaterBit:
                    rater = OptionalRecurring(ref r, $"$.values[{row}].rater");
                    break;
                case CountsBit:
                    counts = Counts(ref r, row);
                    break;
                default:
                    findings = ReadFindings(ref r, row);
                    break;
            }
        }
        if ((has & UnitBit) == 0) { Missing($"$.values[{row}].unit", "unit"); unitText = ""; }
        if ((has & IndicatorBit) == 0) { Missing($"$.values[{row}].indicator", "indicator"); indicatorText = ""; }
        var raterIndex = ValueTable.NoRater;
        if (rater is not null)
        {
            raterIndex = ValueTable.OtherRater;
            if (node >= 0 && index.Nodes[node].Method is RatersMethod rm)
                for (var k = 0; k < rm.Raters.Count; k++)
                    if (rm.Raters[k].Id == rater) { raterIndex = (short)k; break; }
        }
        table.Add(unit, unitText, node, indicatorText, value, target, raterIndex, rater, counts, findings);
    }

    private const int UnitBit = 1, IndicatorBit = 2, ValueBit = 4, TargetBit = 8, RaterBit = 16, CountsBit = 32, FindingsBit = 64;

    /// <summary>Which member of a value the property name is (its bit), 0 for none; compared as UTF-8, no string made.</summary>
    private static int ValueMember(ref Utf8JsonReader r)
    {
        if (r.ValueIsEscaped)
            return r.GetString() switch
            {
                "unit" => UnitBit,
                "indicator" => IndicatorBit,
                "value" => ValueBit,
                "target" => TargetBit,
                "rater" => RaterBit,
                "counts" => CountsBit,
                "findings" => FindingsBit,
                _ => 0,
            };
        var s = r.ValueSpan;
        return s.Length switch
        {
            4 when s.SequenceEqual("unit"u8) => UnitBit,
            9 when s.SequenceEqual("indicator"u8) => IndicatorBit,
            5 when s.SequenceEqual("value"u8) => ValueBit,
            6 when s.SequenceEqual("target"u8) => TargetBit,
            5 when s.SequenceEqual("rater"u8) => RaterBit,
            6 when s.SequenceEqual("counts"u8) => CountsBit,
            8 when s.SequenceEqual("findings"u8) => FindingsBit,
            _ => 0,
        };
    }

    /// <summary>
    /// Ids (of units, of nodes) by index, found from a string token: first among two likely indexes by
    /// comparing the UTF-8 bytes, then in a dictionary without making a string (the UTF-8 text is
    /// transcoded into a stack buffer); the first index wins for an id given twice.
    /// </summary>
    private sealed class Ids
    {
        private readonly byte[][] _utf8;
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

        public Ids(string[] ids)
        {
            _utf8 = [.. ids.Select(Encoding.UTF8.GetBytes)];
            var index = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
            for (var i = 0; i < ids.Length; i++) index.TryAdd(ids[i], i);
            _lookup = index.GetAlternateLookup<ReadOnlySpan<char>>();
            // The first index of each id, so that a hint never finds a later duplicate.
            _first = [.. ids.Select(id => index[id])];
        }

        private readonly int[] _first;

        /// <summary>The index of the token's id, or −1.</summary>
        public int Find(ref Utf8JsonReader r, int hint, int hint2)
        {
            if (!r.ValueIsEscaped)
            {
                var text = r.ValueSpan;
                if (hint >= 0 && text.SequenceEqual(_utf8[hint])) return _first[hint];
                if (hint2 >= 0 && text.SequenceEqual(_utf8[hint2])) return _first[hint2];
                if (text.Length <= 256)
                {
                    Span<char> chars = stackalloc char[256];
                    var n = Encoding.UTF8.GetChars(text, chars);
                    return _lookup.TryGetValue(chars[..n], out var i) ? i : -1;
                }
            }
            return _lookup.TryGetValue(r.GetString()!, out var j) ? j : -1;
        }
    }

    private Dictionary<string, double>? Counts(ref Utf8JsonReader r, int row)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            Err($"$.values[{row}].counts", "counts 须为对象（选项 → 份数）", "counts must be an object (option → count)");
            r.Skip();
            return null;
        }
        var counts = new Dictionary<string, double>(4, StringComparer.Ordinal);
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var option = Recurring(ref r);
            r.Read();
            if (Number(ref r, $"$.values[{row}].counts.{option}") is { } n) counts[option] = n;
        }
        return counts;
    }

    private Findings? ReadFindings(ref Utf8JsonReader r, int row)
    {
        var path = $"$.values[{row}].findings";
        if (r.TokenType == JsonTokenType.Number)
        {
            var raw = Encoding.UTF8.GetString(r.ValueSpan);
            if (Number(ref r, path) is not { } count) return null;
            if (count != Math.Floor(count) || count > int.MaxValue || count < int.MinValue)
            {
                Err(path, $"问题数 {raw} 须为整数", $"the number of findings {raw} must be a whole number");
                return null;
            }
            return Findings.OfCount((int)count);
        }
        if (r.TokenType == JsonTokenType.StartArray)
        {
            // Written out rather than with Members: a national file has tens of thousands of findings.
            var items = new List<Finding>();
            var k = -1;
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                k++;
                if (!IsObject(ref r, $"{path}[{k}]")) continue;
                double? points = null;
                string? note = null;
                bool hasPoints = false, hasNote = false;
                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    var isPoints = r.ValueTextEquals("points"u8);
                    var isNote = !isPoints && r.ValueTextEquals("note"u8);
                    if ((isPoints && hasPoints) || (isNote && hasNote) || !(isPoints || isNote))
                    {
                        var name = r.GetString()!;
                        r.Read();
                        if (isPoints || isNote) Duplicate($"{path}[{k}]", name); else Unknown($"{path}[{k}]", name);
                        r.Skip();
                        continue;
                    }
                    r.Read();
                    if (isPoints) { hasPoints = true; points = OptionalNumber(ref r, $"{path}[{k}].points"); }
                    else { hasNote = true; note = OptionalRecurring(ref r, $"{path}[{k}].note"); }
                }
                items.Add(new Finding(points, note));
            }
            return new Findings(null, items);
        }
        Err(path, "findings 须为数字（问题数）或数组", "findings must be a number (a count) or an array");
        r.Skip();
        return null;
    }
}
