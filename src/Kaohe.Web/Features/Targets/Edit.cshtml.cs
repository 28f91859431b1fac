using System.Globalization;
using System.Text.Json;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Targets;

/// <summary>
/// The office drafts or edits a letter (before 签收), or, once the unit has acknowledged it, requests a
/// change that a second office account approves on the letter's page. Figures are typed as text and read
/// by the same validation as the API, so a wrong one is named by its row.
/// </summary>
[Authorize(Policy = Policies.Office)]
[NotPeriodInputs("a draft or a requested change is not data; targets are written when a letter is issued or a change approved")]
public sealed class EditModel(TargetLetterService service) : PageModel
{
    public sealed class TargetRow
    {
        public string? Measure { get; set; }
        public string? Annual { get; set; }
        public string Split { get; set; } = "equal";
        public string? Profile { get; set; }
        public string?[] Quarters { get; set; } = new string?[4];
        public bool Cumulative { get; set; }
    }

    public sealed class TaskRow
    {
        public string? Id { get; set; }
        public string? Title { get; set; }
        public string? Weight { get; set; }
        public string? Assessor { get; set; }
        public string?[] Milestones { get; set; } = new string?[4];
    }

    [BindProperty(SupportsGet = true)] public int Year { get; set; } = 2023;
    [BindProperty(SupportsGet = true)] public string? Unit { get; set; }
    [BindProperty] public List<TargetRow> Targets { get; set; } = [];
    [BindProperty] public List<TaskRow> Tasks { get; set; } = [];
    [BindProperty] public OutcomePoints Points { get; set; } = new();
    [BindProperty] public string? Reason { get; set; }

    public OrgUnit? UnitRow { get; private set; }
    public TargetLetter? Existing { get; private set; }
    public IReadOnlyList<Measure> Measures { get; private set; } = [];
    public IReadOnlyList<OrgUnit> Divisions { get; private set; } = [];
    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public bool IsChange => Existing?.Status is TargetLetterStatus.Acknowledged or TargetLetterStatus.ChangePending;

    private async Task<bool> LoadAsync(bool fill)
    {
        var db = service.Db;
        UnitRow = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == Unit);
        var category = UnitRow is null ? null : Categories.Of(UnitRow.Kind);
        if (UnitRow is null || category is null) return false;
        Existing = await db.TargetLetters.AsNoTracking().FirstOrDefaultAsync(l => l.Year == Year && l.UnitId == Unit);
        Measures = await service.MeasuresAsync(Year, category.Code);
        Divisions = await db.Units.AsNoTracking().Where(u => u.Kind == UnitKind.Division).OrderBy(u => u.Id).ToListAsync();
        if (fill && Existing is not null)
        {
            var c = LetterContent.Parse(Existing.Content);
            string N(double v) => v.ToString(CultureInfo.InvariantCulture);
            Targets = [.. c.Targets.Select(t => new TargetRow { Measure = t.Measure, Annual = N(t.Annual), Split = "manual", Quarters = [.. t.Quarters.Select(N)], Cumulative = t.Cumulative })];
            Tasks = [.. c.Tasks.Select(t => new TaskRow { Id = t.Id, Title = t.Title, Weight = N(t.Weight), Assessor = t.Assessor, Milestones = [.. t.Milestones] })];
            Points = c.Points;
        }
        // Blank rows to add to.
        if (Measures.Count > 0) while (Targets.Count(t => string.IsNullOrWhiteSpace(t.Measure)) < 2) Targets.Add(new TargetRow());
        while (Tasks.Count(t => string.IsNullOrWhiteSpace(t.Title)) < 2) Tasks.Add(new TaskRow());
        return true;
    }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync(fill: true) ? Page() : NotFound();

    private static JsonElement? Figure(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null
        : double.TryParse(text.Trim().Replace(",", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? JsonSerializer.SerializeToElement(v) : JsonSerializer.SerializeToElement(text.Trim());

    private static JsonElement Array(IEnumerable<string?> items) => JsonSerializer.SerializeToElement(items.Select(Figure).Select(e => e ?? JsonSerializer.SerializeToElement("")).ToList());

    private LetterInput Input() => new(
        [.. Targets.Where(t => !string.IsNullOrWhiteSpace(t.Measure)).Select(t => new TargetInput(t.Measure, Figure(t.Annual), t.Split,
            Array((t.Profile ?? "").Split(['/', ',', '，', ' '], StringSplitOptions.RemoveEmptyEntries)), Array(t.Quarters), t.Cumulative))],
        [.. Tasks.Where(t => !string.IsNullOrWhiteSpace(t.Title)).Select(t => new TaskInput(t.Id, t.Title, Figure(t.Weight), t.Assessor, t.Milestones))],
        Points);

    public async Task<IActionResult> OnPostSaveAsync()
    {
        var o = await service.SaveDraftAsync(Year, Unit, Input());
        if (o.Failure is null) return Redirect($"/Targets/Letter/{o.Letter!.Id}");
        return await FailAsync(o.Failure);
    }

    public async Task<IActionResult> OnPostChangeAsync()
    {
        var letter = await service.Db.TargetLetters.AsNoTracking().FirstOrDefaultAsync(l => l.Year == Year && l.UnitId == Unit);
        if (letter is null) return NotFound();
        var (_, failure) = await service.RequestChangeAsync(letter.Id, Input(), Reason);
        if (failure is null) return Redirect($"/Targets/Letter/{letter.Id}");
        return await FailAsync(failure);
    }

    private async Task<IActionResult> FailAsync(Failure failure)
    {
        Errors = new Dictionary<string, string[]>(failure.Errors ?? new Dictionary<string, string[]>());
        if (Errors.Count == 0) Errors[""] = [Ui.T(failure.Zh, failure.En)];
        Response.StatusCode = failure.Status;
        return await LoadAsync(fill: false) ? Page() : NotFound();
    }
}
