namespace Kaohe.Scoring;

public static class Rounding
{
    /// <summary>
    /// 四舍五入: rounds half away from zero as published tables do. Goes through decimal so that a
    /// value written as 2.675 rounds to 2.68 even though its binary double lies just below it.
    /// </summary>
    public static double HalfAwayFromZero(double value, int decimals)
    {
        if (!double.IsFinite(value)) return value;
        if (Math.Abs(value) < 7.9e27)
            return (double)Math.Round((decimal)value, decimals, MidpointRounding.AwayFromZero);
        return Math.Round(value, decimals, MidpointRounding.AwayFromZero);
    }
}
