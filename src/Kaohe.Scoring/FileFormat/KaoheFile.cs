using System.Text;

namespace Kaohe.Scoring.FileFormat;

/// <summary>
/// The Kaohe assessment file, versions 1 and 2 (scoring-format.md): read with complete validation,
/// and write inputs, schemes and results. Reading never throws on bad input: it returns the errors.
/// Writing is canonical (the members in the order of the format, numbers in their shortest
/// round-trip form, indented UTF-8), so a written file can be hashed: a published snapshot's
/// SHA-256 is taken over this text (docs/snapshots.md). A version 1 assessment is written as
/// version 1, byte for byte as before version 2 existed.
/// </summary>
public static class KaoheFile
{
    /// <summary>The newest version this engine reads and writes.</summary>
    public const int LatestVersion = 2;

    /// <summary>Files larger than this are refused rather than parsed.</summary>
    public const long MaxBytes = 256L * 1024 * 1024;

    public static ReadResult Read(string json) => Read(json, LatestVersion);

    public static ReadResult Read(Stream stream) => Read(stream, LatestVersion);

    public static ReadResult Read(ReadOnlyMemory<byte> utf8) => Read(utf8, LatestVersion);

    /// <summary>Reads a scheme: a document whose units and values may be absent or empty; a version 2 scheme may define measures for its formulas.</summary>
    public static SchemeReadResult ReadScheme(string json) => ReadScheme(json, LatestVersion);

    internal static ReadResult Read(string json, int maxVersion) => Read(Encoding.UTF8.GetBytes(json), maxVersion);

    internal static ReadResult Read(Stream stream, int maxVersion)
    {
        var (bytes, error) = ReadAll(stream);
        return error is not null ? new ReadResult(null, [error]) : Read(bytes, maxVersion);
    }

    internal static ReadResult Read(ReadOnlyMemory<byte> utf8, int maxVersion, int parallelBytes = AssessmentReader.ParallelBytes)
    {
        var errors = new List<ValidationError>();
        var assessment = AssessmentReader.Read(utf8, maxVersion, schemeOnly: false, errors, parallelBytes);
        if (assessment is null) return new ReadResult(null, errors);
        Merge(errors, Validator.Validate(assessment, out var formulas));
        return errors.Count > 0 ? new ReadResult(null, errors) : new ReadResult(assessment, errors) { Formulas = formulas };
    }

    internal static SchemeReadResult ReadScheme(string json, int maxVersion)
    {
        var errors = new List<ValidationError>();
        var a = AssessmentReader.Read(Encoding.UTF8.GetBytes(json), maxVersion, schemeOnly: true, errors);
        if (a is null) return new SchemeReadResult(null, null, errors);
        Merge(errors, a.Version == 2 ? Validator.ValidateScheme(a.Indicators, a.Rules, a.Measures) : Validator.ValidateScheme(a.Indicators, a.Rules));
        return errors.Count > 0
            ? new SchemeReadResult(null, null, errors)
            : new SchemeReadResult(a.Indicators, a.Rules, errors) { Measures = a.Measures, Version = a.Version };
    }

    /// <summary>Adds the model's errors, leaving out those at a path the reader already reported.</summary>
    internal static void Merge(List<ValidationError> errors, IReadOnlyList<ValidationError> more)
    {
        var reported = errors.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var e in more)
            if (!reported.Any(p => e.Path == p || Within(e.Path, p) || Within(p, e.Path)))
                errors.Add(e);
    }

    private static bool Within(string path, string parent) =>
        path.StartsWith(parent + ".", StringComparison.Ordinal)
        || (parent is not ("$.values" or "$.data") && path.StartsWith(parent + "[", StringComparison.Ordinal));

    /// <summary>
    /// All bytes of a stream, at most <see cref="MaxBytes"/>: a file of known length is read into an
    /// array of that length, anything else (a pipe) in chunks.
    /// </summary>
    public static (ReadOnlyMemory<byte> Bytes, ValidationError? Error) ReadAll(Stream stream)
    {
        var tooLarge = new ValidationError("$", $"文件超过 {MaxBytes / 1024 / 1024} MB", $"the file is larger than {MaxBytes / 1024 / 1024} MB");
        if (stream.CanSeek)
        {
            var length = stream.Length - stream.Position;
            if (length > MaxBytes) return (default, tooLarge);
            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            return (bytes, null);
        }
        using var ms = new MemoryStream();
        var buffer = new byte[1 << 16];
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (ms.Length + n > MaxBytes) return (default, tooLarge);
            ms.Write(buffer, 0, n);
        }
        return (ms.GetBuffer().AsMemory(0, (int)ms.Length), null);
    }

    /// <summary>Writes an assessment in its version (<see cref="Assessment.Version"/>).</summary>
    public static string Write(Assessment a) => AssessmentWriter.Write(w => AssessmentWriter.WriteAssessment(w, a, schemeOnly: false));

    /// <summary>
    /// Writes a scheme: version 2 when it has measures or formula leaves, otherwise version 1 (exactly
    /// as <see cref="V1File.WriteScheme"/>).
    /// </summary>
    public static string WriteScheme(string period, IReadOnlyList<Indicator> indicators, Rules rules, IReadOnlyList<Measure>? measures = null) =>
        WriteScheme(period, indicators, rules, measures, LatestVersion);

    internal static string WriteScheme(string period, IReadOnlyList<Indicator> indicators, Rules rules, IReadOnlyList<Measure>? measures, int maxVersion)
    {
        var version = measures is { Count: > 0 } || HasFormula(indicators) ? 2 : 1;
        if (version > maxVersion) throw new ArgumentException("a scheme with measures or formulas is version 2: write it with KaoheFile.WriteScheme", nameof(indicators));
        var a = new Assessment(period, [], indicators, [], [], [], rules) { Version = version, Measures = measures ?? [] };
        return AssessmentWriter.Write(w => AssessmentWriter.WriteAssessment(w, a, schemeOnly: true));
    }

    private static bool HasFormula(IEnumerable<Indicator> nodes) => nodes.Any(n => n.Formula is not null || HasFormula(n.ChildList));

    /// <summary>Writes a result; its <c>kaohe</c> is the version of the assessment it was computed from.</summary>
    public static string WriteResult(AssessmentResult result) => Encoding.UTF8.GetString(AssessmentWriter.WriteResultUtf8(result).Span);

    /// <summary>The same result as UTF-8 bytes, for writing to a stream without making a string.</summary>
    public static ReadOnlyMemory<byte> WriteResultUtf8(AssessmentResult result) => AssessmentWriter.WriteResultUtf8(result);
}
