using Kaohe.Demo;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;
using Kaohe.Web.Features.Demo;

namespace Kaohe.Demo.Tests;

public class DemoSchemeTests
{
    private static readonly IReadOnlyList<DemoScheme> Schemes = DemoSchemes.Build();

    private static DemoScheme Scheme(string code) => Schemes.Single(s => s.Code == code);

    private static AssessmentResult Score(string code)
    {
        var outcome = Engine.Score(Scheme(code).Q1);
        Assert.Empty(outcome.Errors);
        return outcome.Result!;
    }

    public static TheoryData<string> Codes => new() { "housing", "urban", "affiliated", "divisions" };

    [Fact]
    public void There_are_the_four_schemes_of_the_seed_for_period_2023_Q1()
    {
        Assert.Equal(["housing", "urban", "affiliated", "divisions"], Schemes.Select(s => s.Code));
        Assert.All(Schemes, s => Assert.Equal("2023-Q1", s.Q1.Period));
    }

    [Theory, MemberData(nameof(Codes))]
    public void Each_demo_assessment_validates_and_scores_every_unit(string code)
    {
        var scheme = Scheme(code);
        Assert.Empty(Validator.Validate(scheme.Q1));
        var result = Score(code);
        Assert.Equal(scheme.Q1.Units.Select(u => u.Id).Order(), result.Units.Select(u => u.Id).Order());
        Assert.All(result.Units, u => Assert.InRange(u.Total, 40, 105));
        Assert.Equal(100, scheme.Q1.Indicators.Sum(i => i.Points), 9);
    }

    [Theory, MemberData(nameof(Codes))]
    public void Each_demo_assessment_has_no_veto_and_the_seeds_rules(string code)
    {
        var a = Scheme(code).Q1;
        Assert.Empty(a.Vetoes);
        Assert.Equal(2, a.Rules.Commend);
        Assert.Equal(2, a.Rules.Criticize);
        Assert.Equal(2, a.Rules.RankDecimals);
        Assert.Equal(["优秀", "良好", "合格", "不合格"], a.Rules.Grades!.Select(g => g.Name));
        Assert.Equal([90d, 80d, 60d, null], a.Rules.Grades!.Select(g => g.Min));
        Assert.NotNull(a.Rules.BonusCap);
        Assert.NotNull(a.Rules.DeductionCap);
        Assert.Contains(a.Adjustments, x => x.Points > 0);
        Assert.Contains(a.Adjustments, x => x.Points < 0);
    }

    [Theory, MemberData(nameof(Codes))]
    public void Every_group_has_exactly_two_commended_and_two_criticised_units(string code)
    {
        foreach (var group in Score(code).Units.GroupBy(u => u.Group))
        {
            Assert.Equal(2, group.Count(u => u.Commended));
            Assert.Equal(2, group.Count(u => u.Criticized));
            Assert.All(group.Where(u => u.Commended), u => Assert.True(u.Rank <= 2));
            Assert.All(group.Where(u => u.Criticized), u => Assert.True(u.Rank >= group.Count() - 1));
        }
    }

    [Theory, MemberData(nameof(Codes))]
    public void Every_node_has_a_rule_text(string code)
    {
        var scheme = Scheme(code);
        foreach (var leaf in IndicatorTree.Leaves(scheme.Q1.Indicators))
            Assert.False(string.IsNullOrWhiteSpace(scheme.RuleTexts.GetValueOrDefault(leaf.Id)), $"{code} {leaf.Id} has no rule text");
    }

    [Theory, MemberData(nameof(Codes))]
    public void Every_leaf_has_a_scorer_that_is_a_division_or_the_leaders(string code)
    {
        var scheme = Scheme(code);
        var divisions = DemoCatalog.Divisions.Select(d => d.Id).ToHashSet();
        foreach (var leaf in IndicatorTree.Leaves(scheme.Q1.Indicators))
        {
            var scorer = Assert.Contains(leaf.Id, scheme.Scorers);
            Assert.True(divisions.Contains(scorer) || (scorer == DemoSchemes.Leaders && leaf.Method is RatersMethod), $"{code} {leaf.Id}: {scorer}");
        }
        Assert.Equal(IndicatorTree.Leaves(scheme.Q1.Indicators).Select(l => l.Id).Order(), scheme.Scorers.Keys.Order());
    }

    [Fact]
    public void Housing_bureaus_are_scored_by_the_five_scoring_divisions()
    {
        Assert.Equal(DemoCatalog.ScoringDivisionIds.Order(), Scheme("housing").Scorers.Values.Distinct().Order());
    }

    [Fact]
    public void Building_twice_gives_the_same_data()
    {
        var again = DemoSchemes.Build();
        foreach (var (a, b) in Schemes.Zip(again))
            Assert.Equal(KaoheFile.Write(a.Q1), KaoheFile.Write(b.Q1));
    }

    [Fact]
    public void Housing_has_the_seeds_five_aspects_and_five_quantitative_investment_indicators()
    {
        var tree = Scheme("housing").Q1.Indicators;
        Assert.Equal(["重点项目开复工率和完成季度投资计划", "建筑领域营商环境", "质量安全和安全生产", "建筑领域信访举报", "中央环保督查反馈问题整改"],
            tree.Select(i => i.Name));
        var investment = tree[0].ChildList;
        Assert.Equal(5, investment.Count);
        Assert.Contains(investment, i => i.Name == "投资任务完成率" && i.Method is EfficacyMethod { Satisfactory.Kind: BoundKind.Best, Unallowable.Kind: BoundKind.Worst });
        Assert.Contains(investment, i => i.Name == "投资额度完成占比");
        var methods = IndicatorTree.Leaves(tree).Select(l => l.Method!.Kind).ToHashSet();
        Assert.Superset(new HashSet<string> { "efficacy", "ratio", "raters", "direct", "deduction", "threshold" }, methods);
    }

    [Fact]
    public void Housing_investment_adds_up_to_the_seeds_region_wide_figures()
    {
        var rows = DemoSchemes.Q1Investment;
        Assert.Equal(DemoCatalog.HousingBureaus.Select(u => u.Id), rows.Select(r => r.UnitId));
        var completed = rows.Sum(r => r.CompletedYuan);
        Assert.Equal(2_327_000_000m, completed);
        Assert.InRange(completed / rows.Sum(r => r.PlanYuan), 1.28m - 0.005m, 1.28m + 0.005m);
        Assert.InRange(completed / rows.Sum(r => r.LastYearQ1Yuan) - 1, 1.89m - 0.005m, 1.89m + 0.005m);
        Assert.All(rows, r => Assert.InRange(r.KeyProjectsStarted, 0, r.KeyProjectsPlanned));
        var total = DemoSchemes.Q1InvestmentTotal;
        Assert.Equal(completed, total.CompletedYuan);
        Assert.InRange(total.PlanShare, 1.275m, 1.285m);
        Assert.InRange(total.YearOnYearGrowth, 1.885m, 1.895m);
    }

    [Fact]
    public void Housing_base_figures_are_the_investment_figures_in_wan_yuan_and_a_version_2_scheme_scores_them()
    {
        var a = Scheme("housing").Q1;
        Assert.Equal(2, a.Version);
        Assert.Equal(["inv", "plan", "inv_ly", "started", "due"], a.Measures.Select(m => m.Id));
        foreach (var r in DemoSchemes.Q1Investment)
        {
            double Figure(string m) => a.Data.Single(d => d.Unit == r.UnitId && d.Measure == m).Value;
            Assert.Equal((double)r.CompletedYuan / 10_000, Figure("inv"));
            Assert.Equal((double)r.PlanYuan / 10_000, Figure("plan"));
            Assert.Equal((double)r.LastYearQ1Yuan / 10_000, Figure("inv_ly"));
            Assert.Equal(r.KeyProjectsStarted, Figure("started"));
        }
        Assert.Equal(232_700, a.Data.Where(d => d.Measure == "inv").Sum(d => d.Value));
        Assert.True(Engine.Score(a).IsValid);
        Assert.Equal(a.Data, KaoheFile.Read(KaoheFile.Write(a)).Assessment!.Data);
    }

    [Fact]
    public void Housing_indicator_values_derive_from_the_investment_figures()
    {
        var a = Scheme("housing").Q1;
        Assert.DoesNotContain(a.Values, v => v.Indicator is "A1" or "A2" or "A3" or "A4" or "A5");
        var result = Score("housing").Units.ToDictionary(u => u.Id);
        var total = (double)DemoSchemes.Q1Investment.Sum(r => r.CompletedYuan);
        foreach (var r in DemoSchemes.Q1Investment)
        {
            double V(string leaf) => result[r.UnitId].Values[leaf];
            Assert.Equal((double)r.CompletedYuan / (double)r.PlanYuan, V("A1"), 4);
            Assert.Equal((double)r.CompletedYuan / total, V("A2"), 4);
            Assert.Equal((double)r.CompletedYuan / (double)r.LastYearQ1Yuan - 1, V("A3"), 4);
            Assert.Equal((double)r.KeyProjectsStarted / r.KeyProjectsPlanned, V("A5"), 4);
        }
        Assert.Equal(1.2661, result["zj-lasa"].Values["A1"]);   // 78500 ÷ 62000, published to four decimals
        Assert.Equal(1.0, result.Values.Sum(u => u.Values["A2"]), 3);
        Assert.Equal(1.0, result.Values.Sum(u => u.Values["A4"]), 3);
    }

    /// <summary>
    /// Deriving A1–A5 by formula changed who reports them, not the result: the bureaus' scores, totals, ranks, grades and
    /// commendations are those of the ratios the bureaus used to report (computed here as they were).
    /// </summary>
    [Fact]
    public void Housing_results_are_those_of_the_reported_ratios_they_replace()
    {
        var a = Scheme("housing").Q1;
        var totalCompleted = (double)DemoSchemes.Q1Investment.Sum(p => p.CompletedYuan);
        var totalIncrement = (double)DemoSchemes.Q1Investment.Sum(p => p.CompletedYuan - p.LastYearQ1Yuan);
        var reported = new List<DataValue>(a.Values);
        foreach (var p in DemoSchemes.Q1Investment)
        {
            double completed = (double)p.CompletedYuan, plan = (double)p.PlanYuan, last = (double)p.LastYearQ1Yuan;
            reported.Add(new(p.UnitId, "A1", completed / plan));
            reported.Add(new(p.UnitId, "A2", completed / totalCompleted));
            reported.Add(new(p.UnitId, "A3", completed / last - 1));
            reported.Add(new(p.UnitId, "A4", (completed - last) / totalIncrement));
            reported.Add(new(p.UnitId, "A5", p.KeyProjectsStarted, Target: p.KeyProjectsPlanned));
        }
        Indicator Reported(Indicator n) => n.IsLeaf
            ? n.Formula is null ? n : n with { Formula = null, ValueDecimals = null, Method = n.Method is RatioMethod ? new RatioMethod() : n.Method }
            : n with { Children = [.. n.ChildList.Select(Reported)] };
        var before = Engine.Score(a with { Indicators = [.. a.Indicators.Select(Reported)], Values = reported, Version = 1, Measures = [], Data = [] });
        Assert.Empty(before.Errors);
        var old = before.Result!.Units.ToDictionary(u => u.Id);
        foreach (var u in Score("housing").Units)
        {
            Assert.Equal(old[u.Id].RoundedTotal, u.RoundedTotal);
            Assert.Equal(old[u.Id].Rank, u.Rank);
            Assert.Equal(old[u.Id].Grade, u.Grade);
            Assert.Equal((old[u.Id].Commended, old[u.Id].Criticized), (u.Commended, u.Criticized));
            foreach (var leaf in new[] { "A1", "A2", "A3", "A4", "A5" }) Assert.Equal(old[u.Id].Scores[leaf], u.Scores[leaf], 2);
        }
    }

    [Fact]
    public void Linzhi_housing_bureau_is_first_and_commended()
    {
        var linzhi = Score("housing")["zj-nyingchi"];
        Assert.Equal(1, linzhi.Rank);
        Assert.True(linzhi.Commended);
        Assert.Equal("优秀", linzhi.Grade);
    }

    [Fact]
    public void Urban_management_has_nine_aspects_and_forty_indicators_ranked_in_three_groups()
    {
        var a = Scheme("urban").Q1;
        Assert.Equal(9, a.Indicators.Count);
        Assert.Equal(40, IndicatorTree.Leaves(a.Indicators).Count());
        Assert.Contains(a.Indicators, i => i.Name == "公厕管理");
        Assert.Contains(a.Indicators, i => i.Name == "农贸市场管理");
        Assert.Equal(21, a.Units.Count);
        Assert.Equal(["县城", "地市综合", "政府所在区"], a.Units.Select(u => u.Group).Distinct().Order(StringComparer.Ordinal));
        Assert.All(a.Units.GroupBy(u => u.Group), g => Assert.Equal(7, g.Count()));
        var kinds = IndicatorTree.Leaves(a.Indicators).GroupBy(l => l.Method!.Kind).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(kinds["deduction"] > 20);
        Assert.Equal(1, kinds["survey"]);
        Assert.True(kinds["ratio"] >= 3);
    }

    [Fact]
    public void Urban_management_satisfaction_survey_counts_the_seeds_770_questionnaires()
    {
        var a = Scheme("urban").Q1;
        var survey = IndicatorTree.Leaves(a.Indicators).Single(l => l.Method is SurveyMethod);
        var counts = a.Values.Where(v => v.Indicator == survey.Id).ToArray();
        Assert.Equal(21, counts.Length);
        Assert.Equal(770, counts.Sum(v => v.Counts!.Values.Sum()));
        Assert.All(counts, v => Assert.Equal(["满意", "基本满意", "不满意", "不了解"], v.Counts!.Keys));
        Assert.All(counts, v => Assert.All(v.Counts!.Values, c => Assert.True(c >= 0)));
    }

    [Theory]
    [InlineData("affiliated", 6, new[] { "厅属单位" })]
    [InlineData("divisions", 11, new[] { "业务处室", "综合处室" })]
    public void Units_and_divisions_have_the_seeds_four_parts_with_leadership_rated_fifty_fifty(string code, int units, string[] groups)
    {
        var a = Scheme(code).Q1;
        Assert.Equal(units, a.Units.Count);
        Assert.Equal(groups, a.Units.Select(u => u.Group).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["专项指标", "共性指标", "厅领导班子总体评价"], a.Indicators.Select(i => i.Name));
        Assert.Equal(["专项指标", "共性指标", "厅领导班子总体评价", "加扣分项"], DemoSchemes.DepartmentPartsZh);
        // 专项指标: the year's key tasks of the unit's 目标责任书 score P1.1 (keytask, % of the weighted milestones); the
        // projects and reforms are scored directly by the checking group.
        var keyTasks = a.Indicators[0].ChildList[0];
        Assert.Equal(("P1.1", "keytask / 100"), (keyTasks.Id, keyTasks.Formula));
        Assert.Equal(["keytask"], a.Measures.Select(m => m.Id));
        Assert.Equal(a.Units.Select(u => u.Id).Order(StringComparer.Ordinal), a.Data.Where(d => d.Measure == "keytask").Select(d => d.Unit).Order(StringComparer.Ordinal));
        Assert.All(a.Indicators[0].ChildList.Skip(1), l => Assert.IsType<DirectMethod>(l.Method));
        Assert.Equal(["工作计划", "对外沟通协调", "信息报送", "资金使用绩效", "党员干部遵规守纪"], a.Indicators[1].ChildList.Select(i => i.Name));
        var raters = Assert.IsType<RatersMethod>(a.Indicators[2].Method);
        Assert.Equal([("principal", 0.5), ("in-charge", 0.5)], raters.Raters.Select(r => (r.Id, r.Weight)));
        // 加扣分项 are adjustments, capped by the rules.
        Assert.NotEmpty(a.Adjustments);
        Assert.All(a.Adjustments, x => Assert.InRange(x.Points, -a.Rules.DeductionCap!.Value, a.Rules.BonusCap!.Value));
    }

    [Fact]
    public void The_annual_veto_example_names_a_housing_bureau_and_lowers_its_grade_when_applied()
    {
        var a = Scheme("housing").Q1;
        var veto = DemoSchemes.AnnualVetoExample;
        Assert.Contains(a.Units, u => u.Id == veto.Unit);
        var result = Engine.Score(a with { Vetoes = [veto] }).Result!;
        Assert.True(result[veto.Unit].Vetoed);
        Assert.Equal("不合格", result[veto.Unit].Grade);
    }
}
