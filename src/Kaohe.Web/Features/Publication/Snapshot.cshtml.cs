using Kaohe.Web.Features.Results;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Publication;

/// <summary>One published snapshot: who, when, the hashes, the results as published, the correction note and the data changed since.</summary>
[Authorize]
public sealed class SnapshotModel(KaoheDbContext db, ResultsStore store) : PageModel
{
    public PublishedSnapshot Snapshot { get; private set; } = null!;

    /// <summary>The results as stored in the snapshot (read, not recomputed).</summary>
    public ResultsView? Result { get; private set; }
    public int Decimals { get; private set; } = 2;
    public IReadOnlyList<PublishedSnapshot> Versions { get; private set; } = [];
    public IReadOnlyList<PublicationApi.ChangedFact>? Changes { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id)
    {
        var s = await db.Snapshots.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id);
        if (s is null) return NotFound();
        Snapshot = s;
        Result = await store.SnapshotAsync(db, s.Id);
        Decimals = Result?.RankDecimals ?? 2;
        Versions = await db.Snapshots.AsNoTracking().Where(x => x.PeriodId == s.PeriodId && x.Category == s.Category).OrderBy(x => x.Version).ToListAsync();
        if (ResultReaders.ReadsAll(User)) Changes = await PublicationApi.ChangesSince(s, db, store);
        return Page();
    }
}
