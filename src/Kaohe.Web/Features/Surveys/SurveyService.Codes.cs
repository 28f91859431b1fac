using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Facts;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Surveys;

/// <summary>QR code batches: issued per site, reprinted from the batch secret.</summary>
public sealed partial class SurveyService
{
    public sealed record IssuedCode(int Serial, string Token, bool Used);

    /// <summary>
    /// Issues <paramref name="count"/> codes for a site. Codes are HMAC(batch secret, serial): only
    /// their hashes are stored, the secret is kept encrypted by the data-protection key ring, so the
    /// office can reprint a batch (<see cref="CodesAsync"/>) without the codes ever being stored in clear.
    /// </summary>
    public async Task<SurveyBatch?> IssueAsync(int siteId, int count, int perSheet, string by, CancellationToken ct = default)
    {
        var site = await db.Set<SurveySite>().FirstOrDefaultAsync(s => s.Id == siteId, ct);
        if (site is null) return null;
        var protectedSecret = NewProtectedSecret();
        var secret = Unprotect(protectedSecret);
        var first = site.TakeSerials(count);
        var batch = new SurveyBatch(siteId, first, count, perSheet, protectedSecret, by, clock.GetUtcNow());
        db.Add(batch);
        await db.SaveChangesAsync(ct); // the batch id is needed by its tokens; audited below with the tokens, in one chain entry
        for (var i = 0; i < count; i++)
            db.Add(new SurveyToken(SurveyTokens.Hash(SurveyTokens.Derive(secret, first + i)), siteId, batch.Id, first + i));
        audit.Record("survey.issue", "survey-batch", batch.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
            new { site = site.Code, first, count, perSheet });
        await audit.SaveAsync(ct);
        return batch;
    }

    /// <summary>The codes of a batch, regenerated from its secret, with whether each has been used.</summary>
    public async Task<IReadOnlyList<IssuedCode>> CodesAsync(SurveyBatch batch, CancellationToken ct = default)
    {
        var secret = Unprotect(batch.ProtectedSecret);
        var used = (await db.Set<SurveyToken>().AsNoTracking().Where(t => t.BatchId == batch.Id && t.UsedAt != null).Select(t => t.Serial).ToListAsync(ct)).ToHashSet();
        return [.. Enumerable.Range(batch.FirstSerial, batch.Count).Select(s => new IssuedCode(s, SurveyTokens.Derive(secret, s), used.Contains(s)))];
    }
}
