using Kaohe.Scoring;
using Kaohe.Web.Data;
using Kaohe.Web.Features.Publication;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Results;

/// <summary>
/// Every number opens its explanation: formula, inputs, the facts behind them with their source,
/// evidence (attachments) and audit history, and whether a fact changed since the result was
/// published. A unit sees the explanation of its own results only (申诉复核).
/// </summary>
[Authorize(Roles = $"{Roles.Office},{Roles.Leader},{Roles.Viewer},{Roles.Division},{Roles.Unit}")]
public sealed class ExplainModel(Drafts drafts, KaoheDbContext db) : PageModel
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
    public PublishedSnapshot? Snapshot { get; private set; }

    /// <summary>Facts whose datum differs from what the latest snapshot published, with the published text.</summary>
    public IReadOnlyDictionary<long, string?> ChangedSincePublication { get; private set; } = new Dictionary<long, string?>();

    public async Task<IActionResult> OnGetAsync(string period, string category, string unit, string? node)
    {
        // A unit sees its own explanation once the period is in review or published (申诉复核), not before.
        if (User.Role() == Roles.Unit && (User.UnitId() != unit
            || !(await db.Set<ReviewWindow>().AnyAsync(w => w.PeriodId == period) || await db.Snapshots.AnyAsync(s => s.PeriodId == period))))
            return NotFound();
        var draft = await drafts.BuildAsync(period, category);
        if (draft?.Result is not { } result || draft.Assessment is null || result.Units.All(u => u.Id != unit)) return NotFound();
        if (node is not null && !Exists(draft.Assessment.Indicators, node)) return NotFound();
        Period = period;
        Category = category;
        IsAnnual = draft.IsAnnual;
        Unit = result[unit];
        Explanation = result.Explain(unit, node);
        Decimals = draft.Assessment.Rules.RankDecimals;
        Facts = draft.Facts.Where(f => f.UnitId == unit && (node is null ? f.IndicatorId is null : f.IndicatorId == node)).ToList();
        var ids = Facts.Select(f => f.Id).ToList();
        var owners = ids.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var files = await db.Attachments.AsNoTracking()
            .Where(a => (a.FactId != null && ids.Contains(a.FactId.Value)) || ((a.OwnerKind == "fact" || a.OwnerKind == "finding") && owners.Contains(a.OwnerId)))
            .OrderBy(a => a.Id).ToListAsync();
        Attachments = files.ToLookup(a => a.FactId ?? long.Parse(a.OwnerId, System.Globalization.CultureInfo.InvariantCulture));
        var entries = await db.AuditEntries.AsNoTracking().Where(e => e.EntityType == "fact" && owners.Contains(e.EntityId)).OrderBy(e => e.Sequence).ToListAsync();
        History = entries.ToLookup(e => long.Parse(e.EntityId, System.Globalization.CultureInfo.InvariantCulture));

        Snapshot = await Snapshots.LatestAsync(db, period, category);
        if (Snapshot is not null && Snapshots.Input(Snapshot) is { } published)
        {
            var changes = SnapshotDiff.Inputs(published, draft.Assessment).Where(c => c.Unit == unit).ToList();
            var map = new Dictionary<long, string?>();
            foreach (var f in Facts)
            {
                var c = changes.FirstOrDefault(c => c.What switch
                {
                    "value" => c.Indicator == f.IndicatorId && (c.Rater is null || c.Rater == f.Rater),
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

    private static bool Exists(IEnumerable<Indicator> nodes, string id) => nodes.Any(n => n.Id == id || Exists(n.ChildList, id));
}
