using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Kaohe.Data;

/// <summary>
/// Where a period is, for one category: a period is published category by category, so the stage is
/// per (period, category). docs/stages.md has the same table in words.
/// </summary>
public enum PeriodStage
{
    /// <summary>Period.Status Planned (a quarter being set up): only set-up writes.</summary>
    Planned,

    /// <summary>Data arrive; division and leader scores only until the office closes scoring.</summary>
    Collecting,

    /// <summary>Period.Status Review and this category not yet published: inputs change only through an appeal decision.</summary>
    Review,

    /// <summary>A snapshot exists for (period, category), whatever the status: inputs change only through an accepted appeal.</summary>
    Published,
}

/// <summary>What a write changes of a period's result inputs.</summary>
public enum PeriodInput
{
    /// <summary>Data: reports and their review, platform values, findings and photos, survey tallies, adjustments and vetoes, imports.</summary>
    Data,

    /// <summary>A scorer's own judgement: a division's score (多方评, direct scores) or a leader's rating (厅领导评价).</summary>
    Score,

    /// <summary>What frames the results: the active scheme version of the period, the annual weights of a year.</summary>
    Setup,
}

/// <summary>The stage of one period for one category, with what the messages name.</summary>
public sealed record StageState(string PeriodId, string Category, PeriodKind Kind, PeriodStage Stage, bool ScoringClosed, string LabelZh, string LabelEn);

/// <summary>A write the stage does not allow: 409, with a message naming the period, the category and the stage.</summary>
public sealed record StageRefusal(string PeriodId, string Category, PeriodStage Stage, bool ScoringClosed, PeriodInput Input, string Zh, string En);

/// <summary>
/// A write refused by the stage guard. SaveChanges cannot return a value, so a refusal found there is
/// thrown; the up-front checks throw the same, so there is one mapping: to a 409 ProblemDetails for
/// the API (Infrastructure/BadRequests) and to a page message for Razor pages (Infrastructure/StagePages).
/// </summary>
public sealed class PeriodStageException(StageRefusal refusal) : Exception(refusal.En)
{
    public StageRefusal Refusal { get; } = refusal;
}

/// <summary>
/// 考核期阶段 (issue 15, "published means final"): the one rule table of which writes a period's stage
/// allows, how the stage is read, and the guard under every SaveChanges (<see cref="PeriodStageGuard"/>).
/// </summary>
public static class PeriodStages
{
    /// <summary>
    /// The rule table. Review and Published allow no direct write at all: there, inputs change only
    /// through an appeal decision, which runs under <see cref="CorrectionByAppeal"/>.
    /// </summary>
    public static bool Allows(PeriodStage stage, bool scoringClosed, PeriodInput input) => (stage, input) switch
    {
        (PeriodStage.Planned, PeriodInput.Setup) => true,
        (PeriodStage.Planned, _) => false,
        // docs/collection.md: division and leader scores can change until the office closes scoring.
        (PeriodStage.Collecting, PeriodInput.Score) => !scoringClosed,
        (PeriodStage.Collecting, _) => true,
        _ => false,
    };

    /// <summary>
    /// The stage from the period's status and whether the category has a snapshot. An annual period
    /// (2023) collects its own inputs — the leaders' annual evaluation, vetoes, annual adjustments —
    /// through the whole year, so until its review window opens it collects whatever its status says
    /// (nothing ever moves a year from Planned to Collecting).
    /// </summary>
    public static PeriodStage StageOf(PeriodKind kind, PeriodStatus status, bool categoryPublished) =>
        categoryPublished ? PeriodStage.Published : status switch
        {
            PeriodStatus.Published => PeriodStage.Published,
            PeriodStatus.Review => PeriodStage.Review,
            PeriodStatus.Planned when kind == PeriodKind.Quarter => PeriodStage.Planned,
            _ => PeriodStage.Collecting,
        };

    /// <summary>The refusal of a write, or null when the stage allows it.</summary>
    public static StageRefusal? Refusal(StageState s, PeriodInput input)
    {
        if (Allows(s.Stage, s.ScoringClosed, input)) return null;
        var catZh = Categories.Find(s.Category)?.NameZh ?? "";
        var catEn = Categories.Find(s.Category) is { } c ? $" of {c.NameEn.ToLowerInvariant()}" : "";
        var (zh, en) = (s.Stage, input) switch
        {
            (PeriodStage.Planned, _) => ($"{s.LabelZh}尚未开始，考核办发布考核期后才能填报数据", $"{s.LabelEn} has not started: it takes data only once the office publishes the period"),
            (PeriodStage.Collecting, _) => ($"考核办已结束{s.LabelZh}的评分，处室评分和厅领导评价不能再修改",
                $"the office has closed scoring for {s.LabelEn}: division scores and leader ratings can no longer change"),
            (PeriodStage.Review, PeriodInput.Setup) => ($"{s.LabelZh}{catZh}考核已进入申诉复核期，不能再启用方案或修改年度权重",
                $"the {s.LabelEn} assessment{catEn} is in its review window: its scheme and annual weights can no longer change"),
            (PeriodStage.Review, _) => ($"{s.LabelZh}{catZh}考核已进入申诉复核期，数据不能直接修改（只能通过申诉处理更正）",
                $"the {s.LabelEn} assessment{catEn} is in its review window: its data can no longer change directly (only an appeal decision corrects it)"),
            (_, PeriodInput.Setup) => ($"{s.LabelZh}{catZh}考核已公布，不能再启用方案或修改年度权重",
                $"the {s.LabelEn} assessment{catEn} is published: its scheme and annual weights can no longer change"),
            _ => ($"{s.LabelZh}{catZh}考核已公布，数据不能再修改（只有采纳的申诉可以更正）",
                $"the {s.LabelEn} assessment{catEn} is published: its data can no longer change (only an accepted appeal corrects it)"),
        };
        return new StageRefusal(s.PeriodId, s.Category, s.Stage, s.ScoringClosed, input, zh, en);
    }

    /// <summary>The stage's name as users read it.</summary>
    public static (string Zh, string En) Name(PeriodStage stage, bool scoringClosed) => stage switch
    {
        PeriodStage.Planned => ("未开始", "planned"),
        PeriodStage.Collecting when scoringClosed => ("数据收集中（评分已结束）", "collecting data (scoring closed)"),
        PeriodStage.Collecting => ("数据收集中", "collecting data"),
        PeriodStage.Review => ("申诉复核中", "under review"),
        _ => ("已公布", "published"),
    };

    /// <summary>The stage of (period, category) as the database has it; null when the period does not exist.</summary>
    public static async Task<StageState?> StateAsync(KaoheDbContext db, string periodId, string category, CancellationToken ct = default) =>
        (await StatesAsync(db, [(periodId, category)], sync: false, ct)).GetValueOrDefault((periodId, category));

    /// <summary>Would the stage allow this write? The refusal, or null. For callers that branch (the platform API, rectification deductions).</summary>
    public static async Task<StageRefusal?> CheckAsync(KaoheDbContext db, string periodId, string category, PeriodInput input, CancellationToken ct = default) =>
        await StateAsync(db, periodId, category, ct) is { } s ? Refusal(s, input) : null;

    /// <summary>
    /// Refuses up front, before work such as reading an upload: throws <see cref="PeriodStageException"/>
    /// for the first category whose stage refuses (the guard under SaveChanges would refuse the same write later).
    /// </summary>
    public static async Task EnsureAsync(KaoheDbContext db, string periodId, IEnumerable<string> categories, PeriodInput input, CancellationToken ct = default)
    {
        var keys = categories.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(c => (periodId, c)).ToList();
        var states = await StatesAsync(db, keys, sync: false, ct);
        foreach (var key in keys)
            if (states.TryGetValue(key, out var s) && Refusal(s, input) is { } r) throw new PeriodStageException(r);
    }

    public static Task EnsureAsync(KaoheDbContext db, string periodId, string category, PeriodInput input, CancellationToken ct = default) =>
        EnsureAsync(db, periodId, [category], input, ct);

    /// <summary>Up front for a unit's write: the unit's category decides.</summary>
    public static async Task EnsureForUnitAsync(KaoheDbContext db, string periodId, string unitId, PeriodInput input, CancellationToken ct = default)
    {
        var kind = await db.Units.AsNoTracking().Where(u => u.Id == unitId).Select(u => (UnitKind?)u.Kind).FirstOrDefaultAsync(ct);
        await EnsureAsync(db, periodId, CategoryOf(kind), input, ct);
    }

    public static string CategoryOf(UnitKind? kind) => Categories.Of(kind)?.Code ?? "";

    // ------------------------------------------------------------------------------------------ exemptions

    private sealed record Correction(long AppealId, string PeriodId, string UnitId);

    private sealed class Scope
    {
        public List<Correction> Corrections { get; } = [];
        public List<(string PeriodId, string Category, PeriodInput Input)> Bulk { get; } = [];
    }

    private static readonly ConditionalWeakTable<DbContext, Scope> Scopes = new();

    /// <summary>
    /// The one exemption: while the returned scope lives, this context's SaveChanges may add or change
    /// facts (and their evidence) of the appealing unit in the appeal's period whatever the stage — the
    /// correction an accepted appeal decides (申诉采纳更正). Nothing else passes: other units, other
    /// periods, schemes, settings and events are still guarded.
    /// </summary>
    public static IDisposable CorrectionByAppeal(KaoheDbContext db, long appealId, string periodId, string unitId)
    {
        var correction = new Correction(appealId, periodId, unitId);
        var scope = Scopes.GetOrCreateValue(db);
        lock (scope) scope.Corrections.Add(correction);
        return new Release(() => { lock (scope) scope.Corrections.Remove(correction); });
    }

    /// <summary>
    /// For bulk writers that bypass the change tracker (the 批量导入 job's COPY): the inputs they write in
    /// this context's next SaveChanges, checked by the guard in the same transaction as the write.
    /// </summary>
    public static IDisposable DeclareBulkWrite(KaoheDbContext db, string periodId, IEnumerable<string> categories, PeriodInput input)
    {
        var entries = categories.Distinct(StringComparer.Ordinal).Select(c => (periodId, c, input)).ToList();
        var scope = Scopes.GetOrCreateValue(db);
        lock (scope) scope.Bulk.AddRange(entries);
        return new Release(() => { lock (scope) foreach (var e in entries) scope.Bulk.Remove(e); });
    }

    private sealed class Release(Action action) : IDisposable
    {
        private Action? _action = action;

        public void Dispose() => Interlocked.Exchange(ref _action, null)?.Invoke();
    }

    // ------------------------------------------------------------------------------------------ the guard

    /// <summary>The inputs a SaveChanges writes, by (period, category, input); the facts an appeal correction covers are left out.</summary>
    internal static async Task<List<(string PeriodId, string Category, PeriodInput Input)>> WritesAsync(DbContext db, bool sync, CancellationToken ct)
    {
        Scope? scope = Scopes.TryGetValue(db, out var s) ? s : null;
        List<Correction> corrections;
        List<(string, string, PeriodInput)> bulk;
        if (scope is null) (corrections, bulk) = ([], []);
        else lock (scope) (corrections, bulk) = ([.. scope.Corrections], [.. scope.Bulk]);
        bool Corrected(string period, string unit) => corrections.Any(c => c.PeriodId == period && c.UnitId == unit);

        var byUnit = new List<(string PeriodId, string UnitId, PeriodInput Input)>();
        var writes = new List<(string PeriodId, string Category, PeriodInput Input)>(bulk);
        var evidenceOf = new HashSet<long>();
        foreach (var e in db.ChangeTracker.Entries())
        {
            if (e.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted)) continue;
            switch (e.Entity)
            {
                case Fact f:
                    if (!Corrected(f.PeriodId, f.UnitId)) byUnit.Add((f.PeriodId, f.UnitId, IsScore(f) ? PeriodInput.Score : IsTarget(f) ? PeriodInput.Setup : PeriodInput.Data));
                    break;
                case Attachment when (e.State == EntityState.Deleted ? e.OriginalValues : e.CurrentValues)[nameof(Attachment.FactId)] is long factId:
                    evidenceOf.Add(factId);
                    break;
                case AdjustmentEvent ev:
                    // A veto applies to the year (docs/adjustments.md): it is an input of the annual period, not of the quarter it was raised in.
                    byUnit.Add((ev.Kind == AdjustmentRuleKind.Veto && ev.PeriodId.IndexOf('-') is > 0 and var dash ? ev.PeriodId[..dash] : ev.PeriodId, ev.UnitId, PeriodInput.Data));
                    break;
                case Scheme sc when SchemeActiveChanges(e):
                    writes.Add((sc.PeriodId, sc.Category, PeriodInput.Setup));
                    break;
                case AnnualSetting a:
                    writes.Add((a.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), a.Category, PeriodInput.Setup));
                    break;
            }
        }
        if (evidenceOf.Count > 0)
        {
            // Evidence (佐证材料, inspection photos) belongs to its fact: the fact's period and unit decide.
            // The entry's key, not the property: a fact added in the same save has only a temporary key.
            var tracked = db.ChangeTracker.Entries<Fact>().Select(x => (Id: x.Property(f => f.Id).CurrentValue, x.Entity.PeriodId, x.Entity.UnitId))
                .Where(f => evidenceOf.Contains(f.Id)).ToList();
            var missing = evidenceOf.Except(tracked.Select(t => t.Id)).ToList();
            if (missing.Count > 0)
            {
                var q = db.Set<Fact>().AsNoTracking().Where(f => missing.Contains(f.Id)).Select(f => new { f.Id, f.PeriodId, f.UnitId });
                tracked.AddRange((sync ? q.ToList() : await q.ToListAsync(ct)).Select(f => (f.Id, f.PeriodId, f.UnitId)));
            }
            foreach (var (_, period, unit) in tracked)
                if (!Corrected(period, unit)) byUnit.Add((period, unit, PeriodInput.Data));
        }
        if (byUnit.Count > 0)
        {
            var unitIds = byUnit.Select(x => x.UnitId).Distinct().ToList();
            var kinds = db.ChangeTracker.Entries<OrgUnit>().Select(x => x.Entity).Where(u => unitIds.Contains(u.Id)).ToDictionary(u => u.Id, u => u.Kind);
            var unknown = unitIds.Where(u => !kinds.ContainsKey(u)).ToList();
            if (unknown.Count > 0)
            {
                var q = db.Set<OrgUnit>().AsNoTracking().Where(u => unknown.Contains(u.Id)).Select(u => new { u.Id, u.Kind });
                foreach (var u in sync ? q.ToList() : await q.ToListAsync(ct)) kinds[u.Id] = u.Kind;
            }
            writes.AddRange(byUnit.Select(x => (x.PeriodId, CategoryOf(kinds.TryGetValue(x.UnitId, out var k) ? k : (UnitKind?)null), x.Input)));
        }
        return [.. writes.Distinct()];
    }

    /// <summary>A division's or a leader's own score: closing scoring freezes these, not the data.</summary>
    public static bool IsScore(Fact f) => f.Source is FactSources.Division or FactSources.Leader;

    /// <summary>
    /// A quarter target from a target letter (目标责任书): it frames the quarter as the scheme does, so it is
    /// set-up — written while the quarter is planned or collecting, refused once its review opens.
    /// </summary>
    public static bool IsTarget(Fact f) => f.Source == FactSources.TargetLetter;

    /// <summary>A scheme row that becomes, stays or stops being the active one: a draft is no input.</summary>
    private static bool SchemeActiveChanges(EntityEntry e) =>
        Equals(e.CurrentValues[nameof(Scheme.Status)], SchemeStatus.Active)
        || (e.State != EntityState.Added && Equals(e.OriginalValues[nameof(Scheme.Status)], SchemeStatus.Active));

    /// <summary>
    /// The stage of each (period, category), as this SaveChanges would leave it: a period status, a
    /// snapshot or a scoring closure changed in the same unit of work counts.
    /// </summary>
    internal static async Task<Dictionary<(string PeriodId, string Category), StageState>> StatesAsync(DbContext db,
        IReadOnlyCollection<(string PeriodId, string Category)> keys, bool sync, CancellationToken ct)
    {
        var result = new Dictionary<(string, string), StageState>();
        if (keys.Count == 0) return result;
        var ids = keys.Select(k => k.PeriodId).Distinct().ToList();
        async Task<List<T>> List<T>(IQueryable<T> q) => sync ? q.ToList() : await q.ToListAsync(ct);

        var periods = (await List(db.Set<Period>().AsNoTracking().Where(p => ids.Contains(p.Id)))).ToDictionary(p => p.Id);
        var statuses = periods.Values.ToDictionary(p => p.Id, p => p.Status);
        foreach (var e in db.ChangeTracker.Entries<Period>().Where(e => ids.Contains(e.Entity.Id)))
        {
            if (e.State == EntityState.Added) periods[e.Entity.Id] = e.Entity;
            if (e.State is EntityState.Added or EntityState.Modified) statuses[e.Entity.Id] = e.Entity.Status;
        }
        var published = (await List(db.Set<PublishedSnapshot>().AsNoTracking().Where(x => ids.Contains(x.PeriodId)).Select(x => new { x.PeriodId, x.Category }).Distinct()))
            .Select(x => (x.PeriodId, x.Category))
            .Concat(db.ChangeTracker.Entries<PublishedSnapshot>().Where(e => e.State == EntityState.Added).Select(e => (e.Entity.PeriodId, e.Entity.Category)))
            .ToHashSet();
        var closed = (await List(db.Set<ScoringClosure>().AsNoTracking().Where(x => ids.Contains(x.PeriodId)).Select(x => x.PeriodId)))
            .Concat(db.ChangeTracker.Entries<ScoringClosure>().Where(e => e.State == EntityState.Added).Select(e => e.Entity.PeriodId))
            .ToHashSet();
        foreach (var (periodId, category) in keys)
        {
            if (!periods.TryGetValue(periodId, out var p)) continue;
            var stage = StageOf(p.Kind, statuses[periodId], published.Contains((periodId, category)));
            result[(periodId, category)] = new StageState(periodId, category, p.Kind, stage, closed.Contains(periodId), p.Label(false), p.Label(true));
        }
        return result;
    }
}

/// <summary>
/// The stage guard under every SaveChanges, beside <see cref="ResultsRevisionInterceptor"/>: it works
/// out the (period, category) of every added, changed or deleted result input (facts and their
/// evidence, adjustment and veto events, the active scheme, annual settings, and what bulk writers
/// declare) and refuses the whole save when a stage does not allow it — so no write path can slip past
/// and nothing is half-written. On PostgreSQL it holds a share lock on the periods it checked until the
/// writer's transaction ends, so a publication that locks the period row for update waits for the
/// writes that passed and the writes that follow see it.
/// </summary>
public sealed class PeriodStageGuard : SaveChangesInterceptor
{
    public static readonly PeriodStageGuard Instance = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is { } db) CheckAsync(db, sync: true, default).GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
    {
        if (eventData.Context is { } db) await CheckAsync(db, sync: false, ct);
        return result;
    }

    private static async Task CheckAsync(DbContext db, bool sync, CancellationToken ct)
    {
        var writes = await PeriodStages.WritesAsync(db, sync, ct);
        if (writes.Count == 0) return;
        var keys = writes.Select(w => (w.PeriodId, w.Category)).Distinct().ToList();
        if (db is KaoheDbContext { IsPostgres: true } && db.Database.CurrentTransaction is not null)
        {
            // A period this save also changes (a period opened with its schemes) is locked for update at once: two such
            // saves taking a share lock first and then both updating the row would deadlock.
            var ids = keys.Select(k => k.PeriodId).Distinct().Order(StringComparer.Ordinal).ToList();
            var changed = db.ChangeTracker.Entries<Period>().Where(e => e.State == EntityState.Modified).Select(e => e.Entity.Id).ToHashSet();
            foreach (var (mode, set) in new[] { ("UPDATE", ids.Where(changed.Contains).ToArray()), ("SHARE", ids.Where(i => !changed.Contains(i)).ToArray()) })
            {
                if (set.Length == 0) continue;
                var sql = $"SELECT 1 FROM \"Periods\" WHERE \"Id\" = ANY({{0}}) FOR {mode}";
                if (sync) db.Database.ExecuteSqlRaw(sql, set);
                else await db.Database.ExecuteSqlRawAsync(sql, [set], ct);
            }
        }
        var states = await PeriodStages.StatesAsync(db, keys, sync, ct);
        foreach (var w in writes.OrderBy(w => w.PeriodId, StringComparer.Ordinal).ThenBy(w => w.Category, StringComparer.Ordinal).ThenBy(w => w.Input))
            if (states.TryGetValue((w.PeriodId, w.Category), out var s) && PeriodStages.Refusal(s, w.Input) is { } refusal)
                throw new PeriodStageException(refusal);
    }
}
