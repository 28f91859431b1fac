using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Results;

/// <summary>
/// Every number opens its explanation: formula, inputs, the facts behind them with their source,
/// evidence (attachments) and audit history, and whether a fact changed since the result was
/// published. Who may read which explanation is <see cref="ResultsAccess"/>'s (docs/visibility.md).
/// </summary>
[Authorize(Roles = $"{Roles.Office},{Roles.Leader},{Roles.Viewer},{Roles.Division},{Roles.Unit}")]
public sealed class ExplainModel(ResultsStore store, ResultsAccess access, KaoheDbContext db) : PageModel
{
    public string Period { get; private set; } = "";
    public string Category { get; private set; } = "";
    public bool IsAnnual { get; private set; }
    public Explanation Explanation { get; private set; } = null!;
    public UnitResult Unit { get; private set; } = null!;
    public IReadOnlyList<Fact> Facts { get; private set; } = [];
    public int Decimals { get; private set; } = 2;
    public ILookup<long, Attachment> Attachments { get; private set; } = Array.Empty<Attachment>().ToLookup(a => 0L);
    public ILookup<long, AuditEntry> History { get; private set; } = Array.Empty<AuditEntry>().ToLookup(a => 0L);
    public SnapshotInfo? Snapshot { get; private set; }

    /// <summary>Facts whose datum differs from what the latest snapshot published, with the published text.</summary>
    public IReadOnlyDictionary<long, string?> ChangedSincePublication { get; private set; } = new Dictionary<long, string?>();

    public async Task<IActionResult> OnGetAsync(string period, string category, string unit, string? node)
    {
        var ct = HttpContext.RequestAborted;
        var found = await ExplanationQuery.FindAsync(store, access, User, db, period, category, unit, node, ct);
        if (found is null) return NotFound();
        var (view, explanation, facts) = found.Value;
        Period = period;
        Category = category;
        IsAnnual = view.IsAnnual;
        Unit = view.ByUnit[unit];
        Explanation = explanation;
        Decimals = view.RankDecimals;
        Facts = facts;
        var ids = Facts.Select(f => f.Id).ToList();
        var owners = ids.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        if (ids.Count > 0)
        {
            // Two queries for all the facts shown, whatever their number (no query per fact).
            var files = await db.Attachments.AsNoTracking()
                .Where(a => (a.FactId != null && ids.Contains(a.FactId.Value)) || ((a.OwnerKind == "fact" || a.OwnerKind == "finding") && owners.Contains(a.OwnerId)))
                .OrderBy(a => a.Id).ToListAsync(ct);
            Attachments = files.ToLookup(a => a.FactId ?? long.Parse(a.OwnerId, System.Globalization.CultureInfo.InvariantCulture));
            var entries = await db.AuditEntries.AsNoTracking().Where(e => e.EntityType == "fact" && owners.Contains(e.EntityId)).OrderBy(e => e.Sequence).ToListAsync(ct);
            History = entries.ToLookup(e => long.Parse(e.EntityId, System.Globalization.CultureInfo.InvariantCulture));
        }

        Snapshot = view.Published;
        // Published data can change only by an accepted appeal, which publishes a new version at once; data
        // changed under an earlier version of Kaohe (or by hand in the database) still shows here.
        if (Snapshot is not null && view.Assessment is { } published && await store.DraftAsync(db, period, category, ct) is { Assessment: { } current })
        {
            var changes = SnapshotDiff.Inputs(published, current, unit);
            var map = new Dictionary<long, string?>();
            foreach (var f in Facts)
            {
                var c = changes.FirstOrDefault(c => c.What switch
                {
                    "value" => c.Indicator == f.IndicatorId && (c.Rater is null || c.Rater == f.Rater),
                    "measure" => f.Kind == FactKind.Measure && c.Indicator == f.IndicatorId,
                    "adjustment" => f.Kind == FactKind.Adjustment,
                    "veto" => f.Kind == FactKind.Veto,
                    _ => false,
                });
                if (c is not null) map[f.Id] = c.Before;
            }
            ChangedSincePublication = map;
        }
        return Page();
    }
}
