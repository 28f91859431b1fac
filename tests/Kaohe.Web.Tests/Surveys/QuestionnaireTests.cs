using Kaohe.Data;
using Kaohe.Scoring;
using Kaohe.Web.Features.Surveys;

namespace Kaohe.Web.Tests.Surveys;

public class QuestionnaireTests
{
    [Fact]
    public void The_template_is_valid_in_Chinese_English_and_Tibetan_with_the_seeds_option_values()
    {
        var q = Questionnaire.UrbanManagementTemplate();
        Assert.Empty(q.Validate());
        Assert.Equal(["zh", "bo", "en"], q.Languages);
        var method = q.ToMethod();
        Assert.Equal([100.0, 75.0, 55.0, null], method.Options.Select(o => o.Value));
    }

    [Fact]
    public void A_question_without_Chinese_text_is_named()
    {
        var q = Questionnaire.UrbanManagementTemplate();
        var broken = q with { Questions = [.. q.Questions.Take(2), q.Questions[2] with { Text = new Texts(new Dictionary<string, string> { ["en"] = "Green?" }) }] };
        Assert.Contains(broken.Validate(), e => e.StartsWith("questions[2].text.zh"));
    }

    [Fact]
    public void Tallies_count_every_scored_answer_and_feed_the_engine_score()
    {
        var q = Questionnaire.UrbanManagementTemplate();
        var responses = new List<SurveyAnswers>();
        for (var i = 0; i < 10; i++)
            responses.Add(new SurveyAnswers(q.Questions.ToDictionary(x => x.Id, _ => i < 6 ? "满意" : i < 9 ? "基本满意" : "不了解")));
        var counts = SurveyTally.Count(q, responses);
        Assert.Equal(30, counts["满意"]);
        Assert.Equal(15, counts["基本满意"]);
        Assert.Equal(5, counts["不了解"]);

        // 10 points of satisfaction: (30 × 100 + 15 × 75) / 45 counted = 91.67 → 9.1667 points; 不了解 not counted.
        var a = new Assessment("2023-Q1", [new Unit("cg-lasa", "拉萨")],
            [Indicator.Leaf("my", "群众满意度", 10, q.ToMethod())], [new DataValue("cg-lasa", "my", Counts: counts)], [], [], Rules.Default);
        Assert.Equal(10 * (30 * 100 + 15 * 75) / 45.0 / 100, Engine.Score(a).Result!["cg-lasa"].Total, 9);
    }

    [Fact]
    public void An_answer_naming_an_unknown_option_is_refused_with_the_question()
    {
        var q = Questionnaire.UrbanManagementTemplate();
        var errors = SurveyTally.Check(q, new SurveyAnswers(new Dictionary<string, string> { ["roads"] = "非常满意" }));
        Assert.Single(errors);
        Assert.StartsWith("answers.roads", errors[0]);
    }

    [Fact]
    public void Tokens_are_unique_and_only_their_hash_is_kept()
    {
        var tokens = Enumerable.Range(0, 5000).Select(_ => SurveyTokens.New()).ToArray();
        Assert.Equal(5000, tokens.Distinct().Count());
        Assert.All(tokens, t => Assert.Matches("^[a-z2-7]{26}$", t));
        Assert.Equal(SurveyTokens.Hash(tokens[0]), SurveyTokens.Hash(" " + tokens[0].ToUpperInvariant()));
        Assert.DoesNotContain(tokens[0], SurveyTokens.Hash(tokens[0]));
    }

    [Fact]
    public void The_client_key_does_not_contain_the_address_and_depends_on_the_secret()
    {
        var k1 = SurveyTokens.ClientKey("203.0.113.7", [1, 2, 3]);
        var k2 = SurveyTokens.ClientKey("203.0.113.7", [4, 5, 6]);
        Assert.NotEqual(k1, k2);
        Assert.DoesNotContain("203", k1);
    }

    [Fact]
    public void The_qr_code_is_an_svg_image()
    {
        var svg = SurveyQr.Svg("http://localhost:5080/s/abcdefghijklmnopqrstuvwxyz");
        Assert.StartsWith("<svg", svg.TrimStart());
        Assert.Contains("</svg>", svg);
    }
}
