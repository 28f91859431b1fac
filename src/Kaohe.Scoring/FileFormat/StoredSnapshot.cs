using System.Text;
using System.Text.Json;

namespace Kaohe.Scoring.FileFormat;

/// <summary>
/// A published snapshot read as published: its input and its stored results, without computing
/// anything. <see cref="ResultIntact"/> says whether the stored result still hashes to the recorded
/// <c>resultSha256</c>; <see cref="SnapshotFile.Verify"/> is the check that recomputes.
/// </summary>
public sealed record StoredSnapshot(Assessment Input, IReadOnlyList<UnitResult> Units, string ResultSha256, bool ResultIntact)
{
    /// <summary>
    /// Reads a snapshot document. The units come in the stored order, each with its stored total,
    /// rank, grade, flags, adjustment, every node's score and (version 2) every formula leaf's value; its name from the input, its group size
    /// from the stored units, and its rounded total as the ranking rounded it (<see cref="Rules.RankDecimals"/>).
    /// Null when the document or its input cannot be read.
    /// </summary>
    public static StoredSnapshot? Read(string json, string? recordedResultSha256 = null)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, AssessmentReader.DocumentOptions); }
        catch (JsonException) { return null; }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("input", out var input) || !root.TryGetProperty("result", out var stored)
                || stored.ValueKind != JsonValueKind.Object || !stored.TryGetProperty("units", out var units) || units.ValueKind != JsonValueKind.Array)
                return null;
            var read = KaoheFile.Read(Encoding.UTF8.GetBytes(input.GetRawText()));
            if (read.Assessment is not { } assessment) return null;
            var recorded = recordedResultSha256 ?? (root.TryGetProperty("resultSha256", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null);
            var hash = SnapshotFile.Sha256(AssessmentWriter.Write(w => stored.WriteTo(w)));
            var names = assessment.Units.ToDictionary(u => u.Id, u => u.Name, StringComparer.Ordinal);
            var sizes = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var u in units.EnumerateArray())
            {
                var g = u.TryGetProperty("group", out var ge) && ge.ValueKind == JsonValueKind.String ? ge.GetString()! : "";
                sizes[g] = sizes.GetValueOrDefault(g) + 1;
            }
            var decimals = assessment.Rules.RankDecimals;
            var list = new List<UnitResult>(units.GetArrayLength());
            try
            {
                foreach (var u in units.EnumerateArray()) list.Add(Unit(u));
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
            {
                return null; // not a result Kaohe wrote: a changed document, which verify names
            }
            return new StoredSnapshot(assessment, list, hash, recorded is not null && recorded == hash);

            UnitResult Unit(JsonElement u)
            {
                var id = u.GetProperty("id").GetString() ?? "";
                var group = u.GetProperty("group").GetString() ?? "";
                var total = u.GetProperty("total").GetDouble();
                var scores = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var s in u.GetProperty("scores").EnumerateObject()) scores[s.Name] = s.Value.GetDouble();
                var grade = u.GetProperty("grade");
                var values = new Dictionary<string, double>(StringComparer.Ordinal);
                if (u.TryGetProperty("values", out var ve) && ve.ValueKind == JsonValueKind.Object)
                    foreach (var v in ve.EnumerateObject()) values[v.Name] = v.Value.GetDouble();
                return new UnitResult(id, names.GetValueOrDefault(id, id), group, total, Rounding.HalfAwayFromZero(total, decimals), u.GetProperty("rank").GetInt32(),
                    sizes[group], grade.ValueKind == JsonValueKind.String ? grade.GetString() : null, u.GetProperty("vetoed").GetBoolean(),
                    u.GetProperty("commended").GetBoolean(), u.GetProperty("criticized").GetBoolean(), u.GetProperty("adjustment").GetDouble(), scores)
                { Values = values };
            }
        }
    }
}
