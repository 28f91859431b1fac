using System.Text.Encodings.Web;
using System.Text.Json;

namespace Kaohe.Scoring.FileFormat;

public sealed record ReadResult(Assessment? Assessment, IReadOnlyList<ValidationError> Errors)
{
    public bool IsValid => Assessment is not null;

    /// <summary>The formula values the reader's validation computed, so that scoring does not compute them again.</summary>
    internal Formulas.FormulaValues? Formulas { get; init; }

    /// <summary>
    /// Compiles the assessment that was read, without validating it again (reading validated it
    /// completely). Throws for a result with errors.
    /// </summary>
    public CompiledAssessment Compile() =>
        Assessment is { } a ? CompiledAssessment.CompileValidated(a, Formulas) : throw new InvalidAssessmentException(Errors);

    /// <summary>Scores the assessment that was read: <see cref="Engine.Score"/> without the second validation.</summary>
    public AssessmentResult Score() => Compile().Compute();
}

public sealed record SchemeReadResult(IReadOnlyList<Indicator>? Indicators, Rules? Rules, IReadOnlyList<ValidationError> Errors)
{
    public bool IsValid => Indicators is not null;

    /// <summary>The measures a version 2 scheme defines for its formulas; empty for version 1.</summary>
    public IReadOnlyList<Measure> Measures { get; init; } = [];

    /// <summary>The version of the scheme document, 1 or 2.</summary>
    public int Version { get; init; } = 1;
}

/// <summary>
/// The Kaohe assessment file, version 1 only (scoring-format.md, first part): read with complete
/// validation, and write inputs and results, exactly as before version 2 existed. A document of
/// another version is refused (<c>$.kaohe</c>), and a version 2 assessment cannot be written here:
/// use <see cref="KaoheFile"/>, which reads and writes both versions.
/// </summary>
public static class V1File
{
    public const int Version = 1;

    /// <summary>Files larger than this are refused rather than parsed.</summary>
    public const long MaxBytes = KaoheFile.MaxBytes;

    public static ReadResult Read(string json) => KaoheFile.Read(json, Version);

    public static ReadResult Read(Stream stream) => KaoheFile.Read(stream, Version);

    public static ReadResult Read(ReadOnlyMemory<byte> utf8) => KaoheFile.Read(utf8, Version);

    /// <summary>Reads a scheme: a v1 document whose units and values may be absent or empty.</summary>
    public static SchemeReadResult ReadScheme(string json) => KaoheFile.ReadScheme(json, Version);

    internal static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(Assessment a) => KaoheFile.Write(OnlyV1(a));

    public static string WriteScheme(string period, IReadOnlyList<Indicator> indicators, Rules rules) =>
        KaoheFile.WriteScheme(period, indicators, rules, measures: null, maxVersion: Version);

    public static string WriteResult(AssessmentResult result) =>
        result.Version == Version ? KaoheFile.WriteResult(result) : throw new ArgumentException("a version 2 result is written with KaoheFile.WriteResult", nameof(result));

    private static Assessment OnlyV1(Assessment a) =>
        a.Version == Version ? a : throw new ArgumentException("a version 2 assessment is written with KaoheFile.Write", nameof(a));
}
