using System.Globalization;
using Kaohe.Scoring.FileFormat;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Features.Surveys;
using Kaohe.Web.Features.Targets;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Periods;

/// <summary>What setting up a period copied (or would copy) from the previous one.</summary>
public sealed record PeriodCopy(string From, string To, string ToLabel, DateOnly ReportDeadline, int Schemes, int Assignments, int Questionnaires, int SurveySites, int SurveyQuota, int AdjustmentRules);

/// <summary>A refusal naming the field it is about (from, period, deadline), in both languages.</summary>
public sealed record PeriodOutcome(PeriodCopy? Copy, Failure? Failure)
{
    public static implicit operator PeriodOutcome(PeriodCopy c) => new(c, null);
    public static implicit operator PeriodOutcome(Failure f) => new(null, f);
}

/// <summary>
/// 考核期设置: the office opens the next quarter from the previous one — same schemes (as drafts, to
/// change before publishing), the same 多方评 assignments, the same survey questionnaire and sites
/// with their quotas, the same 加扣分 rule table — and then publishes it, which activates its schemes
/// and starts collection (数据收集中). Everything is audited and saved in one transaction.
/// </summary>
public sealed class PeriodSetup(KaoheDbContext db, AuditLog audit, TimeProvider clock, SurveyService surveys, TargetLetterService letters)
{
    public static string NextId(Period p) => p.Quarter is { } q ? q == 4 ? $"{p.Year + 1}-Q1" : $"{p.Year}-Q{q + 1}" : "";

    /// <summary>The quarter the next one is usually set up from: the latest quarter that has an active scheme.</summary>
    public async Task<Period?> LatestSourceAsync(CancellationToken ct = default)
    {
        var withSchemes = await db.Schemes.AsNoTracking().Where(s => s.Status == SchemeStatus.Active).Select(s => s.PeriodId).Distinct().ToListAsync(ct);
        var periods = await db.Periods.AsNoTracking().Where(p => p.Kind == PeriodKind.Quarter && withSchemes.Contains(p.Id)).ToListAsync(ct);
        return periods.OrderByDescending(p => p.Year).ThenByDescending(p => p.Quarter).FirstOrDefault();
    }

    /// <summary>What <see cref="CreateNextAsync"/> would do, without doing it.</summary>
    public Task<PeriodOutcome> PreviewAsync(string? from, DateOnly? deadline, CancellationToken ct = default) => RunAsync(from, deadline, false, ct);

    public Task<PeriodOutcome> CreateNextAsync(string? from, DateOnly? deadline, CancellationToken ct = default) => RunAsync(from, deadline, true, ct);

    private async Task<PeriodOutcome> RunAsync(string? from, DateOnly? deadline, bool apply, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(from)) return new Failure(FailureKind.Invalid, "from：请选择上一考核期", "from: choose the previous period", "from");
        var source = await db.Periods.AsNoTracking().FirstOrDefaultAsync(p => p.Id == from, ct);
        if (source is null) return new Failure(FailureKind.NotFound, $"from：考核期“{from}”不存在", $"from: period \"{from}\" does not exist", "from");
        if (source.Quarter is null) return new Failure(FailureKind.Invalid, $"from：“{from}”是年度考核期，请选择季度", $"from: \"{from}\" is an annual period; choose a quarter", "from");
        var schemes = await db.Schemes.AsNoTracking().Where(s => s.PeriodId == source.Id && s.Status == SchemeStatus.Active).OrderBy(s => s.Category).ToListAsync(ct);
        if (schemes.Count == 0)
            return new Failure(FailureKind.Invalid, $"from：{source.Label(false)}没有已启用的考核方案，无可复制", $"from: {source.Label(true)} has no active scheme to copy", "from");

        var toId = NextId(source);
        var year = source.Quarter == 4 ? source.Year + 1 : source.Year;
        var quarter = source.Quarter == 4 ? 1 : source.Quarter.Value + 1;
        var target = await db.Periods.FirstOrDefaultAsync(p => p.Id == toId, ct);
        if (target is not null && await db.Schemes.AnyAsync(s => s.PeriodId == toId, ct))
            return new Failure(FailureKind.Conflict, $"period：{target.Label(false)}已有考核方案，不能再次从上一期复制", $"period: {target.Label(true)} already has schemes; it cannot be copied into again", "period");
        if (target is not null && target.Status != PeriodStatus.Planned)
            return new Failure(FailureKind.Conflict, $"period：{target.Label(false)}已经开始（{Labels.Of(target.Status)}）", $"period: {target.Label(true)} has already started", "period");
        var next = target ?? new Period(year, quarter, new DateOnly(year, 3 * quarter, 1).AddMonths(1).AddDays(9));
        var due = deadline ?? next.ReportDeadline;
        if (due <= next.EndsOn.AddDays(-31) || due > next.EndsOn.AddDays(60))
            return new Failure(FailureKind.Invalid, $"deadline：填报截止日期须在{next.EndsOn:yyyy-MM-dd}前后（季度最后一个月至季度结束后 60 天内）",
                $"deadline: the report deadline must fall between the quarter's last month and 60 days after it ends ({next.EndsOn:yyyy-MM-dd})", "deadline");

        var assignments = await db.Assignments.AsNoTracking().Where(a => a.PeriodId == source.Id).ToListAsync(ct);
        var questionnaires = await db.Set<SurveyQuestionnaire>().AsNoTracking().Where(q => q.PeriodId == source.Id && q.Status == QuestionnaireStatus.Active).ToListAsync(ct);
        var sites = await db.Set<SurveySite>().AsNoTracking().Where(s => s.PeriodId == source.Id).OrderBy(s => s.Order).ToListAsync(ct);
        var rules = await db.Set<AdjustmentRule>().AsNoTracking().Where(r => r.PeriodId == source.Id).OrderBy(r => r.Category).ThenBy(r => r.Order).ToListAsync(ct);
        var summary = new PeriodCopy(source.Id, next.Id, next.Label(Ui.IsEnglish), due, schemes.Count, assignments.Count, questionnaires.Count, sites.Count, sites.Sum(s => s.Quota), rules.Count);
        if (!apply) return summary;

        var now = clock.GetUtcNow();
        if (target is null)
        {
            db.Periods.Add(next);
            audit.Record("period.create", "period", next.Id, null, new { next.Id, next.ReportDeadline, from = source.Id });
        }
        if (due != next.ReportDeadline)
        {
            var old = next.ReportDeadline;
            next.SetDeadline(due);
            if (target is not null) audit.Record("period.deadline", "period", next.Id, old, due);
        }
        foreach (var s in schemes)
        {
            var tree = SchemeService.Parse(s);
            var copy = new Scheme(s.Category, next.Id, 1, s.Name.Replace(source.Label(false), next.Label(false), StringComparison.Ordinal),
                SchemeService.Write(next.Id, tree), s.RuleTextsJson, audit.Actor, now, s.Id);
            db.Schemes.Add(copy);
            audit.Record("scheme.clone", "scheme", () => copy.Id.ToString(CultureInfo.InvariantCulture), new { from = s.Id }, new { copy.Category, copy.PeriodId, copy.Version, copy.Name });
        }
        foreach (var a in assignments) db.Assignments.Add(new Assignment(next.Id, a.Kind, a.Assignee, a.UnitId, a.IndicatorId, a.Rater));
        foreach (var q in questionnaires)
        {
            // A new client-hash key: answers of two periods cannot be linked (see SurveyQuestionnaire).
            var copy = new SurveyQuestionnaire(next.Id, q.Category, q.IndicatorId, 1, q.Title, q.LanguagesJson, q.Document, surveys.NewProtectedSecret(), audit.Actor, now);
            copy.Activate();
            db.Add(copy);
        }
        foreach (var s in sites) db.Add(new SurveySite(next.Id, s.UnitId, s.Place, s.Code, s.Quota, s.Order));
        foreach (var r in rules)
            db.Add(new AdjustmentRule(r.Category, next.Id, r.Code, r.Kind, r.Source, r.NameZh, r.NameEn, r.Points, r.MinPoints, r.MaxPoints, r.Bands, r.Order));
        audit.Record("period.copy", "period", next.Id, null, summary);
        await audit.SaveAsync(ct);
        // The year's letters, issued before this quarter existed, set its targets now (docs/targets.md).
        await letters.WriteIssuedTargetsAsync(next.Year, next.Quarter!.Value, ct);
        return summary;
    }

    /// <summary>发布考核期: validates and activates each category's latest draft scheme, then starts collection.</summary>
    public async Task<Failure?> PublishAsync(string periodId, CancellationToken ct = default)
    {
        var period = await db.Periods.FirstOrDefaultAsync(p => p.Id == periodId, ct);
        if (period is null) return new Failure(FailureKind.NotFound, $"period：考核期“{periodId}”不存在", $"period: period \"{periodId}\" does not exist", "period");
        if (period.Status != PeriodStatus.Planned)
            return new Failure(FailureKind.Conflict, $"period：{period.Label(false)}已发布（{Labels.Of(period.Status)}）", $"period: {period.Label(true)} is already published", "period");
        var schemes = await db.Schemes.Where(s => s.PeriodId == periodId).ToListAsync(ct);
        if (schemes.Count == 0)
            return new Failure(FailureKind.Invalid, $"period：{period.Label(false)}还没有考核方案，请先从上一期复制或导入方案", $"period: {period.Label(true)} has no scheme yet", "period");
        var now = clock.GetUtcNow();
        foreach (var group in schemes.GroupBy(s => s.Category))
        {
            if (group.Any(s => s.Status == SchemeStatus.Active)) continue;
            var draft = group.Where(s => s.Status == SchemeStatus.Draft).MaxBy(s => s.Version);
            if (draft is null) continue;
            var read = SchemeService.Parse(draft);
            if (!read.IsValid)
                return new Failure(FailureKind.Invalid, $"schemes[{draft.Category}]：方案“{draft.Name}”校验未通过，不能发布", $"schemes[{draft.Category}]: \"{draft.Name}\" does not validate", $"schemes[{draft.Category}]");
            draft.Activate(now);
            audit.Record("scheme.activate", "scheme", draft.Id.ToString(CultureInfo.InvariantCulture), "Draft", "Active", $"period {periodId} published");
        }
        period.MoveTo(PeriodStatus.Collecting);
        audit.Record("period.publish", "period", periodId, nameof(PeriodStatus.Planned), nameof(PeriodStatus.Collecting));
        await audit.SaveAsync(ct);
        return null;
    }
}
