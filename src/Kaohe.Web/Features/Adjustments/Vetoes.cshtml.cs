using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Adjustments;

/// <summary>一票否决: one office account requests with reason and evidence; a different one approves or rejects.</summary>
[WritesPeriodInputs(PeriodInput.Data)]
[Authorize(Policy = Policies.Office)]
public sealed class VetoesModel(KaoheDbContext db, AdjustmentService service) : PageModel
{
    [BindProperty(SupportsGet = true)] public string Period { get; set; } = "2023-Q1";
    [BindProperty] public string? Unit { get; set; }
    [BindProperty] public string? Rule { get; set; }
    [BindProperty] public string? Reason { get; set; }
    [BindProperty] public string? DocumentRef { get; set; }
    [BindProperty] public List<IFormFile> Evidence { get; set; } = [];
    [BindProperty] public long Id { get; set; }
    [BindProperty] public string? Note { get; set; }

    public IReadOnlyList<string> Periods { get; private set; } = [];
    public IReadOnlyList<OrgUnit> Units { get; private set; } = [];
    public IReadOnlyList<AdjustmentRule> VetoRules { get; private set; } = [];
    public IReadOnlyList<AdjustmentEventDto> Events { get; private set; } = [];
    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public string Me => User.Identity?.Name ?? "";

    public string UnitName(string id) => Units.FirstOrDefault(u => u.Id == id)?.Name ?? id;

    private async Task LoadAsync()
    {
        Periods = await db.Periods.AsNoTracking().OrderBy(p => p.Year).ThenBy(p => p.Quarter).Select(p => p.Id).ToListAsync();
        Units = await db.Units.AsNoTracking().OrderBy(u => u.Kind).ThenBy(u => u.Id).ToListAsync();
        // The veto rules are the same codes in every category's table; list each code once.
        VetoRules = (await db.Set<AdjustmentRule>().AsNoTracking().Where(r => r.PeriodId == Period && r.Kind == AdjustmentRuleKind.Veto).OrderBy(r => r.Order).ToListAsync())
            .DistinctBy(r => r.Code).ToList();
        Events = await AdjustmentsApi.DtosAsync(db, db.Set<AdjustmentEvent>().AsNoTracking().Where(e => e.PeriodId == Period && e.Kind == AdjustmentRuleKind.Veto));
    }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostRequestAsync()
    {
        var uploads = Evidence.Where(f => f.Length > 0).Select(f => new Upload(f.OpenReadStream(), f.FileName)).ToList();
        try
        {
            var outcome = await service.RecordAsync(new RecordEvent(Period, Unit, Rule, null, null, Reason, DocumentRef), uploads);
            if (outcome.Failure is null) return Redirect($"/Adjustments/Vetoes?period={Uri.EscapeDataString(Period)}");
            Errors = new Dictionary<string, string[]>(outcome.Failure.Errors ?? new Dictionary<string, string[]>());
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

    public Task<IActionResult> OnPostApproveAsync() => DecideAsync(true);

    public Task<IActionResult> OnPostRejectAsync() => DecideAsync(false);

    private async Task<IActionResult> DecideAsync(bool approve)
    {
        var outcome = await service.DecideAsync(Id, approve, Note);
        if (outcome.Failure is null) return Redirect($"/Adjustments/Vetoes?period={Uri.EscapeDataString(Period)}");
        Errors = new Dictionary<string, string[]>(outcome.Failure.Errors ?? new Dictionary<string, string[]>());
        if (Errors.Count == 0) Errors[""] = [Ui.T(outcome.Failure.Zh, outcome.Failure.En)];
        Response.StatusCode = outcome.Failure.Status;
        await LoadAsync();
        return Page();
    }
}
