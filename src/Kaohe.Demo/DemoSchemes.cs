using Kaohe.Scoring;

namespace Kaohe.Demo;

/// <summary>
/// One of the seed's four subject categories with its 2023-Q1 assessment: the scheme (indicator
/// tree and rules) plus invented but plausible data. <see cref="RuleTexts"/> holds the 评分细则 of
/// every node by indicator id, since the engine's indicator carries no description.
/// </summary>
public sealed record DemoScheme(string Code, string NameZh, string NameEn, Assessment Q1)
{
    public IReadOnlyDictionary<string, string> RuleTexts { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Who enters each leaf's data in the demo (leaf id → a division id of <see cref="DemoCatalog.Divisions"/>,
    /// or <see cref="DemoSchemes.Leaders"/> for the 厅领导 rating), for the demo's assignments.
    /// </summary>
    public IReadOnlyDictionary<string, string> Scorers { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// A prefecture's 2023-Q1 housing-sector investment (yuan) and key projects. The seven rows add up
/// to the seed's region-wide figures: 23.27亿元 completed, 128% of plan, +189% year on year.
/// </summary>
public sealed record PrefectureInvestment(
    string UnitId,
    string PrefectureId,
    string PrefectureName,
    decimal CompletedYuan,
    decimal PlanYuan,
    decimal LastYearQ1Yuan,
    int KeyProjectsPlanned,
    int KeyProjectsStarted)
{
    public decimal PlanShare => CompletedYuan / PlanYuan;
    public decimal YearOnYearGrowth => CompletedYuan / LastYearQ1Yuan - 1;
}

/// <summary>
/// The demo's four schemes of the seed with 2023-Q1 data. Everything is deterministic (a fixed
/// seed to a self-contained generator), so the demo, its tests and screenshots agree.
/// </summary>
public static class DemoSchemes
{
    public const string Period = "2023-Q1";
    public const string Housing = "housing";
    public const string Urban = "urban";
    public const string Affiliated = "affiliated";
    public const string DivisionsCode = "divisions";

    /// <summary>Scorer of the leadership evaluation: the 厅主要领导 (rater principal) and 分管领导 (rater in-charge).</summary>
    public const string Leaders = "leaders";


    /// <summary>
    /// Per-prefecture Q1 investment. Sums: completed 23.27亿, plan 18.18亿 (128.0%), last year's Q1
    /// 8.05亿 (+189.1%) — the seed's headline figures. 林芝 has the best completion and growth.
    /// </summary>
    public static IReadOnlyList<PrefectureInvestment> Q1Investment { get; } =
    [
        new("zj-lasa", "lasa", "拉萨市", 785_000_000m, 620_000_000m, 290_000_000m, 18, 16),
        new("zj-xigaze", "xigaze", "日喀则市", 362_000_000m, 295_000_000m, 120_000_000m, 12, 10),
        new("zj-qamdo", "qamdo", "昌都市", 241_000_000m, 210_000_000m, 95_000_000m, 10, 7),
        new("zj-nyingchi", "nyingchi", "林芝市", 426_000_000m, 285_000_000m, 105_000_000m, 11, 11),
        new("zj-shannan", "shannan", "山南市", 258_000_000m, 195_000_000m, 85_000_000m, 9, 8),
        new("zj-nagqu", "nagqu", "那曲市", 152_000_000m, 130_000_000m, 62_000_000m, 8, 5),
        new("zj-ngari", "ngari", "阿里地区", 103_000_000m, 83_000_000m, 48_000_000m, 6, 4),
    ];

    /// <summary>Measure ids of the housing scheme's base figures: completed investment, the quarter's plan, last year's same quarter (万元).</summary>
    public const string Inv = "inv", Plan = "plan", InvLastYear = "inv_ly";

    /// <summary>
    /// The housing measures the bureaus' 2023 目标责任书 set for every quarter (DemoSeeder.Targets): written as the letters' figures,
    /// never reported by the bureaus (Targets/LetterOwnership).
    /// </summary>
    public static IReadOnlyList<string> LetterMeasures { get; } = [Plan, "due"];

    /// <summary>The measure of the units' and divisions' key-task completion (Targets/TargetLetterService.KeyTaskMeasure), in %.</summary>
    public const string KeyTask = "keytask";

    /// <summary>The base figures (基础数据) the housing bureaus report each quarter, with their units.</summary>
    public static IReadOnlyList<Measure> HousingMeasures { get; } =
    [
        new(Inv, "季度完成投资", "万元"),
        new(Plan, "季度投资计划", "万元"),
        new(InvLastYear, "去年同期完成投资", "万元"),
        new("started", "已开（复）工重点项目数", "个"),
        new("due", "应开（复）工重点项目数", "个"),
    ];

    /// <summary>The region-wide sums of <see cref="Q1Investment"/> (what the demo's data add up to; the pages compute their figures from the stored measures).</summary>
    public static PrefectureInvestment Q1InvestmentTotal { get; } = new("", "", "全区",
        Q1Investment.Sum(p => p.CompletedYuan), Q1Investment.Sum(p => p.PlanYuan), Q1Investment.Sum(p => p.LastYearQ1Yuan),
        Q1Investment.Sum(p => p.KeyProjectsPlanned), Q1Investment.Sum(p => p.KeyProjectsStarted));

    /// <summary>How well each prefecture's bodies work in the invented data (0–1); 林芝 leads, as the seed praises it.</summary>
    private static readonly IReadOnlyDictionary<string, double> Quality = new Dictionary<string, double>
    {
        ["lasa"] = 0.82, ["xigaze"] = 0.68, ["qamdo"] = 0.55, ["nyingchi"] = 0.95,
        ["shannan"] = 0.74, ["nagqu"] = 0.42, ["ngari"] = 0.50,
    };

    /// <summary>The derived ratios are published to four decimals (投资任务完成率 1.1825), and scored as published.</summary>
    public const int FormulaDecimals = 4;

    /// <summary>The seed's grades and its 前2名通报表扬 / 后2名通报批评, with bonus and deduction caps.</summary>
    public static Rules Rules { get; } = new(
        BonusCap: 5,
        DeductionCap: 10,
        Grades: [new Grade("优秀", 90), new Grade("良好", 80), new Grade("合格", 60), new Grade("不合格", null)],
        RankDecimals: 2,
        Commend: 2,
        Criticize: 2);

    /// <summary>
    /// A veto for the annual assessment (一票否决: a major production-safety accident). Not part of
    /// any Q1 assessment: the seed applies vetoes to the annual result only.
    /// </summary>
    public static Veto AnnualVetoExample { get; } = new("zj-ngari", "发生重大安全生产事故（示例数据）");

    public static IReadOnlyList<DemoScheme> Build() => [BuildHousing(), BuildUrban(), BuildAffiliated(), BuildDivisions()];

    public static DemoScheme Get(string code) => Build().Single(s => s.Code == code);

    // ---------------------------------------------------------------- 地市住建局

    private static DemoScheme BuildHousing()
    {
        var texts = new Dictionary<string, string>();
        Indicator L(string id, string name, double points, Method m, string rule)
        {
            texts[id] = rule;
            return Indicator.Leaf(id, name, points, m);
        }
        // A1–A5 are derived from the bureaus' base figures (issue 16): a prefecture reports what it knows (its investment,
        // plan, last year's figure, its projects), never its share of the region.
        Indicator F(string id, string name, double points, string formula, Method m, string rule)
        {
            texts[id] = rule;
            return Indicator.FormulaLeaf(id, name, points, formula, m, FormulaDecimals);
        }
        Indicator N(string id, string name, double points, string rule, params Indicator[] children)
        {
            texts[id] = rule;
            return Indicator.Node(id, name, points, Combine.Sum, children);
        }
        var efficacy = new EfficacyMethod(Bound.Best, Bound.Worst);
        var tree = new[]
        {
            N("A", "重点项目开复工率和完成季度投资计划", 40, "5个定量指标，采取功效系数法、加权平均法计算得分，既看增量、增速，还看对全区投资任务的贡献度（计划财务处、建筑市场监管处考核）。",
                F("A1", "投资任务完成率", 10, "inv / plan", efficacy, "季度完成投资÷季度投资计划；功效系数法，满意值取组内最高，不允许值取组内最低，得分=分值×(60+40×(实际值−不允许值)/(满意值−不允许值))/100。"),
                F("A2", "投资额度完成占比", 8, "inv / sum(inv)", efficacy, "本地市完成投资占全区完成投资的比重；功效系数法，满意值取组内最高，不允许值取组内最低。"),
                F("A3", "投资增速", 8, "inv / inv_ly - 1", efficacy, "与去年同期相比的增长率；功效系数法，满意值取组内最高，不允许值取组内最低。"),
                F("A4", "对全区投资贡献度", 6, "(inv - inv_ly) / sum(inv - inv_ly)", efficacy, "本地市投资增量占全区投资增量的比重；功效系数法，满意值取组内最高，不允许值取组内最低。"),
                F("A5", "重点项目开复工率", 8, "started / due", new RatioMethod(Target: 1.0), "已开（复）工重点项目数÷应开（复）工重点项目数×分值，最高得满分。")),
            N("B", "建筑领域营商环境", 15, "厅建筑市场监管处、房地产市场监管处分别考核打分（变“一家考”为“多方评”）。",
                L("B1", "线上施工许可审批率", 5, new RatioMethod(Target: 1.0), "通过大数据核查线上办理施工许可的比例，100%得满分，按比例得分。"),
                L("B2", "营商环境评价", 10, new RatersMethod([new Rater("scc", 0.5), new Rater("fdc", 0.5)]), "建筑市场监管处、房地产市场监管处各按百分制评价，各占50%，折算为本项分值。")),
            N("C", "质量安全和安全生产", 25, "厅工程质量安全监管处通过智慧工地平台、信息归集平台及日常调度考核。",
                L("C1", "智慧工地安全防范措施落实", 10, new DeductionMethod(PerFinding: 0.5), "智慧工地平台每发现一处安全防范措施未落实扣0.5分，扣完为止。"),
                L("C2", "经营性自建房排查任务完成率", 7, new RatioMethod(Target: 1.0), "信息归集平台排查完成数÷应排查数×分值。"),
                L("C3", "质量安全监管工作评价", 8, new DirectMethod(), "工程质量安全监管处根据平时调度、调研督查情况直接打分（0–8分）。")),
            N("D", "建筑领域信访举报", 10, "按信访举报台账考核。",
                L("D1", "信访举报按期办结率", 5, new ThresholdMethod(Threshold: 95, StepBelow: 0.5), "按期办结率达到95%得满分，每低1个百分点扣0.5分，扣完为止。"),
                L("D2", "重复信访和越级上访", 5, new DeductionMethod(PerFinding: 1, MaxDeduction: 5), "每发生一件重复信访或越级上访扣1分，最多扣5分。")),
            N("E", "中央环保督查反馈问题整改", 10, "按整改台账考核。",
                L("E1", "中央环保督查反馈问题整改完成率", 10, new RatioMethod(), "已整改完成问题数÷交办问题数×分值（交办数因地市而异）。")),
        };

        var rng = new DemoRandom(2023_1_1);
        var values = new List<DataValue>();
        var data = new List<MeasureValue>();
        foreach (var p in Q1Investment)
        {
            var q = Quality[p.PrefectureId];
            // The bureaus report base figures (万元, 个); A1–A5 follow from them by formula.
            data.Add(new(p.UnitId, Inv, (double)(p.CompletedYuan / 10_000m)));
            data.Add(new(p.UnitId, Plan, (double)(p.PlanYuan / 10_000m)));
            data.Add(new(p.UnitId, InvLastYear, (double)(p.LastYearQ1Yuan / 10_000m)));
            data.Add(new(p.UnitId, "started", p.KeyProjectsStarted));
            data.Add(new(p.UnitId, "due", p.KeyProjectsPlanned));
            values.Add(new(p.UnitId, "B1", Math.Round(Math.Min(1, 0.72 + 0.28 * q + rng.Noise(0.03)), 3)));
            values.Add(new(p.UnitId, "B2", Rating(q, rng), Rater: "scc"));
            values.Add(new(p.UnitId, "B2", Rating(q, rng), Rater: "fdc"));
            values.Add(new(p.UnitId, "C1", Findings: Findings.OfCount(Count((1 - q) * 9, rng))));
            values.Add(new(p.UnitId, "C2", Math.Round(Math.Min(1, 0.8 + 0.2 * q + rng.Noise(0.02)), 3)));
            values.Add(new(p.UnitId, "C3", Math.Clamp(Math.Round((5 + 3 * q + rng.Noise(0.4)) * 2) / 2, 0, 8)));
            values.Add(new(p.UnitId, "D1", Math.Round(Math.Min(100, 86 + 14 * q + rng.Noise(1.5)), 1)));
            values.Add(new(p.UnitId, "D2", Findings: Findings.OfCount(Count((1 - q) * 3, rng))));
            var assigned = 6 + rng.Next(0, 10);
            values.Add(new(p.UnitId, "E1", Math.Min(assigned, Math.Round(assigned * (0.7 + 0.3 * q))), Target: assigned));
        }

        var units = DemoCatalog.HousingBureaus.Select(u => new Unit(u.Id, u.Name, u.Group)).ToArray();
        Adjustment[] adjustments =
        [
            new("zj-nyingchi", 2, "受住房城乡建设部表扬（智慧工地建设）"),
            new("zj-lasa", 1, "受自治区党委政府表扬"),
            new("zj-nagqu", -1, "被自治区通报批评（重点项目未及时开复工）"),
        ];
        // 变"一家考"为"多方评": the seed's five business divisions each score their own line; 质安处 uses the
        // 智慧工地 and 信息归集 platforms, 市场处 the online permit data.
        var scorers = new Dictionary<string, string>
        {
            ["A1"] = "bzc", ["A2"] = "bzc", ["A3"] = "bzc", ["A4"] = "bzc", ["A5"] = "bzc",
            ["B1"] = "scc", ["B2"] = "scc",
            ["C1"] = "zac", ["C2"] = "zac", ["C3"] = "zac",
            ["D1"] = "fdc", ["D2"] = "fdc",
            ["E1"] = "cgc",
        };
        return new DemoScheme(Housing, "地市住建局", "Prefecture housing bureaus",
            new Assessment(Period, units, tree, values, adjustments, [], Rules) { Version = 2, Measures = HousingMeasures, Data = data })
        { RuleTexts = texts, Scorers = scorers };
    }

    // ---------------------------------------------------------------- 地市城管局

    /// <summary>Questionnaires per subject: 26 prefecture-wide + 44 seat district + 40 county towns = 110 per prefecture, 770 in all (seed).</summary>
    public static int QuestionnairesFor(DemoCatalog.Level level) => level switch
    {
        DemoCatalog.Level.Prefecture => 26,
        DemoCatalog.Level.SeatDistrict => 44,
        DemoCatalog.Level.CountyTowns => 40,
        _ => 0,
    };

    private static DemoScheme BuildUrban()
    {
        var texts = new Dictionary<string, string>();
        Indicator D(string id, string name, double points, double perFinding = 0.5)
        {
            texts[id] = $"实地抽样查看，每发现一处问题扣{perFinding:0.##}分，扣完{points:0.##}分为止。";
            return Indicator.Leaf(id, name, points, new DeductionMethod(PerFinding: perFinding));
        }
        Indicator R(string id, string name, double points, string what)
        {
            texts[id] = $"{what}，100%得满分，按完成比例得分。";
            return Indicator.Leaf(id, name, points, new RatioMethod(Target: 1.0));
        }
        Indicator N(string id, string name, double points, params Indicator[] children)
        {
            texts[id] = $"{name}，共{children.Length}项指标，满分{points:0.##}分。";
            return Indicator.Node(id, name, points, Combine.Sum, children);
        }

        // The seed names 9 aspects but lists "公厕管理和农贸市场管理" as one item among 8. They are
        // split here into 公厕管理 (U7) and 农贸市场管理 (U8): two different facilities, inspected
        // separately on site, which gives the 9 aspects the seed counts. The 群众满意度调查 (770
        // questionnaires) is scored under 公共场所管理, where the questionnaires were handed out.
        var tree = new[]
        {
            N("U1", "城市道路及附属设施管理", 14,
                D("U1.1", "道路路面完好", 3), D("U1.2", "人行道完好无破损", 3), D("U1.3", "井盖护栏等附属设施", 2),
                D("U1.4", "道路清扫保洁", 2), R("U1.5", "道路照明亮灯率", 2, "路灯亮灯数÷路灯总数"),
                R("U1.6", "数字化城市管理案件办结率", 2, "数字化城管平台案件办结数÷立案数")),
            N("U2", "公共场所管理", 12,
                D("U2.1", "广场街道环境卫生", 2), D("U2.2", "占道经营和乱堆乱放", 2), D("U2.3", "市容市貌", 2),
                D("U2.4", "公共设施完好", 2), Survey("U2.5", "群众满意度", 4, texts)),
            N("U3", "生活垃圾分类管理", 12,
                D("U3.1", "分类投放设施配置", 2), D("U3.2", "分类收集运输", 3),
                R("U3.3", "生活垃圾无害化处理率", 3, "无害化处理量÷清运量"), R("U3.4", "垃圾分类宣传覆盖率", 2, "已宣传小区数÷小区总数"),
                D("U3.5", "垃圾桶清洁和满溢", 2)),
            N("U4", "园林绿化区域管理", 10,
                D("U4.1", "绿化养护", 3), D("U4.2", "草木枯死补植", 2), D("U4.3", "绿地侵占毁坏", 2), D("U4.4", "公园广场设施", 3)),
            N("U5", "户外广告管理", 8,
                R("U5.1", "户外广告设置审批率", 2, "经审批的户外广告数÷户外广告总数"), D("U5.2", "违规广告和招牌", 2),
                D("U5.3", "广告牌匾安全检查", 2), D("U5.4", "公益广告设置", 2)),
            N("U6", "车辆文明行驶和停车场管理", 10,
                D("U6.1", "机动车侵占人行道", 3), D("U6.2", "非机动车规范停放", 2), D("U6.3", "停车场标识和收费公示", 2),
                D("U6.4", "车辆文明行驶和礼让", 3)),
            N("U7", "公厕管理", 12,
                D("U7.1", "公厕保洁", 4, 1), D("U7.2", "公厕设施完好", 3), D("U7.3", "公厕开放时间和标识", 2),
                R("U7.4", "公厕建设改造任务完成率", 3, "已完成建设改造数÷年度计划数")),
            N("U8", "农贸市场管理", 10,
                D("U8.1", "市场环境卫生", 3), D("U8.2", "划行归市和摊位秩序", 3), D("U8.3", "市场周边占道经营", 2),
                D("U8.4", "排水和垃圾收集设施", 2)),
            N("U9", "物业管理", 12,
                R("U9.1", "住宅小区物业服务覆盖率", 3, "实行物业服务的小区数÷小区总数"), D("U9.2", "小区环境卫生", 3),
                D("U9.3", "消防通道和安全", 3), R("U9.4", "物业投诉办结率", 3, "物业投诉办结数÷受理数")),
        };

        var rng = new DemoRandom(2023_1_2);
        var leaves = IndicatorTree.Leaves(tree).ToArray();
        var values = new List<DataValue>();
        foreach (var u in DemoCatalog.UrbanManagementSubjects)
        {
            // County towns are visited less often and score a bit lower than the seat districts.
            var q = Quality[u.Prefecture!] - (u.Level == DemoCatalog.Level.CountyTowns ? 0.08 : 0)
                + UrbanOffsets.GetValueOrDefault((u.Prefecture!, u.Level)) + rng.Noise(0.05);
            foreach (var leaf in leaves)
            {
                switch (leaf.Method)
                {
                    case DeductionMethod d:
                        values.Add(new(u.Id, leaf.Id, Findings: Findings.OfCount(Count((1 - q) * leaf.Points / d.PerFinding!.Value * 0.45, rng))));
                        break;
                    case RatioMethod:
                        values.Add(new(u.Id, leaf.Id, Math.Round(Math.Clamp(0.7 + 0.3 * q + rng.Noise(0.05), 0, 1), 3)));
                        break;
                    case SurveyMethod:
                        values.Add(new(u.Id, leaf.Id, Counts: SurveyCounts(QuestionnairesFor(u.Level), q, rng)));
                        break;
                }
            }
        }
        var units = DemoCatalog.UrbanManagementSubjects.Select(u => new Unit(u.Id, u.Name, u.Group)).ToArray();
        Adjustment[] adjustments =
        [
            new("cg-nyingchi", 1.5, "受住房城乡建设部表扬（城市管理工作）"),
            new("cg-nyingchi-seat", 1, "受自治区党委政府表扬"),
            new("cg-nagqu-county", -1, "被自治区通报批评（环境卫生）"),
        ];
        // The seed: 城市管理监督处 leads the on-site assessment groups and the questionnaires.
        var scorers = leaves.ToDictionary(l => l.Id, _ => "cgc");
        return new DemoScheme(Urban, "地市城管局", "Prefecture urban-management bureaus",
            new Assessment(Period, units, tree, values, adjustments, [], Rules))
        { RuleTexts = texts, Scorers = scorers };
    }

    /// <summary>Where a seat district or the county towns do better or worse than the prefecture's bureaus overall, so the three rankings differ.</summary>
    private static readonly IReadOnlyDictionary<(string, DemoCatalog.Level), double> UrbanOffsets = new Dictionary<(string, DemoCatalog.Level), double>
    {
        [("lasa", DemoCatalog.Level.SeatDistrict)] = 0.12,
        [("lasa", DemoCatalog.Level.CountyTowns)] = -0.1,
        [("shannan", DemoCatalog.Level.SeatDistrict)] = 0.1,
        [("qamdo", DemoCatalog.Level.CountyTowns)] = 0.16,
        [("xigaze", DemoCatalog.Level.CountyTowns)] = -0.08,
        [("ngari", DemoCatalog.Level.SeatDistrict)] = 0.12,
        [("nagqu", DemoCatalog.Level.Prefecture)] = 0.1,
    };

    private static Indicator Survey(string id, string name, double points, Dictionary<string, string> texts)
    {
        texts[id] = "发放《群众满意度调查表》，满意计100分、基本满意75分、不满意55分，不了解不计入，按加权平均折算为本项分值。";
        return Indicator.Leaf(id, name, points, new SurveyMethod(SurveyMethod.DefaultOptions));
    }

    private static Dictionary<string, double> SurveyCounts(int total, double q, DemoRandom rng)
    {
        var unknown = (int)Math.Round(total * (0.04 + rng.Next(0, 4) / 100.0));
        var rest = total - unknown;
        var satisfied = (int)Math.Round(rest * Math.Clamp(0.35 + 0.5 * q + rng.Noise(0.05), 0, 1));
        var unsatisfied = (int)Math.Round((rest - satisfied) * Math.Clamp(0.5 - 0.45 * q, 0, 1));
        var basic = rest - satisfied - unsatisfied;
        return new() { ["满意"] = satisfied, ["基本满意"] = basic, ["不满意"] = unsatisfied, ["不了解"] = unknown };
    }

    // ---------------------------------------------------------------- 厅属单位 and 机关处室

    /// <summary>The seed's 4 parts: 专项指标, 共性指标, 厅领导班子总体评价 in the tree; 加扣分项 as adjustments capped by the rules.</summary>
    public static IReadOnlyList<string> DepartmentPartsZh { get; } = ["专项指标", "共性指标", "厅领导班子总体评价", "加扣分项"];

    private static (Indicator[] Tree, Dictionary<string, string> Texts) DepartmentTree()
    {
        var texts = new Dictionary<string, string>();
        Indicator L(string id, string name, double points, Method m, string rule)
        {
            texts[id] = rule;
            return Indicator.Leaf(id, name, points, m);
        }
        texts["P1"] = "承担自治区党委、政府安排的年度重点工作、重点项目、重大改革工作进展情况及工作成效；年度重点工作按目标责任书重点工作任务的节点评价计分，其余由厅政工人事处牵头的考核组查看佐证材料、核实情况后打分。";
        texts["P2"] = "工作计划、对外沟通协调、信息报送、资金使用绩效、党员干部遵规守纪。";
        texts["P3"] = "厅主要领导和分管领导对各部门进行打分，各占50%，包括工作量、工作进度、工作成效、阶段性重点工作落实情况。";
        var tree = new[]
        {
            Indicator.Node("P1", "专项指标", 40, Combine.Sum,
                // The key tasks of the unit's 目标责任书, assessed milestone by milestone by the divisions named (issue 16): their
                // weighted completion (keytask, %) scores the leaf, so that assessing a milestone moves the score.
                KeyTaskLeaf(texts),
                L("P1.2", "重点项目推进情况", 14, new DirectMethod(), "考核组根据项目进度直接打分（0–14分）。"),
                L("P1.3", "重大改革工作进展", 10, new DirectMethod(), "考核组根据改革任务推进情况直接打分（0–10分）。")),
            Indicator.Node("P2", "共性指标", 30, Combine.Sum,
                L("P2.1", "工作计划", 5, new DirectMethod(), "季度工作计划制定及执行情况，由办公室打分（0–5分）。"),
                L("P2.2", "对外沟通协调", 5, new DirectMethod(), "与部委、自治区部门及地市沟通协调情况，由办公室打分（0–5分）。"),
                L("P2.3", "信息报送", 6, new RatioMethod(Target: 6), "每季度报送并被采用信息6条得满分，按比例得分。"),
                L("P2.4", "资金使用绩效", 8, new ThresholdMethod(Threshold: 25, StepBelow: 0.4, StepAbove: 0.1, MaxAbove: 1),
                    "执行资金使用进度达到25%得满分，每低1个百分点扣0.4分；每高1个百分点加0.1分，最多加1分。"),
                L("P2.5", "党员干部遵规守纪", 6, new DeductionMethod(PerFinding: 2), "党员干部每发生一起违规违纪问题扣2分，扣完为止。")),
            L("P3", "厅领导班子总体评价", 30, RatersMethod.Leadership5050, texts["P3"]),
        };
        return (tree, texts);
    }

    private static Indicator KeyTaskLeaf(Dictionary<string, string> texts)
    {
        texts["P1.1"] = "目标责任书重点工作任务节点完成度（各任务按权重，完成计100、基本完成60、未完成0）÷100×16分；节点由任务指定的处室评价。";
        return Indicator.FormulaLeaf("P1.1", "年度重点工作进展及成效", 16, $"{KeyTask} / 100", new RatioMethod(Target: 1.0), FormulaDecimals);
    }

    /// <summary>The measure the department schemes define: the key-task completion the letters' milestones give.</summary>
    public static IReadOnlyList<Measure> DepartmentMeasures { get; } = [new(KeyTask, "重点工作任务完成度", "%")];

    private static DemoScheme BuildAffiliated() =>
        BuildDepartment(Affiliated, "厅属单位", "Affiliated units", DemoCatalog.AffiliatedUnits, 2023_1_3,
            new Dictionary<string, double> { ["jky"] = 0.7, ["zjzx"] = 0.9, ["zaz"] = 0.8, ["kcy"] = 0.55, ["zjz"] = 0.62, ["xxzx"] = 0.45 },
            [new("zjzx", 1.5, "受住房城乡建设部表扬（住房公积金“结对子”帮扶）"), new("xxzx", -1, "被自治区通报批评（信息系统安全检查）")]);

    private static DemoScheme BuildDivisions() =>
        BuildDepartment(DivisionsCode, "机关处室", "Divisions", DemoCatalog.Divisions, 2023_1_4,
            new Dictionary<string, double>
            {
                ["scc"] = 0.85, ["zac"] = 0.9, ["cgc"] = 0.72, ["bzc"] = 0.6, ["czc"] = 0.5, ["fdc"] = 0.66,
                ["bgs"] = 0.8, ["rsc"] = 0.74, ["cwc"] = 0.5, ["fgc"] = 0.62, ["dw"] = 0.88,
            },
            [new("zac", 2, "受住房城乡建设部表扬（质量安全提升行动）"), new("scc", 1, "受自治区党委政府表扬"), new("czc", -1.5, "被自治区通报批评（资金使用管理绩效进展缓慢）")]);

    private static DemoScheme BuildDepartment(string code, string nameZh, string nameEn, IReadOnlyList<DemoCatalog.DemoUnit> subjects,
        int seed, IReadOnlyDictionary<string, double> quality, Adjustment[] adjustments)
    {
        var (tree, texts) = DepartmentTree();
        var rng = new DemoRandom(seed);
        var values = new List<DataValue>();
        foreach (var u in subjects)
        {
            var q = quality[u.Id];
            foreach (var leaf in IndicatorTree.Leaves(tree).Where(l => l.Formula is null))
            {
                switch (leaf.Method)
                {
                    case DirectMethod:
                        values.Add(new(u.Id, leaf.Id, Math.Clamp(Math.Round(leaf.Points * (0.7 + 0.28 * q + rng.Noise(0.03)) * 2) / 2, 0, leaf.Points)));
                        break;
                    case RatioMethod:
                        values.Add(new(u.Id, leaf.Id, Math.Clamp(Count(3 + 4.5 * q, rng), 0, 9)));
                        break;
                    case ThresholdMethod:
                        values.Add(new(u.Id, leaf.Id, Math.Round(14 + 16 * q + rng.Noise(2), 1)));
                        break;
                    case DeductionMethod:
                        values.Add(new(u.Id, leaf.Id, Findings: Findings.OfCount(q < 0.55 ? 1 : 0)));
                        break;
                    case RatersMethod r:
                        foreach (var rater in r.Raters) values.Add(new(u.Id, leaf.Id, Rating(q, rng), Rater: rater.Id));
                        break;
                }
            }
        }
        var units = subjects.Select(u => new Unit(u.Id, u.Name, u.Group)).ToArray();
        // The seed: 厅政工人事处 leads the groups checking the 专项指标; the common indicators go to the
        // office that keeps each record (invented), the leadership evaluation to the 厅领导.
        var scorers = new Dictionary<string, string>
        {
            ["P1.1"] = "rsc", ["P1.2"] = "rsc", ["P1.3"] = "rsc",
            ["P2.1"] = "bgs", ["P2.2"] = "bgs", ["P2.3"] = "bgs", ["P2.4"] = "cwc", ["P2.5"] = "dw",
            ["P3"] = Leaders,
        };
        // The Q1 completion of each unit's key tasks, as its letter's milestones were assessed (DemoSeeder.Targets).
        var data = subjects.Select(u => new MeasureValue(u.Id, KeyTask, DemoKeyTasks.KeyTaskCompletion(u.Id))).ToList();
        return new DemoScheme(code, nameZh, nameEn, new Assessment(Period, units, tree, values, adjustments, [], Rules)
        { Version = 2, Measures = DepartmentMeasures, Data = data })
        { RuleTexts = texts, Scorers = scorers };
    }

    // ---------------------------------------------------------------- helpers

    private static double Rating(double q, DemoRandom rng) => Math.Round(Math.Clamp(72 + 26 * q + rng.Noise(2.5), 0, 100));

    private static int Count(double mean, DemoRandom rng) => Math.Max(0, (int)Math.Round(mean + rng.Noise(Math.Max(0.6, mean * 0.3))));


    /// <summary>SplitMix64: the demo must not depend on the runtime's <see cref="Random"/> implementation.</summary>
    private sealed class DemoRandom(long seed)
    {
        private ulong _state = (ulong)seed;

        private ulong NextULong()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

        public int Next(int min, int maxExclusive) => min + (int)(NextULong() % (ulong)(maxExclusive - min));

        /// <summary>Uniform noise in [−amplitude, amplitude].</summary>
        public double Noise(double amplitude) => (NextDouble() * 2 - 1) * amplitude;
    }
}
