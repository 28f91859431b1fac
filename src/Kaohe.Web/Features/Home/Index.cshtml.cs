using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Catalog;
using Kaohe.Web.Features.Insight;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Home;

public sealed class IndexModel(KaoheDbContext db, Results.ResultsStore store) : PageModel
{
    public sealed record CategoryProgress(string Code, string Name, int Units, int? SchemeId, int? SchemeVersion, int Leaves, int Facts, int Expected)
    {
        public double Share => Expected == 0 ? 0 : Math.Min(1, (double)Facts / Expected);
    }

    public Period? Current { get; private set; }
    public IReadOnlyList<CategoryProgress> Progress { get; private set; } = [];
    public IReadOnlyList<Prefecture> Prefectures { get; private set; } = [];
    public OrgUnit? MyUnit { get; private set; }
    public bool DemoLoaded { get; private set; }

    /// <summary>The investment headline of the latest quarter whose housing results are published (open to everyone signed in), from its measures.</summary>
    public InvestmentHeadline? Headline { get; private set; }

    /// <summary>The quarter <see cref="Headline"/> belongs to.</summary>
    public Period? HeadlinePeriod { get; private set; }
    public int AuditEntries { get; private set; }

    /// <summary>The prefecture bureaus this person may open: a unit sees only its own, so the others are names, not links to a 404.</summary>
    public IReadOnlySet<string> OpenableBureaus { get; private set; } = new HashSet<string>();

    public async Task OnGetAsync()
    {
        var periods = await db.Periods.AsNoTracking().OrderBy(p => p.Year).ThenBy(p => p.Quarter).ToListAsync();
        Current = Features.Periods.CurrentPeriod.Collecting(periods) ?? periods.LastOrDefault();
        Prefectures = await db.Prefectures.AsNoTracking().OrderBy(p => p.Order).ToListAsync();
        var bureaus = Prefectures.SelectMany(p => new[] { "zj-" + p.Id, "cg-" + p.Id }).ToList();
        OpenableBureaus = (await db.Units.AsNoTracking().Visible(User).Where(u => bureaus.Contains(u.Id)).Select(u => u.Id).ToListAsync()).ToHashSet();
        DemoLoaded = await db.AuditEntries.AnyAsync(e => e.Action == "demo.load");
        if (User.UnitId() is { } unit) MyUnit = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == unit);
        if (User.IsOffice()) AuditEntries = await db.AuditEntries.CountAsync();
        var publishedIds = await db.Snapshots.AsNoTracking().Where(s => s.Category == "housing").Select(s => s.PeriodId).Distinct().ToListAsync();
        HeadlinePeriod = periods.Where(p => p.Kind == PeriodKind.Quarter && publishedIds.Contains(p.Id)).LastOrDefault();
        if (HeadlinePeriod is not null && await store.PublishedAsync(db, HeadlinePeriod.Id, "housing") is { } housing
            && InvestmentFigures.From(HeadlinePeriod.Id, housing.Assessment) is { Source: "measures" } figures)
            Headline = figures;
        if (Current is null) return;

        var unitCounts = await db.Units.AsNoTracking().Visible(User).GroupBy(u => u.Kind).Select(g => new { g.Key, Count = g.Count() }).ToListAsync();
        var schemes = await db.Schemes.AsNoTracking().Where(s => s.PeriodId == Current.Id && s.Status == SchemeStatus.Active).ToListAsync();
        var visibleUnits = db.Units.Visible(User).Select(u => u.Id);
        // Progress counts data items, not rows: one per unit and leaf (one per rater on rater leaves).
        // A deduction leaf needs no item: no finding means nothing was deducted.
        // Counted in the database: at national scale the quarter has ~260,000 such items, which the page must not read.
        var factCounts = await db.Facts.AsNoTracking()
            .Where(f => f.PeriodId == Current.Id && visibleUnits.Contains(f.UnitId) && f.IndicatorId != null && f.Kind != FactKind.Finding)
            .Join(db.Units, f => f.UnitId, u => u.Id, (f, u) => new { u.Kind, f.UnitId, f.IndicatorId, f.Rater })
            .Distinct().GroupBy(i => i.Kind).Select(g => new { g.Key, Count = g.Count() }).ToListAsync();
        var list = new List<CategoryProgress>();
        foreach (var c in Categories.All)
        {
            var units = unitCounts.FirstOrDefault(x => x.Key == c.Kind)?.Count ?? 0;
            if (units == 0 && User.UnitId() is not null) continue;
            var scheme = schemes.Where(s => s.Category == c.Code).MaxBy(s => s.Version);
            var leaves = 0;
            var perUnit = 0;
            if (scheme is not null && SchemeService.Parse(scheme) is { IsValid: true } tree)
                foreach (var leaf in IndicatorTree.Leaves(tree.Indicators!))
                {
                    leaves++;
                    perUnit += leaf.Method is RatersMethod rm ? rm.Raters.Count : leaf.Method is DeductionMethod ? 0 : 1;
                }
            list.Add(new CategoryProgress(c.Code, Categories.Name(c.Code, Ui.IsEnglish), units, scheme?.Id, scheme?.Version, leaves,
                factCounts.FirstOrDefault(x => x.Key == c.Kind)?.Count ?? 0, units * perUnit));
        }
        Progress = list;
    }

}
