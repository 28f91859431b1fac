using System.Security.Cryptography;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Surveys;
/// <summary>What happened to a submission. <see cref="Unavailable"/>: the database did not take it (nothing was stored; try again).</summary>
public enum SubmitOutcome { Stored, AlreadyUsed, Repeated, UnknownToken, NoQuestionnaire, Invalid, DuplicateSheet, UnknownSite, Unavailable }

/// <summary>What happened to a submission. <see cref="SubmitOutcome.Repeated"/>: the code was used by this very answer (a double tap).</summary>
public sealed record SubmitResult(SubmitOutcome Outcome, IReadOnlyList<string> Errors)
{
    public static readonly SubmitResult Stored = new(SubmitOutcome.Stored, []);

    public static SubmitResult Of(SubmitOutcome o, params string[] errors) => new(o, errors);
}

/// <summary>The survey of a period: the active questionnaire and what it feeds.</summary>
public sealed record ActiveSurvey(SurveyQuestionnaire Row, Questionnaire Questionnaire);

/// <summary>
/// Surveys end to end: the public submission with its single-use claim, paper entry, QR batches,
/// progress against the quotas, and the tallies that become the <c>survey</c> facts.
/// </summary>
public sealed partial class SurveyService(KaoheDbContext db, AuditLog audit, TimeProvider clock, IDataProtectionProvider protection, SurveyCountsCache countsCache)
{
    public async Task<ActiveSurvey?> ActiveAsync(string periodId, CancellationToken ct = default)
    {
        var row = await db.Set<SurveyQuestionnaire>().AsNoTracking()
            .Where(q => q.PeriodId == periodId && q.Status == QuestionnaireStatus.Active)
            .OrderByDescending(q => q.Version).FirstOrDefaultAsync(ct);
        return row is null ? null : new ActiveSurvey(row, SurveyDocuments.ParseQuestionnaire(row.Document));
    }

    /// <summary>The questionnaire a code answers: the active one of its site's period.</summary>
    public async Task<(SurveyToken Token, SurveySite Site, ActiveSurvey? Survey)?> FindAsync(string token, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 64) return null;
        var hash = SurveyTokens.Hash(token);
        var t = await db.Set<SurveyToken>().AsNoTracking().FirstOrDefaultAsync(x => x.TokenHash == hash, ct);
        if (t is null) return null;
        var site = await db.Set<SurveySite>().AsNoTracking().FirstAsync(s => s.Id == t.SiteId, ct);
        return (t, site, await ActiveAsync(site.PeriodId, ct));
    }

    /// <summary>A losing claim: the conditional update touched no row, or a unique index refused the second row.</summary>
    public static bool IsClaimConflict(DbUpdateException ex) =>
        ex is DbUpdateConcurrencyException
        || ex.InnerException is Microsoft.Data.Sqlite.SqliteException { SqliteExtendedErrorCode: 2067 or 1555 } // SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY
        || ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation };

    /// <summary>A web answer must answer every question (the form requires it); a paper one may leave some blank.</summary>
    public static List<string> CheckComplete(Questionnaire q, SurveyAnswers answers)
    {
        var errors = SurveyTally.Check(q, answers).ToList();
        for (var i = 0; i < q.Questions.Count; i++)
            if (!answers.OptionByQuestion.ContainsKey(q.Questions[i].Id))
                errors.Add($"answers.{q.Questions[i].Id}: 请回答第 {i + 1} 题 / please answer question {i + 1}");
        return errors;
    }

    /// <summary>
    /// A keyed hash of the client address, with a key that belongs to the questionnaire (and so
    /// changes every period): lets the office see a burst from one client, never who answered.
    /// </summary>
    private string? ClientHash(SurveyQuestionnaire q, string? address) =>
        string.IsNullOrEmpty(address) ? null : SurveyTokens.ClientKey(address, Unprotect(q.ProtectedClientKey));

    /// <summary>A new secret, encrypted with the data-protection key ring (kept in the database, shared by every instance).</summary>
    public string NewProtectedSecret() => protection.CreateProtector(SurveyDocuments.BatchPurpose).Protect(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

    private byte[] Unprotect(string protectedSecret) =>
        Convert.FromBase64String(protection.CreateProtector(SurveyDocuments.BatchPurpose).Unprotect(protectedSecret));
}
