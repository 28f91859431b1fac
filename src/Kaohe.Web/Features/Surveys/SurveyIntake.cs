using System.Data.Common;
using Kaohe.Data;

namespace Kaohe.Web.Features.Surveys;

/// <summary>
/// The public web submission: the body is already parsed; the code's hash and the answers' stored form
/// are computed here (in parallel, on the request's thread), then the <see cref="SurveyWriter"/> looks
/// the code up with the rest of its batch, checks the answers against the cached questionnaire and
/// answers only after its commit.
/// </summary>
public sealed class SurveyIntake(SurveyDatabase database, SurveyWriter writer)
{
    public async Task<SubmitResult> SubmitAsync(string token, SurveyAnswers answers, string language, string? clientAddress, CancellationToken ct = default)
    {
        try
        {
            return await SubmitCoreAsync(token, answers, language, clientAddress, ct);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException)
        {
            // The database does not answer: nothing was stored (the writer answers its own failures itself).
            return SubmitResult.Of(SubmitOutcome.Unavailable);
        }
    }

    private async Task<SubmitResult> SubmitCoreAsync(string token, SurveyAnswers answers, string language, string? clientAddress, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 64) return SubmitResult.Of(SubmitOutcome.UnknownToken);
        var json = SurveyDocuments.AnswersJson(answers);
        var r = await writer.WriteAsync(new SurveyWriter.Pending(SurveyTokens.Hash(token), answers, json, language, clientAddress));
        return r.Outcome switch
        {
            SurveyWriter.Outcome.Stored => SubmitResult.Stored,
            SurveyWriter.Outcome.Claimed => await UsedAsync(r.TokenId, json, ct),
            SurveyWriter.Outcome.Unknown => SubmitResult.Of(SubmitOutcome.UnknownToken),
            SurveyWriter.Outcome.NoQuestionnaire => SubmitResult.Of(SubmitOutcome.NoQuestionnaire),
            SurveyWriter.Outcome.Invalid => new SubmitResult(SubmitOutcome.Invalid, r.Errors ?? []),
            _ => SubmitResult.Of(SubmitOutcome.Unavailable),
        };
    }

    /// <summary>The code was used: by these very answers (a double tap, "Repeated") or by another answer.</summary>
    private async Task<SubmitResult> UsedAsync(long tokenId, string answersJson, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = database.IsPostgres
            ? "SELECT \"AnswersJson\" FROM \"SurveyResponses\" WHERE \"TokenId\" = @t"
            : "SELECT AnswersJson FROM SurveyResponses WHERE TokenId = @t";
        SurveyDatabase.Add(cmd, "@t", tokenId);
        var stored = await cmd.ExecuteScalarAsync(ct) as string;
        return SubmitResult.Of(stored == answersJson ? SubmitOutcome.Repeated : SubmitOutcome.AlreadyUsed);
    }
}
