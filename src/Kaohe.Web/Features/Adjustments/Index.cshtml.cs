using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Adjustments;

/// <summary>One unit's adjustments of the period before and after the scheme's caps, as the engine computes them.</summary>
public sealed record CapRow(string UnitId, string UnitName, double Bonus, double Deduction, double Applied, bool Capped);

/// <summary>加扣分 and 资金使用绩效 of one category and period: the rule table, the events with evidence, the caps.</summary>
[Authorize(Policy = Policies.Office)]
public sealed class IndexModel(KaoheDbContext db, AdjustmentService service, ResultsStore store) : PageModel
{
    [BindProperty(SupportsGet = true)] public string Period { get; set; } = "2023-Q1";
    [BindProperty(SupportsGet = true)] public string Category { get; set; } = "housing";
    [BindProperty] public string? Unit { get; set; }
    [BindProperty] public string? Rule { get; set; }
    [BindProperty] public double? Points { get; set; }
    [BindProperty] public double? SpendingPercent { get; set; }
    [BindProperty] public string? Reason { get; set; }
    [BindProperty] public string? DocumentRef { get; set; }
    [BindProperty] public List<IFormFile> Evidence { get; set; } = [];

    public IReadOnlyList<string> Periods { get; private set; } = [];
    public IReadOnlyList<OrgUnit> Units { get; private set; } = [];
    public IReadOnlyList<AdjustmentRule> Rules { get; private set; } = [];
    public IReadOnlyList<AdjustmentEventDto> Events { get; private set; } = [];
    public IReadOnlyList<CapRow> Caps { get; private set; } = [];
    public Kaohe.Scoring.Rules? SchemeRules { get; private set; }
    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public string? Message { get; private set; }

    public string UnitName(string id) => Units.FirstOrDefault(u => u.Id == id)?.Name ?? id;

    public AdjustmentRule? RuleOf(string code) => Rules.FirstOrDefault(r => r.Code == code);

    private async Task LoadAsync()
    {
        if (Categories.Find(Category) is null) Category = "housing";
        var cat = Categories.Find(Category)!;
        Periods = await db.Periods.AsNoTracking().OrderBy(p => p.Year).ThenBy(p => p.Quarter).Select(p => p.Id).ToListAsync();
        Units = await db.Units.AsNoTracking().Where(u => u.Kind == cat.Kind).OrderBy(u => u.Id).ToListAsync();
        Rules = (await service.RulesAsync(Period, Category)).Where(r => r.Kind != AdjustmentRuleKind.Veto).ToList();
        var unitIds = Units.Select(u => u.Id).ToList();
        Events = await AdjustmentsApi.DtosAsync(db, db.Set<AdjustmentEvent>().AsNoTracking()
            .Where(e => e.PeriodId == Period && unitIds.Contains(e.UnitId) && e.Kind != AdjustmentRuleKind.Veto));
        var view = await store.CurrentAsync(db, Period, Category);
        if (view is { Scored: true, Assessment: { } input })
        {
            SchemeRules = input.Rules;
            Caps = input.Adjustments.GroupBy(a => a.Unit).OrderBy(g => g.Key).Select(g =>
            {
                var bonus = g.Where(a => a.Points > 0).Sum(a => a.Points);
                var deduction = -g.Where(a => a.Points < 0).Sum(a => a.Points);
                var applied = view.ByUnit[g.Key].Adjustment;
                return new CapRow(g.Key, UnitName(g.Key), bonus, deduction, applied, Math.Abs(applied - (bonus - deduction)) > 1e-9);
            }).ToList();
        }
    }

    public async Task OnGetAsync() => await LoadAsync();

    [WritesPeriodInputs(PeriodInput.Data)]
    public async Task<IActionResult> OnPostAsync()
    {
        var uploads = Evidence.Where(f => f.Length > 0).Select(f => new Upload(f.OpenReadStream(), f.FileName)).ToList();
        try
        {
            var outcome = await service.RecordAsync(new RecordEvent(Period, Unit, Rule, Points, SpendingPercent, Reason, DocumentRef), uploads);
            if (outcome.Failure is { } f)
            {
                Errors = new Dictionary<string, string[]>(f.Errors ?? new Dictionary<string, string[]>());
                if (Errors.Count == 0) Errors[""] = [Ui.T(f.Zh, f.En)];
            }
            else return Redirect($"/Adjustments?period={Uri.EscapeDataString(Period)}&category={Uri.EscapeDataString(Category)}&saved=1");
        }
        catch (UploadRejectedException e)
        {
            Errors["evidence"] = [Ui.T(e.Zh, e.En)];
        }
        finally
        {
            foreach (var u in uploads) await u.Content.DisposeAsync();
        }
        await LoadAsync();
        return Page();
    }
}
