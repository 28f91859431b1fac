using Kaohe.Scoring.Tests.Support;

namespace Kaohe.Scoring.Tests.Methods;

/// <summary>Scores one leaf "x" for units u0, u1, … holding the given values, and returns the leaf's scores in unit order.</summary>
internal static class LeafScores
{
    public static double[] Of(Method method, double points, params double[] values)
    {
        var b = Build.Units([.. values.Select((_, i) => $"u{i}")]).Leaf("x", points, method, values);
        var r = b.Score();
        return [.. r.Units.Select(u => u.Scores["x"])];
    }

    public static double One(Method method, double points, double value) => Of(method, points, value)[0];
}
