using System.Reflection;
using Kaohe.Data;
using Microsoft.EntityFrameworkCore;
using DbSurveyResponse = Kaohe.Data.SurveyResponse;

namespace Kaohe.Generate;

/// <summary>
/// The survey and rectification rows of the national dataset (issue 9, item 1; here at national scale,
/// the small scale has the same shape with fewer rows): the 1,000,000 answers
/// of the workload's public-satisfaction survey as responses of 2023-Q1 (one site per unit, half
/// scanned from QR codes with single-use tokens stored as <see cref="SurveyTokens.Hash"/>, half
/// entered from paper), so that they tally exactly to the quarter's survey facts; and 50,000
/// rectification items over the four quarters with a mix of sources, severities and statuses, a
/// responsible person and deadline each, and a two-step roadmap on every fifth.
/// </summary>
public static class NationalExtras
{
    private const string SurveyPeriod = "2023-Q1";

    public static async Task<long> SurveysAsync(KaoheDbContext db, NationalWorkload w, DateTimeOffset at, IGenerationProgress progress, CancellationToken ct = default)
    {
        var options = NationalWorkload.SurveyOptions;
        var question = new Question("housing", Texts.Zh("您对本单位住房和城乡建设工作是否满意？", "Are you satisfied with this bureau's housing and construction work?"),
            Questionnaire.DefaultOptions);
        var questionnaire = new Questionnaire("national-satisfaction", Texts.Zh("群众满意度调查表", "Public satisfaction survey"),
            Texts.Zh("请您根据亲身感受作答。本问卷匿名。", "Please answer from your own experience. Anonymous."), [question]);
        var row = new SurveyQuestionnaire(SurveyPeriod, NationalDatabase.Category, NationalWorkload.SurveyLeafId, 1, "群众满意度调查表", "[\"zh\"]",
            SurveyDocuments.ToJson(questionnaire), "generated", "office", at.AddDays(-30));
        row.Activate();
        db.Add(row);

        var unitCount = w.Scale.Units;
        var perUnit = new int[unitCount];
        foreach (var r in w.Responses) perUnit[r.Unit]++;
        var sites = new SurveySite[unitCount];
        for (var u = 0; u < sites.Length; u++)
        {
            sites[u] = new SurveySite(SurveyPeriod, NationalWorkload.UnitId(u), $"第{u + 1}号被考核单位调查点", $"S{u:0000}", perUnit[u], u + 1);
            db.Add(sites[u]);
        }
        await db.SaveChangesAsync(ct);

        // Every other answer came in through a QR code (one token each), the rest from paper sheets.
        var webPerUnit = new int[sites.Length];
        for (var i = 0; i < w.Responses.Length; i += 2) webPerUnit[w.Responses[i].Unit]++;
        var batches = new SurveyBatch[sites.Length];
        for (var u = 0; u < sites.Length; u++)
        {
            batches[u] = new SurveyBatch(sites[u].Id, sites[u].TakeSerials(Math.Max(1, webPerUnit[u])), Math.Max(1, webPerUnit[u]), 20,
                "generated: tokens are random, not derived", "office", at.AddDays(-25));
            db.Add(batches[u]);
        }
        await db.SaveChangesAsync(ct);

        var serial = new int[sites.Length];
        var tokens = new List<SurveyToken>(w.Responses.Length / 2 + 1);
        var answeredAt = new List<DateTimeOffset>(tokens.Capacity);
        var rng = new Random(20232);
        for (var i = 0; i < w.Responses.Length; i += 2)
        {
            var u = w.Responses[i].Unit;
            var t = new SurveyToken(SurveyTokens.Hash(SurveyTokens.New()), sites[u].Id, batches[u].Id, batches[u].FirstSerial + serial[u]++);
            var when = at.AddDays(-20).AddSeconds(rng.Next(20 * 24 * 3600));
            t.MarkUsed(when);
            tokens.Add(t);
            answeredAt.Add(when);
        }
        long total = w.Responses.Length + tokens.Count;
        await BulkInsert.RunAsync(db, tokens, n => progress.Report("问卷码 / survey tokens", n, total), ct);
        var tokenIds = await db.Set<SurveyToken>().AsNoTracking().OrderBy(t => t.Id).Select(t => t.Id).ToListAsync(ct);
        if (tokenIds.Count != tokens.Count) throw new InvalidOperationException("survey tokens were not all stored");

        var paperSerial = new int[sites.Length];
        IEnumerable<DbSurveyResponse> Responses()
        {
            for (var i = 0; i < w.Responses.Length; i++)
            {
                var r = w.Responses[i];
                var answers = SurveyDocuments.AnswersJson(new SurveyAnswers(new Dictionary<string, string> { [question.Id] = options[r.Option].Id }));
                yield return i % 2 == 0
                    ? new DbSurveyResponse(sites[r.Unit].Id, row.Id, answers, SurveyChannels.Web, tokenIds[i / 2], null, Texts.Chinese, answeredAt[i / 2], null, null)
                    : new DbSurveyResponse(sites[r.Unit].Id, row.Id, answers, SurveyChannels.Paper, null, $"P{++paperSerial[r.Unit]:00000}", Texts.Chinese,
                        at.AddDays(-3), null, "office");
            }
        }
        var written = await BulkInsert.RunAsync(db, Responses(), n => progress.Report("问卷 / survey responses", tokens.Count + n, total), ct);
        await MarkTalliesAsync(db, w, row, question, sites, at, ct);
        progress.Report("问卷 / survey responses", total, total);
        return written;
    }

    /// <summary>
    /// The mark 更新统计 leaves (<see cref="SurveyTallyMark"/>): what it counted, per site and questionnaire version, and the
    /// stamp of the answers counted (their number and highest id). /Surveys after a start then adds only the answers
    /// above that id to these counts instead of reading the million answers again. Counted here from the workload,
    /// as the tally counts a sheet: the first scored question's options, each answer to a scored question adding one.
    /// </summary>
    private static async Task MarkTalliesAsync(KaoheDbContext db, NationalWorkload w, SurveyQuestionnaire row, Question question, SurveySite[] sites,
        DateTimeOffset at, CancellationToken ct)
    {
        var options = NationalWorkload.SurveyOptions;
        var counts = new Dictionary<(int Site, int Version), Dictionary<string, double>>();
        foreach (var r in w.Responses)
        {
            var key = (sites[r.Unit].Id, row.Id);
            if (!counts.TryGetValue(key, out var c))
                counts[key] = c = question.Scored ? question.Options.ToDictionary(o => o.Id, _ => 0.0, StringComparer.Ordinal) : [];
            if (question.Scored && c.TryGetValue(options[r.Option].Id, out var n)) c[options[r.Option].Id] = n + 1;
        }
        var siteIds = sites.Select(s => s.Id).ToList();
        var stamp = await db.Set<DbSurveyResponse>().AsNoTracking().Where(r => siteIds.Contains(r.SiteId))
            .GroupBy(_ => 1).Select(g => new { Count = g.Count(), Max = g.Max(r => r.Id) }).FirstAsync(ct);
        if (stamp.Count != w.Responses.Length) throw new InvalidOperationException($"survey responses: {stamp.Count} stored of {w.Responses.Length}");
        var versions = await db.Set<SurveyQuestionnaire>().AsNoTracking().ToListAsync(ct);
        db.Add(new SurveyTallyMark(SurveyPeriod, stamp.Count, stamp.Max, TallyMarks.Versions(versions), TallyMarks.CountsJson(counts), at));
        await db.SaveChangesAsync(ct);
    }

    public static async Task<(long Items, long Milestones)> RectificationAsync(KaoheDbContext db, IReadOnlyList<Period> quarters, WorkloadScale scale, IGenerationProgress progress, CancellationToken ct = default)
    {
        var rng = new Random(20233);
        string[] problems =
        [
            "施工现场安全防护措施不到位", "重点项目开复工进度滞后于计划", "建筑领域信访事项办理超期", "质量安全监督抽查发现问题未闭环",
            "营商环境事项办理时限超出承诺", "中央环保督查反馈问题整改进度滞后", "城市道路附属设施破损未及时修复", "信息报送不及时、数据不准确",
        ];
        string[] surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "次仁", "扎西", "普布", "格桑", "达瓦"];
        string[] given = ["建国", "卓玛", "明", "丹增", "海燕", "旺堆", "志强", "央金", "伟", "拉姆"];
        string[] kinds = [ItemSources.Deduction, ItemSources.Inspection, ItemSources.Manual, ItemSources.Ranking];
        var (unitCount, count) = (scale.Units, scale.RectificationItems);
        var items = new List<RectificationItem>(count);
        for (var i = 0; i < count; i++)
        {
            var q = quarters[i % quarters.Count];
            var raised = new DateTimeOffset(q.EndsOn.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(10 + rng.Next(20));
            var kind = kinds[rng.Next(kinds.Length)];
            var severity = rng.NextDouble() switch { < 0.7 => Severities.General, < 0.93 => Severities.Serious, _ => Severities.Major };
            var unit = NationalWorkload.UnitId(rng.Next(unitCount));
            var item = new RectificationItem(unit, q.Id, $"{problems[rng.Next(problems.Length)]}（第{i + 1}项）", kind,
                kind == ItemSources.Manual ? null : $"generated:{i + 1}", kind == ItemSources.Ranking ? null : $"L{1 + rng.Next(60):00}", severity,
                $"{surnames[rng.Next(surnames.Length)]}{given[rng.Next(given.Length)]}", DateOnly.FromDateTime(raised.UtcDateTime).AddDays(30 + rng.Next(60)),
                raised, "office");
            // Status mix: 30% open, 30% in progress, 10% awaiting verification, 30% closed (销号).
            var s = rng.NextDouble();
            if (s >= 0.3) item.MoveTo(ItemStatus.InProgress, raised.AddDays(2));
            if (s >= 0.6) item.MoveTo(ItemStatus.SubmittedForVerification, raised.AddDays(20 + rng.Next(20)));
            if (s >= 0.7) item.MoveTo(ItemStatus.Closed, raised.AddDays(45 + rng.Next(20)));
            items.Add(item);
        }
        long total = count + count / 5 * 2;
        var n = await BulkInsert.RunAsync(db, items, k => progress.Report("整改事项 / rectification items", k, total), ct);
        var ids = await db.RectificationItems.AsNoTracking().OrderBy(x => x.Id).Select(x => x.Id).ToListAsync(ct);
        if (ids.Count != items.Count) throw new InvalidOperationException("rectification items were not all stored");
        var itemId = typeof(Milestone).GetProperty(nameof(Milestone.RectificationItemId), BindingFlags.Public | BindingFlags.Instance)!;
        IEnumerable<Milestone> Roadmaps()
        {
            for (var i = 0; i < items.Count; i += 5)
            {
                var it = items[i];
                var plan = new Milestone("制定整改方案", DateOnly.FromDateTime(it.RaisedAt.UtcDateTime).AddDays(7));
                var done = new Milestone("完成整改并提交佐证材料", it.Deadline);
                foreach (var m in new[] { plan, done })
                {
                    itemId.SetValue(m, ids[i]);
                    if (it.Status == ItemStatus.Closed || (m == plan && it.Status != ItemStatus.Open)) m.Complete(it.RaisedAt.AddDays(m == plan ? 5 : 40));
                    yield return m;
                }
            }
        }
        var milestones = await BulkInsert.RunAsync(db, Roadmaps(), k => progress.Report("整改事项 / rectification items", n + k, total), ct);
        progress.Report("整改事项 / rectification items", total, total);
        return (n, milestones);
    }
}
