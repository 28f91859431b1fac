using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Shared;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Surveys;

public sealed record TallyRow(string UnitId, string UnitName, IReadOnlyDictionary<string, double> Live, IReadOnlyDictionary<string, double>? Stored, double? Rate)
{
    public bool Stale => Stored is null || Live.Count != Stored.Count || Live.Any(kv => Stored.GetValueOrDefault(kv.Key) != kv.Value);
}

/// <summary>群众满意度调查: progress of every site against its quota (refreshed live), and the tallies that feed the survey leaf.</summary>
[Authorize(Roles = "office,assessor,leader,viewer")]
public sealed class IndexModel(SurveyService surveys, KaoheDbContext db) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Period { get; set; }
    [TempData] public string? Message { get; set; }
    public IReadOnlyList<Period> Periods { get; private set; } = [];
    public ActiveSurvey? Survey { get; private set; }
    public IReadOnlyList<SiteProgress> Sites { get; private set; } = [];
    public IReadOnlyList<TallyRow> Tallies { get; private set; } = [];

    /// <summary>
    /// The rows shown: one page of the sites and one of the tallies (3,000 units, ~6,000 rows at national scale), filtered
    /// by <see cref="Q"/>. Both lists are computed whole first (the counts are SurveyService's), so they are cut in memory;
    /// the totals above them stay those of every site.
    /// </summary>
    public Paged<SiteProgress> SitesPage { get; private set; } = null!;
    public Paged<TallyRow>? TalliesPage { get; private set; }
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    public IReadOnlyList<string> OptionIds { get; private set; } = [];
    public int Responses { get; private set; }

    /// <summary>A queued or running 更新统计 job of this period: the page links to its progress.</summary>
    public string? TallyJob { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Periods = await db.Periods.AsNoTracking().Where(p => p.Kind == PeriodKind.Quarter).OrderBy(p => p.Id).ToListAsync(ct);
        Period ??= await SurveysApi.DefaultPeriodAsync(db, ct) ?? Periods.FirstOrDefault()?.Id;
        if (Period is null) return;
        Survey = await surveys.ActiveAsync(Period, ct);
        Sites = await surveys.ProgressAsync(Period, ct);
        var order = Sites.Select((site, i) => (site.SiteId, i)).ToDictionary(x => x.SiteId, x => x.i);
        // "order" is the office's order of the sites (SurveySite.Order).
        var siteSorts = Sorts<SiteProgress>.By("order", s => s.SiteId).Add("order", s => order[s.SiteId]).Add("site", s => s.Place).Add("unit", s => s.UnitName)
            .Add("quota", s => s.Quota).Add("received", s => s.Web + s.Paper).Add("done", s => s.Quota > 0 ? (double)(s.Web + s.Paper) / s.Quota : 0);
        SitesPage = Sites.Where(s => Matches(s.Place, s.Code, s.UnitName, s.UnitId)).Page(PageQuery.From(Request), siteSorts);
        if (Survey is null) return;
        if (User.IsInRole(Roles.Office))
            TallyJob = await db.Set<Job>().AsNoTracking()
                .Where(j => j.Kind == SurveyTallyJob.JobKind && j.PeriodId == Period && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running))
                .Select(j => j.Id).FirstOrDefaultAsync(ct);
        var computed = await surveys.ComputeAsync(Period, ct);
        if (computed is not { } c) return;
        Responses = c.Responses;
        var method = Survey.Questionnaire.ToMethod();
        OptionIds = [.. method.Options.Select(o => o.Id)];
        var stored = (await db.Facts.AsNoTracking().Where(f => f.PeriodId == Period && f.IndicatorId == Survey.Row.IndicatorId && f.Kind == FactKind.SurveyTally).ToListAsync(ct))
            .GroupBy(f => f.UnitId).ToDictionary(g => g.Key, g => g.Count() == 1 ? FactPayload.Parse(g.Single().Payload).Counts : null);
        var ids = c.Counts.Keys.ToList();
        var units = await db.Units.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, ct);
        Tallies = [.. c.Counts.OrderBy(kv => units.TryGetValue(kv.Key, out var u) ? u.Group : "").ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new TallyRow(kv.Key, units.TryGetValue(kv.Key, out var u) ? (Ui.IsEnglish ? u.NameEn : u.Name) : kv.Key, kv.Value,
                stored.GetValueOrDefault(kv.Key), Rate(method, kv.Value)))];
        // "order" is the order the rows were built in (ranking group, then unit).
        var tallyOrder = Tallies.Select((t, i) => (t.UnitId, i)).ToDictionary(x => x.UnitId, x => x.i);
        var tallySorts = Sorts<TallyRow>.By("order", t => t.UnitId).Add("order", t => tallyOrder[t.UnitId]).Add("unit", t => t.UnitName).Add("rate", t => t.Rate).Add("state", t => t.Stale);
        TalliesPage = Tallies.Where(t => Matches(t.UnitName, t.UnitId)).Page(PageQuery.From(Request, "t-"), tallySorts);
    }

    private bool Matches(params string[] fields) => Q?.Trim() is not { Length: > 0 } q || fields.Any(f => f.Contains(q, StringComparison.OrdinalIgnoreCase));

    /// <summary>The satisfaction rate the survey method gives (0–100): Σ count × value / Σ counted.</summary>
    public static double? Rate(SurveyMethod m, IReadOnlyDictionary<string, double> counts)
    {
        double sum = 0, n = 0;
        foreach (var o in m.Options)
            if (o.Value is { } v && counts.TryGetValue(o.Id, out var c)) { sum += c * v; n += c; }
        return n > 0 ? sum / n : null;
    }

    /// <summary>更新统计 runs as a job (1,000,000 responses at national scale): the office is taken to its progress, and can leave and come back via 我的任务.</summary>
    [WritesPeriodInputs(PeriodInput.Data)]
    public async Task<IActionResult> OnPostTalliesAsync([FromServices] Jobs.JobService jobs, CancellationToken ct)
    {
        if (!User.IsInRole(Roles.Office)) return Forbid();
        if (Period is null || !await db.Periods.AnyAsync(p => p.Id == Period, ct)) return RedirectToPage();
        if (await surveys.ActiveAsync(Period, ct) is null)
        {
            Message = Ui.T("本期没有启用的问卷", "No active questionnaire in this period");
            return RedirectToPage(new { period = Period });
        }
        var job = await jobs.StartOrJoinAsync(User, SurveyTallyJob.JobKind, Period, ct);
        return Redirect($"/Jobs/{job.Id}");
    }
}
