using System.Text.Json;

namespace Kaohe.Data;

/// <summary>The v1 payload of a fact, as the file writes a value.</summary>
public sealed record FactPayload(double? Value = null, double? Target = null, Dictionary<string, double>? Counts = null,
    double? Points = null, string? Note = null, string? Reason = null)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static FactPayload Parse(string json) => JsonSerializer.Deserialize<FactPayload>(json, Json) ?? new();
}

/// <summary>The columns of a fact that the assessment reads.</summary>
public readonly record struct FactRow(string UnitId, string? IndicatorId, FactKind Kind, string? Rater, string Payload)
{
    public static FactRow Of(Fact f) => new(f.UnitId, f.IndicatorId, f.Kind, f.Rater, f.Payload);
}

/// <summary>Which facts count: submitted and verified ones; a unit's draft is not data yet, a returned fact no longer counts.</summary>
public static class FactStatuses
{
    public static readonly FactStatus[] Counted = [FactStatus.Submitted, FactStatus.Verified];
}
