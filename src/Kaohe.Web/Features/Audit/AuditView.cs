using System.Globalization;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Audit;

/// <summary>
/// The audit trail's filters, applied in the database: by period, by unit, by actor and by action.
/// An entry names its entity by type and id, so "this unit's entries" are the entries whose entity
/// belongs to the unit (its facts, rectification items, appeals, adjustments, letters, accounts…).
/// </summary>
public sealed record AuditFilter(string? Period = null, string? Unit = null, string? Actor = null, string? Action = null)
{
    public IQueryable<AuditEntry> Apply(KaoheDbContext db, IQueryable<AuditEntry> q)
    {
        if (!string.IsNullOrWhiteSpace(Actor)) q = q.Where(e => e.Actor == Actor);
        if (!string.IsNullOrWhiteSpace(Action)) q = q.Where(e => e.Action == Action);
        if (!string.IsNullOrWhiteSpace(Unit))
        {
            var u = Unit;
            var inTally = "/" + u + "/";
            var facts = db.Facts.Where(f => f.UnitId == u).Select(f => f.Id.ToString());
            var items = db.RectificationItems.Where(i => i.UnitId == u).Select(i => i.Id.ToString());
            var appeals = db.Set<Appeal>().Where(a => a.UnitId == u).Select(a => a.Id.ToString());
            var adjustments = db.Set<AdjustmentEvent>().Where(a => a.UnitId == u).Select(a => a.Id.ToString());
            var letters = db.TargetLetters.Where(l => l.UnitId == u).Select(l => l.Id.ToString());
            var practices = db.Set<Practice>().Where(p => p.UnitId == u).Select(p => p.Id.ToString());
            var analyses = db.Set<CauseAnalysis>().Where(a => a.UnitId == u).Select(a => a.Id.ToString());
            var comments = db.Set<LeaderComment>().Where(c => c.UnitId == u).Select(c => c.Id.ToString());
            var users = db.Users.Where(x => x.UnitId == u).Select(x => x.UserName!);
            q = q.Where(e =>
                (e.EntityType == "fact" && (facts.Contains(e.EntityId) || e.EntityId.Contains(inTally)))
                || (e.EntityType == "rectification" && items.Contains(e.EntityId))
                || (e.EntityType == "appeal" && appeals.Contains(e.EntityId))
                || (e.EntityType == "adjustment" && adjustments.Contains(e.EntityId))
                || (e.EntityType == "target-letter" && letters.Contains(e.EntityId))
                || (e.EntityType == "practice" && practices.Contains(e.EntityId))
                || (e.EntityType == "cause-analysis" && analyses.Contains(e.EntityId))
                || (e.EntityType == "leader-comment" && comments.Contains(e.EntityId))
                || (e.EntityType == "user" && users.Contains(e.EntityId)));
        }
        if (!string.IsNullOrWhiteSpace(Period))
        {
            var p = Period;
            var under = p + "/";
            var facts = db.Facts.Where(f => f.PeriodId == p).Select(f => f.Id.ToString());
            var items = db.RectificationItems.Where(i => i.PeriodId == p).Select(i => i.Id.ToString());
            var appeals = db.Set<Appeal>().Where(a => a.PeriodId == p).Select(a => a.Id.ToString());
            var adjustments = db.Set<AdjustmentEvent>().Where(a => a.PeriodId == p).Select(a => a.Id.ToString());
            var practices = db.Set<Practice>().Where(x => x.PeriodId == p).Select(x => x.Id.ToString());
            var analyses = db.Set<CauseAnalysis>().Where(a => a.PeriodId == p).Select(a => a.Id.ToString());
            var comments = db.Set<LeaderComment>().Where(c => c.PeriodId == p).Select(c => c.Id.ToString());
            var schemes = db.Schemes.Where(s => s.PeriodId == p).Select(s => s.Id.ToString());
            var snapshots = db.Snapshots.Where(s => s.PeriodId == p).Select(s => s.Key);
            // An annual setting is keyed "2023-housing": it belongs to the annual period "2023" only.
            var annual = p.Contains('-') ? null : p + "-";
            q = q.Where(e =>
                ((e.EntityType == "period" || e.EntityType == "survey-questionnaire" || e.EntityType == "rectification") && (e.EntityId == p || e.EntityId.StartsWith(under)))
                || (e.EntityType == "fact" && (facts.Contains(e.EntityId) || e.EntityId.StartsWith(under)))
                || (e.EntityType == "rectification" && items.Contains(e.EntityId))
                || (e.EntityType == "appeal" && appeals.Contains(e.EntityId))
                || (e.EntityType == "adjustment" && adjustments.Contains(e.EntityId))
                || (e.EntityType == "practice" && practices.Contains(e.EntityId))
                || (e.EntityType == "cause-analysis" && analyses.Contains(e.EntityId))
                || (e.EntityType == "leader-comment" && comments.Contains(e.EntityId))
                || (e.EntityType == "scheme" && schemes.Contains(e.EntityId))
                || (e.EntityType == "snapshot" && snapshots.Contains(e.EntityId))
                || (annual != null && e.EntityType == "annual" && e.EntityId.StartsWith(annual)));
        }
        return q;
    }
}

/// <summary>One audit entry as an assessment official reads it: who, what (in words), on what (by name), which fields changed.</summary>
public sealed record AuditRow(long Sequence, DateTimeOffset At, string Actor, string ActionCode, string Action, string Entity, IReadOnlyList<string> Changes,
    string? Reason, string Hash);

/// <summary>
/// Turns audit entries into <see cref="AuditRow"/>s: names for units, periods, accounts, indicators and
/// the entities, looked up for one page at a time, and old → new values as field changes in words.
/// </summary>
public sealed class AuditReader(KaoheDbContext db, OfficeTime clock)
{
    public async Task<IReadOnlyList<AuditRow>> RowsAsync(IReadOnlyList<AuditEntry> entries, CancellationToken ct = default)
    {
        var names = await AuditNames.LoadAsync(db, entries, ct);
        return entries.Select(e => new AuditRow(e.Sequence, e.At, names.Actor(e.Actor), e.Action, Labels.AuditAction(e.Action), names.Entity(e.EntityType, e.EntityId),
            AuditChanges.Describe(e.Action, e.EntityType, e.OldValue, e.NewValue, names, clock), e.Reason, e.Hash)).ToList();
    }

    /// <summary>The people who appear in the trail, for the actor filter: account name → display name.</summary>
    public async Task<IReadOnlyList<(string Actor, string Name)>> ActorsAsync(CancellationToken ct = default)
    {
        var actors = await db.AuditEntries.AsNoTracking().Select(e => e.Actor).Distinct().ToListAsync(ct);
        var shown = await db.Users.AsNoTracking().Where(u => actors.Contains(u.UserName!)).ToDictionaryAsync(u => u.UserName!, u => u.DisplayName, ct);
        return actors.Select(a => (a, AuditNames.ActorName(a, shown.GetValueOrDefault(a)))).OrderBy(a => a.Item2, StringComparer.Ordinal).ToList();
    }
}

/// <summary>The names an audit page needs, read once per page.</summary>
public sealed class AuditNames
{
    private Dictionary<string, OrgUnit> _units = [];
    private Dictionary<string, Period> _periods = [];
    private Dictionary<string, (string Display, string? Unit)> _users = [];
    private Dictionary<long, (string Period, string Unit, string Indicator)> _facts = [];
    private readonly Dictionary<string, string> _unitOf = []; // "type:id" → unit id, for items, appeals, adjustments…
    private Dictionary<string, (string Unit, int Year)> _letters = [];
    private Dictionary<string, (string Name, int Version)> _schemes = [];
    private Dictionary<string, (string Period, string Category, int Version)> _snapshots = [];
    private readonly Dictionary<string, Dictionary<(UnitKind, string), string>> _indicators = [];

    private static bool English => Ui.IsEnglish;

    public static async Task<AuditNames> LoadAsync(KaoheDbContext db, IReadOnlyList<AuditEntry> entries, CancellationToken ct)
    {
        var n = new AuditNames
        {
            _units = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Id, ct),
            _periods = await db.Periods.AsNoTracking().ToDictionaryAsync(p => p.Id, ct),
        };
        List<long> Ids(string type) => entries.Where(e => e.EntityType == type).Select(e => long.TryParse(e.EntityId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1)
            .Where(id => id >= 0).Distinct().ToList();

        var userNames = entries.Select(e => e.Actor).Concat(entries.Where(e => e.EntityType == "user").Select(e => e.EntityId)).Distinct().ToList();
        n._users = (await db.Users.AsNoTracking().Where(u => userNames.Contains(u.UserName!)).Select(u => new { u.UserName, u.DisplayName, u.UnitId }).ToListAsync(ct))
            .ToDictionary(u => u.UserName!, u => (u.DisplayName, u.UnitId));

        var factIds = Ids("fact");
        n._facts = (await db.Facts.AsNoTracking().Where(f => factIds.Contains(f.Id)).Select(f => new { f.Id, f.PeriodId, f.UnitId, f.IndicatorId }).ToListAsync(ct))
            .ToDictionary(f => f.Id, f => (f.PeriodId, f.UnitId, f.IndicatorId ?? ""));
        foreach (var (p, _, _) in n._facts.Values.Concat(entries.Where(e => e.EntityType == "fact").Select(e => Tally(e.EntityId)).OfType<(string, string, string)>()).Distinct())
            n._indicators.TryAdd(p, await SchemeService.IndicatorNamesAsync(db, p, ct));

        async Task UnitsOf<T>(string type, IQueryable<T> set, Func<IQueryable<T>, List<long>, Task<List<(long, string)>>> read)
        {
            var ids = Ids(type);
            if (ids.Count == 0) return;
            foreach (var (id, unit) in await read(set, ids)) n._unitOf[Tag(type, id)] = unit;
        }
        await UnitsOf("rectification", db.RectificationItems.AsNoTracking(), async (s, ids) =>
            (await s.Where(i => ids.Contains(i.Id)).Select(i => new { i.Id, i.UnitId }).ToListAsync(ct)).Select(x => (x.Id, x.UnitId)).ToList());
        await UnitsOf("appeal", db.Set<Appeal>().AsNoTracking(), async (s, ids) =>
            (await s.Where(i => ids.Contains(i.Id)).Select(i => new { i.Id, i.UnitId }).ToListAsync(ct)).Select(x => (x.Id, x.UnitId)).ToList());
        await UnitsOf("adjustment", db.Set<AdjustmentEvent>().AsNoTracking(), async (s, ids) =>
            (await s.Where(i => ids.Contains(i.Id)).Select(i => new { i.Id, i.UnitId }).ToListAsync(ct)).Select(x => (x.Id, x.UnitId)).ToList());
        await UnitsOf("practice", db.Set<Practice>().AsNoTracking(), async (s, ids) =>
            (await s.Where(i => ids.Contains(i.Id)).Select(i => new { i.Id, i.UnitId }).ToListAsync(ct)).Select(x => (x.Id, x.UnitId)).ToList());
        await UnitsOf("cause-analysis", db.Set<CauseAnalysis>().AsNoTracking(), async (s, ids) =>
            (await s.Where(i => ids.Contains(i.Id)).Select(i => new { i.Id, i.UnitId }).ToListAsync(ct)).Select(x => (x.Id, x.UnitId)).ToList());
        await UnitsOf("leader-comment", db.Set<LeaderComment>().AsNoTracking(), async (s, ids) =>
            (await s.Where(i => ids.Contains(i.Id)).Select(i => new { i.Id, i.UnitId }).ToListAsync(ct)).Select(x => (x.Id, x.UnitId)).ToList());

        var letterIds = Ids("target-letter").Select(i => (int)i).ToList();
        n._letters = (await db.TargetLetters.AsNoTracking().Where(l => letterIds.Contains(l.Id)).Select(l => new { l.Id, l.UnitId, l.Year }).ToListAsync(ct))
            .ToDictionary(l => l.Id.ToString(CultureInfo.InvariantCulture), l => (l.UnitId, l.Year));
        var schemeIds = Ids("scheme").Select(i => (int)i).ToList();
        n._schemes = (await db.Schemes.AsNoTracking().Where(s => schemeIds.Contains(s.Id)).Select(s => new { s.Id, s.Name, s.Version }).ToListAsync(ct))
            .ToDictionary(s => s.Id.ToString(CultureInfo.InvariantCulture), s => (s.Name, s.Version));
        var keys = entries.Where(e => e.EntityType == "snapshot").Select(e => e.EntityId).Distinct().ToList();
        n._snapshots = (await db.Snapshots.AsNoTracking().Where(s => keys.Contains(s.Key)).Select(s => new { s.Key, s.PeriodId, s.Category, s.Version }).ToListAsync(ct))
            .ToDictionary(s => s.Key, s => (s.PeriodId, s.Category, s.Version));
        return n;
    }

    private static string Tag(string type, long id) => type + ":" + id.ToString(CultureInfo.InvariantCulture);

    /// <summary>A survey tally's entity id: "period/unit/indicator".</summary>
    private static (string Period, string Unit, string Indicator)? Tally(string id) => id.Split('/') is [var p, var u, var i] ? (p, u, i) : null;

    public static string ActorName(string actor, string? display) => actor switch
    {
        "system" => Ui.T("系统", "system"),
        _ when actor.StartsWith("platform:", StringComparison.Ordinal) => Ui.T("外部平台 ", "platform ") + actor["platform:".Length..],
        _ => string.IsNullOrWhiteSpace(display) ? actor : display,
    };

    public string Actor(string actor) => ActorName(actor, _users.TryGetValue(actor, out var u) ? u.Display : null);

    public string? UnitName(string? id) => id is not null && _units.TryGetValue(id, out var u) ? English ? u.NameEn : u.Name : null;

    public string? PeriodLabel(string? id) => id is not null && _periods.TryGetValue(id, out var p) ? p.Label(English) : null;

    private string Indicator(string period, string unit, string indicator) =>
        _units.TryGetValue(unit, out var u) && _indicators.TryGetValue(period, out var names) && names.TryGetValue((u.Kind, indicator), out var name)
            ? $"{indicator} {name}" : indicator;

    private string Fact(string period, string unit, string indicator) => indicator.Length == 0
        ? $"{UnitName(unit) ?? unit} · {PeriodLabel(period) ?? period}"
        : $"{UnitName(unit) ?? unit} · {Indicator(period, unit, indicator)} · {PeriodLabel(period) ?? period}";

    /// <summary>The entity by name: a fact as unit · indicator · period, an account by its person, a period by its label.</summary>
    public string Entity(string type, string id)
    {
        var kind = Labels.AuditEntity(type);
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number);
        switch (type)
        {
            case "fact" when _facts.TryGetValue(number, out var f):
                return Fact(f.Period, f.Unit, f.Indicator);
            case "fact" when Tally(id) is { } t:
                return Fact(t.Period, t.Unit, t.Indicator);
            case "user" when _users.TryGetValue(id, out var u):
                return UnitName(u.Unit) is { } unit ? $"{u.Display}（{unit}）" : u.Display;
            case "target-letter" when _letters.TryGetValue(id, out var l):
                return $"{UnitName(l.Unit) ?? l.Unit} · " + Ui.T($"{l.Year}年目标责任书", $"target letter {l.Year}");
            case "scheme" when _schemes.TryGetValue(id, out var s):
                return s.Name + Ui.T($"（第{s.Version}版）", $" (version {s.Version})");
            case "snapshot" when _snapshots.TryGetValue(id, out var snap):
                return $"{PeriodLabel(snap.Period) ?? snap.Period} · {Categories.Name(snap.Category, English)} · " + Ui.T($"第{snap.Version}版", $"version {snap.Version}");
            case "annual" when id.Split('-', 2) is [var year, var category]:
                return Ui.T($"{year}年度", $"{year} annual") + " · " + Categories.Name(category, English);
            case "rectification-policy":
                return Categories.Name(id, English) + " · " + kind;
        }
        if (_unitOf.TryGetValue(Tag(type, number), out var owner))
            // The record's number, said as 编号 (an auditor needs to tell two items of one unit apart), not "#541".
            return $"{UnitName(owner) ?? owner} · {kind}" + Ui.T($"（编号 {id}）", $" (no. {id})");
        if (PeriodLabel(id) is { } period) return type == "period" ? period : $"{period} · {kind}";
        if (id.Split('/', 2) is [var pid, var rest] && PeriodLabel(pid) is { } label)
            return $"{label} · {kind} {rest}";
        if (id == "demo") return Ui.T("演示数据", "demo data");
        return $"{kind} {id}";
    }

    /// <summary>A value in words: a unit or period id by name, a category by name, a status of the entity's kind, a time in office time.</summary>
    public string Value(string entityType, string field, string value, OfficeTime? clock)
    {
        if (UnitName(value) is { } unit) return unit;
        if (PeriodLabel(value) is { } period) return period;
        if (Categories.Find(value) is not null) return Categories.Name(value, English);
        var key = field.ToLowerInvariant();
        if (key is "status" or "oldstatus" or "state" && Labels.Status(entityType, value) is { } status) return status;
        if (key == "source") return value == FactSources.Demo ? Ui.T("演示数据", "demo") : Labels.Source(value);
        if (key == "role") return Labels.Role(value);
        if (key == "kind" && Enum.TryParse<FactKind>(value, out var fk)) return Labels.Of(fk);
        if (key == "sourcekind") return Labels.ItemSource(value);
        if (key == "severity") return Labels.Severity(value);
        if (value.Length == 64 && value.All(char.IsAsciiHexDigit)) return value[..12] + "…";
        if (value.Length > 10 && value[10] == 'T' && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && clock is not null)
            return clock.Format(at);
        return value.Length > 60 ? value[..60] + "…" : value;
    }
}

/// <summary>
/// Old → new as field changes in words ("数值：15 → 18", "状态：已提交 → 已核验"), from the JSON (or the
/// plain text) the trail stores. The stored values stay as they are: the hash chain covers them.
/// </summary>
public static class AuditChanges
{
    private const int MaxLines = 8;
    private const int MaxItems = 5;

    /// <summary>Wrappers whose content is shown as if it were at the top (a fact's payload, a letter's content).</summary>
    private static readonly HashSet<string> Transparent = new(StringComparer.OrdinalIgnoreCase) { "payload", "content", "document" };

    /// <summary>Fields kept for machines (retries, offline clients, the link to a source row, the demo mark) that say nothing to a reader.</summary>
    private static readonly HashSet<string> Hidden = new(StringComparer.OrdinalIgnoreCase) { "idempotencyKey", "clientId", "photoClientId", "sourceRef", "demo" };

    public static IReadOnlyList<string> Describe(string action, string entityType, string? oldValue, string? newValue, AuditNames names, OfficeTime? clock = null)
    {
        // A superseded value points at the fact that replaced it: the number means nothing to a person.
        if (action == "report.supersede")
            return [Ui.T("状态：", "status: ") + (oldValue is null ? "" : names.Value(entityType, "status", oldValue, clock) + " → ") + Ui.T("已被新提交的数据取代", "superseded by a new submission")];
        var before = Flatten(oldValue);
        var after = Flatten(newValue);
        var lines = new List<string>();
        foreach (var key in after.Keys.Concat(before.Keys).Distinct())
        {
            var o = before.GetValueOrDefault(key);
            var n = after.GetValueOrDefault(key);
            if (o == n || Hidden.Contains(key[(key.LastIndexOf('.') + 1)..])) continue;
            var label = key.Length == 0 ? ScalarLabel(action, entityType, o ?? n!) : string.Join(" · ", key.Split('.').Select(Field));
            var field = key.Length == 0 ? "status" : key[(key.LastIndexOf('.') + 1)..];
            string V(string v) => names.Value(entityType, field, v, clock);
            lines.Add(o is null ? $"{label}：{V(n!)}" : n is null ? $"{label}：{V(o)} → —" : $"{label}：{V(o)} → {V(n)}");
        }
        if (lines.Count > MaxLines)
        {
            var more = lines.Count - MaxLines;
            lines = [.. lines.Take(MaxLines), Ui.T($"……另有 {more} 处变化", $"… and {more} more changes")];
        }
        return lines;
    }

    private static string ScalarLabel(string action, string entityType, string value) => action switch
    {
        "period.deadline" => Ui.T("报送截止日期", "report deadline"),
        _ => Labels.Status(entityType, value) is not null ? Ui.T("状态", "status") : Ui.T("内容", "content"),
    };

    /// <summary>Field path → value as text (null where the JSON has null); "" is the path of a plain value.</summary>
    private static Dictionary<string, string?> Flatten(string? stored)
    {
        var into = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (stored is null) return into;
        if (Parse(stored) is { } json) Walk(json, "", into, 0);
        else into[""] = stored;
        return into;
    }

    private static JsonElement? Parse(string s)
    {
        var t = s.TrimStart();
        if (t.Length == 0 || t[0] is not ('{' or '[' or '"')) return null;
        try
        {
            using var doc = JsonDocument.Parse(s);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void Walk(JsonElement e, string path, Dictionary<string, string?> into, int depth)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object when depth < 3:
                foreach (var p in e.EnumerateObject())
                    Walk(p.Value, Transparent.Contains(p.Name) && path.Length == 0 ? path : Join(path, p.Name), into, depth + 1);
                break;
            case JsonValueKind.Object:
                into[path] = Ui.T($"{e.EnumerateObject().Count()} 项内容", $"{e.EnumerateObject().Count()} fields");
                break;
            case JsonValueKind.Array:
                var items = e.EnumerateArray().ToList();
                if (items.All(i => i.ValueKind is JsonValueKind.String or JsonValueKind.Number))
                {
                    var shown = string.Join("、", items.Take(MaxItems).Select(Scalar));
                    into[path] = items.Count > MaxItems ? shown + Ui.T($" 等 {items.Count} 项", $" and {items.Count - MaxItems} more") : items.Count == 0 ? "—" : shown;
                }
                else into[path] = Ui.T($"{items.Count} 项", $"{items.Count} items");
                break;
            case JsonValueKind.String when Parse(e.GetString()!) is { } inner && inner.ValueKind is JsonValueKind.Object or JsonValueKind.Array:
                Walk(inner, path, into, depth);
                break;
            case JsonValueKind.Null:
                into[path] = null;
                break;
            case JsonValueKind.True:
                into[path] = Ui.T("是", "yes");
                break;
            case JsonValueKind.False:
                into[path] = Ui.T("否", "no");
                break;
            default:
                into[path] = Scalar(e);
                break;
        }
    }

    private static string Scalar(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    /// <summary>A field of an audit value in words; a name without a label shows as it is stored.</summary>
    public static string Field(string name) =>
        Labels.AuditFields.TryGetValue(name, out var l) ? Ui.T(l.Zh, l.En) : name;
}
