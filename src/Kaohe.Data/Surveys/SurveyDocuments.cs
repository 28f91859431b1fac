using System.Text.Json;

namespace Kaohe.Data;

/// <summary>
/// How a questionnaire and an answer sheet are stored (JSON columns of <see cref="SurveyQuestionnaire"/> and
/// <see cref="SurveyResponse"/>), and the data-protection purpose of a QR batch's secret: shared by the web
/// application and the generator, which writes the same rows.
/// </summary>
public static class SurveyDocuments
{
    public const string BatchPurpose = "Kaohe.Surveys.Batch";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string ToJson(Questionnaire q) => JsonSerializer.Serialize(q, Json);

    public static Questionnaire ParseQuestionnaire(string json) =>
        JsonSerializer.Deserialize<Questionnaire>(json, Json) ?? throw new InvalidOperationException("empty questionnaire document");

    public static string AnswersJson(SurveyAnswers a) =>
        JsonSerializer.Serialize(new SortedDictionary<string, string>(a.OptionByQuestion.ToDictionary(), StringComparer.Ordinal), Json);

    public static SurveyAnswers ParseAnswers(string json) =>
        new(JsonSerializer.Deserialize<Dictionary<string, string>>(json, Json) ?? []);
}
