using Kaohe.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Kaohe.Web.Infrastructure;

namespace Kaohe.Web.Features.Surveys;

/// <summary>
/// The public form behind a QR code (/s/{token}): no account, one page, large touch targets, no
/// external resources. The questionnaire's languages can be switched; Chinese is the default.
/// </summary>
[NotPeriodInputs("a survey response; the tallies are the input")]
[AllowAnonymous]
[EnableRateLimiting(SurveysApi.RateLimit)]
public sealed class PublicModel(SurveyService surveys, SurveyIntake intake) : PageModel
{
    public enum State { Form, Thanks, Used, Unknown, NotOpen }

    public State Shown { get; private set; } = State.Form;
    public Questionnaire? Questionnaire { get; private set; }
    public string Place { get; private set; } = "";
    public string Language { get; private set; } = Texts.Chinese;
    public IReadOnlyList<string> Languages { get; private set; } = [Texts.Chinese];
    public IReadOnlyList<string> Errors { get; private set; } = [];
    public IReadOnlyDictionary<string, string> Chosen { get; private set; } = new Dictionary<string, string>();

    [BindProperty(SupportsGet = true)]
    public string Token { get; set; } = "";

    public string Chrome(string key) => PublicTexts.Get(key, Language);

    public async Task<IActionResult> OnGetAsync(string? lang, CancellationToken ct)
    {
        await LoadAsync(lang, ct); // sets the state (form, used, unknown) and its status code
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? lang, CancellationToken ct)
    {
        if (!await LoadAsync(lang, ct) && Shown != State.Used) return Page();
        var answers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var q in Questionnaire!.Questions)
            if (Request.Form.TryGetValue("a_" + q.Id, out var v) && !string.IsNullOrEmpty(v)) answers[q.Id] = v.ToString();
        Chosen = answers;
        var result = await intake.SubmitAsync(Token, new SurveyAnswers(answers), Language, HttpContext.Connection.RemoteIpAddress?.ToString(), ct);
        switch (result.Outcome)
        {
            case SubmitOutcome.Stored or SubmitOutcome.Repeated:
                Shown = State.Thanks;
                Response.StatusCode = StatusCodes.Status200OK;
                break;
            case SubmitOutcome.Invalid:
                Shown = State.Form;
                Errors = [.. result.Errors.Select(e => e.Split(": ", 2) is [var path, _] && path.StartsWith("answers.", StringComparison.Ordinal)
                    ? Questionnaire.Questions.Select((q, i) => (q, i)).Where(x => "answers." + x.q.Id == path).Select(x => string.Format(Chrome("answer-n"), x.i + 1)).FirstOrDefault() ?? Chrome("answer-all")
                    : Chrome("answer-all")).Distinct()];
                Response.StatusCode = StatusCodes.Status400BadRequest;
                break;
            case SubmitOutcome.Unavailable:
                Shown = State.Form;
                Errors = [Chrome("retry")];
                Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                break;
            case SubmitOutcome.UnknownToken or SubmitOutcome.NoQuestionnaire:
                Shown = State.Unknown;
                Response.StatusCode = StatusCodes.Status404NotFound;
                break;
            default:
                Shown = State.Used;
                Response.StatusCode = StatusCodes.Status409Conflict;
                break;
        }
        return Page();
    }

    /// <summary>Finds the code's questionnaire; false (with the page state set) when there is no form to show.</summary>
    private async Task<bool> LoadAsync(string? lang, CancellationToken ct)
    {
        var found = await surveys.FindAsync(Token, ct);
        if (found is not { } f)
        {
            Shown = State.Unknown;
            Language = PublicTexts.Known(lang);
            Response.StatusCode = StatusCodes.Status404NotFound;
            return false;
        }
        if (f.Survey is null)
        {
            Shown = State.NotOpen;
            Language = PublicTexts.Known(lang);
            Response.StatusCode = StatusCodes.Status404NotFound;
            return false;
        }
        Questionnaire = f.Survey.Questionnaire;
        Languages = Questionnaire.Languages;
        Language = lang is not null && Languages.Contains(lang) ? lang : Texts.Chinese;
        Place = f.Site.Place;
        if (f.Token.UsedAt is not null)
        {
            Shown = State.Used;
            Response.StatusCode = StatusCodes.Status409Conflict;
            return false;
        }
        return true;
    }
}

/// <summary>
/// The few texts of the public form around the questionnaire, per language. The Tibetan (bo) texts
/// are drafts, to be checked by a native speaker before the survey is used.
/// </summary>
public static class PublicTexts
{
    private static readonly Dictionary<string, Dictionary<string, string>> ByLanguage = new()
    {
        ["zh"] = new()
        {
            ["submit"] = "提交", ["thanks"] = "提交成功，感谢您的参与！", ["thanks-more"] = "您的意见将用于改进城市管理工作。本问卷匿名，不记录您的身份。",
            ["used"] = "此二维码已经使用过", ["used-more"] = "每个二维码只能提交一次问卷。感谢您的参与！",
            ["unknown"] = "二维码无效", ["unknown-more"] = "请核对二维码，或向发放问卷的工作人员索取新的二维码。",
            ["not-open"] = "问卷尚未开放", ["answer-all"] = "请回答所有问题后再提交。", ["answer-n"] = "请回答第 {0} 题。", ["retry"] = "系统繁忙，问卷未保存，请稍后再点“提交”。",
            ["anonymous"] = "匿名问卷 · 约 1 分钟", ["language"] = "语言", ["place"] = "调查地点", ["name"] = "中文",
        },
        ["en"] = new()
        {
            ["submit"] = "Submit", ["thanks"] = "Thank you, your answers were received!", ["thanks-more"] = "Your opinion helps improve urban management. The survey is anonymous.",
            ["used"] = "This code has already been used", ["used-more"] = "Each code can be used for one questionnaire only. Thank you for taking part!",
            ["unknown"] = "Unknown code", ["unknown-more"] = "Please check the code, or ask the survey staff for a new one.",
            ["not-open"] = "The survey is not open yet", ["answer-all"] = "Please answer every question before submitting.", ["answer-n"] = "Please answer question {0}.", ["retry"] = "The system is busy and your answers were not stored; please press Submit again in a moment.",
            ["anonymous"] = "Anonymous · about 1 minute", ["language"] = "Language", ["place"] = "Place", ["name"] = "English",
        },
        // Draft Tibetan: to be reviewed by a native speaker.
        ["bo"] = new()
        {
            ["submit"] = "ཕུལ།", ["thanks"] = "ཐུགས་རྗེ་ཆེ། ཁྱེད་ཀྱི་ལན་འབྱོར་སོང་།", ["thanks-more"] = "ཞིབ་བཤེར་འདི་མིང་མི་འགོད།",
            ["used"] = "ཨང་རྟགས་འདི་བེད་སྤྱོད་བྱས་ཟིན།", ["used-more"] = "ཨང་རྟགས་རེ་རེས་ཐེངས་གཅིག་ལས་མི་ཆོག ཐུགས་རྗེ་ཆེ།",
            ["unknown"] = "ཨང་རྟགས་ནོར་འདུག", ["unknown-more"] = "ལས་བྱེད་པར་ཨང་རྟགས་གསར་པ་ཞུ་རོགས།",
            ["not-open"] = "ཞིབ་བཤེར་མ་འགོ་ཚུགས།", ["answer-all"] = "དྲི་བ་ཚང་མར་ལན་འདེབས་གནང་རོགས།", ["answer-n"] = "དྲི་བ་ {0} ལ་ལན་འདེབས་གནང་རོགས།", ["retry"] = "ཡང་བསྐྱར་ཕུལ་རོགས།",
            ["anonymous"] = "མིང་མི་འགོད། · སྐར་མ་ ༡", ["language"] = "སྐད་ཡིག", ["place"] = "ས་ཆ།", ["name"] = "བོད་ཡིག",
        },
    };

    public static string Known(string? lang) => lang is not null && ByLanguage.ContainsKey(lang) ? lang : Texts.Chinese;

    public static string Get(string key, string language) =>
        ByLanguage.GetValueOrDefault(language)?.GetValueOrDefault(key) ?? ByLanguage["zh"][key];

    public static string NameOf(string language) => ByLanguage.GetValueOrDefault(language)?.GetValueOrDefault("name") ?? language;
}
