using System.Globalization;
using System.Security.Claims;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Attachments;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Collection;

public sealed record EvidenceDto(long Id, string FileName, long Size, string Sha256, string Url);

public sealed record ReportRow(string IndicatorId, string Name, double Points, string Kind, string Rule, bool NeedsTarget,
    long? FactId, double? Value, double? Target, string Status, string? Reason, bool Late, DateTimeOffset? SubmittedAt, string? ReviewedBy,
    IReadOnlyList<EvidenceDto> Evidence)
{
    public bool Editable => Status is "Missing" or nameof(FactStatus.Draft) or nameof(FactStatus.Returned);
}

/// <summary>
/// A base figure (基础数据) of a version 2 scheme on the 填报 sheet: the measure, its unit of measurement, last year's
/// same-period figure of the unit (the counted figure of the same quarter a year earlier; null when there is none),
/// and the unit's current figure. <see cref="Unusual"/>: more than 3× or under ⅓ of last year's, for the reviewer.
/// </summary>
public sealed record MeasureRow(string MeasureId, string Name, string Unit, bool Count, double? LastYear,
    long? FactId, double? Value, string Status, string? Reason, bool Late, string? ReviewedBy)
{
    /// <summary>
    /// The unit's 目标责任书 sets this figure (e.g. <c>plan</c>) for the quarter: shown read-only with the letter's
    /// version and figure, never typed by the unit (Targets/LetterOwnership). Status is then "Letter".
    /// </summary>
    public Targets.LetterFigure? Letter { get; init; }

    public bool Editable => Letter is null && Status is "Missing" or nameof(FactStatus.Draft) or nameof(FactStatus.Returned);
    public bool Unusual => Letter is null && Value is { } v && MeasureRules.Unusual(v, LastYear);
}

/// <summary>
/// A derived indicator (计算指标) of the unit's scheme on its 填报 sheet (docs/visibility.md, "Derived indicators"): one that
/// depends only on the unit's own figures (<c>inv / plan</c>) has its <see cref="Value"/> at once, from the figures the unit
/// has reported; one that depends on the region (<c>inv / sum(inv)</c>) tells others' figures, so it is <see cref="Shown"/>
/// only once the person may see the unit's results (the review window for a unit), from the results.
/// </summary>
public sealed record DerivedRow(string IndicatorId, string Name, string Formula, bool OwnFiguresOnly, bool Shown, double? Value);

public sealed record ReportSheet(string PeriodId, string UnitId, string UnitName, string? Category, DateOnly Deadline, bool PastDeadline, IReadOnlyList<ReportRow> Rows)
{
    /// <summary>The base figures the unit reports (empty unless its category's scheme is version 2 with measures).</summary>
    public IReadOnlyList<MeasureRow> Measures { get; init; } = [];

    /// <summary>The scheme's formula leaves, with the values this person may see now.</summary>
    public IReadOnlyList<DerivedRow> Derived { get; init; } = [];

    public int Missing => Rows.Count(r => r.Value is null) + Measures.Count(m => m.Value is null && m.Letter is null);
    public bool CanSubmit => Rows.Any(r => r.Status is nameof(FactStatus.Draft) or nameof(FactStatus.Returned))
        || Measures.Any(m => m.Status is nameof(FactStatus.Draft) or nameof(FactStatus.Returned));
}

public sealed record QueueRow(long FactId, string UnitId, string UnitName, string IndicatorId, string IndicatorName, string Rule, double? Value, double? Target,
    bool Late, DateTimeOffset? SubmittedAt, string Author, IReadOnlyList<EvidenceDto> Evidence)
{
    /// <summary>A base figure (not a leaf's value): <see cref="IndicatorId"/> is then the measure id.</summary>
    public bool IsMeasure { get; init; }

    /// <summary>The measure's unit of measurement (万元, 个).</summary>
    public string? MeasureUnit { get; init; }

    /// <summary>The unit's counted figure of the same measure a year earlier, when there is one.</summary>
    public double? LastYear { get; init; }

    /// <summary>More than 3× or under ⅓ of last year's figure: flagged for the reviewer, not refused.</summary>
    public bool Unusual => IsMeasure && Value is { } v && MeasureRules.Unusual(v, LastYear);
}

/// <summary>What a unit saves for one row of its sheet; <paramref name="Measure"/>: the row is a base figure (the id names a measure).</summary>
public sealed record ReportValue(double? Value, double? Target, bool Measure = false);

/// <summary>
/// 单位填报: a unit reporter fills the computational leaves of its category's active scheme with
/// values and evidence, saves drafts, submits (then the report is locked and flagged late when past
/// the period's deadline), and the office or the assigned division verifies it or returns it with a
/// reason. The current report of a leaf is the unit's latest <c>report</c> fact for it.
/// </summary>
public sealed class Reporting(KaoheDbContext db, AuditLog audit, TimeProvider clock, IAttachmentStore store, Results.ResultsStore results, Results.ResultsAccess access,
    IAuthorizationService authorization)
{
    public static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    /// <summary>The deadline is the end of the day in China (UTC+8): a report is late from the next midnight on.</summary>
    public static bool IsLate(DateOnly deadline, DateTimeOffset at) =>
        at >= new DateTimeOffset(deadline.ToDateTime(TimeOnly.MinValue), ChinaOffset).AddDays(1);

    public static EvidenceDto Evidence(Attachment a) => new(a.Id, a.FileName, a.Size, a.Sha256, $"/api/v1/attachments/{a.Id}");

    /// <summary>Which unit a user reports for (<see cref="UnitReportAuthorization"/>): a unit reporter its own unit only; the office looks at any unit it names.</summary>
    public async Task<Failure?> CheckUnitAccessAsync(ClaimsPrincipal user, string periodId, string unitId, bool write) =>
        await authorization.MayAsync(user, new UnitReport(periodId, unitId), write ? UnitOperations.Act : UnitOperations.Read) ? null
            : Failure.Forbidden($"无权{(write ? "填报" : "查看")}单位 {unitId} 的数据", $"you may not {(write ? "report for" : "see the report of")} unit {unitId}");

    public async Task<(Period? Period, OrgUnit? Unit, Failure? Error)> ResolveAsync(string periodId, string unitId, CancellationToken ct)
    {
        var period = await db.Periods.AsNoTracking().FirstOrDefaultAsync(p => p.Id == periodId, ct);
        if (period is null) return (null, null, Failure.NotFound($"考核期 {periodId} 不存在", $"period {periodId} does not exist"));
        var unit = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == unitId, ct);
        if (unit is null) return (period, null, Failure.NotFound($"单位 {unitId} 不存在", $"unit {unitId} does not exist"));
        return (period, unit, null);
    }

    /// <summary>
    /// The latest report fact of each leaf of a unit (tracked, with evidence); where the unit has not reported
    /// a leaf, the value a platform pushed for it (平台数据, counted and so locked for the unit).
    /// </summary>
    private async Task<Dictionary<string, Fact>> CurrentAsync(string periodId, string unitId, CancellationToken ct, FactKind kind = FactKind.Value) =>
        (await db.Facts.Include(f => f.Evidence)
            .Where(f => f.PeriodId == periodId && f.UnitId == unitId && f.Kind == kind
                && (f.Source == FactSources.Report || (f.Source == FactSources.Platform && FactStatuses.Counted.Contains(f.Status))))
            .ToListAsync(ct))
        .GroupBy(f => f.IndicatorId!).ToDictionary(g => g.Key, g =>
            g.Where(f => f.Source == FactSources.Report).OrderByDescending(f => f.Id).FirstOrDefault() ?? g.OrderByDescending(f => f.Id).First());

    /// <summary>
    /// Last year's same-period figures of units (the same quarter of the year before): per unit and measure, the latest
    /// counted figure. A period that is not a quarter, or a year with no such quarter, has none.
    /// </summary>
    public async Task<Dictionary<(string Unit, string Measure), double>> LastYearAsync(string periodId, IReadOnlyCollection<string> unitIds, CancellationToken ct = default)
    {
        var period = await db.Periods.AsNoTracking().FirstOrDefaultAsync(p => p.Id == periodId, ct);
        if (period?.Quarter is not { } q) return [];
        var year = period.Year - 1;
        var facts = await db.Facts.AsNoTracking()
            .Where(f => f.Kind == FactKind.Measure && unitIds.Contains(f.UnitId) && FactStatuses.Counted.Contains(f.Status)
                && db.Periods.Any(p => p.Id == f.PeriodId && p.Year == year && p.Quarter == q))
            .Select(f => new { f.Id, f.UnitId, f.IndicatorId, f.Payload }).ToListAsync(ct);
        return facts.GroupBy(f => (f.UnitId, f.IndicatorId!))
            .Select(g => (g.Key, FactPayload.Parse(g.OrderByDescending(f => f.Id).First().Payload).Value))
            .Where(x => x.Value is not null).ToDictionary(x => x.Key, x => x.Value!.Value);
    }

    public async Task<(ReportSheet? Sheet, Failure? Error)> SheetAsync(ClaimsPrincipal user, string periodId, string unitId, CancellationToken ct = default)
    {
        if (await CheckUnitAccessAsync(user, periodId, unitId, write: false) is { } denied) return (null, denied);
        var (period, unit, error) = await ResolveAsync(periodId, unitId, ct);
        if (error is not null) return (null, error);
        var category = SchemeLeaves.CategoryOf(unit!.Kind);
        var schemes = await SchemeLeaves.LoadAsync(db, periodId, ct);
        var leaves = schemes.Of(category ?? "").Where(l => l.Owner == SlotOwner.Unit).ToList();
        var current = await CurrentAsync(periodId, unitId, ct);
        var rows = leaves.Select(l =>
        {
            var f = current.GetValueOrDefault(l.Id);
            var p = f is null ? null : FactPayload.Parse(f.Payload);
            return new ReportRow(l.Id, l.Name, l.Points, l.Kind, l.RuleText, l.NeedsTarget, f?.Id, p?.Value, p?.Target,
                f?.Status.ToString() ?? "Missing", f?.StatusReason, f?.Late ?? false, f?.SubmittedAt, f?.ReviewedBy,
                f?.Evidence.OrderBy(a => a.Id).Select(Evidence).ToList() ?? []);
        }).ToList();
        var measures = schemes.MeasuresOf(category ?? "");
        var measureRows = new List<MeasureRow>();
        var own = new Dictionary<string, double>(StringComparer.Ordinal);
        if (measures.Count > 0)
        {
            var figures = await CurrentAsync(periodId, unitId, ct, FactKind.Measure);
            foreach (var (id, f) in figures)
                if (FactPayload.Parse(f.Payload).Value is { } v) own[id] = v;
            var lastYear = await LastYearAsync(periodId, [unitId], ct);
            var letter = await Targets.LetterOwnership.OfAsync(db, periodId, [unitId], ct);
            var keyTask = letter.ContainsKey((unitId, Targets.TargetLetterService.KeyTaskMeasure)) ? await KeyTaskAsync(periodId, unitId, ct) : null;
            foreach (var m in measures)
            {
                var f = figures.GetValueOrDefault(m.Id);
                if (letter.GetValueOrDefault((unitId, m.Id)) is { } set)
                {
                    // The letter's figure, not the unit's: an own-figures formula (inv / plan) is computed with it, as the engine does.
                    var value = set.KeyTask ? keyTask?.Value : set.Figure;
                    if (value is { } lv) own[m.Id] = lv; else own.Remove(m.Id);
                    measureRows.Add(new MeasureRow(m.Id, m.Name, m.Unit, MeasureRules.IsCount(m), lastYear.TryGetValue((unitId, m.Id), out var lly) ? lly : null,
                        set.KeyTask ? keyTask?.Id : null, value, "Letter", null, false, null)
                    { Letter = set });
                    continue;
                }
                measureRows.Add(new MeasureRow(m.Id, m.Name, m.Unit, MeasureRules.IsCount(m), lastYear.TryGetValue((unitId, m.Id), out var ly) ? ly : null,
                    f?.Id, f is null ? null : FactPayload.Parse(f.Payload).Value, f?.Status.ToString() ?? "Missing", f?.StatusReason, f?.Late ?? false, f?.ReviewedBy));
            }
        }
        var derived = await DerivedAsync(user, periodId, category ?? "", unitId, schemes.Of(category ?? "").Where(l => l.Formula is not null).ToList(), own, ct);
        return (new ReportSheet(periodId, unitId, unit.Name, category, period!.ReportDeadline, IsLate(period.ReportDeadline, clock.GetUtcNow()), rows)
        { Measures = measureRows, Derived = derived }, null);
    }

    /// <summary>The unit's counted key-task completion of the period (written when its milestones are assessed), if any.</summary>
    private async Task<(long Id, double? Value)?> KeyTaskAsync(string periodId, string unitId, CancellationToken ct)
    {
        var f = await db.Facts.AsNoTracking().Where(x => x.PeriodId == periodId && x.UnitId == unitId && x.Kind == FactKind.Measure
                && x.IndicatorId == Targets.TargetLetterService.KeyTaskMeasure && x.Source == FactSources.KeyTask && FactStatuses.Counted.Contains(x.Status))
            .OrderByDescending(x => x.Id).Select(x => new { x.Id, x.Payload }).FirstOrDefaultAsync(ct);
        return f is null ? null : (f.Id, FactPayload.Parse(f.Payload).Value);
    }

    /// <summary>
    /// The derived indicators as this person may see them: an own-figures formula computed from the figures the unit reported
    /// (as the engine computes it); every value, region-wide ones included, from the results once the person may see the unit's
    /// row of them (<see cref="Results.ResultsAccess"/>: a unit from the review window on).
    /// </summary>
    private async Task<IReadOnlyList<DerivedRow>> DerivedAsync(ClaimsPrincipal user, string periodId, string category, string unitId, IReadOnlyList<Leaf> formulas,
        IReadOnlyDictionary<string, double> own, CancellationToken ct)
    {
        if (formulas.Count == 0) return [];
        IReadOnlyDictionary<string, double>? scored = null;
        if ((await access.RowsAsync(user, periodId, category, ct: ct)).Sees(unitId)
            && await results.CurrentAsync(db, periodId, category, ct) is { } view && view.ByUnit.TryGetValue(unitId, out var mine))
            scored = mine.Values;
        return [.. formulas.Select(l =>
        {
            var expr = Kaohe.Scoring.Formulas.Formula.Parse(l.Formula!).Expression!;
            var ownOnly = Kaohe.Scoring.Formulas.Formula.DependsOnlyOnOwnFigures(expr);
            if (scored is not null) return new DerivedRow(l.Id, l.Name, l.Formula!, ownOnly, true, scored.TryGetValue(l.Id, out var v) ? v : null);
            return ownOnly
                ? new DerivedRow(l.Id, l.Name, l.Formula!, true, true, Kaohe.Scoring.Formulas.Formula.ValueOf(expr, own, l.ValueDecimals))
                : new DerivedRow(l.Id, l.Name, l.Formula!, false, false, null);
        })];
    }

    /// <summary>Saves (or creates) the draft of one leaf. A submitted or verified report is locked.</summary>
    public async Task<Failure?> SaveDraftAsync(ClaimsPrincipal user, string periodId, string unitId, string indicatorId, ReportValue input,
        string field = "", CancellationToken ct = default) =>
        await SaveDraftsAsync(user, periodId, unitId, [(indicatorId, input, field)], ct);

    /// <summary>
    /// Saves several drafts at once, all or nothing unless <paramref name="saveValid"/>: then the valid rows are
    /// saved and the error lists the rest, <see cref="Failure.Saved"/> naming what was kept. Each error
    /// is keyed by its field and its message names the indicator in words ("A2 城镇棚户区改造开工率：须填写数值").
    /// </summary>
    public async Task<Failure?> SaveDraftsAsync(ClaimsPrincipal user, string periodId, string unitId,
        IReadOnlyList<(string Indicator, ReportValue Input, string Field)> items, CancellationToken ct = default, bool dryRun = false, bool saveValid = false)
    {
        if (await CheckUnitAccessAsync(user, periodId, unitId, write: true) is { } denied) return denied;
        var (period, unit, error) = await ResolveAsync(periodId, unitId, ct);
        if (error is not null) return error;
        var category = SchemeLeaves.CategoryOf(unit!.Kind) ?? "";
        // The stage first: a published period's report answers the stage, not "locked" or "missing".
        await PeriodStages.EnsureAsync(db, periodId, category, PeriodInput.Data, ct);
        var leaves = await SchemeLeaves.LoadAsync(db, periodId, ct);
        var current = await CurrentAsync(periodId, unitId, ct);
        var figures = items.Any(i => i.Input.Measure) ? await CurrentAsync(periodId, unitId, ct, FactKind.Measure) : [];
        var measures = leaves.MeasuresOf(category);
        var letter = items.Any(i => i.Input.Measure) ? await Targets.LetterOwnership.OfAsync(db, periodId, [unitId], ct) : [];
        var errors = new Dictionary<string, List<Message>>();
        void Err(string f, string zh, string en) => (errors.TryGetValue(f, out var l) ? l : errors[f] = []).Add((zh, en));
        var valid = new List<(Leaf Leaf, ReportValue Input)>();
        var validFigures = new List<(Measure Measure, double Value)>();
        foreach (var (indicator, input, field) in items)
        {
            var prefix = field.Length > 0 ? field + "." : "";
            if (input.Measure)
            {
                // A base figure (基础数据): named by its measure, checked by the same rules as the platform API's.
                var m = measures.FirstOrDefault(x => x.Id == indicator);
                var at = field.Length > 0 ? field : "measure";
                if (m is null)
                    Err(at, $"基础数据项 {indicator} 不是本单位本期的填报项", $"measure {indicator} is not one this unit reports in this period");
                else if (letter.GetValueOrDefault((unitId, m.Id)) is { } set)
                {
                    var (zh, en) = set.Refusal(m.Name);
                    Err(prefix + "value", zh, en);
                }
                else if (figures.GetValueOrDefault(m.Id) is { Source: FactSources.Platform })
                    Err(at, $"{m.Name}的数据已由平台报送，无需填报", $"{m.Name} was delivered by a platform; there is nothing to report");
                else if (figures.GetValueOrDefault(m.Id) is { Status: FactStatus.Submitted or FactStatus.Verified })
                    Err(at, $"{m.Name}已提交，已锁定，不能修改", $"{m.Name} has been submitted and is locked");
                else if (input.Value is not { } fv)
                    Err(prefix + "value", $"{m.Name}须填写数值（{m.Unit}）", $"{m.Name} needs a number ({m.Unit})");
                else if (MeasureRules.Problem(m, fv) is { } bad) Err(prefix + "value", bad.Zh, bad.En);
                else if (input.Target is not null) Err(prefix + "target", $"{m.Name}是基础数据，没有目标值", $"{m.Name} is a base figure and takes no target");
                else validFigures.Add((m, fv));
                continue;
            }
            var leaf = leaves.Find(category, indicator);
            if (leaf is null || leaf.Owner != SlotOwner.Unit)
            {
                Err(field.Length > 0 ? field : "indicator", $"指标 {indicator} 不是本单位本期的填报指标", $"indicator {indicator} is not one this unit reports in this period");
                continue;
            }
            var what = $"{leaf.Id} {leaf.Name}";
            if (current.GetValueOrDefault(leaf.Id) is { Source: FactSources.Platform })
            {
                Err(field.Length > 0 ? field : "indicator", $"{what}：数值已由平台报送，无需填报", $"{what}: delivered by a platform; there is nothing to report");
                continue;
            }
            if (current.GetValueOrDefault(leaf.Id) is { Status: FactStatus.Submitted or FactStatus.Verified })
            {
                Err(field.Length > 0 ? field : "indicator", $"{what}：已提交，已锁定，不能修改", $"{what}: submitted and locked");
                continue;
            }
            var before = errors.Count;
            if (input.Value is not { } v || !double.IsFinite(v)) Err(prefix + "value", $"{what}：须填写数值", $"{what}: a number is required");
            else if (leaf.Method is RatioMethod && v < 0) Err(prefix + "value", $"{what}：数值不能为负", $"{what}: the value cannot be negative");
            if (leaf.NeedsTarget)
            {
                if (input.Target is not { } t || !double.IsFinite(t) || t <= 0)
                    Err(prefix + "target", $"{what}：须填写大于 0 的目标值（应完成数）", $"{what}: a target greater than 0 is required");
            }
            else if (input.Target is not null) Err(prefix + "target", $"{what}：不填写目标值", $"{what}: takes no target");
            if (errors.Count == before) valid.Add((leaf, input));
        }
        Failure? partial = null;
        if (errors.Count > 0)
        {
            var all = errors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
            if (!saveValid || dryRun || valid.Count + validFigures.Count == 0)
                return Failure.Invalid("填报数据有误，未保存任何内容", "The report has errors; nothing was saved", all);
            var n = valid.Count + validFigures.Count;
            partial = Failure.Invalid($"已保存无误的 {n} 项草稿，有误的未保存", $"Saved the {n} valid drafts; those with errors were not saved", all) with
            {
                Saved = [.. validFigures.Select(x => (x.Measure.Name, x.Measure.Name)), .. valid.Select(x => ($"{x.Leaf.Id} {x.Leaf.Name}", $"{x.Leaf.Id} {x.Leaf.Name}"))],
            };
        }
        if (dryRun) return null;
        var now = clock.GetUtcNow();
        var author = user.Identity?.Name ?? "";
        // A draft figure or value: the existing row is updated, or a new one added; either is audited.
        void Draft(Fact? existing, string indicator, FactKind kind, string payload)
        {
            if (existing is not null)
            {
                var old = existing.Payload;
                existing.Update(payload, author, now);
                audit.Record("report.draft", "fact", existing.Id.ToString(CultureInfo.InvariantCulture), old, payload);
                return;
            }
            var nf = new Fact(periodId, unitId, indicator, kind, payload, FactSources.Report, author, now, FactStatus.Draft);
            db.Facts.Add(nf);
            audit.Record("report.draft", "fact", () => nf.Id.ToString(CultureInfo.InvariantCulture), null, payload);
        }
        foreach (var (m, value) in validFigures)
            Draft(figures.GetValueOrDefault(m.Id), m.Id, FactKind.Measure, new FactPayload(Value: value).ToJson());
        foreach (var (leaf, input) in valid)
            Draft(current.GetValueOrDefault(leaf.Id), leaf.Id, FactKind.Value, new FactPayload(Value: input.Value, Target: input.Target).ToJson());
        await audit.SaveAsync(ct);
        return partial;
    }

    /// <summary>Attaches a 佐证材料 file to the draft of a leaf (the value is saved first).</summary>
    public async Task<(EvidenceDto? Evidence, Failure? Error)> AddEvidenceAsync(ClaimsPrincipal user, string periodId, string unitId, string indicatorId,
        Stream content, string fileName, CancellationToken ct = default)
    {
        if (await CheckUnitAccessAsync(user, periodId, unitId, write: true) is { } denied) return (null, denied);
        await EnsureOpenAsync(periodId, unitId, ct);
        var current = await CurrentAsync(periodId, unitId, ct);
        if (current.GetValueOrDefault(indicatorId) is not { } f)
            return (null, Failure.Conflict($"请先保存指标 {indicatorId} 的数值，再上传佐证材料", $"save a value for indicator {indicatorId} before uploading evidence"));
        if (f.Status is FactStatus.Submitted or FactStatus.Verified)
            return (null, Failure.Conflict($"指标 {indicatorId} 已提交，已锁定", $"indicator {indicatorId} has been submitted and is locked"));
        var id = f.Id.ToString(CultureInfo.InvariantCulture);
        var a = await store.SaveAsync(content, fileName, user.Identity?.Name ?? "", FactAttachmentPolicy.Kind, id, ct);
        f.Evidence.Add(a);
        audit.Record("report.evidence", "fact", id, null, new { a.FileName, a.Size, a.Sha256 });
        await audit.SaveAsync(ct);
        return (Evidence(a), null);
    }

    /// <summary>
    /// Submits every draft or returned leaf of the unit at once. Every leaf needs a value first. Past the
    /// deadline the submission is accepted but flagged late.
    /// </summary>
    public async Task<(int Submitted, bool Late, Failure? Error)> SubmitAsync(ClaimsPrincipal user, string periodId, string unitId, CancellationToken ct = default)
    {
        if (await CheckUnitAccessAsync(user, periodId, unitId, write: true) is { } denied) return (0, false, denied);
        await EnsureOpenAsync(periodId, unitId, ct);
        var (sheet, error) = await SheetAsync(user, periodId, unitId, ct);
        if (error is not null) return (0, false, error);
        if (sheet!.Rows.Count == 0 && sheet.Measures.Count == 0)
            return (0, false, Failure.Conflict("本期没有需要本单位填报的指标", "there is nothing for this unit to report in this period"));
        var missing = sheet.Rows.Where(r => r.Value is null || (r.NeedsTarget && r.Target is null)).ToList();
        var missingFigures = sheet.Measures.Where(m => m.Value is null && m.Letter is null).ToList();
        if (missing.Count + missingFigures.Count > 0)
            return (0, false, Failure.Invalid($"还有 {missing.Count + missingFigures.Count} 项未填写，不能提交", $"{missing.Count + missingFigures.Count} items are not filled in; nothing was submitted",
                missing.Select(r => (r.IndicatorId, ($"指标 {r.IndicatorId} {r.Name} 未填写", $"indicator {r.IndicatorId} {r.Name} is not filled in")))
                    .Concat(missingFigures.Select(m => ("measures." + m.MeasureId, ($"基础数据 {m.Name}（{m.Unit}）未填写", $"base figure {m.Name} ({m.Unit}) is not filled in"))))
                    .ToDictionary(x => x.Item1, x => new Message[] { x.Item2 })));
        if (!sheet.CanSubmit) return (0, false, Failure.Conflict("没有待提交的内容（均已提交）", "nothing to submit: everything has been submitted"));
        var now = clock.GetUtcNow();
        var late = sheet.PastDeadline && IsLate(sheet.Deadline, now);
        var current = await CurrentAsync(periodId, unitId, ct);
        var count = 0;
        var pending = current.Values.Concat(sheet.Measures.Count > 0 ? (await CurrentAsync(periodId, unitId, ct, FactKind.Measure)).Values : [])
            .Where(f => f.Status is FactStatus.Draft or FactStatus.Returned)
            // A draft left from before the letter set the measure is not the unit's to submit: the letter's figure counts.
            .Where(f => f.Kind != FactKind.Measure || sheet.Measures.All(m => m.MeasureId != f.IndicatorId || m.Letter is null)).ToList();
        var pendingIds = pending.Select(f => f.IndicatorId).ToList();
        // A correction of a verified report replaces it: the older value stops counting, so the engine never sees two.
        var superseded = (await db.Facts.Where(f => f.PeriodId == periodId && f.UnitId == unitId && f.Source == FactSources.Report
            && (f.Kind == FactKind.Value || f.Kind == FactKind.Measure)
            && pendingIds.Contains(f.IndicatorId) && FactStatuses.Counted.Contains(f.Status)).ToListAsync(ct))
            .Where(old => pending.Any(p => p.IndicatorId == old.IndicatorId && p.Kind == old.Kind)).ToList();
        foreach (var old in superseded)
        {
            var by = pending.First(p => p.IndicatorId == old.IndicatorId && p.Kind == old.Kind);
            // The status it had (submitted or verified), read before it changes: the log says what was replaced.
            var was = old.Status.ToString();
            old.SetStatus(FactStatus.Returned, $"已被更正数据 #{by.Id} 取代 / superseded by correction #{by.Id}");
            audit.Record("report.supersede", "fact", old.Id.ToString(CultureInfo.InvariantCulture), was, by.Id.ToString(CultureInfo.InvariantCulture));
        }
        foreach (var f in pending)
        {
            f.Submit(now, late);
            count++;
            audit.Record("report.submit", "fact", f.Id.ToString(CultureInfo.InvariantCulture), null, new { f.IndicatorId, late },
                late ? $"逾期提交（截止 {sheet.Deadline:yyyy-MM-dd}）/ late (due {sheet.Deadline:yyyy-MM-dd})" : null);
        }
        await audit.SaveAsync(ct);
        return (count, late, null);
    }

    /// <summary>
    /// Refuses up front (Data/PeriodStages.cs) what the period's stage does not allow for the unit's
    /// reports, before an upload is read or a sheet computed; the guard under SaveChanges is the net.
    /// </summary>
    public Task EnsureOpenAsync(string periodId, string unitId, CancellationToken ct = default) =>
        PeriodStages.EnsureForUnitAsync(db, periodId, unitId, PeriodInput.Data, ct);

    /// <summary>Who may verify or return a report: the office, or the division assigned to that unit and indicator.</summary>
    public IQueryable<Fact> ReviewableBy(ClaimsPrincipal user)
    {
        // Base figures (measures) are reviewed by the office: divisions are assigned leaves, not measures.
        var reports = db.Facts.Where(f => f.Source == FactSources.Report && (f.Kind == FactKind.Value || f.Kind == FactKind.Measure));
        var division = user.UnitId();
        return user.Role() switch
        {
            Roles.Office => reports,
            Roles.Division => reports.Where(f => db.Assignments.Any(a => a.Kind == AssignmentKind.Division && a.Assignee == division
                && a.PeriodId == f.PeriodId && a.UnitId == f.UnitId && a.IndicatorId == f.IndicatorId)),
            _ => reports.Where(_ => false),
        };
    }

    public async Task<List<QueueRow>> QueueAsync(ClaimsPrincipal user, string periodId, CancellationToken ct = default)
    {
        var facts = await ReviewableBy(user).AsNoTracking().Include(f => f.Evidence)
            .Where(f => f.PeriodId == periodId && f.Status == FactStatus.Submitted).OrderBy(f => f.SubmittedAt).ThenBy(f => f.Id).ToListAsync(ct);
        var units = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Id, ct);
        var leaves = await SchemeLeaves.LoadAsync(db, periodId, ct);
        var lastYear = facts.Any(f => f.Kind == FactKind.Measure)
            ? await LastYearAsync(periodId, [.. facts.Where(f => f.Kind == FactKind.Measure).Select(f => f.UnitId).Distinct()], ct) : [];
        return [.. facts.Select(f =>
        {
            var unit = units.GetValueOrDefault(f.UnitId);
            var category = unit is null ? "" : SchemeLeaves.CategoryOf(unit.Kind) ?? "";
            var p = FactPayload.Parse(f.Payload);
            var evidence = f.Evidence.OrderBy(a => a.Id).Select(Evidence).ToList();
            if (f.Kind == FactKind.Measure)
            {
                var m = leaves.MeasuresOf(category).FirstOrDefault(x => x.Id == f.IndicatorId);
                return new QueueRow(f.Id, f.UnitId, unit?.Name ?? f.UnitId, f.IndicatorId!, m?.Name ?? f.IndicatorId!, $"基础数据（{m?.Unit}）", p.Value, null,
                    f.Late, f.SubmittedAt, f.Author, evidence)
                { IsMeasure = true, MeasureUnit = m?.Unit, LastYear = lastYear.TryGetValue((f.UnitId, f.IndicatorId!), out var ly) ? ly : null };
            }
            var leaf = leaves.Find(category, f.IndicatorId!);
            return new QueueRow(f.Id, f.UnitId, unit?.Name ?? f.UnitId, f.IndicatorId!, leaf?.Name ?? f.IndicatorId!, leaf?.RuleText ?? "", p.Value, p.Target,
                f.Late, f.SubmittedAt, f.Author, evidence);
        })];
    }

    public async Task<Failure?> ReviewAsync(ClaimsPrincipal user, long factId, bool verify, string? reason, CancellationToken ct = default)
    {
        var f = await ReviewableBy(user).FirstOrDefaultAsync(x => x.Id == factId, ct);
        if (f is null)
        {
            var exists = await db.Facts.AnyAsync(x => x.Id == factId && x.Source == FactSources.Report, ct);
            return exists && user.Role() is Roles.Division
                ? Failure.Forbidden($"填报数据 {factId} 不在本处室的评分分工内", $"report {factId} is not assigned to your division")
                : Failure.NotFound($"填报数据 {factId} 不存在或无权审核", $"report {factId} does not exist or is not yours to review");
        }
        await EnsureOpenAsync(f.PeriodId, f.UnitId, ct);
        if (f.Status != FactStatus.Submitted)
            return Failure.Conflict($"填报数据 {factId} 的状态是“{Labels.Of(f.Status)}”，只能审核已提交的数据", $"report {factId} is {f.Status}; only a submitted report can be reviewed");
        if (!verify && string.IsNullOrWhiteSpace(reason))
            return Failure.Invalid("退回须说明理由", "a return needs a reason", "reason");
        Decide(f, verify, reason, user.Identity?.Name ?? "", clock.GetUtcNow());
        await audit.SaveAsync(ct);
        return null;
    }

    /// <summary>One review, audited as such; the caller saves (one item, or a batch in one transaction).</summary>
    private void Decide(Fact f, bool verify, string? reason, string by, DateTimeOffset now)
    {
        var old = f.Status.ToString();
        if (verify) f.Verify(by, now);
        else f.Return(by, now, reason!.Trim());
        audit.Record(verify ? "report.verify" : "report.return", "fact", f.Id.ToString(CultureInfo.InvariantCulture), old, f.Status.ToString(), reason?.Trim());
    }

    /// <summary>
    /// 批量核验: verifies every listed report or none. Each is checked as <see cref="ReviewAsync"/> checks one and
    /// audited as one; if any is no longer verifiable (changed, returned or verified meanwhile, or not this
    /// reviewer's), nothing is verified and the error names it by unit and indicator, under <c>ids[i]</c>.
    /// </summary>
    public async Task<(int Verified, Failure? Error)> VerifyManyAsync(ClaimsPrincipal user, IReadOnlyList<long>? ids, CancellationToken ct = default)
    {
        if (ids is null || ids.Count == 0) return (0, Failure.Invalid("请先勾选要核验的数据", "select the reports to verify", "ids"));
        if (ids.Count > MaxBatch)
            return (0, Failure.Invalid($"一次最多核验 {MaxBatch} 项", $"at most {MaxBatch} reports at a time", "ids"));
        var wanted = ids.Distinct().ToList();
        var facts = await ReviewableBy(user).Where(f => wanted.Contains(f.Id)).ToDictionaryAsync(f => f.Id, ct);
        for (var i = 0; i < ids.Count; i++)
        {
            var id = ids[i];
            if (!facts.TryGetValue(id, out var f))
                return (0, Refused(404, i, $"填报数据 {id} 不存在或无权审核", $"report {id} does not exist or is not yours to review"));
            if (f.Status != FactStatus.Submitted)
            {
                var (zh, en) = await NameAsync(f, ct);
                return (0, Refused(409, i, $"{zh}（编号 {id}）的数据现为“{Labels.Of(f.Status)}”，已不能核验（可能已被修改、退回或核验）",
                    $"{en} (report {id}) is now {f.Status} and can no longer be verified (changed, returned or verified meanwhile)"));
            }
        }
        foreach (var (period, unit) in facts.Values.Select(f => (f.PeriodId, f.UnitId)).Distinct())
            await EnsureOpenAsync(period, unit, ct);
        var by = user.Identity?.Name ?? "";
        var now = clock.GetUtcNow();
        foreach (var id in wanted) Decide(facts[id], true, null, by, now);
        await audit.SaveAsync(ct);
        return (wanted.Count, null);
    }

    private static Failure Refused(int status, int index, string zh, string en)
    {
        (string Zh, string En) full = ($"{zh}。本次未核验任何数据，请刷新后重新选择。", $"{en}. Nothing was verified; reload and select again.");
        return new(Failure.KindOf(status), full.Zh, full.En, new Dictionary<string, Message[]> { [$"ids[{index}]"] = [full] });
    }

    /// <summary>The most reports one batch verifies: a page of the queue and more, never an unbounded request.</summary>
    public const int MaxBatch = 500;

    /// <summary>A report for people: "拉萨市住房和城乡建设局 · A1 固定资产投资".</summary>
    private async Task<(string Zh, string En)> NameAsync(Fact f, CancellationToken ct)
    {
        var unit = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == f.UnitId, ct);
        var category = unit is null ? "" : SchemeLeaves.CategoryOf(unit.Kind) ?? "";
        var leaves = await SchemeLeaves.LoadAsync(db, f.PeriodId, ct);
        var name = leaves.Find(category, f.IndicatorId!)?.Name ?? leaves.MeasuresOf(category).FirstOrDefault(m => m.Id == f.IndicatorId)?.Name;
        var what = name is null ? f.IndicatorId : $"{f.IndicatorId} {name}";
        return ($"{unit?.Name ?? f.UnitId} · {what}", $"{unit?.NameEn ?? f.UnitId} · {what}");
    }
}
