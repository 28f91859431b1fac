using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Kaohe.Scoring.FileFormat;

public sealed record ReadResult(Assessment? Assessment, IReadOnlyList<ValidationError> Errors)
{
    public bool IsValid => Assessment is not null;
}

public sealed record SchemeReadResult(IReadOnlyList<Indicator>? Indicators, Rules? Rules, IReadOnlyList<ValidationError> Errors)
{
    public bool IsValid => Indicators is not null;
}

/// <summary>
/// The Kaohe assessment file, version 1 (scoring-format.md): read with complete validation, and
/// write inputs and results. Reading never throws on bad input: it returns the errors.
/// </summary>
public static class V1File
{
    public const int Version = 1;

    /// <summary>Files larger than this are refused rather than parsed.</summary>
    public const long MaxBytes = 256L * 1024 * 1024;

    public static ReadResult Read(string json) => Read(Encoding.UTF8.GetBytes(json));

    public static ReadResult Read(Stream stream)
    {
        var (bytes, error) = ReadAll(stream);
        return error is not null ? new ReadResult(null, [error]) : Read(bytes);
    }

    public static ReadResult Read(ReadOnlyMemory<byte> utf8)
    {
        var errors = new List<ValidationError>();
        using var doc = V1Reader.Parse(utf8, errors);
        if (doc is null) return new ReadResult(null, errors);
        var reader = new V1Reader();
        var assessment = reader.ReadAssessment(doc.RootElement, schemeOnly: false);
        errors.AddRange(reader.Errors);
        if (assessment is null) return new ReadResult(null, errors);
        Merge(errors, Validator.Validate(assessment));
        return errors.Count > 0 ? new ReadResult(null, errors) : new ReadResult(assessment, errors);
    }

    /// <summary>Reads a scheme: a v1 document whose units and values may be absent or empty.</summary>
    public static SchemeReadResult ReadScheme(string json)
    {
        var errors = new List<ValidationError>();
        using var doc = V1Reader.Parse(Encoding.UTF8.GetBytes(json), errors);
        if (doc is null) return new SchemeReadResult(null, null, errors);
        var reader = new V1Reader();
        var a = reader.ReadAssessment(doc.RootElement, schemeOnly: true);
        errors.AddRange(reader.Errors);
        if (a is null) return new SchemeReadResult(null, null, errors);
        Merge(errors, Validator.ValidateScheme(a.Indicators, a.Rules));
        return errors.Count > 0 ? new SchemeReadResult(null, null, errors) : new SchemeReadResult(a.Indicators, a.Rules, errors);
    }

    /// <summary>Adds the model's errors, leaving out those at a path the reader already reported.</summary>
    private static void Merge(List<ValidationError> errors, IReadOnlyList<ValidationError> more)
    {
        var reported = errors.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var e in more)
            if (!reported.Any(p => e.Path == p || Within(e.Path, p) || Within(p, e.Path)))
                errors.Add(e);
    }

    private static bool Within(string path, string parent) =>
        path.StartsWith(parent + ".", StringComparison.Ordinal) || (parent != "$.values" && path.StartsWith(parent + "[", StringComparison.Ordinal));

    private static (byte[] Bytes, ValidationError? Error) ReadAll(Stream stream)
    {
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (ms.Length + n > MaxBytes)
                return ([], new ValidationError("$", $"文件超过 {MaxBytes / 1024 / 1024} MB", $"the file is larger than {MaxBytes / 1024 / 1024} MB"));
            ms.Write(buffer, 0, n);
        }
        return (ms.ToArray(), null);
    }

    internal static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(Assessment a) => V1Writer.Write(w => V1Writer.WriteAssessment(w, a, schemeOnly: false));

    public static string WriteScheme(string period, IReadOnlyList<Indicator> indicators, Rules rules) =>
        V1Writer.Write(w => V1Writer.WriteAssessment(w, new Assessment(period, [], indicators, [], [], [], rules), schemeOnly: true));

    public static string WriteResult(AssessmentResult result) => V1Writer.Write(w => V1Writer.WriteResult(w, result));
}
