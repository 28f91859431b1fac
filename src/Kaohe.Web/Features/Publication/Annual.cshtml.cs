using Kaohe.Data;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Schemes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Publication;

/// <summary>年终考核: the quarters and the annual leadership evaluation with their weights, the year's adjustments and vetoes (docs/annual.md).</summary>
[Authorize(Roles = $"{Roles.Office},{Roles.Leader},{Roles.Viewer},{Roles.Division}")]
public sealed class AnnualModel(KaoheDbContext db, ResultsStore store, ResultsAccess access, Publisher publisher) : PageModel
{
    public string Year { get; private set; } = "";
    public string Category { get; private set; } = "housing";
    public IReadOnlyList<string> Years { get; private set; } = [];
    public ResultsView? Draft { get; private set; }

    /// <summary>Who is missing what, when the year cannot be computed yet.</summary>
    public Unfinished? Unfinished { get; private set; }

    /// <summary>Why the results are not shown to this person now; null when they are.</summary>
    public string? Hidden { get; private set; }
    public AnnualSetting? Setting { get; private set; }
    public PublishedSnapshot? Snapshot { get; private set; }

    [TempData] public string? Message { get; set; }
    [TempData] public string? Error { get; set; }

    [WritesPeriodInputs(PeriodInput.Setup)]
    public async Task<IActionResult> OnPostWeightsAsync(string year, string category, double? q1, double? q2, double? q3, double? q4, double? leadership)
    {
        if (User.Role() != Roles.Office) return Forbid();
        var r = int.TryParse(year, System.Globalization.CultureInfo.InvariantCulture, out var y)
            ? await publisher.SetAnnualWeightsAsync(y, category, q1, q2, q3, q4, leadership)
            : Failure.Invalid("年度无效", "invalid year", "year");
        if (r is null) Message = Infrastructure.Ui.T("权重已保存", "The weights are saved");
        else Error = Infrastructure.Ui.T(r.Zh, r.En);
        return RedirectToPage(new { year, category });
    }

    public async Task OnGetAsync(string? year, string? category)
    {
        Years = await db.Periods.AsNoTracking().Where(p => p.Quarter == null).OrderBy(p => p.Year).Select(p => p.Id).ToListAsync();
        Year = Years.Contains(year ?? "") ? year! : Years.LastOrDefault() ?? "";
        Category = Categories.Find(category)?.Code ?? "housing";
        if (Year.Length == 0) return;
        var y = int.Parse(Year, System.Globalization.CultureInfo.InvariantCulture);
        Setting = await db.Set<AnnualSetting>().AsNoTracking().FirstOrDefaultAsync(s => s.Year == y && s.Category == Category);
        var grant = await access.RowsAsync(User, Year, Category);
        if (!grant.All) Hidden = grant.Reason;
        else Draft = await store.DraftAsync(db, Year, Category);
        if (Draft is { Scored: false, NoScheme: false, Errors.Count: > 0 })
            Unfinished = await Unfinished.OfAsync(db, Year, Draft.Errors, Draft.Assessment, ct: HttpContext.RequestAborted);
        Snapshot = await Snapshots.LatestAsync(db, Year, Category);
    }
}
