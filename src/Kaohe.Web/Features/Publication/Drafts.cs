using System.Text;
using System.Text.Json;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;
using Kaohe.Data;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Publication;

/// <summary>Reading stored snapshots. The rows are never updated (there is no code path that does).</summary>
public static class Snapshots
{
    public static Task<PublishedSnapshot?> LatestAsync(KaoheDbContext db, string periodId, string category, CancellationToken ct = default) =>
        db.Snapshots.AsNoTracking().Where(s => s.PeriodId == periodId && s.Category == category)
            .OrderByDescending(s => s.Version).FirstOrDefaultAsync(ct);

    /// <summary>The v1 input file of a snapshot, exactly as hashed.</summary>
    public static string InputText(PublishedSnapshot s)
    {
        using var doc = JsonDocument.Parse(s.Document);
        var read = KaoheFile.Read(Encoding.UTF8.GetBytes(doc.RootElement.GetProperty("input").GetRawText()));
        return read.Assessment is { } a ? KaoheFile.Write(a) : doc.RootElement.GetProperty("input").GetRawText();
    }

    public static Assessment? Input(PublishedSnapshot s)
    {
        using var doc = JsonDocument.Parse(s.Document);
        return KaoheFile.Read(Encoding.UTF8.GetBytes(doc.RootElement.GetProperty("input").GetRawText())).Assessment;
    }
}
