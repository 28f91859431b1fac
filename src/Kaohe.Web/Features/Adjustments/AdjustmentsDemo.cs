using System.Text;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Platform;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Adjustments;

/// <summary>
/// The demo's 加扣分 rule table and 2023-Q1 events (invented, as all demo data): approved bonuses, a
/// deduction, a unit whose bonuses exceed the cap, fund-use results, an approved and a pending veto,
/// and a platform API key with a stored batch.
/// </summary>
public sealed class AdjustmentsDemo(KaoheDbContext db, AuditLog audit)
{
    private static readonly DateTimeOffset At = new(2023, 4, 9, 3, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The seed's 加扣分项 (受到国家部委、自治区党委政府表扬或批评的实行加分或扣分; 重大事故以上实行年度考核"一票否决")
    /// and 资金使用绩效 (看执行资金使用进度进行加分扣分). The seed gives no point values; these are the demo's.
    /// </summary>
    public static IEnumerable<AdjustmentRule> StandardRules(string category, string periodId)
    {
        var order = 0;
        yield return new(category, periodId, "praise-national", AdjustmentRuleKind.Bonus, "国家部委", "受国家部委通报表扬", "praised by a national ministry", 2, order: ++order);
        yield return new(category, periodId, "praise-region", AdjustmentRuleKind.Bonus, "自治区党委、政府", "受自治区党委、政府通报表扬", "praised by the regional Party committee or government", 1, order: ++order);
        yield return new(category, periodId, "praise-dept", AdjustmentRuleKind.Bonus, "自治区有关部门", "受自治区有关部门表扬（按影响程度 0.2–0.5 分）", "praised by a regional department (0.2–0.5 by impact)", 0.5, 0.2, 0.5, order: ++order);
        yield return new(category, periodId, "criticism-national", AdjustmentRuleKind.Deduction, "国家部委", "被国家部委通报批评", "criticised by a national ministry", -2, order: ++order);
        yield return new(category, periodId, "criticism-region", AdjustmentRuleKind.Deduction, "自治区党委、政府", "被自治区党委、政府通报批评", "criticised by the regional Party committee or government", -1, order: ++order);
        if (category is "affiliated" or "divisions")
            yield return new(category, periodId, "fund-use", AdjustmentRuleKind.FundUse, "考核办", "资金使用绩效（按执行资金使用进度加扣分）", "fund-use performance (by spending progress)", 0,
                bands: JsonSerializer.Serialize(new FundUseBand[] { new(35, 1), new(25, 0.5), new(15, 0), new(10, -0.5), new(0, -1) }, FactPayload.Json), order: ++order);
        yield return new(category, periodId, "veto-safety", AdjustmentRuleKind.Veto, "考核办", "安全生产出现重大事故以上（年度考核一票否决）", "a major or worse production-safety accident (annual veto)", 0, order: ++order);
        yield return new(category, periodId, "veto-business", AdjustmentRuleKind.Veto, "考核办", "业务工作出现重大事故以上（年度考核一票否决）", "a major or worse accident in the unit's line of work (annual veto)", 0, order: ++order);
    }

    public sealed record DemoEvent(string Unit, string Category, string Rule, double? Points, string Reason, string? DocumentRef,
        double? Spending = null, string? Approver = "office");

    /// <summary>The demo's 2023-Q1 events. An approver of null leaves the event pending.</summary>
    public static IReadOnlyList<DemoEvent> Q1Events { get; } =
    [
        // 林芝: the seed praises its practices; with the base demo's +2 its bonuses reach 5.5, over the cap of 5.
        new("zj-nyingchi", "housing", "praise-national", 2, "德阳—林芝两地住房公积金“结对子”帮扶经验被住房城乡建设部通报推广（示例）", "建办函〔2023〕示例1号"),
        new("zj-nyingchi", "housing", "praise-region", 1, "“住建领域柔性引进人才组团式援藏”长效机制受自治区通报表扬（示例）", "藏政办示例〔2023〕2号"),
        new("zj-nyingchi", "housing", "praise-dept", 0.5, "消防监管信息化平台建设受自治区有关部门表扬（示例）", null),
        new("zj-shannan", "housing", "praise-region", 1, "农房质量安全提升工作受自治区通报表扬（示例）", "藏政办示例〔2023〕3号"),
        new("zj-qamdo", "housing", "criticism-region", -1, "个别重点项目未及时开复工，被自治区通报批评（示例）", "藏政办示例〔2023〕4号"),
        new("cwc", "divisions", "fund-use", 0.5, "一季度资金执行进度（示例）", null, Spending: 30),
        new("czc", "divisions", "fund-use", -1, "资金使用管理绩效进展缓慢（示例）", null, Spending: 8),
        new("zjzx", "affiliated", "fund-use", 1, "一季度资金执行进度（示例）", null, Spending: 38),
        // The seed's veto applies to the annual assessment: requested by office, approved by office2; one more waits.
        new("zj-ngari", "housing", "veto-safety", null, "辖区在建工程发生重大安全生产事故（示例数据）", "事故调查报告示例〔2023〕1号", Approver: "office2"),
        new("zj-xigaze", "housing", "veto-business", null, "辖区发生房屋坍塌事故，事故等级待核实（示例数据）", null, Approver: null),
    ];

    /// <summary>The engine adjustments the demo's approved Q1 events add to a category (vetoes go to the year).</summary>
    public static IReadOnlyList<Kaohe.Scoring.Adjustment> Q1Adjustments(string category) =>
        [.. Q1Events.Where(e => e.Category == category && e.Points is not null && e.Approver is not null).Select(e => new Kaohe.Scoring.Adjustment(e.Unit, e.Points!.Value, e.Reason))];

    public async Task SeedAsync(string dataDir, bool writeSecrets)
    {
        var periods = await db.Periods.Select(p => p.Id).ToListAsync();
        foreach (var category in Categories.All)
            foreach (var p in periods)
                db.Set<AdjustmentRule>().AddRange(StandardRules(category.Code, p));
        audit.Record("adjustment.rules", "adjustmentRules", "demo", null, new { periods, categories = Categories.All.Select(c => c.Code) });
        await audit.SaveAsync();

        var rules = await db.Set<AdjustmentRule>().Where(r => r.PeriodId == "2023-Q1").ToListAsync();
        AdjustmentRule Rule(string category, string code) => rules.Single(r => r.Category == category && r.Code == code);
        var store = new FileSystemAttachmentStore(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Kaohe:DataDir"] = dataDir }).Build(), TimeProvider.System);

        async Task<AdjustmentEvent> Event(string unit, string category, string code, double? points, string reason, string? docRef, double? spending = null,
            string? approver = "office")
        {
            var rule = Rule(category, code);
            var ev = new AdjustmentEvent(Guid.NewGuid().ToString("N"), "2023-Q1", unit, rule, points, spending, reason, docRef, "office", At);
            db.Set<AdjustmentEvent>().Add(ev);
            var evidence = new List<Attachment>();
            if (rule.Kind != AdjustmentRuleKind.FundUse)
            {
                var pdf = Encoding.UTF8.GetBytes($"%PDF-1.4\n% Kaohe demo evidence (invented): {rule.Code} {unit}\n%%EOF\n");
                var a = await store.SaveAsync(new MemoryStream(pdf), $"{docRef ?? rule.Code}.pdf", "office", AdjustmentService.OwnerKind, ev.Key);
                db.Attachments.Add(a);
                evidence.Add(a);
            }
            if (approver is not null)
            {
                var text = rule.Kind == AdjustmentRuleKind.FundUse
                    ? $"{rule.NameZh}：执行进度 {spending}%，{reason}"
                    : $"{rule.NameZh}（{rule.Source}）：{reason}{(docRef is null ? "" : $"〔{docRef}〕")}";
                var fact = rule.Kind == AdjustmentRuleKind.Veto
                    ? new Fact("2023", unit, null, FactKind.Veto, new FactPayload(Reason: text).ToJson(), FactSources.Office, approver, At.AddHours(2), FactStatus.Verified)
                    : new Fact("2023-Q1", unit, null, FactKind.Adjustment, new FactPayload(Points: points, Reason: text).ToJson(), FactSources.Office, approver, At, FactStatus.Verified);
                db.Facts.Add(fact);
                foreach (var a in evidence) fact.Evidence.Add(a);
                ev.Approve(approver, fact.RecordedAt, rule.Kind == AdjustmentRuleKind.Veto ? "经核实，事故等级为重大，同意实行年度考核一票否决（示例）" : null, fact);
            }
            audit.Record(rule.Kind == AdjustmentRuleKind.Veto ? "veto.request" : "adjustment.record", "adjustment", () => ev.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                null, new { ev.UnitId, rule = rule.Code, ev.Points, ev.Status, source = "demo" }, reason);
            return ev;
        }

        foreach (var e in Q1Events)
            await Event(e.Unit, e.Category, e.Rule, e.Points, e.Reason, e.DocumentRef, e.Spending, e.Approver);
        await audit.SaveAsync();

        await SeedPlatformAsync(dataDir, writeSecrets);
    }

    /// <summary>
    /// 信息归集平台 pushes 经营性自建房排查任务完成率 (C2) for the seven housing bureaus: the base demo's
    /// unit-reported C2 values become one stored platform batch with the same values.
    /// </summary>
    private async Task SeedPlatformAsync(string dataDir, bool writeSecrets)
    {
        var secret = "kh_" + Auth.NewSecret();
        var key = new ApiKey("信息归集平台", secret[..10], Auth.Hash(secret), "C2", "office", At.AddDays(-30));
        db.ApiKeys.Add(key);
        audit.Record("apikey.create", "apikey", () => key.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null, new { key.Name, key.Prefix, key.Indicators, source = "demo" });
        await audit.SaveAsync();
        var reported = await db.Facts.Where(f => f.PeriodId == "2023-Q1" && f.IndicatorId == "C2" && f.Kind == FactKind.Value && f.UnitId.StartsWith("zj-")).ToListAsync();
        foreach (var old in reported)
        {
            db.Facts.Remove(old);
            var p = FactPayload.Parse(old.Payload);
            var recordKey = $"zjf-2023Q1-{old.UnitId}-C2";
            var fact = new Fact("2023-Q1", old.UnitId, "C2", FactKind.Value, new FactPayload(Value: p.Value, Target: p.Target, Note: "信息归集平台 · observedAt 2023-04-05T00:00:00Z").ToJson(),
                FactSources.Platform, $"platform:{key.Name}", At, FactStatus.Submitted, idempotencyKey: PlatformApi.IdempotencyKey(key.Id, recordKey));
            db.Facts.Add(fact);
        }
        audit.Record("platform.batch", "apikey", key.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null, new { period = "2023-Q1", records = reported.Count, source = "demo" });
        await audit.SaveAsync();
        if (writeSecrets)
        {
            var file = Path.Combine(dataDir, "demo-accounts.txt");
            await File.AppendAllLinesAsync(file, [$"# 平台 API 密钥 / platform API key (X-Api-Key) of {key.Name}, indicators {key.Indicators}:", $"apikey\t{secret}"]);
        }
    }
}
