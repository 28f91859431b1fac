using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Facts;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Surveys;

public sealed record TallyChange(string UnitId, IReadOnlyDictionary<string, double>? Old, IReadOnlyDictionary<string, double> New);

public sealed record TallyResult(int Units, int Changed, int Responses, IReadOnlyList<TallyChange> Changes);

/// <summary>The tallies: the live counts of a period's answers (/Surveys) and 更新统计, which writes them as survey facts.</summary>
public sealed partial class SurveyService
{
    /// <summary>
    /// The tallies of a period from its responses: counts per option of every scored answer, per unit.
    /// A site counts for the unit it scores; a prefecture-wide unit (地市综合) also counts every site of
    /// its prefecture scoring a unit of the same kind, since the seed assesses urban management "for the
    /// whole prefecture" as well as for its seat district and county towns. The responses are streamed
    /// (1,000,000 at national scale) and counted as they come, per site and questionnaire version;
    /// <paramref name="progress"/> hears how many were read every <see cref="ProgressEvery"/> rows.
    /// </summary>
    public async Task<(ActiveSurvey Survey, Dictionary<string, Dictionary<string, double>> Counts, int Responses)?> ComputeAsync(string periodId,
        CancellationToken ct = default, IProgress<TallyProgress>? progress = null) =>
        await CountAsync(periodId, ct, progress) is { } c ? (c.Survey, c.Counts, c.Responses) : null;

    /// <summary>
    /// <see cref="ComputeAsync"/>, with what was counted under the stamp of exactly the responses counted (null when
    /// answers arrived during a full reading): 更新统计 stores it as the period's <see cref="SurveyTallyMark"/>.
    /// </summary>
    private async Task<(ActiveSurvey Survey, Dictionary<string, Dictionary<string, double>> Counts, int Responses, SurveyCountsCache.Entry? Counted)?> CountAsync(
        string periodId, CancellationToken ct, IProgress<TallyProgress>? progress)
    {
        var survey = await ActiveAsync(periodId, ct);
        if (survey is null) return null;
        var sites = await db.Set<SurveySite>().AsNoTracking().Where(s => s.PeriodId == periodId).ToListAsync(ct);
        var siteIds = sites.Select(s => s.Id).ToList();
        var query = db.Set<SurveyResponse>().AsNoTracking().Where(r => siteIds.Contains(r.SiteId));
        // Every version a response may have answered (a handful of rows), loaded before the stream starts.
        var versionRows = await db.Set<SurveyQuestionnaire>().AsNoTracking().OrderBy(q => q.Id).ToListAsync(ct);
        var versionsKey = TallyMarks.Versions(versionRows);
        IReadOnlyDictionary<(int Site, int Version), Dictionary<string, double>> bySiteVersion;
        int read;
        SurveyCountsCache.Entry? exact = null;
        var versions = versionRows.ToDictionary(q => q.Id, q => new VersionCounter(SurveyDocuments.ParseQuestionnaire(q.Document)));
        // A view (and the synchronous 更新统计) starts from this instance's last counts or, after a start, from what the
        // last 更新统计 counted; the job (which reports progress) reads every response.
        // Responses are only ever added (no path updates or deletes one): while the responses up to the last highest id
        // are still exactly the number counted, the counts now are the last ones plus the responses above that id.
        var last = progress is null ? countsCache.Latest(periodId) ?? await MarkAsync(periodId, versionsKey, ct) : null;
        if (last is not null && last.Key.Versions == versionsKey && await AddNewAnswersAsync(query, [.. siteIds], last, versions, ct) is { } current)
        {
            countsCache.Set(periodId, exact = current);
            (bySiteVersion, read) = (current.Counts, current.Key.Count);
        }
        else
        {
            // The stamp of what a full reading should see: the number of responses and the highest id.
            var stamp = await query.GroupBy(_ => 1).Select(g => new { Count = g.Count(), Max = g.Max(r => (long?)r.Id) }).FirstOrDefaultAsync(ct);
            var key = new SurveyCountsCache.Key(stamp?.Count ?? 0, stamp?.Max ?? 0, versionsKey);
            countsCache.Reading();
            progress?.Report(new TallyProgress(TallyPhase.Reading, 0, key.Count));
            var counted = new Dictionary<(int Site, int Version), Dictionary<string, double>>();
            read = 0;
            // Streamed with the provider's own reader: EF's materialisation was most of the 11 s that a
            // million responses took.
            await DbRows.ForEachAsync(db, query.Select(r => new { r.SiteId, r.QuestionnaireId, r.AnswersJson }), row =>
            {
                CountAnswer(counted, versions, row.GetInt32(0), row.GetInt32(1), row.GetString(2));
                if (++read % ProgressEvery == 0) progress?.Report(new TallyProgress(TallyPhase.Reading, read, Math.Max(key.Count, read)));
            }, ct);
            progress?.Report(new TallyProgress(TallyPhase.Reading, read, read));
            bySiteVersion = counted;
            // Kept only when the reading saw exactly the stamped responses (answers arriving meanwhile make it newer).
            if (read == key.Count) countsCache.Set(periodId, exact = new(key, counted));
        }
        var options = survey.Questionnaire.ToMethod().Options;
        var perSite = sites.ToDictionary(s => s.Id, _ => options.ToDictionary(o => o.Id, _ => 0.0, StringComparer.Ordinal));
        foreach (var ((site, _), counts) in bySiteVersion)
        {
            if (!perSite.TryGetValue(site, out var sum)) continue;
            foreach (var (option, n) in counts) sum[option] = sum.GetValueOrDefault(option) + n;
        }
        var unitIds = sites.Select(s => s.UnitId).Distinct().ToList();
        var siteUnits = (await db.Units.AsNoTracking().Where(u => unitIds.Contains(u.Id)).ToListAsync(ct)).ToDictionary(u => u.Id, StringComparer.Ordinal);
        var kinds = siteUnits.Values.Select(u => u.Kind).Distinct().ToList();
        var wholes = (await db.Units.AsNoTracking().Where(u => kinds.Contains(u.Kind) && u.Level == UnitLevel.Prefecture).ToListAsync(ct))
            .Where(w => w.Prefecture is not null).ToLookup(w => (w.Kind, w.Prefecture));
        var result = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        void Add(string unit, Dictionary<string, double> counts)
        {
            if (!result.TryGetValue(unit, out var sum)) result[unit] = sum = counts.Keys.ToDictionary(k => k, _ => 0.0, StringComparer.Ordinal);
            foreach (var (k, v) in counts) sum[k] = sum.GetValueOrDefault(k) + v;
        }
        foreach (var s in sites)
        {
            Add(s.UnitId, perSite[s.Id]);
            var u = siteUnits[s.UnitId];
            if (u.Level != UnitLevel.Prefecture)
                foreach (var whole in wholes[(u.Kind, u.Prefecture)])
                    Add(whole.Id, perSite[s.Id]);
        }
        return (survey, result, read, exact);
    }

    /// <summary>
    /// The counts the last 更新统计 of the period stored, if they were read with the questionnaire versions of now
    /// (<paramref name="versions"/>); they are checked against the responses by the caller as an instance's own are.
    /// </summary>
    private async Task<SurveyCountsCache.Entry?> MarkAsync(string periodId, string versions, CancellationToken ct)
    {
        var mark = await db.Set<SurveyTallyMark>().AsNoTracking().FirstOrDefaultAsync(m => m.PeriodId == periodId && m.Versions == versions, ct);
        if (mark is null) return null;
        var counts = TallyMarks.ReadCounts(mark.CountsJson);
        return new SurveyCountsCache.Entry(new SurveyCountsCache.Key(mark.Responses, mark.MaxResponseId, versions), counts);
    }

    /// <summary>Stores what a tally counted as the period's mark (saved with the tallies, by the caller).</summary>
    private async Task MarkCountedAsync(string periodId, SurveyCountsCache.Entry counted, CancellationToken ct)
    {
        var json = TallyMarks.CountsJson(counted.Counts);
        var mark = await db.Set<SurveyTallyMark>().FirstOrDefaultAsync(m => m.PeriodId == periodId, ct);
        if (mark is null) db.Add(new SurveyTallyMark(periodId, counted.Key.Count, counted.Key.MaxId, counted.Key.Versions, json, clock.GetUtcNow()));
        else mark.Mark(counted.Key.Count, counted.Key.MaxId, counted.Key.Versions, json, clock.GetUtcNow());
    }

    private static void CountAnswer(Dictionary<(int Site, int Version), Dictionary<string, double>> counted, Dictionary<int, VersionCounter> versions,
        int site, int questionnaire, string answers)
    {
        if (!versions.TryGetValue(questionnaire, out var version))
            throw new InvalidOperationException($"response of site {site} answers unknown questionnaire {questionnaire}");
        if (!counted.TryGetValue((site, questionnaire), out var counts))
            counted[(site, questionnaire)] = counts = version.Empty();
        version.Add(SurveyDocuments.ParseAnswers(answers), counts);
    }

    /// <summary>
    /// The last counts plus the answers stored since (ids above the last highest id), read in one snapshot
    /// of the database; the last entry itself when nothing was added. Null when the responses up to that id are
    /// no longer exactly the ones counted (a site left the period, or on PostgreSQL a lower id committed late):
    /// the caller then counts all. The new answers are read as a range of the primary key (every period's, the
    /// other periods' skipped here): with the period's sites in the condition, SQLite walks the site index
    /// through all the period's responses instead.
    /// </summary>
    private async Task<SurveyCountsCache.Entry?> AddNewAnswersAsync(IQueryable<SurveyResponse> query, HashSet<int> sites, SurveyCountsCache.Entry last,
        Dictionary<int, VersionCounter> versions, CancellationToken ct) =>
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            // One snapshot for the check and the new answers: PostgreSQL's repeatable read; on SQLite (WAL)
            // a deferred read transaction, which takes no write lock from the survey writer.
            await db.Database.OpenConnectionAsync(ct);
            var connection = db.Database.GetDbConnection();
            await using var tx = connection is Microsoft.Data.Sqlite.SqliteConnection sqlite
                ? sqlite.BeginTransaction(deferred: true)
                : await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            await db.Database.UseTransactionAsync(tx, ct);
            try
            {
                var lastMax = last.Key.MaxId;
                if (await query.CountAsync(r => r.Id <= lastMax, ct) != last.Key.Count)
                    return null;
                Dictionary<(int Site, int Version), Dictionary<string, double>>? counted = null;
                var (added, max) = (0, lastMax);
                var newer = db.Set<SurveyResponse>().AsNoTracking().Where(r => r.Id > lastMax).Select(r => new { r.Id, r.SiteId, r.QuestionnaireId, r.AnswersJson });
                await DbRows.ForEachAsync(db, newer, row =>
                {
                    var site = row.GetInt32(1);
                    if (!sites.Contains(site)) return;
                    counted ??= last.Counts.ToDictionary(kv => kv.Key, kv => new Dictionary<string, double>(kv.Value, StringComparer.Ordinal));
                    CountAnswer(counted, versions, site, row.GetInt32(2), row.GetString(3));
                    (added, max) = (added + 1, Math.Max(max, row.GetInt64(0)));
                }, ct);
                return counted is null ? last : new SurveyCountsCache.Entry(last.Key with { Count = last.Key.Count + added, MaxId = max }, counted);
            }
            finally
            {
                await db.Database.UseTransactionAsync(null, ct);
                await db.Database.CloseConnectionAsync();
            }
        });

    /// <summary>How often the reading of responses reports its progress (not per row).</summary>
    public const int ProgressEvery = 10_000;

    /// <summary>Counts one questionnaire version's answers as <see cref="SurveyTally.Count"/> does, one response at a time.</summary>
    private sealed class VersionCounter(Questionnaire q)
    {
        private readonly Question[] _scored = [.. q.Questions.Where(x => x.Scored)];

        public Dictionary<string, double> Empty() =>
            _scored.Length == 0 ? new(StringComparer.Ordinal) : _scored[0].Options.ToDictionary(o => o.Id, _ => 0.0, StringComparer.Ordinal);

        public void Add(SurveyAnswers r, Dictionary<string, double> counts)
        {
            foreach (var question in _scored)
                if (r.OptionByQuestion.TryGetValue(question.Id, out var option) && counts.TryGetValue(option, out var n))
                    counts[option] = n + 1;
        }
    }

    /// <summary>
    /// 更新统计: writes the tallies as verified <c>SurveyTally</c> facts (source survey) of the
    /// questionnaire's leaf, replacing the previous ones. Idempotent: a unit whose counts did not
    /// change is not touched, and a second run changes nothing. Each change is audited with old and
    /// new counts. All or nothing: the changed tallies and their audit entries are saved in one
    /// transaction (<see cref="AuditLog.SaveAsync"/>), so a failure leaves the previous tallies.
    /// At national scale it runs as a job (Features/Jobs/SurveyTallyJob) that passes <paramref name="progress"/>.
    /// </summary>
    public async Task<TallyResult?> RecomputeAsync(string periodId, string author, CancellationToken ct = default, IProgress<TallyProgress>? progress = null)
    {
        await EnsureTalliesOpenAsync(db, periodId, ct);
        // One tally of a period at a time (SurveyTallyLock): the second finds the first's tallies and mark.
        await using var held = await SurveyTallyLock.TakeAsync(db, periodId, ct);
        var computed = await CountAsync(periodId, ct, progress);
        if (computed is not { } c) return null;
        var indicator = c.Survey.Row.IndicatorId;
        var existing = (await db.Facts.Where(f => f.PeriodId == periodId && f.IndicatorId == indicator && f.Kind == FactKind.SurveyTally).ToListAsync(ct))
            .ToLookup(f => f.UnitId, StringComparer.Ordinal);
        var changes = new List<TallyChange>();
        var now = clock.GetUtcNow();
        var compared = 0;
        progress?.Report(new TallyProgress(TallyPhase.Writing, 0, c.Counts.Count));
        foreach (var (unit, counts) in c.Counts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (++compared % ProgressUnitsEvery == 0) progress?.Report(new TallyProgress(TallyPhase.Writing, compared, c.Counts.Count));
            var mine = existing[unit].ToList();
            var old = mine.Count == 1 ? FactPayload.Parse(mine[0].Payload).Counts : null;
            if (old is not null && old.Count == counts.Count && counts.All(kv => old.TryGetValue(kv.Key, out var v) && v == kv.Value)) continue;
            db.Facts.RemoveRange(mine);
            db.Facts.Add(new Fact(periodId, unit, indicator, FactKind.SurveyTally, new FactPayload(Counts: counts).ToJson(), FactSources.Survey, author, now,
                FactStatus.Verified));
            audit.Record("survey.tally", "fact", $"{periodId}/{unit}/{indicator}", old, counts, mine.Count > 1 ? "合并重复的统计 / merged duplicate tallies" : null);
            changes.Add(new TallyChange(unit, old, counts));
        }
        progress?.Report(new TallyProgress(TallyPhase.Saving, changes.Count, c.Counts.Count));
        // What was counted goes with the tallies, so that /Surveys after a start adds only the answers since.
        if (c.Counted is { } counted) await MarkCountedAsync(periodId, counted, ct);
        if (changes.Count > 0) await audit.SaveAsync(ct);
        else if (c.Counted is not null) await db.SaveChangesAsync(ct);
        progress?.Report(new TallyProgress(TallyPhase.Saved, c.Counts.Count, c.Counts.Count));
        return new TallyResult(c.Counts.Count, changes.Count, c.Responses, changes);
    }

    /// <summary>
    /// Refuses up front, before a million responses are read, when the stage of the period for the
    /// questionnaire's category does not take new tallies (Data/PeriodStages.cs).
    /// </summary>
    public static async Task EnsureTalliesOpenAsync(KaoheDbContext db, string periodId, CancellationToken ct = default)
    {
        var category = await db.Set<SurveyQuestionnaire>().AsNoTracking().Where(q => q.PeriodId == periodId && q.Status == QuestionnaireStatus.Active)
            .OrderByDescending(q => q.Version).Select(q => q.Category).FirstOrDefaultAsync(ct);
        if (category is not null) await PeriodStages.EnsureAsync(db, periodId, category, PeriodInput.Data, ct);
    }

    /// <summary>How often the comparison of tallies reports its progress.</summary>
    public const int ProgressUnitsEvery = 250;
}

/// <summary>The phases of 更新统计: reading the responses, comparing and writing the tallies, saving them in one transaction.</summary>
public enum TallyPhase { Reading, Writing, Saving, Saved }

/// <summary>How far 更新统计 is: responses read (Reading), or units compared of all tallied units (Writing; Saving: Done = tallies changed).</summary>
public readonly record struct TallyProgress(TallyPhase Phase, long Done, long Total);
