using System.Text.Json;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Surveys;

/// <summary>
/// 问卷编辑: the office builds the period's questionnaire from the template: languages (Chinese
/// required), question texts per language, and the answer scale with its points. Saving makes a
/// new version; responses keep the version they answered.
/// </summary>
[NotPeriodInputs("a questionnaire version; the tallies are the input")]
[Authorize(Policy = Policies.Office)]
public sealed class QuestionnaireModel(KaoheDbContext db, SurveyService surveys, AuditLog audit, TimeProvider clock, SurveyCache cache) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Period { get; set; }
    [TempData] public string? Message { get; set; }
    public List<string> Errors { get; private set; } = [];
    public Questionnaire Draft { get; private set; } = Questionnaire.UrbanManagementTemplate();
    public IReadOnlyList<string> Languages { get; private set; } = ["zh", "bo", "en"];
    public string Category { get; private set; } = "urban";
    public string Indicator { get; private set; } = "U2.5";
    public SurveyQuestionnaire? Current { get; private set; }
    public IReadOnlyList<Period> Periods { get; private set; } = [];

    public async Task OnGetAsync(bool template = false, CancellationToken ct = default)
    {
        Periods = await db.Periods.AsNoTracking().Where(p => p.Kind == PeriodKind.Quarter).OrderBy(p => p.Id).ToListAsync(ct);
        Period ??= await SurveysApi.DefaultPeriodAsync(db, ct) ?? Periods.FirstOrDefault()?.Id;
        var active = Period is null ? null : await surveys.ActiveAsync(Period, ct);
        Current = active?.Row;
        if (active is not null && !template)
        {
            Draft = active.Questionnaire;
            Languages = Draft.Languages;
            Category = active.Row.Category;
            Indicator = active.Row.IndicatorId;
        }
        else if (await SurveyLeafAsync(ct) is { } leaf)
        {
            (Category, Indicator) = leaf;
        }
    }

    /// <summary>The first survey leaf of the period's active schemes, to preselect what a new questionnaire feeds.</summary>
    private async Task<(string, string)?> SurveyLeafAsync(CancellationToken ct)
    {
        var schemes = await db.Schemes.AsNoTracking().Where(s => s.PeriodId == Period && s.Status == SchemeStatus.Active).ToListAsync(ct);
        foreach (var s in schemes.OrderBy(s => s.Category == "urban" ? 0 : 1))
        {
            var read = SchemeService.Parse(s);
            if (read.IsValid && IndicatorTree.Leaves(read.Indicators!).FirstOrDefault(l => l.Method is SurveyMethod) is { } leaf) return (s.Category, leaf.Id);
        }
        return null;
    }


    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Periods = await db.Periods.AsNoTracking().Where(p => p.Kind == PeriodKind.Quarter).OrderBy(p => p.Id).ToListAsync(ct);
        var f = Request.Form;
        string F(string key) => f[key].ToString().Trim();
        Languages = [.. F("languages").Split([',', ' ', '，'], StringSplitOptions.RemoveEmptyEntries).Select(l => l.ToLowerInvariant()).Prepend("zh").Distinct()];
        if (Languages.Any(l => l.Length > 8 || !l.All(char.IsAsciiLetterLower) && !l.Contains('-')))
            Errors.Add(Ui.T("languages：语言代码如 zh、bo、en", "languages: language codes such as zh, bo, en"));
        Texts T(string prefix) => new(Languages.Select(l => (l, F($"{prefix}_{l}"))).Where(x => x.Item2.Length > 0).ToDictionary(x => x.l, x => x.Item2));
        Category = F("category");
        Indicator = F("indicator");

        var options = new List<AnswerOption>();
        for (var k = 0; k < 20 && f.ContainsKey($"o{k}_id"); k++)
        {
            var id = F($"o{k}_id");
            if (id.Length == 0) continue;
            var texts = T($"o{k}");
            if (!texts.ByLanguage.ContainsKey("zh")) texts = new(new Dictionary<string, string>(texts.ByLanguage) { ["zh"] = id });
            double? value = null;
            var raw = F($"o{k}_value");
            if (raw.Length > 0)
            {
                if (double.TryParse(raw, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v)) value = v;
                else Errors.Add(Ui.T($"o{k}_value：选项“{id}”的分值“{raw}”不是数字（留空表示不计分）", $"o{k}_value: the points \"{raw}\" of \"{id}\" are not a number (blank = not counted)"));
            }
            options.Add(new AnswerOption(id, texts, value));
        }
        var questions = new List<Question>();
        for (var i = 0; i < 50 && f.ContainsKey($"q{i}_id"); i++)
        {
            var texts = T($"q{i}");
            if (texts.ByLanguage.Count == 0) continue; // an empty row
            var id = F($"q{i}_id");
            if (id.Length == 0) id = $"q{i + 1}";
            questions.Add(new Question(id, texts, options, f.ContainsKey($"q{i}_scored")));
        }
        Draft = new Questionnaire(F("id") is { Length: > 0 } qid ? qid : "satisfaction", T("title"), T("intro"), questions);
        Errors.AddRange(Draft.Validate().Select(SurveysApi.Localize));
        if (questions.Count > 0 && questions.Select(q => q.Id).Distinct().Count() != questions.Count) Errors.Add(Ui.T("questions：题目编号重复", "questions: duplicate question ids"));
        foreach (var l in Languages.Where(l => l != "zh"))
            if (!Draft.Languages.Contains(l)) Errors.Add(Ui.T($"{l}：标题、每道题和每个选项都须有该语言的文字（或从语言中去掉）", $"{l}: the title, every question and every option need a text in this language (or remove the language)"));

        // The tallies feed a survey leaf: its options and points must be the questionnaire's.
        var scheme = await db.Schemes.AsNoTracking().Where(s => s.PeriodId == Period && s.Category == Category && s.Status == SchemeStatus.Active)
            .OrderByDescending(s => s.Version).FirstOrDefaultAsync(ct);
        var leaf = scheme is null ? null : SchemeService.Parse(scheme) is { IsValid: true } read ? IndicatorTree.Leaves(read.Indicators!).FirstOrDefault(l => l.Id == Indicator) : null;
        if (leaf?.Method is not SurveyMethod sm)
            Errors.Add(Ui.T($"indicator：{Categories.Name(Category, false)} 本期启用的方案中没有满意度（survey）指标“{Indicator}”", $"indicator: the active {Category} scheme of the period has no survey leaf \"{Indicator}\""));
        else if (Errors.Count == 0 && !sm.Options.Select(o => (o.Id, o.Value)).SequenceEqual(Draft.ToMethod().Options.Select(o => (o.Id, o.Value))))
            Errors.Add(Ui.T($"options：选项和分值须与考核方案指标 {Indicator} 一致（{string.Join("，", sm.Options.Select(o => $"{o.Id} {o.Value?.ToString() ?? "不计分"}"))}）",
                $"options: the options and points must be those of the scheme's leaf {Indicator} ({string.Join(", ", sm.Options.Select(o => $"{o.Id} {o.Value?.ToString() ?? "not counted"}"))})"));
        if (Period is null || !Periods.Any(p => p.Id == Period)) Errors.Add(Ui.T("period：请选择季度考核期", "period: choose a quarter"));
        if (Errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var previous = await db.Set<SurveyQuestionnaire>().Where(q => q.PeriodId == Period).ToListAsync(ct);
        foreach (var p in previous.Where(p => p.Status == QuestionnaireStatus.Active)) p.Archive();
        var version = previous.Count == 0 ? 1 : previous.Max(p => p.Version) + 1;
        var row = new SurveyQuestionnaire(Period!, Category, Indicator, version, Draft.Title.In("zh"), JsonSerializer.Serialize(Draft.Languages), SurveyDocuments.ToJson(Draft),
            surveys.NewProtectedSecret(), User.Identity?.Name ?? "office", clock.GetUtcNow());
        row.Activate();
        db.Add(row);
        audit.Record("survey.questionnaire", "survey-questionnaire", $"{Period}/v{version}", previous.FirstOrDefault(p => p.Version == version - 1)?.Document, row.Document);
        await audit.SaveAsync(ct);
        cache.Invalidate(Period); // the next submission on this instance answers the new version (others within the cache's expiry)
        Message = Ui.T($"问卷第 {version} 版已启用", $"Version {version} of the questionnaire is active");
        return RedirectToPage("/Surveys/Index", new { period = Period });
    }
}
