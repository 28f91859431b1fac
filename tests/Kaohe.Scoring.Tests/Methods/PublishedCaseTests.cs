using Kaohe.Scoring.Tests.Support;

namespace Kaohe.Scoring.Tests.Methods;

/// <summary>
/// Worked cases from published exam questions and teaching material, computed by the engine and
/// compared with the published answer at the precision it was published (two decimals: ±0.005).
/// </summary>
public class PublishedCaseTests
{
    private const double TwoDecimals = 0.005;

    /// <summary>
    /// Source: 统计师资格考试题库, 单选题 "对某地区工业总资产贡献率5.81%进行函数化处理，其满意值为12%，
    /// 不允许值为6%，则该项指标的功效系数为（ ）", published answer C: (5.81−6)/(12−6)×40+60 = 58.73
    /// (http://222.198.130.40:8081/view/Subject/showsubject.aspx?id=1c13cd4fae1f452c8701976b21b4b93f).
    /// The rating is not floored at 60 (no clamp).
    /// </summary>
    [Fact]
    public void Statistics_exam_efficacy_coefficient_of_5_81_percent_is_58_73()
    {
        var d = LeafScores.One(new EfficacyMethod(Bound.Of(12), Bound.Of(6)), 100, 5.81);
        Approx.Equal(58.73, d, TwoDecimals);
        // The same answer with the published ratio rounded to 4 decimals first (−0.0317 × 40 + 60 = 58.732)
        Approx.Equal(58.73, LeafScores.One(new EfficacyMethod(Bound.Of(12), Bound.Of(6), RatioDecimals: 4), 100, 5.81), TwoDecimals);
    }

    /// <summary>
    /// Source: 财务管理 (中央企业综合绩效评价) 计算题 "A公司是一家大型普通机械制造企业，对20×8年进行绩效评价，
    /// …净资产收益率为8%，该指标权重为20；根据国务院国有资产监督管理委员会颁布的《中央企业综合绩效评价实施细则》，
    /// 采用功效系数法…", 大型普通机械制造业标准值 良好 9.5% (0.8), 平均值 1.7% (0.6). Published answer:
    /// 本档基础分 20×0.6 = 12, 功效系数 0.8077, 调整分 0.8077×(16−12) = 3.23, 得分 15.23
    /// (https://ti.zuoweng.com/ti/mBk8KKKQ). A copy of the same question elsewhere
    /// (https://jikaoti.com/ti/545oFFFM) prints 16.85 by taking the upper base score as 18: 20 × 0.8 is 16,
    /// so that copy is wrong and the engine must not reproduce it.
    /// </summary>
    [Fact]
    public void Central_enterprise_evaluation_roe_of_8_percent_scores_15_23()
    {
        var m = new BandedMethod([new(16.0, 1.0), new(9.5, 0.8), new(1.7, 0.6), new(-5.0, 0.4), new(-12.0, 0.2)]);
        var s = LeafScores.One(m, 20, 8);
        Approx.Equal(15.23, s, TwoDecimals);
        Assert.True(Math.Abs(s - 16.85) > 1);
    }

    /// <summary>
    /// Source: 课件《财务绩效评价计分方法》(企业综合绩效评价, 基本指标计分), worked table "某公司基本指标实际情况和评价标准体系"
    /// with 优秀(1) 良好(0.8) 平均(0.6) 较低(0.4) 较差(0.2) (https://slidesplayer.com/amp/11635817). Published answers:
    /// 净资产收益率 6.35, 权数 30, 标准值 14.6/6.0/−0.5/−10.2/−23.6 → 24 + 0.24 = 24.24;
    /// 总资产报酬率 6.66, 权数 12, 标准值 17.8/11.9/6.8/−1.5/−6.1 → 4.8 + 2.36 = 7.16;
    /// 应收账款周转率 2.21, 标准值 2.4/1.7/1.1/0.6/0.3 → 7.2 + 1.31 (权数 9: 本档基础分 7.2 = 9 × 0.8) = 8.51;
    /// 总资产周转率 0.48, 权数 9, 标准值 1.0/0.7/0.4/0.2/0.1 → 5.4 + 0.48, which the slide adds up as
    /// "5.48"; the sum of its own two parts is 5.88, which is what the method gives.
    /// </summary>
    [Theory]
    [InlineData(6.35, 30, new[] { 14.6, 6.0, -0.5, -10.2, -23.6 }, 24.24)]
    [InlineData(6.66, 12, new[] { 17.8, 11.9, 6.8, -1.5, -6.1 }, 7.16)]
    [InlineData(2.21, 9, new[] { 2.4, 1.7, 1.1, 0.6, 0.3 }, 8.51)]
    [InlineData(0.48, 9, new[] { 1.0, 0.7, 0.4, 0.2, 0.1 }, 5.88)]
    public void Performance_evaluation_slides_basic_indicator_scores(double actual, double weight, double[] standards, double published)
    {
        double[] coefs = [1.0, 0.8, 0.6, 0.4, 0.2];
        var m = new BandedMethod([.. standards.Select((v, i) => new BandLevel(v, coefs[i]))]);
        Approx.Equal(published, LeafScores.One(m, weight, actual), TwoDecimals);
    }

    /// <summary>
    /// The same slide's parts, checked separately: 本档基础分 and 调整分 of 总资产报酬率 (4.8 and 2.36) and of
    /// 应收账款周转率 (7.2 and 1.31) — the score at the lower standard value is exactly the base score.
    /// </summary>
    [Fact]
    public void Performance_evaluation_slides_base_scores_are_weight_times_the_band_coefficient()
    {
        var roa = new BandedMethod([new(17.8, 1.0), new(11.9, 0.8), new(6.8, 0.6), new(-1.5, 0.4), new(-6.1, 0.2)]);
        Approx.Equal(4.8, LeafScores.One(roa, 12, -1.5));
        Approx.Equal(2.36, LeafScores.One(roa, 12, 6.66) - 4.8, TwoDecimals);
        var receivables = new BandedMethod([new(2.4, 1.0), new(1.7, 0.8), new(1.1, 0.6), new(0.6, 0.4), new(0.3, 0.2)]);
        Approx.Equal(7.2, LeafScores.One(receivables, 9, 1.7));
        Approx.Equal(1.31, LeafScores.One(receivables, 9, 2.21) - 7.2, TwoDecimals);
    }
}
