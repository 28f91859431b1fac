using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Insight;

public sealed record PracticeDto(long Id, string PeriodId, string UnitId, string UnitName, string Title, string Body, string Tags, string Status,
    DateTimeOffset SubmittedAt, string? CuratorNote);

/// <summary>
/// 经验做法库: good practices of commended units, curated by the office, readable by everyone signed in.
/// <see cref="ForBulletin"/> is what the results bulletin (考核通报) quotes.
/// </summary>
public sealed class PracticeLibrary(KaoheDbContext db, RankingService rankings, AuditLog audit, TimeProvider clock)
{
    public const int MaxTitle = 200, MaxBody = 8000;

    /// <summary>The curated practices of a period, for the bulletin, in the order they were curated.</summary>
    public async Task<IReadOnlyList<PracticeDto>> ForBulletin(string periodId, CancellationToken ct = default) =>
        await Query().Where(x => x.P.PeriodId == periodId && x.P.Status == PracticeStatus.Curated)
            .OrderBy(x => x.P.CuratedAt).ThenBy(x => x.P.Id).Select(x => Dto(x.P, x.Name)).ToListAsync(ct);

    private IQueryable<PracticeRow> Query() =>
        db.Set<Practice>().AsNoTracking().Join(db.Units, p => p.UnitId, u => u.Id, (p, u) => new PracticeRow { P = p, Name = u.Name });

    private sealed class PracticeRow
    {
        public Practice P { get; init; } = null!;
        public string Name { get; init; } = "";
    }

    private static PracticeDto Dto(Practice p, string unitName) =>
        new(p.Id, p.PeriodId, p.UnitId, unitName, p.Title, p.Body, p.Tags, p.Status.ToString(), p.SubmittedAt, p.CuratorNote);

    /// <summary>
    /// What <paramref name="user"/> may read: the curated library for everyone; a unit also its own
    /// submissions; the office everything (to curate). <paramref name="q"/> searches title, text, tags and unit.
    /// </summary>
    public async Task<IReadOnlyList<PracticeDto>> SearchAsync(ClaimsPrincipal user, string? q, string? periodId, string? status, CancellationToken ct = default)
    {
        var query = Query();
        if (user.IsOffice())
        {
            if (Enum.TryParse<PracticeStatus>(status, true, out var s)) query = query.Where(x => x.P.Status == s);
        }
        else
        {
            var unit = user.UnitId();
            query = query.Where(x => x.P.Status == PracticeStatus.Curated || (unit != null && x.P.UnitId == unit));
        }
        if (!string.IsNullOrWhiteSpace(periodId)) query = query.Where(x => x.P.PeriodId == periodId);
        foreach (var term in (q ?? "").Split([' ', '　', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(5))
            query = query.Where(x => x.P.Title.Contains(term) || x.P.Body.Contains(term) || x.P.Tags.Contains(term) || x.Name.Contains(term));
        return await query.OrderByDescending(x => x.P.PeriodId).ThenBy(x => x.P.Status).ThenBy(x => x.P.Id).Select(x => Dto(x.P, x.Name)).Take(200).ToListAsync(ct);
    }

    /// <summary>A commended unit submits a practice (通报表扬并作经验交流). Others are refused.</summary>
    public async Task<(PracticeDto? Practice, Failure? Error)> SubmitAsync(ClaimsPrincipal user, string? periodId, string? title, string? body, CancellationToken ct = default)
    {
        if (!user.IsInRole(Roles.Unit) || user.UnitId() is not { } unitId)
            return (null, new Failure(FailureKind.Forbidden, "只有被考核单位可以提交经验做法", "only an assessed unit may submit a good practice"));
        if (string.IsNullOrWhiteSpace(periodId)) return (null, new Failure(FailureKind.Invalid, "请选择考核期", "the period is required", "period"));
        if (string.IsNullOrWhiteSpace(title) || title.Trim().Length > MaxTitle) return (null, new Failure(FailureKind.Invalid, $"标题必填，不超过 {MaxTitle} 字", $"the title is required, at most {MaxTitle} characters", "title"));
        if (string.IsNullOrWhiteSpace(body) || body.Trim().Length > MaxBody) return (null, new Failure(FailureKind.Invalid, $"正文必填，不超过 {MaxBody} 字", $"the text is required, at most {MaxBody} characters", "body"));
        if (!await db.Periods.AnyAsync(p => p.Id == periodId, ct)) return (null, new Failure(FailureKind.Invalid, $"考核期 \"{periodId}\" 不存在", $"period \"{periodId}\" does not exist", "period"));
        var (result, _) = await rankings.UnitResultAsync(periodId, unitId, ct);
        if (result is not { Commended: true })
            return (null, new Failure(FailureKind.Forbidden, "只有通报表扬的单位可以提交经验做法", "only a commended unit may submit a good practice"));
        var practice = new Practice(periodId, unitId, title.Trim(), body.Trim(), audit.Actor, clock.GetUtcNow());
        db.Set<Practice>().Add(practice);
        audit.Record("practice.submit", "practice", () => practice.Id.ToString(CultureInfo.InvariantCulture), null, new { periodId, unitId, practice.Title });
        await audit.SaveAsync(ct);
        var name = await db.Units.Where(u => u.Id == unitId).Select(u => u.Name).FirstAsync(ct);
        return (Dto(practice, name), null);
    }

    /// <summary>The office curates: accept into the library (with edited title, text and tags) or decline with a note.</summary>
    public async Task<(PracticeDto? Practice, Failure? Error)> CurateAsync(long id, bool accept, string? title, string? body, string? tags, string? note, CancellationToken ct = default)
    {
        var practice = await db.Set<Practice>().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (practice is null) return (null, new Failure(FailureKind.NotFound, "经验做法不存在", "no such practice"));
        var newTitle = string.IsNullOrWhiteSpace(title) ? practice.Title : title.Trim();
        var newBody = string.IsNullOrWhiteSpace(body) ? practice.Body : body.Trim();
        if (newTitle.Length > MaxTitle) return (null, new Failure(FailureKind.Invalid, $"标题不超过 {MaxTitle} 字", $"at most {MaxTitle} characters", "title"));
        if (newBody.Length > MaxBody) return (null, new Failure(FailureKind.Invalid, $"正文不超过 {MaxBody} 字", $"at most {MaxBody} characters", "body"));
        if ((tags ?? "").Length > 200) return (null, new Failure(FailureKind.Invalid, "标签不超过 200 字", "at most 200 characters", "tags"));
        if (!accept && string.IsNullOrWhiteSpace(note)) return (null, new Failure(FailureKind.Invalid, "不采纳时请说明理由", "a reason is required to decline", "note"));
        var old = new { practice.Status, practice.Title };
        practice.Curate(accept, newTitle, newBody, (tags ?? "").Trim(), note?.Trim(), audit.Actor, clock.GetUtcNow());
        audit.Record(accept ? "practice.curate" : "practice.decline", "practice", id.ToString(CultureInfo.InvariantCulture), old,
            new { practice.Status, practice.Title, practice.Tags }, note);
        await audit.SaveAsync(ct);
        var name = await db.Units.Where(u => u.Id == practice.UnitId).Select(u => u.Name).FirstAsync(ct);
        return (Dto(practice, name), null);
    }
}

public sealed record Commitment(string? Problem, string? ResponsiblePerson, DateOnly? Deadline, string? IndicatorId);

public sealed record CauseAnalysisDto(long Id, string PeriodId, string UnitId, string UnitName, string Causes, IReadOnlyList<Commitment> Commitments,
    DateTimeOffset SubmittedAt, IReadOnlyList<OpenedItem> Items);

public sealed record OpenedItem(long Id, string Problem, string ResponsiblePerson, DateOnly Deadline, string Status);

/// <summary>
/// 表态发言、剖析原因: a criticised unit analyses its causes and commits to fixes; each commitment opens a
/// rectification item (整改事项, source kind "criticism") for the ledger that Features/Rectification runs.
/// </summary>
public sealed class CauseAnalyses(KaoheDbContext db, RankingService rankings, AuditLog audit, TimeProvider clock)
{
    public const string SourceKind = ItemSources.Criticism;

    /// <summary>The source reference of the rectification item opened by commitment <paramref name="n"/> (0-based) of an analysis.</summary>
    public static string ItemRef(string analysisRef, int n) => $"{analysisRef}#{n + 1}";

    public static string? AnalysisRefOf(string? itemRef) => itemRef is null ? null : itemRef.Split('#')[0];
    public const int MaxCommitments = 20;

    public async Task<(CauseAnalysisDto? Analysis, Failure? Error)> SubmitAsync(ClaimsPrincipal user, string? periodId, string? causes,
        IReadOnlyList<Commitment>? commitments, CancellationToken ct = default)
    {
        if (!user.IsInRole(Roles.Unit) || user.UnitId() is not { } unitId)
            return (null, new Failure(FailureKind.Forbidden, "只有被考核单位可以提交原因剖析", "only an assessed unit may submit a cause analysis"));
        if (string.IsNullOrWhiteSpace(periodId)) return (null, new Failure(FailureKind.Invalid, "请选择考核期", "the period is required", "period"));
        var period = await db.Periods.AsNoTracking().FirstOrDefaultAsync(p => p.Id == periodId, ct);
        if (period is null) return (null, new Failure(FailureKind.Invalid, $"考核期 \"{periodId}\" 不存在", $"period \"{periodId}\" does not exist", "period"));
        if (string.IsNullOrWhiteSpace(causes) || causes.Length > 8000) return (null, new Failure(FailureKind.Invalid, "原因剖析必填，不超过 8000 字", "the causes are required, at most 8000 characters", "causes"));
        if (commitments is null || commitments.Count == 0) return (null, new Failure(FailureKind.Invalid, "至少填写一项整改承诺", "at least one commitment is required", "commitments"));
        if (commitments.Count > MaxCommitments) return (null, new Failure(FailureKind.Invalid, $"整改承诺不超过 {MaxCommitments} 项", $"at most {MaxCommitments} commitments", "commitments"));
        var fields = new Dictionary<string, Message[]>();
        for (var i = 0; i < commitments.Count; i++)
        {
            var c = commitments[i];
            if (string.IsNullOrWhiteSpace(c.Problem) || c.Problem.Length > 1000) fields[$"commitments[{i}].problem"] = [new("问题必填，不超过 1000 字", "the problem is required, at most 1000 characters")];
            if (string.IsNullOrWhiteSpace(c.ResponsiblePerson) || c.ResponsiblePerson.Length > 100) fields[$"commitments[{i}].responsiblePerson"] = [new("责任人必填", "the responsible person is required")];
            if (c.Deadline is not { } d) fields[$"commitments[{i}].deadline"] = [new("时限必填", "the deadline is required")];
            else if (d <= period.EndsOn) fields[$"commitments[{i}].deadline"] = [new($"时限须晚于考核期结束（{period.EndsOn:yyyy-MM-dd}）", $"the deadline must be after the period ends ({period.EndsOn:yyyy-MM-dd})")];
            if (c.IndicatorId is { Length: > 64 }) fields[$"commitments[{i}].indicatorId"] = [new("指标编号过长", "the indicator id is too long")];
        }
        if (fields.Count > 0) return (null, new Failure(FailureKind.Invalid, "整改承诺有误，未保存", "the commitments are invalid; nothing was stored", fields));
        var (result, category) = await rankings.UnitResultAsync(periodId, unitId, ct);
        if (result is not { Criticized: true })
            return (null, new Failure(FailureKind.Forbidden, "只有通报批评的单位需要提交原因剖析", "only a criticised unit submits a cause analysis"));
        if (await db.Set<CauseAnalysis>().AnyAsync(a => a.PeriodId == periodId && a.UnitId == unitId, ct))
            return (null, new Failure(FailureKind.Conflict, "本考核期的原因剖析已提交", "the cause analysis of this period was already submitted"));

        var now = clock.GetUtcNow();
        var analysis = new CauseAnalysis(periodId, unitId, category!, causes.Trim(),
            JsonSerializer.Serialize(commitments, FactsJson), audit.Actor, now);
        db.Set<CauseAnalysis>().Add(analysis);
        // One item per commitment, each with its own source reference (the ledger keeps references unique): "{analysis}#{n}".
        var items = commitments.Select((c, n) => new RectificationItem(unitId, periodId, c.Problem!.Trim(), SourceKind, ItemRef(analysis.SourceRef, n),
            string.IsNullOrWhiteSpace(c.IndicatorId) ? null : c.IndicatorId.Trim(), Severities.General, c.ResponsiblePerson!.Trim(), c.Deadline!.Value, now, audit.Actor)).ToList();
        db.RectificationItems.AddRange(items);
        audit.Record("cause-analysis.submit", "cause-analysis", () => analysis.Id.ToString(CultureInfo.InvariantCulture), null,
            new { periodId, unitId, commitments = commitments.Count });
        foreach (var item in items)
            audit.Record("rectification.open", "rectification", () => item.Id.ToString(CultureInfo.InvariantCulture), null,
                new { item.UnitId, item.PeriodId, item.Problem, item.SourceKind, item.SourceRef, item.ResponsiblePerson, item.Deadline });
        await audit.SaveAsync(ct);
        return ((await ListAsync(user, periodId, unitId, ct)).Single(), null);
    }

    internal static readonly JsonSerializerOptions FactsJson = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A unit sees its own; the office, leaders and viewers see all.</summary>
    public async Task<IReadOnlyList<CauseAnalysisDto>> ListAsync(ClaimsPrincipal user, string? periodId, string? unitId, CancellationToken ct = default)
    {
        var q = db.Set<CauseAnalysis>().AsNoTracking();
        if (user.IsInRole(Roles.Unit)) q = q.Where(a => a.UnitId == user.UnitId());
        else if (!(user.IsInRole(Roles.Office) || user.IsInRole(Roles.Leader) || user.IsInRole(Roles.Viewer))) return [];
        if (!string.IsNullOrWhiteSpace(periodId)) q = q.Where(a => a.PeriodId == periodId);
        if (!string.IsNullOrWhiteSpace(unitId)) q = q.Where(a => a.UnitId == unitId);
        var list = await q.Join(db.Units, a => a.UnitId, u => u.Id, (a, u) => new { a, u.Name }).OrderBy(x => x.a.PeriodId).ThenBy(x => x.a.UnitId).ToListAsync(ct);
        var refs = list.Select(x => x.a.SourceRef).ToList();
        var units = list.Select(x => x.a.UnitId).Distinct().ToList();
        var items = (await db.RectificationItems.AsNoTracking().Where(i => i.SourceKind == SourceKind && i.SourceRef != null && units.Contains(i.UnitId))
            .OrderBy(i => i.Id).ToListAsync(ct)).Where(i => refs.Contains(AnalysisRefOf(i.SourceRef)!)).ToList();
        return [.. list.Select(x => new CauseAnalysisDto(x.a.Id, x.a.PeriodId, x.a.UnitId, x.Name, x.a.Causes,
            JsonSerializer.Deserialize<List<Commitment>>(x.a.Commitments, FactsJson) ?? [], x.a.SubmittedAt,
            [.. items.Where(i => AnalysisRefOf(i.SourceRef) == x.a.SourceRef).Select(i => new OpenedItem(i.Id, i.Problem, i.ResponsiblePerson, i.Deadline, i.Status.ToString()))]))];
    }
}

public sealed record CommentDto(long Id, string PeriodId, string UnitId, string UnitName, string AuthorName, string Rater, string Text, DateTimeOffset CreatedAt);

/// <summary>点评: the principal leader and the leader in charge comment on each unit's result; the unit sees the comments on itself.</summary>
public sealed class LeaderComments(KaoheDbContext db, AuditLog audit, TimeProvider clock)
{
    /// <summary>The seed's two leadership raters: 厅主要领导 and 分管领导.</summary>
    public static readonly string[] Raters = ["principal", "in-charge"];

    public static bool MayComment(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Leader) && user.FindFirstValue(Claims.Rater) is { } r && Raters.Contains(r);

    public async Task<(CommentDto? Comment, Failure? Error)> AddAsync(ClaimsPrincipal user, string? periodId, string? unitId, string? text, CancellationToken ct = default)
    {
        if (!MayComment(user)) return (null, new Failure(FailureKind.Forbidden, "只有厅主要领导和分管领导可以点评", "only the principal leader and the leader in charge may comment"));
        if (string.IsNullOrWhiteSpace(periodId) || !await db.Periods.AnyAsync(p => p.Id == periodId, ct))
            return (null, new Failure(FailureKind.Invalid, "考核期不存在", "no such period", "period"));
        if (string.IsNullOrWhiteSpace(unitId)) return (null, new Failure(FailureKind.Invalid, "请选择单位", "the unit is required", "unit"));
        var unit = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == unitId, ct);
        if (unit is null) return (null, new Failure(FailureKind.Invalid, $"单位 \"{unitId}\" 不存在", $"unit \"{unitId}\" does not exist", "unit"));
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Length > 4000) return (null, new Failure(FailureKind.Invalid, "点评内容必填，不超过 4000 字", "the comment is required, at most 4000 characters", "text"));
        var author = user.Identity?.Name ?? "";
        var name = user.FindFirstValue("kaohe:display") ?? author;
        var comment = new LeaderComment(periodId, unit.Id, author, name, user.FindFirstValue(Claims.Rater)!, text.Trim(), clock.GetUtcNow());
        db.Set<LeaderComment>().Add(comment);
        audit.Record("comment.add", "leader-comment", () => comment.Id.ToString(CultureInfo.InvariantCulture), null, new { periodId, unitId, comment.Rater, comment.Text });
        await audit.SaveAsync(ct);
        return (new CommentDto(comment.Id, periodId, unit.Id, unit.Name, name, comment.Rater, comment.Text, comment.CreatedAt), null);
    }

    /// <summary>A unit sees only the comments on itself (asking for another unit is refused); other roles see all.</summary>
    public async Task<(IReadOnlyList<CommentDto>? Comments, Failure? Error)> ListAsync(ClaimsPrincipal user, string? periodId, string? unitId, CancellationToken ct = default)
    {
        var q = db.Set<LeaderComment>().AsNoTracking();
        if (user.IsInRole(Roles.Unit))
        {
            var own = user.UnitId();
            if (unitId is not null && unitId != own) return (null, new Failure(FailureKind.Forbidden, "只能查看对本单位的点评", "you may only read the comments on your own unit"));
            q = q.Where(c => c.UnitId == own);
        }
        else if (!string.IsNullOrWhiteSpace(unitId)) q = q.Where(c => c.UnitId == unitId);
        if (!string.IsNullOrWhiteSpace(periodId)) q = q.Where(c => c.PeriodId == periodId);
        var list = await q.Join(db.Units, c => c.UnitId, u => u.Id, (c, u) => new { c, u.Name })
            .OrderBy(x => x.c.PeriodId).ThenBy(x => x.c.UnitId).ThenBy(x => x.c.Id).ToListAsync(ct);
        return ([.. list.Select(x => new CommentDto(x.c.Id, x.c.PeriodId, x.c.UnitId, x.Name, x.c.AuthorName, x.c.Rater, x.c.Text, x.c.CreatedAt))], null);
    }
}
