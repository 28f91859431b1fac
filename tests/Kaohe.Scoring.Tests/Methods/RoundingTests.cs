namespace Kaohe.Scoring.Tests.Methods;

/// <summary>
/// Rounding.HalfAwayFromZero (fast path) against its definition through decimal (Rounding.ThroughDecimal):
/// the same double, bit for bit, on values of every kind the engine rounds.
/// </summary>
public class RoundingTests
{
    private static void Same(double value, int decimals)
    {
        var expected = Rounding.ThroughDecimal(value, decimals);
        var actual = Rounding.HalfAwayFromZero(value, decimals);
        if (BitConverter.DoubleToInt64Bits(expected) != BitConverter.DoubleToInt64Bits(actual))
            Assert.Fail($"HalfAwayFromZero({value:R}, {decimals}) = {actual:R}, through decimal {expected:R}");
    }

    [Theory]
    [InlineData(2.675, 2, 2.68)]
    [InlineData(-2.675, 2, -2.68)]
    [InlineData(1.005, 2, 1.01)]
    [InlineData(0.125, 2, 0.13)]
    [InlineData(89.995, 2, 90.0)]
    [InlineData(0.49999, 0, 0.0)]
    [InlineData(0.5, 0, 1.0)]
    [InlineData(-0.5, 0, -1.0)]
    [InlineData(0.12345, 4, 0.1235)]
    public void Written_halves_round_away_from_zero(double value, int decimals, double expected)
    {
        Assert.Equal(expected, Rounding.HalfAwayFromZero(value, decimals));
        Same(value, decimals);
    }

    [Fact]
    public void Random_totals_and_ratios_round_as_through_decimal()
    {
        var r = new Random(20231);
        for (var i = 0; i < 1_000_000; i++)
        {
            Same(r.NextDouble() * 120 - 10, 2);          // totals
            Same(r.NextDouble() * 2 - 0.5, 4);           // efficacy ratios
            Same((r.NextDouble() - 0.5) * Math.Pow(10, r.Next(-8, 16)), r.Next(0, 9));
        }
    }

    [Fact]
    public void Values_at_and_next_to_written_halves_round_as_through_decimal()
    {
        var r = new Random(7);
        for (var i = 0; i < 300_000; i++)
        {
            var decimals = r.Next(0, 7);
            // A decimal half like 12.345 (decimals 2), as a double, and its neighbours a few ulps away.
            var half = (r.Next(-2_000_000, 2_000_000) + 0.5) / Math.Pow(10, decimals);
            var v = half;
            for (var k = 0; k < 4; k++) { Same(v, decimals); v = Math.BitIncrement(v); }
            v = half;
            for (var k = 0; k < 4; k++) { Same(v, decimals); v = Math.BitDecrement(v); }
            Same(half * (1 + 1e-12), decimals);
            Same(half * (1 - 1e-12), decimals);
        }
    }

    [Fact]
    public void Zeros_tiny_huge_and_non_finite_values_round_as_through_decimal()
    {
        double[] values = [0.0, -0.0, 1e-300, -1e-300, 0.004, -0.004, 0.005, -0.005, 4e-17, 1e14 + 0.5, 9.99e14, 1e15, 3e16, -3e16, 1e27, 1e300,
            double.MaxValue, double.Epsilon, double.NaN, double.PositiveInfinity, double.NegativeInfinity];
        foreach (var v in values)
            for (var d = 0; d <= 15; d++) Same(v, d);
    }
}
