using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Insight;

/// <summary>
/// The demo's Insight data for 2023-Q1: a what-if sandbox (stored, not applied), the good practices of
/// 林芝市住建局 in the seed's words (curated into the library), the cause analysis of a criticised unit
/// (阿里地区住建局) with the rectification items it opened, and the leaders' comments (点评).
/// Dates are those of the seed's quarter (the results meeting in April 2023), not today.
/// </summary>
public sealed class InsightDemo(KaoheDbContext db, AuditLog audit)
{
    private const string Period = "2023-Q1";
    private const string Author = "demo";
    private static readonly DateTimeOffset Meeting = new(2023, 4, 20, 2, 0, 0, TimeSpan.Zero);

    /// <summary>The seed: "林芝市住建局关于建立…等好经验、好做法得到各地市住建局的充分认可和借鉴推广".</summary>
    public static IReadOnlyList<(string Title, string Body, string Tags)> NyingchiPractices { get; } =
    [
        ("建立“住建领域柔性引进人才组团式援藏”长效机制",
            "林芝市住建局建立“住建领域柔性引进人才组团式援藏”长效机制，以组团方式柔性引进规划、建设、管理方面的专业人才，补齐本地技术力量短板。（演示数据：做法细节为虚构）",
            "人才,援藏"),
        ("对接开展德阳—林芝两地住房公积金“结对子”帮扶",
            "对接开展德阳—林芝两地住房公积金“结对子”帮扶，学习借鉴对口援建城市的公积金管理与服务经验。（演示数据：做法细节为虚构）",
            "住房公积金,对口援藏"),
        ("委托第三方服务机构开展消防审查验收",
            "委托第三方服务机构开展建设工程消防审查验收技术服务，提高审查验收的专业化水平和办理效率。（演示数据：做法细节为虚构）",
            "消防审查验收,营商环境"),
        ("开发使用消防监管信息化平台",
            "开发使用消防监管信息化平台，实现消防设计审查、验收和备案抽查的线上办理与全程留痕。（演示数据：做法细节为虚构）",
            "消防,信息化"),
        ("推进“智慧工地”建设",
            "推进“智慧工地”建设，将在建工地的安全防范措施纳入平台实时监管，发现问题及时督促整改。（演示数据：做法细节为虚构）",
            "智慧工地,安全生产"),
    ];

    public async Task SeedAsync()
    {
        if (!await db.Periods.AnyAsync(p => p.Id == Period)) return;

        var housing = await db.Schemes.AsNoTracking()
            .Where(s => s.PeriodId == Period && s.Category == "housing" && s.Status == SchemeStatus.Active).FirstOrDefaultAsync();
        if (housing is not null)
        {
            // What if quality and production safety (C) weighed 35 instead of 25? The other aspects give way in proportion.
            var document = WhatIfService.Apply(housing.Document, Period, new WhatIfChanges(Points: new() { ["C"] = 35 }), out var errors);
            if (errors.Count == 0)
            {
                var sandbox = new WhatIfSandbox(Period, "housing", housing.Id, "测算：质量安全和安全生产权重提高到35分（未启用）", document, Author, Meeting);
                db.Set<WhatIfSandbox>().Add(sandbox);
                audit.Record("whatif.create", "whatif", () => sandbox.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null, new { sandbox.Name, demo = true });
            }
        }

        var order = 0;
        foreach (var (title, body, tags) in NyingchiPractices)
        {
            var at = Meeting.AddMinutes(order++);
            var practice = new Practice(Period, "zj-nyingchi", title, body, "unit-zj-nyingchi", at);
            practice.Curate(true, title, body, tags, "经验交流会交流材料", "office", at.AddDays(3));
            db.Set<Practice>().Add(practice);
            audit.Record("practice.curate", "practice", () => practice.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null, new { practice.Title, demo = true });
        }

        // 通报批评并作表态发言，深刻剖析原因: 阿里地区住建局's analysis and the ledger items it opens.
        Commitment[] commitments =
        [
            new("个别重点项目未及时开复工，前期手续办理滞后", "阿里地区住建局 分管副局长", new DateOnly(2023, 6, 30), "A5"),
            new("个别建筑工地安全生产措施不到位（智慧工地平台发现问题）", "阿里地区住建局 质量安全科科长", new DateOnly(2023, 5, 31), "C1"),
            new("建筑市场营商环境有待改善，线上施工许可审批比例偏低", "阿里地区住建局 建筑市场科科长", new DateOnly(2023, 6, 30), "B1"),
        ];
        var analysis = new CauseAnalysis(Period, "zj-ngari", "housing",
            "一是对重点项目开复工调度不够，项目前期手续办理滞后；二是智慧工地平台发现的安全隐患整改跟进不及时；三是线上施工许可审批推广不力，办事群众和企业仍习惯线下办理。（演示数据）",
            JsonSerializer.Serialize(commitments, CauseAnalyses.FactsJson), "unit-zj-ngari", Meeting.AddDays(2));
        db.Set<CauseAnalysis>().Add(analysis);
        foreach (var (c, n) in commitments.Select((c, n) => (c, n)))
            db.RectificationItems.Add(new RectificationItem("zj-ngari", Period, c.Problem!, CauseAnalyses.SourceKind, CauseAnalyses.ItemRef(analysis.SourceRef, n), c.IndicatorId, Severities.General,
                c.ResponsiblePerson!, c.Deadline!.Value, Meeting.AddDays(2), "unit-zj-ngari"));
        audit.Record("cause-analysis.submit", "cause-analysis", () => analysis.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
            new { analysis.UnitId, commitments = commitments.Length, demo = true });

        // 分管厅领导作了点评.
        (string Unit, string Rater, string Name, string Text)[] comments =
        [
            ("zj-nyingchi", "principal", "厅主要领导", "林芝市住建局人才援藏、公积金结对帮扶、消防审查验收和智慧工地等做法务实管用，各地市要相互借鉴、取长补短。"),
            ("zj-nyingchi", "in-charge", "分管厅领导", "投资完成率和增速均居全区前列，要保持势头，继续抓好重点项目开复工。"),
            ("zj-ngari", "in-charge", "分管厅领导", "原因剖析比较深刻，整改承诺要明确责任人、时间表、路线图，按期整改到位。"),
            ("zj-nagqu", "in-charge", "分管厅领导", "重点项目开复工率偏低，要加强调度，下季度考核重点关注。"),
        ];
        foreach (var (unit, rater, name, text) in comments)
            db.Set<LeaderComment>().Add(new LeaderComment(Period, unit, rater == "principal" ? "leader-principal" : "leader-incharge", name, rater, text, Meeting.AddHours(3)));
        audit.Record("comment.add", "leader-comment", "demo", null, new { count = comments.Length, demo = true });
        await audit.SaveAsync();
    }
}
