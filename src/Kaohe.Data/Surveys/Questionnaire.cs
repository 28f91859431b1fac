using Kaohe.Scoring;

namespace Kaohe.Data;

/// <summary>Texts of one item by language code (zh required; e.g. en, bo for Tibetan optional).</summary>
public sealed record Texts(IReadOnlyDictionary<string, string> ByLanguage)
{
    public const string Chinese = "zh";

    public static Texts Zh(string zh, string? en = null, string? bo = null)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal) { [Chinese] = zh };
        if (en is not null) d["en"] = en;
        if (bo is not null) d["bo"] = bo;
        return new Texts(d);
    }

    /// <summary>The text in the asked language, falling back to Chinese.</summary>
    public string In(string language) =>
        ByLanguage.TryGetValue(language, out var t) && !string.IsNullOrWhiteSpace(t) ? t : ByLanguage.GetValueOrDefault(Chinese, "");
}

public sealed record AnswerOption(string Id, Texts Text, double? Value);

/// <summary>A question. When <see cref="Scored"/> it feeds the satisfaction score of the survey indicator.</summary>
public sealed record Question(string Id, Texts Text, IReadOnlyList<AnswerOption> Options, bool Scored = true);

/// <summary>群众满意度调查表: a questionnaire with texts per language and point values per option.</summary>
public sealed record Questionnaire(string Id, Texts Title, Texts Intro, IReadOnlyList<Question> Questions)
{
    /// <summary>The seed's scale: 满意 100, 基本满意 75, 不满意 55, 不了解 not counted.</summary>
    public static IReadOnlyList<AnswerOption> DefaultOptions { get; } =
    [
        new("满意", Texts.Zh("满意", "Satisfied", "ཚིམ་པོ།"), 100),
        new("基本满意", Texts.Zh("基本满意", "Mostly satisfied", "ཕལ་ཆེར་ཚིམ་པོ།"), 75),
        new("不满意", Texts.Zh("不满意", "Not satisfied", "མི་ཚིམ་པ།"), 55),
        new("不了解", Texts.Zh("不了解", "Don't know", "མི་ཤེས།"), null),
    ];

    /// <summary>The languages every item of the questionnaire has a text in.</summary>
    public IReadOnlyList<string> Languages =>
    [
        .. Questions.SelectMany(q => q.Options.Select(o => o.Text).Prepend(q.Text)).Prepend(Title)
            .Select(t => t.ByLanguage.Where(kv => !string.IsNullOrWhiteSpace(kv.Value)).Select(kv => kv.Key).ToHashSet())
            .Aggregate((a, b) => { a.IntersectWith(b); return a; })
            .OrderBy(l => l == Texts.Chinese ? "" : l, StringComparer.Ordinal),
    ];

    /// <summary>The option values as the engine's <c>survey</c> method takes them.</summary>
    public SurveyMethod ToMethod() => new([.. Questions.First(q => q.Scored).Options.Select(o => new SurveyOption(o.Id, o.Value))]);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Title.In(Texts.Chinese)) || !Title.ByLanguage.ContainsKey(Texts.Chinese))
            errors.Add("title: 问卷标题须有中文 / the title needs a Chinese text");
        if (Questions.Count == 0) errors.Add("questions: 至少需要一个问题 / at least one question is needed");
        var scored = Questions.Where(q => q.Scored).ToArray();
        if (scored.Length > 0 && scored.Any(q => !q.Options.Select(o => (o.Id, o.Value)).SequenceEqual(scored[0].Options.Select(o => (o.Id, o.Value)))))
            errors.Add("questions: 计分问题须使用相同的选项和分值 / scored questions must share the same options and values");
        for (var i = 0; i < Questions.Count; i++)
        {
            var q = Questions[i];
            if (!q.Text.ByLanguage.TryGetValue(Texts.Chinese, out var zh) || string.IsNullOrWhiteSpace(zh))
                errors.Add($"questions[{i}].text.zh: 第 {i + 1} 题须有中文 / question {i + 1} needs a Chinese text");
            if (q.Options.Count < 2) errors.Add($"questions[{i}].options: 第 {i + 1} 题至少需要两个选项 / question {i + 1} needs at least two options");
            if (q.Options.Select(o => o.Id).Distinct().Count() != q.Options.Count)
                errors.Add($"questions[{i}].options: 第 {i + 1} 题的选项重复 / question {i + 1} has duplicate options");
            for (var k = 0; k < q.Options.Count; k++)
            {
                var o = q.Options[k];
                if (!o.Text.ByLanguage.TryGetValue(Texts.Chinese, out var ozh) || string.IsNullOrWhiteSpace(ozh))
                    errors.Add($"questions[{i}].options[{k}].text.zh: 选项须有中文 / the option needs a Chinese text");
                if (o.Value is { } v && (!double.IsFinite(v) || v < 0 || v > 100))
                    errors.Add($"questions[{i}].options[{k}].value: 分值须在 0–100 / the value must lie in 0–100");
            }
            if (q.Scored && q.Options.All(o => o.Value is null))
                errors.Add($"questions[{i}].options: 计分问题至少需要一个计分选项 / a scored question needs a counted option");
        }
        return errors;
    }

    /// <summary>
    /// The template the office starts from: the seed's public-satisfaction questionnaire for urban
    /// management. The Tibetan texts are drafts to be checked by a native speaker before use.
    /// </summary>
    public static Questionnaire UrbanManagementTemplate() => new(
        "urban-satisfaction",
        Texts.Zh("群众满意度调查表", "Public satisfaction survey", "མང་ཚོགས་ཚིམ་ཚད་ཞིབ་བཤེར་རེའུ་མིག"),
        Texts.Zh("为改进城市管理工作，请您根据亲身感受作答。本问卷匿名，约需 1 分钟。",
            "To improve urban management, please answer from your own experience. Anonymous, about one minute.",
            "གྲོང་ཁྱེར་དོ་དམ་ལེགས་བཅོས་ཆེད། ཁྱེད་རང་གི་མྱོང་ཚོར་ལྟར་ལན་འདེབས་གནང་རོགས།"),
        [
            new("roads", Texts.Zh("您对城市道路及附属设施管理是否满意？", "Are you satisfied with the roads and their facilities?", "གྲོང་ཁྱེར་ལམ་དང་དེའི་སྒྲིག་ཆས་དོ་དམ་ལ་ཚིམ་མམ།"), DefaultOptions),
            new("sanitation", Texts.Zh("您对环境卫生和生活垃圾分类是否满意？", "Are you satisfied with street cleaning and waste sorting?", "ཁོར་ཡུག་གཙང་སྦྲ་དང་གད་སྙིགས་དབྱེ་འབྱེད་ལ་ཚིམ་མམ།"), DefaultOptions),
            new("greening", Texts.Zh("您对园林绿化是否满意？", "Are you satisfied with parks and green areas?", "ལྡུམ་ར་དང་ལྗང་སྐྱེད་ལ་ཚིམ་མམ།"), DefaultOptions),
            new("toilets", Texts.Zh("您对公厕管理是否满意？", "Are you satisfied with public toilets?", "སྤྱི་སྤྱོད་ཆབ་ཁང་དོ་དམ་ལ་ཚིམ་མམ།"), DefaultOptions),
            new("markets", Texts.Zh("您对农贸市场管理是否满意？", "Are you satisfied with farmers' markets?", "ཞིང་འབྲོག་ཁྲོམ་ར་དོ་དམ་ལ་ཚིམ་མམ།"), DefaultOptions),
        ]);
}

/// <summary>One submitted questionnaire: the option chosen per question.</summary>
public sealed record SurveyAnswers(IReadOnlyDictionary<string, string> OptionByQuestion);

/// <summary>Counts answers into the tallies that feed the engine's <c>survey</c> facts.</summary>
public static class SurveyTally
{
    /// <summary>
    /// Counts every scored question's answers together: a questionnaire of five scored questions
    /// answered by 55 people gives 275 counted answers. Questions left blank are not counted.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Count(Questionnaire q, IEnumerable<SurveyAnswers> responses)
    {
        var scored = q.Questions.Where(x => x.Scored).ToArray();
        var counts = scored.First().Options.ToDictionary(o => o.Id, _ => 0.0, StringComparer.Ordinal);
        foreach (var r in responses)
            foreach (var question in scored)
                if (r.OptionByQuestion.TryGetValue(question.Id, out var option) && counts.ContainsKey(option))
                    counts[option]++;
        return counts;
    }

    /// <summary>Checks a submission against the questionnaire: every answer names a known question and option.</summary>
    public static IReadOnlyList<string> Check(Questionnaire q, SurveyAnswers answers)
    {
        var errors = new List<string>();
        foreach (var (question, option) in answers.OptionByQuestion)
        {
            var qq = q.Questions.FirstOrDefault(x => x.Id == question);
            if (qq is null) errors.Add($"answers.{question}: 问题不存在 / no such question");
            else if (!qq.Options.Any(o => o.Id == option)) errors.Add($"answers.{question}: 选项 \"{option}\" 不存在 / no option \"{option}\"");
        }
        if (answers.OptionByQuestion.Count == 0) errors.Add("answers: 请至少回答一题 / please answer at least one question");
        return errors;
    }
}
