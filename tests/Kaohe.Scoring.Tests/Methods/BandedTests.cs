namespace Kaohe.Scoring.Tests.Methods;

/// <summary>标准值档次功效系数: points × cL + (x − vL) / (vU − vL) × points × (cU − cL).</summary>
public class BandedTests
{
    // 优秀 16.0, 良好 9.5, 平均 1.7, 较低 −5.0, 较差 −12.0 (ex2's standard values)
    private static readonly BandedMethod Roe = new(
        [new(16.0, 1.0), new(9.5, 0.8), new(1.7, 0.6), new(-5.0, 0.4), new(-12.0, 0.2)]);

    [Theory]
    [InlineData(16.0, 20)]       // at the best level
    [InlineData(30.0, 20)]       // beyond the best level
    [InlineData(9.5, 16)]        // exactly on a level: its base score
    [InlineData(8.0, 15.230769230769)] // 12 + 6.3/7.8 × 4
    [InlineData(-12.0, 4)]       // at the worst level: 20 × 0.2
    [InlineData(-8.5, 6)]        // halfway between 较低 and 较差: 4 + 0.5 × 4
    [InlineData(-12.0001, 0)]    // below the worst level
    [InlineData(-100, 0)]
    public void Higher_is_better(double x, double expected)
    {
        Support.Approx.Equal(expected, LeafScores.One(Roe, 20, x));
    }

    // 资产负债率 (lower is better): 41.1, 53.1, 74.3, 89.8, 100
    private static readonly BandedMethod Debt = new(
        [new(41.1, 1.0), new(53.1, 0.8), new(74.3, 0.6), new(89.8, 0.4), new(100, 0.2)], Direction.Lower);

    [Theory]
    [InlineData(40, 10)]
    [InlineData(41.1, 10)]
    [InlineData(44.14, 9.493333333333)]   // 8 + (44.14 − 53.1) / (41.1 − 53.1) × 10 × 0.2
    [InlineData(100, 2)]
    [InlineData(100.5, 0)]
    public void Lower_is_better(double x, double expected)
    {
        Support.Approx.Equal(expected, LeafScores.One(Debt, 10, x));
    }
}
