using System.Globalization;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Schemes;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Insight;

/// <summary>
/// Changes to a sandbox's scheme: points (weights) by node id, method parameters (efficacy base/span,
/// rater weights) by leaf id, and the commend/criticise counts. With <see cref="Normalize"/>, the
/// children of every "sum" node are rescaled to add up to their parent, so that changing one weight
/// keeps the tree valid (the others give way in proportion).
/// </summary>
public sealed record WhatIfChanges(
    Dictionary<string, double>? Points = null,
    Dictionary<string, double>? EfficacyBase = null,
    Dictionary<string, double>? EfficacySpan = null,
    Dictionary<string, Dictionary<string, double>>? RaterWeights = null,
    int? Commend = null,
    int? Criticize = null,
    bool Normalize = true);

public sealed record WhatIfRow(string Unit, string Name, string Group, int BeforeRank, double BeforeTotal, int AfterRank, double AfterTotal,
    bool BeforeCommended, bool AfterCommended, bool BeforeCriticized, bool AfterCriticized)
{
    /// <summary>Places gained (positive) or lost (negative).</summary>
    public int Movement => BeforeRank - AfterRank;
}

public sealed record WhatIfComparison(string PeriodId, string Category, int BaseSchemeId, int RankDecimals, IReadOnlyList<WhatIfRow> Rows);

/// <param name="Unfinished">When the live data is incomplete: who is missing what, for the page (the API keeps the errors).</param>
public sealed record WhatIfFailure(string Zh, string En, IReadOnlyList<ValidationError> Errors, int Status = 400, Results.Unfinished? Unfinished = null);

/// <summary>
/// 测算沙盘 (what-if): a sandbox copy of a category's active scheme, computed against the period's
/// current facts and compared side by side with the live ranking. Previewing writes nothing; storing a
/// sandbox writes only the sandbox (audited); only <see cref="SaveAsSchemeVersionAsync"/> makes a new
/// scheme version, as a draft, through <see cref="SchemeService"/>, and the office activates it there.
/// </summary>
public sealed class WhatIfService(KaoheDbContext db, ResultsStore store, SchemeService schemes, AuditLog audit, TimeProvider clock)
{
    public static string Apply(string document, string periodId, WhatIfChanges changes, out IReadOnlyList<ValidationError> errors)
    {
        var read = KaoheFile.ReadScheme(document);
        if (!read.IsValid) { errors = read.Errors; return document; }
        var problems = new List<ValidationError>();
        var known = new HashSet<string>(StringComparer.Ordinal);
        void Collect(IEnumerable<Indicator> nodes) { foreach (var n in nodes) { known.Add(n.Id); Collect(n.ChildList); } }
        Collect(read.Indicators!);
        void Check<T>(Dictionary<string, T>? map, string name)
        {
            foreach (var id in map?.Keys ?? Enumerable.Empty<string>())
                if (!known.Contains(id)) problems.Add(new ValidationError($"$.{name}.{id}", $"指标 \"{id}\" 不存在", $"indicator \"{id}\" does not exist"));
        }
        Check(changes.Points, "points");
        Check(changes.EfficacyBase, "efficacyBase");
        Check(changes.EfficacySpan, "efficacySpan");
        Check(changes.RaterWeights, "raterWeights");
        // Every number within the engine's magnitude (Validator.MaxMagnitude), so that no sum or rescaling of the tree can overflow.
        foreach (var (id, p) in changes.Points ?? [])
            if (!double.IsFinite(p) || p < 0 || p > Validator.MaxMagnitude) problems.Add(new ValidationError($"$.points.{id}", "分值须为非负数（不超过 10^15）", "points must be a non-negative number (at most 10^15)"));
        void Bounded(Dictionary<string, double>? map, string name)
        {
            foreach (var (id, v) in map ?? [])
                if (!double.IsFinite(v) || Math.Abs(v) > Validator.MaxMagnitude) problems.Add(new ValidationError($"$.{name}.{id}", "须为有限数（绝对值不超过 10^15）", "must be a finite number (at most 10^15 in magnitude)"));
        }
        Bounded(changes.EfficacyBase, "efficacyBase");
        Bounded(changes.EfficacySpan, "efficacySpan");
        foreach (var (id, weights) in changes.RaterWeights ?? []) Bounded(weights, $"raterWeights.{id}");
        if (changes.Commend is < 0) problems.Add(new ValidationError("$.commend", "表扬名额不能为负", "commend may not be negative"));
        if (changes.Criticize is < 0) problems.Add(new ValidationError("$.criticize", "批评名额不能为负", "criticize may not be negative"));
        if (problems.Count > 0) { errors = problems; return document; }

        Indicator Change(Indicator n)
        {
            var points = changes.Points is not null && changes.Points.TryGetValue(n.Id, out var p) ? p : n.Points;
            var method = n.Method;
            if (method is EfficacyMethod e)
            {
                if (changes.EfficacyBase?.TryGetValue(n.Id, out var b) == true) e = e with { Base = b };
                if (changes.EfficacySpan?.TryGetValue(n.Id, out var s) == true) e = e with { Span = s };
                method = e;
            }
            if (method is RatersMethod r && changes.RaterWeights?.TryGetValue(n.Id, out var weights) == true)
                method = new RatersMethod([.. r.Raters.Select(x => weights.TryGetValue(x.Id, out var w) ? x with { Weight = w } : x)]);
            if (method is DeductionMethod { MaxDeduction: { } md } d && n.Points > 0 && points != n.Points)
                method = d with { MaxDeduction = md * points / n.Points };
            return n with { Points = points, Method = method, Children = n.IsLeaf ? n.Children : [.. n.ChildList.Select(Change)] };
        }
        Indicator Rescale(Indicator n)
        {
            if (n.IsLeaf) return n;
            var children = n.ChildList;
            var sum = children.Sum(c => c.Points);
            if (changes.Normalize && n.Combine == Combine.Sum && sum > 0 && Math.Abs(sum - n.Points) > 1e-9)
            {
                var scaled = children.Select(c => ScaleLeaf(c, c.Points * n.Points / sum)).ToList();
                // The last child takes the rounding remainder so that the sum is exact.
                var rest = n.Points - scaled.Take(scaled.Count - 1).Sum(c => c.Points);
                scaled[^1] = ScaleLeaf(children[^1], Math.Max(0, rest));
                children = scaled;
            }
            return n with { Children = [.. children.Select(Rescale)] };
        }
        static Indicator ScaleLeaf(Indicator c, double points)
        {
            var f = c.Points > 0 ? points / c.Points : 1;
            var method = c.Method is DeductionMethod { MaxDeduction: { } md } d ? d with { MaxDeduction = md * f } : c.Method;
            return c with { Points = points, Method = method };
        }
        var changed = read.Indicators!.Select(Change).ToList();
        // The aspects give way to each other too: the total stays what the scheme had.
        var total = read.Indicators!.Sum(n => n.Points);
        var indicators = Rescale(Indicator.Node("$", "", total, Combine.Sum, [.. changed])).ChildList.ToList();
        var rules = read.Rules! with
        {
            Commend = changes.Commend ?? read.Rules!.Commend,
            Criticize = changes.Criticize ?? read.Rules!.Criticize,
        };
        // The changed tree is checked before it is written: whatever the changes did, the writer only sees a valid scheme.
        if ((read.Version == 2 ? Validator.ValidateScheme(indicators, rules, read.Measures) : Validator.ValidateScheme(indicators, rules)) is { Count: > 0 } invalid)
        {
            errors = invalid;
            return document;
        }
        var written = KaoheFile.WriteScheme(periodId, indicators, rules, read.Measures);
        var check = KaoheFile.ReadScheme(written);
        errors = check.Errors;
        return written;
    }

    /// <summary>
    /// Computes a scheme document against the period's current data and compares it with the live ranking
    /// (the results store's draft, which is the baseline). Writes nothing.
    /// </summary>
    public async Task<(WhatIfComparison? Comparison, WhatIfFailure? Failure)> CompareAsync(string periodId, string category, string document, CancellationToken ct = default)
    {
        var live = await store.DraftAsync(db, periodId, category, ct);
        if (live is null || live.NoScheme || live.Scheme is not { } scheme) return (null, new WhatIfFailure("该考核期和考核对象没有已启用的方案", "no active scheme for this period and category", [], 404));
        if (!live.Scored)
            return (null, new WhatIfFailure("当前数据尚不完整，不能计算", "the current data is incomplete and cannot be computed", live.Errors,
                Unfinished: await Results.Unfinished.OfAsync(db, periodId, live.Errors, live.Assessment, ct: ct)));
        var read = KaoheFile.ReadScheme(document);
        if (!read.IsValid) return (null, new WhatIfFailure("沙盘方案有误", "the sandbox scheme is invalid", read.Errors));
        // The same data under the sandbox's weights and parameters (a sandbox keeps the scheme's indicators).
        var sandbox = live.Assessment! with { Indicators = read.Indicators!, Rules = read.Rules! };
        var after = Engine.Score(ScaleDirectScores(live.Assessment!, sandbox));
        if (after.Result is null) return (null, new WhatIfFailure("沙盘方案与当前数据不符，不能计算", "the sandbox scheme does not fit the current data", after.Errors));
        var afterById = after.Result.Units.ToDictionary(u => u.Id, StringComparer.Ordinal);
        var rows = live.Units
            .Select(b => (b, a: afterById[b.Id]))
            .Select(x => new WhatIfRow(x.b.Id, x.b.Name, x.b.Group, x.b.Rank, x.b.Total, x.a.Rank, x.a.Total,
                x.b.Commended, x.a.Commended, x.b.Criticized, x.a.Criticized))
            .OrderBy(r => r.Group, StringComparer.Ordinal).ThenBy(r => r.AfterRank).ThenBy(r => r.Unit, StringComparer.Ordinal).ToList();
        return (new WhatIfComparison(periodId, category, scheme.Id, read.Rules!.RankDecimals, rows), null);
    }

    /// <summary>
    /// A direct score (直接打分) is given in points out of its leaf's points: when the sandbox changes
    /// that leaf's points, the score is scaled in proportion (as the robustness analysis does), so that
    /// the rater's judgement keeps its meaning and stays within [0, points].
    /// </summary>
    public static Assessment ScaleDirectScores(Assessment live, Assessment sandbox)
    {
        var before = IndicatorTree.Leaves(live.Indicators).Where(l => l.Method is DirectMethod).ToDictionary(l => l.Id, l => l.Points, StringComparer.Ordinal);
        var factor = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var leaf in IndicatorTree.Leaves(sandbox.Indicators).Where(l => l.Method is DirectMethod))
            if (before.TryGetValue(leaf.Id, out var old) && old > 0 && old != leaf.Points) factor[leaf.Id] = leaf.Points / old;
        if (factor.Count == 0) return sandbox;
        return sandbox with
        {
            Values = [.. sandbox.Values.Select(v => v.Value is { } x && factor.TryGetValue(v.Indicator, out var f) ? v with { Value = x * f } : v)],
        };
    }

    public async Task<(WhatIfSandbox? Sandbox, WhatIfFailure? Failure)> CreateAsync(string periodId, string category, string? name, CancellationToken ct = default)
    {
        if (Categories.Find(category) is null)
            return (null, new WhatIfFailure($"类别 \"{category}\" 不存在", $"category \"{category}\" does not exist", [new("$.category", "不存在", "does not exist")]));
        var scheme = await db.Schemes.AsNoTracking()
            .Where(s => s.PeriodId == periodId && s.Category == category && s.Status == SchemeStatus.Active)
            .OrderByDescending(s => s.Version).FirstOrDefaultAsync(ct);
        if (scheme is null) return (null, new WhatIfFailure("该考核期和考核对象没有已启用的方案", "no active scheme for this period and category", [new("$.period", "无已启用方案", "no active scheme")], 404));
        var sandbox = new WhatIfSandbox(periodId, category, scheme.Id,
            string.IsNullOrWhiteSpace(name) ? $"{Categories.Name(category, false)} 测算 v{scheme.Version}" : name.Trim(), scheme.Document, audit.Actor, clock.GetUtcNow());
        db.Set<WhatIfSandbox>().Add(sandbox);
        audit.Record("whatif.create", "whatif", () => sandbox.Id.ToString(CultureInfo.InvariantCulture), null, new { periodId, category, baseScheme = scheme.Id, sandbox.Name });
        await audit.SaveAsync(ct);
        return (sandbox, null);
    }

    /// <summary>Stores changes in the sandbox itself (and nothing else).</summary>
    public async Task<(WhatIfSandbox? Sandbox, WhatIfFailure? Failure)> EditAsync(long id, string? name, WhatIfChanges changes, CancellationToken ct = default)
    {
        var sandbox = await db.Set<WhatIfSandbox>().FirstOrDefaultAsync(s => s.Id == id, ct);
        if (sandbox is null) return (null, new WhatIfFailure("沙盘不存在", "no such sandbox", [], 404));
        var document = Apply(sandbox.Document, sandbox.PeriodId, changes, out var errors);
        if (errors.Count > 0) return (null, new WhatIfFailure("调整有误，未保存", "the changes are invalid; nothing was stored", errors));
        var old = sandbox.Document;
        sandbox.Edit(string.IsNullOrWhiteSpace(name) ? sandbox.Name : name.Trim(), document, clock.GetUtcNow());
        audit.Record("whatif.edit", "whatif", id.ToString(CultureInfo.InvariantCulture), old, document);
        await audit.SaveAsync(ct);
        return (sandbox, null);
    }

    /// <summary>Saves the sandbox as a new draft version of its scheme (SchemeService: new version, then edit, each audited).</summary>
    public async Task<(Scheme? Scheme, WhatIfFailure? Failure)> SaveAsSchemeVersionAsync(long id, CancellationToken ct = default)
    {
        var sandbox = await db.Set<WhatIfSandbox>().FirstOrDefaultAsync(s => s.Id == id, ct);
        if (sandbox is null) return (null, new WhatIfFailure("沙盘不存在", "no such sandbox", [], 404));
        var read = KaoheFile.ReadScheme(sandbox.Document);
        if (!read.IsValid) return (null, new WhatIfFailure("沙盘方案有误", "the sandbox scheme is invalid", read.Errors));
        var version = await schemes.NewVersionAsync(sandbox.BaseSchemeId, ct);
        if (version.Failure is { } f) return (null, new WhatIfFailure(f.Zh, f.En, f.Paths()));
        var edited = await schemes.EditAsync(version.Scheme!.Id, sandbox.Document, null, $"测算沙盘 {sandbox.Id}「{sandbox.Name}」 / what-if sandbox {sandbox.Id}", ct);
        if (edited.Failure is { } g) return (null, new WhatIfFailure(g.Zh, g.En, g.Paths()));
        sandbox.SavedAs(edited.Scheme!.Id, clock.GetUtcNow());
        audit.Record("whatif.save-as-version", "whatif", id.ToString(CultureInfo.InvariantCulture), null,
            new { scheme = edited.Scheme.Id, edited.Scheme.Version, status = edited.Scheme.Status.ToString() });
        await audit.SaveAsync(ct);
        return (edited.Scheme, null);
    }
}
