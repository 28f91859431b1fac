using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Schemes;

[NotPeriodInputs("a draft scheme; its activation is the input")]
public sealed class DetailModel(KaoheDbContext db, SchemeService schemes) : PageModel
{
    public Scheme Scheme { get; private set; } = null!;
    public IReadOnlyList<Indicator>? Indicators { get; private set; }
    public Rules? Rules { get; private set; }
    public IReadOnlyDictionary<string, string> RuleTexts { get; private set; } = new Dictionary<string, string>();
    /// <summary>The divisions by name, for the raters of 多方评分 leaves.</summary>
    public IReadOnlyDictionary<string, string> DivisionNames { get; private set; } = new Dictionary<string, string>();
    public int LeafCount { get; private set; }
    public IReadOnlyList<string> Periods { get; private set; } = [];
    public IReadOnlyList<ValidationError> Errors { get; private set; } = [];
    public string? ErrorTitle { get; private set; }
    [TempData] public string? Message { get; set; }

    private async Task<bool> LoadAsync(int id)
    {
        var s = await db.Schemes.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id);
        if (s is null) return false;
        Scheme = s;
        var read = SchemeService.Parse(s);
        Indicators = read.Indicators;
        Rules = read.Rules;
        if (!read.IsValid) { Errors = read.Errors; ErrorTitle = Ui.T("方案未通过校验：", "The scheme does not validate:"); }
        RuleTexts = SchemeService.RuleTexts(s);
        LeafCount = (Indicators ?? []).Leaves().Count();
        Periods = await db.Periods.AsNoTracking().OrderBy(p => p.Year).ThenBy(p => p.Quarter).Select(p => p.Id).ToListAsync();
        DivisionNames = await db.Units.AsNoTracking().Where(u => u.Kind == UnitKind.Division).ToDictionaryAsync(u => u.Id, u => Ui.IsEnglish ? u.NameEn : u.Name);
        return true;
    }


    public async Task<IActionResult> OnGetAsync(int id) => await LoadAsync(id) ? Page() : NotFound();

    public async Task<IActionResult> OnGetJsonAsync(int id)
    {
        var s = await db.Schemes.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id);
        return s is null ? NotFound() : File(System.Text.Encoding.UTF8.GetBytes(s.Document), "application/json", $"scheme-{s.Category}-{s.PeriodId}-v{s.Version}.json");
    }

    public async Task<IActionResult> OnGetXlsxAsync(int id)
    {
        var s = await db.Schemes.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id);
        if (s is null) return NotFound();
        var read = SchemeService.Parse(s);
        if (!read.IsValid) return NotFound();
        return File(SchemeXlsx.Export(read.Indicators!, read.Rules!, SchemeService.RuleTexts(s), read.Measures),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"scheme-{s.Category}-{s.PeriodId}-v{s.Version}.xlsx");
    }

    [WritesPeriodInputs(PeriodInput.Setup)]
    public async Task<IActionResult> OnPostActivateAsync(int id) => await Act(id, () => schemes.ActivateAsync(id), Ui.T("方案已启用。", "The scheme is active."));

    public async Task<IActionResult> OnPostVersionAsync(int id) => await Act(id, () => schemes.NewVersionAsync(id), Ui.T("已生成新版本草稿。", "A new draft version was made."));

    public async Task<IActionResult> OnPostCloneAsync(int id, string toPeriod) => await Act(id, () => schemes.CloneAsync(id, toPeriod), Ui.T("已复制为该考核期的草稿。", "Cloned as a draft of that period."));

    private async Task<IActionResult> Act(int id, Func<Task<SchemeOutcome>> action, string success)
    {
        if (!User.IsOffice()) return Forbid();
        var outcome = await action();
        if (outcome.Failure is { } f)
        {
            if (!await LoadAsync(id)) return NotFound();
            Errors = f.Paths();
            ErrorTitle = Ui.T(f.Zh, f.En);
            return Page();
        }
        Message = success;
        return Redirect($"/Schemes/Detail/{outcome.Scheme!.Id}");
    }
}
