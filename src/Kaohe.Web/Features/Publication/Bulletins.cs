using System.Globalization;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Publication;

/// <summary>The weaknesses found in a period (短板弱项) and what the units must rectify, for the bulletin.</summary>
public sealed record BulletinRectification(IReadOnlyList<string> Weaknesses, IReadOnlyList<string> Requirements);

/// <summary>
/// Where the bulletin's sections on weaknesses and required rectification come from. The default
/// aggregates the period's deductions (findings and negative adjustments); the rectification ledger
/// (Features/Rectification) can register its own implementation to list its items instead.
/// </summary>
public interface IBulletinRectificationSource
{
    Task<BulletinRectification> GetAsync(string periodId, CancellationToken ct = default);
}

/// <summary>Weaknesses aggregated from the counted findings and negative adjustments of the period, by indicator.</summary>
public sealed class DeductionRectificationSource(KaoheDbContext db) : IBulletinRectificationSource
{
    public async Task<BulletinRectification> GetAsync(string periodId, CancellationToken ct = default)
    {
        // One streamed pass over the period's counted findings and adjustments (55,000 at national scale),
        // in the order they were recorded; only what the two sections print is kept.
        var findings = new Dictionary<string, (int Count, List<string> Units, HashSet<string> SeenUnits, List<string> Notes)>(StringComparer.Ordinal);
        var deductionUnits = new List<string>();
        var deductionKinds = new List<string>();
        var deductionCount = 0;
        var query = db.Facts.AsNoTracking()
            .Where(f => f.PeriodId == periodId && FactStatuses.Counted.Contains(f.Status) && (f.Kind == FactKind.Finding || f.Kind == FactKind.Adjustment))
            .OrderBy(f => f.Id)
            .Select(f => new { f.UnitId, f.IndicatorId, f.Kind, f.Payload });
        await DbRows.ForEachAsync(db, query, r =>
        {
            var unit = r.GetString(0);
            var payload = FactPayload.Parse(r.GetString(3));
            if (Enum.Parse<FactKind>(r.GetString(2)) == FactKind.Finding)
            {
                var key = r.StringOrNull(1) ?? "";
                if (!findings.TryGetValue(key, out var g)) findings[key] = g = (0, [], new(StringComparer.Ordinal), []);
                if (g.SeenUnits.Add(unit)) g.Units.Add(unit);
                if (g.Notes.Count < 3 && payload.Note is { } note && !string.IsNullOrWhiteSpace(note) && !note.StartsWith("问题 ", StringComparison.Ordinal)
                    && !g.Notes.Contains(note))
                    g.Notes.Add(note);
                findings[key] = g with { Count = g.Count + 1 };
            }
            else if ((payload.Points ?? 0) < 0)
            {
                deductionCount++;
                if (!deductionUnits.Contains(unit)) deductionUnits.Add(unit);
                if (Kind(payload.Reason) is { } kind && !deductionKinds.Contains(kind)) deductionKinds.Add(kind);
            }
        }, ct);
        var names = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        var indicatorNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var s in await db.Schemes.AsNoTracking().Where(s => s.PeriodId == periodId && s.Status == SchemeStatus.Active).ToListAsync(ct))
            if (SchemeService.Parse(s).Indicators is { } tree) Collect(tree, indicatorNames);
        var weaknesses = new List<string>();
        foreach (var (indicator, g) in findings.OrderByDescending(g => g.Value.Count).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            var units = g.Units.Select(u => names.GetValueOrDefault(u, u)).Distinct().ToList();
            weaknesses.Add($"{indicatorNames.GetValueOrDefault(indicator, indicator)}：发现问题{g.Count}处，涉及{string.Join("、", units.Take(5))}{(units.Count > 5 ? $"等{units.Count}个单位" : "")}" +
                (g.Notes.Count > 0 ? $"（如{string.Join("；", g.Notes)}）" : "") + "。");
        }
        // Summarised like the findings above, by kind and unit: the deductions' own texts (with their document
        // numbers) are in the results' explanations, and quoting them here repeated example wording (issue 18).
        if (deductionCount > 0)
        {
            var units = deductionUnits.Select(u => names.GetValueOrDefault(u, u)).ToList();
            weaknesses.Add($"扣分事项：共{deductionCount}项，涉及{string.Join("、", units.Take(5))}{(units.Count > 5 ? $"等{units.Count}个单位" : "")}" +
                (deductionKinds.Count > 0 ? $"（{string.Join("、", deductionKinds.Take(5))}）" : "") + "。");
        }
        return new BulletinRectification(weaknesses,
        [
            "各单位要对照考核发现的问题，逐项建立问题整改台账，明确责任人、时间表、路线图，确保按期整改到位。",
            "被通报批评的单位要作表态发言，深刻剖析原因，制定整改措施，整改情况按期报厅考核办。",
        ]);
    }

    /// <summary>The kind of a deduction: its rule's name, the text before the source "（…）" or the "：" (AdjustmentService writes "{rule}（{source}）：{reason}〔{document}〕").</summary>
    private static string? Kind(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) return null;
        var end = reason.IndexOfAny(['（', '：']);
        var kind = (end >= 0 ? reason[..end] : reason).Trim();
        return kind.Length is > 0 and <= 30 ? kind : null;
    }

    private static void Collect(IEnumerable<Indicator> nodes, Dictionary<string, string> names)
    {
        foreach (var n in nodes)
        {
            names.TryAdd(n.Id, n.Name);
            Collect(n.ChildList, names);
        }
    }
}

/// <summary>The period's results per category for the bulletin: the latest published snapshot where there is one, the draft otherwise.</summary>
public sealed record PeriodCategoryResult(string Category, string Name, ResultsView View)
{
    public Assessment Input => View.Assessment!;
    public IReadOnlyList<UnitResult> Units => View.Units;
    public SnapshotInfo? Snapshot => View.Published;
}

/// <summary>Builds the 考核通报 of a period: results, the office's narrative (defaults from the data) and the rectification source.</summary>
public sealed class Bulletins(KaoheDbContext db, ResultsStore store, ResultsAccess access, IBulletinRectificationSource rectification, AuditLog audit, TimeProvider clock, OfficeTime office)
{
    public const string Issuer = "自治区住房和城乡建设厅";
    public const string Addressees = "各地（市）住房和城乡建设局、城市管理局，厅属各单位、机关各处室";

    /// <summary>
    /// Every category's results from the results store (the published snapshot as stored, else the draft), of
    /// the categories the reader (role and unit; null: the office) may see in full now (<see cref="ResultsAccess"/>).
    /// </summary>
    public async Task<IReadOnlyList<PeriodCategoryResult>> ResultsAsync(string periodId, (string Role, string? Unit)? reader = null, CancellationToken ct = default)
    {
        var list = new List<PeriodCategoryResult>();
        foreach (var c in Categories.All)
        {
            if (reader is { } r && !(await access.RowsAsync(r.Role, r.Unit, periodId, c.Code, null, ct)).All) continue;
            var view = await store.CurrentAsync(db, periodId, c.Code, ct);
            if (view is { Scored: true, Assessment: not null }) list.Add(new(c.Code, c.NameZh, view));
        }
        return list;
    }

    /// <summary>The narrative: the office's stored text, or defaults generated from the results.</summary>
    public async Task<BulletinNarrative> NarrativeAsync(Period period, IReadOnlyList<PeriodCategoryResult> results, CancellationToken ct = default)
    {
        var stored = await db.Set<BulletinNarrative>().AsNoTracking().FirstOrDefaultAsync(n => n.PeriodId == period.Id, ct);
        if (stored is not null) return stored;
        var rect = await rectification.GetAsync(period.Id, ct);
        var units = results.Sum(r => r.Units.Count);
        var overview = $"根据《地市住建局、城管局、厅属单位和机关处室目标责任考核办法（试行）》，厅考核办组织开展了{period.Label(false)}目标责任考核，" +
            $"采取实地考核、定量考核、分类考核和大数据考核相结合的方式，对{string.Join("、", results.Select(r => r.Name))}共{units}个被考核对象进行了考核。现将考核情况通报如下。";
        var practices = results.Select(r => r.Units.Where(u => u.Commended).OrderBy(u => u.Rank).FirstOrDefault() is { } top
            ? $"{top.Name}：在{r.Name}考核中综合得分{Ui.Fmt(top.Total, r.Input.Rules.RankDecimals)}分，位居前列，工作举措扎实、成效明显，请作经验交流。" : null).OfType<string>();
        return new BulletinNarrative(period.Id)
        {
            DocumentNumber = $"藏建考〔{period.Year}〕{period.Quarter ?? 5}号",
            Overview = overview,
            GoodPractices = string.Join("\n", practices),
            Weaknesses = string.Join("\n", rect.Weaknesses),
            Rectification = string.Join("\n", rect.Requirements),
        };
    }

    public async Task SaveNarrativeAsync(string periodId, string documentNumber, string overview, string practices, string weaknesses, string rectificationText, CancellationToken ct = default)
    {
        var n = await db.Set<BulletinNarrative>().FirstOrDefaultAsync(x => x.PeriodId == periodId, ct);
        var old = n is null ? null : new { n.DocumentNumber, n.Overview, n.GoodPractices, n.Weaknesses, n.Rectification };
        if (n is null) db.Add(n = new BulletinNarrative(periodId));
        n.DocumentNumber = documentNumber.Trim();
        n.Overview = overview.Trim();
        n.GoodPractices = practices.Trim();
        n.Weaknesses = weaknesses.Trim();
        n.Rectification = rectificationText.Trim();
        n.UpdatedBy = audit.Actor;
        n.UpdatedAt = clock.GetUtcNow();
        audit.Record("bulletin.narrative", "period", periodId, old, new { n.DocumentNumber, n.Overview, n.GoodPractices, n.Weaknesses, n.Rectification });
        await audit.SaveAsync(ct);
    }

    public static IReadOnlyList<string> Lines(string text) =>
        [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];

    public async Task<BulletinContent?> ContentAsync(string periodId, (string Role, string? Unit)? reader = null, CancellationToken ct = default)
    {
        var period = await db.Periods.AsNoTracking().FirstOrDefaultAsync(p => p.Id == periodId, ct);
        if (period is null) return null;
        var results = await ResultsAsync(periodId, reader, ct);
        var n = await NarrativeAsync(period, results, ct);
        var names = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        var categories = results.Select(r => new BulletinCategory(r.Name, r.Units.GroupBy(u => u.Group)
            .Select(g => new BulletinGroup(g.Key, [.. g.OrderBy(u => u.Rank).Select(u => new BulletinRow(u.Rank, u.Name, u.Total, u.Grade, u.Commended, u.Criticized, u.Vetoed))]))
            .ToList())).ToList();
        var date = results.Select(r => r.Snapshot?.PublishedAt).Where(d => d is not null).Max() ?? clock.GetUtcNow();
        var practices = Lines(n.GoodPractices).Select(l => l.IndexOf('：') is var i and > 0 ? new GoodPractice(l[..i], l[(i + 1)..]) : new GoodPractice("", l)).ToList();
        return new BulletinContent(Issuer, n.DocumentNumber, $"关于{period.Label(false)}目标责任考核情况的通报",
            office.Date(date), Addressees, Lines(n.Overview), categories, practices,
            Lines(n.Weaknesses), Lines(n.Rectification), results.FirstOrDefault()?.Input.Rules.RankDecimals ?? 2);
    }
}

/// <summary>The bulletin and the scores workbook as downloads, written to a temporary file and streamed from it (never held in memory twice).</summary>
public static class BulletinDownloads
{
    public const string Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    public const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static void MapBulletinDownloads(this RouteGroupBuilder api)
    {
        api.MapGet("/periods/{period}/bulletin.docx", Bulletin).RequireAuthorization(Policies.Staff).ProducesFile(Docx).ProducesFailures(FailureKind.Forbidden, FailureKind.NotFound).WithSummary("考核通报 .docx / the results bulletin");
        api.MapGet("/periods/{period}/scores.xlsx", Workbook).RequireAuthorization(Policies.Staff).ProducesFile(Xlsx).ProducesFailures(FailureKind.Forbidden, FailureKind.NotFound).WithSummary("全部得分 .xlsx / the workbook of all scores");
    }

    private static FileStream Temp() => new(Path.Combine(Path.GetTempPath(), "kaohe-" + Guid.NewGuid().ToString("N")), FileMode.CreateNew, FileAccess.ReadWrite,
        FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);

    /// <summary>The bulletin goes to every unit once issued: staff who see results always, units once the period has a published snapshot.</summary>

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Bulletin(string period, System.Security.Claims.ClaimsPrincipal user, KaoheDbContext db, Bulletins bulletins, CancellationToken ct)
    {
        if (!await ResultReaders.MayReadBulletinAsync(user, period, db)) return Problems.Forbidden("通报公布前无权下载", "the bulletin is not issued yet");
        var content = await bulletins.ContentAsync(period, (user.Role(), user.UnitId()), ct);
        if (content is null) return Problems.NotFound($"考核期 {period} 不存在", $"period {period} does not exist");
        var file = Temp();
        BulletinDocument.Write(content, file);
        file.Position = 0;
        return TypedResults.File(file, Docx, $"考核通报-{period}.docx");
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Workbook(string period, System.Security.Claims.ClaimsPrincipal user, KaoheDbContext db, Bulletins bulletins, CancellationToken ct)
    {
        if (!await ResultReaders.MayReadBulletinAsync(user, period, db)) return Problems.Forbidden("通报公布前无权下载", "the bulletin is not issued yet");
        if (!await db.Periods.AnyAsync(p => p.Id == period, ct)) return Problems.NotFound($"考核期 {period} 不存在", $"period {period} does not exist");
        var results = await bulletins.ResultsAsync(period, (user.Role(), user.UnitId()), ct);
        var file = Temp();
        ScoresWorkbook.Write(file, period, [.. results.Select(r => new CategoryResult(r.Name, r.Input, r.Units))]);
        file.Position = 0;
        return TypedResults.File(file, Xlsx, $"考核得分-{period}.xlsx");
    }
}
