using System.Text.Json;
using Kaohe.Scoring;

namespace Kaohe.Scoring.Tests.Support;

/// <summary>Comparing a written result with an expected file.</summary>
public static class JsonAssert
{
    /// <summary>Same members, numbers within 1e-6, everything else equal.</summary>
    public static void Equal(JsonElement expected, JsonElement actual, string path)
    {
        if (expected.ValueKind == JsonValueKind.Number)
        {
            Assert.True(actual.ValueKind == JsonValueKind.Number, $"{path}: expected a number, got {actual.ValueKind}");
            Assert.True(Math.Abs(expected.GetDouble() - actual.GetDouble()) <= Approx.Tolerance, $"{path}: expected {expected}, got {actual}");
            return;
        }
        Assert.True(expected.ValueKind == actual.ValueKind, $"{path}: expected {expected.ValueKind}, got {actual.ValueKind}");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var names = expected.EnumerateObject().Select(p => p.Name).Order().ToList();
                Assert.Equal(names, actual.EnumerateObject().Select(p => p.Name).Order().ToList());
                foreach (var p in expected.EnumerateObject()) Equal(p.Value, actual.GetProperty(p.Name), $"{path}.{p.Name}");
                break;
            case JsonValueKind.Array:
                Assert.Equal(expected.GetArrayLength(), actual.GetArrayLength());
                for (var i = 0; i < expected.GetArrayLength(); i++) Equal(expected[i], actual[i], $"{path}[{i}]");
                break;
            case JsonValueKind.String:
                Assert.Equal(expected.GetString(), actual.GetString());
                break;
        }
    }
}
