using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Publication;

/// <summary>
/// 申诉复核: a unit sees its own draft with the explanations, appeals a score with reasons and
/// evidence, and follows each appeal's outcome; the office accepts (correcting the fact) or rejects.
/// </summary>
[NotPeriodInputs("an appeal; its decision is the correction")]
[Authorize(Roles = $"{Roles.Office},{Roles.Leader},{Roles.Viewer},{Roles.Unit}")]
[RequestSizeLimit(100 * 1024 * 1024)]
public sealed class AppealsModel(KaoheDbContext db, ResultsStore store, ResultsAccess access, Appeals appeals, Publisher publisher) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Period { get; set; }
    public IReadOnlyList<Period> Periods { get; private set; } = [];
    public Period? Current { get; private set; }
    public ReviewWindow? Window { get; private set; }
    public IReadOnlyList<Appeal> List { get; private set; } = [];
    public ILookup<string, Attachment> Evidence { get; private set; } = Array.Empty<Attachment>().ToLookup(a => "");
    public IReadOnlyDictionary<long, Fact> Facts { get; private set; } = new Dictionary<long, Fact>();
    public IReadOnlyDictionary<string, string> UnitNames { get; private set; } = new Dictionary<string, string>();

    /// <summary>For a unit: its draft of the period, and its facts to choose from.</summary>
    public ResultsView? MyDraft { get; private set; }
    public UnitResult? Mine { get; private set; }
    public IReadOnlyList<Fact> MyFacts { get; private set; } = [];

    /// <summary>
    /// The indicators a unit may appeal: every scored leaf of its scheme, by name, derived ones (A1 = inv / plan)
    /// included, which have no fact of their own; without a draft, the indicators of its facts.
    /// </summary>
    public IReadOnlyList<(string Id, string Name)> MyIndicators { get; private set; } = [];
    [TempData] public string? Message { get; set; }
    [TempData] public string? Error { get; set; }

    public bool IsUnit => User.Role() == Roles.Unit;

    public async Task<IActionResult> OnGetAsync()
    {
        Periods = await db.Periods.AsNoTracking().OrderBy(p => p.Year).ThenBy(p => p.Quarter == null).ThenBy(p => p.Quarter).ToListAsync();
        Current = Periods.FirstOrDefault(p => p.Id == Period) ?? Periods.FirstOrDefault(p => p.Status == PeriodStatus.Review) ?? Periods.LastOrDefault(p => p.Status == PeriodStatus.Published) ?? Periods.FirstOrDefault();
        if (Current is null) return Page();
        Period = Current.Id;
        Window = await db.Set<ReviewWindow>().AsNoTracking().FirstOrDefaultAsync(w => w.PeriodId == Current.Id);
        List = await AppealAuthorization.VisibleTo(db.Set<Appeal>().AsNoTracking(), User).Where(a => a.PeriodId == Current.Id).OrderByDescending(a => a.Id).ToListAsync();
        var ids = List.Select(a => a.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Evidence = (await db.Attachments.AsNoTracking().Where(a => a.OwnerKind == Appeals.OwnerKind && ids.Contains(a.OwnerId)).ToListAsync()).ToLookup(a => a.OwnerId);
        var factIds = List.Where(a => a.FactId != null).Select(a => a.FactId!.Value).ToList();
        Facts = await db.Facts.AsNoTracking().Where(f => factIds.Contains(f.Id)).ToDictionaryAsync(f => f.Id);
        UnitNames = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.Name);
        if (IsUnit && User.UnitId() is { } unitId)
        {
            var unit = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == unitId);
            var cat = Categories.Of(unit?.Kind);
            if (cat is not null && Window is not null && (await access.RowsAsync(User, Current.Id, cat.Code)).Sees(unitId))
            {
                MyDraft = await store.CurrentAsync(db, Current.Id, cat.Code);
                Mine = MyDraft?.ByUnit.GetValueOrDefault(unitId);
                MyFacts = await db.Facts.AsNoTracking().Where(f => f.PeriodId == Current.Id && f.UnitId == unitId && FactStatuses.Counted.Contains(f.Status))
                    .OrderBy(f => f.IndicatorId).ThenBy(f => f.Id).ToListAsync();
                MyIndicators = MyDraft?.Assessment is { } a
                    ? [.. a.Indicators.Leaves().Select(l => (l.Id, l.Name))]
                    : [.. MyFacts.Select(f => f.IndicatorId).OfType<string>().Distinct().Order(StringComparer.Ordinal).Select(id => (id, id))];
            }
        }
        return Page();
    }

    public async Task<IActionResult> OnPostSubmitAsync(string? indicatorId, long? factId, string? reason, List<IFormFile>? files)
    {
        if (!IsUnit) return Forbid();
        var evidence = (files ?? []).Where(f => f.Length > 0).Select(f => new Appeals.Evidence(f.OpenReadStream(), f.FileName)).ToList();
        try
        {
            var (_, r) = await appeals.SubmitAsync(User, Period, null, indicatorId, factId, reason, evidence);
            if (r is null) Message = Ui.T("申诉已提交，请关注处理结果", "The appeal is submitted; its outcome will show here");
            else Error = Ui.T(r.Zh, r.En);
        }
        catch (UploadRejectedException e)
        {
            Error = Ui.T(e.Zh, e.En);
        }
        finally
        {
            foreach (var e in evidence) await e.Content.DisposeAsync();
        }
        return RedirectToPage(new { period = Period });
    }

    [WritesPeriodInputs(PeriodInput.Data, StageHandling.AppealCorrection)]
    public async Task<IActionResult> OnPostDecideAsync(long id, string decisionKind, string? decision, double? value)
    {
        if (User.Role() != Roles.Office) return Forbid();
        var r = await publisher.DecideAsync(id, decisionKind != "reject", decision, decisionKind == "correct" ? value : null, decisionKind == "withdraw");
        if (r is null) Message = Ui.T("已处理", "Decided");
        else Error = Ui.T(r.Zh, r.En);
        return RedirectToPage(new { period = Period });
    }

}
