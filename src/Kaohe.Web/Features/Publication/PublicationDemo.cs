using System.Globalization;
using Kaohe.Demo;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Demo;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Schemes;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Publication;

/// <summary>
/// The demo's publication state: 2023-Q1 reviewed and published (one snapshot per category);
/// 2023-Q2 in its review window with appeals; Q2–Q4 data as deterministic variations of Q1's, so
/// that the year rolls up four quarters; the annual weights (4 × 23.75 + 5), the leaders' annual
/// evaluation, a bonus and the seed's example veto on the year. Adds nothing that already exists.
/// </summary>
public sealed class PublicationDemo(KaoheDbContext db, AuditLog audit, ResultsStore store)
{
    public const int Year = 2023;
    public const double QuarterWeight = 23.75;
    public const double LeadershipWeight = 5;
    public static readonly DateTimeOffset Q1PublishedAt = new(2023, 4, 20, 2, 0, 0, TimeSpan.Zero);

    /// <summary>Called with the quarter once a later quarter collects: the demo's key tasks are assessed then (Demo/DemoSeeder.Targets).</summary>
    public Func<int, Task>? QuarterCollecting { get; init; }

    public async Task SeedAsync()
    {
        await SettingsAsync();
        for (var q = 2; q <= 4; q++) await QuarterAsync(q);
        await AnnualFactsAsync();
        await audit.SaveAsync();
        await PublishQ1Async();
        await OpenQ2Async();
    }

    private async Task SettingsAsync()
    {
        foreach (var c in Categories.All)
            if (!await db.Set<AnnualSetting>().AnyAsync(s => s.Year == Year && s.Category == c.Code))
            {
                // 年终考核: four quarters 95% (23.75 each) and the annual leadership evaluation 5% (issue 6, item 9).
                db.Add(new AnnualSetting(Year, c.Code, QuarterWeight, QuarterWeight, QuarterWeight, QuarterWeight, LeadershipWeight));
                audit.Record("annual.setting", "annual", $"{Year}-{c.Code}", null, new { quarters = QuarterWeight, leadership = LeadershipWeight, source = "demo" });
            }
    }

    /// <summary>A stable number in [0, 1) from a key (FNV-1a), so the variations are the same on every run.</summary>
    public static double Noise(string key)
    {
        var h = 2166136261u;
        foreach (var ch in key) { h ^= ch; h *= 16777619u; }
        h ^= h >> 15; h *= 2246822519u; h ^= h >> 13;
        return h / 4294967296.0;
    }

    private async Task QuarterAsync(int q)
    {
        var periodId = $"{Year}-Q{q}";
        var period = await db.Periods.FirstAsync(p => p.Id == periodId);
        var at = new DateTimeOffset(Year, 1, 8, 2, 0, 0, TimeSpan.Zero).AddMonths(3 * q);
        foreach (var s in await db.Schemes.AsNoTracking().Where(s => s.PeriodId == $"{Year}-Q1" && s.Status == SchemeStatus.Active).ToListAsync())
        {
            if (await db.Schemes.AnyAsync(x => x.PeriodId == periodId && x.Category == s.Category)) continue;
            var tree = SchemeService.Parse(s);
            var copy = new Scheme(s.Category, periodId, 1, s.Name.Replace("第一季度", $"第{"一二三四"[q - 1]}季度", StringComparison.Ordinal),
                Schemes.SchemeService.Write(periodId, tree), s.RuleTextsJson, "office", at.AddDays(-40), s.Id);
            copy.Activate(at.AddDays(-38));
            db.Schemes.Add(copy);
            audit.Record("scheme.create", "scheme", () => copy.Id.ToString(CultureInfo.InvariantCulture), null, new { copy.Category, copy.PeriodId, copy.Version, source = "demo" });
        }
        if (!await db.Assignments.AnyAsync(a => a.PeriodId == periodId))
            foreach (var a in await db.Assignments.AsNoTracking().Where(a => a.PeriodId == $"{Year}-Q1").ToListAsync())
                db.Assignments.Add(new Assignment(periodId, a.Kind, a.Assignee, a.UnitId, a.IndicatorId, a.Rater));
        // The target letters' figures of the quarter are there from the start (Features/Targets): they do not make it copied.
        if (await db.Facts.AnyAsync(f => f.PeriodId == periodId && f.Source != FactSources.TargetLetter && f.Source != FactSources.KeyTask)) return;
        // A target letter's figures and the key-task results are the letter's own per quarter (Features/Targets), not copied.
        var q1 = await db.Facts.AsNoTracking().Where(f => f.PeriodId == $"{Year}-Q1" && FactStatuses.Counted.Contains(f.Status)
                && f.Source != FactSources.TargetLetter && f.Source != FactSources.KeyTask)
            .OrderBy(f => f.Id).ToListAsync();
        foreach (var f in q1)
        {
            var key = $"{f.UnitId}/{f.IndicatorId}/{f.Rater}/{q}";
            var p = FactPayload.Parse(f.Payload);
            FactPayload? varied = f.Kind switch
            {
                // Never above the Q1 value: stays within every bound (targets, points, 100%).
                FactKind.Value or FactKind.RaterScore or FactKind.Measure when p.Value is { } v => p with { Value = Vary(v, 0.92 + 0.08 * Noise(key)) },
                FactKind.SurveyTally when p.Counts is { } counts => p with
                {
                    Counts = counts.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value * (0.85 + 0.3 * Noise(key + kv.Key)))),
                },
                FactKind.Finding when Noise(key + f.Id) < 0.25 => null,    // a quarter of the findings were fixed
                _ => p,
            };
            if (varied is null) continue;
            db.Facts.Add(new Fact(periodId, f.UnitId, f.IndicatorId, f.Kind, varied.ToJson(), f.Source, f.Author, at, FactStatus.Verified, f.Rater));
            if (f.Kind == FactKind.Finding && Noise(key + "again" + f.Id) < 0.2)
                db.Facts.Add(new Fact(periodId, f.UnitId, f.IndicatorId, f.Kind, varied.ToJson(), f.Source, f.Author, at, FactStatus.Verified, f.Rater));
        }
        period.MoveTo(PeriodStatus.Collecting);
        audit.Record("demo.quarter", "period", periodId, null, new { copiedFrom = $"{Year}-Q1", facts = "varied" });
        if (QuarterCollecting is { } collecting) await collecting(q);
    }

    private static double Vary(double v, double factor)
    {
        var x = v * factor;
        return Math.Abs(v - Math.Round(v)) < 1e-9 && Math.Abs(v) >= 2 ? Math.Round(x) : Math.Round(x, 4);
    }

    private async Task AnnualFactsAsync()
    {
        // Each part on its own: other demos also record facts on the year (the Adjustments demo's approved veto).
        var yearId = $"{Year}";
        var at = new DateTimeOffset(Year + 1, 1, 10, 2, 0, 0, TimeSpan.Zero);
        var added = new List<string>();
        if (!await db.Facts.AnyAsync(f => f.PeriodId == yearId && f.IndicatorId == ResultsStore.LeadershipLeaf))
        {
            foreach (var u in await db.Units.AsNoTracking().OrderBy(u => u.Id).ToListAsync())
                foreach (var (rater, author) in new[] { ("principal", "leader-principal"), ("in-charge", "leader-incharge") })
                    db.Facts.Add(new Fact(yearId, u.Id, ResultsStore.LeadershipLeaf, FactKind.RaterScore,
                        new FactPayload(Value: Math.Round(78 + 20 * Noise($"{u.Id}/{rater}/annual"), 1)).ToJson(), FactSources.Leader, author, at, FactStatus.Verified, rater));
            added.Add("leadership");
        }
        if (!await db.Facts.AnyAsync(f => f.PeriodId == yearId && f.UnitId == "zj-nyingchi" && f.Kind == FactKind.Adjustment))
        {
            db.Facts.Add(new Fact(yearId, "zj-nyingchi", null, FactKind.Adjustment,
                new FactPayload(Points: 2, Reason: "受住房和城乡建设部通报表扬（示例数据）").ToJson(), FactSources.Office, "office", at, FactStatus.Verified));
            added.Add("bonus");
        }
        var veto = DemoSchemes.AnnualVetoExample;
        if (!await db.Facts.AnyAsync(f => f.PeriodId == yearId && f.UnitId == veto.Unit && f.Kind == FactKind.Veto))
        {
            db.Facts.Add(new Fact(yearId, veto.Unit, null, FactKind.Veto, new FactPayload(Reason: veto.Reason).ToJson(), FactSources.Office, "office", at, FactStatus.Verified));
            added.Add("veto");
        }
        if (added.Count > 0) audit.Record("demo.annual", "period", yearId, null, new { added, veto = veto.Unit });
    }

    private async Task PublishQ1Async()
    {
        const string periodId = "2023-Q1";
        if (await db.Snapshots.AnyAsync(s => s.PeriodId == periodId)) return;
        var period = await db.Periods.FirstAsync(p => p.Id == periodId);
        var window = new ReviewWindow(periodId, new DateOnly(2023, 4, 11), new DateOnly(2023, 4, 18), "office", new DateTimeOffset(2023, 4, 11, 2, 0, 0, TimeSpan.Zero));
        window.Close("office", new DateTimeOffset(2023, 4, 18, 10, 0, 0, TimeSpan.Zero));
        if (!await db.Set<ReviewWindow>().AnyAsync(w => w.PeriodId == periodId)) db.Add(window);
        foreach (var c in Categories.All)
        {
            // Frozen from the results store's draft, as the office publishes.
            var draft = await store.DraftAsync(db, periodId, c.Code);
            if (draft is null || store.ResultForSnapshot(draft) is not { } result) continue;
            var key = $"{periodId}-{c.Code}-v1";
            var doc = SnapshotFile.Create(draft.Assessment!, result, new SnapshotMeta(key, 1, $"{period.Label(false)}{c.NameZh}考核结果", "office", Q1PublishedAt));
            var s = new PublishedSnapshot(key, periodId, c.Code, 1, doc, SnapshotFile.Sha256(KaoheFile.Write(draft.Assessment!)),
                SnapshotFile.Sha256(KaoheFile.WriteResult(result)), "office", Q1PublishedAt, null, null);
            db.Snapshots.Add(s);
            audit.Record("snapshot.publish", "snapshot", key, null, new { key, s.InputSha256, s.ResultSha256, source = "demo" });
        }
        period.MoveTo(PeriodStatus.Published);
        await audit.SaveAsync();
    }

    private async Task OpenQ2Async()
    {
        const string periodId = "2023-Q2";
        if (await db.Set<ReviewWindow>().AnyAsync(w => w.PeriodId == periodId)) return;
        var period = await db.Periods.FirstAsync(p => p.Id == periodId);
        db.Add(new ReviewWindow(periodId, new DateOnly(2023, 7, 11), new DateOnly(2023, 7, 18), "office", new DateTimeOffset(2023, 7, 11, 2, 0, 0, TimeSpan.Zero)));
        period.MoveTo(PeriodStatus.Review);
        // A5 重点项目开复工率 is derived (started / due): the appeal contests the base figure it comes from, the number of projects started.
        var started = await db.Facts.AsNoTracking().FirstOrDefaultAsync(f => f.PeriodId == periodId && f.UnitId == "zj-lasa" && f.Kind == FactKind.Measure && f.IndicatorId == "started");
        db.Add(new Appeal(periodId, "housing", "zj-lasa", "A5", started?.Id,
            "第二季度实际已开（复）工重点项目比填报数多1个（拉萨市XX保障性住房项目6月28日已复工），附施工许可和复工报告，请予更正。",
            "unit-zj-lasa", new DateTimeOffset(2023, 7, 12, 3, 0, 0, TimeSpan.Zero)));
        var finding = await db.Facts.AsNoTracking().Where(f => f.PeriodId == periodId && f.UnitId == "zj-nyingchi" && f.Kind == FactKind.Finding).OrderBy(f => f.Id).FirstOrDefaultAsync();
        var rejected = new Appeal(periodId, "housing", "zj-nyingchi", finding?.IndicatorId, finding?.Id,
            "该问题已于检查当日整改完毕，请求不予扣分。", "unit-zj-nyingchi", new DateTimeOffset(2023, 7, 12, 5, 0, 0, TimeSpan.Zero));
        rejected.Decide(false, "检查时问题客观存在，当日整改不改变扣分事实；整改情况纳入问题整改台账跟踪。", "office", new DateTimeOffset(2023, 7, 14, 2, 0, 0, TimeSpan.Zero));
        db.Add(rejected);
        audit.Record("review.open", "period", periodId, null, new { opensOn = "2023-07-11", closesOn = "2023-07-18", source = "demo" });
        await audit.SaveAsync();
    }
}
