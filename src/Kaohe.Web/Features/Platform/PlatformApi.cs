using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Platform;

public sealed record PlatformRecordResult(int Index, string Key, long Id, string Status, string UnitId, string IndicatorId, string Source, string Platform);

public sealed record PlatformBatchResult(string Period, string Platform, int Stored, int AlreadyStored, IReadOnlyList<PlatformRecordResult> Records);

/// <summary>One checked record of a batch.</summary>
/// <remarks><paramref name="Measure"/>: the record is a base figure of a version 2 scheme (<c>"measure"</c> instead of <c>"indicator"</c>); <paramref name="Indicator"/> then holds the measure id.</remarks>
internal sealed record PlatformRecord(int Index, string Key, string Unit, string Indicator, double Value, double? Target, DateTimeOffset? ObservedAt, bool Measure = false)
{
    public string IdempotencyKey(int apiKeyId) => PlatformApi.IdempotencyKey(apiKeyId, Key);
}

/// <summary>
/// 利用大数据进行考核: the platforms (智慧工地平台, 信息归集平台, 线上施工许可审批) push indicator values, and
/// base figures of a version 2 scheme (<c>"measure"</c> instead of <c>"indicator"</c>, checked by <see cref="MeasureRules"/>), in
/// batches with an API key limited to named indicators. A batch is all-or-nothing; every record has an
/// idempotency key, so a retried (or concurrently repeated) batch is stored once. See docs/platform.md.
/// </summary>
public static class PlatformApi
{
    public const int MaxRecords = 1000;
    public const int MaxKeyLength = 150;

    /// <summary>The fact's unique idempotency key includes the API key's id, so two platforms' record keys never collide.</summary>
    public static string IdempotencyKey(int apiKeyId, string recordKey) => $"api:{apiKeyId.ToString(CultureInfo.InvariantCulture)}:{recordKey}";

    public static void MapPlatformApi(this RouteGroupBuilder api)
    {
        api.MapPost("/facts", Push).RequireAuthorization(Policies.Platform).WritesPeriodInputs(PeriodInput.Data)
            .Accepts<JsonElement>("application/json")
            .ProducesFailures(FailureKind.Invalid, FailureKind.Forbidden, FailureKind.Conflict)
            .WithSummary("平台批量推送考核数据（X-Api-Key；全部成功或全部不保存；每条记录带幂等键）/ a platform pushes values in a batch (X-Api-Key; all or nothing; idempotent per record)");
    }

    private static async Task<Results<Ok<PlatformBatchResult>, ProblemHttpResult>> Push(HttpRequest request, ClaimsPrincipal user, IServiceScopeFactory scopes, CancellationToken ct)
    {
        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(request.Body, default, ct);
        }
        catch (JsonException e)
        {
            // The request body is the client's: a malformed one is a 400 naming where it broke.
            return Problems.BadRequest($"JSON 无效（第 {e.LineNumber + 1} 行）", $"invalid JSON (line {e.LineNumber + 1})",
                new Dictionary<string, string[]> { [e.Path ?? "$"] = [Ui.T("JSON 格式错误", "malformed JSON")] });
        }
        using var _ = doc;
        var apiKeyId = int.Parse(user.FindFirst("kaohe:apikey")!.Value, CultureInfo.InvariantCulture);
        var allowed = (user.FindFirst(Claims.ApiKeyIndicators)?.Value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var platform = (user.Identity?.Name ?? "platform:").Split(':', 2)[1];

        // Two identical batches at once: both pass the checks, one insert hits the unique idempotency
        // key and rolls back whole; run again, it finds every record stored and answers like a retry.
        for (var attempt = 1; ; attempt++)
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
            var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
            var clock = scope.ServiceProvider.GetRequiredService<TimeProvider>();
            try
            {
                return await HandleAsync(doc.RootElement, apiKeyId, allowed, platform, db, audit, clock, ct);
            }
            catch (DbUpdateException e) when (attempt < 3 && IsUniqueViolation(e))
            {
            }
        }
    }

    public static bool IsUniqueViolation(DbUpdateException e) => e.InnerException switch
    {
        Npgsql.PostgresException pg => pg.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        Microsoft.Data.Sqlite.SqliteException s => s.SqliteErrorCode == 19, // SQLITE_CONSTRAINT
        _ => false,
    };

    private static async Task<Results<Ok<PlatformBatchResult>, ProblemHttpResult>> HandleAsync(JsonElement root, int apiKeyId, HashSet<string> allowed, string platform,
        KaoheDbContext db, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, List<string>>();
        var forbidden = new Dictionary<string, List<string>>();
        void Err(Dictionary<string, List<string>> into, string path, string zh, string en)
        {
            if (!into.TryGetValue(path, out var list)) into[path] = list = [];
            list.Add(Ui.T(zh, en));
        }

        if (root.ValueKind != JsonValueKind.Object)
            return Problems.BadRequest("请求体须为 JSON 对象", "the body must be a JSON object", new Dictionary<string, string[]> { ["$"] = [Ui.T("须为对象", "must be an object")] });
        Period? period = null;
        if (!root.TryGetProperty("period", out var pe) || pe.ValueKind != JsonValueKind.String)
            Err(errors, "$.period", "须填写考核期，如 2023-Q1", "a period such as 2023-Q1 is required");
        else if ((period = await db.Periods.AsNoTracking().FirstOrDefaultAsync(p => p.Id == pe.GetString(), ct)) is null)
            Err(errors, "$.period", $"考核期 \"{pe.GetString()}\" 不存在", $"period \"{pe.GetString()}\" does not exist");
        if (!root.TryGetProperty("records", out var recs) || recs.ValueKind != JsonValueKind.Array || recs.GetArrayLength() == 0)
            Err(errors, "$.records", "须有至少一条记录", "at least one record is required");
        else if (recs.GetArrayLength() > MaxRecords)
            Err(errors, "$.records", $"一批最多 {MaxRecords} 条记录", $"at most {MaxRecords} records per batch");
        if (errors.Count > 0) return Invalid(StatusCodes.Status400BadRequest, errors);

        var units = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Id, ct);
        var schemes = new Dictionary<string, Dictionary<string, Indicator>?>();
        var measuresOf = new Dictionary<string, Dictionary<string, Measure>>();
        async Task<Dictionary<string, Indicator>?> LeavesOf(string category)
        {
            if (schemes.TryGetValue(category, out var known)) return known;
            var scheme = await db.Schemes.AsNoTracking().Where(s => s.PeriodId == period!.Id && s.Category == category && s.Status == SchemeStatus.Active)
                .OrderByDescending(s => s.Version).FirstOrDefaultAsync(ct);
            var tree = scheme is null ? null : SchemeService.Parse(scheme);
            Dictionary<string, Indicator>? leaves = null;
            if (tree?.IsValid == true)
            {
                leaves = [];
                void Walk(IEnumerable<Indicator> nodes) { foreach (var n in nodes) { if (n.IsLeaf) leaves[n.Id] = n; Walk(n.ChildList); } }
                Walk(tree.Indicators!);
            }
            measuresOf[category] = tree?.IsValid == true ? tree.Measures.ToDictionary(m => m.Id, StringComparer.Ordinal) : [];
            return schemes[category] = leaves;
        }

        Dictionary<(string Unit, string Measure), Targets.LetterFigure>? letters = null;
        var records = new List<PlatformRecord>();
        var seenKeys = new Dictionary<string, int>(StringComparer.Ordinal);
        var seenCells = new Dictionary<(string, string), int>();
        var i = -1;
        foreach (var r in recs.EnumerateArray())
        {
            i++;
            var at = $"$.records[{i}]";
            if (r.ValueKind != JsonValueKind.Object) { Err(errors, at, "记录须为对象", "a record must be an object"); continue; }
            string? Str(string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var key = Str("key");
            if (string.IsNullOrWhiteSpace(key) || key.Length > MaxKeyLength)
                Err(errors, at + ".key", $"须有 1–{MaxKeyLength} 字符的幂等键", $"an idempotency key of 1–{MaxKeyLength} characters is required");
            else if (seenKeys.TryGetValue(key, out var first))
                Err(errors, at + ".key", $"与 $.records[{first}] 的幂等键重复", $"same idempotency key as $.records[{first}]");
            else seenKeys[key] = i;
            var unitId = Str("unit");
            Categories.Category? category = null;
            if (unitId is null || !units.TryGetValue(unitId, out var unit))
                Err(errors, at + ".unit", $"被考核单位 \"{unitId}\" 不存在", $"unit \"{unitId}\" does not exist");
            else category = Categories.Of(unit.Kind);
            // A base figure names its measure (version 2 schemes); a value names its leaf.
            var measure = Str("measure");
            var isMeasure = measure is not null && !r.TryGetProperty("indicator", out _);
            var field = isMeasure ? ".measure" : ".indicator";
            var indicator = isMeasure ? measure : Str("indicator");
            Measure? measureDef = null;
            if (string.IsNullOrWhiteSpace(indicator))
                Err(errors, at + ".indicator", "须填写指标编码（或基础数据项 measure）", "an indicator id (or a measure) is required");
            else if (isMeasure)
            {
                if (!allowed.Contains(indicator))
                    Err(forbidden, at + field, $"此 API 密钥无权写入基础数据项 \"{indicator}\"", $"this API key may not write measure \"{indicator}\"");
                else if (category is not null)
                {
                    if (await LeavesOf(category.Code) is null)
                        Err(errors, at + ".unit", $"{category.NameZh}在 {period!.Id} 没有启用的考核方案", $"{category.NameEn} have no active scheme for {period!.Id}");
                    else if (!measuresOf[category.Code].TryGetValue(indicator, out measureDef))
                        Err(errors, at + field, $"{category.NameZh}的考核方案中没有基础数据项 \"{indicator}\"", $"the scheme of {category.NameEn} has no measure \"{indicator}\"");
                    else if ((letters ??= await Targets.LetterOwnership.OfAsync(db, period!.Id, ct: ct)).GetValueOrDefault((unitId!, indicator)) is { } set)
                    {
                        // The unit's 目标责任书 sets this figure for the quarter: a platform does not overwrite it.
                        var (zh, en) = set.Refusal(measureDef.Name);
                        Err(errors, at + field, $"{unitId}：{zh}", $"{unitId}: {en}");
                    }
                }
            }
            else if (!allowed.Contains(indicator))
                Err(forbidden, at + ".indicator", $"此 API 密钥无权写入指标 \"{indicator}\"", $"this API key may not write indicator \"{indicator}\"");
            else if (category is not null)
            {
                var leaves = await LeavesOf(category.Code);
                if (leaves is null)
                    Err(errors, at + ".unit", $"{category.NameZh}在 {period!.Id} 没有启用的考核方案", $"{category.NameEn} have no active scheme for {period!.Id}");
                else if (!leaves.TryGetValue(indicator, out var leaf))
                    Err(errors, at + ".indicator", $"{category.NameZh}的考核方案中没有末级指标 \"{indicator}\"", $"the scheme of {category.NameEn} has no leaf \"{indicator}\"");
                else if (leaf.Formula is not null)
                    Err(errors, at + ".indicator", $"指标 \"{indicator}\" 由公式 {leaf.Formula} 计算，请报送其基础数据（measure）", $"indicator \"{indicator}\" is computed by {leaf.Formula}: push its base figures (measure)");
                else if (leaf.Method is RatersMethod or SurveyMethod or DeductionMethod)
                    Err(errors, at + ".indicator", $"指标 \"{indicator}\" 不接收数值（{leaf.Method!.Kind}）", $"indicator \"{indicator}\" takes no value ({leaf.Method!.Kind})");
            }
            double? value = null;
            if (!r.TryGetProperty("value", out var ve) || ve.ValueKind != JsonValueKind.Number || !ve.TryGetDouble(out var vd) || !double.IsFinite(vd))
                Err(errors, at + ".value", "须为数值", "must be a number");
            else if (measureDef is not null && MeasureRules.Problem(measureDef, vd) is { } bad)
                Err(errors, at + ".value", bad.Zh, bad.En);
            else value = vd;
            double? target = null;
            if (r.TryGetProperty("target", out var te) && te.ValueKind != JsonValueKind.Null)
            {
                if (isMeasure)
                    Err(errors, at + ".target", "基础数据没有目标值", "a base figure has no target");
                else if (te.ValueKind != JsonValueKind.Number || !te.TryGetDouble(out var td) || !double.IsFinite(td) || td <= 0)
                    Err(errors, at + ".target", "须为正数或 null", "must be a positive number or null");
                else target = td;
            }
            DateTimeOffset? observed = null;
            if (r.TryGetProperty("observedAt", out var oe) && oe.ValueKind != JsonValueKind.Null)
            {
                if (oe.ValueKind != JsonValueKind.String || !DateTimeOffset.TryParse(oe.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var od))
                    Err(errors, at + ".observedAt", "须为 ISO 8601 时间，如 2023-03-31T18:00:00+08:00", "must be an ISO 8601 time such as 2023-03-31T18:00:00+08:00");
                else observed = od;
            }
            if (unitId is not null && indicator is not null)
            {
                if (seenCells.TryGetValue((unitId, indicator), out var firstCell))
                    Err(errors, at, $"与 $.records[{firstCell}] 是同一单位同一指标", $"same unit and indicator as $.records[{firstCell}]");
                else seenCells[(unitId, indicator)] = i;
            }
            if (key is not null && unitId is not null && indicator is not null && value is not null)
                records.Add(new PlatformRecord(i, key, unitId, indicator, value.Value, target, observed, isMeasure));
        }
        if (forbidden.Count > 0)
        {
            foreach (var (k, v) in errors) forbidden.TryAdd(k, v);
            return Invalid(StatusCodes.Status403Forbidden, forbidden);
        }
        if (errors.Count > 0) return Invalid(StatusCodes.Status400BadRequest, errors);

        // Which records a previous (or concurrent) delivery already stored, and whether a unit/indicator already has another value.
        var idKeys = records.Select(r => r.IdempotencyKey(apiKeyId)).ToList();
        var stored = await db.Facts.AsNoTracking().Where(f => f.IdempotencyKey != null && idKeys.Contains(f.IdempotencyKey))
            .Select(f => new { f.Id, f.IdempotencyKey, f.PeriodId, f.UnitId, f.IndicatorId, f.Payload }).ToDictionaryAsync(f => f.IdempotencyKey!, ct);
        var unitIds = records.Select(r => r.Unit).Distinct().ToList();
        var indicatorIds = records.Select(r => r.Indicator).Distinct().ToList();
        var others = await db.Facts.AsNoTracking()
            .Where(f => f.PeriodId == period!.Id && (f.Kind == FactKind.Value || f.Kind == FactKind.Measure) && unitIds.Contains(f.UnitId) && indicatorIds.Contains(f.IndicatorId!)
                        && FactStatuses.Counted.Contains(f.Status) && (f.IdempotencyKey == null || !idKeys.Contains(f.IdempotencyKey)))
            .Select(f => new { f.Id, f.UnitId, f.IndicatorId, f.Kind, f.Source }).ToListAsync(ct);
        // Only a stage that takes data takes new records (Data/PeriodStages.cs): in review or published, values are corrected
        // through appeals by the office. A retry of a batch stored before the period moved on still answers like a retry.
        foreach (var category in records.Where(r => !stored.ContainsKey(r.IdempotencyKey(apiKeyId)))
                     .Select(r => PeriodStages.CategoryOf(units[r.Unit].Kind)).Distinct().Order(StringComparer.Ordinal))
            if (await PeriodStages.CheckAsync(db, period!.Id, category, PeriodInput.Data, ct) is { } refusal)
                return Problems.Stage(refusal, "$.period");
        foreach (var r in records)
        {
            if (stored.TryGetValue(r.IdempotencyKey(apiKeyId), out var s))
            {
                // A key stands for one record: only an identical resend is a retry. Anything else would be
                // answered "alreadyStored" while the new content is not stored, so it is refused naming what differs.
                var was = FactPayload.Parse(s.Payload);
                var differs = new List<(string Field, string Was, string Now)>();
                void Compare(string field, string? before, string? now) { if (before != now) differs.Add((field, before ?? "null", now ?? "null")); }
                static string? Num(double? v) => v?.ToString("R", CultureInfo.InvariantCulture);
                Compare("period", s.PeriodId, period!.Id);
                Compare("unit", s.UnitId, r.Unit);
                Compare("indicator", s.IndicatorId, r.Indicator);
                Compare("value", Num(was.Value), Num(r.Value));
                Compare("target", Num(was.Target), Num(r.Target));
                Compare("observedAt", was.Note, NoteOf(platform, r.ObservedAt));
                if (differs.Count > 0)
                    Err(errors, $"$.records[{r.Index}].key",
                        $"幂等键“{r.Key}”已用于第 {s.Id} 条数据，本次内容不同（{string.Join("；", differs.Select(d => $"{d.Field}：原为 {d.Was}，本次 {d.Now}"))}），整批未保存；如需更正请联系考核办",
                        $"idempotency key \"{r.Key}\" was already used for fact {s.Id} with other content ({string.Join("; ", differs.Select(d => $"{d.Field}: was {d.Was}, now {d.Now}"))}); nothing was stored; ask the office to correct it");
                continue;
            }
            if (others.FirstOrDefault(o => o.UnitId == r.Unit && o.IndicatorId == r.Indicator && (o.Kind == FactKind.Measure) == r.Measure) is { } o)
                Err(errors, $"$.records[{r.Index}]", $"{r.Unit} 的指标 {r.Indicator} 本期已有数据（第 {o.Id} 条，来源：{Labels.Source(o.Source)}），如需更正请联系考核办",
                    $"{r.Unit} already has a value for {r.Indicator} this period (fact {o.Id}, source: {Labels.Source(o.Source)}); ask the office to correct it");
        }
        if (errors.Count > 0) return Invalid(StatusCodes.Status409Conflict, errors);

        var now = clock.GetUtcNow();
        var author = $"platform:{platform}";
        var created = new List<(PlatformRecord Record, Fact Fact)>();
        foreach (var r in records.Where(r => !stored.ContainsKey(r.IdempotencyKey(apiKeyId))))
        {
            var fact = new Fact(period!.Id, r.Unit, r.Indicator, r.Measure ? FactKind.Measure : FactKind.Value, new FactPayload(Value: r.Value, Target: r.Target, Note: NoteOf(platform, r.ObservedAt)).ToJson(),
                FactSources.Platform, author, now, FactStatus.Submitted, idempotencyKey: r.IdempotencyKey(apiKeyId));
            db.Facts.Add(fact);
            created.Add((r, fact));
            audit.Record("fact.create", "fact", () => fact.Id.ToString(CultureInfo.InvariantCulture), null,
                new { fact.PeriodId, fact.UnitId, fact.IndicatorId, fact.Payload, fact.Source, fact.Author, fact.IdempotencyKey });
        }
        if (created.Count > 0) await audit.SaveAsync(ct);
        var byIndex = created.ToDictionary(c => c.Record.Index, c => c.Fact.Id);
        var results = records.Select(r => byIndex.TryGetValue(r.Index, out var id)
            ? new PlatformRecordResult(r.Index, r.Key, id, "stored", r.Unit, r.Indicator, FactSources.Platform, platform)
            : new PlatformRecordResult(r.Index, r.Key, stored[r.IdempotencyKey(apiKeyId)].Id, "alreadyStored", r.Unit, r.Indicator, FactSources.Platform, platform)).ToList();
        return TypedResults.Ok(new PlatformBatchResult(period!.Id, platform, created.Count, records.Count - created.Count, results));
    }

    /// <summary>A platform fact's note: the platform and, when sent, the time the value was observed (to the second, UTC).</summary>
    private static string NoteOf(string platform, DateTimeOffset? observedAt) =>
        observedAt is { } o ? $"{platform} · observedAt {o.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}" : platform;

    private static ProblemHttpResult Invalid(int status, Dictionary<string, List<string>> errors) =>
        Problems.Problem(status,
            Ui.T($"本批 {errors.Count} 处有误，整批未保存", $"{errors.Count} problem(s) in the batch; nothing was stored"),
            errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
}
