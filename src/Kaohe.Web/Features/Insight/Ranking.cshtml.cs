using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Schemes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Kaohe.Web.Infrastructure;

namespace Kaohe.Web.Features.Insight;

/// <summary>排名分差与稳定性: each rank with the points to the next rank up and down and how stable the commend/criticise lists are.</summary>
[NotPeriodInputs("robustness bounds of the analysis")]
[Authorize(Roles = ResultReaders.Roles)]
public sealed class RankingModel(KaoheDbContext db, RankingService rankings, Analyses analyses, InsightReads reads, AuditLog audit, TimeProvider clock) : PageModel
{
    public string? Period { get; private set; }
    public string Category { get; private set; } = "housing";
    public IReadOnlyList<string> Periods { get; private set; } = [];
    public RankingOutcome? Outcome { get; private set; }

    /// <summary>Who is missing what, when the period's data cannot be ranked yet.</summary>
    public Results.Unfinished? Unfinished { get; private set; }
    public RobustnessBounds Bounds { get; private set; } = RobustnessBounds.Default;
    public string? Message { get; private set; }
    public Dictionary<string, string> FieldErrors { get; } = [];

    [BindProperty] public double WeightPercent { get; set; }
    [BindProperty] public double RaterPercent { get; set; }
    [BindProperty] public int Samples { get; set; }
    [BindProperty] public int Seed { get; set; }
    [BindProperty] public double CloseCallPoints { get; set; }

    /// <summary>Set while the analysis of the current results is computed in the background (<see cref="Outcome"/> is then null).</summary>
    public AnalysisProgress? Computing { get; private set; }

    public async Task OnGetAsync(string? period, string? category) => await LoadAsync(period, category);

    /// <summary>The progress of the analysis for the page's script (the same answer as the results page's progress API): starts or joins it.</summary>
    public async Task<IActionResult> OnGetProgressAsync(string? period, string? category)
    {
        var p = await InsightApi.PeriodOrCurrent(db, period);
        if (p is null) return NotFound();
        var read = await ReadAsync(p, Categories.Find(category)?.Code ?? "housing", await rankings.BoundsAsync(p, HttpContext.RequestAborted), TimeSpan.Zero);
        return new JsonResult(AnalysisProgressBox.Json(read?.Progress));
    }

    /// <summary>What the page shows, computed in the background (<see cref="Analyses"/>), shared with <c>/api/v1/insight/rankings</c>; null when this person may not see the ranking.</summary>
    private async Task<AnalysisRead<RankingPage>?> ReadAsync(string period, string category, RobustnessBounds bounds, TimeSpan wait)
    {
        var (read, hidden) = await reads.RankingAsync(User, period, category, bounds, withStability: true, wait, HttpContext.RequestAborted);
        if (hidden is not null) Outcome = new(null, null, [], false, hidden);
        return read;
    }

    public string ProgressUrl => $"/Insight/Ranking?handler=Progress&period={Uri.EscapeDataString(Period ?? "")}&category={Uri.EscapeDataString(Category)}";

    public string SelfUrl => $"/Insight/Ranking?period={Uri.EscapeDataString(Period ?? "")}&category={Uri.EscapeDataString(Category)}";

    private async Task LoadAsync(string? period, string? category)
    {
        Periods = await db.Periods.AsNoTracking().Where(p => p.Kind == PeriodKind.Quarter).OrderBy(p => p.Year).ThenBy(p => p.Quarter).Select(p => p.Id).ToListAsync();
        Period = await InsightApi.PeriodOrCurrent(db, period);
        Category = Categories.Find(category)?.Code ?? "housing";
        if (Period is null) return;
        Bounds = await rankings.BoundsAsync(Period);
        WeightPercent = Bounds.WeightShare * 100;
        RaterPercent = Bounds.RaterShare * 100;
        Samples = Bounds.Samples;
        Seed = Bounds.Seed;
        CloseCallPoints = Bounds.CloseCallPoints;
        var read = await ReadAsync(Period, Category, Bounds, analyses.PageWait);
        if (read is null) return;
        Computing = read.Progress;
        Outcome = read.Value?.Outcome;
        Unfinished = read.Value?.Unfinished;
    }

    /// <summary>The office sets the bounds of the period.</summary>
    public async Task<IActionResult> OnPostAsync(string? period, string? category)
    {
        if (!User.IsInRole(Roles.Office)) return Forbid();
        var p = await InsightApi.PeriodOrCurrent(db, period);
        if (p is null) return NotFound();
        if (!double.IsFinite(WeightPercent) || WeightPercent is < 0 or > 50) FieldErrors["WeightPercent"] = T("权重扰动幅度须在 0–50% 之间", "between 0 and 50%");
        if (!double.IsFinite(RaterPercent) || RaterPercent is < 0 or > 50) FieldErrors["RaterPercent"] = T("评分扰动幅度须在 0–50% 之间", "between 0 and 50%");
        if (Samples is < 0 or > RobustnessSetting.MaxSamples) FieldErrors["Samples"] = T($"抽样次数须在 0–{RobustnessSetting.MaxSamples} 之间", $"between 0 and {RobustnessSetting.MaxSamples}");
        if (!double.IsFinite(CloseCallPoints) || CloseCallPoints is < 0 or > 10) FieldErrors["CloseCallPoints"] = T("临界分差须在 0–10 分之间", "between 0 and 10 points");
        if (FieldErrors.Count > 0 || !ModelState.IsValid)
        {
            var (w, r, s, seed, c) = (WeightPercent, RaterPercent, Samples, Seed, CloseCallPoints);
            await LoadAsync(p, category);
            (WeightPercent, RaterPercent, Samples, Seed, CloseCallPoints) = (w, r, s, seed, c);
            if (!ModelState.IsValid) FieldErrors["form"] = T("请填写数字", "please enter numbers");
            return Page();
        }
        var setting = await db.Set<RobustnessSetting>().FirstOrDefaultAsync(x => x.PeriodId == p);
        var old = setting is null ? null : RobustnessBounds.Of(setting);
        if (setting is null) db.Set<RobustnessSetting>().Add(setting = new RobustnessSetting(p, WeightPercent / 100, RaterPercent / 100, Samples, Seed, CloseCallPoints, audit.Actor, clock.GetUtcNow()));
        else setting.Change(WeightPercent / 100, RaterPercent / 100, Samples, Seed, CloseCallPoints, audit.Actor, clock.GetUtcNow());
        audit.Record("robustness.bounds", "period", p, old, RobustnessBounds.Of(setting));
        await audit.SaveAsync();
        return Redirect($"/Insight/Ranking?period={Uri.EscapeDataString(p)}&category={Uri.EscapeDataString(Categories.Find(category)?.Code ?? "housing")}");
    }

    private static string T(string zh, string en) => Infrastructure.Ui.T(zh, en);

    public static string Percent(double? share) => share is { } s ? (s * 100).ToString("0.#") + "%" : "—";
}
