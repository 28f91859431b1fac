using Kaohe.Data;
using Kaohe.Web.Features.Adjustments;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Targets;

/// <summary>
/// One letter: its targets by quarter (and whether each quarter's figure is the quarter's data, or why not),
/// its key tasks and milestone assessments, its versions; the office issues it and decides changes, the unit
/// acknowledges it (签收), the assigned division assesses milestones. Razor Pages ignore [Authorize] on a handler,
/// so the office-only handlers check the role themselves (the service checks the unit and the assessor).
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed class LetterModel(TargetLetterService service) : PageModel
{
    public sealed record QuarterState(string PeriodId, string Stage, bool TakesTargets, IReadOnlyDictionary<string, double> Written);

    [BindProperty(SupportsGet = true)] public int Id { get; set; }
    [BindProperty] public long ChangeId { get; set; }
    [BindProperty] public string? Note { get; set; }
    [BindProperty] public string? Task { get; set; }
    [BindProperty] public int Quarter { get; set; }
    [BindProperty] public string? Outcome { get; set; }
    [BindProperty] public List<IFormFile> Evidence { get; set; } = [];

    public LetterDto Letter { get; private set; } = null!;
    public IReadOnlyList<QuarterState> Quarters { get; private set; } = [];
    public IReadOnlyList<QuarterWrite>? Written { get; private set; }
    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public IReadOnlyDictionary<string, string> UnitNames { get; private set; } = new Dictionary<string, string>();
    public string NameOf(string unitId) => UnitNames.GetValueOrDefault(unitId, unitId);
    public string Me => User.Identity?.Name ?? "";
    public bool IsOffice => User.Role() == Roles.Office;
    /// <summary>An account of the letter's own unit (签收), asked of <see cref="TargetLetterAuthorization"/>.</summary>
    public bool IsOwnUnit { get; private set; }
    private HashSet<string> _assessed = [];
    /// <summary>The person may assess the task's milestones (<see cref="KeyTaskAuthorization"/>).</summary>
    public bool Assesses(LetterTask t) => _assessed.Contains(t.Id);

    private async Task<bool> LoadAsync()
    {
        var db = service.Db;
        var l = await db.TargetLetters.AsNoTracking().FirstOrDefaultAsync(x => x.Id == Id);
        if (l is null || !await service.Authorization.MayAsync(User, l, UnitOperations.Read)) return false;
        Letter = await TargetLettersApi.DtoAsync(service, l, User);
        IsOwnUnit = await service.Authorization.MayAsync(User, l, UnitOperations.Act);
        _assessed = [];
        foreach (var t in Letter.Content.Tasks)
            if (await service.Authorization.MayAsync(User, t, UnitOperations.Act)) _assessed.Add(t.Id);
        UnitNames = await db.Units.AsNoTracking().Where(u => u.Kind == UnitKind.Division).ToDictionaryAsync(u => u.Id, u => Ui.IsEnglish ? u.NameEn : u.Name);
        var states = new List<QuarterState>();
        for (var q = 1; q <= 4; q++)
        {
            var periodId = $"{l.Year}-Q{q}";
            var state = await PeriodStages.StateAsync(db, periodId, l.Category);
            var written = (await db.Facts.AsNoTracking().Where(f => f.PeriodId == periodId && f.UnitId == l.UnitId && f.Source == FactSources.TargetLetter
                    && FactStatuses.Counted.Contains(f.Status)).OrderBy(f => f.Id).ToListAsync())
                .GroupBy(f => f.IndicatorId!).ToDictionary(g => g.Key, g => FactPayload.Parse(g.Last().Payload).Value ?? double.NaN);
            var stage = state is null ? Ui.T("考核期尚未设立", "no period yet") : Ui.T(PeriodStages.Name(state.Stage, state.ScoringClosed).Zh, PeriodStages.Name(state.Stage, state.ScoringClosed).En);
            states.Add(new QuarterState(periodId, stage, state is not null && PeriodStages.Refusal(state, PeriodInput.Setup) is null, written));
        }
        Quarters = states;
        return true;
    }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFound();

    private async Task<IActionResult> AfterAsync(Failure? failure, IReadOnlyList<QuarterWrite>? written = null)
    {
        if (failure is not null)
        {
            Errors = new Dictionary<string, string[]>(failure.Errors ?? new Dictionary<string, string[]>());
            if (Errors.Count == 0) Errors[""] = [Ui.T(failure.Zh, failure.En)];
            Response.StatusCode = failure.Status;
        }
        Written = written;
        return await LoadAsync() ? Page() : NotFound();
    }

    [WritesPeriodInputs(PeriodInput.Setup, StageHandling.OpenPeriodsOnly)]
    public async Task<IActionResult> OnPostIssueAsync()
    {
        if (!IsOffice) return Forbid();
        var o = await service.IssueAsync(Id);
        return await AfterAsync(o.Failure, o.Quarters);
    }

    [NotPeriodInputs("签收 records who acknowledged; it changes no figure")]
    public async Task<IActionResult> OnPostAcknowledgeAsync()
    {
        var o = await service.AcknowledgeAsync(Id, User);
        return await AfterAsync(o.Failure);
    }

    [WritesPeriodInputs(PeriodInput.Setup, StageHandling.OpenPeriodsOnly)]
    public async Task<IActionResult> OnPostApproveAsync()
    {
        if (!IsOffice) return Forbid();
        var o = await service.DecideChangeAsync(ChangeId, true, Note);
        return await AfterAsync(o.Failure, o.Quarters);
    }

    [NotPeriodInputs("a rejected change leaves the letter and its figures as they are")]
    public async Task<IActionResult> OnPostRejectAsync()
    {
        if (!IsOffice) return Forbid();
        var o = await service.DecideChangeAsync(ChangeId, false, Note);
        return await AfterAsync(o.Failure);
    }

    [WritesPeriodInputs(PeriodInput.Data)]
    public async Task<IActionResult> OnPostAssessAsync()
    {
        var uploads = Evidence.Where(f => f.Length > 0).Select(f => new Upload(f.OpenReadStream(), f.FileName)).ToList();
        try
        {
            var (_, failure) = await service.AssessAsync(Id, Task, Quarter, Outcome, Note, uploads, User);
            return await AfterAsync(failure);
        }
        catch (UploadRejectedException e)
        {
            Errors["evidence"] = [Ui.T(e.Zh, e.En)];
            return await LoadAsync() ? Page() : NotFound();
        }
        finally
        {
            foreach (var u in uploads) await u.Content.DisposeAsync();
        }
    }
}
