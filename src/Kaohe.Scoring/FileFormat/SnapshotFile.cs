using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Kaohe.Scoring.FileFormat;

/// <summary>Who published a snapshot, when, and what it corrects.</summary>
public sealed record SnapshotMeta(
    string Id,
    int Version,
    string Title,
    string PublishedBy,
    DateTimeOffset PublishedAt,
    string? Supersedes = null,
    string? ChangeNote = null);

public sealed record SnapshotCheck(bool Ok, string InputSha256, string ResultSha256, IReadOnlyList<ValidationError> Problems);

/// <summary>
/// A published result, frozen: the v1 input file with every input, the v1 results, who published
/// it and when, and the SHA-256 of both. The hashes are taken over the canonical text that
/// <see cref="V1File.Write"/> and <see cref="V1File.WriteResult"/> produce (UTF-8, indented), so
/// anyone can recompute the results from the input and check both (docs/snapshots.md).
/// </summary>
public static class SnapshotFile
{
    public const int Version = 1;

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static string Create(Assessment input, AssessmentResult result, SnapshotMeta meta)
    {
        var inputText = V1File.Write(input);
        var resultText = V1File.WriteResult(result);
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, V1File.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteNumber("kaoheSnapshot", Version);
            w.WriteString("id", meta.Id);
            w.WriteNumber("version", meta.Version);
            w.WriteString("title", meta.Title);
            w.WriteString("period", input.Period);
            w.WriteString("publishedBy", meta.PublishedBy);
            w.WriteString("publishedAt", meta.PublishedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
            if (meta.Supersedes is null) w.WriteNull("supersedes"); else w.WriteString("supersedes", meta.Supersedes);
            if (meta.ChangeNote is null) w.WriteNull("changeNote"); else w.WriteString("changeNote", meta.ChangeNote);
            w.WriteString("inputSha256", Sha256(inputText));
            w.WriteString("resultSha256", Sha256(resultText));
            w.WritePropertyName("input");
            using (var doc = JsonDocument.Parse(inputText)) doc.RootElement.WriteTo(w);
            w.WritePropertyName("result");
            using (var doc = JsonDocument.Parse(resultText)) doc.RootElement.WriteTo(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>
    /// Recomputes the results from the snapshot's input and checks both hashes and the stored
    /// results. Any difference is a problem: a changed input, a changed result, or an engine that
    /// no longer computes what was published.
    /// </summary>
    public static SnapshotCheck Verify(string json)
    {
        var problems = new List<ValidationError>();
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, V1Reader.DocumentOptions); }
        catch (JsonException) { return new SnapshotCheck(false, "", "", [new("$", "不是有效的 JSON", "not valid JSON")]); }
        if (json.Contains("\\u", StringComparison.Ordinal) && V1Reader.BadEscape(Encoding.UTF8.GetBytes(json)) is { } bad)
        {
            doc.Dispose();
            return new SnapshotCheck(false, "", "", [bad]);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("kaoheSnapshot", out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var version) || version != Version)
                return new SnapshotCheck(false, "", "", [new("$.kaoheSnapshot", "不是 v1 考核结果快照", "not a v1 Kaohe snapshot")]);
            string? Str(string name) => root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            if (!root.TryGetProperty("input", out var input) || !root.TryGetProperty("result", out var storedResult))
                return new SnapshotCheck(false, "", "", [new("$", "快照缺少 input 或 result", "the snapshot has no input or no result")]);

            var read = V1File.Read(Encoding.UTF8.GetBytes(input.GetRawText()));
            if (!read.IsValid)
                return new SnapshotCheck(false, "", "", [.. read.Errors.Select(e => e with { Path = "$.input" + e.Path[1..] })]);
            var inputText = V1File.Write(read.Assessment!);
            var inputHash = Sha256(inputText);
            var recomputed = V1File.WriteResult(Engine.Score(read.Assessment!).Result!);
            var resultHash = Sha256(recomputed);
            var storedResultText = V1Writer.Write(w => storedResult.WriteTo(w));

            if (Str("inputSha256") != inputHash)
                problems.Add(new("$.inputSha256", $"输入数据的 SHA-256 不符：记录为 {Str("inputSha256")}，实际为 {inputHash}",
                    $"the input's SHA-256 does not match: recorded {Str("inputSha256")}, actual {inputHash}"));
            if (Sha256(storedResultText) != Str("resultSha256"))
                problems.Add(new("$.resultSha256", "所存结果的 SHA-256 与记录不符（结果被改动）", "the stored result's SHA-256 does not match the recorded one (the result was changed)"));
            if (resultHash != Str("resultSha256"))
                problems.Add(new("$.result", "按输入重新计算的结果与公布的结果不一致", "recomputing the input does not give the published result"));
            return new SnapshotCheck(problems.Count == 0, inputHash, resultHash, problems);
        }
    }
}
