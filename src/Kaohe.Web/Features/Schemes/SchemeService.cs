using System.Text.Json;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Schemes;

public sealed record SchemeOutcome(Scheme? Scheme, Failure? Failure)
{
    public static implicit operator SchemeOutcome(Scheme s) => new(s, null);
    public static implicit operator SchemeOutcome(Failure f) => new(null, f);
}

/// <summary>
/// 考核方案 management for the office: create, clone from the previous period, edit drafts, validate
/// with the engine before activation, and version: an active scheme is never edited in place.
/// </summary>
public sealed class SchemeService(KaoheDbContext db, AuditLog audit, TimeProvider clock)
{
    /// <summary>A stored scheme's tree: version 1, or version 2 with its measures and formula leaves (scoring-format.md).</summary>
    public static SchemeReadResult Parse(Scheme s) => KaoheFile.ReadScheme(s.Document);

    /// <summary>Leaf and node names per unit kind, from the active schemes of the period (an indicator id means different things per category).</summary>
    public static async Task<Dictionary<(UnitKind, string), string>> IndicatorNamesAsync(KaoheDbContext db, string periodId, CancellationToken ct = default)
    {
        var map = new Dictionary<(UnitKind, string), string>();
        var schemes = await db.Schemes.AsNoTracking().Where(s => s.PeriodId == periodId && s.Status == SchemeStatus.Active).ToListAsync(ct);
        foreach (var s in schemes.OrderBy(s => s.Version))
        {
            var cat = Categories.Find(s.Category);
            var tree = Parse(s);
            if (cat is null || !tree.IsValid) continue;
            void Walk(IEnumerable<Indicator> nodes)
            {
                foreach (var n in nodes) { map[(cat.Kind, n.Id)] = n.Name; Walk(n.ChildList); }
            }
            Walk(tree.Indicators!);
        }
        return map;
    }

    /// <summary>A scheme read back as the canonical document of a period: version 2 when it has measures or formulas, else version 1 byte for byte.</summary>
    public static string Write(string periodId, SchemeReadResult read) => KaoheFile.WriteScheme(periodId, read.Indicators!, read.Rules!, read.Measures);

    public static IReadOnlyDictionary<string, string> RuleTexts(Scheme s) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(s.RuleTextsJson) ?? [];

    public async Task<SchemeOutcome> CreateAsync(string category, string periodId, string name, string document, IReadOnlyDictionary<string, string>? ruleTexts, CancellationToken ct = default)
    {
        if (Categories.Find(category) is null)
            return Failure.Invalid($"类别 \"{category}\" 不存在", $"category \"{category}\" does not exist");
        if (!await db.Periods.AnyAsync(p => p.Id == periodId, ct))
            return Failure.Invalid($"考核期 \"{periodId}\" 不存在", $"period \"{periodId}\" does not exist");
        var read = KaoheFile.ReadScheme(document);
        if (!read.IsValid) return Failure.Validation("方案有误，未保存", "the scheme is invalid; nothing was stored", read.Errors);
        var version = await db.Schemes.Where(s => s.Category == category && s.PeriodId == periodId).MaxAsync(s => (int?)s.Version, ct) ?? 0;
        var scheme = new Scheme(category, periodId, version + 1, name, Write(periodId, read),
            JsonSerializer.Serialize(ruleTexts ?? new Dictionary<string, string>(), AuditChain.Json), audit.Actor, clock.GetUtcNow());
        db.Schemes.Add(scheme);
        audit.Record("scheme.create", "scheme", () => scheme.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
            new { scheme.Category, scheme.PeriodId, scheme.Version, scheme.Name });
        await audit.SaveAsync(ct);
        return scheme;
    }

    /// <summary>Changes a draft's tree. The document is validated whole; when it is invalid nothing changes.</summary>
    public async Task<SchemeOutcome> EditAsync(int id, string document, IReadOnlyDictionary<string, string>? ruleTexts, string? reason, CancellationToken ct = default)
    {
        var scheme = await db.Schemes.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (scheme is null) return Failure.NotFound("方案不存在", "no such scheme");
        if (scheme.Status != SchemeStatus.Draft)
            return Failure.Invalid("已启用的方案不能直接修改，请先生成新版本", "an active scheme is never edited in place: make a new version first");
        var read = KaoheFile.ReadScheme(document);
        if (!read.IsValid) return Failure.Validation("方案有误，未保存", "the scheme is invalid; nothing was stored", read.Errors);
        var old = scheme.Document;
        scheme.Edit(Write(scheme.PeriodId, read),
            ruleTexts is null ? scheme.RuleTextsJson : JsonSerializer.Serialize(ruleTexts, AuditChain.Json));
        audit.Record("scheme.edit", "scheme", scheme.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), old, scheme.Document, reason);
        await audit.SaveAsync(ct);
        return scheme;
    }

    /// <summary>Validates with the engine and activates; the previously active version of the category and period is archived.</summary>
    public async Task<SchemeOutcome> ActivateAsync(int id, CancellationToken ct = default)
    {
        var scheme = await db.Schemes.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (scheme is null) return Failure.NotFound("方案不存在", "no such scheme");
        if (scheme.Status != SchemeStatus.Draft) return Failure.Invalid("只有草稿可以启用", "only a draft can be activated");
        var read = Parse(scheme);
        if (!read.IsValid) return Failure.Validation("方案校验未通过，不能启用", "the scheme does not validate and cannot be activated", read.Errors);
        foreach (var previous in await db.Schemes.Where(s => s.Category == scheme.Category && s.PeriodId == scheme.PeriodId && s.Status == SchemeStatus.Active).ToListAsync(ct))
        {
            previous.Archive();
            audit.Record("scheme.archive", "scheme", previous.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "Active", "Archived", $"superseded by version {scheme.Version}");
        }
        scheme.Activate(clock.GetUtcNow());
        audit.Record("scheme.activate", "scheme", scheme.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "Draft", "Active");
        await audit.SaveAsync(ct);
        return scheme;
    }

    /// <summary>A new draft version of a scheme, to change what is active without touching it.</summary>
    public async Task<SchemeOutcome> NewVersionAsync(int id, CancellationToken ct = default)
    {
        var source = await db.Schemes.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct);
        if (source is null) return Failure.NotFound("方案不存在", "no such scheme");
        return await CopyAsync(source, source.PeriodId, "scheme.version", ct);
    }

    /// <summary>Clones a scheme into another period (e.g. from the previous quarter) as a draft.</summary>
    public async Task<SchemeOutcome> CloneAsync(int id, string toPeriod, CancellationToken ct = default)
    {
        var source = await db.Schemes.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct);
        if (source is null) return Failure.NotFound("方案不存在", "no such scheme");
        if (!await db.Periods.AnyAsync(p => p.Id == toPeriod, ct))
            return Failure.Invalid($"考核期 \"{toPeriod}\" 不存在", $"period \"{toPeriod}\" does not exist");
        return await CopyAsync(source, toPeriod, "scheme.clone", ct);
    }

    private async Task<SchemeOutcome> CopyAsync(Scheme source, string periodId, string action, CancellationToken ct)
    {
        var read = Parse(source);
        if (!read.IsValid) return Failure.Validation("源方案有误", "the source scheme is invalid", read.Errors);
        var version = await db.Schemes.Where(s => s.Category == source.Category && s.PeriodId == periodId).MaxAsync(s => (int?)s.Version, ct) ?? 0;
        var copy = new Scheme(source.Category, periodId, version + 1, source.Name, Write(periodId, read),
            source.RuleTextsJson, audit.Actor, clock.GetUtcNow(), source.Id);
        db.Schemes.Add(copy);
        audit.Record(action, "scheme", () => copy.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            new { from = source.Id }, new { copy.Category, copy.PeriodId, copy.Version });
        await audit.SaveAsync(ct);
        return copy;
    }
}
